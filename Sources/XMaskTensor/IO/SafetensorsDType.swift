/// Element types of a safetensors entry that xmask reads (the spelling is the header's).
///
/// Every one converts to `Float` for ``Tensor``; ``SafetensorsEntry`` keeps the raw bytes for
/// callers that want them as they are (bit-packed masks are stored as `U8`).
public enum SafetensorsDType: String, CaseIterable, Sendable {
    case float32 = "F32"
    case float64 = "F64"
    case float16 = "F16"
    case bfloat16 = "BF16"
    case int64 = "I64"
    case int32 = "I32"
    case uint8 = "U8"
    case bool = "BOOL"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float64, .int64: 8
        case .float32, .int32: 4
        case .float16, .bfloat16: 2
        case .uint8, .bool: 1
        }
    }

    /// Position in a written file's data section (the Hugging Face writer's order: larger
    /// alignment first, so every element is aligned to its size).
    var writeRank: Int {
        switch self {
        case .int64: 0
        case .float64: 1
        case .float32: 2
        case .int32: 3
        case .bfloat16: 4
        case .float16: 5
        case .uint8: 6
        case .bool: 7
        }
    }

    /// The header spellings of every supported dtype, for error messages.
    static var allNames: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// Converts `count` little-endian elements starting at `bytes` to `Float`
    /// (`Float(x)` rounding for F64, I64 and I32; `BOOL` is 1 for any non-zero byte).
    func decode(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<Float>) {
        let n = out.count
        precondition(bytes.count == n * byteSize, "SafetensorsDType.decode: \(bytes.count) bytes for \(n) \(rawValue) elements")
        switch self {
        case .float32:
            for i in 0..<n { out[i] = Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        case .float64:
            for i in 0..<n { out[i] = Float(Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))) }
        case .float16:
            for i in 0..<n { out[i] = floatFromHalf(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
        case .bfloat16:
            for i in 0..<n { out[i] = Float(bitPattern: UInt32(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16) }
        case .int64:
            for i in 0..<n { out[i] = Float(Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))) }
        case .int32:
            for i in 0..<n { out[i] = Float(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) }
        case .uint8:
            for i in 0..<n { out[i] = Float(bytes[i]) }
        case .bool:
            for i in 0..<n { out[i] = bytes[i] != 0 ? 1 : 0 }
        }
    }
}

/// IEEE 754 binary16 → binary32, exact for every value (subnormals, infinities, NaN payloads).
/// Done by hand because `Float16` is unavailable on some targets (macOS on Intel).
func floatFromHalf(_ h: UInt16) -> Float {
    let sign = UInt32(h & 0x8000) << 16
    let exponent = Int(h >> 10) & 0x1F
    let mantissa = UInt32(h & 0x03FF)
    if exponent == 0x1F {  // infinity or NaN
        return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
    }
    if exponent == 0 {
        // zero or subnormal: mantissa × 2^-24, exact in Float
        let magnitude = Float(mantissa) * 0x1p-24
        return sign != 0 ? -magnitude : magnitude
    }
    return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
}
