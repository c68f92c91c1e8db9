import XMaskCrossbar
import XMaskNN
import XMaskTensor

/// How a signed weight level is spread over ReRAM cells: offset binary `u = level + 2^(b−1)`
/// (so −(2^(b−1)−1)…2^(b−1)−1 becomes 1…2^b − 1), split into ⌈b / cellBits⌉ digits of
/// `cellBits` bits, least significant cell first. One common mapping for signed weights on
/// unipolar cells; the papers do not state theirs.
public enum CellEncoding {
    public static func digits(level: Int, weightBits: Int, cellBits: Int) -> [Int] {
        let u = level + (1 << (weightBits - 1))
        let cells = (weightBits + cellBits - 1) / cellBits
        return (0..<cells).map { (u >> ($0 * cellBits)) & ((1 << cellBits) - 1) }
    }

    /// Adds the cell transitions of rewriting weights `from` → `to` into `counts[from][to]`.
    /// With `from == nil` the cells start erased (level 0: a spare PE).
    public static func accumulate(from: [Int]?, to: [Int], weightBits: Int, cellBits: Int, into counts: inout [[Int]]) {
        for i in 0..<to.count {
            let new = digits(level: to[i], weightBits: weightBits, cellBits: cellBits)
            let old = from.map { digits(level: $0[i], weightBits: weightBits, cellBits: cellBits) }
                ?? [Int](repeating: 0, count: new.count)
            for j in 0..<new.count { counts[old[j]][new[j]] += 1 }
        }
    }
}

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
                entry.reprogramming = LayerReprogramming(reprogrammedPEs: pes.indices.filter { pes[$0] == 1 },
                                                         cellTransitions: counts, rewrittenWeights: written.count)
            case .columnLevels:
                entry.reprogramming = LayerReprogramming(cellTransitions: counts, rewrittenWeights: 0)
            }
            out.append(entry)
        }
        return TaskMasks(method: config.method, arrayRows: geometry.arrayRows, layers: out)
    }

    /// Bits the task stores besides head and batch norm (see ``DeployedMask/storedBits(layout:weightBits:)``).
    public func maskBits(weightBits: Int) -> Int {
        layers.reduce(0) { $0 + $1.mask.storedBits(layout: $1.layout, weightBits: weightBits) }
    }
}
