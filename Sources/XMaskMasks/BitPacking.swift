/// Packs small unsigned integers at `bits` bits each, little-endian within a byte stream
/// (value i occupies bits [i·bits, (i+1)·bits) of the stream, least significant bit first).
/// Binary masks are packed at 1 bit per value, XMA levels at ⌈log2(N + 2)⌉.
public enum BitPacking {
    /// Bytes needed for `count` values of `bits` bits.
    public static func byteCount(values count: Int, bits: Int) -> Int { (count * bits + 7) / 8 }

    public static func pack(_ values: [Int], bits: Int) -> [UInt8] {
        precondition(bits >= 1 && bits <= 8, "BitPacking.pack: \(bits) bits per value; 1...8 supported")
        var out = [UInt8](repeating: 0, count: byteCount(values: values.count, bits: bits))
        for (i, v) in values.enumerated() {
            precondition(v >= 0 && v < (1 << bits), "BitPacking.pack: value \(v) at \(i) does not fit \(bits) bits")
            for b in 0..<bits where (v >> b) & 1 == 1 {
                let bit = i * bits + b
                out[bit >> 3] |= UInt8(1 << (bit & 7))
            }
        }
        return out
    }

    /// The first `count` values; nil when `bytes` is too short.
    public static func unpack(_ bytes: [UInt8], count: Int, bits: Int) -> [Int]? {
        precondition(bits >= 1 && bits <= 8, "BitPacking.unpack: \(bits) bits per value; 1...8 supported")
        guard bytes.count >= byteCount(values: count, bits: bits) else { return nil }
        var out = [Int](repeating: 0, count: count)
        for i in 0..<count {
            var v = 0
            for b in 0..<bits {
                let bit = i * bits + b
                if (bytes[bit >> 3] >> UInt8(bit & 7)) & 1 == 1 { v |= 1 << b }
            }
            out[i] = v
        }
        return out
    }
}
