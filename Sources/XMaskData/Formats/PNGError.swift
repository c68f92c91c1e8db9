/// Why a PNG file could not be decoded. Every case names the file.
public enum PNGError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The first 8 bytes are not the PNG signature.
    case notPNG(file: String)
    /// The file ends inside a chunk or before IEND.
    case truncated(file: String, byteOffset: Int)
    /// A chunk's CRC-32 does not match its type and data.
    case badCRC(file: String, chunk: String)
    /// A chunk or field that breaks the PNG specification (ISO/IEC 15948).
    case malformed(file: String, field: String, expected: String, found: String)
    /// A valid PNG of a kind this decoder does not read (16-bit samples, Adam7 interlacing).
    case unsupported(file: String, feature: String)
    /// The zlib stream of the IDAT chunks could not be inflated.
    case inflate(file: String, reason: String)

    public var description: String {
        switch self {
        case .notPNG(let file):
            return "\(file): not a PNG file (the first 8 bytes are not the PNG signature 89 50 4E 47 0D 0A 1A 0A)"
        case .truncated(let file, let at):
            return "\(file): PNG truncated at byte \(at): expected more chunks up to IEND"
        case .badCRC(let file, let chunk):
            return "\(file): PNG chunk \(chunk) fails its CRC-32 check (the file is corrupt)"
        case .malformed(let file, let field, let expected, let found):
            return "\(file): PNG \(field) is \(found), expected \(expected)"
        case .unsupported(let file, let feature):
            return "\(file): unsupported PNG: \(feature) (xmask reads non-interlaced 1/2/4/8-bit grey and palette, 8-bit grey+alpha, RGB and RGBA)"
        case .inflate(let file, let reason):
            return "\(file): PNG image data (IDAT) does not decompress: \(reason)"
        }
    }
}
