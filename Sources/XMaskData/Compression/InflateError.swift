/// Why a DEFLATE stream (RFC 1951) could not be decoded. Offsets count bytes from the start of
/// the buffer handed to the decoder; the container (gzip, zip) adds the file name.
public enum InflateError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended inside a block (or before the final block).
    case truncated(byteOffset: Int)
    /// A block header with BTYPE = 11 (reserved).
    case invalidBlockType(byteOffset: Int)
    /// A stored block whose LEN is not the one's complement of NLEN.
    case storedLengthMismatch(byteOffset: Int, length: Int, complement: Int)
    /// A dynamic block header whose code lengths do not form a usable prefix code.
    case invalidCodeLengths(byteOffset: Int, reason: String)
    /// A bit pattern that no code of the named table (literal/length, distance, code length) matches.
    case invalidCode(byteOffset: Int, table: String)
    /// A literal/length symbol 286–287 or a distance symbol 30–31 (reserved by RFC 1951 §3.2.6).
    case invalidSymbol(byteOffset: Int, symbol: Int, table: String)
    /// A back-reference further back than the bytes produced so far.
    case distanceTooFar(byteOffset: Int, distance: Int, available: Int)
    /// The stream decodes to more than `limit` bytes (a memory budget or the container's
    /// declared size).
    case outputLimitExceeded(limit: Int)

    public var description: String {
        switch self {
        case .truncated(let at):
            return "DEFLATE stream truncated at byte \(at): expected more compressed data before the final block ends"
        case .invalidBlockType(let at):
            return "DEFLATE block header at byte \(at): block type 3 is reserved (expected 0 stored, 1 fixed or 2 dynamic)"
        case .storedLengthMismatch(let at, let length, let complement):
            return "DEFLATE stored block at byte \(at): LEN \(length) and NLEN \(complement) are not one's complements"
        case .invalidCodeLengths(let at, let reason):
            return "DEFLATE dynamic block header at byte \(at): \(reason)"
        case .invalidCode(let at, let table):
            return "DEFLATE data at byte \(at): bits match no \(table) code"
        case .invalidSymbol(let at, let symbol, let table):
            return "DEFLATE data at byte \(at): \(table) symbol \(symbol) is reserved"
        case .distanceTooFar(let at, let distance, let available):
            return "DEFLATE data at byte \(at): back-reference distance \(distance) exceeds the \(available) bytes produced so far"
        case .outputLimitExceeded(let limit):
            return "DEFLATE stream decodes to more than \(limit) bytes, the most expected (declared size or memory budget); refusing it"
        }
    }
}
