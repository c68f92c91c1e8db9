import Foundation
import XMaskData
import XMaskTensor

/// A dataset (any ``XMaskData/DatasetFormat``: IDX directory, Keras `.npz`, CIFAR binary
/// directory, PNG image folder; told apart by ``XMaskData/DatasetFormat/detect(at:)``) made ready for a model:
/// single-channel images replicated to 3 channels when the model wants them, smaller images
/// upsampled (bilinear) to the model's input size when `resize` allows, pixel values scaled
/// to [0, 1] and normalised to `(x − 0.5)/0.5` for every task (a fixed, task-independent
/// normalisation; per-task batch norm absorbs the rest).
public struct TaskData {
    public let train: Dataset
    public let test: Dataset
    public let channels: Int
    public let normalization = TaskData.standardNormalization
    /// `(x − 0.5)/0.5` on the [0, 1] scale, every channel, every task.
    public static let standardNormalization = Normalization(mean: [0.5], standardDeviation: [0.5])

    /// Loads `directory` for a model with `inChannels` channels and `imageSize`² inputs.
    /// - Parameter resize: upsample smaller square images to `imageSize` (never downsample).
    /// - Parameter classCount: labels must lie in `0..<classCount` (an error names the file otherwise).
    public init(directory: URL, inChannels: Int, imageSize: Int, classCount: Int = 10, resize: Bool = true) throws {
        var train = try Dataset.load(at: directory, split: .train, classCount: classCount)
        var test = try Dataset.load(at: directory, split: .test, classCount: classCount)
        for (split, d) in [("train", train), ("test", test)] {
            let size = "\(d.height)×\(d.width)×\(d.channels)"
            let expected = "\(imageSize)×\(imageSize)×\(inChannels)"
            guard d.channels == inChannels || (d.channels == 1 && inChannels == 3) else {
                throw ExperimentError.imageSizeMismatch(dataset: "\(directory.path) (\(split))", size: size,
                                                        expected: "\(expected) (channels cannot be reduced)")
            }
            if d.height != imageSize || d.width != imageSize {
                guard resize, d.height == d.width, d.height < imageSize else {
                    throw ExperimentError.imageSizeMismatch(
                        dataset: "\(directory.path) (\(split))", size: size,
                        expected: expected + (resize ? " (only smaller square images are upsampled)" : " (resizing is off)"))
                }
            }
        }
        if train.height != imageSize { train = train.resized(height: imageSize, width: imageSize) }
        if test.height != imageSize { test = test.resized(height: imageSize, width: imageSize) }
        guard train.classCount == test.classCount else {
            throw ExperimentError.invalidOption(name: "\(directory.path) labels", value: "\(train.classCount) train / \(test.classCount) test classes",
                                                expected: "the same classes in both splits")
        }
        self.train = train
        self.test = test
        self.channels = inChannels
    }

    public var classCount: Int { train.classCount }

    /// Channels and size of a dataset's images (read from its test split).
    public static func probe(directory: URL) throws -> (channels: Int, size: Int) {
        let test = try Dataset.load(at: directory, split: .test, classCount: 256)
        return (test.channels, max(test.height, test.width))
    }

    /// Training batches: shuffled from `seed`, optional augmentation.
    public func trainingOptions(batchSize: Int, seed: UInt64, augmentation: Augmentation = .none) -> BatchOptions {
        BatchOptions(batchSize: batchSize, shuffle: true, seed: seed, dropLast: true, channels: channels,
                     normalization: normalization, augmentation: augmentation)
    }

    public func evaluationOptions(batchSize: Int = 500) -> BatchOptions {
        .evaluation(batchSize: batchSize, channels: channels, normalization: normalization)
    }
}
