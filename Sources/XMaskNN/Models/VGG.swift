import XMaskTensor

/// VGG-8 for CIFAR-sized inputs: six 3×3 convolutions (128, 128, M, 256, 256, M, 512, 512, M)
/// and two linear layers (→ 1024 → classes), the VGG-8 of DNN+NeuroSim (Peng et al. 2019,
/// "DNN+NeuroSim: An End-to-End Benchmarking Framework for Compute-in-Memory Accelerators",
/// its CIFAR-10 VGG-8), the crossbar simulator the XMA2 paper uses. Unlike NeuroSim's version
/// each convolution is followed by batch norm (and has no bias), as torchvision's `vgg*_bn`,
/// so it trains with the same recipe as the ResNets.
///
/// Shapes: `[N, inChannels, H, W]` → `[N, numClasses]`; the first linear layer takes
/// `512·⌊H/8⌋·⌊W/8⌋` features (8192 for 32×32, 4608 for 28×28), so the input size is fixed
/// at construction.
/// Keys: `features.<i>` as torchvision's `make_layers(batch_norm=True)` numbers them (conv 0,
/// bn 1, conv 3, bn 4, conv 7, bn 8, conv 10, bn 11, conv 14, bn 15, conv 17, bn 18), `fc1`,
/// `fc` (the head).
public final class VGG8: ImageClassifier {
    public let features: Sequential
    public let fc1: Linear
    public var fc: Linear
    public let inputHeight: Int
    public let inputWidth: Int
    public var isTraining = true

    public var head: Linear {
        get { fc }
        set { fc = newValue }
    }

    /// Channel plan; `0` marks a 2×2 max-pool.
    public static let configuration = [128, 128, 0, 256, 256, 0, 512, 512, 0]

    public init(inChannels: Int = 3, numClasses: Int = 10, inputHeight: Int = 32, inputWidth: Int = 32,
                hiddenFeatures: Int = 1024, using rng: inout some RandomNumberGenerator) {
        precondition(inputHeight >= 8 && inputWidth >= 8, "VGG8: input \(inputHeight)×\(inputWidth) is smaller than 8×8")
        var layers: [any Layer] = []
        var channels = inChannels
        for c in Self.configuration {
            if c == 0 {
                layers.append(MaxPool2d(kernelSize: 2, stride: 2))
            } else {
                layers.append(Conv2d(channels, c, kernelSize: 3, padding: 1, using: &rng))
                layers.append(BatchNorm2d(c))
                layers.append(ReLU())
                channels = c
            }
        }
        features = Sequential(layers)
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        fc1 = Linear(channels * (inputHeight / 8) * (inputWidth / 8), hiddenFeatures, using: &rng)
        fc = Linear(hiddenFeatures, numClasses, using: &rng)
    }

    public var children: [(String, any Layer)] { [("features", features), ("fc1", fc1), ("fc", fc)] }
    public var ownParameters: [(String, Parameter)] { [] }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.rank == 4 && x.shape[2] == inputHeight && x.shape[3] == inputWidth,
                     "VGG8: input \(x.shape) must be [N, C, \(inputHeight), \(inputWidth)]")
        return fc(relu(fc1(features(x).flattened(from: 1))))
    }

    public func layerShapes(inputHeight: Int, inputWidth: Int) -> [LayerShape] {
        var shapes: [LayerShape] = []
        var (h, w) = (inputHeight, inputWidth)
        for (i, layer) in features.layers.enumerated() {
            if let conv = layer as? Conv2d {
                shapes.append(conv.layerShape(name: "features.\(i)", inputHeight: h, inputWidth: w))
                (h, w) = conv.outputSize(height: h, width: w)
            } else if let pool = layer as? MaxPool2d {
                if !shapes.isEmpty { shapes[shapes.count - 1].maxPoolAfter = true }
                (h, w) = pool.outputSize(height: h, width: w)
            }
        }
        shapes.append(fc1.layerShape(name: "fc1"))
        shapes.append(fc.layerShape(name: "fc"))
        return shapes
    }
}
