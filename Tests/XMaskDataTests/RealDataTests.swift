import Foundation
import Testing
import XMaskData

/// `../shared/data/optdigits` beside the package root (this file is
/// `Tests/XMaskDataTests/RealDataTests.swift`): where CI clones the repository with `shared/` beside it.
private let optdigits = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()  // package root
    .deletingLastPathComponent().appendingPathComponent("shared/data/optdigits")

/// The shared optdigits files (skipped where the repository has no `../shared/data` beside it).
@Test(.enabled(if: FileManager.default.fileExists(atPath: optdigits.path)))
func optdigitsLoadsAndBatches() throws {
    let train = try Dataset.loadIDX(directory: optdigits, split: .train)
    let test = try Dataset.loadIDX(directory: optdigits, split: .test)
    #expect(train.shape == [1442, 1, 8, 8])
    #expect(test.shape == [355, 1, 8, 8])
    #expect(train.classCount == 10)
    #expect(train.classCounts.allSatisfy { $0 > 100 })
    #expect(test.classCounts.allSatisfy { $0 > 25 })
    // To a ResNet's 32×32×3 input, normalised with the training statistics.
    let input = train.resized(height: 32, width: 32)
    let norm = Normalization.computed(from: input)
    var batches = input.batches(BatchOptions(batchSize: 128, seed: 1, channels: 3, normalization: norm))
    #expect(batches.batchCount == 12)
    let next = batches.next()
    let first = try #require(next)
    #expect(first.images.shape == [128, 3, 32, 32])
    let mean = first.images.scalars.reduce(0, +) / Float(first.images.count)
    #expect(abs(mean) < 0.2)
}
