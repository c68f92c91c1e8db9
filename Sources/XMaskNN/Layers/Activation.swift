import XMaskTensor

/// Rectified linear unit, `y = max(x, 0)` element-wise (Nair & Hinton 2010; `nn.ReLU`).
/// Shapes: any → the same. In a quantized network the PACT quantizer of the next layer
/// clips the same values from above (see ``ActivationQuantizer``).
public final class ReLU: Layer {
    public var isTraining = true
    public init() {}
    public var children: [(String, any Layer)] { [] }
    public var ownParameters: [(String, Parameter)] { [] }
    public func callAsFunction(_ x: Tensor) -> Tensor { relu(x) }
}

/// Flattens every axis after the first: `[N, d1, d2, …]` → `[N, d1·d2·…]` (`nn.Flatten`).
public final class Flatten: Layer {
    public var isTraining = true
    public init() {}
    public var children: [(String, any Layer)] { [] }
    public var ownParameters: [(String, Parameter)] { [] }
    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.rank >= 2, "Flatten: input \(x.shape) needs a batch axis and at least one more")
        return x.flattened(from: 1)
    }
}
