import Foundation
import Testing
import XMaskData

private func imageFile(count: Int, height: Int, width: Int, pixels: [UInt8]) -> [UInt8] {
    func be(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    return be(0x803) + be(count) + be(height) + be(width) + pixels
}

private func labelFile(_ labels: [UInt8]) -> [UInt8] {
    [0, 0, 8, 1, 0, 0, UInt8(labels.count >> 8), UInt8(labels.count & 0xFF)] + labels
}

@Test func idxParsesImagesAndLabels() throws {
    let images = try IDX.parseImages(imageFile(count: 2, height: 2, width: 3, pixels: Array(0..<12)), file: "i")
    #expect(images == IDXImages(count: 2, height: 2, width: 3, pixels: Array(0..<12)))
    #expect(try IDX.parseLabels(labelFile([0, 9, 3]), file: "l", classCount: 10) == [0, 9, 3])
}

@Test func idxWrongMagicNamesFileAndExpectation() {
    let labels = labelFile([1, 2])
    #expect(throws: IDXError.wrongMagic(file: "train-images", expected: 0x803, found: 0x801)) {
        try IDX.parseImages(labels, file: "train-images")
    }
    do {
        _ = try IDX.parseImages(labels, file: "train-images")
    } catch {
        #expect("\(error)" == "train-images: IDX magic is 0x00000801, expected 0x00000803 (u8 images [N, H, W])")
    }
}

@Test func idxTruncationIsReported() {
    let file = imageFile(count: 2, height: 2, width: 3, pixels: Array(0..<12))
    #expect(throws: IDXError.truncatedHeader(file: "f", expectedBytes: 16, foundBytes: 10)) { try IDX.parseImages(Array(file.prefix(10)), file: "f") }
    #expect(throws: IDXError.truncatedBody(file: "f", dimensions: [2, 2, 3], expectedBytes: 12, foundBytes: 11)) {
        try IDX.parseImages(Array(file.dropLast()), file: "f")
    }
    #expect(throws: IDXError.trailingBytes(file: "f", dimensions: [2, 2, 3], expectedBytes: 12, foundBytes: 13)) {
        try IDX.parseImages(file + [0], file: "f")
    }
    #expect(throws: IDXError.truncatedBody(file: "l", dimensions: [3], expectedBytes: 3, foundBytes: 2)) {
        try IDX.parseLabels(Array(labelFile([1, 2, 3]).dropLast()), file: "l", classCount: 10)
    }
}

@Test func idxLabelOutOfRange() {
    #expect(throws: IDXError.labelOutOfRange(file: "l", index: 2, label: 12, classCount: 10)) {
        try IDX.parseLabels(labelFile([1, 2, 12]), file: "l", classCount: 10)
    }
}

@Test func idxDirectoryLoadsGzipAndRaw() throws {
    let dir = Fixtures.url("mnist-tiny")
    let train = try Dataset.loadIDX(directory: dir, split: .train)
    #expect(train.shape == [5, 1, 4, 3])
    #expect(train.labels == [3, 1, 4, 1, 5])
    #expect(train.name == "mnist-tiny")
    #expect(train.pixels == .uint8((0..<60).map { UInt8($0 * 5 % 256) }))
    let test = try Dataset.loadIDX(directory: dir, split: .test, name: "tiny-test")
    #expect(test.shape == [2, 1, 4, 3])
    #expect(test.labels == [9, 2])
    #expect(test.pixels == .uint8((60..<84).map { UInt8($0 * 5 % 256) }))
    #expect(throws: IDXError.labelOutOfRange(file: dir.appendingPathComponent("t10k-labels-idx1-ubyte").path, index: 0, label: 9, classCount: 5)) {
        try Dataset.loadIDX(directory: dir, split: .test, classCount: 5)
    }
}

@Test func idxDirectoryErrors() throws {
    let dir = try Fixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    #expect { try Dataset.loadIDX(directory: dir, split: .train) } throws: { error in
        guard case FileReadError.missing(dir.path, let tried) = error else { return false }
        return tried.first == "train-images-idx3-ubyte.gz"
    }
    // Three images but two labels.
    try Data(imageFile(count: 3, height: 1, width: 1, pixels: [1, 2, 3])).write(to: dir.appendingPathComponent("train-images-idx3-ubyte"))
    try Data(labelFile([0, 1])).write(to: dir.appendingPathComponent("train-labels-idx1-ubyte"))
    #expect(throws: IDXError.countMismatch(
        imagesFile: dir.appendingPathComponent("train-images-idx3-ubyte").path, imageCount: 3,
        labelsFile: dir.appendingPathComponent("train-labels-idx1-ubyte").path, labelCount: 2)) {
        try Dataset.loadIDX(directory: dir, split: .train)
    }
    // A gzip file with a broken CRC.
    var gz = try Fixtures.bytes("mnist-tiny/train-images-idx3-ubyte.gz")
    gz[gz.count - 6] ^= 0x10
    let t10k = dir.appendingPathComponent("t10k-images-idx3-ubyte.gz")
    try Data(gz).write(to: t10k)
    try Data(labelFile([0, 1, 2, 3, 4])).write(to: dir.appendingPathComponent("t10k-labels-idx1-ubyte"))
    #expect { try Dataset.loadIDX(directory: dir, split: .test) } throws: { error in
        guard case GzipError.crcMismatch(t10k.path, 0, _, _) = error else { return false }
        return true
    }
}
