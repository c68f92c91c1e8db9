/// Why a zip archive (PKWARE APPNOTE; the container of NPZ files) could not be read.
public enum ZipError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No end-of-central-directory record in the last 64 KiB.
    case notZip(file: String)
    /// The archive ends inside the named structure.
    case truncated(file: String, field: String)
    /// A record whose signature is not the expected one.
    case badSignature(file: String, field: String, offset: Int)
    /// Compression method other than 0 (stored) or 8 (deflated).
    case unsupportedMethod(file: String, member: String, method: Int)
    /// An encrypted member.
    case encrypted(file: String, member: String)
    /// The member's deflated data is not valid DEFLATE.
    case corruptData(file: String, member: String, InflateError)
    /// The member's CRC-32 does not match its data.
    case crcMismatch(file: String, member: String, stored: UInt32, computed: UInt32)
    /// The member's data is not as long as the directory says.
    case sizeMismatch(file: String, member: String, expected: Int, found: Int)
    /// The member declares a size above the memory budget (or a negative one).
    case tooLarge(file: String, member: String, declared: Int, limit: Int)
    /// No member of that name.
    case memberNotFound(file: String, member: String, available: [String])

    public var description: String {
        switch self {
        case .notZip(let file): return "\(file): not a zip archive: no end-of-central-directory record"
        case .truncated(let file, let field): return "\(file): zip archive truncated in the \(field)"
        case .badSignature(let file, let field, let offset):
            return "\(file): zip \(field) at offset \(offset) has the wrong signature"
        case .unsupportedMethod(let file, let member, let method):
            return "\(file): zip member '\(member)' uses compression method \(method), expected 0 (stored) or 8 (deflated)"
        case .encrypted(let file, let member): return "\(file): zip member '\(member)' is encrypted (not supported)"
        case .corruptData(let file, let member, let error): return "\(file): zip member '\(member)': \(error)"
        case .crcMismatch(let file, let member, let stored, let computed):
            return "\(file): zip member '\(member)' is corrupt: CRC-32 0x\(String(stored, radix: 16)) in the directory, "
                + "the data hashes to 0x\(String(computed, radix: 16))"
        case .sizeMismatch(let file, let member, let expected, let found):
            return "\(file): zip member '\(member)' decodes to \(found) bytes, the directory says \(expected)"
        case .tooLarge(let file, let member, let declared, let limit):
            return "\(file): zip member '\(member)' declares \(declared) bytes; expected 0...\(limit) (the memory budget for one member)"
        case .memberNotFound(let file, let member, let available):
            return "\(file): no member '\(member)' in the zip archive (it holds \(available.joined(separator: ", ")))"
        }
    }
}
