import Foundation
import Testing
import XMaskData

/// A 3×4 image-folder fixture image: value (y, x) = base + y·3 + x.
private func folderImage(base: Int) -> [Float] {
    var out: [Float] = []
    for y in 0..<3 { for x in 0..<4 { out.append(Float(base + y * 3 + x)) } }
    return out
}

@Test func imageFolderLoadsWithSortedClassesAndTrainLabels() throws {
    let root = Fixtures.url("imagefolder")
    #expect(try DatasetFormat.detect(at: root) == .imageFolder)
    let train = try Dataset.load(at: root, split: .train, classCount: 3)
    #expect(train.shape == [6, 1, 3, 4])
    #expect(train.labels == [0, 0, 1, 1, 1, 2])
    // Image k of class c: (c·50 + k·10 + y·3 + x) mod 256 (make_format_fixtures.py).
    #expect(train.image(at: 4) == folderImage(base: 50 + 20))
    // test/ has no "bee": "cow" keeps label 2.
    let test = try Dataset.load(at: root, split: .test, classCount: 3)
    #expect(test.labels == [0, 2, 2])
    #expect(test.image(at: 2) == folderImage(base: 100 + 10))
    #expect(throws: DatasetError.self) { try Dataset.load(at: root, split: .train, classCount: 2) }
}

@Test func imageFolderErrorsNameTheFile() throws {
    let dir = try Fixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let fm = FileManager.default
    for split in ["train", "test"] {
        try fm.createDirectory(at: dir.appendingPathComponent("\(split)/a"), withIntermediateDirectories: true)
        try fm.copyItem(at: Fixtures.url("png/grey8.png"), to: dir.appendingPathComponent("\(split)/a/0.png"))
    }
    try fm.copyItem(at: Fixtures.url("png/rgb8.png"), to: dir.appendingPathComponent("train/a/1.png"))
    #expect { try Dataset.load(at: dir, split: .train, classCount: 10) } throws: { error in
        guard case DatasetError.invalidImageFolder(let path, _, let found) = error else { return false }
        return path.hasSuffix("train/a/1.png") && found == "6×5 with 3 channel(s)"
    }
    try fm.removeItem(at: dir.appendingPathComponent("train/a/1.png"))
    try Data("x".utf8).write(to: dir.appendingPathComponent("train/a/2.jpg"))
    #expect { try Dataset.load(at: dir, split: .train, classCount: 10) } throws: { error in
        guard case DatasetError.invalidImageFolder(let path, let expected, _) = error else { return false }
        return path.hasSuffix("train/a/2.jpg") && expected.contains(".png")
    }
    try fm.removeItem(at: dir.appendingPathComponent("train/a/2.jpg"))
    try fm.createDirectory(at: dir.appendingPathComponent("test/zebra"), withIntermediateDirectories: true)
    #expect { try Dataset.load(at: dir, split: .test, classCount: 10) } throws: { error in
        guard case DatasetError.invalidImageFolder(let path, _, _) = error else { return false }
        return path.hasSuffix("test/zebra")
    }
    try fm.removeItem(at: dir.appendingPathComponent("test/zebra"))
    try fm.copyItem(at: Fixtures.url("png/interlaced.png"), to: dir.appendingPathComponent("test/a/1.png"))
    #expect { try Dataset.load(at: dir, split: .test, classCount: 10) } throws: { error in
        guard case PNGError.unsupported(let file, "Adam7 interlacing") = error else { return false }
        return file.hasSuffix("test/a/1.png")
    }
}

@Test func kerasNPZLoadsBothSplits() throws {
    let url = Fixtures.url("keras.npz")
    #expect(try DatasetFormat.detect(at: url) == .npz)
    let train = try Dataset.load(at: url, split: .train, classCount: 10)
    #expect(train.name == "keras")
    #expect(train.shape == [5, 1, 4, 3])
    #expect(train.labels == [3, 1, 4, 1, 5])
    #expect(train.pixels == .uint8((0..<60).map { UInt8($0) }))
    let test = try Dataset.load(at: url, split: .test, classCount: 10)
    #expect(test.shape == [2, 1, 4, 3])
    #expect(test.labels == [9, 2])
    let expected = (0..<24).map { Float(60 + $0) / 255 }
    guard case .float(let values) = test.pixels else { Issue.record("float pixels expected"); return }
    for (a, b) in zip(values, expected) { #expect(abs(a - b) < 1e-6) }
    #expect(throws: DatasetError.self) { try Dataset.load(at: url, split: .train, classCount: 5) }  // label 5
}

@Test func kerasNPZErrorsNameFileAndArray() throws {
    #expect { try Dataset.load(at: Fixtures.url("keras_float255.npz"), split: .train, classCount: 10) } throws: { error in
        guard case DatasetError.invalidArray(let source, "x_train", let expected, _) = error else { return false }
        return source.hasSuffix("keras_float255.npz") && expected.contains("[0, 1]")
    }
    // tiny_dataset.npz has x_train and y_train only.
    #expect { try Dataset.load(at: Fixtures.url("tiny_dataset.npz"), split: .test, classCount: 3) } throws: { error in
        guard case DatasetError.invalidArray(_, "x_test", _, let found) = error else { return false }
        return found.contains("x_train")
    }
}

@Test func cifarDirectoriesAreDetectedAndLoaded() throws {
    let dir10 = try Fixtures.temporaryDirectory(), dir100 = try Fixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir10); try? FileManager.default.removeItem(at: dir100) }
    let bytes10 = Data(try Fixtures.bytes("cifar10_tiny.bin")), bytes100 = Data(try Fixtures.bytes("cifar100_tiny.bin"))
    for name in (1...5).map({ "data_batch_\($0).bin" }) + ["test_batch.bin"] { try bytes10.write(to: dir10.appendingPathComponent(name)) }
    for name in ["train.bin", "test.bin"] { try bytes100.write(to: dir100.appendingPathComponent(name)) }
    #expect(try DatasetFormat.detect(at: dir10) == .cifar10)
    #expect(try DatasetFormat.detect(at: dir100) == .cifar100)
    let train10 = try Dataset.load(at: dir10, split: .train, classCount: 10)
    #expect(train10.shape == [15, 3, 32, 32])
    #expect(train10.name == dir10.lastPathComponent)
    let test100 = try Dataset.load(at: dir100, split: .test, classCount: 100)
    #expect(test100.labels == [30, 99])  // fine labels
    #expect(test100.classCount == 100)
    // Labels beyond the task's classes: an error naming the directory and split.
    #expect { try Dataset.load(at: dir100, split: .test, classCount: 10) } throws: { error in
        guard case DatasetError.labelOutOfRange(let dataset, 0, 30, 10) = error else { return false }
        return dataset == "\(dir100.path) (test)"
    }
    // Fewer classes declared than CIFAR-10 has, but every label fits: accepted with that count.
    #expect(try Dataset.load(at: dir10, split: .test, classCount: 12).classCount == 12)
}

@Test func idxDirectoryIsDetectedAndUnknownPathsAreExplained() throws {
    #expect(try DatasetFormat.detect(at: Fixtures.url("mnist-tiny")) == .idx)
    #expect(try Dataset.load(at: Fixtures.url("mnist-tiny"), split: .test, classCount: 10).labels == [9, 2])
    let dir = try Fixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    try Data("x".utf8).write(to: dir.appendingPathComponent("notes.txt"))
    #expect { try DatasetFormat.detect(at: dir) } throws: { error in
        guard case DatasetError.unrecognizedFormat(let path, let found) = error else { return false }
        return path == dir.path && found.contains("'notes.txt'") && error.localizedDescription.isEmpty == false
            && "\(error)".contains("image folder (train/CLASS/*.png")
    }
    #expect(throws: DatasetError.unrecognizedFormat(path: dir.path + "/nope", found: "nothing exists at this path")) {
        try DatasetFormat.detect(at: dir.appendingPathComponent("nope"))
    }
    #expect(throws: DatasetError.self) { try DatasetFormat.detect(at: dir.appendingPathComponent("notes.txt")) }
}
