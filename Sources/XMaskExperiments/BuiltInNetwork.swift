import Foundation
import XMaskCrossbar
import XMaskNN

extension ConvLayerShape {
    /// The crossbar model's view of one NN layer: a convolution with its padding and max-pool
    /// mark, a linear layer as a 1×1 convolution on a 1×1 input ("same" padding, as a network CSV's).
    public init(_ layer: LayerShape, isClassifier: Bool = false) {
        self.init(name: layer.name, inputHeight: layer.inputHeight, inputWidth: layer.inputWidth, inputChannels: layer.inChannels,
                  kernelHeight: layer.kernelHeight, kernelWidth: layer.kernelWidth, outputChannels: layer.outChannels,
                  stride: layer.stride, maxPoolAfter: layer.maxPoolAfter, isClassifier: isClassifier,
                  padding: layer.kind == .convolution ? layer.padding : nil)
    }
}

extension NetworkModel {
    /// The layer shapes at `imageSize × imageSize` input, the classifier (`classes` outputs, default
    /// ``defaultClasses``) last: read off the NN model `xmask pretrain` trains under this name
    /// (``ModelSpec/build(seed:)``), so the hardware model costs exactly the trained network. The
    /// sizes must be a ``ModelSpec``'s (the error names the field). Cached per size and classes.
    public func network(imageSize: Int, classes: Int? = nil) throws -> NetworkShape {
        let classes = classes ?? defaultClasses
        let key = "\(rawValue) \(imageSize) \(classes)"
        if let cached = BuiltInNetworkCache.shared.get(key) { return cached }
        let spec = ModelSpec(name: rawValue, inChannels: 3, numClasses: classes, imageSize: imageSize, quantization: nil)
        let shapes = try spec.build(seed: 0).layerShapes(inputSize: imageSize)
        let layers = shapes.enumerated().map { ConvLayerShape($1, isClassifier: $0 == shapes.count - 1) }
        let network = NetworkShape(name: rawValue, layers: layers)
        BuiltInNetworkCache.shared.set(key, network)
        return network
    }
}

/// Built networks by "name size classes" (a ResNet-50 takes a moment to initialise).
private final class BuiltInNetworkCache: @unchecked Sendable {
    static let shared = BuiltInNetworkCache()
    private let lock = NSLock()
    private var networks: [String: NetworkShape] = [:]

    func get(_ key: String) -> NetworkShape? { lock.withLock { networks[key] } }
    func set(_ key: String, _ network: NetworkShape) { lock.withLock { networks[key] = network } }
}
