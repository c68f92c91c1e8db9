import Foundation
import Testing
import XMaskData

private func expectedPixels(record i: Int) -> [UInt8] {
    (0..<3).flatMap { c in (0..<32).flatMap { y in (0..<32).map { x in UInt8((c * 1024 + y * 32 + x + 7 * i) % 256) } } }
}

@Test func cifar10RecordsParse() throws {
    let (pixels, labels) = try CIFAR.read(at: Fixtures.url("cifar10_tiny.bin"), labels: .cifar10)
    #expect(labels == [3, 0, 9])
    #expect(pixels == (0..<3).flatMap(expectedPixels(record:)))
}

@Test func cifar100CoarseAndFineLabels() throws {
    let fine = try CIFAR.read(at: Fixtures.url("cifar100_tiny.bin"), labels: .cifar100Fine)
    let coarse = try CIFAR.read(at: Fixtures.url("cifar100_tiny.bin"), labels: .cifar100Coarse)
    #expect(fine.labels == [30, 99])
    #expect(coarse.labels == [4, 19])
    #expect(fine.pixels == (0..<2).flatMap(expectedPixels(record:)))
    #expect(coarse.pixels == fine.pixels)
}

@Test func cifarErrors() throws {
    let bytes = try Fixtures.bytes("cifar10_tiny.bin")
    #expect(throws: CIFARError.truncated(file: "c", recordBytes: 3073, fileBytes: 3 * 3073 - 1)) {
        try CIFAR.parse(Array(bytes.dropLast()), labels: .cifar10, file: "c")
    }
    // Read as CIFAR-100 the record size is wrong too; a CIFAR-10 label of 10 is out of range.
    #expect(throws: CIFARError.self) { try CIFAR.parse(bytes, labels: .cifar100Fine, file: "c") }
    var bad = bytes
    bad[3073] = 10
    #expect(throws: CIFARError.labelOutOfRange(file: "c", record: 1, label: 10, classCount: 10)) {
        try CIFAR.parse(bad, labels: .cifar10, file: "c")
    }
}

@Test func cifar10DirectoryLoads() throws {
    let dir = try Fixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let bytes = try Fixtures.bytes("cifar10_tiny.bin")
    for name in ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"] {
        try Data(bytes).write(to: dir.appendingPathComponent(name))
    }
    let train = try Dataset.loadCIFAR10(directory: dir, split: .train)
    #expect(train.shape == [15, 3, 32, 32])
    #expect(train.classCount == 10)
    #expect(Array(train.labels.prefix(6)) == [3, 0, 9, 3, 0, 9])
    let test = try Dataset.loadCIFAR10(directory: dir, split: .test)
    #expect(test.count == 3)
    #expect(test.image(at: 2) == expectedPixels(record: 2).map { Float($0) })
}
