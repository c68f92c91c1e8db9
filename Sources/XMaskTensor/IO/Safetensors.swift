import Foundation

/// The contents of a safetensors file: named entries and string metadata.
///
/// The format (Hugging Face's, read by PyTorch and the Hugging Face tools): an 8-byte
/// little-endian header length `n`, `n` bytes of UTF-8 JSON
/// `{KEY: {"dtype": D, "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {str: str}}`,
/// then the data section; offsets are relative to the start of the data section, and the
/// entries' byte ranges tile it exactly. Elements are little-endian and row-major.
///
/// Reading checks everything before any byte is used (see ``SafetensorsError``) and accepts
/// the dtypes of ``SafetensorsDType``. Writing is deterministic and lays the file out the way
/// the Hugging Face writer (`safetensors` 0.4+) does, so a file with at most one metadata
/// field comes out byte for byte as `safetensors.torch.save_file` would write it: entries
/// sorted by dtype (I64, F64, F32, I32, BF16, F16, U8, BOOL, so every element is aligned to its
/// size) and then by key in byte order, the header listing `__metadata__` (keys in byte order,
/// omitted when empty) and then the entries in that same order, compact, padded with spaces to
/// a multiple of 8 bytes.
public struct Safetensors: Sendable {
    /// The path this was read from, or `"<memory>"`; used in error messages.
    public var file: String
    /// The entries by key.
    public private(set) var entries: [String: SafetensorsEntry]
    /// The `__metadata__` map (free-form strings: generator, versions, hashes).
    public var metadata: [String: String]

    /// The reserved header key that holds the metadata.
    public static let metadataKey = "__metadata__"
    /// The largest header accepted, bytes (the Hugging Face reader's limit).
    public static let maximumHeaderBytes = 100_000_000
    /// The most dimensions an entry may have.
    public static let maximumRank = 16

    /// An empty file's contents.
    public init(metadata: [String: String] = [:], file: String = "<memory>") {
        self.file = file
        self.entries = [:]
        self.metadata = metadata
    }

    /// `F32` entries holding `tensors`.
    public init(tensors: [String: Tensor], metadata: [String: String] = [:]) {
        self.init(metadata: metadata)
        for (key, tensor) in tensors { setTensor(tensor, forKey: key) }
    }

    /// The keys in byte order.
    public var keys: [String] { entries.keys.sorted(by: Self.byteOrder) }

    /// Adds or replaces an `F32` entry.
    public mutating func setTensor(_ tensor: Tensor, forKey key: String) {
        setEntry(SafetensorsEntry(tensor), forKey: key)
    }

    /// Adds or replaces an entry of any dtype (raw bytes, for example a bit-packed `U8` mask).
    ///
    /// - Precondition: `key` is not empty and is not `"__metadata__"`.
    public mutating func setEntry(_ entry: SafetensorsEntry, forKey key: String) {
        precondition(!key.isEmpty, "Safetensors.setEntry: empty key")
        precondition(key != Self.metadataKey, "Safetensors.setEntry: \"\(Self.metadataKey)\" is reserved for metadata")
        entries[key] = entry
    }

    /// Removes the entry for `key`, returning it.
    @discardableResult
    public mutating func removeEntry(forKey key: String) -> SafetensorsEntry? {
        entries.removeValue(forKey: key)
    }

    /// The entry for `key`, raw.
    public func entry(_ key: String) throws(SafetensorsError) -> SafetensorsEntry {
        guard let entry = entries[key] else { throw .missingKey(file: file, key: key) }
        return entry
    }

    /// The entry for `key` as a `Float` tensor (any supported dtype is converted).
    public func tensor(_ key: String) throws(SafetensorsError) -> Tensor {
        try entry(key).tensor()
    }

    /// The entry for `key` as a `Float` tensor, which must have `shape`.
    public func tensor(_ key: String, shape: [Int]) throws(SafetensorsError) -> Tensor {
        let entry = try entry(key)
        guard entry.shape == shape else {
            throw .shapeMismatch(file: file, key: key, expected: shape, found: entry.shape)
        }
        return entry.tensor()
    }

    /// Every entry as a `Float` tensor.
    public func tensors() -> [String: Tensor] {
        entries.mapValues { $0.tensor() }
    }

    // MARK: Reading

    /// Reads and checks the file at `url`: the header first, then each entry's bytes straight
    /// into the array that keeps them (`pread`, no mapping), so reading holds one copy of the
    /// data. The checks are those of ``init(data:file:)``.
    public init(contentsOf url: URL) throws(SafetensorsError) {
        let reader = try SafetensorsFileReader(url)
        var entries: [String: SafetensorsEntry] = [:]
        entries.reserveCapacity(reader.header.entries.count)
        for (key, item) in reader.header.entries {
            var failure: SafetensorsError?
            let bytes = [UInt8](unsafeUninitializedCapacity: item.range.count) { out, initialized in
                do throws(SafetensorsError) {
                    try reader.read(item, into: UnsafeMutableRawBufferPointer(out))
                    initialized = item.range.count
                } catch {
                    failure = error
                    initialized = 0
                }
            }
            if let failure { throw failure }
            entries[key] = SafetensorsEntry(dtype: item.dtype, shape: item.shape, bytes: bytes)
        }
        self.init(metadata: reader.header.metadata, file: url.path)
        self.entries = entries
    }

    /// Reads the file at `url` straight into `Float` tensors, checked as ``init(contentsOf:)``
    /// checks it: each entry is read into its tensor's storage (an `F32` entry directly, other
    /// dtypes converted a megabyte at a time), so the only copy held is the tensors. `dtypes`
    /// gives each entry's stored type (an importer refuses integer weights).
    public static func readTensors(contentsOf url: URL) throws(SafetensorsError)
        -> (tensors: [String: Tensor], metadata: [String: String], dtypes: [String: SafetensorsDType])
    {
        let reader = try SafetensorsFileReader(url)
        var tensors: [String: Tensor] = [:]
        var dtypes: [String: SafetensorsDType] = [:]
        tensors.reserveCapacity(reader.header.entries.count)
        for (key, item) in reader.header.entries {
            let n = item.range.count / item.dtype.byteSize
            var failure: SafetensorsError?
            let scalars = [Float](unsafeUninitializedCapacity: n) { out, initialized in
                do throws(SafetensorsError) {
                    try reader.readFloats(item, into: UnsafeMutableBufferPointer(rebasing: out[0..<n]))
                    initialized = n
                } catch {
                    failure = error
                    initialized = 0
                }
            }
            if let failure { throw failure }
            tensors[key] = Tensor(shape: item.shape, scalars: scalars)
            dtypes[key] = item.dtype
        }
        return (tensors, reader.header.metadata, dtypes)
    }

    /// Parses and checks the bytes of a safetensors file; `file` names it in error messages.
    public init(data: Data, file: String = "<memory>") throws(SafetensorsError) {
        typealias Parsed = (entries: [String: SafetensorsEntry], metadata: [String: String])
        let parsed = data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> Result<Parsed, SafetensorsError> in
            do throws(SafetensorsError) {
                let layout = try SafetensorsHeader.parse(bytes, file: file)
                var entries: [String: SafetensorsEntry] = [:]
                entries.reserveCapacity(layout.entries.count)
                let base = layout.dataStart
                for (key, item) in layout.entries {
                    let source = UnsafeRawBufferPointer(
                        rebasing: bytes[(base + item.range.lowerBound)..<(base + item.range.upperBound)])
                    let slice = [UInt8](unsafeUninitializedCapacity: source.count) { out, initialized in
                        if let to = out.baseAddress, let from = source.baseAddress {
                            UnsafeMutableRawPointer(to).copyMemory(from: from, byteCount: source.count)
                        }
                        initialized = source.count
                    }
                    entries[key] = SafetensorsEntry(dtype: item.dtype, shape: item.shape, bytes: slice)
                }
                return .success((entries, layout.metadata))
            } catch {
                return .failure(error)
            }
        }
        let (entries, metadata) = try parsed.get()
        self.init(metadata: metadata, file: file)
        self.entries = entries
    }

    // MARK: Writing

    /// The file's bytes (deterministic; see the type's documentation).
    public func serialized() -> Data {
        let order = entries.keys.sorted { a, b in
            let ra = entries[a]?.dtype.writeRank ?? 0, rb = entries[b]?.dtype.writeRank ?? 0
            return ra != rb ? ra < rb : Self.byteOrder(a, b)
        }
        var ranges: [String: Range<Int>] = [:]
        var offset = 0
        for key in order {
            let count = entries[key]?.bytes.count ?? 0
            ranges[key] = offset..<(offset + count)
            offset += count
        }
        var header = Array(SafetensorsHeader.json(order: order, entries: entries, ranges: ranges, metadata: metadata).utf8)
        while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }

        var out = Data()
        out.reserveCapacity(8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: header)
        for key in order {
            if let entry = entries[key] { out.append(contentsOf: entry.bytes) }
        }
        return out
    }

    /// Writes the file to `url` atomically (temporary file, fsync, rename; see ``AtomicFile``).
    public func write(to url: URL) throws(SafetensorsError) {
        do {
            try AtomicFile.write(serialized(), to: url)
        } catch {
            throw .fileSystem(error)
        }
    }

    /// Byte-wise (UTF-8) order, the same on every platform and locale.
    static func byteOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}

extension Safetensors {
    /// `value` as JSON with sorted keys, for a metadata entry: the same value gives the same bytes
    /// in every process (Foundation's encoder otherwise orders keys by the per-process hash seed,
    /// so two runs of the same study wrote different task files with identical tensors).
    public static func metadataJSON(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
