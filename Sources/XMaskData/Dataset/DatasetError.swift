/// Why a dataset could not be built from the arrays or files given. Every case names the
/// dataset or file.
public enum DatasetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The pixel buffer does not hold count × channels × height × width values.
    case pixelCountMismatch(dataset: String, shape: [Int], expected: Int, found: Int)
    /// A label is negative or not below the number of classes.
    case labelOutOfRange(dataset: String, index: Int, label: Int, classCount: Int)
    /// An array (e.g. an NPZ member) has the wrong rank, dtype or size.
    case invalidArray(source: String, field: String, expected: String, found: String)
    /// A path that is none of the dataset layouts ``DatasetFormat`` knows.
    case unrecognizedFormat(path: String, found: String)
    /// An image folder (`train/CLASS/*.png`) that cannot be a dataset.
    case invalidImageFolder(path: String, expected: String, found: String)

    public var description: String {
        switch self {
        case .pixelCountMismatch(let dataset, let shape, let expected, let found):
            return "dataset '\(dataset)': shape \(shape) needs \(expected) pixel values, found \(found)"
        case .labelOutOfRange(let dataset, let index, let label, let classCount):
            return "dataset '\(dataset)': label \(label) at index \(index) is out of range (expected 0..<\(classCount))"
        case .invalidArray(let source, let field, let expected, let found):
            return "\(source): array '\(field)': expected \(expected), found \(found)"
        case .unrecognizedFormat(let path, let found):
            return "\(path): not a dataset xmask can read (\(found)); expected \(DatasetFormat.expectedLayouts)"
        case .invalidImageFolder(let path, let expected, let found):
            return "\(path): expected \(expected), found \(found)"
        }
    }
}
