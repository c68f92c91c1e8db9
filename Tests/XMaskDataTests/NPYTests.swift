import Foundation
import Testing
import XMaskData

private let f4Values: [Float] = (0..<6).map { Float($0) * 0.5 - 1 }

@Test func npyReadsEveryDType() throws {
    let f4 = try NPY.read(at: Fixtures.url("f4.npy"))
    #expect(f4.shape == [2, 3])
    #expect(f4.elements == .float32(f4Values))
    let f8 = try NPY.read(at: Fixtures.url("f8.npy"))
    #expect(f8.shape == [4])
    #expect(f8.elements == .float64([Double.pi, -M_E, 1e-300, 6.02214076e23]))
    let u1 = try NPY.read(at: Fixtures.url("u1.npy"))
    #expect(u1.shape == [2, 2, 2])
    #expect(u1.elements == .uint8((0..<8).map { UInt8($0 * 31) }))
    let i8 = try NPY.read(at: Fixtures.url("i8.npy"))
    #expect(i8.elements == .int64([-(1 << 40), 0, 7]))
    #expect(i8.integers == [-(1 << 40), 0, 7])
    let scalar = try NPY.read(at: Fixtures.url("scalar.npy"))
    #expect(scalar.shape == [])
    #expect(scalar.elements == .float32([2.5]))
}

@Test func npyReadsVersion2AndBigEndian() throws {
    #expect(try NPY.read(at: Fixtures.url("f4_v2.npy")) == NPYArray(shape: [2, 3], elements: .float32(f4Values)))
    #expect(try NPY.read(at: Fixtures.url("f4_be.npy")) == NPYArray(shape: [2, 3], elements: .float32(f4Values)))
}

@Test(arguments: ["f4.npy", "f8.npy", "u1.npy", "i8.npy", "scalar.npy"])
func npyEncodeMatchesNumPyByteForByte(file: String) throws {
    let bytes = try Fixtures.bytes(file)
    #expect(NPY.encode(try NPY.parse(bytes, file: file)) == bytes)
}

@Test func npyWriteReadRoundTrip() throws {
    let dir = try Fixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let arrays = [
        NPYArray(shape: [3, 1, 2], elements: .float32([0, -1.5, .infinity, 3e-38, 7, -0.0])),
        NPYArray(shape: [2], elements: .float64([1e300, -2])),
        NPYArray(shape: [0, 4], elements: .uint8([])),
        NPYArray(shape: [5], elements: .int64([Int64.min, -1, 0, 1, Int64.max])),
    ]
    for (i, array) in arrays.enumerated() {
        let url = dir.appendingPathComponent("a\(i).npy")
        try NPY.write(array, to: url)
        #expect(try NPY.read(at: url) == array)
        let itemBytes = array.descr == "|u1" ? 1 : array.descr == "<f4" ? 4 : 8
        #expect((try Data(contentsOf: url).count - array.count * itemBytes) % 64 == 0, "data starts 64-byte aligned")
    }
}

@Test func npyErrorsNameTheFile() throws {
    let good = try Fixtures.bytes("f4.npy")
    #expect(throws: NPYError.wrongMagic(file: "m.npy")) { try NPY.parse([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x5A, 1, 0, 0, 0], file: "m.npy") }
    #expect(throws: NPYError.sizeMismatch(file: "s.npy", shape: [2, 3], descr: "<f4", expectedBytes: 24, foundBytes: 20)) {
        try NPY.parse(Array(good.dropLast(4)), file: "s.npy")
    }
    #expect(throws: NPYError.truncatedHeader(file: "h.npy", expectedBytes: 128, foundBytes: 50)) {
        try NPY.parse(Array(good.prefix(50)), file: "h.npy")
    }
    var fortran = good
    let text = Array("False".utf8), replacement = Array("True ".utf8)
    if let at = (0..<(fortran.count - 5)).first(where: { Array(fortran[$0..<($0 + 5)]) == text }) {
        fortran.replaceSubrange(at..<(at + 5), with: replacement)
    }
    #expect(throws: NPYError.fortranOrder(file: "f.npy")) { try NPY.parse(fortran, file: "f.npy") }
    var dtype = good
    dtype[dtype.firstIndex(of: UInt8(ascii: "f"))!] = UInt8(ascii: "c")
    #expect(throws: NPYError.unsupportedDType(file: "d.npy", descr: "<c4")) { try NPY.parse(dtype, file: "d.npy") }
}

@Test(arguments: ["arrays.npz", "arrays_compressed.npz"])
func npzReadsStoredAndDeflatedMembers(file: String) throws {
    let arrays = try NPZ.read(at: Fixtures.url(file))
    #expect(Set(arrays.keys) == ["a", "b"])
    #expect(arrays["a"] == NPYArray(shape: [2, 3], elements: .float32(f4Values)))
    #expect(arrays["b"] == NPYArray(shape: [3], elements: .int64([-(1 << 40), 0, 7])))
}

@Test func zipMemberCRCIsChecked() throws {
    var bytes = try Fixtures.bytes("arrays.npz")  // stored members: the data bytes sit in the clear
    let archive = try ZipArchive(bytes: bytes, file: "z.npz")
    #expect(archive.entries.map(\.name) == ["a.npy", "b.npy"])
    #expect(archive.entries.map(\.method) == [0, 0])
    let magic = [UInt8]([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59])
    let at = (0..<bytes.count).first { Array(bytes[$0..<min(bytes.count, $0 + 6)]) == magic }!
    bytes[at + 100] ^= 0x01
    let damaged = try ZipArchive(bytes: bytes, file: "z.npz")
    #expect { try damaged.data(for: "a.npy") } throws: { error in
        guard case ZipError.crcMismatch("z.npz", "a.npy", _, _) = error else { return false }
        return true
    }
    #expect { try damaged.data(for: "c.npy") } throws: { error in
        guard case ZipError.memberNotFound("z.npz", "c.npy", ["a.npy", "b.npy"]) = error else { return false }
        return true
    }
    #expect(throws: ZipError.notZip(file: "n")) { try ZipArchive(bytes: [UInt8](repeating: 0, count: 40), file: "n") }
}
