import Foundation

/// The checked header of a safetensors file: where each entry's bytes are and what they hold.
struct SafetensorsHeader {
    struct Item {
        let dtype: SafetensorsDType
        let shape: [Int]
        /// Byte range relative to the start of the data section.
        let range: Range<Int>
    }

    /// Offset of the data section in the file.
    let dataStart: Int
    let entries: [(key: String, item: Item)]
    let metadata: [String: String]

    /// Parses the header of `bytes` (a whole file) and checks every entry against the data
    /// section: known dtype, shape × dtype size = byte range, ranges inside the data, disjoint,
    /// and covering it without gaps.
    static func parse(_ bytes: UnsafeRawBufferPointer, file: String) throws(SafetensorsError) -> SafetensorsHeader {
        let headerEnd = try headerEnd(lengthField: bytes, fileSize: bytes.count, file: file)
        return try parse(json: UnsafeRawBufferPointer(rebasing: bytes[8..<headerEnd]), fileSize: bytes.count, file: file)
    }

    /// Where the header of a file of `fileSize` bytes ends (8 + its length), from the first 8
    /// bytes (`lengthField` may hold more; fewer than 8 means the file is truncated). The length
    /// is checked against ``Safetensors/maximumHeaderBytes`` and the file's size.
    static func headerEnd(lengthField: UnsafeRawBufferPointer, fileSize: Int, file: String) throws(SafetensorsError) -> Int {
        guard lengthField.count >= 8, fileSize >= 8 else { throw .truncated(file: file, byteCount: min(lengthField.count, fileSize)) }
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(lengthField[i]) << (8 * UInt64(i)) }
        let available = fileSize - 8
        guard length <= UInt64(Safetensors.maximumHeaderBytes) else {
            throw .headerTooLarge(file: file, headerLength: length, limit: Safetensors.maximumHeaderBytes)
        }
        guard length <= UInt64(available) else {
            throw .headerLengthBeyondFile(file: file, headerLength: length, bytesAfterLengthField: available)
        }
        return 8 + Int(length)
    }

    /// Parses the header JSON (`json`, the bytes after the length field) of a file of
    /// `fileSize` bytes and checks every entry against the data section, as ``parse(_:file:)``.
    static func parse(json: UnsafeRawBufferPointer, fileSize: Int, file: String) throws(SafetensorsError) -> SafetensorsHeader {
        let headerEnd = 8 + json.count
        let dataCount = fileSize - headerEnd
        let raw = try decode(Data(json), file: file)

        var items: [(key: String, item: Item)] = []
        for key in raw.entries.keys.sorted(by: Safetensors.byteOrder) {
            guard let entry = raw.entries[key] else { continue }
            guard let dtype = SafetensorsDType(rawValue: entry.dtype) else {
                throw .unknownDType(file: file, key: key, dtype: entry.dtype)
            }
            guard entry.shape.count <= Safetensors.maximumRank else {
                throw .invalidField(file: file, key: key, field: "shape",
                                    expected: "at most \(Safetensors.maximumRank) dimensions, found \(entry.shape.count)")
            }
            let shape = entry.shape.compactMap(\.value)
            guard shape.count == entry.shape.count, shape.allSatisfy({ $0 >= 0 }) else {
                throw .invalidField(file: file, key: key, field: "shape",
                                    expected: "non-negative integers, found [\(entry.shape.map(\.found).joined(separator: ", "))]")
            }
            let offsets = entry.dataOffsets.compactMap(\.value)
            guard offsets.count == 2, entry.dataOffsets.count == 2 else {
                throw .invalidField(file: file, key: key, field: "data_offsets",
                                    expected: "two integers [begin, end], found [\(entry.dataOffsets.map(\.found).joined(separator: ", "))]")
            }
            let begin = offsets[0], end = offsets[1]
            guard begin >= 0, begin <= end, end <= dataCount else {
                throw .offsetsOutOfRange(file: file, key: key, begin: begin, end: end, dataByteCount: dataCount)
            }
            var needed = dtype.byteSize
            var overflow = false
            for extent in shape where !overflow {
                (needed, overflow) = needed.multipliedReportingOverflow(by: extent)
            }
            guard !overflow, needed == end - begin else {
                throw .sizeMismatch(file: file, key: key, dtype: dtype.rawValue, shape: shape,
                                    expectedByteCount: overflow ? Int.max : needed, byteCount: end - begin)
            }
            items.append((key, Item(dtype: dtype, shape: shape, range: begin..<end)))
        }

        // The ranges must tile the data section: sorted by position, each starts where the
        // previous one ended, and the last ends at the end of the data.
        let byPosition = items.sorted {
            ($0.item.range.lowerBound, $0.item.range.upperBound) < ($1.item.range.lowerBound, $1.item.range.upperBound)
        }
        var cursor = 0
        var previous: (key: String, item: Item)?
        for current in byPosition {
            let range = current.item.range
            if range.lowerBound < cursor, let previous {
                throw .overlappingOffsets(file: file, key: current.key, range: range,
                                          otherKey: previous.key, otherRange: previous.item.range)
            }
            if range.lowerBound > cursor {
                throw .uncoveredData(file: file, range: cursor..<range.lowerBound, dataByteCount: dataCount)
            }
            if range.upperBound >= cursor {
                cursor = range.upperBound
                previous = current
            }
        }
        if cursor < dataCount {
            throw .uncoveredData(file: file, range: cursor..<dataCount, dataByteCount: dataCount)
        }
        return SafetensorsHeader(dataStart: headerEnd, entries: items, metadata: raw.metadata)
    }

    // MARK: JSON

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int?
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) {
            self.stringValue = String(intValue)
            self.intValue = intValue
        }
    }

    /// A JSON number that should be an integer; keeps what was found for the error message
    /// (the decoder would otherwise report `1.5` in a shape as "not valid JSON").
    private struct Integer: Decodable {
        let value: Int?
        let found: String

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let i = try? container.decode(Int.self) {
                value = i
                found = String(i)
            } else if let d = try? container.decode(Double.self) {
                value = nil
                found = "\(d)"
            } else if let s = try? container.decode(String.self) {
                value = nil
                found = "\"\(s)\""
            } else {
                value = nil
                found = "a value that is not a number"
            }
        }
    }

    private struct RawEntry: Decodable {
        let dtype: String
        let shape: [Integer]
        let dataOffsets: [Integer]
        enum CodingKeys: String, CodingKey {
            case dtype, shape
            case dataOffsets = "data_offsets"
        }
    }

    private struct RawHeader: Decodable {
        var entries: [String: RawEntry] = [:]
        var metadata: [String: String] = [:]

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: AnyKey.self)
            for key in container.allKeys {
                if key.stringValue == Safetensors.metadataKey {
                    metadata = try container.decode([String: String].self, forKey: key)
                } else {
                    entries[key.stringValue] = try container.decode(RawEntry.self, forKey: key)
                }
            }
        }
    }

    /// Decodes the JSON header, turning decoder errors into ones that name the key and field.
    private static func decode(_ json: Data, file: String) throws(SafetensorsError) -> RawHeader {
        guard String(data: json, encoding: .utf8) != nil else {
            throw .invalidHeader(file: file, reason: "not valid UTF-8")
        }
        do {
            return try JSONDecoder().decode(RawHeader.self, from: json)
        } catch let error as DecodingError {
            throw describe(error, file: file)
        } catch {
            throw .invalidHeader(file: file, reason: "\(error)")
        }
    }

    private static func describe(_ error: DecodingError, file: String) -> SafetensorsError {
        func located(_ path: [any CodingKey], expected: String, underlying: String) -> SafetensorsError {
            let names = path.filter { $0.intValue == nil }.map(\.stringValue)
            guard let key = names.first else {
                return .invalidHeader(file: file, reason: underlying)
            }
            let field = names.dropFirst().first ?? "(the entry itself)"
            return .invalidField(file: file, key: key, field: field, expected: expected)
        }
        /// What belongs at `path`, by field name (the decoder's type names are not for users).
        func expectedText(at path: [any CodingKey]) -> String {
            let names = path.filter { $0.intValue == nil }.map(\.stringValue)
            if names.first == Safetensors.metadataKey {
                return names.count == 1 ? "an object of string values" : "a string value"
            }
            switch names.dropFirst().first {
            case nil: return "an object with dtype, shape and data_offsets"
            case "dtype": return "a string"
            case "shape": return "an array of non-negative integers"
            case "data_offsets": return "two integers [begin, end]"
            default: return "a value of another JSON type"
            }
        }
        switch error {
        case .typeMismatch(_, let context):
            return located(context.codingPath, expected: expectedText(at: context.codingPath),
                           underlying: "expected a JSON object at the top level")
        case .valueNotFound(_, let context):
            return located(context.codingPath, expected: expectedText(at: context.codingPath) + ", found null",
                           underlying: context.debugDescription)
        case .keyNotFound(let missing, let context):
            guard let key = context.codingPath.first?.stringValue else {
                return .invalidHeader(file: file, reason: context.debugDescription)
            }
            return .invalidField(file: file, key: key, field: missing.stringValue, expected: "a value, but the field is missing")
        case .dataCorrupted(let context):
            let reason = (context.underlyingError.map { "\($0)" } ?? context.debugDescription)
            if context.codingPath.isEmpty {
                return .invalidHeader(file: file, reason: "invalid JSON: \(reason)")
            }
            return located(context.codingPath, expected: "a valid value (\(context.debugDescription))", underlying: reason)
        @unknown default:
            return .invalidHeader(file: file, reason: "\(error)")
        }
    }

    /// The header JSON, written by hand so its bytes are the same on every platform:
    /// compact, `__metadata__` first (when not empty, its keys in byte order), then the entries
    /// in `order`.
    static func json(order: [String], entries: [String: SafetensorsEntry], ranges: [String: Range<Int>],
                     metadata: [String: String]) -> String {
        var parts: [String] = []
        if !metadata.isEmpty {
            let fields = metadata.keys.sorted(by: Safetensors.byteOrder).map { key in
                quoted(key) + ":" + quoted(metadata[key] ?? "")
            }
            parts.append(quoted(Safetensors.metadataKey) + ":{" + fields.joined(separator: ",") + "}")
        }
        for key in order {
            guard let entry = entries[key], let range = ranges[key] else { continue }
            let shape = entry.shape.map(String.init).joined(separator: ",")
            parts.append(quoted(key) + ":{\"dtype\":" + quoted(entry.dtype.rawValue) + ",\"shape\":[" + shape
                + "],\"data_offsets\":[\(range.lowerBound),\(range.upperBound)]}")
        }
        return "{" + parts.joined(separator: ",") + "}"
    }

    /// A JSON string literal (RFC 8259 escapes, as serde_json writes them; non-ASCII kept as UTF-8).
    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
