/// gzip files (RFC 1952): one or more members, each a header, a DEFLATE stream and a trailer
/// holding the CRC-32 and the size (mod 2^32) of the member's data. Both are checked.
public enum Gzip {
    /// Whether `bytes` start with the gzip magic 0x1f 0x8b.
    public static func hasMagic(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// Decodes every member of the gzip file `bytes` and returns their concatenated data.
    ///
    /// - Parameters:
    ///   - file: the name used in error messages.
    ///   - maximumOutput: the most bytes all members together may decode to (default
    ///     ``Inflate/defaultMaximumOutputBytes``); each member is decoded against what is left,
    ///     so a bomb of several members is refused as soon as the total passes the budget.
    /// - Throws: ``GzipError``.
    public static func decompress(_ bytes: [UInt8], file: String = "<memory>",
                                  maximumOutput: Int = Inflate.defaultMaximumOutputBytes) throws -> [UInt8] {
        try bytes.withUnsafeBufferPointer { input in
            var result: [UInt8] = []
            var offset = 0
            var member = 0
            repeat {
                let (data, end) = try decodeMember(input, at: offset, member: member, file: file,
                                                   maximumOutput: maximumOutput - result.count)
                if member == 0 { result = data } else { result += data }
                offset = end
                member += 1
                if offset < input.count && !(input.count - offset >= 2 && input[offset] == 0x1F && input[offset + 1] == 0x8B) {
                    throw GzipError.trailingBytes(file: file, offset: offset, count: input.count - offset)
                }
            } while offset < input.count
            return result
        }
    }

    private static func decodeMember(
        _ input: UnsafeBufferPointer<UInt8>, at start: Int, member: Int, file: String, maximumOutput: Int
    ) throws -> (data: [UInt8], end: Int) {
        var p = start
        func need(_ n: Int, _ field: String) throws {
            if p + n > input.count { throw GzipError.truncated(file: file, field: field) }
        }
        try need(10, "header")
        guard input[p] == 0x1F, input[p + 1] == 0x8B else {
            throw GzipError.wrongMagic(file: file, found: [input[p], input[p + 1]])
        }
        guard input[p + 2] == 8 else { throw GzipError.unsupportedMethod(file: file, method: input[p + 2]) }
        let flags = input[p + 3]
        guard flags & 0xE0 == 0 else { throw GzipError.reservedFlags(file: file, flags: flags) }
        p += 10
        if flags & 0x04 != 0 {  // FEXTRA
            try need(2, "extra field length")
            let length = Int(input[p]) | Int(input[p + 1]) << 8
            p += 2
            try need(length, "extra field")
            p += length
        }
        for (bit, field) in [(UInt8(0x08), "file name"), (UInt8(0x10), "comment")] where flags & bit != 0 {
            while true {
                try need(1, field)
                p += 1
                if input[p - 1] == 0 { break }
            }
        }
        if flags & 0x02 != 0 {  // FHCRC: low 16 bits of the CRC-32 of the header so far
            try need(2, "header CRC")
            let stored = UInt16(input[p]) | UInt16(input[p + 1]) << 8
            let computed = UInt16(truncatingIfNeeded: CRC32.checksum(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: input[start..<p]))))
            guard stored == computed else { throw GzipError.headerCRCMismatch(file: file, stored: stored, computed: computed) }
            p += 2
        }
        // ISIZE sits in the last four bytes when this is the only member: a good size hint.
        var hint = 0
        if input.count >= p + 8 {
            let n = input.count
            hint = Int(input[n - 4]) | Int(input[n - 3]) << 8 | Int(input[n - 2]) << 16 | Int(input[n - 1]) << 24
            if hint > 64 * (n - p) + 1024 { hint = 0 }
        }
        let data: [UInt8]
        let end: Int
        do {
            (data, end) = try Inflate.decompress(input, from: p, sizeHint: hint, maximumOutput: maximumOutput)
        } catch let error as InflateError {
            throw GzipError.corruptData(file: file, member: member, error)
        }
        p = end
        try need(8, "trailer (CRC-32 and ISIZE)")
        let storedCRC = UInt32(input[p]) | UInt32(input[p + 1]) << 8 | UInt32(input[p + 2]) << 16 | UInt32(input[p + 3]) << 24
        let storedSize = UInt32(input[p + 4]) | UInt32(input[p + 5]) << 8 | UInt32(input[p + 6]) << 16 | UInt32(input[p + 7]) << 24
        let crc = CRC32.checksum(data)
        guard crc == storedCRC else { throw GzipError.crcMismatch(file: file, member: member, stored: storedCRC, computed: crc) }
        let size = UInt32(truncatingIfNeeded: data.count)
        guard size == storedSize else { throw GzipError.sizeMismatch(file: file, member: member, stored: storedSize, computed: size) }
        return (data, p + 8)
    }
}
