import Foundation
import XMaskTensor

/// How a convolution or linear weight is drawn from a random generator.
public enum WeightInitialization: Sendable, Equatable {
    /// Kaiming normal with fan-out and ReLU gain, `N(0, 2 / (Cout·kh·kw))`: torchvision's
    /// ResNet and VGG (`kaiming_normal_(mode="fan_out", nonlinearity="relu")`; He et al. 2015).
    case kaimingNormalFanOut
    /// PyTorch's default for `nn.Conv2d` / `nn.Linear`: `U(−1/√fanIn, 1/√fanIn)` for weight and
    /// bias (`kaiming_uniform_(a=√5)`).
    case pytorchDefault
}

/// 2-D convolution over NCHW images (cross-correlation, as PyTorch's `nn.Conv2d`).
///
/// Shapes: input `[N, Cin, H, W]`, `weight: [Cout, Cin, kh, kw]`, optional `bias: [Cout]`,
/// output `[N, Cout, (H + 2p − kh)/s + 1, (W + 2p − kw)/s + 1]`.
/// Formula: `y[n, o] = b[o] + Σ_c W'[o, c] ⋆ q(x)[n, c]`, where `q` is the optional input
/// (activation) quantizer and `W' = T(Q(W))`: `Q` the optional ``WeightQuantizer`` and `T`
/// the optional ``weightTransform`` (the hook the masks module uses; it sees the weight as the
/// crossbar holds it, after quantization). Keys: `weight`, `bias`, and, when quantized,
/// `weight_quantizer.scale` (learned scale only) and `input_quantizer.alpha`.
public final class Conv2d: WeightLayer {
    public let weight: Parameter
    public let bias: Parameter?
    public let stride: Int
    public let padding: Int
    public var isTraining = true
    /// Fake-quantizes the weight (QAT); `nil` keeps it in full precision.
    public var weightQuantizer: WeightQuantizer?
    /// Fake-quantizes the input activations (PACT); `nil` leaves them in full precision.
    public var inputQuantizer: ActivationQuantizer?
    /// Maps the (quantized) weight to the weight the convolution uses; `nil` is the identity.
    /// Set by the masks module to apply a task mask to a frozen weight.
    public var weightTransform: ((Tensor) -> Tensor)?

    public var inChannels: Int { weight.value.shape[1] }
    public var outChannels: Int { weight.value.shape[0] }
    public var kernelHeight: Int { weight.value.shape[2] }
    public var kernelWidth: Int { weight.value.shape[3] }

    /// A convolution from given tensors (tests, imported weights).
    public init(weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0) {
        precondition(weight.rank == 4, "Conv2d: weight \(weight.shape) must be [Cout, Cin, kh, kw]")
        if let bias {
            precondition(bias.shape == [weight.shape[0]], "Conv2d: bias \(bias.shape) does not match weight \(weight.shape)")
        }
        precondition(stride > 0 && padding >= 0, "Conv2d: stride \(stride) must be > 0 and padding \(padding) ≥ 0")
        self.weight = Parameter(weight)
        self.bias = bias.map { Parameter($0) }
        self.stride = stride
        self.padding = padding
    }

    /// A randomly initialised convolution (no bias by default, as in ResNets).
    public init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
        bias: Bool = false, initialization: WeightInitialization = .kaimingNormalFanOut,
        using rng: inout some RandomNumberGenerator
    ) {
        precondition(inChannels > 0 && outChannels > 0 && kernelSize > 0,
                     "Conv2d: channels \(inChannels)→\(outChannels) and kernel \(kernelSize) must be positive")
        let shape = [outChannels, inChannels, kernelSize, kernelSize]
        let fanIn = inChannels * kernelSize * kernelSize
        let w: Tensor
        var b: Tensor?
        switch initialization {
        case .kaimingNormalFanOut:
            let fanOut = outChannels * kernelSize * kernelSize
            w = Tensor.normal(shape, standardDeviation: (2 / Float(fanOut)).squareRoot(), using: &rng)
            if bias { b = Tensor.zeros([outChannels]) }
        case .pytorchDefault:
            let bound = 1 / Float(fanIn).squareRoot()
            w = Tensor.uniform(shape, low: -bound, high: bound, using: &rng)
            if bias { b = Tensor.uniform([outChannels], low: -bound, high: bound, using: &rng) }
        }
        self.weight = Parameter(w)
        self.bias = b.map { Parameter($0) }
        self.stride = stride
        self.padding = padding
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.rank == 4 && x.shape[1] == inChannels,
                     "Conv2d(\(inChannels)→\(outChannels), \(kernelHeight)×\(kernelWidth)): input \(x.shape) must be [N, \(inChannels), H, W]")
        let input = inputQuantizer.map { $0(x) } ?? x
        return conv2d(input, effectiveWeight(), bias: bias?.value, stride: stride, padding: padding)
    }

    /// Output height and width for an input of `height × width`.
    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        ((height + 2 * padding - kernelHeight) / stride + 1, (width + 2 * padding - kernelWidth) / stride + 1)
    }

    /// This layer's geometry for the hardware model, for an input of `height × width`.
    public func layerShape(name: String, inputHeight: Int, inputWidth: Int) -> LayerShape {
        LayerShape(name: name, kind: .convolution, inChannels: inChannels, outChannels: outChannels,
                   kernelHeight: kernelHeight, kernelWidth: kernelWidth, stride: stride, padding: padding,
                   inputHeight: inputHeight, inputWidth: inputWidth)
    }
}
