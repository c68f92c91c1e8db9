/// The shape of one convolution (or fully connected, as a 1×1 conv on a 1×1 input) layer.
///
/// Padding is carried when known (the built-in networks, a trained model's layers) and "same"
/// otherwise: then the output is ⌈H/stride⌉ × ⌈W/stride⌉ (NeuroSim's network CSV convention).
/// Unrolled onto a crossbar, the weight is a K × N matrix with K = Cin·kh·kw rows (cin-major,
/// then kh, kw) and N = Cout columns (docs/architecture.md, "The methods").
public struct ConvLayerShape: Codable, Sendable, Equatable, Hashable {
    /// Name, e.g. `layer1.0.conv1` (torchvision keys for built-in models, `layer3` for CSV lines).
    public var name: String
    public var inputHeight: Int
    public var inputWidth: Int
    public var inputChannels: Int
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var outputChannels: Int
    public var stride: Int
    /// A max-pool follows (NeuroSim CSV column 7); kept for the report, it costs nothing in this model.
    public var maxPoolAfter: Bool
    /// This is the per-task classifier head (mapped only when asked).
    public var isClassifier: Bool
    /// Zero padding on each side; nil = "same" (a network CSV gives none).
    public var padding: Int?

    public init(name: String, inputHeight: Int, inputWidth: Int, inputChannels: Int, kernelHeight: Int,
                kernelWidth: Int, outputChannels: Int, stride: Int = 1, maxPoolAfter: Bool = false,
                isClassifier: Bool = false, padding: Int? = nil) {
        self.name = name
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.inputChannels = inputChannels
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.outputChannels = outputChannels
        self.stride = stride
        self.maxPoolAfter = maxPoolAfter
        self.isClassifier = isClassifier
        self.padding = padding
    }

    /// A square conv: `k × k` kernel on an `h × h` input.
    public static func conv(_ name: String, input h: Int, _ cin: Int, _ cout: Int, kernel k: Int, stride: Int = 1,
                            padding: Int? = nil) -> ConvLayerShape {
        ConvLayerShape(name: name, inputHeight: h, inputWidth: h, inputChannels: cin, kernelHeight: k,
                       kernelWidth: k, outputChannels: cout, stride: stride, padding: padding)
    }

    /// (H + 2·padding − kh)/stride + 1, or ⌈H / stride⌉ for "same" padding.
    public var outputHeight: Int { padding.map { (inputHeight + 2 * $0 - kernelHeight) / stride + 1 } ?? (inputHeight + stride - 1) / stride }
    /// (W + 2·padding − kw)/stride + 1, or ⌈W / stride⌉ for "same" padding.
    public var outputWidth: Int { padding.map { (inputWidth + 2 * $0 - kernelWidth) / stride + 1 } ?? (inputWidth + stride - 1) / stride }
    /// Output positions per image: each is one input vector applied to the layer's arrays.
    public var outputPositions: Int { outputHeight * outputWidth }
    /// Unrolled rows K = Cin · kh · kw.
    public var unrolledRows: Int { inputChannels * kernelHeight * kernelWidth }
    /// Weights K · Cout.
    public var weights: Int { unrolledRows * outputChannels }
    /// Kernels Cout · Cin (KSM learns one mask value per kernel).
    public var kernels: Int { outputChannels * inputChannels }
    /// Multiply-accumulates per image.
    public var macs: Int { weights * outputPositions }

    /// Checks that every size is positive; the error names the layer and the field.
    public func validate() throws {
        let fields = [("inputHeight", inputHeight), ("inputWidth", inputWidth), ("inputChannels", inputChannels),
                      ("kernelHeight", kernelHeight), ("kernelWidth", kernelWidth),
                      ("outputChannels", outputChannels), ("stride", stride)]
        for (field, value) in fields where value < 1 {
            throw CrossbarError.invalidField(field: "\(name).\(field)", value: String(value), expected: "a positive integer")
        }
    }
}

/// A network as the hardware sees it: the ordered list of its conv/FC layers.
public struct NetworkShape: Codable, Sendable, Equatable {
    public var name: String
    public var layers: [ConvLayerShape]

    public init(name: String, layers: [ConvLayerShape]) {
        self.name = name
        self.layers = layers
    }

    /// The layers mapped onto crossbars: all but the classifier unless `includeClassifier`.
    public func mappedLayers(includeClassifier: Bool) -> [ConvLayerShape] {
        includeClassifier ? layers : layers.filter { !$0.isClassifier }
    }

    /// Largest feature map in elements (inputs and outputs of every layer): sizes the global buffer.
    public var largestFeatureMapElements: Int {
        layers.map { max($0.inputChannels * $0.inputHeight * $0.inputWidth,
                         $0.outputChannels * $0.outputPositions) }.max() ?? 0
    }
}
