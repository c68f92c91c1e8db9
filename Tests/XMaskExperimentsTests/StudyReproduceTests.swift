import Foundation
import Testing
import XMaskCrossbar
@testable import XMaskExperiments

/// A tiny study on synthetic 8×8 data: backbone, one task, XBM and XMA2 at two P.
private func tinyStudyFile(in scratch: ScratchDirectory) throws -> URL {
    try writeSyntheticIDX(to: scratch.url.appendingPathComponent("data/backbone"), classes: 4, seed: 100)
    try writeSyntheticIDX(to: scratch.url.appendingPathComponent("data/a"), classes: 3, seed: 1)
    let text = """
    name: tiny
    seed: 3
    out: runs/one
    backbone: {model: resnet20, data: data/backbone, classes: 4, image_size: 8, epochs: 1, batch_size: 32}
    hardware: {spare_pe_fraction: 0.2}
    tasks:
      - {name: a, data: data/a, classes: 3}
    methods: [xbm, {xma2: {pe_fraction: [0.1, 0.2]}}]
    adapt: {steps: 2, batch_size: 16, recalibration_batches: 1}
    """
    let url = scratch.url.appendingPathComponent("tiny.yaml")
    try Data(text.utf8).write(to: url)
    return url
}

/// results.json with the bundle path blanked (it names the output directory).
private func numbers(_ result: StudyResult) throws -> Data {
    var r = result
    r.bundle = ""
    return try r.json()
}

@Suite struct StudyReproduceTests {
    /// Interrupted after one task, then resumed; and run again from scratch, uninterrupted: the
    /// finished task is reused untouched, and both give the same results.json.
    @Test func tinyStudyResumesAndRepeatsBitForBit() throws {
        let scratch = try ScratchDirectory()
        let file = try ExperimentFile.load(try tinyStudyFile(in: scratch))
        var partial = file.plan
        partial.methods = [.xbm]
        _ = try runStudy(partial, out: file.out)
        let done = try TaskBundle.open(file.out).task(named: "a-xbm")

        let resumed = try runStudy(file.plan, out: file.out)
        #expect(try TaskBundle.open(file.out).task(named: "a-xbm") == done)
        #expect(try TaskBundle.open(file.out).taskNames == ["a-xbm", "a-xma2-p0.1", "a-xma2-p0.2"])
        #expect(resumed.methodLabels == ["xbm", "xma2-p0.1", "xma2-p0.2"])
        #expect(resumed.forgetting.map(\.task) == ["backbone", "a-xbm", "a-xma2-p0.1", "a-xma2-p0.2"])
        #expect(resumed.forgetting.dropFirst().allSatisfy { $0.logitsIdentical == true })
        #expect(resumed.cells.allSatisfy { $0.inferences == 48 && $0.energyBreakdownMicrojoules.total > 0 })
        #expect(resumed.cells.allSatisfy { !$0.sparsityPerLayer.isEmpty && $0.sparsityPerLayer[0].layer == "conv1" })
        #expect(resumed.cells[2].reprogrammedCells > resumed.cells[1].reprogrammedCells)
        let files = try resumed.writeReport(to: file.out)
        let html = try String(contentsOf: files.html, encoding: .utf8)
        // accuracy, mask bytes, energy, total/inference against M under each of the two write models, P sweep, sparsity of a,
        // the two Pareto charts, column-mask flips of a
        #expect(svgElements(html).count == 10)
        #expect(resumed.cells.allSatisfy { $0.columnMaskDiagnostics?.stepsPerBucket == [1, 1] })
        #expect(resumed.cells.allSatisfy { $0.writeModels?.map(\.writeModel) == [.neurosim, .papers] })

        // The same file and seed from scratch, uninterrupted: the same numbers.
        let fresh = try runStudy(file.plan, out: scratch.url.appendingPathComponent("runs/two"))
        #expect(try numbers(fresh) == numbers(resumed))

        // A changed budget is not silently mixed with the finished tasks.
        var changed = file.plan
        changed.adapt.steps += 1
        #expect(throws: StudyError.self) { try runStudy(changed, out: file.out) }
    }

    /// `backbone: {from: DIR}` imports a trained bundle's backbone byte for byte (none of its
    /// tasks) with the study's own geometry, and a task learned on it matches the same task
    /// learned in the bundle the backbone was trained in.
    @Test func importedBackboneIsTheSameBackbone() throws {
        let scratch = try ScratchDirectory()
        let trained = try ExperimentFile.load(try tinyStudyFile(in: scratch))
        var plan = trained.plan
        plan.methods = [.xbm]
        let original = try runStudy(plan, out: trained.out)

        let text = """
        name: imported
        seed: 3
        out: runs/imported
        backbone: {from: runs/one}
        hardware: {spare_pe_fraction: 0.3}
        tasks:
          - {name: a, data: data/a, classes: 3}
        methods: [xbm]
        adapt: {steps: 2, batch_size: 16, recalibration_batches: 1}
        """
        let url = scratch.url.appendingPathComponent("imported.yaml")
        try Data(text.utf8).write(to: url)
        let file = try ExperimentFile.load(url)
        #expect(file.plan.backboneSource == trained.out.path)
        #expect(file.plan.backbone.model == plan.backbone.model)
        let result = try runStudy(file.plan, out: file.out)
        let source = try TaskBundle.open(trained.out), copy = try TaskBundle.open(file.out)
        #expect(try Data(contentsOf: copy.backboneURL) == Data(contentsOf: source.backboneURL))
        #expect(copy.manifest.geometry.sparePEFraction == 0.3 && source.manifest.geometry.sparePEFraction == 0.2)
        #expect(copy.taskNames == ["a-xbm"])
        #expect(result.cells.map(\.accuracy) == original.cells.map(\.accuracy))
        #expect(try TaskBundle.open(file.out).task(named: "a-xbm").metrics.logitsSHA256
                == source.task(named: "a-xbm").metrics.logitsSHA256)
        #expect(result.settingsList().contains { $0.0 == "backbone training" && $0.1.contains("imported from") })
    }
}
