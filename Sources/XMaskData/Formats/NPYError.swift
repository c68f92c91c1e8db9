/// Why an NPY array (NumPy's `.npy` format) could not be read. Every case names the file.
public enum NPYError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file does not start with `\x93NUMPY`.
    case wrongMagic(file: String)
    /// A format version other than 1.0, 2.0 or 3.0.
    case unsupportedVersion(file: String, major: Int, minor: Int)
    /// The file ends inside the header.
    case truncatedHeader(file: String, expectedBytes: Int, foundBytes: Int)
    /// The header dictionary lacks a field or holds a value of the wrong kind.
    case malformedHeader(file: String, field: String, expected: String, found: String)
    /// A dtype other than float32, float64, uint8 or int64.
    case unsupportedDType(file: String, descr: String)
    /// A Fortran-order array (only C order is supported).
    case fortranOrder(file: String)
    /// The data is not as long as shape × item size.
    case sizeMismatch(file: String, shape: [Int], descr: String, expectedBytes: Int, foundBytes: Int)

    public var description: String {
        switch self {
        case .wrongMagic(let file): return "\(file): not an NPY file (expected the magic string \\x93NUMPY)"
        case .unsupportedVersion(let file, let major, let minor):
            return "\(file): NPY format version \(major).\(minor), expected 1.0, 2.0 or 3.0"
        case .truncatedHeader(let file, let expected, let found):
            return "\(file): NPY header truncated: needs \(expected) bytes, the file has \(found)"
        case .malformedHeader(let file, let field, let expected, let found):
            return "\(file): NPY header field '\(field)': expected \(expected), found \(found)"
        case .unsupportedDType(let file, let descr):
            return "\(file): NPY dtype '\(descr)' is not supported (expected float32, float64, uint8 or int64)"
        case .fortranOrder(let file):
            return "\(file): NPY array is in Fortran order (expected C order, fortran_order: False)"
        case .sizeMismatch(let file, let shape, let descr, let expected, let found):
            return "\(file): NPY array of shape \(shape) and dtype '\(descr)' needs \(expected) data bytes, found \(found)"
        }
    }
}
