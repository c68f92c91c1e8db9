import Foundation
import Testing
import XMaskCrossbar
@testable import XMaskExperiments
import XMaskMasks
import XMaskTensor

/// The multi-task workflow on a tiny backbone: no forgetting, refusals that leave the bundle as
/// it was. Each test builds its own bundle (a few seconds in a debug build).
@Suite(.serialized) struct BundleWorkflowTests {
    @Test func firstTaskLogitsAreBitIdenticalAfterTwoMoreTasks() throws {
        let scratch = try ScratchDirectory()
        var bundle = try makeTinyBundle(in: scratch)
        let taskData = scratch.url.appendingPathComponent("task-a")
        try writeSyntheticIDX(to: taskData, seed: 7)
        let backboneBefore = fileBytes(bundle.backboneURL)

        _ = try Adapter(config: tinyAdaptConfig(task: "a", data: taskData, method: .xbm)).run(bundle: &bundle)
        let data = try TaskData(directory: taskData, inChannels: 1, imageSize: 8, classCount: 3)
        let before = evaluate(try bundle.loadTask("a").model, on: data.test, options: data.evaluationOptions(), keepLogits: true)
        let fileA = fileBytes(bundle.directory.appendingPathComponent("tasks/a/state.safetensors"))

        _ = try Adapter(config: tinyAdaptConfig(task: "b", data: taskData, method: .piggyback)).run(bundle: &bundle)
        _ = try Adapter(config: tinyAdaptConfig(task: "c", data: taskData, method: .xma2(peFraction: 0.1, shiftLevels: 3))).run(bundle: &bundle)

        let reopened = try TaskBundle.open(bundle.directory)
        let after = evaluate(try reopened.loadTask("a").model, on: data.test, options: data.evaluationOptions(), keepLogits: true)
        #expect(after.logits == before.logits)
        #expect(after.logits?.isEmpty == false)
        #expect(fileBytes(reopened.backboneURL) == backboneBefore)
        #expect(fileBytes(reopened.directory.appendingPathComponent("tasks/a/state.safetensors")) == fileA)
        #expect(reopened.taskNames == ["a", "b", "c"])
        let rows = try evaluateBundle(reopened)
        #expect(rows.count == 4)
        #expect(rows.dropFirst().allSatisfy { $0.logitsIdentical == true && $0.forgetting == 0 })
    }

    @Test func existingTaskNameIsRefusedAndTheBundleUnchanged() throws {
        let scratch = try ScratchDirectory()
        var bundle = try makeTinyBundle(in: scratch)
        let taskData = scratch.url.appendingPathComponent("task")
        try writeSyntheticIDX(to: taskData, seed: 8)
        _ = try Adapter(config: tinyAdaptConfig(task: "t", data: taskData, method: .xbm)).run(bundle: &bundle)
        let manifest = fileBytes(bundle.directory.appendingPathComponent("bundle.json"))
        #expect(throws: ExperimentError.taskExists(name: "t", bundle: bundle.directory.path)) {
            try Adapter(config: tinyAdaptConfig(task: "t", data: taskData, method: .piggyback)).run(bundle: &bundle)
        }
        #expect(fileBytes(bundle.directory.appendingPathComponent("bundle.json")) == manifest)
    }

    @Test func corruptedTaskFileIsRefused() throws {
        let scratch = try ScratchDirectory()
        var bundle = try makeTinyBundle(in: scratch)
        let taskData = scratch.url.appendingPathComponent("task")
        try writeSyntheticIDX(to: taskData, seed: 9)
        _ = try Adapter(config: tinyAdaptConfig(task: "t", data: taskData, method: .xma(shiftLevels: 3))).run(bundle: &bundle)
        let url = bundle.directory.appendingPathComponent("tasks/t/state.safetensors")
        var bytes = [UInt8](try Data(contentsOf: url))
        bytes[bytes.count - 1] ^= 0xFF
        try Data(bytes).write(to: url)
        do {
            _ = try bundle.loadTask("t")
            Issue.record("a corrupted task file was accepted")
        } catch let error as ExperimentError {
            guard case let .hashMismatch(file, _, _) = error else { Issue.record("unexpected \(error)"); return }
            #expect(file == url.path)
            #expect(error.description.contains("refusing"))
        }
    }

    @Test func maskFileWithTheWrongPackedSizeNamesTheKey() throws {
        let scratch = try ScratchDirectory()
        var bundle = try makeTinyBundle(in: scratch)
        let taskData = scratch.url.appendingPathComponent("task")
        try writeSyntheticIDX(to: taskData, seed: 10)
        _ = try Adapter(config: tinyAdaptConfig(task: "t", data: taskData, method: .xbm)).run(bundle: &bundle)
        var file = try Safetensors(contentsOf: bundle.directory.appendingPathComponent("tasks/t/state.safetensors"))
        file.setEntry(SafetensorsEntry(uint8: [1], shape: [1]), forKey: "layer3.2.conv2.column_levels")
        let model = try bundle.loadBackbone()
        #expect(throws: TaskStateError.self) { try TaskState(file: file, model: model, geometry: bundle.manifest.geometry) }
        do { _ = try TaskState(file: file, model: model, geometry: bundle.manifest.geometry) } catch {
            #expect("\(error)".contains("layer3.2.conv2.column_levels"))
        }
    }

    @Test func bundleWhoseBackboneWasSwappedIsRefused() throws {
        let scratch = try ScratchDirectory()
        let a = try makeTinyBundle(in: scratch, name: "a", seed: 1)
        let b = try makeTinyBundle(in: scratch, name: "b", seed: 2)
        try FileManager.default.removeItem(at: a.backboneURL)
        try FileManager.default.copyItem(at: b.backboneURL, to: a.backboneURL)
        #expect(throws: ExperimentError.self) { try TaskBundle.open(a.directory) }
        do { _ = try TaskBundle.open(a.directory) } catch {
            #expect("\(error)".contains("does not match the manifest"))
        }
    }

    @Test func dataThatDoesNotFitTheBackboneIsRefusedBeforeTraining() throws {
        let scratch = try ScratchDirectory()
        var bundle = try makeTinyBundle(in: scratch)
        let big = scratch.url.appendingPathComponent("big")
        try writeSyntheticIDX(to: big, size: 12, seed: 11)
        let manifest = fileBytes(bundle.directory.appendingPathComponent("bundle.json"))
        do {
            _ = try Adapter(config: tinyAdaptConfig(task: "big", data: big, method: .xbm)).run(bundle: &bundle)
            Issue.record("12×12 images were accepted by an 8×8 backbone")
        } catch let error as ExperimentError {
            #expect(error.description.contains("12×12×1"))
            #expect(error.description.contains("8×8×1"))
        }
        #expect(fileBytes(bundle.directory.appendingPathComponent("bundle.json")) == manifest)
        #expect(!FileManager.default.fileExists(atPath: bundle.directory.appendingPathComponent("tasks/big").path))
    }

    @Test func peFractionAboveTheSparePEsIsRefusedBeforeTraining() throws {
        let scratch = try ScratchDirectory()
        var bundle = try makeTinyBundle(in: scratch)
        let taskData = scratch.url.appendingPathComponent("task")
        try writeSyntheticIDX(to: taskData, seed: 12)
        do {
            _ = try Adapter(config: tinyAdaptConfig(task: "x", data: taskData, method: .xma2(peFraction: 0.3, shiftLevels: 3))).run(bundle: &bundle)
            Issue.record("P = 0.3 accepted with 10 % spare PEs")
        } catch let error as ExperimentError {
            #expect(error.description.contains("spare-PE fraction 0.1"))
        }
        #expect(bundle.taskNames.isEmpty)
    }

    @Test func pretrainingIntoAnExistingBundleIsRefused() throws {
        let scratch = try ScratchDirectory()
        let bundle = try makeTinyBundle(in: scratch)
        #expect(throws: ExperimentError.bundleExists(path: bundle.directory.path)) { try makeTinyBundle(in: scratch) }
    }
}

@Suite struct AdaptConfigTests {
    @Test func fineTuneRefusesAMaskLearningRate() {
        var c = AdaptConfig(task: "t", data: "/nonexistent", method: .fineTune, classes: 10, seed: 1)
        c.options.maskLearningRate = 1e-3
        #expect(throws: ExperimentError.self) { try c.validate() }
        c.options.maskLearningRate = nil
        #expect(throws: Never.self) { try c.validate() }
    }
}
