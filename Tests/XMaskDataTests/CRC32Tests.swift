import Testing
import XMaskData

@Test func crc32CheckValue() {
    // The standard check value of CRC-32/ISO-HDLC: CRC of the ASCII digits "123456789".
    #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    #expect(CRC32.checksum([]) == 0)
}

@Test func crc32IsIncremental() {
    let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
    var crc = CRC32()
    crc.update(Array(data[..<3]))
    crc.update(Array(data[3..<500]))
    crc.update(Array(data[500...]))
    #expect(crc.value == CRC32.checksum(data))
}
