import XMaskTensor

/// Structure-aware mutations, all driven by one seeded generator.
///
/// Byte mutations: bit flips, random bytes, truncation, deleted and duplicated windows, random
/// windows, and "interesting" integers (0, −1, 2³¹, 2⁶², …) written at a random offset or at a
/// field the format names (a length or dimension). Text mutations (JSON, YAML, CSV) replace a
/// number or a string token with a hostile one, drop or duplicate a line, or splice in deep
/// nesting.
public struct Mutator {
    public var rng: SeededGenerator

    public init(seed: UInt64) { rng = SeededGenerator(seed: seed) }

    public mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(rng.next() % UInt64(n)) }
    public mutating func chance(_ p: Double) -> Bool { Double(rng.next() % 1_000_000) < p * 1_000_000 }

    /// 64-bit values that break length and dimension arithmetic.
    public static let interestingIntegers: [UInt64] = [
        0, 1, 2, 0x7F, 0xFF, 0x100, 0xFFFF, 0x1_0000, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x1_0000_0000,
        1 << 40, 1 << 62, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, 0xFFFF_FFFF_FFFF_FFFF, 1_000_000,
    ]

    /// Numbers written into text formats.
    public static let interestingNumbers = [
        "0", "-1", "1", "2", "-0", "1.5", "1e300", "-1e300", "1e-300", "nan", "NaN", ".nan", "inf", "Infinity", "-.inf",
        "2147483648", "4294967296", "4611686018427387904", "9223372036854775807", "9223372036854775808",
        "1000000", "1099511627776", "99999999999999999999999999", "0x10", "5", "3", "8", "72",
    ]

    /// Strings written into text formats.
    public static let interestingStrings = [
        "", "../../.bashrc", "/dev/zero", "/etc/passwd", "a/b", ".hidden", "tasks/../../x", String(repeating: "A", count: 5000),
        "\u{0}", "naïve", "bundle.json", "backbone.safetensors", "xma", "xma2", "F32", "U8", "BOOL", "F64", "I64",
    ]

    // MARK: Bytes

    /// One to three random byte mutations; `fields` are offsets of length/dimension fields.
    public mutating func mutateBytes(_ input: [UInt8], fields: [(offset: Int, width: Int, bigEndian: Bool)] = []) -> [UInt8] {
        var out = input
        for _ in 0...below(3) {
            switch below(fields.isEmpty ? 8 : 10) {
            case 0 where !out.isEmpty:
                out[below(out.count)] ^= UInt8(1) << UInt8(below(8))
            case 1 where !out.isEmpty:
                out[below(out.count)] = UInt8(truncatingIfNeeded: rng.next())
            case 2:
                out = Array(out.prefix(below(out.count + 1)))
            case 3 where !out.isEmpty:
                let a = below(out.count), b = min(out.count, a + 1 + below(64))
                out.removeSubrange(a..<b)
            case 4 where !out.isEmpty:
                let a = below(out.count), b = min(out.count, a + 1 + below(256))
                out.insert(contentsOf: out[a..<b], at: below(out.count + 1))
            case 5 where !out.isEmpty:
                let a = below(out.count)
                for i in a..<min(out.count, a + 1 + below(32)) { out[i] = UInt8(truncatingIfNeeded: rng.next()) }
            case 6, 7:
                write(Self.interestingIntegers[below(Self.interestingIntegers.count)], into: &out, at: below(out.count + 1),
                      width: [1, 2, 4, 8][below(4)], bigEndian: chance(0.5))
            default:
                guard !fields.isEmpty else { break }
                let f = fields[below(fields.count)]
                var v = Self.interestingIntegers[below(Self.interestingIntegers.count)]
                if chance(0.3) { v = UInt64(below(1 << 20)) }
                write(v, into: &out, at: f.offset, width: f.width, bigEndian: f.bigEndian)
            }
        }
        return out
    }

    /// Overwrites `width` bytes at `offset` (growing the buffer if needed) with `value`.
    public func write(_ value: UInt64, into out: inout [UInt8], at offset: Int, width: Int, bigEndian: Bool) {
        guard offset >= 0 else { return }  // a field offset computed from a too-short input
        if out.count < offset + width { out += [UInt8](repeating: 0, count: offset + width - out.count) }
        for i in 0..<width {
            let shift = UInt64(8 * (bigEndian ? width - 1 - i : i))
            out[offset + i] = UInt8(truncatingIfNeeded: value >> shift)
        }
    }

    // MARK: Text

    /// One to three text mutations, sometimes followed by byte mutations.
    public mutating func mutateText(_ text: String) -> String {
        var s = text
        for _ in 0...below(3) {
            switch below(9) {
            case 0, 1: s = replaceToken(in: s, numbers: true)
            case 2: s = replaceToken(in: s, numbers: false)
            case 3:
                var lines = s.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                if !lines.isEmpty { lines.remove(at: below(lines.count)) }
                s = lines.joined(separator: "\n")
            case 4:
                var lines = s.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                if !lines.isEmpty { let i = below(lines.count); lines.insert(lines[i], at: i) }
                s = lines.joined(separator: "\n")
            case 5:
                let depth = [10, 100, 1000, 10_000][below(4)]
                let pieces = [String(repeating: "[", count: depth), String(repeating: "{\"a\":", count: depth),
                              String(repeating: "- ", count: depth) + "x", String(repeating: "  ", count: depth) + "k: v"]
                s = insert(pieces[below(pieces.count)], into: s)
            case 6:
                s = insert([",", ":", "\"", "'", "#", "\n", "-", "&a", "*a", "!!binary", "<<: *a", "|"][below(12)], into: s)
            default:
                s = String(decoding: mutateBytes(Array(s.utf8)), as: UTF8.self)
            }
        }
        return s
    }

    mutating func insert(_ piece: String, into s: String) -> String {
        let utf8 = Array(s.utf8)
        let at = below(utf8.count + 1)
        return String(decoding: utf8[..<at] + Array(piece.utf8) + utf8[at...], as: UTF8.self)
    }

    /// Replaces one number (digits, sign, point, exponent) or one quoted/bare word.
    mutating func replaceToken(in s: String, numbers: Bool) -> String {
        let bytes = Array(s.utf8)
        func isNumberByte(_ b: UInt8) -> Bool { (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x2E || b == 0x65 || b == 0x2B }
        func isWordByte(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x5F || b == 0x2E || b == 0x2F }
        var starts: [Int] = []
        var i = 0
        while i < bytes.count {
            let matches = numbers ? (bytes[i] >= 0x30 && bytes[i] <= 0x39) : isWordByte(bytes[i])
            if matches && (i == 0 || !(numbers ? isNumberByte(bytes[i - 1]) : isWordByte(bytes[i - 1]))) { starts.append(i) }
            i += 1
        }
        guard !starts.isEmpty else { return s }
        let start = starts[below(starts.count)]
        var end = start
        while end < bytes.count && (numbers ? isNumberByte(bytes[end]) : isWordByte(bytes[end])) { end += 1 }
        let pool = numbers ? Self.interestingNumbers : Self.interestingStrings
        let replacement = numbers && chance(0.2) ? String(Int64(bitPattern: rng.next()) >> Int64(below(63))) : pool[below(pool.count)]
        return String(decoding: bytes[..<start] + Array(replacement.utf8) + bytes[end...], as: UTF8.self)
    }
}
