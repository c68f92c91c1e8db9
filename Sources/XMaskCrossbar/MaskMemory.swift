import Foundation

/// How multi-level column masks (XMA) are packed in storage.
public enum MaskPacking: String, Codable, Sendable, CaseIterable {
    /// ⌈log2 L⌉ bits per value (5 levels → 3 bits): what one mask-buffer slot holds on chip.
    case fixedWidth = "fixed"
    /// Radix-L groups: k values in ⌈k · log2 L⌉ bits, with k ≤ 16 chosen for the fewest bits
    /// per value (5 levels → 3 values in 7 bits, 2.33 bits each; 2 levels → 1 bit). Each group
    /// decodes on its own (divide/modulo by L). The default: XMA2 §5.1.1's "three shift levels
    /// need < 100 KB" for ResNet-50 holds only below 3 bits per column.
    case radix

    /// (values per group, bits per group) for `levels` distinct values.
    public static func radixGroup(levels: Int) -> (values: Int, bits: Int) {
        precondition(levels >= 2, "radixGroup: \(levels) levels")
        var best = (values: 1, bits: bitsFor(levels: levels))
        var power = 1.0
        for k in 1...16 {
            power *= Double(levels)
            let bits = Int(log2(power).nextDown.rounded(.up))  // ⌈k·log2 L⌉, exact for powers of two
            if bits * best.values < best.bits * k { best = (k, bits) }
        }
        return best
    }

    /// Bits to store `count` values of `levels` levels (packed per layer: groups do not span layers).
    public func bits(count: Int, levels: Int) -> Int {
        guard count > 0, levels > 1 else { return 0 }
        switch self {
        case .fixedWidth:
            return count * Self.bitsFor(levels: levels)
        case .radix:
            let group = Self.radixGroup(levels: levels)
            return (count / group.values) * group.bits + Self.radixTailBits(count % group.values, levels: levels)
        }
    }

    /// ⌈log2 levels⌉.
    public static func bitsFor(levels: Int) -> Int {
        var bits = 0
        while (1 << bits) < levels { bits += 1 }
        return bits
    }

    private static func radixTailBits(_ count: Int, levels: Int) -> Int {
        guard count > 0 else { return 0 }
        return Int((Double(count) * log2(Double(levels))).nextDown.rounded(.up))
    }
}

/// What a task stores besides its head, for one layer or a whole network.
///
/// `bits` is the task's learned state: the mask values, and for XMA2 also its PE bitmap and the
/// new weights of the re-programmed PEs (docs/architecture.md, "The methods"). FineTune stores a
/// full copy of the quantized weights.
public struct MaskMemory: Codable, Sendable, Equatable {
    /// Learned values stored: weights (FineTune), mask values, PE bits and new weights (XMA2).
    public var values: Int = 0
    /// Total bits.
    public var bits: Int = 0
    /// Of which: per-column mask bits (XBM, XMA, XMA2 tier-2).
    public var columnMaskBits: Int = 0
    /// Of which: the PE bitmap (XMA2 tier-1).
    public var peBitmapBits: Int = 0
    /// Of which: new weights of re-programmed PEs (XMA2) or all weights (FineTune).
    public var weightBits: Int = 0
    /// Bits held on chip in the mask buffers: one fixed-width slot per cell column (XBM Table II: 72 × 1 per array).
    public var maskBufferBits: Int = 0

    public init() {}

    /// ⌈bits / 8⌉.
    public var bytes: Int { (bits + 7) / 8 }

    public static func + (a: MaskMemory, b: MaskMemory) -> MaskMemory {
        var m = MaskMemory()
        m.values = a.values + b.values
        m.bits = a.bits + b.bits
        m.columnMaskBits = a.columnMaskBits + b.columnMaskBits
        m.peBitmapBits = a.peBitmapBits + b.peBitmapBits
        m.weightBits = a.weightBits + b.weightBits
        m.maskBufferBits = a.maskBufferBits + b.maskBufferBits
        return m
    }
}

/// The mask-memory accounting settings, as a value: a view of the geometry's
/// ``CrossbarGeometry/maskPacking`` and ``CrossbarGeometry/ksmRealValueBits``, which own them
/// (``CrossbarGeometry/maskMemoryOptions``).
public struct MaskMemoryOptions: Codable, Sendable, Equatable {
    /// Packing of multi-level column masks in storage.
    public var packing: MaskPacking
    /// Bits of KSM's real-valued part per kernel.
    public var ksmRealValueBits: Int

    public init(packing: MaskPacking, ksmRealValueBits: Int) {
        self.packing = packing
        self.ksmRealValueBits = ksmRealValueBits
    }

    public func validate() throws {
        guard ksmRealValueBits >= 0, ksmRealValueBits <= 64 else {
            throw CrossbarError.invalidField(field: "ksmRealValueBits", value: String(ksmRealValueBits), expected: "an integer in 0...64")
        }
    }
}

extension LayerMapping {
    /// The task state of `method` in this layer: the one count of a task's mask bits, used by
    /// `xmask hw`, bundles and studies. For XMA2, `reprogrammedPEs` of this layer's PEs get new
    /// weights (and a 1 in the PE bitmap) and the other PEs' columns get XMA values. Packing and
    /// KSM's real-part bits are the geometry's unless `options` overrides them.
    public func maskMemory(method: AdaptationMethod, reprogrammedPEs: [Int] = [], options: MaskMemoryOptions? = nil) -> MaskMemory {
        let options = options ?? maskMemoryOptions
        var m = MaskMemory()
        switch method {
        case .fineTune:
            m.values = layer.weights
            m.weightBits = layer.weights * weightBits
        case .piggyback:
            m.values = layer.weights
            m.bits = layer.weights
        case .ksm:
            m.values = layer.kernels * 2
            m.bits = layer.kernels * (1 + options.ksmRealValueBits)
        case .xbm, .xma:
            let levels = method.columnLevelCount
            m.values = maskColumns
            m.columnMaskBits = options.packing.bits(count: maskColumns, levels: levels)
            m.maskBufferBits = maskColumns * cellsPerWeight * MaskPacking.bitsFor(levels: levels)
        case .xma2:
            let levels = method.columnLevelCount
            let chosenColumns = reprogrammedPEs.reduce(0) { $0 + maskColumns(inPE: $1) }
            let chosenWeights = reprogrammedPEs.reduce(0) { $0 + weights(inPE: $1) }
            let frozenColumns = maskColumns - chosenColumns
            m.values = pes + frozenColumns + chosenWeights
            m.peBitmapBits = pes
            m.columnMaskBits = options.packing.bits(count: frozenColumns, levels: levels)
            m.weightBits = chosenWeights * weightBits
            m.maskBufferBits = maskColumns * cellsPerWeight * MaskPacking.bitsFor(levels: levels)
        }
        if m.bits == 0 { m.bits = m.columnMaskBits + m.peBitmapBits + m.weightBits }
        return m
    }
}
