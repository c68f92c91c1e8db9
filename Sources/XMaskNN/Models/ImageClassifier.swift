import XMaskTensor

/// A convolutional image classifier: `[N, C, H, W]` images → `[N, numClasses]` logits, with a
/// replaceable classifier head and the geometry of its layers for the hardware model.
public protocol ImageClassifier: Layer {
    /// The classifier head (key `fc`); the masks module gives each task its own.
    var head: Linear { get set }
    /// Every convolution and linear layer in forward order with its input size, for
    /// an input of `inputHeight × inputWidth`.
    func layerShapes(inputHeight: Int, inputWidth: Int) -> [LayerShape]
}

extension ImageClassifier {
    /// ``layerShapes(inputHeight:inputWidth:)`` for square inputs.
    public func layerShapes(inputSize: Int) -> [LayerShape] {
        layerShapes(inputHeight: inputSize, inputWidth: inputSize)
    }

    /// Every convolution with its key prefix (`layer1.0.conv1`), in state-dict order; the first
    /// is the stem. The masks module wraps each one's weight through ``Conv2d/weightTransform``.
    public var convolutions: [(key: String, layer: Conv2d)] {
        namedLayers().compactMap { entry in (entry.layer as? Conv2d).map { (entry.key, $0) } }
    }

    /// Every linear layer with its key prefix, in state-dict order; the last is the head.
    public var linearLayers: [(key: String, layer: Linear)] {
        namedLayers().compactMap { entry in (entry.layer as? Linear).map { (entry.key, $0) } }
    }

    /// Turns on quantization-aware training as `config` says (or off, for 32-bit fields):
    /// the first convolution gets `firstLayerBits` weights and no input quantizer (the image
    /// stays in full precision); every other convolution and hidden linear layer gets
    /// `weightBits` weights and a PACT input quantizer of `activationBits`; the head gets
    /// `lastLayerBits` for both. Learned step sizes start from the current weights, so load a
    /// float checkpoint first. Replaces any quantizers set before (α back to its initial value).
    public func quantize(_ config: QuantizationConfig) throws(QuantizationConfigError) {
        try config.validate()
        let full = QuantizationConfig.fullPrecision
        func weightQuantizer(_ bits: Int, _ w: Tensor) -> WeightQuantizer? {
            bits == full ? nil : WeightQuantizer(bits: bits, mode: config.weightScale, initialWeight: w)
        }
        func inputQuantizer(_ bits: Int) -> ActivationQuantizer? {
            bits == full ? nil : ActivationQuantizer(bits: bits, initialAlpha: config.initialAlpha)
        }
        for (index, (_, conv)) in convolutions.enumerated() {
            if index == 0 {
                conv.weightQuantizer = weightQuantizer(config.firstLayerBits, conv.weight.value)
                conv.inputQuantizer = nil
            } else {
                conv.weightQuantizer = weightQuantizer(config.weightBits, conv.weight.value)
                conv.inputQuantizer = inputQuantizer(config.activationBits)
            }
        }
        let head = self.head
        for (_, linear) in linearLayers {
            let bits = linear === head ? config.lastLayerBits : config.weightBits
            let activationBits = linear === head ? config.lastLayerBits : config.activationBits
            linear.weightQuantizer = weightQuantizer(bits, linear.weight.value)
            linear.inputQuantizer = inputQuantizer(activationBits)
        }
    }

    /// Removes every quantizer (back to full precision).
    public func removeQuantization() {
        for (_, conv) in convolutions { conv.weightQuantizer = nil; conv.inputQuantizer = nil }
        for (_, linear) in linearLayers { linear.weightQuantizer = nil; linear.inputQuantizer = nil }
    }
}
