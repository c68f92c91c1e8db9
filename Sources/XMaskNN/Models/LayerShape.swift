/// Geometry of one convolution (or linear layer, as a 1×1 convolution on a 1×1 input) of a
/// network, for the hardware model: unrolled, it is a `K × N` matrix with
/// `K = inChannels·kernelHeight·kernelWidth` rows and `N = outChannels` columns, applied at
/// `outputHeight·outputWidth` positions per image.
public struct LayerShape: Sendable, Equatable, Hashable, Codable {
    public enum Kind: String, Sendable, Equatable, Hashable, Codable {
        case convolution
        case linear
    }

    /// Key prefix of the layer (`layer1.0.conv1`); its weight is `name + ".weight"`.
    public var name: String
    public var kind: Kind
    public var inChannels: Int
    public var outChannels: Int
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var stride: Int
    public var padding: Int
    public var inputHeight: Int
    public var inputWidth: Int
    /// A max-pool follows this layer (NeuroSim's network CSV flag).
    public var maxPoolAfter: Bool

    public init(name: String, kind: Kind, inChannels: Int, outChannels: Int, kernelHeight: Int, kernelWidth: Int,
                stride: Int, padding: Int, inputHeight: Int, inputWidth: Int, maxPoolAfter: Bool = false) {
        self.name = name
        self.kind = kind
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.stride = stride
        self.padding = padding
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.maxPoolAfter = maxPoolAfter
    }

    public var outputHeight: Int { (inputHeight + 2 * padding - kernelHeight) / stride + 1 }
    public var outputWidth: Int { (inputWidth + 2 * padding - kernelWidth) / stride + 1 }
    /// Rows of the unrolled weight matrix, `Cin·kh·kw`.
    public var unrolledRows: Int { inChannels * kernelHeight * kernelWidth }
    /// Weights in the layer, `Cout·Cin·kh·kw`.
    public var weightCount: Int { outChannels * unrolledRows }
    /// Multiply-accumulates per image.
    public var multiplyAccumulates: Int { weightCount * outputHeight * outputWidth }
}
