import Foundation

extension Dataset {
    /// File names tried, in order, for one split of a directory in the MNIST layout.
    public static func idxFileNames(split: Split) -> (images: [String], labels: [String]) {
        let prefix = split == .train ? "train" : "t10k"
        func names(_ kind: String) -> [String] {
            ["\(prefix)-\(kind)-ubyte.gz", "\(prefix)-\(kind)-ubyte", "\(prefix)-\(kind.replacingOccurrences(of: "-", with: "."))-ubyte"]
        }
        return (names("images-idx3"), names("labels-idx1"))
    }

    /// Loads one split of a directory in the MNIST layout: `train-images-idx3-ubyte[.gz]`,
    /// `train-labels-idx1-ubyte[.gz]`, `t10k-images-idx3-ubyte[.gz]`, `t10k-labels-idx1-ubyte[.gz]`
    /// (gzip or raw, told apart by magic bytes). Images come out as bytes, 1 channel.
    ///
    /// - Parameters:
    ///   - classCount: labels must lie in `0..<classCount`.
    ///   - name: defaults to the directory's name.
    /// - Throws: ``FileReadError``, ``GzipError``, ``IDXError`` (wrong magic, truncation, counts
    ///   that differ between the two files, labels out of range).
    public static func loadIDX(directory: URL, split: Split, classCount: Int = 10, name: String? = nil) throws -> Dataset {
        let files = idxFileNames(split: split)
        let imagesURL = try FileBytes.firstExisting(in: directory, files.images)
        let labelsURL = try FileBytes.firstExisting(in: directory, files.labels)
        let images = try IDX.readImages(at: imagesURL)
        let labels = try IDX.readLabels(at: labelsURL, classCount: classCount)
        guard images.count == labels.count else {
            throw IDXError.countMismatch(
                imagesFile: imagesURL.path, imageCount: images.count, labelsFile: labelsURL.path, labelCount: labels.count)
        }
        return Dataset(
            unchecked: name ?? directory.lastPathComponent, pixels: .uint8(images.pixels), labels: labels,
            channels: 1, height: images.height, width: images.width, classCount: classCount)
    }
}
