import Foundation
import Testing
import XMaskData

// Fixtures and expected bytes from Scripts/fixtures/make_format_fixtures.py, whose PNG writer
// (row filters, zlib, chunks) is independent of the decoder under test.
@Test(arguments: [("grey8", 6, 7, 1), ("rgb8", 5, 6, 3), ("rgba8", 4, 5, 3), ("greyalpha8", 3, 4, 1),
                  ("palette4", 7, 3, 3), ("palette8", 3, 2, 3), ("grey1", 10, 3, 1), ("grey2", 5, 2, 1)])
func pngDecodesEveryKindAndFilter(name: String, width: Int, height: Int, channels: Int) throws {
    let image = try PNG.read(at: Fixtures.url("png/\(name).png"))
    #expect(image.width == width)
    #expect(image.height == height)
    #expect(image.channels == channels)
    #expect(image.pixels == (try Fixtures.bytes("png/\(name).expected")))
}

@Test func pngRefusesUnsupportedKindsByName() throws {
    #expect(throws: PNGError.unsupported(file: "g16", feature: "16-bit samples")) {
        try PNG.decode(try Fixtures.bytes("png/grey16.png"), file: "g16")
    }
    #expect(throws: PNGError.unsupported(file: "i", feature: "Adam7 interlacing")) {
        try PNG.decode(try Fixtures.bytes("png/interlaced.png"), file: "i")
    }
    let message = PNGError.unsupported(file: "i", feature: "Adam7 interlacing").description
    #expect(message.contains("i: unsupported PNG: Adam7 interlacing"))
}

@Test func pngCorruptionIsReported() throws {
    let bytes = try Fixtures.bytes("png/grey8.png")
    #expect(throws: PNGError.notPNG(file: "x")) { try PNG.decode(Array("GIF89a..".utf8) + bytes, file: "x") }
    #expect(throws: PNGError.truncated(file: "x", byteOffset: bytes.count - 5)) { try PNG.decode(Array(bytes.dropLast(5)), file: "x") }
    var flipped = bytes
    flipped[bytes.count - 20] ^= 0x01  // inside the last IDAT chunk's data
    #expect(throws: PNGError.badCRC(file: "x", chunk: "IDAT")) { try PNG.decode(flipped, file: "x") }
}

@Test func pngAdler32MatchesRFC1950Example() {
    // RFC 1950 §9 / the common check value: Adler-32("Wikipedia") = 0x11E60398.
    #expect(PNG.adler32Value(Array("Wikipedia".utf8)) == 0x11E6_0398)
}
