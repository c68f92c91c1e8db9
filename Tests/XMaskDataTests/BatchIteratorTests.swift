import Testing
import XMaskData
import XMaskTensor

@Test func batchesKeepOrDropTheLastPartialBatch() throws {
    let d = try constantImages(10, classes: 3)
    let kept = Array(d.batches(BatchOptions(batchSize: 4, seed: 1)))
    #expect(kept.map { $0.images.shape } == [[4, 1, 2, 2], [4, 1, 2, 2], [2, 1, 2, 2]])
    let dropped = Array(d.batches(BatchOptions(batchSize: 4, seed: 1, dropLast: true)))
    #expect(dropped.count == 2)
    // Every image exactly once, labels matching the images (image i holds value i/255).
    let seen = kept.flatMap { batch in (0..<batch.labels.count).map { Int((batch.images.scalars[$0 * 4] * 255).rounded()) } }
    #expect(seen.sorted() == Array(0..<10))
    #expect(seen != Array(0..<10), "shuffled")
    #expect(kept.flatMap(\.labels) == seen.map { $0 % 3 })
}

@Test func evaluationBatchesAreInFileOrder() throws {
    let d = try constantImages(5, classes: 5)
    let batches = Array(d.batches(.evaluation(batchSize: 2)))
    #expect(batches.flatMap(\.labels) == [0, 1, 2, 3, 4])
    #expect(batches[2].images.scalars == [Float](repeating: 4.0 / 255, count: 4))
}

@Test func epochsDifferAndResumeReproduces() throws {
    let d = try constantImages(64, classes: 4).resized(height: 8, width: 8)
    let options = BatchOptions(batchSize: 16, seed: 7, augmentation: .standard)
    let epoch2 = Array(d.batches(options, epoch: 2))
    #expect(epoch2.flatMap(\.labels) != Array(d.batches(options, epoch: 3)).flatMap(\.labels))
    let resumed = Array(d.batches(options, epoch: 2, startingAtBatch: 2))
    #expect(resumed.count == 2)
    #expect(resumed[0].images.scalars == epoch2[2].images.scalars)
    #expect(resumed[1].labels == epoch2[3].labels)
    let again = Array(d.batches(options, epoch: 2))
    #expect(zip(again, epoch2).allSatisfy { $0.images.scalars == $1.images.scalars })
}

@Test func parallelAssemblyEqualsSerial() throws {
    let d = try constantImages(200, classes: 10).resized(height: 32, width: 32, method: .centerPad)
    let options = BatchOptions(batchSize: 100, seed: 3, channels: 3,
                               normalization: Normalization(mean: [0.1, 0.2, 0.3], standardDeviation: [0.5, 1, 2]),
                               augmentation: .standard)
    var serial = options
    serial.parallel = false
    for (a, b) in zip(d.batches(options), d.batches(serial)) {
        #expect(a.images.scalars == b.images.scalars)
        #expect(a.labels == b.labels)
    }
}

@Test func channelReplicationWithPerChannelNormalisation() throws {
    let d = try constantImages(2, classes: 2)
    let norm = Normalization(mean: [0, 0.5, 1], standardDeviation: [1, 0.5, 0.25])
    let t = d.batchTensor(indices: [1], channels: 3, normalization: norm)
    #expect(t.shape == [1, 3, 2, 2])
    let v: Float = 1.0 / 255
    #expect(t.scalars == [v, v, v, v] + [Float](repeating: (v - 0.5) / 0.5, count: 4) + [Float](repeating: (v - 1) / 0.25, count: 4))
}

@Test func normalisationComputedPerChannel() throws {
    // Two 3-channel 1×2 images: channel 0 all 0, channel 1 values 0 and 255, channel 2 all 51.
    let d = try Dataset(name: "n", pixels: .uint8([0, 0, 0, 255, 51, 51, 0, 0, 0, 255, 51, 51]), labels: [0, 0],
                        channels: 3, height: 1, width: 2, classCount: 1)
    let n = Normalization.computed(from: d)
    #expect(n.mean == [0, 0.5, 0.2])
    #expect(n.standardDeviation == [1, 0.5, 1], "constant channels get 1")
}
