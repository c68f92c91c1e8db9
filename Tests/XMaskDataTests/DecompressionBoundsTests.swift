import Foundation
import Testing
@testable import XMaskData

/// A fixed-Huffman DEFLATE stream of `1 + 258·matches` zero bytes: one literal, then matches
/// of length 258 at distance 1 (13 bits each), the shape of a decompression bomb.
func deflateZeros(matches: Int) -> [UInt8] {
    var out: [UInt8] = []
    var buffer: UInt64 = 0, count = 0
    func put(_ value: Int, _ n: Int) {
        buffer |= UInt64(value) << UInt64(count)
        count += n
        while count >= 8 { out.append(UInt8(buffer & 0xFF)); buffer >>= 8; count -= 8 }
    }
    func code(_ value: Int, _ n: Int) {  // Huffman codes go most significant bit first
        var reversed = 0
        for i in 0..<n where value & (1 << i) != 0 { reversed |= 1 << (n - 1 - i) }
        put(reversed, n)
    }
    put(1, 1); put(1, 2)             // final block, fixed Huffman
    code(0x30, 8)                    // literal 0
    for _ in 0..<matches {
        code(0xC0 + (285 - 280), 8)  // length 258
        code(0, 5)                   // distance 1
    }
    code(0, 7)                       // end of block (256)
    if count > 0 { out.append(UInt8(buffer & 0xFF)) }
    return out
}

func gzipMember(_ deflated: [UInt8], data: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3] + deflated
    let crc = CRC32.checksum(data), size = UInt32(truncatingIfNeeded: data.count)
    for v in [crc, size] { out += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)] }
    return out
}

struct DecompressionBoundsTests {
    static let matches = 20_000
    static let memberBytes = 1 + 258 * matches  // 5,160,001

    @Test func aBombOfSeveralMembersIsRefusedAtTheBudget() throws {
        let data = [UInt8](repeating: 0, count: Self.memberBytes)
        let member = gzipMember(deflateZeros(matches: Self.matches), data: data)
        let file = member + member + member  // 15.5 MB from 125 KB
        #expect(try Gzip.decompress(file, file: "ok.gz", maximumOutput: 16_000_000).count == 3 * Self.memberBytes)
        #expect(throws: GzipError.corruptData(file: "bomb.gz", member: 2, .outputLimitExceeded(limit: 12_000_000 - 2 * Self.memberBytes))) {
            try Gzip.decompress(file, file: "bomb.gz", maximumOutput: 12_000_000)
        }
        #expect(throws: GzipError.corruptData(file: "bomb.gz", member: 0, .outputLimitExceeded(limit: 1_000_000))) {
            try Gzip.decompress(file, file: "bomb.gz", maximumOutput: 1_000_000)
        }
    }

    @Test func inflateStopsAtTheLimitExactly() throws {
        let stream = deflateZeros(matches: 100)
        #expect(try Inflate.decompress(stream, maximumOutput: 25_801).count == 25_801)
        #expect(throws: InflateError.outputLimitExceeded(limit: 25_800)) { try Inflate.decompress(stream, maximumOutput: 25_800) }
        #expect(throws: InflateError.outputLimitExceeded(limit: 0)) { try Inflate.decompress(stream, maximumOutput: 0) }
    }

    /// A one-member zip (stored) whose central directory declares `declared` bytes.
    func zip(declared: UInt32, payload: [UInt8]) -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        func u32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)] }
        let name = Array("a.npy".utf8)
        let crc = CRC32.checksum(payload)
        var out = u32(0x0403_4B50) + u16(20) + u16(0) + u16(0) + u16(0) + u16(0) + u32(crc) + u32(UInt32(payload.count)) + u32(declared)
            + u16(name.count) + u16(0) + name + payload
        let directory = out.count
        out += u32(0x0201_4B50) + u16(20) + u16(20) + u16(0) + u16(0) + u16(0) + u16(0) + u32(crc) + u32(UInt32(payload.count))
            + u32(declared) + u16(name.count) + u16(0) + u16(0) + u16(0) + u16(0) + u32(0) + u32(0) + name
        let size = out.count - directory
        out += u32(0x0605_4B50) + u16(0) + u16(0) + u16(1) + u16(1) + u32(UInt32(size)) + u32(UInt32(directory)) + u16(0)
        return out
    }

    @Test func aZipMemberDeclaringMoreThanTheBudgetIsRefusedUnread() throws {
        let ok = try ZipArchive(bytes: zip(declared: 3, payload: [1, 2, 3]), file: "z.npz")
        #expect(try ok.data(for: "a.npy") == [1, 2, 3])
        let huge = try ZipArchive(bytes: zip(declared: 0xFFFF_FFF0, payload: [1, 2, 3]), file: "z.npz")
        #expect(throws: ZipError.tooLarge(file: "z.npz", member: "a.npy", declared: 0xFFFF_FFF0, limit: Inflate.defaultMaximumOutputBytes)) {
            try huge.data(for: "a.npy")
        }
    }

    @Test func zip64OffsetsNearIntMaxAreATruncationNotATrap() throws {
        func u16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        func u32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)] }
        func u64(_ v: UInt64) -> [UInt8] { u32(UInt32(v & 0xFFFF_FFFF)) + u32(UInt32(v >> 32)) }
        var record = u32(0x0606_4B50) + u64(44) + u16(45) + u16(45) + u32(0) + u32(0) + u64(1) + u64(1)
        record += u64(0x100) + u64(0x7FFF_FFFF_FFFF_FFF0)
        let locator = u32(0x0706_4B50) + u32(0) + u64(0) + u32(1)
        let eocd = u32(0x0605_4B50) + u16(0) + u16(0) + u16(0xFFFF) + u16(0xFFFF) + u32(0xFFFF_FFFF) + u32(0xFFFF_FFFF) + u16(0)
        #expect(throws: ZipError.self) { try ZipArchive(bytes: record + locator + eocd, file: "z.npz") }
        // A locator pointing the record near Int.max.
        let far = u32(0x0706_4B50) + u32(0) + u64(0x7FFF_FFFF_FFFF_FFF0) + u32(1)
        #expect(throws: ZipError.self) { try ZipArchive(bytes: record + far + eocd, file: "z.npz") }
    }

    @Test func idxWithoutImagesOrPixelsIsRefused() throws {
        func header(_ magic: UInt32, _ dims: [UInt32]) -> [UInt8] {
            ([magic] + dims).flatMap { v in [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
        }
        #expect(throws: IDXError.dimensionOutOfRange(file: "i", dimensions: [0, 28, 28], expected: "at least one image of 1...4096 × 1...4096 pixels")) {
            try IDX.parseImages(header(IDX.imagesMagic, [0, 28, 28]), file: "i")
        }
        #expect(throws: IDXError.self) { try IDX.parseImages(header(IDX.imagesMagic, [3, 0, 28]), file: "i") }
        #expect(throws: IDXError.self) { try IDX.parseImages(header(IDX.imagesMagic, [1, 5000, 1]) + [UInt8](repeating: 0, count: 5000), file: "i") }
        #expect(throws: IDXError.self) { try IDX.parseImages(header(IDX.imagesMagic, [0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF]), file: "i") }
        #expect(throws: IDXError.dimensionOutOfRange(file: "l", dimensions: [0], expected: "at least one label")) {
            try IDX.parseLabels(header(IDX.labelsMagic, [0]), file: "l", classCount: 10)
        }
    }
}
