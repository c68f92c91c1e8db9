import Testing
import XMaskData
import XMaskTensor

/// One 3×3 image holding 1…9 row by row, as floats (so no 1/255 scaling).
private func nine() throws -> Dataset {
    try Dataset(name: "n", pixels: .float((1...9).map { Float($0) }), labels: [0], channels: 1, height: 3, width: 3, classCount: 1)
}

@Test func cropShiftsAndZeroPads() throws {
    // Pad 1 then crop at (top 2, left 0) is the shift dy = +1, dx = −1.
    let t = try nine().batchTensor(indices: [0], draws: [AugmentationDraw(dy: 1, dx: -1)])
    #expect(t.shape == [1, 1, 3, 3])
    #expect(t.scalars == [0, 4, 5, 0, 7, 8, 0, 0, 0])
}

@Test func flipMirrorsRowsAfterTheCrop() throws {
    let d = try nine()
    #expect(d.batchTensor(indices: [0], draws: [AugmentationDraw(flip: true)]).scalars == [3, 2, 1, 6, 5, 4, 9, 8, 7])
    #expect(d.batchTensor(indices: [0], draws: [AugmentationDraw(dy: 1, dx: -1, flip: true)]).scalars == [5, 4, 0, 8, 7, 0, 0, 0, 0])
    #expect(d.batchTensor(indices: [0], draws: [AugmentationDraw(dy: -1, dx: 2, flip: true)]).scalars == [0, 0, 0, 0, 0, 3, 0, 0, 6])
    #expect(d.batchTensor(indices: [0], draws: [AugmentationDraw(dx: 5)]).scalars == [Float](repeating: 0, count: 9))
}

@Test func paddingIsZeroBeforeNormalisation() throws {
    let norm = Normalization(mean: [0.5], standardDeviation: [2])
    let t = try nine().batchTensor(indices: [0], normalization: norm, draws: [AugmentationDraw(dy: 1, dx: -1)])
    #expect(t.scalars == [0, 4, 5, 0, 7, 8, 0, 0, 0].map { ($0 - 0.5) / 2 })
}

@Test func augmentationDrawsStayInRangeAndUseTheGenerator() {
    var rng = SeededGenerator(seed: 11)
    let draws = (0..<4000).map { _ in Augmentation.standard.draw(using: &rng) }
    #expect(Set(draws.map(\.dy)) == Set(-4...4))
    #expect(Set(draws.map(\.dx)) == Set(-4...4))
    let flips = draws.filter(\.flip).count
    #expect(flips > 1800 && flips < 2200)
    var again = SeededGenerator(seed: 11)
    #expect((0..<4000).map { _ in Augmentation.standard.draw(using: &again) } == draws)
    var none = SeededGenerator(seed: 11)
    #expect(Augmentation.none.draw(using: &none) == .identity)
    #expect(none.next() == SeededGenerator(seed: 11).nextValue(), "no augmentation draws nothing")
}

private extension SeededGenerator {
    func nextValue() -> UInt64 { var copy = self; return copy.next() }
}
