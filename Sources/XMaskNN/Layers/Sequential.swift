import XMaskTensor

/// Layers applied in order (PyTorch's `nn.Sequential`); the children are keyed `"0"`, `"1"`, …
/// so `downsample.0.weight` is the first layer's weight, as in torchvision.
///
/// Shapes: whatever the first layer takes to whatever the last returns.
/// Formula: `y = f_k(… f_1(f_0(x)))`.
public final class Sequential: Layer {
    public private(set) var layers: [any Layer]
    public var isTraining = true

    public init(_ layers: [any Layer]) {
        self.layers = layers
    }

    public convenience init(_ layers: any Layer...) {
        self.init(layers)
    }

    /// Replaces the layer at `index` (for example a classifier head).
    public func replace(at index: Int, with layer: any Layer) {
        precondition(layers.indices.contains(index), "Sequential.replace: index \(index) outside 0..<\(layers.count)")
        layers[index] = layer
    }

    public var children: [(String, any Layer)] { layers.enumerated().map { (String($0.offset), $0.element) } }
    public var ownParameters: [(String, Parameter)] { [] }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        var y = x
        for layer in layers { y = layer(y) }
        return y
    }
}

/// Returns its input unchanged (`nn.Identity`). Shapes: any → the same.
public final class Identity: Layer {
    public var isTraining = true
    public init() {}
    public var children: [(String, any Layer)] { [] }
    public var ownParameters: [(String, Parameter)] { [] }
    public func callAsFunction(_ x: Tensor) -> Tensor { x }
}
