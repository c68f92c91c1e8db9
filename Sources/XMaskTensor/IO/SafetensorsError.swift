/// Why a safetensors file could not be read, written or used.
///
/// Every message names the file, the entry (key) or header field, what was found and what was
/// expected. `file` is the path the file was read from or written to (`"<memory>"` for bytes
/// parsed or built in memory).
public enum SafetensorsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Opening, reading or writing the file failed.
    case fileSystem(FileSystemError)
    /// Fewer than the 8 bytes of the header length.
    case truncated(file: String, byteCount: Int)
    /// The header length field points past the end of the file.
    case headerLengthBeyondFile(file: String, headerLength: UInt64, bytesAfterLengthField: Int)
    /// The header length field is above ``Safetensors/maximumHeaderBytes``.
    case headerTooLarge(file: String, headerLength: UInt64, limit: Int)
    /// The header is not UTF-8 JSON holding one object.
    case invalidHeader(file: String, reason: String)
    /// A field of an entry (or of `__metadata__`) is missing or has the wrong JSON type or value.
    case invalidField(file: String, key: String, field: String, expected: String)
    /// The entry's dtype is not one xmask reads.
    case unknownDType(file: String, key: String, dtype: String)
    /// `data_offsets` are reversed or point outside the data section.
    case offsetsOutOfRange(file: String, key: String, begin: Int, end: Int, dataByteCount: Int)
    /// Two entries claim some of the same bytes.
    case overlappingOffsets(file: String, key: String, range: Range<Int>, otherKey: String, otherRange: Range<Int>)
    /// Bytes of the data section that no entry claims (a gap or trailing bytes).
    case uncoveredData(file: String, range: Range<Int>, dataByteCount: Int)
    /// The byte range does not match dtype size × element count of the shape.
    case sizeMismatch(file: String, key: String, dtype: String, shape: [Int], expectedByteCount: Int, byteCount: Int)
    /// The asked-for key is not in the file.
    case missingKey(file: String, key: String)
    /// The entry has another shape than the one asked for.
    case shapeMismatch(file: String, key: String, expected: [Int], found: [Int])
    /// The file's keys and shapes differ from a model's state dict (all problems, sorted by key).
    case stateDictMismatch(file: String, problems: [StateDictProblem])

    /// One difference between a file and the keys and shapes a model expects.
    public enum StateDictProblem: Equatable, Sendable, CustomStringConvertible {
        case missing(key: String, expectedShape: [Int])
        case unexpected(key: String, shape: [Int])
        case wrongShape(key: String, expected: [Int], found: [Int])

        public var key: String {
            switch self {
            case .missing(let key, _), .unexpected(let key, _), .wrongShape(let key, _, _): key
            }
        }

        public var description: String {
            switch self {
            case .missing(let key, let shape):
                "missing key \"\(key)\" (expected shape \(shape))"
            case .unexpected(let key, let shape):
                "unexpected key \"\(key)\" (shape \(shape)); the model has no such parameter"
            case .wrongShape(let key, let expected, let found):
                "key \"\(key)\" has shape \(found), the model expects \(expected)"
            }
        }
    }

    public var description: String {
        switch self {
        case .fileSystem(let error):
            return error.description
        case .truncated(let file, let count):
            return "\(file): \(count) bytes; a safetensors file starts with an 8-byte header length"
        case .headerLengthBeyondFile(let file, let length, let available):
            return "\(file): header length field says \(length) bytes, but only \(available) bytes follow it"
        case .headerTooLarge(let file, let length, let limit):
            return "\(file): header length field says \(length) bytes; expected at most \(limit)"
        case .invalidHeader(let file, let reason):
            return "\(file): header is not a JSON object of entries: \(reason)"
        case .invalidField(let file, let key, let field, let expected):
            return "\(file): entry \"\(key)\": field \"\(field)\": expected \(expected)"
        case .unknownDType(let file, let key, let dtype):
            return "\(file): entry \"\(key)\": dtype \"\(dtype)\" is not supported (expected one of \(SafetensorsDType.allNames))"
        case .offsetsOutOfRange(let file, let key, let begin, let end, let count):
            return "\(file): entry \"\(key)\": data_offsets [\(begin), \(end)] out of range; expected 0 ≤ begin ≤ end ≤ \(count) (the data section's size)"
        case .overlappingOffsets(let file, let key, let range, let other, let otherRange):
            return "\(file): entry \"\(key)\": data_offsets [\(range.lowerBound), \(range.upperBound)] overlap entry \"\(other)\" at [\(otherRange.lowerBound), \(otherRange.upperBound)]; expected disjoint ranges"
        case .uncoveredData(let file, let range, let count):
            return "\(file): data bytes [\(range.lowerBound), \(range.upperBound)) of \(count) belong to no entry; expected the entries to cover the data section exactly"
        case .sizeMismatch(let file, let key, let dtype, let shape, let expected, let found):
            return "\(file): entry \"\(key)\": data_offsets span \(found) bytes, but \(dtype) × shape \(shape) needs \(expected)"
        case .missingKey(let file, let key):
            return "\(file): no entry \"\(key)\""
        case .shapeMismatch(let file, let key, let expected, let found):
            return "\(file): entry \"\(key)\" has shape \(found), expected \(expected)"
        case .stateDictMismatch(let file, let problems):
            let shown = problems.prefix(20).map { "  " + $0.description }
            let more = problems.count > 20 ? ["  … and \(problems.count - 20) more"] : []
            return "\(file): does not match the model's state dict (\(problems.count) problem\(problems.count == 1 ? "" : "s")):\n"
                + (shown + more).joined(separator: "\n")
        }
    }
}
