import Foundation

/// NumPy's `.npy` format (numpy.lib.format, versions 1.0–3.0): the magic `\x93NUMPY`, a
/// version, a little-endian header length (u16 in 1.0, u32 later), an ASCII Python dict
/// `{'descr': …, 'fortran_order': …, 'shape': (…), }` padded with spaces and `\n` so the data
/// starts at a multiple of 64, then the data. Reads float32, float64, uint8 and int64 in either
/// byte order, C order only; writes little-endian, version 1.0 unless the header needs 2.0.
public enum NPY {
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]

    /// Reads the array at `url` (gzip-compressed files are accepted too).
    ///
    /// - Throws: ``FileReadError``, ``GzipError``, ``NPYError``.
    public static func read(at url: URL) throws -> NPYArray {
        try parse(try FileBytes.readDecompressing(url), file: url.path)
    }

    /// Writes `array` to `url` through a temporary file renamed into place.
    public static func write(_ array: NPYArray, to url: URL) throws {
        try FileBytes.writeAtomically(encode(array), to: url)
    }

    /// The bytes of `array` as an NPY file.
    public static func encode(_ array: NPYArray) -> [UInt8] {
        let shape: String
        switch array.shape.count {
        case 0: shape = "()"
        case 1: shape = "(\(array.shape[0]),)"
        default: shape = "(" + array.shape.map(String.init).joined(separator: ", ") + ")"
        }
        var dict = Array("{'descr': '\(array.descr)', 'fortran_order': False, 'shape': \(shape), }".utf8)
        var version: UInt8 = 1
        var prefix = 10
        if dict.count + 1 + 10 > 65535 { version = 2; prefix = 12 }
        let total = (prefix + dict.count + 1 + 63) / 64 * 64
        dict += [UInt8](repeating: 0x20, count: total - prefix - dict.count - 1) + [0x0A]
        var out = magic + [version, 0]
        let length = dict.count
        out += version == 1
            ? [UInt8(length & 0xFF), UInt8(length >> 8)]
            : [UInt8(length & 0xFF), UInt8((length >> 8) & 0xFF), UInt8((length >> 16) & 0xFF), UInt8(length >> 24)]
        out += dict
        switch array.elements {
        case .float32(let v): v.withUnsafeBufferPointer { appendLittleEndian($0.map { $0.bitPattern }, to: &out) }
        case .float64(let v): v.withUnsafeBufferPointer { appendLittleEndian($0.map { $0.bitPattern }, to: &out) }
        case .uint8(let v): out += v
        case .int64(let v): appendLittleEndian(v, to: &out)
        }
        return out
    }

    private static func appendLittleEndian<T: FixedWidthInteger>(_ values: [T], to out: inout [UInt8]) {
        let start = out.count
        out += [UInt8](repeating: 0, count: values.count * MemoryLayout<T>.size)
        out.withUnsafeMutableBytes { raw in
            for (i, v) in values.enumerated() {
                raw.storeBytes(of: v.littleEndian, toByteOffset: start + i * MemoryLayout<T>.size, as: T.self)
            }
        }
    }

    /// Parses the bytes of an NPY file; `file` names it in errors.
    ///
    /// - Throws: ``NPYError``.
    public static func parse(_ bytes: [UInt8], file: String) throws -> NPYArray {
        guard bytes.count >= 8, Array(bytes[0..<6]) == magic else {
            if bytes.count < 8 && bytes.elementsEqual(magic.prefix(bytes.count)) {
                throw NPYError.truncatedHeader(file: file, expectedBytes: 10, foundBytes: bytes.count)
            }
            throw NPYError.wrongMagic(file: file)
        }
        let major = Int(bytes[6]), minor = Int(bytes[7])
        guard (1...3).contains(major), minor == 0 else { throw NPYError.unsupportedVersion(file: file, major: major, minor: minor) }
        let lengthBytes = major == 1 ? 2 : 4
        guard bytes.count >= 8 + lengthBytes else {
            throw NPYError.truncatedHeader(file: file, expectedBytes: 8 + lengthBytes, foundBytes: bytes.count)
        }
        var headerLength = 0
        for i in 0..<lengthBytes { headerLength |= Int(bytes[8 + i]) << (8 * i) }
        let dataStart = 8 + lengthBytes + headerLength
        guard bytes.count >= dataStart else {
            throw NPYError.truncatedHeader(file: file, expectedBytes: dataStart, foundBytes: bytes.count)
        }
        let text = String(decoding: bytes[(8 + lengthBytes)..<dataStart], as: UTF8.self)
        let header = try NPYHeader(parsing: text, file: file)
        guard !header.fortranOrder else { throw NPYError.fortranOrder(file: file) }

        let descr = header.descr
        let order = descr.first
        let kind = String(descr.dropFirst())
        guard let order, "<>|=".contains(order), ["f4", "f8", "u1", "i8"].contains(kind) else {
            throw NPYError.unsupportedDType(file: file, descr: descr)
        }
        let itemSize = kind == "u1" ? 1 : kind == "f4" ? 4 : 8
        // Checked arithmetic: a hostile shape must not overflow (or go negative) on the way.
        var count = 1, overflow = header.shape.contains { $0 < 0 }
        for extent in header.shape where !overflow { (count, overflow) = count.multipliedReportingOverflow(by: extent) }
        let (needed, sizeOverflow) = count.multipliedReportingOverflow(by: itemSize)
        let body = bytes.count - dataStart
        guard !overflow, !sizeOverflow, body == needed else {
            throw NPYError.sizeMismatch(file: file, shape: header.shape, descr: descr,
                                        expectedBytes: overflow || sizeOverflow ? Int.max : needed, foundBytes: body)
        }
        let bigEndian = order == ">"
        let elements: NPYArray.Elements = bytes.withUnsafeBytes { raw in
            let data = UnsafeRawBufferPointer(rebasing: raw[dataStart...])
            func load<T: FixedWidthInteger>(_: T.Type) -> [T] {
                (0..<count).map { i in
                    let v = data.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self)
                    return bigEndian ? T(bigEndian: v) : T(littleEndian: v)
                }
            }
            switch kind {
            case "f4": return .float32(load(UInt32.self).map(Float.init(bitPattern:)))
            case "f8": return .float64(load(UInt64.self).map(Double.init(bitPattern:)))
            case "u1": return .uint8(Array(data))
            default: return .int64(load(Int64.self))
            }
        }
        return NPYArray(shape: header.shape, elements: elements)
    }
}

/// The header dictionary of an NPY file, read with a small parser of the Python literals it
/// may hold (strings, booleans, tuples of integers).
struct NPYHeader {
    var descr: String
    var fortranOrder: Bool
    var shape: [Int]

    init(parsing text: String, file: String) throws {
        var scanner = LiteralScanner(text: Array(text.utf8))
        let fields = scanner.dictionary()
        guard let fields else {
            throw NPYError.malformedHeader(file: file, field: "header", expected: "a Python dict literal", found: text)
        }
        guard case .string(let descr)? = fields["descr"] else {
            throw NPYError.malformedHeader(file: file, field: "descr", expected: "a dtype string", found: "\(fields["descr"].map { "\($0)" } ?? "nothing")")
        }
        guard case .bool(let fortran)? = fields["fortran_order"] else {
            throw NPYError.malformedHeader(file: file, field: "fortran_order", expected: "True or False", found: "\(fields["fortran_order"].map { "\($0)" } ?? "nothing")")
        }
        guard case .tuple(let shape)? = fields["shape"], shape.allSatisfy({ $0 >= 0 }) else {
            throw NPYError.malformedHeader(file: file, field: "shape", expected: "a tuple of non-negative integers", found: "\(fields["shape"].map { "\($0)" } ?? "nothing")")
        }
        self.descr = descr
        self.fortranOrder = fortran
        self.shape = shape
    }

    enum Value { case string(String), bool(Bool), tuple([Int]) }

    struct LiteralScanner {
        let text: [UInt8]
        var i = 0

        mutating func skipSpace() { while i < text.count, text[i] == 0x20 || text[i] == 0x0A || text[i] == 0x09 { i += 1 } }

        mutating func eat(_ c: Character) -> Bool {
            skipSpace()
            guard i < text.count, let a = c.asciiValue, text[i] == a else { return false }
            i += 1
            return true
        }

        mutating func string() -> String? {
            skipSpace()
            guard i < text.count, text[i] == 0x27 || text[i] == 0x22 else { return nil }
            let quote = text[i]
            i += 1
            let start = i
            while i < text.count, text[i] != quote { i += 1 }
            guard i < text.count else { return nil }
            defer { i += 1 }
            return String(decoding: text[start..<i], as: UTF8.self)
        }

        mutating func integer() -> Int? {
            skipSpace()
            let start = i
            while i < text.count, (0x30...0x39).contains(text[i]) { i += 1 }
            // Python 2 era files may write long integers as `3L`.
            let value = Int(String(decoding: text[start..<i], as: UTF8.self))
            if i < text.count, text[i] == 0x4C { i += 1 }
            return value
        }

        mutating func value() -> Value? {
            skipSpace()
            guard i < text.count else { return nil }
            if text[i] == 0x27 || text[i] == 0x22 { return string().map(Value.string) }
            if eat("(") {
                var items: [Int] = []
                while !eat(")") {
                    guard let v = integer() else { return nil }
                    items.append(v)
                    if !eat(",") { guard eat(")") else { return nil }; break }
                }
                return .tuple(items)
            }
            for (word, flag) in [("True", true), ("False", false)] {
                let w = Array(word.utf8)
                if i + w.count <= text.count, Array(text[i..<(i + w.count)]) == w { i += w.count; return .bool(flag) }
            }
            return nil
        }

        mutating func dictionary() -> [String: Value]? {
            guard eat("{") else { return nil }
            var fields: [String: Value] = [:]
            while !eat("}") {
                guard let key = string(), eat(":"), let v = value() else { return nil }
                fields[key] = v
                if !eat(",") { guard eat("}") else { return nil }; break }
            }
            return fields
        }
    }
}
