import Foundation
import Testing
import XMaskCrossbar
import XMaskData
import XMaskMasks
@testable import XMaskExperiments

/// `validationFraction`: a stratified, seeded split of the training set, and no test label
/// read before the final evaluation.
@Suite struct AdaptValidationTests {
    @Test func validationSplitIsStratifiedDisjointAndSeeded() throws {
        let scratch = try ScratchDirectory()
        let dir = scratch.url.appendingPathComponent("d")
        try writeSyntheticIDX(to: dir, classes: 3, train: 96, seed: 4)
        let train = try Dataset.load(at: dir, split: .train, classCount: 3)
        let (rest, heldOut) = try Adapter.validationSplit(of: train, fraction: 0.25, seed: 7)
        let validation = try #require(heldOut)
        #expect(validation.count == 24 && rest.count == 72)
        #expect(validation.classCounts == [8, 8, 8] && rest.classCounts == [24, 24, 24])
        // Disjoint and together the training set: every image is in exactly one of them.
        let images = Set((0..<train.count).map { train.image(at: $0) })
        let split = (0..<rest.count).map { rest.image(at: $0) } + (0..<validation.count).map { validation.image(at: $0) }
        #expect(Set(split) == images && split.count == train.count)
        // Seeded: the same seed the same split, another seed another.
        let again = try #require(try Adapter.validationSplit(of: train, fraction: 0.25, seed: 7).1)
        let other = try #require(try Adapter.validationSplit(of: train, fraction: 0.25, seed: 8).1)
        #expect(again.labels == validation.labels && (0..<24).allSatisfy { again.image(at: $0) == validation.image(at: $0) })
        #expect(!(0..<24).allSatisfy { other.image(at: $0) == validation.image(at: $0) })
        // 0 = no split; a fraction that leaves no training image is refused by name.
        #expect(try Adapter.validationSplit(of: train, fraction: 0, seed: 7).1 == nil)
        let one = train.subset([0])
        #expect { try Adapter.validationSplit(of: one, fraction: 0.5, seed: 1) } throws: { error in
            guard case let .invalidOption(name, _, _)? = error as? ExperimentError else { return false }
            return name == "validationFraction"
        }
    }

    /// Two tasks whose data differ only in the test split's labels (the second's are poisoned:
    /// every label moved to the next class). If training, batch-norm re-estimation or
    /// validation read a test label, the deployed models or their validation accuracies would
    /// differ; they are identical (same test logits, same validation accuracy), and only the
    /// final test accuracy, which reads the labels, tells the two apart.
    @Test func noTestLabelIsReadBeforeTheFinalEvaluation() throws {
        let scratch = try ScratchDirectory()
        var bundle = try makeTinyBundle(in: scratch)
        let clean = scratch.url.appendingPathComponent("clean"), poisoned = scratch.url.appendingPathComponent("poisoned")
        try writeSyntheticIDX(to: clean, classes: 3, seed: 1)
        try writeSyntheticIDX(to: poisoned, classes: 3, seed: 1)
        let labelsFile = poisoned.appendingPathComponent("t10k-labels-idx1-ubyte")
        var bytes = [UInt8](try #require(fileBytes(labelsFile)))
        for i in 8..<bytes.count { bytes[i] = (bytes[i] + 1) % 3 }
        try Data(bytes).write(to: labelsFile)

        var entries: [TaskEntry] = []
        for (name, data) in [("clean", clean), ("poisoned", poisoned)] {
            var config = tinyAdaptConfig(task: name, data: data, method: .xbm, steps: 12)
            config.options.validationFraction = 0.25
            entries.append(try Adapter(config: config).run(bundle: &bundle))
        }
        let (a, b) = (entries[0].metrics, entries[1].metrics)
        #expect(a.validationImages == 24 && b.validationImages == 24)
        #expect(a.validationAccuracy != nil && a.validationAccuracy == b.validationAccuracy)
        #expect(a.logitsSHA256 == b.logitsSHA256)
        #expect(a.sparsityPerLayer == b.sparsityPerLayer)
        #expect(a.testAccuracy != b.testAccuracy)
    }

    @Test func withoutAFractionNothingIsHeldOut() throws {
        let scratch = try ScratchDirectory()
        var bundle = try makeTinyBundle(in: scratch)
        let data = scratch.url.appendingPathComponent("a")
        try writeSyntheticIDX(to: data, classes: 3, seed: 1)
        let entry = try Adapter(config: tinyAdaptConfig(task: "a", data: data, method: .xbm)).run(bundle: &bundle)
        #expect(entry.metrics.validationAccuracy == nil && entry.metrics.validationImages == nil)
        // Column-mask diagnostics of the 4 steps, their gated fraction the deployed sparsity.
        let d = try #require(entry.metrics.columnMaskDiagnostics)
        #expect(d.stepsPerBucket == [1, 1, 1, 1] && d.layers.count == entry.metrics.sparsityPerLayer.count)
        for layer in d.layers { #expect(abs(layer.levelFractions[0] - (entry.metrics.sparsityPerLayer[layer.layer] ?? -1)) < 1e-12) }
        #expect(d.meanAbsSlopePerBucket.allSatisfy { $0 > 0 })
        let json = String(decoding: try JSONEncoder().encode(entry), as: UTF8.self)
        #expect(json.contains("columnMaskDiagnostics") && !json.contains("validationAccuracy"))
    }

    /// The report shows the diagnostics section only when a cell has diagnostics.
    @Test func reportSectionOnlyWithDiagnostics() {
        var result = sampleStudyResult()
        #expect(!result.markdown().contains("Column-mask diagnostics") && !result.html().contains("mask-diagnostics"))
        let i = result.cells.firstIndex { $0.usesColumnMask }!
        result.cells[i].columnMaskDiagnostics = ColumnMaskDiagnostics(
            levels: [0, 1], layers: [.init(layer: "conv1", levelFractions: [0.25, 0.75])], maskValues: 8,
            stepsPerBucket: [2, 2], flipsPerBucket: [4, 1], meanAbsSlopePerBucket: [0.5, 0.125], lastQuarterFlippedFraction: 0.125)
        result.cells[i].validationAccuracy = 0.9
        let md = result.markdown()
        #expect(md.contains("## Column-mask diagnostics"))
        #expect(md.contains("| \(result.cells[i].task) | \(result.cells[i].methodDescription) | 90.00 | 25.00 | 0.00 | 12.50 | 0.5000 | 0.1250 |"))
        let html = result.html()
        #expect(html.contains("id=\"mask-diagnostics\"") && html.contains("Column-mask flips over training"))
    }
}
