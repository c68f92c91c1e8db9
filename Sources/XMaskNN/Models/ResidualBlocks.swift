import XMaskTensor

/// The shortcut of a residual block whose shape changes (He et al. 2016, §3.3 and §4.2).
public enum ResNetShortcut: String, Sendable, Equatable, CaseIterable {
    /// Parameter-free: subsample by the stride and pad the new channels with zeros (split
    /// evenly before and after, as `models.py`); He et al.'s CIFAR ResNets.
    case a = "A"
    /// Projection: 1×1 convolution with the block's stride and batch norm (`downsample.0/1`),
    /// torchvision's ResNets.
    case b = "B"
}

/// A residual block that can list its layers' geometry.
public protocol ResidualBlock: Layer {
    /// Shapes of the block's convolutions for an input of `height × width`, keyed under
    /// `prefix`, and the block's output size.
    func layerShapes(prefix: String, inputHeight: Int, inputWidth: Int) -> (shapes: [LayerShape], height: Int, width: Int)
}

/// Two 3×3 convolutions with a residual connection (He et al. 2016, Fig. 2; torchvision's
/// `BasicBlock`).
///
/// Shapes: `[N, Cin, H, W]` → `[N, Cout, H/s, W/s]`.
/// Formula: `y = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))`, the shortcut being the
/// identity, option A or option B (``ResNetShortcut``) when the shape changes.
/// Keys: `conv1`, `bn1`, `conv2`, `bn2`, `downsample.0`, `downsample.1` (option B only).
public final class BasicBlock: ResidualBlock {
    public let conv1: Conv2d
    public let bn1: BatchNorm2d
    public let conv2: Conv2d
    public let bn2: BatchNorm2d
    /// Projection shortcut (option B), when the shape changes.
    public let downsample: Sequential?
    /// Option A shortcut: subsampling stride and zero channels padded before/after, when the
    /// shape changes.
    public let padShortcut: (stride: Int, before: Int, after: Int)?
    public var isTraining = true

    public init(_ inChannels: Int, _ outChannels: Int, stride: Int, shortcut: ResNetShortcut,
                using rng: inout some RandomNumberGenerator) {
        conv1 = Conv2d(inChannels, outChannels, kernelSize: 3, stride: stride, padding: 1, using: &rng)
        bn1 = BatchNorm2d(outChannels)
        conv2 = Conv2d(outChannels, outChannels, kernelSize: 3, stride: 1, padding: 1, using: &rng)
        bn2 = BatchNorm2d(outChannels)
        if stride != 1 || inChannels != outChannels {
            switch shortcut {
            case .b:
                downsample = Sequential(Conv2d(inChannels, outChannels, kernelSize: 1, stride: stride, using: &rng),
                                        BatchNorm2d(outChannels))
                padShortcut = nil
            case .a:
                precondition(outChannels >= inChannels,
                             "BasicBlock: option A shortcut cannot shrink channels \(inChannels)→\(outChannels)")
                let pad = outChannels - inChannels
                downsample = nil
                padShortcut = (stride, pad / 2, pad - pad / 2)
            }
        } else {
            downsample = nil
            padShortcut = nil
        }
    }

    public var children: [(String, any Layer)] {
        var out: [(String, any Layer)] = [("conv1", conv1), ("bn1", bn1), ("conv2", conv2), ("bn2", bn2)]
        if let downsample { out.append(("downsample", downsample)) }
        return out
    }

    public var ownParameters: [(String, Parameter)] { [] }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let out = bn2(conv2(relu(bn1(conv1(x)))))
        return relu(out + shortcut(x))
    }

    func shortcut(_ x: Tensor) -> Tensor {
        if let downsample { return downsample(x) }
        if let pad = padShortcut {
            let (s, before, after) = pad
            let sub = s == 1 ? x : x.sliced(lower: [0, 0, 0, 0], upper: x.shape, steps: [1, 1, s, s])
            return sub.padded(before: [0, before, 0, 0], after: [0, after, 0, 0])
        }
        return x
    }

    public func layerShapes(prefix: String, inputHeight: Int, inputWidth: Int) -> (shapes: [LayerShape], height: Int, width: Int) {
        let (h1, w1) = conv1.outputSize(height: inputHeight, width: inputWidth)
        var shapes = [conv1.layerShape(name: prefix + "conv1", inputHeight: inputHeight, inputWidth: inputWidth),
                      conv2.layerShape(name: prefix + "conv2", inputHeight: h1, inputWidth: w1)]
        if let projection = downsample?.layers.first as? Conv2d {
            shapes.append(projection.layerShape(name: prefix + "downsample.0", inputHeight: inputHeight, inputWidth: inputWidth))
        }
        let (h2, w2) = conv2.outputSize(height: h1, width: w1)
        return (shapes, h2, w2)
    }
}

/// 1×1 → 3×3 → 1×1 bottleneck block with expansion 4 (He et al. 2016, Fig. 5; torchvision's
/// `Bottleneck`, "ResNet v1.5": the stride sits on the 3×3 convolution).
///
/// Shapes: `[N, Cin, H, W]` → `[N, 4·width, H/s, W/s]`.
/// Formula: `y = relu(bn3(conv3(relu(bn2(conv2(relu(bn1(conv1(x)))))))) + shortcut(x))`, the
/// shortcut a 1×1 projection with batch norm (`downsample.0/1`) when the shape changes.
public final class Bottleneck: ResidualBlock {
    public static let expansion = 4
    public let conv1: Conv2d
    public let bn1: BatchNorm2d
    public let conv2: Conv2d
    public let bn2: BatchNorm2d
    public let conv3: Conv2d
    public let bn3: BatchNorm2d
    public let downsample: Sequential?
    public var isTraining = true

    public init(_ inChannels: Int, width: Int, stride: Int, using rng: inout some RandomNumberGenerator) {
        let outChannels = width * Self.expansion
        conv1 = Conv2d(inChannels, width, kernelSize: 1, using: &rng)
        bn1 = BatchNorm2d(width)
        conv2 = Conv2d(width, width, kernelSize: 3, stride: stride, padding: 1, using: &rng)
        bn2 = BatchNorm2d(width)
        conv3 = Conv2d(width, outChannels, kernelSize: 1, using: &rng)
        bn3 = BatchNorm2d(outChannels)
        if stride != 1 || inChannels != outChannels {
            downsample = Sequential(Conv2d(inChannels, outChannels, kernelSize: 1, stride: stride, using: &rng),
                                    BatchNorm2d(outChannels))
        } else {
            downsample = nil
        }
    }

    public var children: [(String, any Layer)] {
        var out: [(String, any Layer)] = [("conv1", conv1), ("bn1", bn1), ("conv2", conv2), ("bn2", bn2),
                                          ("conv3", conv3), ("bn3", bn3)]
        if let downsample { out.append(("downsample", downsample)) }
        return out
    }

    public var ownParameters: [(String, Parameter)] { [] }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let out = bn3(conv3(relu(bn2(conv2(relu(bn1(conv1(x))))))))
        return relu(out + (downsample.map { $0(x) } ?? x))
    }

    public func layerShapes(prefix: String, inputHeight: Int, inputWidth: Int) -> (shapes: [LayerShape], height: Int, width: Int) {
        let (h1, w1) = conv1.outputSize(height: inputHeight, width: inputWidth)
        let (h2, w2) = conv2.outputSize(height: h1, width: w1)
        var shapes = [conv1.layerShape(name: prefix + "conv1", inputHeight: inputHeight, inputWidth: inputWidth),
                      conv2.layerShape(name: prefix + "conv2", inputHeight: h1, inputWidth: w1),
                      conv3.layerShape(name: prefix + "conv3", inputHeight: h2, inputWidth: w2)]
        if let projection = downsample?.layers.first as? Conv2d {
            shapes.append(projection.layerShape(name: prefix + "downsample.0", inputHeight: inputHeight, inputWidth: inputWidth))
        }
        return (shapes, h2, w2)
    }
}
