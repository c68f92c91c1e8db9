import Foundation
import XMaskCrossbar
import XMaskData
import XMaskExperiments
import XMaskTensor

/// One input format: valid seed files, how to mutate them, and the parser (plus what runs on
/// an accepted input) to feed them to.
public struct FuzzTarget: Sendable {
    /// What a case led to when it did not throw.
    public enum Outcome: Sendable { case accepted, nonFinite }

    public let name: String
    public let seeds: [[UInt8]]
    public let mutate: @Sendable (inout Mutator, [UInt8]) -> [UInt8]
    /// Parses (and uses) the input; throwing is a clean refusal.
    public let run: @Sendable ([UInt8]) throws -> Outcome

    public init(name: String, seeds: [[UInt8]], mutate: @escaping @Sendable (inout Mutator, [UInt8]) -> [UInt8],
                run: @escaping @Sendable ([UInt8]) throws -> Outcome) {
        self.name = name
        self.seeds = seeds
        self.mutate = mutate
        self.run = run
    }

    /// Every format, in the order the issue lists them.
    public static var all: [FuzzTarget] { [safetensors, idx, npz, csv, yaml, hwConfig, masks, bundle, cifar, png, importWeights] }

    public static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}

// MARK: - Seeds and helpers

enum FuzzSeeds {
    static func bigEndian(_ values: [UInt32]) -> [UInt8] {
        values.flatMap { v in [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
    }

    static func littleEndian(_ v: UInt64, _ width: Int) -> [UInt8] { (0..<width).map { UInt8(truncatingIfNeeded: v >> UInt64(8 * $0)) } }

    /// A gzip member of `data` using stored DEFLATE blocks (no compressor needed).
    static func gzipStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3] + deflateStored(data)
        out += littleEndian(UInt64(CRC32.checksum(data)), 4) + littleEndian(UInt64(UInt32(truncatingIfNeeded: data.count)), 4)
        return out
    }

    static func deflateStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var start = 0
        repeat {
            let n = min(65_535, data.count - start)
            let final: UInt8 = start + n == data.count ? 1 : 0
            out += [final] + littleEndian(UInt64(n), 2) + littleEndian(UInt64(~UInt16(n)), 2) + data[start..<(start + n)]
            start += n
        } while start < data.count
        return out
    }

    /// A fixed-Huffman stream of `1 + 258·matches` zeros (a small decompression bomb).
    static func deflateZeros(matches: Int) -> [UInt8] {
        var out: [UInt8] = []
        var buffer: UInt64 = 0, count = 0
        func put(_ value: Int, _ n: Int) {
            buffer |= UInt64(value) << UInt64(count)
            count += n
            while count >= 8 { out.append(UInt8(buffer & 0xFF)); buffer >>= 8; count -= 8 }
        }
        func code(_ value: Int, _ n: Int) {
            var reversed = 0
            for i in 0..<n where value & (1 << i) != 0 { reversed |= 1 << (n - 1 - i) }
            put(reversed, n)
        }
        put(1, 1); put(1, 2)
        code(0x30, 8)
        for _ in 0..<matches { code(0xC5, 8); code(0, 5) }
        code(0, 7)
        if count > 0 { out.append(UInt8(buffer & 0xFF)) }
        return out
    }

    /// A zip archive of `members` (name, data, deflated?) as NumPy writes an `.npz`.
    static func zip(_ members: [(String, [UInt8], Bool)]) -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] { littleEndian(UInt64(v), 2) }
        func u32(_ v: Int) -> [UInt8] { littleEndian(UInt64(v), 4) }
        var out: [UInt8] = [], directory: [UInt8] = []
        for (name, data, deflated) in members {
            let stored = deflated ? deflateStored(data) : data
            let crc = Int(CRC32.checksum(data)), nameBytes = Array(name.utf8)
            let offset = out.count
            out += u32(0x0403_4B50) + u16(20) + u16(0) + u16(deflated ? 8 : 0) + u16(0) + u16(0) + u32(crc) + u32(stored.count)
                + u32(data.count) + u16(nameBytes.count) + u16(0) + nameBytes + stored
            directory += u32(0x0201_4B50) + u16(20) + u16(20) + u16(0) + u16(deflated ? 8 : 0) + u16(0) + u16(0) + u32(crc)
                + u32(stored.count) + u32(data.count) + u16(nameBytes.count) + u16(0) + u16(0) + u16(0) + u16(0) + u32(0)
                + u32(offset) + nameBytes
        }
        let start = out.count
        out += directory
        out += u32(0x0605_4B50) + u16(0) + u16(0) + u16(members.count) + u16(members.count) + u32(directory.count) + u32(start) + u16(0)
        return out
    }

    static let csv = """
    IFM_H,IFM_W,Cin,Kh,Kw,Cout,maxpool_after,stride
    # a small ResNet-style network
    32,32,3,3,3,16,0,1
    32,32,16,3,3,16,0,1
    32,32,16,3,3,32,0,2
    16,16,32,3,3,64,1,2
    1,1,64,1,1,10,0,1

    """

    static let yaml = """
    name: small
    seed: 1
    out: runs/small

    backbone:
      model: resnet20
      data: data/fashion-mnist
      image_size: 28
      channels: 1
      bits: 4
      edge_bits: 8
      epochs: 2
      train_subset: 3000
      batch_size: 128
      learning_rate: 0.05
      crop_padding: 2
      flip: true

    hardware:
      preset: xbm-32nm
      spare_pe_fraction: 0.2

    tasks:
      - {name: mnist, data: data/mnist}
      - {name: optdigits, data: data/optdigits}

    methods: [finetune, piggyback, ksm, xbm, {xma: {shift_levels: 3}}, {xma2: {pe_fraction: [0.05, 0.1, 0.2], shift_levels: 3}}]

    adapt:
      steps: 50
      batch_size: 64
      train_subset: 1500
      recalibration_batches: 10

    """

    static let hwYAML = """
    # a 128×128 variant
    preset: xbm-32nm
    arrayRows: 128
    arrayColumns: 128
    adcEnergyPerConversionPicojoules: 0.04
    adderTreeEnergyPer128UnitsPicojoules: [4, 12, 30]
    sparePEFraction: 0.2

    """
    static let hwJSON = #"{"preset": "xbm-32nm", "arrayRows": 64, "cellBits": 1, "adcBits": 6, "columnsPerADC": 8, "sparePEFraction": 0.1}"#

    /// The network the masks seeds are cut for (two layers, 72-row arrays).
    static let masksNetwork = NetworkShape(name: "two", layers: [.conv("a", input: 8, 16, 40, kernel: 3), .conv("b", input: 8, 40, 10, kernel: 1)])

    static var masks: [[UInt8]] {
        let xma = TaskMasks(method: .xma(shiftLevels: 3), arrayRows: 72, layers: [
            TaskLayerMask(name: "a", columnMask: LayerColumnMask(rowChunks: 2, outputChannels: 40, levels: (0..<80).map { [0, 0.125, 0.25, 0.5, 1][$0 % 5] })),
            TaskLayerMask(name: "b", columnMask: LayerColumnMask(rowChunks: 1, outputChannels: 10, levels: Array(repeating: 1, count: 10))),
        ])
        var t = [[Int]](repeating: [Int](repeating: 0, count: 4), count: 4)
        t[0][1] = 100; t[2][3] = 7
        let fineTune = TaskMasks(method: .fineTune, arrayRows: 72, layers: [
            TaskLayerMask(name: "a", reprogramming: LayerReprogramming(cellTransitions: t, rewrittenWeights: 50)),
            TaskLayerMask(name: "b", reprogramming: LayerReprogramming(cellTransitions: t)),
        ])
        return [xma, fineTune].compactMap { try? Array($0.encoded()) }
    }

    /// A manifest in the shape the study writes (one task), version 1 and sealed version 2.
    static let manifestV1 = #"""
    {"backbone": {"data": "/data/fashion-mnist", "file": "backbone.safetensors", "model": {"imageSize": 28, "inChannels": 1, "name": "resnet20", "numClasses": 10, "quantization": {"activationBits": 4, "firstLayerBits": 8, "lastLayerBits": 8, "weightBits": 4, "weightScale": "maxAbs"}}, "sha256": "2c5e24c95b33f2ba0594dca4a4f83182df1fa82a116dfc47ea52aecdfda12636", "task": "fashion-mnist", "testAccuracy": 0.9274}, "format": "xmask-bundle", "geometry": {"activationBits": 4, "adcBits": 5, "arrayColumns": 72, "arrayRows": 72, "cellBits": 2, "columnsPerADC": 1, "floorplan": "arrays", "inputMode": "bit-serial", "peArrayColumns": 2, "peArrayRows": 2, "pipelineSpeedUp": 1, "rowMapping": "packed", "sparePEFraction": 0.4, "weightBits": 4}, "tasks": [{"config": {"beta": 2, "betaFinal": 50, "columnMaskInitial": 1, "freezeBatchNorm": false, "ksmAlpha": 0.5, "ksmBeta": 1000, "method": {"fineTune": {}}, "realMaskInitial": 0.01, "temperature": 1, "threshold": 0.005}, "data": "/data/mnist", "file": "tasks/mnist-finetune/state.safetensors", "metrics": {"inferenceEnergyMicrojoules": 0.24332680244444443, "logitsSHA256": "0cfee652414a8cdb8d01eabf320677a4315badca28ee5e8880b8b10c1d76bc8e", "maskBits": 1069632, "maskBytes": 133704, "reprogrammedCells": 148245, "reprogrammingEnergyMicrojoules": 10.064974225134934, "sparsityPerLayer": {"conv1": 0, "layer1.0.conv1": 0}, "testAccuracy": 0.9914, "totalOverInferenceEnergy": 1.0041364017954548, "trainSeconds": 138.715467461, "trainSteps": 600}, "name": "mnist-finetune", "numClasses": 10, "seed": 1, "sha256": "343fc5e9d05c7db4197a52d9b192fa4f3e96de8c1c84dd0365829e2a74219d5d"}], "version": 1}
    """#

    static func sealed(_ data: [UInt8]) -> [UInt8]? {
        guard var manifest = try? JSONDecoder().decode(BundleManifest.self, from: Data(data)) else { return nil }
        manifest.version = BundleManifest.currentVersion
        guard let digest = try? manifest.canonicalDigest() else { return nil }
        manifest.manifestSHA256 = digest
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return (try? encoder.encode(manifest)).map(Array.init)
    }
}

extension FuzzTarget {
    /// A multi-member gzip file whose members each decode to about `bytesPerMember` zeros
    /// (13 bits per 258 bytes: a 1 GiB member is 6.6 MB); trailers are valid for the size.
    public static func gzipBomb(members: Int, bytesPerMember: Int) -> [UInt8] {
        let matches = (bytesPerMember - 1) / 258
        let size = 1 + 258 * matches
        // CRC-32 of `size` zeros, fed 1 MiB at a time.
        var crc = CRC32()
        let block = [UInt8](repeating: 0, count: 1 << 20)
        var done = 0
        while done < size {
            let n = min(block.count, size - done)
            block.withUnsafeBytes { crc.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            done += n
        }
        let member = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3] + FuzzSeeds.deflateZeros(matches: matches)
            + FuzzSeeds.littleEndian(UInt64(crc.value), 4) + FuzzSeeds.littleEndian(UInt64(UInt32(truncatingIfNeeded: size)), 4)
        return Array((0..<members).map { _ in member }.joined())
    }
}

/// A report whose figures are all finite, or `.nonFinite`.
func outcome(of report: HardwareReport) -> FuzzTarget.Outcome {
    let t = report.totals
    let values = [t.inferenceEnergyMicrojoules, t.reprogrammingEnergyMicrojoules, t.totalOverInferenceEnergy]
    return values.allSatisfy(\.isFinite) ? .accepted : .nonFinite
}

// MARK: - Targets

extension FuzzTarget {
    /// Safetensors files (backbone and task files): header length, header JSON, data bytes.
    public static var safetensors: FuzzTarget {
        var a = Safetensors(tensors: ["conv1.weight": Tensor(shape: [4, 1, 3, 3], scalars: (0..<36).map { Float($0) / 7 - 2 }),
                                      "fc.bias": Tensor(shape: [4], scalars: [0.1, -0.2, 0.3, 0])],
                            metadata: ["format": "xmask-backbone", "model": "resnet20"])
        a.setEntry(SafetensorsEntry(uint8: [0b1010_1010, 0xFF, 0], shape: [3]), forKey: "conv1.mask_bits")
        let b = Safetensors(tensors: ["x": Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])])
        return FuzzTarget(name: "safetensors", seeds: [Array(a.serialized()), Array(b.serialized())], mutate: { m, input in
            var out = input
            switch m.below(4) {
            case 0:  // the header JSON as text, the length field rewritten (or kept)
                guard out.count >= 8 else { return m.mutateBytes(out) }
                var length = 0
                for i in 0..<8 { length |= Int(out[i]) << (8 * i) }
                guard length >= 0, length <= out.count - 8 else { return m.mutateBytes(out) }
                let header = m.mutateText(String(decoding: out[8..<(8 + length)], as: UTF8.self))
                let body = Array(out[(8 + length)...])
                let bytes = Array(header.utf8)
                out = (m.chance(0.8) ? FuzzSeeds.littleEndian(UInt64(bytes.count), 8) : Array(out[0..<8])) + bytes + body
            case 1:  // NaN, infinity or a huge float in the data
                let patterns: [UInt32] = [0x7FC0_0000, 0x7F80_0000, 0xFF80_0000, 0x7F7F_FFFF, 0x0000_0001]
                for _ in 0...m.below(3) where out.count >= 4 {
                    m.write(UInt64(patterns[m.below(patterns.count)]), into: &out, at: out.count - 4 * (1 + m.below(out.count / 4)), width: 4, bigEndian: false)
                }
            default:
                out = m.mutateBytes(out, fields: [(0, 8, false), (0, 4, false), (4, 4, false)])
            }
            return out
        }, run: { input in
            // As a bundle reads a backbone: parse, convert, refuse what is not finite.
            let file = try Safetensors(data: Data(input), file: "fuzz.safetensors")
            try TaskBundle.checkFinite(file.tensors(), file: file.file)
            return .accepted
        })
    }

    /// IDX images and labels, raw and gzip (stored blocks, and a small zero bomb).
    public static var idx: FuzzTarget {
        let images = FuzzSeeds.bigEndian([IDX.imagesMagic, 3, 4, 4]) + (0..<48).map { UInt8($0 * 5) }
        let labels = FuzzSeeds.bigEndian([IDX.labelsMagic, 3]) + [0, 9, 4]
        let zeros = [UInt8](repeating: 0, count: 1 + 258 * 2000)
        // Two members: a labels header for N labels, then N zero labels from a 6 KB bomb.
        let bomb: [UInt8] = FuzzSeeds.gzipStored(FuzzSeeds.bigEndian([IDX.labelsMagic, UInt32(zeros.count)]))
            + [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3] + FuzzSeeds.deflateZeros(matches: 2000)
            + FuzzSeeds.littleEndian(UInt64(CRC32.checksum(zeros)), 4) + FuzzSeeds.littleEndian(UInt64(zeros.count), 4)
        return FuzzTarget(name: "idx", seeds: [images, labels, FuzzSeeds.gzipStored(images), FuzzSeeds.gzipStored(labels), bomb],
                          mutate: { m, input in
            if Gzip.hasMagic(input), m.chance(0.5), let raw = try? Gzip.decompress(input, maximumOutput: 1 << 20) {
                // Mutate the content, then compress it again (a well-formed gzip of a bad IDX).
                let mutated = m.mutateBytes(raw, fields: [(0, 4, true), (4, 4, true), (8, 4, true), (12, 4, true)])
                return m.chance(0.5) ? FuzzSeeds.gzipStored(mutated) : FuzzSeeds.gzipStored(mutated) + FuzzSeeds.gzipStored(mutated)
            }
            if Gzip.hasMagic(input) {
                return m.mutateBytes(input, fields: [(3, 1, false), (input.count - 4, 4, false), (input.count - 8, 4, false)])
            }
            return m.mutateBytes(input, fields: [(0, 4, true), (4, 4, true), (8, 4, true), (12, 4, true)])
        }, run: { input in
            let bytes = Gzip.hasMagic(input) ? try Gzip.decompress(input, file: "fuzz.gz") : input
            if bytes.count >= 4 && bytes[3] == 3 {
                _ = try IDX.parseImages(bytes, file: "fuzz-images")
            } else {
                _ = try IDX.parseLabels(bytes, file: "fuzz-labels", classCount: 10)
            }
            return .accepted
        })
    }

    /// NPZ archives (zip of NPY members, stored and deflated): zip fields and NPY headers.
    public static var npz: FuzzTarget {
        let x = NPY.encode(NPYArray(shape: [2, 3, 3], elements: .float32((0..<18).map(Float.init))))
        let y = NPY.encode(NPYArray(shape: [2], elements: .uint8([1, 7])))
        let seed = FuzzSeeds.zip([("x.npy", x, false), ("y.npy", y, true)])
        return FuzzTarget(name: "npz", seeds: [seed, x], mutate: { m, input in
            if m.chance(0.3), input.count > 10, input[0] == 0x93 {  // an NPY: its header dictionary as text
                let headerEnd = min(input.count, 10 + (Int(input[8]) | Int(input[9]) << 8))
                let text = m.mutateText(String(decoding: input[10..<headerEnd], as: UTF8.self))
                let npy = Array(input[0..<8]) + FuzzSeeds.littleEndian(UInt64(text.utf8.count), 2) + Array(text.utf8) + Array(input[headerEnd...])
                return m.chance(0.5) ? npy : FuzzSeeds.zip([("x.npy", npy, m.chance(0.5))])
            }
            // Central-directory fields: sizes, offsets, counts, the end record.
            let end = input.count - 22
            var fields: [(Int, Int, Bool)] = [(end + 8, 2, false), (end + 10, 2, false), (end + 12, 4, false), (end + 16, 4, false)]
            if let cd = input.count >= 22 ? Int(exactly: UInt32(input[end + 16]) | UInt32(input[end + 17]) << 8 | UInt32(input[end + 18]) << 16 | UInt32(input[end + 19]) << 24) : nil,
               cd + 46 <= input.count {
                fields += [(cd + 10, 2, false), (cd + 20, 4, false), (cd + 24, 4, false), (cd + 28, 2, false), (cd + 42, 4, false)]
            }
            fields += [(18, 4, false), (22, 4, false), (26, 2, false)]
            return m.mutateBytes(input, fields: fields.filter { $0.0 >= 0 }.map { (offset: $0.0, width: $0.1, bigEndian: $0.2) })
        }, run: { input in
            if input.first == 0x93 {
                _ = try NPY.parse(input, file: "fuzz.npy")
                return .accepted
            }
            let archive = try ZipArchive(bytes: input, file: "fuzz.npz")
            for entry in archive.entries { _ = try NPY.parse(try archive.data(of: entry), file: "fuzz.npz/\(entry.name)") }
            return .accepted
        })
    }

    /// NeuroSim network CSV (`hw --network`), then the hardware report on it.
    public static var csv: FuzzTarget {
        FuzzTarget(name: "csv", seeds: [Array(FuzzSeeds.csv.utf8)], mutate: { m, input in
            Array(m.mutateText(String(decoding: input, as: UTF8.self)).utf8)
        }, run: { input in
            let network = try NetworkShape.parseCSV(String(decoding: input, as: UTF8.self), file: "fuzz.csv")
            return outcome(of: try HardwareModel().report(network: network, method: .xbm))
        })
    }

    /// YAML experiment files (`reproduce --check`), datasets not touched.
    public static var yaml: FuzzTarget {
        FuzzTarget(name: "yaml", seeds: [Array(FuzzSeeds.yaml.utf8)], mutate: { m, input in
            Array(m.mutateText(String(decoding: input, as: UTF8.self)).utf8)
        }, run: { input in
            _ = try ExperimentFile.parse(String(decoding: input, as: UTF8.self), path: "fuzz.yaml",
                                         directory: URL(fileURLWithPath: "/nonexistent"), checkData: false)
            return .accepted
        })
    }

    /// `hw --config` files (YAML and JSON), applied to the default preset and reported.
    public static var hwConfig: FuzzTarget {
        FuzzTarget(name: "hw-config", seeds: [Array(FuzzSeeds.hwYAML.utf8), Array(FuzzSeeds.hwJSON.utf8)], mutate: { m, input in
            Array(m.mutateText(String(decoding: input, as: UTF8.self)).utf8)
        }, run: { input in
            let config = try HardwareConfigFile.parse(String(decoding: input, as: UTF8.self), file: "fuzz-hw")
            let preset = try config.apply(to: try HardwarePreset.named(config.presetName ?? HardwarePreset.defaultName))
            return outcome(of: try HardwareModel(preset: preset).report(network: FuzzSeeds.masksNetwork, method: .xma(shiftLevels: 3)))
        })
    }

    /// Masks JSON (`hw --masks`), validated against its network and reported.
    public static var masks: FuzzTarget {
        FuzzTarget(name: "masks", seeds: FuzzSeeds.masks, mutate: { m, input in
            Array(m.mutateText(String(decoding: input, as: UTF8.self)).utf8)
        }, run: { input in
            let masks = try TaskMasks.decode(Data(input), file: "fuzz-masks.json")
            let method = try masks.adaptationMethod()
            return outcome(of: try HardwareModel().report(network: FuzzSeeds.masksNetwork, method: method,
                                                          activity: .masks(masks, file: "fuzz-masks.json")))
        })
    }

    /// `bundle.json`, half of the cases re-sealed (self-hash updated) so the field checks are
    /// what refuses them; an accepted manifest's geometry is then mapped and reported.
    public static var bundle: FuzzTarget {
        let v1 = Array(FuzzSeeds.manifestV1.utf8)
        return FuzzTarget(name: "bundle", seeds: [v1, FuzzSeeds.sealed(v1) ?? v1], mutate: { m, input in
            let mutated = Array(m.mutateText(String(decoding: input, as: UTF8.self)).utf8)
            return m.chance(0.5) ? (FuzzSeeds.sealed(mutated) ?? mutated) : mutated
        }, run: { input in
            let (manifest, _) = try TaskBundle.decodeManifest(Data(input), file: "fuzz/bundle.json")
            var preset = HardwarePreset.xbm32nm
            preset.geometry = manifest.geometry
            return outcome(of: try HardwareModel(preset: preset).report(network: FuzzSeeds.masksNetwork, method: .xbm))
        })
    }
}
