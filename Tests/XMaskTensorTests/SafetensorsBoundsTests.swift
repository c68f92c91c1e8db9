import Foundation
import Testing
@testable import XMaskTensor

/// Header lengths and ranks are bounded before anything is allocated; the direct reader
/// decodes what the checked reader decodes.
struct SafetensorsBoundsTests {
    func bytes(header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> Data {
        let json = Array(header.utf8)
        var out = Data()
        withUnsafeBytes(of: (declaredLength ?? UInt64(json.count)).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: json)
        out.append(contentsOf: data)
        return out
    }

    @Test(arguments: [UInt64.max, UInt64(1) << 62, UInt64(Safetensors.maximumHeaderBytes) + 1])
    func aHugeHeaderLengthIsRefused(length: UInt64) {
        #expect(throws: SafetensorsError.headerTooLarge(file: "f", headerLength: length, limit: Safetensors.maximumHeaderBytes)) {
            try Safetensors(data: bytes(header: "{}", declaredLength: length), file: "f")
        }
    }

    @Test func aShapeOfManyDimensionsIsRefused() {
        let shape = Array(repeating: "1", count: 17).joined(separator: ",")
        let error = #expect(throws: SafetensorsError.self) {
            try Safetensors(data: bytes(header: #"{"x":{"dtype":"U8","shape":[\#(shape)],"data_offsets":[0,1]}}"#, data: [0]), file: "f")
        }
        #expect(error.map { "\($0)" }?.contains("at most 16 dimensions") == true)
    }

    @Test func aShapeWhoseSizeOverflowsIsRefused() {
        let header = #"{"x":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}"#
        #expect(throws: SafetensorsError.self) { try Safetensors(data: bytes(header: header, data: [0, 0, 0, 0]), file: "f") }
    }

    @Test func theDirectReaderMatchesTheCheckedOne() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("st-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let file = Safetensors(tensors: ["a": Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]), "b": Tensor(shape: [], scalars: [7])],
                               metadata: ["k": "v"])
        try file.write(to: scratch)
        let direct = try Safetensors.readTensors(contentsOf: scratch)
        #expect(direct.metadata == ["k": "v"])
        #expect(direct.tensors["a"]?.scalars == [1, 2, 3, 4, 5, 6] && direct.tensors["a"]?.shape == [2, 3])
        #expect(direct.tensors["b"]?.scalars == [7])
        try Data([1, 2, 3]).write(to: scratch)
        #expect(throws: SafetensorsError.truncated(file: scratch.path, byteCount: 3)) { try Safetensors.readTensors(contentsOf: scratch) }
    }

    /// The streaming readers give what the in-memory parser gives, for every dtype and across
    /// the reader's 1 MiB conversion chunks.
    @Test func theStreamingReadersMatchTheInMemoryParserForEveryDType() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("st-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: scratch) }
        var rng = SeededGenerator(seed: 5)
        var file = Safetensors(metadata: ["k": "v"])
        let n = 700_001  // F16: 1.4 MB, two chunks and a partial one
        for dtype in [SafetensorsDType.float32, .float64, .float16, .bfloat16, .int64, .int32, .uint8, .bool] {
            let count = dtype == .float16 ? n : 1_000 + Int(rng.next() % 1000)
            let bytes = (0..<(count * dtype.byteSize)).map { i -> UInt8 in
                dtype == .bool ? UInt8(i % 2) : UInt8(truncatingIfNeeded: rng.next())
            }
            file.setEntry(SafetensorsEntry(dtype: dtype, shape: [count], bytes: bytes), forKey: dtype.rawValue)
        }
        try file.write(to: scratch)
        let reference = try Safetensors(data: file.serialized())
        let bytes = try Safetensors(contentsOf: scratch)
        #expect(bytes.entries == reference.entries && bytes.metadata == ["k": "v"])
        let direct = try Safetensors.readTensors(contentsOf: scratch)
        for key in reference.keys {
            let expected = try reference.tensor(key).scalars, found = direct.tensors[key]?.scalars ?? []
            // Bit patterns: NaNs from random bytes compare unequal as floats.
            #expect(expected.map(\.bitPattern) == found.map(\.bitPattern), "\(key)")
            #expect(direct.dtypes[key] == reference.entries[key]?.dtype)
        }
    }

    @Test func aDirectoryOrAMissingFileIsAFileSystemError() throws {
        let dir = FileManager.default.temporaryDirectory
        #expect { try Safetensors(contentsOf: dir) } throws: { "\($0)".contains("not a regular file") }
        #expect { try Safetensors.readTensors(contentsOf: dir.appendingPathComponent("missing-\(UUID().uuidString)")) } throws: {
            "\($0)".contains("cannot open")
        }
    }
}
