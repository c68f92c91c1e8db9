import Foundation
import XMaskTensor

/// How a ``WeightQuantizer`` picks its step size.
public enum WeightScaleMode: String, Sendable, Equatable, CaseIterable {
    /// `s = max|W| / Q_P`, recomputed from the weight at every call (constant for the
    /// gradient), so the largest weight is exactly a level.
    case maxAbs
    /// A learned step size `s` (LSQ: Esser et al. 2020, "Learned Step Size Quantization",
    /// eq. 1–5), initialised to `2·mean|W|/√Q_P`, with its gradient scaled by `1/√(N·Q_P)`.
    case learned
}

/// k-bit symmetric, per-layer (per-tensor) uniform fake quantization of a weight.
///
/// Shapes: any weight → the same shape. Levels are the integers `−Q_P … Q_P` with
/// `Q_P = 2^(k−1) − 1` (for k = 4: −7 … 7; −8 is never used, so zero is exact and the range
/// is symmetric, as in `masklayers.py`'s `fake_quant`).
/// Formula: `Q(W) = clamp(round(W / s), −Q_P, Q_P) · s` with `round` half-to-even (as
/// `torch.round`), and the straight-through estimator `∂Q/∂W = 1` (Bengio et al. 2013).
/// With ``WeightScaleMode/learned`` the step `s` is the parameter `scale` (key
/// `weight_quantizer.scale`) and `∂Q/∂s = round(W/s) − W/s` inside the range, `±Q_P` outside,
/// times the gradient scale `g = 1/√(N·Q_P)` (LSQ, eq. 3 and §2.2).
public final class WeightQuantizer: Layer {
    public let bits: Int
    public let mode: WeightScaleMode
    /// The learned step size (shape `[]`), for ``WeightScaleMode/learned`` only.
    public let scale: Parameter?
    public var isTraining = true

    /// Largest level, `2^(bits−1) − 1`.
    public var maxLevel: Int { (1 << (bits - 1)) - 1 }

    /// A quantizer of `bits` bits. For the learned mode, `initialWeight` sets the initial step
    /// (`2·mean|W|/√Q_P`).
    public init(bits: Int, mode: WeightScaleMode = .maxAbs, initialWeight: Tensor? = nil) {
        precondition(bits >= 2 && bits <= 16, "WeightQuantizer: \(bits) bits; 2…16 supported")
        self.bits = bits
        self.mode = mode
        switch mode {
        case .maxAbs:
            scale = nil
        case .learned:
            let qp = Float((1 << (bits - 1)) - 1)
            var s: Float = 1
            if let w = initialWeight, w.count > 0 {
                let meanAbs = w.scalars.reduce(Float(0)) { $0 + Swift.abs($1) } / Float(w.count)
                s = meanAbs > 0 ? 2 * meanAbs / qp.squareRoot() : 1
            }
            scale = Parameter(Tensor(s))
        }
    }

    public var children: [(String, any Layer)] { [] }
    public var ownParameters: [(String, Parameter)] { scale.map { [("scale", $0)] } ?? [] }

    /// `max|W| / Q_P` (1 for an all-zero weight).
    public func maxAbsScale(of w: Tensor) -> Float {
        let m = w.scalars.reduce(Float(0)) { Swift.max($0, Swift.abs($1)) }
        return m > 0 ? m / Float(maxLevel) : 1
    }

    /// The current step size for weight `w`.
    public func stepSize(for w: Tensor) -> Float {
        switch mode {
        case .maxAbs: maxAbsScale(of: w)
        case .learned: scale!.value.item
        }
    }

    /// The integer levels of `w` and their step size (`w ≈ levels · scale`).
    public func levels(of w: Tensor) -> QuantizedWeights {
        let s = stepSize(for: w)
        let qp = Float(maxLevel)
        let levels = w.scalars.map { Swift.min(Swift.max(($0 / s).rounded(.toNearestOrEven), -qp), qp) }
        return QuantizedWeights(shape: w.shape, levels: levels.map { Int16($0) }, scale: s, bits: bits)
    }

    /// Fake-quantized `w`: the values of `Q(w)`, with the gradient described on the type.
    public func callAsFunction(_ w: Tensor) -> Tensor {
        let qp = Float(maxLevel)
        switch mode {
        case .maxAbs:
            let s = maxAbsScale(of: w)
            let q = w.scalars.map { Swift.min(Swift.max(($0 / s).rounded(.toNearestOrEven), -qp), qp) * s }
            return straightThrough(forward: Tensor(shape: w.shape, scalars: q), backward: w)
        case .learned:
            let s = scale!.value
            precondition(s.item > 0, "WeightQuantizer(learned): step size \(s.item) must be positive")
            let g = 1 / (Float(w.count) * qp).squareRoot()
            let sGrad = straightThrough(forward: s.detached(), backward: s * g)
            let v = clamp(w / sGrad, min: -qp, max: qp)
            let rounded = Tensor(shape: v.shape, scalars: v.scalars.map { $0.rounded(.toNearestOrEven) })
            return straightThrough(forward: rounded, backward: v) * sGrad
        }
    }
}

/// Integer weight levels as the crossbar stores them: `weight ≈ levels · scale`.
public struct QuantizedWeights: Sendable, Equatable {
    /// Shape of the weight (`[Cout, Cin, kh, kw]` or `[out, in]`).
    public var shape: [Int]
    /// The levels in row-major order, each in `−(2^(bits−1) − 1) … 2^(bits−1) − 1`.
    public var levels: [Int16]
    /// Step size: the real value of level 1.
    public var scale: Float
    public var bits: Int

    /// The levels as `Int8` (for up to 8 bits).
    public var int8Levels: [Int8] {
        precondition(bits <= 8, "QuantizedWeights: \(bits)-bit levels do not fit Int8")
        return levels.map { Int8($0) }
    }

    /// The dequantized weight, `levels · scale`.
    public func dequantized() -> Tensor {
        Tensor(shape: shape, scalars: levels.map { Float($0) * scale })
    }
}
