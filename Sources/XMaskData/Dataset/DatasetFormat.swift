import Foundation

/// The on-disk layouts a dataset path can have, told apart by what the path holds.
public enum DatasetFormat: String, Sendable, CaseIterable {
    /// A directory of MNIST-layout IDX files (`train-images-idx3-ubyte[.gz]`, …; ``Dataset/loadIDX(directory:split:classCount:name:)``).
    case idx
    /// A Keras-style `.npz` file with `x_train`, `y_train`, `x_test`, `y_test` (``Dataset/loadKerasNPZ(at:split:classCount:name:)``).
    case npz
    /// A directory of CIFAR-10 binary batches: `data_batch_1.bin` … `data_batch_5.bin`, `test_batch.bin`.
    case cifar10
    /// A directory of CIFAR-100 binary files: `train.bin`, `test.bin` (fine labels).
    case cifar100
    /// torchvision's `ImageFolder` layout: `train/CLASS/*.png`, `test/CLASS/*.png` (``Dataset/loadImageFolder(directory:split:classCount:name:)``).
    case imageFolder = "image-folder"

    /// The layouts, for error messages.
    public static let expectedLayouts = "a directory of MNIST-layout IDX files (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-…), "
        + "a Keras-style .npz file (x_train, y_train, x_test, y_test), a CIFAR-10 binary directory (data_batch_1.bin … data_batch_5.bin, test_batch.bin), "
        + "a CIFAR-100 binary directory (train.bin, test.bin) or an image folder (train/CLASS/*.png, test/CLASS/*.png)"

    /// The name a dataset at `url` goes by: the directory's, or the file's without `.npz`.
    public static func displayName(of url: URL) -> String {
        url.pathExtension.lowercased() == "npz" ? url.deletingPathExtension().lastPathComponent : url.lastPathComponent
    }

    /// The format of the dataset at `url`: a regular file is an NPZ (by its `.npz` extension or
    /// zip signature); a directory is told apart by the names it holds.
    ///
    /// - Throws: ``DatasetError/unrecognizedFormat(path:found:)`` naming what the path holds.
    public static func detect(at url: URL) throws -> DatasetFormat {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw DatasetError.unrecognizedFormat(path: url.path, found: "nothing exists at this path")
        }
        if !isDirectory.boolValue {
            if url.pathExtension.lowercased() == "npz" { return .npz }
            let head = (try? FileHandle(forReadingFrom: url).readData(ofLength: 4)).map { [UInt8]($0) } ?? []
            if head == [0x50, 0x4B, 0x03, 0x04] { return .npz }
            throw DatasetError.unrecognizedFormat(path: url.path, found: "a file that is not an .npz (zip) archive")
        }
        func has(_ names: [String]) -> Bool {
            names.contains { fm.fileExists(atPath: url.appendingPathComponent($0).path) }
        }
        func isDirectoryEntry(_ name: String) -> Bool {
            var d: ObjCBool = false
            return fm.fileExists(atPath: url.appendingPathComponent(name).path, isDirectory: &d) && d.boolValue
        }
        let idx = Dataset.idxFileNames(split: .train)
        if has(idx.images) || has(Dataset.idxFileNames(split: .test).images) { return .idx }
        if has(["data_batch_1.bin", "data_batch_1.bin.gz", "test_batch.bin", "test_batch.bin.gz"]) { return .cifar10 }
        if has(["train.bin", "train.bin.gz", "test.bin", "test.bin.gz"]) { return .cifar100 }
        if isDirectoryEntry("train") && isDirectoryEntry("test") { return .imageFolder }
        let listing = ((try? fm.contentsOfDirectory(atPath: url.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        let shown = listing.prefix(8).map { "'\($0)'" }.joined(separator: ", ") + (listing.count > 8 ? ", …" : "")
        throw DatasetError.unrecognizedFormat(path: url.path, found: listing.isEmpty ? "an empty directory" : "a directory holding \(shown)")
    }
}

extension Dataset {
    /// Loads one split of the dataset at `url`, whatever its ``DatasetFormat``. Labels must lie
    /// in `0..<classCount`; an error names the file otherwise.
    ///
    /// - Parameter name: defaults to the directory's name, or the file's without `.npz`.
    /// - Throws: ``DatasetError``, ``FileReadError`` and the error type of the format's reader
    ///   (``IDXError``, ``CIFARError``, ``ZipError``, ``NPYError``, ``PNGError``).
    public static func load(at url: URL, split: Split, classCount: Int, name: String? = nil) throws -> Dataset {
        let format = try DatasetFormat.detect(at: url)
        let name = name ?? DatasetFormat.displayName(of: url)
        switch format {
        case .idx:
            return try loadIDX(directory: url, split: split, classCount: classCount, name: name)
        case .npz:
            return try loadKerasNPZ(at: url, split: split, classCount: classCount, name: name)
        case .cifar10, .cifar100:
            let loaded = format == .cifar10 ? try loadCIFAR10(directory: url, split: split, name: name)
                                            : try loadCIFAR100(directory: url, split: split, name: name)
            guard loaded.classCount != classCount else { return loaded }
            return try Dataset(name: "\(url.path) (\(split.rawValue))", pixels: loaded.pixels, labels: loaded.labels,
                               channels: loaded.channels, height: loaded.height, width: loaded.width, classCount: classCount)
                .renamed(name)
        case .imageFolder:
            return try loadImageFolder(directory: url, split: split, classCount: classCount, name: name)
        }
    }

    func renamed(_ name: String) -> Dataset {
        var d = self
        d.name = name
        return d
    }
}
