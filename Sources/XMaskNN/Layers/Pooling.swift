import XMaskTensor

/// 2-D max pooling (`nn.MaxPool2d`); padding counts as −∞.
///
/// Shapes: `[N, C, H, W]` → `[N, C, (H + 2p − k)/s + 1, (W + 2p − k)/s + 1]`.
/// Formula: `y[n, c, i, j] = max over the k×k window at (i·s − p, j·s − p)`.
public final class MaxPool2d: Layer {
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int
    public var isTraining = true

    /// `stride` defaults to `kernelSize`, as in PyTorch.
    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
    }

    public var children: [(String, any Layer)] { [] }
    public var ownParameters: [(String, Parameter)] { [] }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        maxPool2d(x, kernelSize: kernelSize, stride: stride, padding: padding)
    }

    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        ((height + 2 * padding - kernelSize) / stride + 1, (width + 2 * padding - kernelSize) / stride + 1)
    }
}

/// 2-D average pooling (`nn.AvgPool2d`, `count_include_pad=True`).
///
/// Shapes as ``MaxPool2d``. Formula: `y[n, c, i, j] = mean of the k×k window` (padding as 0).
public final class AvgPool2d: Layer {
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int
    public var isTraining = true

    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
    }

    public var children: [(String, any Layer)] { [] }
    public var ownParameters: [(String, Parameter)] { [] }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        avgPool2d(x, kernelSize: kernelSize, stride: stride, padding: padding)
    }
}

/// Global average pooling with the spatial axes dropped (`adaptive_avg_pool2d(x, 1).flatten(1)`).
///
/// Shapes: `[N, C, H, W]` → `[N, C]`. Formula: `y[n, c] = (1/HW) Σ_{h,w} x[n, c, h, w]`.
public final class GlobalAvgPool: Layer {
    public var isTraining = true
    public init() {}
    public var children: [(String, any Layer)] { [] }
    public var ownParameters: [(String, Parameter)] { [] }
    public func callAsFunction(_ x: Tensor) -> Tensor { globalAvgPool2d(x) }
}
