import Foundation
import XMaskCrossbar
import XMaskNN
import XMaskTensor

/// One conv layer of a deployed task.
public struct DeployedLayer: Sendable, Equatable {
    public var key: String
    public var layout: ColumnLayout
    public var mask: DeployedMask

    public init(key: String, layout: ColumnLayout, mask: DeployedMask) {
        self.key = key
        self.layout = layout
        self.mask = mask
    }
}

/// Everything one task adds to the frozen backbone: deployed masks per conv, the head, and
/// the per-task batch-norm state. Installing it on a model loaded with the backbone gives the
/// task's network; nothing else changes, so tasks cannot interfere.
public struct TaskState {
    public var config: MaskConfig
    public var numClasses: Int
    public var layers: [DeployedLayer]
    /// `fc.weight`, `fc.bias`, head quantizer state.
    public var head: [String: Tensor]
    /// Every batch-norm tensor by its model key (`bn1.weight`, `layer1.0.bn1.running_mean`).
    public var batchNorm: [String: Tensor]

    public init(config: MaskConfig, numClasses: Int, layers: [DeployedLayer],
                head: [String: Tensor], batchNorm: [String: Tensor]) {
        self.config = config
        self.numClasses = numClasses
        self.layers = layers
        self.head = head
        self.batchNorm = batchNorm
    }

    /// Makes `model` (loaded with the backbone) compute this task: loads head and batch norm,
    /// and fixes every conv's weight to the deployed masked weight (computed once).
    public func install(on model: any ImageClassifier, geometry: CrossbarGeometry) throws {
        guard let w = head["fc.weight"], w.rank == 2 else {
            throw TaskStateError.missing(key: "fc.weight", file: nil)
        }
        let old = model.head
        guard w.shape[1] == old.inFeatures else {
            throw TaskStateError.shapeMismatch(key: "fc.weight", expected: [numClasses, old.inFeatures], found: w.shape, file: nil)
        }
        let newHead = Linear(weight: w, bias: head["fc.bias"])
        if let q = old.weightQuantizer { newHead.weightQuantizer = WeightQuantizer(bits: q.bits, mode: q.mode, initialWeight: w) }
        if let q = old.inputQuantizer { newHead.inputQuantizer = ActivationQuantizer(bits: q.bits, initialAlpha: q.alpha.value.item) }
        let headState = Dictionary(uniqueKeysWithValues: head.map { (String($0.key.dropFirst(3)), $0.value) })
        try newHead.load(stateDict: headState, strict: true)
        model.head = newHead
        try model.load(stateDict: batchNorm, strict: false)

        let convs = Dictionary(uniqueKeysWithValues: model.convolutions.map { ($0.key, $0.layer) })
        guard convs.count == layers.count else {
            throw TaskStateError.layerCount(expected: convs.count, found: layers.count)
        }
        for layer in layers {
            guard let conv = convs[layer.key] else { throw TaskStateError.missing(key: layer.key, file: nil) }
            let layout = ColumnLayout(weightShape: conv.weight.value.shape, geometry: geometry)
            guard layout == layer.layout else {
                throw TaskStateError.shapeMismatch(key: layer.key, expected: layout.weightShape, found: layer.layout.weightShape, file: nil)
            }
            let mask = layer.mask
            conv.weightTransform = nil
            let frozen = conv.effectiveWeight().detached()
            let effective = mask.apply(to: frozen, layout: layout)
            conv.weightTransform = { _ in effective }
        }
    }

    // MARK: - Files

    /// The safetensors form: head and batch-norm tensors under their model keys; per conv
    /// `<key>.weight` (FineTune, F32), `<key>.mask_bits` (Piggyback, U8, 1 bit per weight),
    /// `<key>.kernel_values` + `<key>.kernel_bits` (KSM), `<key>.column_levels` (XBM/XMA/XMA2,
    /// U8, ⌈log2(N + 2)⌉ bits per column holding the index into 0, shifts…, 1), `<key>.pe_bits`
    /// + `<key>.pe_weights` (XMA2: 1 bit per PE, then the new weights of the replaced PEs in
    /// weight order). Bits are packed least-significant first (``BitPacking``).
    public func safetensors() throws -> Safetensors {
        var file = Safetensors(metadata: [
            "format": "xmask-task", "version": "1", "method": config.method.name,
            "config": try Safetensors.metadataJSON(config),
            "numClasses": String(numClasses),
        ])
        for (k, t) in head { file.setTensor(t, forKey: k) }
        for (k, t) in batchNorm { file.setTensor(t, forKey: k) }
        for layer in layers {
            let key = layer.key
            switch layer.mask {
            case .weights(let t):
                file.setTensor(t, forKey: key + ".weight")
            case .weightBits(let bits):
                let packed = BitPacking.pack(bits.map(Int.init), bits: 1)
                file.setEntry(SafetensorsEntry(uint8: packed, shape: [packed.count]), forKey: key + ".mask_bits")
            case .kernelValues(let values, let binary):
                file.setTensor(values, forKey: key + ".kernel_values")
                let packed = BitPacking.pack(binary.map(Int.init), bits: 1)
                file.setEntry(SafetensorsEntry(uint8: packed, shape: [packed.count]), forKey: key + ".kernel_bits")
            case .columnLevels(let levels, let shift):
                file.setEntry(Self.packLevels(levels, shift), forKey: key + ".column_levels")
            case .replacedPEs(let pes, let weights, let levels, let shift):
                let packed = BitPacking.pack(pes.map(Int.init), bits: 1)
                file.setEntry(SafetensorsEntry(uint8: packed, shape: [packed.count]), forKey: key + ".pe_bits")
                file.setEntry(Self.packLevels(levels, shift), forKey: key + ".column_levels")
                let peOfWeight = layer.layout.peOfWeights()
                let kept = zip(weights.scalars, peOfWeight).filter { pes[$0.1] == 1 }.map(\.0)
                file.setTensor(Tensor(shape: [kept.count], scalars: kept), forKey: key + ".pe_weights")
            }
        }
        return file
    }

    static func packLevels(_ levels: [Float], _ shift: ShiftLevels) -> SafetensorsEntry {
        let indices = levels.map { shift.index(of: $0) ?? 0 }
        let packed = BitPacking.pack(indices, bits: max(shift.bitsPerValue, 1))
        return SafetensorsEntry(uint8: packed, shape: [packed.count])
    }
}

/// A task file that does not fit the model.
public enum TaskStateError: Error, CustomStringConvertible, Equatable {
    case missing(key: String, file: String?)
    case shapeMismatch(key: String, expected: [Int], found: [Int], file: String?)
    case layerCount(expected: Int, found: Int)
    case corrupt(key: String, file: String?, reason: String)

    public var description: String {
        func at(_ f: String?) -> String { f.map { "\($0): " } ?? "" }
        switch self {
        case let .missing(key, file): return "\(at(file))missing tensor \"\(key)\""
        case let .shapeMismatch(key, expected, found, file): return "\(at(file))\"\(key)\" has shape \(found), expected \(expected)"
        case let .layerCount(expected, found): return "task has \(found) masked layers, the backbone has \(expected) convolutions"
        case let .corrupt(key, file, reason): return "\(at(file))\"\(key)\": \(reason)"
        }
    }
}
