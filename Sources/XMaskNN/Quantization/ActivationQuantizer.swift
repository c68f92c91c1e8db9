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
        precondition(alpha.value.item > 0, "ActivationQuantizer: α = \(alpha.value.item) must be positive")
        // The fused primitive: straight-through to x inside [0, α], to α where x ≥ α.
        return pactQuantize(x, alpha: alpha.value, levels: levels)
    }

    /// `v.rounded(.toNearestOrEven)` for 0 ≤ v < 2²²: adding 1.5·2²³ leaves no fraction bits, so
    /// the addition rounds half to even; unlike `rounded` this vectorizes on baseline x86-64.
    @inline(__always)
    static func roundedToEven(_ v: Float) -> Float {
        (v + 12_582_912) - 12_582_912
    }
}
