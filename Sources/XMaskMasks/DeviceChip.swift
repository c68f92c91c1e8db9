import XMaskCrossbar
import XMaskNN
import XMaskTensor

/// One perturbed chip: the backbone's cells as a ``DeviceModel`` programs them, drawn once.
///
/// Every quantized conv's integer levels are split into cells the way ``CellEncoding`` does
/// (offset binary, `cellBits` per cell, least significant first). Per cell the chip holds its
/// fault (for the chip's lifetime) and its conductance after programming and drift. Every task
/// evaluated on the chip sees these same cells; the cells a task re-programs are drawn afresh
/// for that task (``TaskState/install(on:geometry:chip:seed:)``). Convs without a weight
/// quantizer are not on cells and stay ideal.
public struct DeviceChip: Sendable {
    /// The backbone cells of one conv, weight-major (`cellsPerWeight` consecutive cells per
    /// weight in weight order).
    public struct Layer: Sendable {
        public var levels: [Int16]
        public var scale: Float
        public var weightBits: Int
        public var cellsPerWeight: Int
        public var faults: [DeviceModel.Fault]
        public var conductances: [Double]
    }

    public let device: DeviceModel
    public let cellBits: Int
    public var layers: [String: Layer]

    public var cellLevels: Int { 1 << cellBits }

    /// Programs `model`'s (the backbone's) quantized convs, in model order, with draws from `seed`.
    public init(backbone model: any ImageClassifier, device: DeviceModel, cellBits: Int, seed: UInt64) throws {
        try device.validate(cellLevels: 1 << cellBits)
        self.device = device
        self.cellBits = cellBits
        var rng = SeededGenerator(seed: seed)
        var layers: [String: Layer] = [:]
        let cellLevels = 1 << cellBits
        for (key, conv) in model.convolutions {
            guard let q = conv.quantizedLevels() else { continue }
            let cells = (q.bits + cellBits - 1) / cellBits
            var faults = [DeviceModel.Fault](repeating: .none, count: q.levels.count * cells)
            var conductances = [Double](repeating: 0, count: faults.count)
            for (i, level) in q.levels.enumerated() {
                for j in 0..<cells {
                    let digit = Self.digit(Int(level), cell: j, weightBits: q.bits, cellBits: cellBits)
                    faults[i * cells + j] = device.drawFault(using: &rng)
                    conductances[i * cells + j] = device.programmed(level: digit, cellLevels: cellLevels, using: &rng)
                }
            }
            layers[key] = Layer(levels: q.levels, scale: q.scale, weightBits: q.bits, cellsPerWeight: cells,
                                faults: faults, conductances: conductances)
        }
        self.layers = layers
    }

    /// Cell `cell` (0 = least significant) of signed `level` in offset binary (``CellEncoding``).
    @inline(__always)
    static func digit(_ level: Int, cell: Int, weightBits: Int, cellBits: Int) -> Int {
        ((level + (1 << (weightBits - 1))) >> (cell * cellBits)) & ((1 << cellBits) - 1)
    }

    /// The weight `mask` gives conv `key` on this chip: `ideal` (the deployed weight evaluation
    /// uses without noise) plus, per weight, the level error of its cells
    /// `δ = Σ_j 2^(cellBits·j)·ε_j` times the weight's step (and its column's level for the
    /// column-scaled methods). Which cells a task writes, and with which target:
    ///
    /// - FineTune: its own levels; a cell whose digit differs from the backbone's is re-written.
    /// - Piggyback: zeroed weights are re-written to level 0 (their changed cells).
    /// - KSM: kernels with a soft value `v ≠ 1` re-written to `round(level·v)` (as the
    ///   hardware model counts them; the ideal value stays the deployed `w·v`).
    /// - XMA2: replaced PEs are spare cells written from erased: fault and programming drawn
    ///   for the task (which spare cells a task gets is not modelled, so their faults are too).
    /// - XBM, XMA and the kept columns of XMA2: no write; the chip's cells, times the column level.
    ///
    /// A cell not re-written keeps its chip conductance and fault; a re-written one keeps its
    /// fault (a stuck cell stays stuck) and gets a fresh programming draw. Read noise is drawn
    /// for every cell. Where every `ε` is 0 the weight is `ideal` bit for bit.
    public func weight(for key: String, mask: DeployedMask, layout: ColumnLayout, ideal: Tensor,
                       quantizer: WeightQuantizer, using rng: inout some RandomNumberGenerator) -> Tensor {
        guard let layer = layers[key] else { return ideal }
        precondition(ideal.count == layer.levels.count, "DeviceChip.weight(\(key)): \(ideal.count) weights, chip has \(layer.levels.count)")
        let n = layer.levels.count
        let backbone = layer.levels.map(Int.init)
        var target = backbone
        var step = [Float](repeating: layer.scale, count: n)
        var spare = [Bool](repeating: false, count: n)
        let qp = (1 << (layer.weightBits - 1)) - 1
        func columnScaled(_ levels: [Float]) -> [Float] {
            layout.expandColumns(Tensor(shape: [layout.rowChunks, layout.outChannels], scalars: levels)).scalars
        }
        switch mask {
        case .weights(let t):
            let q = quantizer.levels(of: t)
            target = q.levels.map(Int.init)
            step = [Float](repeating: q.scale, count: n)
        case .weightBits(let bits):
            for i in 0..<n where bits[i] == 0 { target[i] = 0 }
        case .kernelValues(let values, _):
            let perKernel = layout.kernelHeight * layout.kernelWidth
            for i in 0..<n {
                let v = Double(values.scalars[i / perKernel])
                if v != 1 { target[i] = Int(min(max((Double(backbone[i]) * v).rounded(), Double(-qp)), Double(qp))) }
            }
        case .columnLevels(let levels, _):
            step = zip(step, columnScaled(levels)).map { $0 * $1 }
        case .replacedPEs(let pes, let newWeights, let levels, _):
            let q = quantizer.levels(of: newWeights)
            let column = columnScaled(levels)
            for (i, pe) in layout.peOfWeights().enumerated() {
                if pes[pe] == 1 {
                    spare[i] = true
                    target[i] = Int(q.levels[i])
                    step[i] = q.scale
                } else {
                    step[i] *= column[i]
                }
            }
        }
        let cells = layer.cellsPerWeight
        let levels = cellLevels
        var out = ideal.scalars
        for i in 0..<n {
            var delta = 0.0
            for j in 0..<cells {
                let t = Self.digit(target[i], cell: j, weightBits: layer.weightBits, cellBits: cellBits)
                let fault: DeviceModel.Fault
                let g: Double
                if spare[i] {
                    fault = device.drawFault(using: &rng)
                    g = device.programmed(level: t, cellLevels: levels, using: &rng)
                } else {
                    fault = layer.faults[i * cells + j]
                    let old = Self.digit(backbone[i], cell: j, weightBits: layer.weightBits, cellBits: cellBits)
                    g = t == old ? layer.conductances[i * cells + j] : device.programmed(level: t, cellLevels: levels, using: &rng)
                }
                let e = device.levelError(level: t, cellLevels: levels, programmed: g, fault: fault, using: &rng)
                delta += e * Double(1 << (j * cellBits))
            }
            if delta != 0 { out[i] += Float(delta) * step[i] }
        }
        return Tensor(shape: ideal.shape, scalars: out)
    }
}

extension TaskState {
    /// ``install(on:geometry:)`` on a perturbed chip: `model` (loaded with the backbone whose
    /// cells `chip` holds) computes this task with every conv weight as ``DeviceChip/weight(for:mask:layout:ideal:quantizer:using:)``
    /// gives it; the task's own draws (re-written cells, read noise) come from `seed`.
    public func install(on model: any ImageClassifier, geometry: CrossbarGeometry, chip: DeviceChip, seed: UInt64) throws {
        var frozen: [String: (Tensor, WeightQuantizer?)] = [:]
        for (key, conv) in model.convolutions {
            conv.weightTransform = nil
            frozen[key] = (conv.effectiveWeight().detached(), conv.weightQuantizer)
        }
        try install(on: model, geometry: geometry)
        let convs = Dictionary(uniqueKeysWithValues: model.convolutions.map { ($0.key, $0.layer) })
        var rng = SeededGenerator(seed: seed)
        for layer in layers {
            guard let conv = convs[layer.key], let entry = frozen[layer.key], let quantizer = entry.1 else { continue }
            let ideal = layer.mask.apply(to: entry.0, layout: layer.layout)
            let noisy = chip.weight(for: layer.key, mask: layer.mask, layout: layer.layout, ideal: ideal, quantizer: quantizer, using: &rng)
            conv.weightTransform = { _ in noisy }
        }
    }
}
