import XMaskTensor

/// A layer with one weight (and optional bias) that the crossbar holds: optional weight and
/// input quantizers and the masks module's weight transform. Conv2d and Linear share its keys
/// (`weight`, `bias`, `weight_quantizer.*`, `input_quantizer.*`) and the order `T(Q(weight))`.
public protocol WeightLayer: Layer {
    var weight: Parameter { get }
    var bias: Parameter? { get }
    var weightQuantizer: WeightQuantizer? { get set }
    var inputQuantizer: ActivationQuantizer? { get set }
    /// Maps the (quantized) weight to the weight the layer uses; `nil` is the identity.
    var weightTransform: ((Tensor) -> Tensor)? { get set }
}

extension WeightLayer {
    public var ownParameters: [(String, Parameter)] {
        var out: [(String, Parameter)] = [("weight", weight)]
        if let bias { out.append(("bias", bias)) }
        return out
    }

    public var children: [(String, any Layer)] {
        var out: [(String, any Layer)] = []
        if let weightQuantizer { out.append(("weight_quantizer", weightQuantizer)) }
        if let inputQuantizer { out.append(("input_quantizer", inputQuantizer)) }
        return out
    }

    /// The weight the layer uses: `T(Q(weight))`.
    public func effectiveWeight() -> Tensor {
        var w = weight.value
        if let weightQuantizer { w = weightQuantizer(w) }
        if let weightTransform { w = weightTransform(w) }
        return w
    }

    /// The integer weight levels the crossbar stores and their scale (`nil` when the weight
    /// is not quantized). The weight transform is not applied.
    public func quantizedLevels() -> QuantizedWeights? {
        weightQuantizer?.levels(of: weight.value)
    }
}
