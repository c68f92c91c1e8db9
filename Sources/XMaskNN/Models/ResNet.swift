import XMaskTensor

/// The first layers of a ResNet.
public enum ResNetStem: String, Sendable, Equatable, CaseIterable {
    /// 3×3 convolution, stride 1, no max-pool: CIFAR-sized inputs (He et al. 2016, §4.2; the
    /// usual CIFAR ResNet-18, `models.py`).
    case cifar
    /// 7×7 convolution, stride 2, then 3×3 max-pool with stride 2 (He et al. 2016, Table 1;
    /// torchvision).
    case imagenet
}

/// A residual network (He et al. 2016, "Deep Residual Learning for Image Recognition") with
/// torchvision's state-dict keys.
///
/// Shapes: `[N, inChannels, H, W]` → `[N, numClasses]` (any H, W ≥ 8 for the CIFAR stem,
/// ≥ 32 for the ImageNet stem).
/// Formula: `fc(globalAvgPool(layerK(… layer1(maxPool?(relu(bn1(conv1(x))))))))`.
/// Keys: `conv1`, `bn1`, `layer1` … `layerK` (each `.<block>.conv1/bn1/conv2/bn2[/conv3/bn3]`,
/// projection shortcuts `.0.downsample.0/1`), `fc`.
/// Make one with ``cifar(depth:inChannels:numClasses:shortcut:using:)`` (ResNet-20/32/56),
/// ``resnet18(inChannels:numClasses:stem:using:)``, ``resnet34(inChannels:numClasses:stem:using:)``
/// or ``resnet50(inChannels:numClasses:stem:using:)``.
public final class ResNet: ImageClassifier {
    public let conv1: Conv2d
    public let bn1: BatchNorm2d
    /// The ImageNet stem's max-pool (no parameters, so no key).
    public let maxPool: MaxPool2d?
    /// `layer1` … `layerK`, each a sequence of ``BasicBlock`` or ``Bottleneck``.
    public let stages: [Sequential]
    public var fc: Linear
    public var isTraining = true

    public var head: Linear {
        get { fc }
        set { fc = newValue }
    }

    /// Number of classes the head predicts.
    public var numClasses: Int { fc.outFeatures }

    /// A ResNet from its parts (the factory functions are the usual way).
    public init(conv1: Conv2d, bn1: BatchNorm2d, maxPool: MaxPool2d?, stages: [Sequential], fc: Linear) {
        for stage in stages {
            precondition(stage.layers.allSatisfy { $0 is any ResidualBlock }, "ResNet: every stage layer must be a ResidualBlock")
        }
        self.conv1 = conv1
        self.bn1 = bn1
        self.maxPool = maxPool
        self.stages = stages
        self.fc = fc
    }

    public var children: [(String, any Layer)] {
        var out: [(String, any Layer)] = [("conv1", conv1), ("bn1", bn1)]
        for (i, stage) in stages.enumerated() { out.append(("layer\(i + 1)", stage)) }
        out.append(("fc", fc))
        return out
    }

    public var ownParameters: [(String, Parameter)] { [] }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        fc(features(x))
    }

    /// The pooled features the head sees: `[N, C_last]`.
    public func features(_ x: Tensor) -> Tensor {
        precondition(x.rank == 4 && x.shape[1] == conv1.inChannels,
                     "ResNet: input \(x.shape) must be [N, \(conv1.inChannels), H, W]")
        var y = relu(bn1(conv1(x)))
        if let maxPool { y = maxPool(y) }
        for stage in stages { y = stage(y) }
        return globalAvgPool2d(y)
    }

    public func layerShapes(inputHeight: Int, inputWidth: Int) -> [LayerShape] {
        var shapes = [conv1.layerShape(name: "conv1", inputHeight: inputHeight, inputWidth: inputWidth)]
        var (h, w) = conv1.outputSize(height: inputHeight, width: inputWidth)
        if let maxPool {
            shapes[0].maxPoolAfter = true
            (h, w) = maxPool.outputSize(height: h, width: w)
        }
        for (i, stage) in stages.enumerated() {
            for (j, layer) in stage.layers.enumerated() {
                guard let block = layer as? any ResidualBlock else { continue }
                let r = block.layerShapes(prefix: "layer\(i + 1).\(j).", inputHeight: h, inputWidth: w)
                shapes += r.shapes
                (h, w) = (r.height, r.width)
            }
        }
        shapes.append(fc.layerShape(name: "fc"))
        return shapes
    }
}

extension ResNet {
    /// He et al.'s CIFAR ResNet of `depth = 6n + 2` layers: 3×3 stem with 16 channels, three
    /// stages of `n` basic blocks with 16, 32, 64 channels (strides 1, 2, 2), global average
    /// pooling, `fc` (He et al. 2016, §4.2). Option A shortcuts by default, as the paper and
    /// `models.py`.
    public static func cifar(
        depth: Int, inChannels: Int = 3, numClasses: Int = 10, shortcut: ResNetShortcut = .a,
        using rng: inout some RandomNumberGenerator
    ) -> ResNet {
        precondition(depth >= 8 && (depth - 2) % 6 == 0, "ResNet.cifar: depth \(depth) is not 6n + 2")
        let n = (depth - 2) / 6
        return make(inChannels: inChannels, numClasses: numClasses, stem: .cifar, stemChannels: 16,
                    widths: [16, 32, 64], blocks: [n, n, n], bottleneck: false, shortcut: shortcut, using: &rng)
    }

    /// ResNet-20 (0.27 M parameters): ``cifar(depth:inChannels:numClasses:shortcut:using:)`` with depth 20.
    public static func resnet20(inChannels: Int = 3, numClasses: Int = 10, shortcut: ResNetShortcut = .a,
                                using rng: inout some RandomNumberGenerator) -> ResNet {
        cifar(depth: 20, inChannels: inChannels, numClasses: numClasses, shortcut: shortcut, using: &rng)
    }

    /// ResNet-32: ``cifar(depth:inChannels:numClasses:shortcut:using:)`` with depth 32.
    public static func resnet32(inChannels: Int = 3, numClasses: Int = 10, shortcut: ResNetShortcut = .a,
                                using rng: inout some RandomNumberGenerator) -> ResNet {
        cifar(depth: 32, inChannels: inChannels, numClasses: numClasses, shortcut: shortcut, using: &rng)
    }

    /// ResNet-56: ``cifar(depth:inChannels:numClasses:shortcut:using:)`` with depth 56.
    public static func resnet56(inChannels: Int = 3, numClasses: Int = 10, shortcut: ResNetShortcut = .a,
                                using rng: inout some RandomNumberGenerator) -> ResNet {
        cifar(depth: 56, inChannels: inChannels, numClasses: numClasses, shortcut: shortcut, using: &rng)
    }

    /// ResNet-18 (11.2 M parameters with 10 classes): four stages of two basic blocks, 64–512
    /// channels, projection (option B) shortcuts. The CIFAR stem (default, as `models.py`)
    /// keeps 32×32 inputs at full resolution in `layer1`; the ImageNet stem is torchvision's.
    public static func resnet18(inChannels: Int = 3, numClasses: Int = 10, stem: ResNetStem = .cifar,
                                using rng: inout some RandomNumberGenerator) -> ResNet {
        make(inChannels: inChannels, numClasses: numClasses, stem: stem, stemChannels: 64, widths: [64, 128, 256, 512],
             blocks: [2, 2, 2, 2], bottleneck: false, shortcut: .b, using: &rng)
    }

    /// ResNet-34: four stages of 3, 4, 6, 3 basic blocks, 64–512 channels, option B shortcuts.
    public static func resnet34(inChannels: Int = 3, numClasses: Int = 10, stem: ResNetStem = .cifar,
                                using rng: inout some RandomNumberGenerator) -> ResNet {
        make(inChannels: inChannels, numClasses: numClasses, stem: stem, stemChannels: 64, widths: [64, 128, 256, 512],
             blocks: [3, 4, 6, 3], bottleneck: false, shortcut: .b, using: &rng)
    }

    /// ResNet-50 (25.6 M parameters with 1000 classes): four stages of 3, 4, 6, 3 bottleneck
    /// blocks (widths 64–512, outputs 256–2048), torchvision's v1.5 layout and keys. The
    /// ImageNet stem is the default (the backbone of XBM/XMA/XMA2).
    public static func resnet50(inChannels: Int = 3, numClasses: Int = 1000, stem: ResNetStem = .imagenet,
                                using rng: inout some RandomNumberGenerator) -> ResNet {
        make(inChannels: inChannels, numClasses: numClasses, stem: stem, stemChannels: 64, widths: [64, 128, 256, 512],
             blocks: [3, 4, 6, 3], bottleneck: true, shortcut: .b, using: &rng)
    }

    static func make(
        inChannels: Int, numClasses: Int, stem: ResNetStem, stemChannels: Int, widths: [Int], blocks: [Int],
        bottleneck: Bool, shortcut: ResNetShortcut, using rng: inout some RandomNumberGenerator
    ) -> ResNet {
        precondition(inChannels > 0 && numClasses > 0, "ResNet: inChannels \(inChannels) and numClasses \(numClasses) must be positive")
        let conv1: Conv2d
        let maxPool: MaxPool2d?
        switch stem {
        case .cifar:
            conv1 = Conv2d(inChannels, stemChannels, kernelSize: 3, stride: 1, padding: 1, using: &rng)
            maxPool = nil
        case .imagenet:
            conv1 = Conv2d(inChannels, stemChannels, kernelSize: 7, stride: 2, padding: 3, using: &rng)
            maxPool = MaxPool2d(kernelSize: 3, stride: 2, padding: 1)
        }
        let bn1 = BatchNorm2d(stemChannels)
        var stages: [Sequential] = []
        var channels = stemChannels
        for (i, (width, count)) in zip(widths, blocks).enumerated() {
            var layers: [any Layer] = []
            for j in 0..<count {
                let stride = (i > 0 && j == 0) ? 2 : 1
                if bottleneck {
                    layers.append(Bottleneck(channels, width: width, stride: stride, using: &rng))
                    channels = width * Bottleneck.expansion
                } else {
                    layers.append(BasicBlock(channels, width, stride: stride, shortcut: shortcut, using: &rng))
                    channels = width
                }
            }
            stages.append(Sequential(layers))
        }
        let fc = Linear(channels, numClasses, using: &rng)
        return ResNet(conv1: conv1, bn1: bn1, maxPool: maxPool, stages: stages, fc: fc)
    }
}

extension ResNet {
    /// Maps a key of `../shared/bench/models.py`'s `CifarResNet` (one flat `layers` sequence,
    /// `proj` shortcuts: `layers.4.conv1.weight`, `layers.3.proj.0.weight`) to this type's
    /// torchvision key (`layer2.1.conv1.weight`, `layer2.0.downsample.0.weight`), for importing
    /// checkpoints of the PyTorch reference; other keys are returned unchanged.
    public static func torchvisionKey(fromBenchKey key: String, blocksPerStage: Int) -> String {
        var parts = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count > 2, parts[0] == "layers", let index = Int(parts[1]) else { return key }
        parts.replaceSubrange(0...1, with: ["layer\(index / blocksPerStage + 1)", "\(index % blocksPerStage)"])
        return parts.map { $0 == "proj" ? "downsample" : $0 }.joined(separator: ".")
    }
}
