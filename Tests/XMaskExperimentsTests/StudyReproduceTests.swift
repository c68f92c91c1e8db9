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
        #expect(svgElements(html).count == 5)  // accuracy, mask bytes, energy, P sweep, sparsity of a

        // The same file and seed from scratch, uninterrupted: the same numbers.
        let fresh = try runStudy(file.plan, out: scratch.url.appendingPathComponent("runs/two"))
        #expect(try numbers(fresh) == numbers(resumed))

        // A changed budget is not silently mixed with the finished tasks.
        var changed = file.plan
        changed.adapt.steps += 1
        #expect(throws: StudyError.self) { try runStudy(changed, out: file.out) }
    }
}
