import Testing
import XMaskData

@Test(arguments: ["payload.level0.gz", "payload.level1.gz", "payload.level6.gz", "payload.level9.gz",
                  "payload.memlevel1.gz", "payload.headers.gz", "payload.multi.gz"])
func gunzipMatchesPython(file: String) throws {
    let payload = try Fixtures.bytes("payload.bin")
    #expect(try Gzip.decompress(try Fixtures.bytes(file), file: file) == payload)
}

@Test func gzipFixturesCoverStoredAndDynamicBlocks() throws {
    // BTYPE of the first block sits in bits 1–2 of the first DEFLATE byte (after a 10-byte header).
    #expect((try Fixtures.bytes("payload.level0.gz")[10] >> 1) & 3 == 0)
    #expect((try Fixtures.bytes("payload.level9.gz")[10] >> 1) & 3 == 2)
}

@Test func gunzipLongCodes() throws {
    // Geometric bytes: Huffman codes up to 15 bits, beyond the 10-bit lookup table.
    let out = try Gzip.decompress(try Fixtures.bytes("skewed.gz"))
    #expect(out.count == 20000)
    #expect(out.filter { $0 == 0 }.count > 6000)
}

@Test func gzipCorruptCRCIsReported() throws {
    var bytes = try Fixtures.bytes("payload.level9.gz")
    bytes[bytes.count - 8] ^= 0xFF
    do {
        _ = try Gzip.decompress(bytes, file: "x.gz")
        Issue.record("corrupt CRC accepted")
    } catch let error as GzipError {
        guard case .crcMismatch(let file, 0, _, _) = error else { Issue.record("\(error)"); return }
        #expect(file == "x.gz")
        #expect(error.description.contains("x.gz") && error.description.contains("CRC-32"))
    }
}

@Test func gzipSizeMismatchIsReported() throws {
    var bytes = try Fixtures.bytes("payload.level6.gz")
    bytes[bytes.count - 1] ^= 0x01
    #expect { try Gzip.decompress(bytes, file: "x.gz") } throws: { error in
        guard case GzipError.sizeMismatch("x.gz", 0, _, _) = error else { return false }
        return true
    }
}

@Test func gzipHeaderCRCIsChecked() throws {
    var bytes = try Fixtures.bytes("payload.headers.gz")
    bytes[20] ^= 0x20  // a letter of the file name
    #expect { try Gzip.decompress(bytes, file: "h.gz") } throws: { error in
        guard case GzipError.headerCRCMismatch("h.gz", _, _) = error else { return false }
        return true
    }
}

@Test func gzipWrongMagicAndMethod() throws {
    #expect(throws: GzipError.wrongMagic(file: "a", found: [0x50, 0x4B])) {
        try Gzip.decompress([0x50, 0x4B, 3, 4, 0, 0, 0, 0, 0, 0, 0], file: "a")
    }
    var bytes = try Fixtures.bytes("payload.level1.gz")
    bytes[2] = 7
    #expect(throws: GzipError.unsupportedMethod(file: "b", method: 7)) { try Gzip.decompress(bytes, file: "b") }
}

@Test func gzipTruncationIsReported() throws {
    let bytes = try Fixtures.bytes("payload.level9.gz")
    #expect(throws: GzipError.truncated(file: "t", field: "header")) { try Gzip.decompress(Array(bytes.prefix(6)), file: "t") }
    #expect(throws: GzipError.truncated(file: "t", field: "trailer (CRC-32 and ISIZE)")) {
        try Gzip.decompress(Array(bytes.dropLast(3)), file: "t")
    }
    #expect { try Gzip.decompress(Array(bytes.prefix(bytes.count / 2)), file: "t") } throws: { error in
        guard case GzipError.corruptData("t", 0, .truncated) = error else { return false }
        return true
    }
}

@Test func gzipTrailingGarbageIsReported() throws {
    let bytes = try Fixtures.bytes("payload.level1.gz") + [0, 0, 0]
    #expect(throws: GzipError.trailingBytes(file: "g", offset: bytes.count - 3, count: 3)) { try Gzip.decompress(bytes, file: "g") }
}
