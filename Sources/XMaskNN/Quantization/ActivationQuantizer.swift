import XMaskTensor

/// k-bit unsigned activation quantizer with a learned clipping level α: PACT (Choi et al.
/// 2018, "PACT: Parameterized Clipping Activation for Quantized Neural Networks", eq. 1–3).
///
/// Shapes: any → the same; `alpha` is a scalar parameter (key `input_quantizer.alpha`).
/// Formula: `y = clamp(x, 0, α)`, `y_q = round(y · (2^k − 1)/α) · α/(2^k − 1)` (round half to
/// even, as `torch.round`). Straight-through gradients (PACT eq. 3):
/// `∂y_q/∂x = 1[0 ≤ x ≤ α]`, `∂y_q/∂α = 1[x ≥ α]`.
///
/// Placement in xmask's networks: the input quantizer of every quantized convolution and
/// linear layer except the first convolution (whose input is the normalised, signed image and
/// stays in full precision). Those inputs are ReLU outputs, so `clamp(x, 0, α)` is the
/// PACT activation that replaces the ReLU on the path into the layer; the residual path of a
/// ResNet block keeps the full-precision ReLU output.
public final class ActivationQuantizer: Layer {
    public let bits: Int
    public let alpha: Parameter
    public var isTraining = true

    /// Number of steps, `2^bits − 1`.
    public var levels: Int { (1 << bits) - 1 }

    public init(bits: Int, initialAlpha: Float = 6) {
        precondition(bits >= 2 && bits <= 16, "ActivationQuantizer: \(bits) bits; 2…16 supported")
        precondition(initialAlpha > 0, "ActivationQuantizer: α = \(initialAlpha) must be positive")
        self.bits = bits
        self.alpha = Parameter(Tensor(initialAlpha))
    }

    public var children: [(String, any Layer)] { [] }
    public var ownParameters: [(String, Parameter)] { [("alpha", alpha)] }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let a = alpha.value
        let av = a.item
        precondition(av > 0, "ActivationQuantizer: α = \(av) must be positive")
        let step = av / Float(levels)
        let n = x.count
        let needX = x.isTracked, needAlpha = a.isTracked
        // One pass: the quantized values and, when training, the two straight-through masks
        // 1[0 ≤ x ≤ α] and 1[x ≥ α] (equal at x = α: both get the gradient there).
        var inside = [Float](), clipped = [Float]()
        if needX { inside = [Float](repeating: 0, count: n) }
        if needAlpha { clipped = [Float](repeating: 0, count: n) }
        let q = [Float](unsafeUninitializedCapacity: n) { buf, count in
            x.scalars.withUnsafeBufferPointer { p in
                for i in 0..<n {
                    let y = Swift.min(Swift.max(p[i], 0), av)
                    buf[i] = Self.roundedToEven(y / step) * step
                }
                if needX {
                    inside.withUnsafeMutableBufferPointer { m in
                        for i in 0..<n { m[i] = (p[i] >= 0 && p[i] <= av) ? 1 : 0 }
                    }
                }
                if needAlpha {
                    clipped.withUnsafeMutableBufferPointer { m in
                        for i in 0..<n { m[i] = p[i] >= av ? 1 : 0 }
                    }
                }
            }
            count = n
        }
        let hard = Tensor(shape: x.shape, scalars: q)
        guard needX || needAlpha else { return hard }
        // Relaxed path, differentiated: x·1[0 ≤ x ≤ α] + α·1[x ≥ α] (= clamp(x, 0, α) up to
        // values, which straightThrough discards).
        var soft: Tensor?
        if needX { soft = x * Tensor(shape: x.shape, scalars: inside) }
        if needAlpha {
            let term = Tensor(shape: x.shape, scalars: clipped) * a
            soft = soft.map { $0 + term } ?? term
        }
        return straightThrough(forward: hard, backward: soft!)
    }

    /// `v.rounded(.toNearestOrEven)` for 0 ≤ v < 2²²: adding 1.5·2²³ leaves no fraction bits, so
    /// the addition rounds half to even; unlike `rounded` this vectorizes on baseline x86-64.
    @inline(__always)
    static func roundedToEven(_ v: Float) -> Float {
        (v + 12_582_912) - 12_582_912
    }
}
