import XMaskCrossbar
import XMaskNN
import XMaskTensor

extension TaskState {
    /// The task as the hardware model reads it: per conv the column gating (XBM/XMA/XMA2) and
    /// the cells re-programmed, counted from the real integer weight levels of `model`
    /// (loaded with the backbone): FineTune every cell whose level changes, Piggyback the
    /// cells of the weights it zeroes, KSM the kernels it scales, XMA2 its spare PEs (written
    /// from the erased state), XBM/XMA none.
    public func hardwareMasks(model: any ImageClassifier, geometry: CrossbarGeometry) -> TaskMasks {
        let convs = Dictionary(uniqueKeysWithValues: model.convolutions.map { ($0.key, $0.layer) })
        let cellLevels = geometry.cellLevels
        var out: [TaskLayerMask] = []
        for layer in layers {
            let layout = layer.layout
            var entry = TaskLayerMask(name: layer.key)
            if let gating = layer.mask.columnGating(layout: layout) {
                entry.columnMask = LayerColumnMask(rowChunks: layout.rowChunks, outputChannels: layout.outChannels, levels: gating)
            }
            guard let conv = convs[layer.key], let quantizer = conv.weightQuantizer else {
                out.append(entry)
                continue
            }
            let backbone = quantizer.levels(of: conv.weight.value)
            let bits = backbone.bits
            let old = backbone.levels.map(Int.init)
            var counts = [[Int]](repeating: [Int](repeating: 0, count: cellLevels), count: cellLevels)
            switch layer.mask {
            case .weights(let t):
                let new = quantizer.levels(of: t).levels.map(Int.init)
                CellEncoding.accumulate(from: old, to: new, weightBits: bits, cellBits: geometry.cellBits, into: &counts)
                entry.reprogramming = LayerReprogramming(cellTransitions: counts)
            case .weightBits(let b):
                let zeroed = old.indices.filter { b[$0] == 0 }
                CellEncoding.accumulate(from: zeroed.map { old[$0] }, to: zeroed.map { _ in 0 },
                                        weightBits: bits, cellBits: geometry.cellBits, into: &counts)
                entry.reprogramming = LayerReprogramming(cellTransitions: counts, rewrittenWeights: zeroed.count)
            case .kernelValues(let values, _):
                let perKernel = layout.kernelHeight * layout.kernelWidth
                let qp = Double((1 << (bits - 1)) - 1)
                var from: [Int] = [], to: [Int] = []
                for (i, level) in old.enumerated() {
                    let v = Double(values.scalars[i / perKernel])
                    if v == 1 { continue }
                    from.append(level)
                    to.append(Int(min(max((Double(level) * v).rounded(), -qp), qp)))
                }
                CellEncoding.accumulate(from: from, to: to, weightBits: bits, cellBits: geometry.cellBits, into: &counts)
                entry.reprogramming = LayerReprogramming(cellTransitions: counts, rewrittenWeights: from.count)
            case .replacedPEs(let pes, let weights, _, _):
                let peOfWeight = layout.peOfWeights()
                let newLevels = quantizer.levels(of: weights).levels.map(Int.init)
                let written = peOfWeight.indices.filter { pes[peOfWeight[$0]] == 1 }.map { newLevels[$0] }
                CellEncoding.accumulate(from: nil, to: written, weightBits: bits, cellBits: geometry.cellBits, into: &counts)
                entry.reprogramming = LayerReprogramming(reprogrammedPEs: layer.mask.reprogrammedPEs,
                                                         cellTransitions: counts, rewrittenWeights: written.count)
            case .columnLevels:
                entry.reprogramming = LayerReprogramming(cellTransitions: counts, rewrittenWeights: 0)
            }
            out.append(entry)
        }
        return TaskMasks(method: config.method, arrayRows: geometry.arrayRows, layers: out)
    }

    /// What the task stores besides head and batch norm, counted by the crossbar model
    /// (``LayerMapping/maskMemory(method:reprogrammedPEs:options:)``, with the geometry's packing
    /// and KSM real-part bits): the same count `xmask hw --masks` reports for this task.
    public func maskMemory() -> MaskMemory {
        layers.reduce(MaskMemory()) {
            $0 + $1.layout.mapping.maskMemory(method: config.method, reprogrammedPEs: $1.mask.reprogrammedPEs)
        }
    }
}
