/// Quantization-aware training settings for a whole network (see ``ImageClassifier/quantize(_:)``).
///
/// Defaults: 4-bit weights and activations (the crossbar's, docs/architecture.md), the first convolution's
/// weights and the classifier head (weights and input) at 8 bits, max-abs weight scales, PACT
/// α initialised to 6. A precision of 32 bits (``fullPrecision``) leaves that layer unquantized.
public struct QuantizationConfig: Sendable, Equatable {
    /// Bits of every weight except the first convolution's and the head's.
    public var weightBits: Int = 4
    /// Bits of every quantized activation except the head's input.
    public var activationBits: Int = 4
    /// Bits of the first convolution's weight (its input, the image, is never quantized).
    public var firstLayerBits: Int = 8
    /// Bits of the classifier head's weight and input.
    public var lastLayerBits: Int = 8
    /// How weight step sizes are chosen.
    public var weightScale: WeightScaleMode = .maxAbs
    /// Initial PACT clipping level α of every activation quantizer.
    public var initialAlpha: Float = 6

    /// The value of a bit width that means "not quantized".
    public static let fullPrecision = 32

    public init(weightBits: Int = 4, activationBits: Int = 4, firstLayerBits: Int = 8, lastLayerBits: Int = 8,
                weightScale: WeightScaleMode = .maxAbs, initialAlpha: Float = 6) {
        self.weightBits = weightBits
        self.activationBits = activationBits
        self.firstLayerBits = firstLayerBits
        self.lastLayerBits = lastLayerBits
        self.weightScale = weightScale
        self.initialAlpha = initialAlpha
    }

    /// Checks every field: bit widths in 2…16 or 32, α positive.
    public func validate() throws(QuantizationConfigError) {
        for (field, bits) in [("weightBits", weightBits), ("activationBits", activationBits),
                              ("firstLayerBits", firstLayerBits), ("lastLayerBits", lastLayerBits)] {
            if !((2...16).contains(bits) || bits == Self.fullPrecision) {
                throw .invalidBits(field: field, value: bits)
            }
        }
        if !(initialAlpha > 0 && initialAlpha.isFinite) { throw .invalidAlpha(initialAlpha) }
    }
}

/// A ``QuantizationConfig`` field out of range.
public enum QuantizationConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidBits(field: String, value: Int)
    case invalidAlpha(Float)

    public var description: String {
        switch self {
        case .invalidBits(let field, let value):
            "quantization: \(field) = \(value); expected 2…16, or 32 for full precision"
        case .invalidAlpha(let value):
            "quantization: initialAlpha = \(value); expected a positive finite number"
        }
    }
}
