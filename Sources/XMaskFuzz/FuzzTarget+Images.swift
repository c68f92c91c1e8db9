import Foundation
import XMaskData
import XMaskExperiments
import XMaskNN
import XMaskTensor

// CIFAR binary batches, PNG images and `xmask import` state dicts.

extension FuzzSeeds {
    /// `count` CIFAR records of `labelBytes` label byte(s) and 3072 pixels each.
    static func cifar(records count: Int, labelBytes: Int) -> [UInt8] {
        var out: [UInt8] = []
        for r in 0..<count {
            for l in 0..<labelBytes { out.append(UInt8((r + l) % 10)) }
            for i in 0..<3072 { out.append(UInt8(truncatingIfNeeded: i * 7 + r)) }
        }
        return out
    }

    // MARK: PNG

    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// A chunk: length, type, data, CRC-32 of type and data.
    static func pngChunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        var crc = CRC32()
        crc.update(typeBytes)
        crc.update(data)
        return bigEndian([UInt32(data.count)]) + typeBytes + data + bigEndian([crc.value])
    }

    /// A zlib stream (RFC 1950) of stored DEFLATE blocks.
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        [0x78, 0x01] + deflateStored(data) + bigEndian([PNG.adler32Value(data)])
    }

    /// A PNG of `rows` (each row: filter byte then the packed samples), colour type and depth.
    static func png(width: Int, height: Int, depth: Int, colour: Int, rows: [UInt8], palette: [UInt8]? = nil) -> [UInt8] {
        let header = bigEndian([UInt32(width), UInt32(height)]) + [UInt8(depth), UInt8(colour), 0, 0, 0]
        var out = FuzzSeeds.pngSignature + pngChunk("IHDR", header)
        if let palette { out += pngChunk("PLTE", palette) }
        return out + pngChunk("IDAT", zlibStored(rows)) + pngChunk("IEND", [])
    }

    /// Rows of `bytesPerRow` sample bytes, the filter types cycling through 0…4.
    static func pngRows(height: Int, bytesPerRow: Int) -> [UInt8] {
        var out: [UInt8] = []
        for y in 0..<height {
            out.append(UInt8(y % 5))
            for i in 0..<bytesPerRow { out.append(UInt8(truncatingIfNeeded: 37 * i + 11 * y)) }
        }
        return out
    }

    /// The chunks of a PNG (type, data), or nil when it does not split into chunks.
    static func pngChunks(_ bytes: [UInt8]) -> [(type: String, data: [UInt8])]? {
        guard bytes.count >= 8, Array(bytes[0..<8]) == FuzzSeeds.pngSignature else { return nil }
        var chunks: [(String, [UInt8])] = []
        var pos = 8
        while pos + 12 <= bytes.count {
            let length = Int(bytes[pos]) << 24 | Int(bytes[pos + 1]) << 16 | Int(bytes[pos + 2]) << 8 | Int(bytes[pos + 3])
            guard pos + 12 + length <= bytes.count else { return nil }
            chunks.append((String(decoding: bytes[(pos + 4)..<(pos + 8)], as: UTF8.self), Array(bytes[(pos + 8)..<(pos + 8 + length)])))
            pos += 12 + length
        }
        return chunks
    }

    // MARK: Import

    /// The network `xmask import` fuzz cases are checked against: ResNet-20, 1 channel, 8×8, 2 classes.
    static let importSpec = ModelSpec(name: "resnet20", inChannels: 1, numClasses: 2, imageSize: 8)

    /// A valid state dict for ``importSpec``: F32, and mixed BF16/F64 (converted on import).
    static var importSeeds: [[UInt8]] {
        var float = importSpec
        float.quantization = nil
        guard let model = try? float.build(seed: 5) else { return [] }
        let state = model.stateDict()
        var mixed = Safetensors()
        for (i, key) in state.keys.sorted().enumerated() {
            let t = state[key]!
            if key.hasSuffix("num_batches_tracked") || i % 2 == 0 {
                let bytes = t.scalars.flatMap { littleEndian(UInt64(Double($0).bitPattern), 8) }
                mixed.setEntry(SafetensorsEntry(dtype: .float64, shape: t.shape, bytes: bytes), forKey: key)
            } else {
                let bytes = t.scalars.flatMap { littleEndian(UInt64($0.bitPattern >> 16), 2) }
                mixed.setEntry(SafetensorsEntry(dtype: .bfloat16, shape: t.shape, bytes: bytes), forKey: key)
            }
        }
        return [Array(Safetensors(tensors: state).serialized()), Array(mixed.serialized())]
    }
}

extension FuzzTarget {
    /// CIFAR-10/100 binary batches, raw and gzip: record size, label bytes, truncation.
    public static var cifar: FuzzTarget {
        let ten = FuzzSeeds.cifar(records: 2, labelBytes: 1), hundred = FuzzSeeds.cifar(records: 2, labelBytes: 2)
        return FuzzTarget(name: "cifar", seeds: [ten, hundred, FuzzSeeds.gzipStored(ten)], mutate: { m, input in
            if Gzip.hasMagic(input), m.chance(0.5), let raw = try? Gzip.decompress(input, maximumOutput: 1 << 20) {
                return FuzzSeeds.gzipStored(m.mutateBytes(raw, fields: [(0, 1, false), (3073, 1, false), (3074, 1, false)]))
            }
            if m.chance(0.2) {  // whole records added or removed
                let record = 3073 + m.below(2)
                return m.chance(0.5) ? input + input.prefix(record) : Array(input.dropLast(record))
            }
            return m.mutateBytes(input, fields: [(0, 1, false), (1, 1, false), (3073, 1, false), (3074, 1, false)])
        }, run: { input in
            let bytes = Gzip.hasMagic(input) ? try Gzip.decompress(input, file: "fuzz.bin.gz") : input
            if bytes.count % 3073 == 0 {
                _ = try CIFAR.parse(bytes, labels: .cifar10, file: "fuzz-cifar10.bin")
            } else {
                _ = try CIFAR.parse(bytes, labels: .cifar100Coarse, file: "fuzz-cifar100.bin")
                _ = try CIFAR.parse(bytes, labels: .cifar100Fine, file: "fuzz-cifar100.bin")
            }
            return .accepted
        })
    }

    /// PNG images of every colour type xmask reads: IHDR fields and the scanlines mutated with
    /// the CRCs and the zlib checksum re-computed (so the decoder's deeper checks are reached),
    /// or raw bytes mutated.
    public static var png: FuzzTarget {
        let seeds = [
            FuzzSeeds.png(width: 5, height: 4, depth: 8, colour: 0, rows: FuzzSeeds.pngRows(height: 4, bytesPerRow: 5)),
            FuzzSeeds.png(width: 4, height: 3, depth: 8, colour: 2, rows: FuzzSeeds.pngRows(height: 3, bytesPerRow: 12)),
            FuzzSeeds.png(width: 6, height: 3, depth: 2, colour: 3, rows: FuzzSeeds.pngRows(height: 3, bytesPerRow: 2).map { $0 & 0x55 },
                          palette: (0..<12).map { UInt8($0 * 20) }),
            FuzzSeeds.png(width: 3, height: 3, depth: 8, colour: 4, rows: FuzzSeeds.pngRows(height: 3, bytesPerRow: 6)),
            FuzzSeeds.png(width: 2, height: 2, depth: 8, colour: 6, rows: FuzzSeeds.pngRows(height: 2, bytesPerRow: 8)),
            FuzzSeeds.png(width: 9, height: 2, depth: 1, colour: 0, rows: FuzzSeeds.pngRows(height: 2, bytesPerRow: 2)),
        ]
        return FuzzTarget(name: "png", seeds: seeds, mutate: { m, input in
            guard m.chance(0.7), var chunks = FuzzSeeds.pngChunks(input), !chunks.isEmpty else {
                return m.mutateBytes(input, fields: [(16, 4, true), (20, 4, true), (24, 1, false), (25, 1, false), (28, 1, false), (33, 4, true)])
            }
            if m.chance(0.5), let i = chunks.firstIndex(where: { $0.type == "IHDR" }) {
                // Size, depth, colour, methods: a well-formed chunk with hostile fields.
                chunks[i].data = m.mutateBytes(chunks[i].data, fields: [(0, 4, true), (4, 4, true), (8, 1, false), (9, 1, false), (12, 1, false)])
            } else if let i = chunks.firstIndex(where: { $0.type == "IDAT" }), let raw = try? Inflate.decompress(Array(chunks[i].data.dropFirst(2)), maximumOutput: 1 << 20) {
                // The scanlines: filter bytes, lengths; recompressed with a valid Adler-32.
                chunks[i].data = FuzzSeeds.zlibStored(m.mutateBytes(raw))
                if m.chance(0.2) {  // split into two IDAT chunks
                    let cut = m.below(chunks[i].data.count + 1)
                    let (a, b) = (Array(chunks[i].data[..<cut]), Array(chunks[i].data[cut...]))
                    chunks[i].data = a
                    chunks.insert(("IDAT", b), at: i + 1)
                }
            } else {
                let i = m.below(chunks.count)
                chunks[i].data = m.mutateBytes(chunks[i].data)
            }
            if m.chance(0.1), !chunks.isEmpty { chunks.remove(at: m.below(chunks.count)) }
            if m.chance(0.1), !chunks.isEmpty { let i = m.below(chunks.count); chunks.insert(chunks[i], at: i) }
            return FuzzSeeds.pngSignature + chunks.flatMap { FuzzSeeds.pngChunk($0.type, $0.data) }
        }, run: { input in
            let image = try PNG.decode(input, file: "fuzz.png")
            guard image.pixels.count == image.width * image.height * image.channels else { return .nonFinite }
            return .accepted
        })
    }

    /// `xmask import` state dicts read from a file with the streaming reader (every key, shape
    /// and dtype checked against ResNet-20, BF16/F64 converted, non-finite values refused), then
    /// quantized as the import does.
    public static var importWeights: FuzzTarget {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("xmask-fuzz-import-\(UUID().uuidString).safetensors")
        let text = FuzzTarget.safetensors.mutate
        return FuzzTarget(name: "import", seeds: FuzzSeeds.importSeeds, mutate: { m, input in
            if m.chance(0.3), input.count >= 8 {
                // A key renamed or a shape changed in the header, the length field kept right.
                var length = 0
                for i in 0..<8 { length |= Int(input[i]) << (8 * i) }
                guard length >= 0, length <= input.count - 8 else { return text(&m, input) }
                var header = String(decoding: input[8..<(8 + length)], as: UTF8.self)
                let edits = [("conv1.weight", "conv1.weights"), ("[16,1,3,3]", "[16,3,3,3]"), ("\"F32\"", "\"I64\""), ("\"BF16\"", "\"F16\""),
                             ("fc.bias", "fc.bias\":{},\"x"), ("[2]", "[3]"), ("\"F64\"", "\"U8\""), ("running_var", "running_mean")]
                let (a, b) = edits[m.below(edits.count)]
                if let r = header.range(of: a) { header.replaceSubrange(r, with: b) }
                let bytes = Array(header.utf8)
                return FuzzSeeds.littleEndian(UInt64(bytes.count), 8) + bytes + Array(input[(8 + length)...])
            }
            return text(&m, input)
        }, run: { input in
            defer { try? FileManager.default.removeItem(at: file) }
            try Data(input).write(to: file)
            _ = try BackboneImport.model(contentsOf: file, spec: FuzzSeeds.importSpec)
            return .accepted
        })
    }
}
