/// How a dataset is cut into batches and turned into model input.
public struct BatchOptions: Sendable, Equatable {
    public var batchSize: Int
    /// Visit the images in a seeded random order (else in file order).
    public var shuffle: Bool
    /// Seed of the shuffling and augmentation of every epoch.
    public var seed: UInt64
    /// Drop a last batch smaller than `batchSize` (else yield it).
    public var dropLast: Bool
    /// Output channels; `nil` keeps the dataset's, 3 replicates a 1-channel dataset.
    public var channels: Int?
    public var normalization: Normalization
    public var augmentation: Augmentation
    /// Assemble large batches on all cores.
    public var parallel: Bool

    public init(
        batchSize: Int, shuffle: Bool = true, seed: UInt64 = 0, dropLast: Bool = false, channels: Int? = nil,
        normalization: Normalization = .none, augmentation: Augmentation = .none, parallel: Bool = true
    ) {
        precondition(batchSize > 0, "BatchOptions: batchSize \(batchSize) must be positive")
        precondition(channels.map { $0 > 0 } ?? true, "BatchOptions: channels must be positive")
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.seed = seed
        self.dropLast = dropLast
        self.channels = channels
        self.normalization = normalization
        self.augmentation = augmentation
        self.parallel = parallel
    }

    /// File order, every image once, no augmentation: for evaluation.
    public static func evaluation(batchSize: Int, channels: Int? = nil, normalization: Normalization = .none) -> BatchOptions {
        BatchOptions(batchSize: batchSize, shuffle: false, channels: channels, normalization: normalization)
    }
}
