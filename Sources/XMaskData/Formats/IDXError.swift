/// Why an IDX file (the MNIST format) or a pair of them could not be read. Every case names the file.
public enum IDXError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The big-endian magic number is not the expected one (0x00000803 images, 0x00000801 labels).
    case wrongMagic(file: String, expected: UInt32, found: UInt32)
    /// The file is shorter than its header (magic and dimensions) needs.
    case truncatedHeader(file: String, expectedBytes: Int, foundBytes: Int)
    /// The body is shorter than the dimensions say.
    case truncatedBody(file: String, dimensions: [Int], expectedBytes: Int, foundBytes: Int)
    /// The body is longer than the dimensions say.
    case trailingBytes(file: String, dimensions: [Int], expectedBytes: Int, foundBytes: Int)
    /// A dimension is 0 (no images, or images without pixels) or above ``IDX/maximumImageSide``.
    case dimensionOutOfRange(file: String, dimensions: [Int], expected: String)
    /// The images file and the labels file hold different numbers of items.
    case countMismatch(imagesFile: String, imageCount: Int, labelsFile: String, labelCount: Int)
    /// A label is not below the number of classes.
    case labelOutOfRange(file: String, index: Int, label: Int, classCount: Int)

    public var description: String {
        func hex(_ v: UInt32) -> String {
            let s = String(v, radix: 16)
            return "0x" + String(repeating: "0", count: max(0, 8 - s.count)) + s
        }
        switch self {
        case .wrongMagic(let file, let expected, let found):
            let kind = expected == IDX.imagesMagic ? "u8 images [N, H, W]" : "u8 labels [N]"
            return "\(file): IDX magic is \(hex(found)), expected \(hex(expected)) (\(kind))"
        case .dimensionOutOfRange(let file, let dims, let expected):
            return "\(file): IDX dimensions \(dims): expected \(expected)"
        case .truncatedHeader(let file, let expected, let found):
            return "\(file): IDX file truncated: the header needs \(expected) bytes, the file has \(found)"
        case .truncatedBody(let file, let dims, let expected, let found):
            return "\(file): IDX file truncated: dimensions \(dims) need \(expected) data bytes, found \(found)"
        case .trailingBytes(let file, let dims, let expected, let found):
            return "\(file): IDX file too long: dimensions \(dims) need \(expected) data bytes, found \(found)"
        case .countMismatch(let imagesFile, let imageCount, let labelsFile, let labelCount):
            return "\(imagesFile) holds \(imageCount) images but \(labelsFile) holds \(labelCount) labels (expected equal counts)"
        case .labelOutOfRange(let file, let index, let label, let classCount):
            return "\(file): label \(label) at index \(index) is out of range (expected 0..<\(classCount))"
        }
    }
}
