import XMaskTensor

/// The batches of one epoch: `(images: Tensor [B, C, H, W], labels: [Int])`.
///
/// Epoch `e` of a run seeded with `s` visits the images in `Shuffle.order(count:seed: s, epoch: e)`,
/// and batch `k` draws its augmentation from a generator seeded with
/// `Shuffle.derivedSeed(s, [e, 1, k])`: any batch of any epoch can be rebuilt on its own, so a
/// run resumed at (epoch, batch) sees exactly the data of a run that never stopped, however
/// many threads assemble it.
public struct BatchIterator: IteratorProtocol, Sequence {
    public typealias Element = (images: Tensor, labels: [Int])

    public let dataset: Dataset
    public let options: BatchOptions
    public let epoch: Int
    /// The dataset indices in visiting order.
    public let order: [Int]
    /// Batches in the epoch.
    public let batchCount: Int
    /// Index of the batch `next()` yields.
    public private(set) var batchIndex: Int

    public init(dataset: Dataset, options: BatchOptions, epoch: Int = 0, startingAtBatch start: Int = 0) {
        precondition(epoch >= 0 && start >= 0, "BatchIterator: epoch \(epoch) and start \(start) must not be negative")
        self.dataset = dataset
        self.options = options
        self.epoch = epoch
        self.order = options.shuffle ? Shuffle.order(count: dataset.count, seed: options.seed, epoch: epoch) : Array(0..<dataset.count)
        let full = dataset.count / options.batchSize
        self.batchCount = options.dropLast || dataset.count % options.batchSize == 0 ? full : full + 1
        self.batchIndex = Swift.min(start, batchCount)
    }

    /// The dataset indices of batch `k`.
    public func indices(ofBatch k: Int) -> ArraySlice<Int> {
        precondition(k >= 0 && k < batchCount, "indices(ofBatch:): batch \(k) outside 0..<\(batchCount)")
        return order[(k * options.batchSize)..<Swift.min(order.count, (k + 1) * options.batchSize)]
    }

    /// Batch `k`, assembled.
    public func batch(_ k: Int) -> Element {
        let indices = Array(indices(ofBatch: k))
        var draws: [AugmentationDraw]? = nil
        if !options.augmentation.isIdentity {
            var rng = SeededGenerator(seed: Shuffle.derivedSeed(options.seed, [UInt64(epoch), 1, UInt64(k)]))
            draws = indices.map { _ in options.augmentation.draw(using: &rng) }
        }
        let images = dataset.batchTensor(
            indices: indices, channels: options.channels, normalization: options.normalization, draws: draws,
            parallel: options.parallel)
        return (images, indices.map { dataset.labels[$0] })
    }

    public mutating func next() -> Element? {
        guard batchIndex < batchCount else { return nil }
        defer { batchIndex += 1 }
        return batch(batchIndex)
    }

    public var underestimatedCount: Int { batchCount - batchIndex }
}

extension Dataset {
    /// The batches of epoch `epoch`, from batch `start` on.
    public func batches(_ options: BatchOptions, epoch: Int = 0, startingAtBatch start: Int = 0) -> BatchIterator {
        BatchIterator(dataset: self, options: options, epoch: epoch, startingAtBatch: start)
    }
}
