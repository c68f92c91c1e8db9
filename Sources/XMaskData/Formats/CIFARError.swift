/// Why a CIFAR-10/100 binary file could not be read. Every case names the file.
public enum CIFARError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file size is not a whole number of records (or zero).
    case truncated(file: String, recordBytes: Int, fileBytes: Int)
    /// A label byte is not below the number of classes.
    case labelOutOfRange(file: String, record: Int, label: Int, classCount: Int)

    public var description: String {
        switch self {
        case .truncated(let file, let recordBytes, let fileBytes):
            return "\(file): CIFAR binary file of \(fileBytes) bytes, expected a positive multiple of the \(recordBytes)-byte record"
        case .labelOutOfRange(let file, let record, let label, let classCount):
            return "\(file): record \(record) has label \(label), expected 0..<\(classCount)"
        }
    }
}
