import Testing
import XMaskData

private func single(_ values: [Float], _ h: Int, _ w: Int) throws -> Dataset {
    try Dataset(name: "p", pixels: .float(values), labels: [0], channels: 1, height: h, width: w, classCount: 1)
}

@Test func bilinearUpsamplingOfARamp() throws {
    // 2×2 [[0, 1], [2, 3]] → 4×4 with half-pixel centres: source coordinates 0, 0.25, 0.75, 1
    // (clamped at the borders), and bilinear reproduces the linear function 2·y + x exactly.
    let r: [Float] = [0, 0.25, 0.75, 1]
    let out = try single([0, 1, 2, 3], 2, 2).resized(height: 4, width: 4)
    #expect(out.shape == [1, 1, 4, 4])
    var expected: [Float] = []
    for y in 0..<4 { for x in 0..<4 { expected.append(2 * r[y] + r[x]) } }
    #expect(out.image(at: 0) == expected)
}

@Test func bilinearDownsamplingByTwoAveragesBlocks() throws {
    let values = (0..<16).map { Float($0) }
    let out = try single(values, 4, 4).resized(height: 2, width: 2)
    #expect(out.image(at: 0) == [2.5, 4.5, 10.5, 12.5])
}

@Test func bilinearKeepsBytesAndConstants() throws {
    let d = try Dataset(name: "b", pixels: .uint8([UInt8](repeating: 200, count: 64) + (0..<64).map { UInt8($0 * 4) }),
                        labels: [0, 1], channels: 1, height: 8, width: 8, classCount: 2)
    let out = d.resized(height: 32, width: 32)
    #expect(out.shape == [2, 1, 32, 32])
    guard case .uint8(let px) = out.pixels else { Issue.record("bytes became floats"); return }
    #expect(px[0..<1024].allSatisfy { $0 == 200 })
    #expect(px[1024] == 0 && px[2047] == 252, "corners stay the corner pixels")
    #expect(d.resized(height: 8, width: 8).pixels == d.pixels)
}

@Test func centerPadAndCrop() throws {
    let pad = try single([1, 2, 3, 4], 2, 2).resized(height: 4, width: 4, method: .centerPad)
    #expect(pad.image(at: 0) == [0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0])
    // Odd remainder: 1×1 into 2×3 sits at row 0, column 1.
    #expect(try single([5], 1, 1).resized(height: 2, width: 3, method: .centerPad).image(at: 0) == [0, 5, 0, 0, 0, 0])
    // Too large: cropped around the centre.
    let crop = try single((0..<25).map { Float($0) }, 5, 5).resized(height: 3, width: 3, method: .centerPad)
    #expect(crop.image(at: 0) == [6, 7, 8, 11, 12, 13, 16, 17, 18])
}
