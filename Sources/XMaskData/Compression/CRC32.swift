/// CRC-32 as used by gzip (RFC 1952 §8) and zip: reflected polynomial 0xEDB88320, initial value
/// and final XOR 0xFFFFFFFF. Table-driven, eight bytes per step ("slicing-by-8").
public struct CRC32: Sendable {
    /// The checksum of the bytes seen so far.
    public private(set) var value: UInt32 = 0

    public init() {}

    /// Feeds `bytes` into the checksum.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        value = crc32Tables.withUnsafeBufferPointer { tables in
            CRC32.update(value, base, bytes.count, tables)
        }
    }

    /// Feeds `bytes` into the checksum.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The CRC-32 of `bytes`.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }

    /// The CRC-32 of `bytes`.
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }

    private static func update(
        _ previous: UInt32, _ base: UnsafeRawPointer, _ count: Int, _ t: UnsafeBufferPointer<UInt32>
    ) -> UInt32 {
        guard let t = t.baseAddress else { return previous }
        var crc = ~previous
        var p = base
        var n = count
        while n >= 8 {
            let one = UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)) ^ crc
            let two = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
            crc = t[7 * 256 + Int(one & 0xFF)] ^ t[6 * 256 + Int((one >> 8) & 0xFF)]
                ^ t[5 * 256 + Int((one >> 16) & 0xFF)] ^ t[4 * 256 + Int(one >> 24)]
                ^ t[3 * 256 + Int(two & 0xFF)] ^ t[2 * 256 + Int((two >> 8) & 0xFF)]
                ^ t[1 * 256 + Int((two >> 16) & 0xFF)] ^ t[Int(two >> 24)]
            p += 8
            n -= 8
        }
        while n > 0 {
            crc = t[Int((crc ^ UInt32(p.load(as: UInt8.self))) & 0xFF)] ^ (crc >> 8)
            p += 1
            n -= 1
        }
        return ~crc
    }
}

/// Eight 256-entry tables: table 0 is the classic byte table, table k advances k more zero bytes.
private let crc32Tables: [UInt32] = {
    var t = [UInt32](repeating: 0, count: 8 * 256)
    for i in 0..<256 {
        var c = UInt32(i)
        for _ in 0..<8 { c = (c & 1) != 0 ? (0xEDB8_8320 ^ (c >> 1)) : (c >> 1) }
        t[i] = c
    }
    for k in 1..<8 {
        for i in 0..<256 {
            let prev = t[(k - 1) * 256 + i]
            t[k * 256 + i] = (prev >> 8) ^ t[Int(prev & 0xFF)]
        }
    }
    return t
}()
