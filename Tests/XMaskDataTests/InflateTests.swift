import Testing
import XMaskData
import XMaskTensor

@Test func inflateRawFixedHuffmanStreamFromZlib() throws {
    let payload = try Fixtures.bytes("payload.bin")
    let raw = try Fixtures.bytes("payload.fixed.deflate")
    #expect((raw[0] >> 1) & 3 == 1)
    #expect(try Inflate.decompress(raw) == payload)
}

@Test func inflateHandMadeStoredBlock() throws {
    let stored: [UInt8] = [0x01, 0x05, 0x00, 0xFA, 0xFF] + Array("hello".utf8)
    #expect(try Inflate.decompress(stored) == Array("hello".utf8))
    // An empty stored block followed by the final one.
    let two: [UInt8] = [0x00, 0x00, 0x00, 0xFF, 0xFF, 0x01, 0x01, 0x00, 0xFE, 0xFF, 0x41]
    #expect(try Inflate.decompress(two) == [0x41])
}

@Test func inflateOverlappingMatches() throws {
    // 'a' then length 10 at distance 1; 'b', 'c' then length 6 at distance 2.
    var w = BitWriter()
    w.bits(1, 1); w.bits(1, 2)
    w.fixedSymbol(0x61)
    w.fixedSymbol(264); w.code(0, 5)  // length 10, distance code 0 = 1
    w.fixedSymbol(0x62); w.fixedSymbol(0x63)
    w.fixedSymbol(260); w.code(1, 5)  // length 6, distance code 1 = 2
    w.fixedSymbol(256)
    let expected = Array(("a" + String(repeating: "a", count: 10) + "bc" + "bcbcbc").utf8)
    #expect(try Inflate.decompress(w.bytes) == expected)
}

@Test func inflateReportsEndOfStream() throws {
    let stored: [UInt8] = [0x01, 0x02, 0x00, 0xFD, 0xFF, 0x61, 0x62, 0xEE, 0xEE]
    let result = try stored.withUnsafeBufferPointer { try Inflate.decompress($0, from: 0) }
    #expect(result.output == [0x61, 0x62])
    #expect(result.end == 7)
}

@Test func inflateRejectsReservedBlockType() {
    #expect(throws: InflateError.invalidBlockType(byteOffset: 0)) { try Inflate.decompress([0x07, 0x00]) }
}

@Test func inflateRejectsStoredLengthMismatch() {
    #expect(throws: InflateError.storedLengthMismatch(byteOffset: 1, length: 5, complement: 0xFEFA)) {
        try Inflate.decompress([0x01, 0x05, 0x00, 0xFA, 0xFE] + Array("hello".utf8))
    }
}

@Test func inflateRejectsDistanceBeforeStart() {
    var w = BitWriter()
    w.bits(1, 1); w.bits(1, 2)
    w.fixedSymbol(0x61)
    w.fixedSymbol(257); w.code(1, 5)  // length 3 at distance 2, with 1 byte produced
    w.fixedSymbol(256)
    #expect(throws: InflateError.distanceTooFar(byteOffset: 2, distance: 2, available: 1)) {
        try Inflate.decompress(w.bytes)
    }
}

@Test func inflateRejectsReservedSymbols() {
    var w = BitWriter()
    w.bits(1, 1); w.bits(1, 2)
    w.fixedSymbol(286)
    w.fixedSymbol(256)
    #expect(throws: InflateError.self) { try Inflate.decompress(w.bytes) }
    var d = BitWriter()
    d.bits(1, 1); d.bits(1, 2)
    d.fixedSymbol(0x61)
    d.fixedSymbol(257); d.code(30, 5)
    d.fixedSymbol(256)
    do {
        _ = try Inflate.decompress(d.bytes)
        Issue.record("distance symbol 30 accepted")
    } catch let error as InflateError {
        guard case .invalidSymbol(_, 30, "distance") = error else { Issue.record("\(error)"); return }
    } catch { Issue.record("\(error)") }
}

@Test func inflateRejectsIncompleteCodeLengthCode() {
    // Dynamic header: HLIT 257, HDIST 1, HCLEN 4 with lengths 1, 0, 0, 0 for symbols 16, 17, 18, 0.
    var w = BitWriter()
    w.bits(1, 1); w.bits(2, 2)
    w.bits(0, 5); w.bits(0, 5); w.bits(0, 4)
    w.bits(1, 3); w.bits(0, 3); w.bits(0, 3); w.bits(0, 3)
    w.bits(0, 16)
    #expect(throws: InflateError.invalidCodeLengths(byteOffset: 0, reason: "the code-length code is not a complete prefix code")) {
        try Inflate.decompress(w.bytes)
    }
}

@Test(arguments: [0, 1, 2, 100, 1000])
func inflateDetectsTruncation(keep: Int) throws {
    let raw = try Fixtures.bytes("payload.fixed.deflate")
    do {
        _ = try Inflate.decompress(Array(raw.prefix(keep)))
        Issue.record("truncated stream of \(keep) bytes accepted")
    } catch let error as InflateError {
        // A cut can also land where the remaining bits decode to something invalid.
        if keep < 3 { #expect(error == .truncated(byteOffset: keep)) }
    }
}

@Test func inflateSurvivesCorruption() throws {
    // Random damage must end in an error or some output, never a crash or a hang.
    var rng = SeededGenerator(seed: 7)
    for name in ["payload.level9.gz", "payload.fixed.deflate", "skewed.gz"] {
        let clean = try Fixtures.bytes(name)
        let start = name.hasSuffix(".gz") ? 10 : 0
        for _ in 0..<60 {
            var bytes = clean
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                let i = start + Int(rng.next() % UInt64(bytes.count - start))
                bytes[i] ^= UInt8(1 << (rng.next() % 8))
            }
            if rng.next() % 4 == 0 { bytes.removeLast(Int(rng.next() % UInt64(bytes.count - start))) }
            _ = try? bytes.withUnsafeBufferPointer { try Inflate.decompress($0, from: start) }
        }
    }
}
