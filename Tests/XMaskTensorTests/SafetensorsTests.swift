import Foundation
import Testing
@testable import XMaskTensor

/// A checked-in file from `Golden/` (written by `Scripts/golden/make_tensor_golden.py`).
func goldenFile(_ name: String) throws -> Safetensors {
    let url = try #require(Bundle.module.url(forResource: name, withExtension: "safetensors", subdirectory: "Golden"),
                           "Golden/\(name).safetensors is missing; run Scripts/golden/make_tensor_golden.py")
    return try Safetensors(contentsOf: url)
}

/// The bytes of a safetensors file with the given header text and data section.
private func fileBytes(header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> Data {
    let json = Array(header.utf8)
    var out = Data()
    withUnsafeBytes(of: (declaredLength ?? UInt64(json.count)).littleEndian) { out.append(contentsOf: $0) }
    out.append(contentsOf: json)
    out.append(contentsOf: data)
    return out
}

private let file = "broken.safetensors"

/// Parses `data` as `broken.safetensors`, expecting an error, and checks that its message
/// names the file and every string in `mentions`.
@discardableResult
private func parseError(_ data: Data, mentions: [String] = [],
                        sourceLocation: SourceLocation = #_sourceLocation) -> SafetensorsError? {
    let error = #expect(throws: SafetensorsError.self, sourceLocation: sourceLocation) {
        try Safetensors(data: data, file: file)
    }
    if let error {
        let message = error.description
        #expect(message.contains(file), "message does not name the file: \(message)", sourceLocation: sourceLocation)
        for m in mentions {
            #expect(message.contains(m), "message lacks \"\(m)\": \(message)", sourceLocation: sourceLocation)
        }
    }
    return error
}

@Suite struct SafetensorsTests {
    // MARK: Round trips

    @Test func roundTripInMemory() throws {
        var rng = SeededGenerator(seed: 11)
        var st = Safetensors(metadata: ["generator": "xmask", "note": "quote \" backslash \\ newline \n tab \t µ ✓"])
        st.setTensor(Tensor.normal([2, 3, 3, 3], using: &rng), forKey: "conv1.weight")
        st.setTensor(Tensor([0.5, -1, 2]), forKey: "bn1.bias")
        st.setTensor(Tensor(3.25), forKey: "step")
        st.setTensor(Tensor.zeros([0, 4]), forKey: "empty")
        st.setEntry(SafetensorsEntry(uint8: [0b1010_0101, 0xFF, 0], shape: [3]), forKey: "mask.layer1")
        let back = try Safetensors(data: st.serialized())
        #expect(back.keys == st.keys)
        #expect(back.metadata == st.metadata)
        for key in st.keys {
            #expect(back.entries[key] == st.entries[key], "entry \(key)")
        }
        #expect(try back.tensor("conv1.weight").scalars == st.tensor("conv1.weight").scalars)
        #expect(try back.tensor("step").shape == [])
        #expect(try back.entry("mask.layer1").dtype == .uint8)
        #expect(try back.entry("mask.layer1").bytes == [0b1010_0101, 0xFF, 0])
    }

    @Test func roundTripThroughAFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("st-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let tensors = ["a": Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]), "b": Tensor([Float.pi])]
        try Safetensors(tensors: tensors, metadata: ["k": "v"]).write(to: url)
        let back = try Safetensors(contentsOf: url)
        #expect(back.file == url.path)
        #expect(back.metadata == ["k": "v"])
        #expect(back.tensors().mapValues(\.scalars) == tensors.mapValues(\.scalars))
        #expect(back.tensors().mapValues(\.shape) == tensors.mapValues(\.shape))
    }

    /// Metadata JSON lists keys in sorted order, whatever this process's hash seed: comparing two
    /// encodings in one process could not catch an unsorted encoder, the key order can.
    @Test func metadataJSONHasSortedKeys() throws {
        struct Config: Encodable { var zeta = 1, alpha = 2, mid = "x", beta: [Int] = [3], omega = true, kappa = 0.5 }
        let json = try Safetensors.metadataJSON(Config())
        #expect(json == #"{"alpha":2,"beta":[3],"kappa":0.5,"mid":"x","omega":true,"zeta":1}"#)
    }

    @Test func serializationIsDeterministicAndAligned() throws {
        var a = Safetensors(metadata: ["z": "1", "a": "2"])
        var b = Safetensors(metadata: ["a": "2", "z": "1"])
        for (key, entry) in [("m", SafetensorsEntry(uint8: [1, 2, 3], shape: [3])),
                             ("w", SafetensorsEntry(Tensor([1, 2]))), ("b", SafetensorsEntry(Tensor([3])))] {
            a.setEntry(entry, forKey: key)
        }
        for (key, entry) in [("b", SafetensorsEntry(Tensor([3]))), ("w", SafetensorsEntry(Tensor([1, 2]))),
                             ("m", SafetensorsEntry(uint8: [1, 2, 3], shape: [3]))] {
            b.setEntry(entry, forKey: key)
        }
        let bytes = a.serialized()
        #expect(bytes == b.serialized())
        let headerLength = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(headerLength % 8 == 0)
        let header = try #require(String(data: bytes.subdata(in: 8..<(8 + headerLength)), encoding: .utf8))
        #expect(header.hasPrefix(#"{"__metadata__":{"a":"2","z":"1"},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":"#))
        #expect(header.contains(#""m":{"dtype":"U8","shape":[3],"data_offsets":[12,15]}"#))
    }

    // MARK: Files written by PyTorch / the Hugging Face library

    @Test func readsEveryDTypeWrittenByPyTorch() throws {
        let st = try goldenFile("dtypes")
        #expect(st.metadata["generator"] == "Scripts/golden/make_tensor_golden.py")
        #expect(st.metadata["torch"]?.isEmpty == false)
        #expect(st.keys == ["bf16", "bool", "empty", "f16", "f32", "f64", "i32", "i64", "scalar", "u8"])

        func check(_ key: String, _ dtype: SafetensorsDType, _ shape: [Int], _ values: [Float]) throws {
            let entry = try st.entry(key)
            #expect(entry.dtype == dtype, "\(key)")
            #expect(entry.shape == shape, "\(key)")
            #expect(entry.floats() == values, "\(key)")
            #expect(try st.tensor(key).shape == shape, "\(key)")
        }
        try check("f32", .float32, [2, 3], [1.5, -2.25, 3.0, 0.0, 1e-3, -7.0])
        try check("f64", .float64, [3], [Float(0.1 as Double), -1e10, 3.0])
        try check("f16", .float16, [5], [1.0, -0.5, 65504.0, 0x1p-24, .infinity])
        try check("bf16", .bfloat16, [4], [1.0, -3.140625, 256.0, 0x1p-130])
        try check("i64", .int64, [3], [-3, 0, 0x1p40])
        try check("i32", .int32, [2, 2], [-1, 2, 3, -4])
        try check("u8", .uint8, [2, 2], [0, 1, 255, 128])
        try check("bool", .bool, [3], [1, 0, 1])
        try check("scalar", .float32, [], [42])
        try check("empty", .float32, [0, 3], [])
        #expect(try st.entry("u8").bytes == [0, 1, 255, 128])
        #expect(try st.entry("i64").bytes.count == 24)
    }

    /// Our writer lays a file out byte for byte as `safetensors.torch.save_file` does.
    @Test func writerMatchesTheHuggingFaceWriterByteForByte() throws {
        let url = try #require(Bundle.module.url(forResource: "layout", withExtension: "safetensors", subdirectory: "Golden"))
        let reference = try Data(contentsOf: url)
        var st = Safetensors(metadata: ["format": "pt"])
        st.setTensor(Tensor(shape: [2, 1, 2, 3], scalars: (0..<12).map { Float($0) / 8 }), forKey: "layer1.0.conv1.weight")
        st.setTensor(Tensor([0.5, -0.25]), forKey: "fc.bias")
        st.setEntry(SafetensorsEntry(uint8: [0b1011_0001, 0b0000_0011, 7], shape: [3]), forKey: "masks.layer1")
        st.setTensor(Tensor(shape: [], scalars: [-1]), forKey: "a.scalar")
        #expect(st.serialized() == reference)
        #expect(try Safetensors(data: reference).entries == st.entries)
    }

    // MARK: Malformed files

    @Test func tooShortForTheLengthField() {
        let error = parseError(Data([1, 2, 3]), mentions: ["3 bytes", "8-byte header length"])
        #expect(error == .truncated(file: file, byteCount: 3))
    }

    @Test func headerLengthBeyondTheFile() {
        let error = parseError(fileBytes(header: "{}", declaredLength: 1000), mentions: ["1000", "2 bytes follow"])
        #expect(error == .headerLengthBeyondFile(file: file, headerLength: 1000, bytesAfterLengthField: 2))
        // A length whose top bit is set must not wrap around.
        parseError(fileBytes(header: "{}", declaredLength: UInt64.max))
    }

    @Test func badJSON() {
        let error = parseError(fileBytes(header: #"{"a": {"dtype": "F32", "#), mentions: ["invalid JSON"])
        guard case .invalidHeader = error else { Issue.record("expected invalidHeader, got \(String(describing: error))"); return }
        parseError(fileBytes(header: "[1, 2]"), mentions: ["JSON object"])
        parseError(Data([2, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFE]), mentions: ["UTF-8"])
    }

    @Test func missingOrMistypedFields() {
        let missing = parseError(fileBytes(header: #"{"w": {"shape": [1], "data_offsets": [0, 4]}}"#, data: [0, 0, 0, 0]),
                                 mentions: ["\"w\"", "\"dtype\"", "missing"])
        #expect(missing == .invalidField(file: file, key: "w", field: "dtype", expected: "a value, but the field is missing"))
        let shape = parseError(fileBytes(header: #"{"w": {"dtype": "F32", "shape": "2x2", "data_offsets": [0, 16]}}"#),
                               mentions: ["\"w\"", "\"shape\"", "an array of non-negative integers"])
        guard case .invalidField(_, "w", "shape", _) = shape else { Issue.record("got \(String(describing: shape))"); return }
        parseError(fileBytes(header: #"{"w": {"dtype": "F32", "shape": [1.5], "data_offsets": [0, 4]}}"#, data: [0, 0, 0, 0]),
                   mentions: ["\"w\"", "\"shape\"", "non-negative integers, found [1.5]"])
        parseError(fileBytes(header: #"{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 99999999999999999999999]}}"#),
                   mentions: ["\"w\"", "\"data_offsets\"", "two integers"])
        parseError(fileBytes(header: #"{"w": {"dtype": 32, "shape": [1], "data_offsets": [0, 4]}}"#, data: [0, 0, 0, 0]),
                   mentions: ["\"w\"", "\"dtype\"", "a string"])
        parseError(fileBytes(header: #"{"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}"#, data: [0, 0, 0, 0]),
                   mentions: ["\"w\"", "\"shape\"", "non-negative"])
        parseError(fileBytes(header: #"{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4, 8]}}"#, data: [0, 0, 0, 0]),
                   mentions: ["\"w\"", "\"data_offsets\"", "two integers"])
        parseError(fileBytes(header: #"{"w": 3}"#), mentions: ["\"w\"", "an object with dtype, shape and data_offsets"])
        parseError(fileBytes(header: #"{"__metadata__": ["a"]}"#), mentions: ["__metadata__", "an object of string values"])
        let metadata = parseError(fileBytes(header: #"{"__metadata__": {"epochs": 3}}"#),
                                  mentions: ["__metadata__", "\"epochs\"", "a string"])
        #expect(metadata == .invalidField(file: file, key: "__metadata__", field: "epochs", expected: "a string value"))
    }

    @Test func unknownDType() {
        let error = parseError(fileBytes(header: #"{"q": {"dtype": "F8_E4M3", "shape": [2], "data_offsets": [0, 2]}}"#, data: [0, 0]),
                               mentions: ["\"q\"", "F8_E4M3", "F32, F64, F16, BF16, I64, I32, U8, BOOL"])
        #expect(error == .unknownDType(file: file, key: "q", dtype: "F8_E4M3"))
    }

    @Test func offsetsOutOfRange() {
        let past = parseError(fileBytes(header: #"{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}"#, data: [0, 0, 0, 0]),
                              mentions: ["\"w\"", "[0, 8]", "≤ 4"])
        #expect(past == .offsetsOutOfRange(file: file, key: "w", begin: 0, end: 8, dataByteCount: 4))
        let reversed = parseError(fileBytes(header: #"{"w": {"dtype": "U8", "shape": [0], "data_offsets": [4, 0]}}"#, data: [0, 0, 0, 0]),
                                  mentions: ["\"w\"", "[4, 0]"])
        #expect(reversed == .offsetsOutOfRange(file: file, key: "w", begin: 4, end: 0, dataByteCount: 4))
        parseError(fileBytes(header: #"{"w": {"dtype": "U8", "shape": [0], "data_offsets": [-1, 0]}}"#), mentions: ["\"w\""])
    }

    @Test func overlappingOffsets() {
        let header = #"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}"#
        let error = parseError(fileBytes(header: header, data: [UInt8](repeating: 0, count: 8)),
                               mentions: ["\"a\"", "\"b\"", "overlap", "[4, 8]", "[0, 8]"])
        #expect(error == .overlappingOffsets(file: file, key: "b", range: 4..<8, otherKey: "a", otherRange: 0..<8))
    }

    @Test func offsetsNotCoveringTheData() {
        let gap = #"{"a": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]}, "b": {"dtype": "U8", "shape": [2], "data_offsets": [4, 6]}}"#
        let error = parseError(fileBytes(header: gap, data: [UInt8](repeating: 0, count: 6)), mentions: ["[2, 4)", "no entry"])
        #expect(error == .uncoveredData(file: file, range: 2..<4, dataByteCount: 6))
        let trailing = #"{"a": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]}}"#
        let tail = parseError(fileBytes(header: trailing, data: [1, 2, 3]), mentions: ["[2, 3)"])
        #expect(tail == .uncoveredData(file: file, range: 2..<3, dataByteCount: 3))
        let late = #"{"a": {"dtype": "U8", "shape": [1], "data_offsets": [1, 2]}}"#
        #expect(parseError(fileBytes(header: late, data: [1, 2])) == .uncoveredData(file: file, range: 0..<1, dataByteCount: 2))
    }

    @Test func shapeTimesDTypeSizeMustMatchTheByteRange() {
        let header = #"{"conv.weight": {"dtype": "F32", "shape": [3, 3], "data_offsets": [0, 40]}}"#
        let error = parseError(fileBytes(header: header, data: [UInt8](repeating: 0, count: 40)),
                               mentions: ["\"conv.weight\"", "40 bytes", "F32", "[3, 3]", "needs 36"])
        #expect(error == .sizeMismatch(file: file, key: "conv.weight", dtype: "F32", shape: [3, 3], expectedByteCount: 36, byteCount: 40))
        // An element count that overflows is a size mismatch, not a crash.
        let huge = #"{"h": {"dtype": "F64", "shape": [4294967296, 4294967296], "data_offsets": [0, 0]}}"#
        parseError(fileBytes(header: huge), mentions: ["\"h\""])
    }

    @Test func missingFileIsAFileSystemError() {
        let url = URL(fileURLWithPath: "/nonexistent-xmask-dir/model.safetensors")
        let error = #expect(throws: SafetensorsError.self) { try Safetensors(contentsOf: url) }
        guard case .fileSystem(let inner) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(inner.path == url.path)
        #expect(inner.operation == .open)  // the streaming reader opens, then reads
    }

    @Test func writingIntoAMissingDirectoryFails() {
        let url = URL(fileURLWithPath: "/nonexistent-xmask-dir/out.safetensors")
        let error = #expect(throws: SafetensorsError.self) { try Safetensors(tensors: ["a": Tensor(1)]).write(to: url) }
        #expect(error?.description.contains("/nonexistent-xmask-dir") == true)
    }

    // MARK: Looking up entries and checking state dicts

    @Test func lookupErrorsNameTheKeyAndShapes() throws {
        let st = try Safetensors(data: Safetensors(tensors: ["fc.weight": Tensor.zeros([10, 64])]).serialized(), file: "model.safetensors")
        let missing = #expect(throws: SafetensorsError.self) { try st.tensor("fc.bias") }
        #expect(missing == .missingKey(file: "model.safetensors", key: "fc.bias"))
        #expect(missing?.description == "model.safetensors: no entry \"fc.bias\"")
        let wrong = #expect(throws: SafetensorsError.self) { try st.tensor("fc.weight", shape: [100, 64]) }
        #expect(wrong == .shapeMismatch(file: "model.safetensors", key: "fc.weight", expected: [100, 64], found: [10, 64]))
        #expect(wrong?.description.contains("[10, 64]") == true && wrong?.description.contains("[100, 64]") == true)
        #expect(try st.tensor("fc.weight", shape: [10, 64]).shape == [10, 64])
    }

    @Test func stateDictCheckListsEveryProblem() throws {
        var st = Safetensors(file: "resnet20.safetensors")
        st.setTensor(Tensor.zeros([16, 3, 3, 3]), forKey: "conv1.weight")
        st.setTensor(Tensor.zeros([10, 32]), forKey: "fc.weight")
        st.setTensor(Tensor.zeros([10]), forKey: "head2.bias")
        let expected = ["conv1.weight": [16, 3, 3, 3], "fc.weight": [10, 64], "fc.bias": [10]]
        let error = #expect(throws: SafetensorsError.self) { try st.checkStateDict(expectedShapes: expected) }
        #expect(error == .stateDictMismatch(file: "resnet20.safetensors", problems: [
            .missing(key: "fc.bias", expectedShape: [10]),
            .wrongShape(key: "fc.weight", expected: [10, 64], found: [10, 32]),
            .unexpected(key: "head2.bias", shape: [10]),
        ]))
        let message = error?.description ?? ""
        for part in ["resnet20.safetensors", "3 problems", "missing key \"fc.bias\"", "[10, 32]", "[10, 64]", "unexpected key \"head2.bias\""] {
            #expect(message.contains(part), "\(message)")
        }
        // Extra entries can be allowed; a full match passes.
        let relaxed = #expect(throws: SafetensorsError.self) {
            try st.checkStateDict(expectedShapes: expected, allowingUnexpectedKeys: true)
        }
        if case .stateDictMismatch(_, let problems) = relaxed { #expect(problems.map(\.key) == ["fc.bias", "fc.weight"]) }
        try st.checkStateDict(expectedShapes: ["conv1.weight": [16, 3, 3, 3], "fc.weight": [10, 32], "head2.bias": [10]])
    }
}
