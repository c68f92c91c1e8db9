/// Why a gzip file (RFC 1952) could not be read. Every case names the file.
public enum GzipError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The first two bytes are not 0x1f 0x8b.
    case wrongMagic(file: String, found: [UInt8])
    /// Compression method other than 8 (deflate).
    case unsupportedMethod(file: String, method: UInt8)
    /// Reserved flag bits 5–7 set.
    case reservedFlags(file: String, flags: UInt8)
    /// The file ends inside the named header field or the 8-byte trailer.
    case truncated(file: String, field: String)
    /// The FHCRC header checksum does not match the header.
    case headerCRCMismatch(file: String, stored: UInt16, computed: UInt16)
    /// The compressed data of member `member` (0-based) is not valid DEFLATE.
    case corruptData(file: String, member: Int, InflateError)
    /// The CRC-32 in the trailer of member `member` does not match the decoded data.
    case crcMismatch(file: String, member: Int, stored: UInt32, computed: UInt32)
    /// ISIZE in the trailer does not match the decoded size (mod 2^32).
    case sizeMismatch(file: String, member: Int, stored: UInt32, computed: UInt32)
    /// Bytes after the last member that do not start another member.
    case trailingBytes(file: String, offset: Int, count: Int)

    public var description: String {
        switch self {
        case .wrongMagic(let file, let found):
            let hex = found.map { String($0, radix: 16) }.joined(separator: " ")
            return "\(file): not a gzip file: magic bytes are [\(hex)], expected [1f 8b]"
        case .unsupportedMethod(let file, let method):
            return "\(file): gzip compression method \(method), expected 8 (deflate)"
        case .reservedFlags(let file, let flags):
            return "\(file): gzip header flags 0x\(String(flags, radix: 16)) set reserved bits 5-7 (expected them clear)"
        case .truncated(let file, let field):
            return "\(file): gzip file truncated in the \(field)"
        case .headerCRCMismatch(let file, let stored, let computed):
            return "\(file): gzip header CRC-16 is 0x\(String(stored, radix: 16)), the header hashes to 0x\(String(computed, radix: 16))"
        case .corruptData(let file, let member, let error):
            return "\(file): corrupt gzip data in member \(member): \(error)"
        case .crcMismatch(let file, let member, let stored, let computed):
            return "\(file): corrupt gzip member \(member): trailer CRC-32 is 0x\(String(stored, radix: 16)), "
                + "the decoded data hashes to 0x\(String(computed, radix: 16))"
        case .sizeMismatch(let file, let member, let stored, let computed):
            return "\(file): corrupt gzip member \(member): trailer ISIZE is \(stored), decoded \(computed) bytes (mod 2^32)"
        case .trailingBytes(let file, let offset, let count):
            return "\(file): \(count) bytes after the last gzip member at offset \(offset) (expected end of file or another member)"
        }
    }
}
