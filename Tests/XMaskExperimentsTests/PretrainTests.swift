import Foundation
import Testing
@testable import XMaskExperiments
import XMaskTensor

@Suite(.serialized) struct PretrainTests {
    func config(_ data: URL, epochs: Int) -> PretrainConfig {
        var c = PretrainConfig(model: ModelSpec(name: "resnet20", inChannels: 1, numClasses: 3, imageSize: 8), data: data.path, epochs: epochs)
        c.batchSize = 32
        c.cropPadding = 1
        return c
    }

    @Test func resumedRunEndsWithTheSameWeightsAsAnUninterruptedOne() throws {
        let scratch = try ScratchDirectory()
        let data = scratch.url.appendingPathComponent("data")
        try writeSyntheticIDX(to: data, seed: 3)
        let straight = scratch.url.appendingPathComponent("straight")
        _ = try Pretrainer(config: config(data, epochs: 2), outDirectory: straight).run(resume: false)

        let interrupted = scratch.url.appendingPathComponent("interrupted")
        let first = try Pretrainer(config: config(data, epochs: 2), outDirectory: interrupted).run(resume: false, stopAfter: 1)
        #expect(first == nil)
        #expect(!FileManager.default.fileExists(atPath: interrupted.appendingPathComponent("bundle.json").path))
        // The checkpoint on disk is loadable.
        let checkpoint = try Safetensors(contentsOf: interrupted.appendingPathComponent("checkpoint.safetensors"))
        #expect(checkpoint.metadata["epoch"] == "1")
        _ = try Pretrainer(config: config(data, epochs: 2), outDirectory: interrupted).run(resume: true)

        let a = try TaskBundle.open(straight), b = try TaskBundle.open(interrupted)
        #expect(a.manifest.backbone.sha256 == b.manifest.backbone.sha256)
        #expect(fileBytes(a.backboneURL) == fileBytes(b.backboneURL))
    }

    @Test func resumeWithDifferentSettingsIsRefused() throws {
        let scratch = try ScratchDirectory()
        let data = scratch.url.appendingPathComponent("data")
        try writeSyntheticIDX(to: data, seed: 4)
        let out = scratch.url.appendingPathComponent("out")
        _ = try Pretrainer(config: config(data, epochs: 2), outDirectory: out).run(resume: false, stopAfter: 1)
        var other = config(data, epochs: 2)
        other.learningRate = 0.01
        do {
            _ = try Pretrainer(config: other, outDirectory: out).run(resume: true)
            Issue.record("resumed with different settings")
        } catch let error as ExperimentError {
            #expect(error.description.contains("different settings"))
        }
    }

    @Test func nonFiniteLossStopsTrainingAndKeepsTheLastCheckpoint() throws {
        let scratch = try ScratchDirectory()
        let data = scratch.url.appendingPathComponent("data")
        try writeSyntheticIDX(to: data, seed: 5)
        let out = scratch.url.appendingPathComponent("out")
        var c = config(data, epochs: 2)
        _ = try Pretrainer(config: c, outDirectory: out).run(resume: false, stopAfter: 1)
        let good = fileBytes(out.appendingPathComponent("checkpoint.safetensors"))
        // Resume the same run, but make the second epoch diverge by corrupting a weight into NaN.
        var file = try Safetensors(contentsOf: out.appendingPathComponent("checkpoint.safetensors"))
        let w = try file.tensor("fc.weight")
        file.setTensor(Tensor(shape: w.shape, scalars: w.scalars.map { _ in .nan }), forKey: "fc.weight")
        let poisoned = scratch.url.appendingPathComponent("poisoned")
        try FileManager.default.createDirectory(at: poisoned, withIntermediateDirectories: true)
        try file.write(to: poisoned.appendingPathComponent("checkpoint.safetensors"))
        let poisonedBefore = fileBytes(poisoned.appendingPathComponent("checkpoint.safetensors"))
        c.epochs = 2
        do {
            _ = try Pretrainer(config: c, outDirectory: poisoned).run(resume: true)
            Issue.record("a NaN loss did not stop training")
        } catch let error as ExperimentError {
            guard case let .nonFiniteLoss(step, epoch, last) = error else { Issue.record("unexpected \(error)"); return }
            #expect(step == 1)
            #expect(epoch == 2)
            #expect(last == poisoned.appendingPathComponent("checkpoint.safetensors").path)
        }
        #expect(fileBytes(poisoned.appendingPathComponent("checkpoint.safetensors")) == poisonedBefore)
        #expect(fileBytes(out.appendingPathComponent("checkpoint.safetensors")) == good)
        #expect(!FileManager.default.fileExists(atPath: poisoned.appendingPathComponent("bundle.json").path))
    }
}
