/// A labelled image dataset held in memory: images [N, C, H, W] and one class label each.
///
/// Pixels stay in the type they were published in (bytes for IDX and CIFAR) so a 60,000-image
/// set costs 47 MB, not 188; they become `Float`s only when a batch is assembled (see
/// ``Dataset/batches(_:epoch:startingAtBatch:)``).
public struct Dataset: Sendable {
    /// The pixel values, in [N, C, H, W] row-major order.
    public enum Pixels: Sendable, Equatable {
        /// Bytes 0…255, scaled by 1/255 when batched.
        case uint8([UInt8])
        /// Values used as they are when batched (expected on the [0, 1] scale).
        case float([Float])

        public var count: Int {
            switch self {
            case .uint8(let v): return v.count
            case .float(let v): return v.count
            }
        }
    }

    /// Which half of a published train/test split.
    public enum Split: String, Sendable, CaseIterable {
        case train, test
    }

    /// A name for messages and reports (e.g. `fashion-mnist`).
    public var name: String
    public let pixels: Pixels
    /// One label in `0..<classCount` per image.
    public let labels: [Int]
    public let channels: Int
    public let height: Int
    public let width: Int
    public let classCount: Int

    /// Number of images.
    public var count: Int { labels.count }
    /// `[count, channels, height, width]`.
    public var shape: [Int] { [count, channels, height, width] }
    /// Values per image.
    public var imageSize: Int { channels * height * width }

    /// A dataset from its parts, checked.
    ///
    /// - Throws: ``DatasetError`` when the pixels do not fill the shape or a label is out of range.
    public init(
        name: String, pixels: Pixels, labels: [Int], channels: Int, height: Int, width: Int, classCount: Int
    ) throws {
        precondition(channels > 0 && height > 0 && width > 0 && classCount > 0,
                     "Dataset: channels \(channels), height \(height), width \(width), classCount \(classCount) must be positive")
        let expected = labels.count * channels * height * width
        guard pixels.count == expected else {
            throw DatasetError.pixelCountMismatch(
                dataset: name, shape: [labels.count, channels, height, width], expected: expected, found: pixels.count)
        }
        if let bad = labels.firstIndex(where: { $0 < 0 || $0 >= classCount }) {
            throw DatasetError.labelOutOfRange(dataset: name, index: bad, label: labels[bad], classCount: classCount)
        }
        self.init(unchecked: name, pixels: pixels, labels: labels, channels: channels, height: height, width: width, classCount: classCount)
    }

    init(unchecked name: String, pixels: Pixels, labels: [Int], channels: Int, height: Int, width: Int, classCount: Int) {
        self.name = name
        self.pixels = pixels
        self.labels = labels
        self.channels = channels
        self.height = height
        self.width = width
        self.classCount = classCount
    }

    /// How many images each class has, indexed by label.
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        for label in labels { counts[label] += 1 }
        return counts
    }

    /// The pixels of image `index` as `Float`s (bytes are not rescaled).
    public func image(at index: Int) -> [Float] {
        precondition(index >= 0 && index < count, "image(at:): index \(index) outside 0..<\(count)")
        let range = (index * imageSize)..<((index + 1) * imageSize)
        switch pixels {
        case .uint8(let v): return v[range].map { Float($0) }
        case .float(let v): return Array(v[range])
        }
    }
}
