import XMaskTensor

/// Fully connected layer (PyTorch's `nn.Linear`).
///
/// Shapes: input `[N, in]`, `weight: [out, in]`, `bias: [out]`, output `[N, out]`.
/// Formula: `y = q(x) · W'ᵀ + b` with `W' = T(Q(W))` as in ``Conv2d``: `q` the optional input
/// quantizer, `Q` the optional ``WeightQuantizer``, `T` the optional ``weightTransform``.
/// Keys: `weight`, `bias`, and when quantized `weight_quantizer.scale`, `input_quantizer.alpha`.
public final class Linear: WeightLayer {
    public let weight: Parameter
    public let bias: Parameter?
    public var isTraining = true
    public var weightQuantizer: WeightQuantizer?
    public var inputQuantizer: ActivationQuantizer?
    /// Maps the (quantized) weight to the weight used; `nil` is the identity.
    public var weightTransform: ((Tensor) -> Tensor)?

    public var inFeatures: Int { weight.value.shape[1] }
    public var outFeatures: Int { weight.value.shape[0] }

    /// A linear layer from given tensors.
    public init(weight: Tensor, bias: Tensor? = nil) {
        precondition(weight.rank == 2, "Linear: weight \(weight.shape) must be [out, in]")
        if let bias {
            precondition(bias.shape == [weight.shape[0]], "Linear: bias \(bias.shape) does not match weight \(weight.shape)")
        }
        self.weight = Parameter(weight)
        self.bias = bias.map { Parameter($0) }
    }

    /// A randomly initialised linear layer; PyTorch's default `U(−1/√in, 1/√in)` for weight
    /// and bias unless `initialization` says otherwise.
    public init(
        _ inFeatures: Int, _ outFeatures: Int, bias: Bool = true,
        initialization: WeightInitialization = .pytorchDefault, using rng: inout some RandomNumberGenerator
    ) {
        precondition(inFeatures > 0 && outFeatures > 0, "Linear: features \(inFeatures)→\(outFeatures) must be positive")
        let bound = 1 / Float(inFeatures).squareRoot()
        switch initialization {
        case .pytorchDefault:
            weight = Parameter(Tensor.uniform([outFeatures, inFeatures], low: -bound, high: bound, using: &rng))
        case .kaimingNormalFanOut:
            weight = Parameter(Tensor.normal([outFeatures, inFeatures], standardDeviation: (2 / Float(outFeatures)).squareRoot(), using: &rng))
        }
        self.bias = bias ? Parameter(Tensor.uniform([outFeatures], low: -bound, high: bound, using: &rng)) : nil
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.rank == 2 && x.shape[1] == inFeatures,
                     "Linear(\(inFeatures)→\(outFeatures)): input \(x.shape) must be [N, \(inFeatures)]")
        let input = inputQuantizer.map { $0(x) } ?? x
        let y = matmul(input, effectiveWeight().transposed())
        guard let bias else { return y }
        return y + bias.value
    }

    /// This layer as a 1×1 "convolution" on a 1×1 input, for the hardware model.
    public func layerShape(name: String) -> LayerShape {
        LayerShape(name: name, kind: .linear, inChannels: inFeatures, outChannels: outFeatures,
                   kernelHeight: 1, kernelWidth: 1, stride: 1, padding: 0, inputHeight: 1, inputWidth: 1)
    }
}
