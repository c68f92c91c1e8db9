import Foundation

/// A read-only zip archive held in memory: the container of NumPy's `.npz` files.
///
/// Reads the central directory (with ZIP64 sizes and offsets, which NumPy writes), and members
/// that are stored (method 0) or deflated (method 8); every member's CRC-32 is checked.
public struct ZipArchive: Sendable {
    /// One member as the central directory describes it.
    public struct Entry: Sendable, Equatable {
        public let name: String
        /// 0 stored, 8 deflated.
        public let method: Int
        public let crc32: UInt32
        public let compressedSize: Int
        public let uncompressedSize: Int
        let flags: Int
        let localHeaderOffset: Int
    }

    /// The name used in error messages.
    public let file: String
    /// The members in directory order.
    public let entries: [Entry]
    private let bytes: [UInt8]

    /// Reads the archive at `url`.
    public init(contentsOf url: URL) throws {
        try self.init(bytes: try FileBytes.read(url), file: url.path)
    }

    /// Parses the central directory of the archive `bytes`.
    ///
    /// - Throws: ``ZipError``.
    public init(bytes: [UInt8], file: String = "<memory>") throws {
        self.bytes = bytes
        self.file = file
        let r = LittleEndianReader(bytes: bytes)
        // End of central directory: 22 bytes plus a comment of up to 65535.
        guard bytes.count >= 22 else { throw ZipError.notZip(file: file) }
        var eocd = -1
        var i = bytes.count - 22
        while i >= max(0, bytes.count - 22 - 65535) {
            if r.u32(i) == 0x0605_4B50 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else { throw ZipError.notZip(file: file) }
        var count = Int(r.u16(eocd + 10))
        var directorySize = Int(r.u32(eocd + 12))
        var directoryOffset = Int(r.u32(eocd + 16))
        if eocd >= 20 && r.u32(eocd - 20) == 0x0706_4B50 {  // ZIP64 end of central directory locator
            let record = Int(truncatingIfNeeded: r.u64(eocd - 20 + 8))
            guard record >= 0, record <= bytes.count - 56 else { throw ZipError.truncated(file: file, field: "ZIP64 end of central directory") }
            guard r.u32(record) == 0x0606_4B50 else {
                throw ZipError.badSignature(file: file, field: "ZIP64 end of central directory", offset: record)
            }
            count = Int(truncatingIfNeeded: r.u64(record + 32))
            directorySize = Int(truncatingIfNeeded: r.u64(record + 40))
            directoryOffset = Int(truncatingIfNeeded: r.u64(record + 48))
        }
        guard directoryOffset >= 0, directorySize >= 0, directoryOffset <= bytes.count, directorySize <= bytes.count - directoryOffset else {
            throw ZipError.truncated(file: file, field: "central directory")
        }
        var entries: [Entry] = []
        var p = directoryOffset
        // A central-directory header is at least 46 bytes: a count beyond that is a lie.
        guard count >= 0, count <= bytes.count / 46 else {
            throw ZipError.truncated(file: file, field: "central directory (\(count) entries declared)")
        }
        for _ in 0..<count {
            guard p + 46 <= bytes.count else { throw ZipError.truncated(file: file, field: "central directory") }
            guard r.u32(p) == 0x0201_4B50 else { throw ZipError.badSignature(file: file, field: "central directory header", offset: p) }
            let nameLength = Int(r.u16(p + 28)), extraLength = Int(r.u16(p + 30)), commentLength = Int(r.u16(p + 32))
            guard p + 46 + nameLength + extraLength + commentLength <= bytes.count else {
                throw ZipError.truncated(file: file, field: "central directory")
            }
            let name = String(decoding: bytes[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self)
            var uncompressed = Int(r.u32(p + 24)), compressed = Int(r.u32(p + 20)), offset = Int(r.u32(p + 42))
            // ZIP64 extra field (id 1): 8-byte values for exactly the fields saturated above, in order.
            var q = p + 46 + nameLength
            let extraEnd = q + extraLength
            while q + 4 <= extraEnd {
                let id = r.u16(q), size = Int(r.u16(q + 2))
                if id == 1 {
                    var v = q + 4
                    if uncompressed == 0xFFFF_FFFF, v + 8 <= q + 4 + size { uncompressed = Int(truncatingIfNeeded: r.u64(v)); v += 8 }
                    if compressed == 0xFFFF_FFFF, v + 8 <= q + 4 + size { compressed = Int(truncatingIfNeeded: r.u64(v)); v += 8 }
                    if offset == 0xFFFF_FFFF, v + 8 <= q + 4 + size { offset = Int(truncatingIfNeeded: r.u64(v)) }
                }
                q += 4 + size
            }
            entries.append(Entry(
                name: name, method: Int(r.u16(p + 10)), crc32: r.u32(p + 16), compressedSize: compressed,
                uncompressedSize: uncompressed, flags: Int(r.u16(p + 8)), localHeaderOffset: offset))
            p += 46 + nameLength + extraLength + commentLength
        }
        self.entries = entries
    }

    /// The decoded data of the member called `name`.
    public func data(for name: String) throws -> [UInt8] {
        guard let entry = entries.first(where: { $0.name == name }) else {
            throw ZipError.memberNotFound(file: file, member: name, available: entries.map(\.name))
        }
        return try data(of: entry)
    }

    /// The decoded data of `entry`, its CRC-32 and size checked. Decoding stops as soon as it
    /// passes the size the central directory declares; a declared size above `maximumOutput`
    /// is refused before anything is decoded.
    public func data(of entry: Entry, maximumOutput: Int = Inflate.defaultMaximumOutputBytes) throws -> [UInt8] {
        let r = LittleEndianReader(bytes: bytes)
        let local = entry.localHeaderOffset
        guard local >= 0, local <= bytes.count - 30 else { throw ZipError.truncated(file: file, field: "local header of '\(entry.name)'") }
        guard r.u32(local) == 0x0403_4B50 else { throw ZipError.badSignature(file: file, field: "local header of '\(entry.name)'", offset: local) }
        guard entry.flags & 1 == 0 else { throw ZipError.encrypted(file: file, member: entry.name) }
        let start = local + 30 + Int(r.u16(local + 26)) + Int(r.u16(local + 28))
        guard entry.compressedSize >= 0, start <= bytes.count, entry.compressedSize <= bytes.count - start else {
            throw ZipError.truncated(file: file, field: "data of '\(entry.name)'")
        }
        // The declared size bounds the decode; a declared size past the budget is refused unread.
        guard entry.uncompressedSize >= 0, entry.uncompressedSize <= maximumOutput else {
            throw ZipError.tooLarge(file: file, member: entry.name, declared: entry.uncompressedSize, limit: maximumOutput)
        }
        let data: [UInt8]
        switch entry.method {
        case 0:
            data = Array(bytes[start..<(start + entry.compressedSize)])
        case 8:
            do {
                data = try bytes.withUnsafeBufferPointer { all in
                    let slice = UnsafeBufferPointer(rebasing: all[start..<(start + entry.compressedSize)])
                    return try Inflate.decompress(slice, from: 0, sizeHint: entry.uncompressedSize, maximumOutput: entry.uncompressedSize).output
                }
            } catch let error as InflateError {
                throw ZipError.corruptData(file: file, member: entry.name, error)
            }
        default:
            throw ZipError.unsupportedMethod(file: file, member: entry.name, method: entry.method)
        }
        guard data.count == entry.uncompressedSize else {
            throw ZipError.sizeMismatch(file: file, member: entry.name, expected: entry.uncompressedSize, found: data.count)
        }
        let crc = CRC32.checksum(data)
        guard crc == entry.crc32 else { throw ZipError.crcMismatch(file: file, member: entry.name, stored: entry.crc32, computed: crc) }
        return data
    }
}

/// Little-endian integer loads at byte offsets; the caller checks the bounds.
struct LittleEndianReader {
    let bytes: [UInt8]
    func u16(_ i: Int) -> UInt16 { UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8 }
    func u32(_ i: Int) -> UInt32 { UInt32(u16(i)) | UInt32(u16(i + 2)) << 16 }
    func u64(_ i: Int) -> UInt64 { UInt64(u32(i)) | UInt64(u32(i + 4)) << 32 }
}
