import Foundation

extension Dataset {
    /// Loads CIFAR-10 from the directory of its binary version (`cifar-10-batches-bin`):
    /// `data_batch_1.bin` … `data_batch_5.bin` for training, `test_batch.bin` for test.
    ///
    /// - Throws: ``FileReadError``, ``GzipError``, ``CIFARError``.
    public static func loadCIFAR10(directory: URL, split: Split, name: String = "cifar-10") throws -> Dataset {
        let files = split == .train ? (1...5).map { "data_batch_\($0).bin" } : ["test_batch.bin"]
        return try loadCIFAR(directory: directory, files: files, labels: .cifar10, name: name)
    }

    /// Loads CIFAR-100 from the directory of its binary version (`cifar-100-binary`):
    /// `train.bin` or `test.bin`, with the fine (100) or coarse (20) labels.
    public static func loadCIFAR100(
        directory: URL, split: Split, labels: CIFAR.Labels = .cifar100Fine, name: String = "cifar-100"
    ) throws -> Dataset {
        precondition(labels != .cifar10, "loadCIFAR100: labels must be .cifar100Fine or .cifar100Coarse")
        return try loadCIFAR(directory: directory, files: [split == .train ? "train.bin" : "test.bin"], labels: labels, name: name)
    }

    private static func loadCIFAR(directory: URL, files: [String], labels kind: CIFAR.Labels, name: String) throws -> Dataset {
        var pixels: [UInt8] = []
        var labels: [Int] = []
        for file in files {
            let url = try FileBytes.firstExisting(in: directory, [file, file + ".gz"])
            let part = try CIFAR.read(at: url, labels: kind)
            pixels += part.pixels
            labels += part.labels
        }
        return Dataset(
            unchecked: name, pixels: .uint8(pixels), labels: labels,
            channels: CIFAR.channels, height: CIFAR.height, width: CIFAR.width, classCount: kind.classCount)
    }
}
