import XMaskCrossbar
import XMaskNN
import XMaskTensor

/// Quantization settings as stored in a bundle manifest (``XMaskNN/QuantizationConfig`` as JSON).
public struct QuantizationSpec: Codable, Sendable, Equatable {
    public var weightBits: Int
    public var activationBits: Int
    public var firstLayerBits: Int
    public var lastLayerBits: Int
    /// `maxAbs` or `learned`.
    public var weightScale: String

    public init(weightBits: Int = 4, activationBits: Int = 4, firstLayerBits: Int = 8, lastLayerBits: Int = 8,
                weightScale: String = WeightScaleMode.maxAbs.rawValue) {
        self.weightBits = weightBits
        self.activationBits = activationBits
        self.firstLayerBits = firstLayerBits
        self.lastLayerBits = lastLayerBits
        self.weightScale = weightScale
    }

    public func config() throws -> QuantizationConfig {
        guard let mode = WeightScaleMode(rawValue: weightScale) else {
            throw ExperimentError.invalidOption(name: "weightScale", value: weightScale,
                                                expected: WeightScaleMode.allCases.map(\.rawValue).joined(separator: " or "))
        }
        let c = QuantizationConfig(weightBits: weightBits, activationBits: activationBits, firstLayerBits: firstLayerBits,
                                   lastLayerBits: lastLayerBits, weightScale: mode)
        do { try c.validate() } catch {
            if case let .invalidBits(field, value) = error {
                throw ExperimentError.invalidOption(name: field, value: "\(value)", expected: "an integer in 2...16, or \(QuantizationConfig.fullPrecision) (full precision)")
            }
            throw ExperimentError.invalidOption(name: "quantization", value: "\(self)", expected: error.description)
        }
        return c
    }
}

/// Which network to build: architecture, input channels and size, classes, quantization.
public struct ModelSpec: Codable, Sendable, Equatable {
    /// One of ``ModelSpec/names``: an ``XMaskCrossbar/NetworkModel`` raw value, the same name
    /// `xmask hw --model` takes (`resnet18` is torchvision's ImageNet ResNet-18, `resnet18-cifar`
    /// the CIFAR one).
    public var name: String
    public var inChannels: Int
    public var numClasses: Int
    /// Square input size the network is trained at (28 or 32 for the CIFAR-style models).
    public var imageSize: Int
    /// `nil`: full precision.
    public var quantization: QuantizationSpec?

    /// Square input sizes a model trains at (8 for the smallest CIFAR-style input; 1024 keeps one
    /// ResNet-50 activation under a few GB).
    public static let imageSizes = 8...1024
    /// Most classes of a head.
    public static let maxClasses = 100_000
    /// Most input channels.
    public static let maxInChannels = 64

    /// The architectures: the crossbar model's ``XMaskCrossbar/NetworkModel`` table, so every
    /// command spells a network the same way.
    public static let names = NetworkModel.allCases.map(\.rawValue)

    /// The architecture `name` names (nil for an unknown name; ``validate()`` names the choices).
    public var architecture: NetworkModel? { NetworkModel(rawValue: name) }

    public init(name: String, inChannels: Int, numClasses: Int, imageSize: Int, quantization: QuantizationSpec? = QuantizationSpec()) {
        self.name = name
        self.inChannels = inChannels
        self.numClasses = numClasses
        self.imageSize = imageSize
        self.quantization = quantization
    }

    /// Checks the name and sizes; the error names the field.
    public func validate() throws {
        guard architecture != nil else {
            throw ExperimentError.invalidOption(name: "model", value: name, expected: "one of \(Self.names.joined(separator: ", "))")
        }
        guard (1...Self.maxInChannels).contains(inChannels) else {
            throw ExperimentError.invalidOption(name: "inChannels", value: "\(inChannels)", expected: "an integer in 1...\(Self.maxInChannels)")
        }
        guard (2...Self.maxClasses).contains(numClasses) else {
            throw ExperimentError.invalidOption(name: "numClasses", value: "\(numClasses)", expected: "an integer in 2...\(Self.maxClasses)")
        }
        guard Self.imageSizes.contains(imageSize) else {
            throw ExperimentError.invalidOption(name: "imageSize", value: "\(imageSize)",
                                                expected: "an integer in \(Self.imageSizes.lowerBound)...\(Self.imageSizes.upperBound)")
        }
        _ = try quantization?.config()
    }

    /// A freshly initialised network (weights from `seed`), quantized as the spec says.
    public func build(seed: UInt64) throws -> any ImageClassifier {
        try validate()
        var rng = SeededGenerator(seed: seed)
        let model: any ImageClassifier
        switch architecture ?? .resnet20 {  // validated above
        case .resnet20: model = ResNet.resnet20(inChannels: inChannels, numClasses: numClasses, using: &rng)
        case .resnet32: model = ResNet.resnet32(inChannels: inChannels, numClasses: numClasses, using: &rng)
        case .resnet56: model = ResNet.resnet56(inChannels: inChannels, numClasses: numClasses, using: &rng)
        case .resnet18Cifar: model = ResNet.resnet18(inChannels: inChannels, numClasses: numClasses, stem: .cifar, using: &rng)
        case .resnet18: model = ResNet.resnet18(inChannels: inChannels, numClasses: numClasses, stem: .imagenet, using: &rng)
        case .resnet50: model = ResNet.resnet50(inChannels: inChannels, numClasses: numClasses, using: &rng)
        case .vgg8: model = VGG8(inChannels: inChannels, numClasses: numClasses, inputHeight: imageSize, inputWidth: imageSize, using: &rng)
        }
        if let q = quantization { try model.quantize(q.config()) }
        return model
    }
}

extension CrossbarGeometry {
    /// This geometry with the precisions of `model`'s quantized backbone (its weight and
    /// activation bits): the geometry a bundle records, whether `xmask pretrain` or a study
    /// makes it. A full-precision model keeps the geometry's bits.
    public func programming(_ model: ModelSpec) -> CrossbarGeometry {
        var g = self
        if let q = model.quantization {
            g.weightBits = q.weightBits
            g.activationBits = q.activationBits
        }
        return g
    }
}
