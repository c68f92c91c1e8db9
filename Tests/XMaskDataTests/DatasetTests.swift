import Testing
import XMaskData

/// `n` one-channel 2×2 images; image i holds the value i in every pixel, label i mod classes.
func constantImages(_ n: Int, classes: Int) throws -> Dataset {
    try Dataset(name: "const", pixels: .uint8((0..<n).flatMap { [UInt8](repeating: UInt8($0), count: 4) }),
                labels: (0..<n).map { $0 % classes }, channels: 1, height: 2, width: 2, classCount: classes)
}

@Test func datasetInitChecksShapeAndLabels() {
    #expect(throws: DatasetError.pixelCountMismatch(dataset: "d", shape: [2, 1, 2, 2], expected: 8, found: 7)) {
        try Dataset(name: "d", pixels: .uint8([UInt8](repeating: 0, count: 7)), labels: [0, 1], channels: 1, height: 2, width: 2, classCount: 2)
    }
    #expect(throws: DatasetError.labelOutOfRange(dataset: "d", index: 1, label: 2, classCount: 2)) {
        try Dataset(name: "d", pixels: .float([Float](repeating: 0, count: 8)), labels: [0, 2], channels: 1, height: 2, width: 2, classCount: 2)
    }
}

@Test func firstPerClassKeepsFileOrder() throws {
    let d = try Dataset(name: "d", pixels: .uint8(Array(0..<8)), labels: [2, 0, 2, 1, 2, 0, 0, 1],
                        channels: 1, height: 1, width: 1, classCount: 3)
    let s = d.firstPerClass(2)
    #expect(s.labels == [2, 0, 2, 1, 0, 1])
    #expect(s.pixels == .uint8([0, 1, 2, 3, 5, 7]))
    #expect(d.firstPerClass(0).count == 0)
}

@Test func stratifiedSampleIsProportionalAndDeterministic() throws {
    // Classes of 50, 30 and 20 images.
    let labels = (0..<100).map { $0 < 50 ? 0 : $0 < 80 ? 1 : 2 }
    let d = try Dataset(name: "d", pixels: .uint8((0..<100).map { UInt8($0) }), labels: labels,
                        channels: 1, height: 1, width: 1, classCount: 3)
    let a = d.stratifiedSample(10, seed: 3), b = d.stratifiedSample(10, seed: 3), c = d.stratifiedSample(10, seed: 4)
    #expect(a.classCounts == [5, 3, 2])
    #expect(a.pixels == b.pixels)
    #expect(a.pixels != c.pixels)
    guard case .uint8(let picked) = a.pixels else { Issue.record("pixels changed type"); return }
    #expect(picked == picked.sorted(), "file order kept")
    #expect(Set(picked).count == 10)
    // 7 of 100 with shares 3.5, 2.1, 1.4: floors 3, 2, 1, the spare goes to the largest remainder (class 0).
    #expect(d.stratifiedSample(7, seed: 1).classCounts == [4, 2, 1])
    #expect(d.stratifiedSample(100, seed: 1).count == 100)
}

@Test func datasetFromNHWCArraysOfNPZ() throws {
    let d = try Dataset.loadNPZ(at: Fixtures.url("tiny_dataset.npz"), imagesKey: "x_train", labelsKey: "y_train",
                                layout: .nhwc, classCount: 3)
    #expect(d.shape == [6, 3, 4, 4])
    #expect(d.labels == [0, 1, 2, 0, 1, 2])
    // NHWC value at (n, y, x, c) = (((n·4 + y)·4 + x)·3 + c) mod 251 must land at NCHW (n, c, y, x).
    let image = d.image(at: 5)
    for c in 0..<3 { for y in 0..<4 { for x in 0..<4 {
        #expect(image[(c * 4 + y) * 4 + x] == Float((((5 * 4 + y) * 4 + x) * 3 + c) % 251))
    } } }
    #expect { try Dataset.loadNPZ(at: Fixtures.url("tiny_dataset.npz"), imagesKey: "x_test", labelsKey: "y_train", layout: .nhwc, classCount: 3) } throws: { error in
        guard case DatasetError.invalidArray(_, "x_test", _, _) = error else { return false }
        return true
    }
    #expect(throws: DatasetError.self) {
        try Dataset.loadNPZ(at: Fixtures.url("tiny_dataset.npz"), imagesKey: "x_train", labelsKey: "y_train", layout: .nhw, classCount: 3)
    }
}
