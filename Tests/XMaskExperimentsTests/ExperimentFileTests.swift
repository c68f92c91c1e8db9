import Foundation
import Testing
import XMaskCrossbar
@testable import XMaskExperiments

/// A scratch folder with an experiment file and synthetic datasets next to it.
private struct ExperimentFolder {
    let scratch: ScratchDirectory
    init() throws {
        scratch = try ScratchDirectory()
        try writeSyntheticIDX(to: scratch.url.appendingPathComponent("data/backbone"), classes: 4, seed: 100)
        try writeSyntheticIDX(to: scratch.url.appendingPathComponent("data/a"), classes: 3, seed: 1)
        try writeSyntheticIDX(to: scratch.url.appendingPathComponent("data/b"), size: 16, classes: 3, seed: 2)
    }

    /// Writes `text` as `study.yaml` and parses it.
    func parse(_ text: String) throws -> ExperimentFile {
        let url = scratch.url.appendingPathComponent("study.yaml")
        try Data(text.utf8).write(to: url)
        return try ExperimentFile.load(url)
    }

    /// The error `parse` throws.
    func error(_ text: String) throws -> ExperimentFileError {
        do { _ = try parse(text) } catch let e as ExperimentFileError { return e }
        Issue.record("expected an ExperimentFileError")
        return ExperimentFileError(file: "", line: nil, key: "", problem: "")
    }
}

/// A valid file; `replacing` swaps one line (1-based) for another, to make one mistake.
private func goodFile(replacing line: Int? = nil, with text: String = "") -> String {
    var lines = """
    name: tiny
    seed: 7
    backbone:
      model: resnet20
      data: data/backbone
      classes: 4
      image_size: 8
      epochs: 1
      batch_size: 32
    hardware:
      preset: xbm-32nm
      spare_pe_fraction: 0.2
    tasks:
      - {name: a, data: data/a, classes: 3}
      - name: b
        data: ./data/a
        classes: 3
    methods:
      - piggyback
      - xbm
      - xma: {shift_levels: 2}
      - xma2: {pe_fraction: [0.1, 0.2], shift_levels: 3}
    adapt:
      steps: 4
      batch_size: 16
      recalibration_batches: 2
      beta_final: 20
    """.components(separatedBy: "\n")
    if let line { lines[line - 1] = text }
    return lines.joined(separator: "\n")
}

@Suite struct ExperimentFileTests {
    @Test func backboneFromABundleTakesNoTrainingKeysAndMustBeABundle() throws {
        let folder = try ExperimentFolder()
        // Line 4 is `model: resnet20`; `from` beside it is refused at the training key's line.
        let both = try folder.error(goodFile(replacing: 4, with: "  from: somewhere"))
        #expect(both.key == "backbone.data" && both.line == 5)  // the first training key after `from`
        #expect(both.problem.contains("not allowed beside backbone.from"))
        let lines = goodFile().components(separatedBy: "\n")
        let onlyFrom = (lines[0..<2] + ["backbone: {from: no-such-bundle}"] + lines[9...]).joined(separator: "\n")
        let missing = try folder.error(onlyFrom)
        #expect(missing.key == "backbone.from" && missing.line == 3)
        #expect(missing.problem.contains("no-such-bundle"))
    }

    @Test func goodFileBecomesAPlanWithPathsResolvedAgainstTheFile() throws {
        let folder = try ExperimentFolder()
        let file = try folder.parse(goodFile())
        let plan = file.plan
        let root = folder.scratch.url.standardizedFileURL.path
        #expect(plan.name == "tiny")
        #expect(plan.seed == 7)
        #expect(plan.backbone.seed == 7)
        #expect(plan.backbone.data == root + "/data/backbone")
        #expect(plan.backbone.model.imageSize == 8 && plan.backbone.model.numClasses == 4)
        #expect(plan.backbone.model.quantization?.weightBits == 4)
        #expect(plan.tasks.map(\.name) == ["a", "b"])
        #expect(plan.tasks.map(\.data) == [root + "/data/a", root + "/data/a"])
        #expect(plan.methods == [.piggyback, .xbm, .xma(shiftLevels: 2), .xma2(peFraction: 0.1, shiftLevels: 3), .xma2(peFraction: 0.2, shiftLevels: 3)])
        #expect(plan.methods.map(StudyPlan.methodLabel) == ["piggyback", "xbm", "xma", "xma2-p0.1", "xma2-p0.2"])
        #expect(StudyPlan.taskName("a", .xma2(peFraction: 0.05, shiftLevels: 3)) == "a-xma2-p0.05")
        #expect(plan.geometry.sparePEFraction == 0.2)
        #expect(plan.adapt.steps == 4 && plan.adapt.batchSize == 16 && plan.adapt.recalibrationBatches == 2 && plan.adapt.betaFinal == 20)
        #expect(plan.adapt.beta == StudyPlan.AdaptOptions().beta)
        #expect(file.out.path == root + "/runs/tiny")
        let config = plan.adaptConfig(task: plan.tasks[0], method: plan.methods[4])
        #expect(config.task == "a-xma2-p0.2" && config.options.steps == 4 && config.seed == 7 && config.mask.betaFinal == 20 && config.classes == 3)
    }

    @Test func unknownKeyNamesTheKeyAndItsLine() throws {
        let folder = try ExperimentFolder()
        let e = try folder.error(goodFile(replacing: 25, with: "  stepz: 4"))
        #expect(e.key == "adapt.stepz")
        #expect(e.line == 25)
        #expect(e.description.contains("study.yaml:25: adapt.stepz: unknown key; expected one of steps, batch_size"))

        let top = try folder.error(goodFile(replacing: 2, with: "seeds: 7"))
        #expect(top.key == "seeds" && top.line == 2)

        let option = try folder.error(goodFile(replacing: 21, with: "  - xma: {shift_levels: 2, pe_fraction: 0.1}"))
        #expect(option.key == "methods[2].xma.pe_fraction" && option.line == 21)
    }

    /// A PE's arrays are `pe_array_rows × pe_array_columns` (the geometry's `peArrayRows`); the
    /// old `pe_rows`/`pe_cols` still work, with a warning naming the line.
    @Test func peArraysAreSpelledLikeTheGeometry() throws {
        let folder = try ExperimentFolder()
        let file = try folder.parse(goodFile(replacing: 12, with: "  spare_pe_fraction: 0.2\n  pe_array_rows: 3\n  pe_array_columns: 1"))
        #expect(file.plan.geometry.peArrayRows == 3 && file.plan.geometry.peArrayColumns == 1 && file.warnings.isEmpty)
        let old = try folder.parse(goodFile(replacing: 12, with: "  spare_pe_fraction: 0.2\n  pe_rows: 3\n  pe_cols: 1"))
        #expect(old.plan.geometry == file.plan.geometry)
        #expect(old.warnings.count == 2)
        #expect(old.warnings.contains { $0.hasSuffix("study.yaml:13: hardware.pe_rows: deprecated; write pe_array_rows (same meaning)") })
        #expect(old.warnings.contains { $0.hasSuffix("study.yaml:14: hardware.pe_cols: deprecated; write pe_array_columns (same meaning)") })
        let both = try folder.error(goodFile(replacing: 12, with: "  spare_pe_fraction: 0.2\n  pe_rows: 3\n  pe_array_rows: 3"))
        #expect(both.key == "hardware.pe_rows" && both.line == 13 && both.problem.contains("give pe_array_rows only"))
        #expect(try folder.parse(goodFile()).warnings.isEmpty)
    }

    @Test func hardwareWriteModelIsReadAndChecked() throws {
        let folder = try ExperimentFolder()
        #expect(try folder.parse(goodFile()).plan.hardware.technology.writeModel == .neurosim)
        let papers = try folder.parse(goodFile(replacing: 12, with: "  spare_pe_fraction: 0.2\n  write_model: papers"))
        #expect(papers.plan.hardware.technology.writeModel == .papers)
        let e = try folder.error(goodFile(replacing: 12, with: "  spare_pe_fraction: 0.2\n  write_model: ideal"))
        #expect(e.key == "hardware.write_model" && e.line == 13)
        #expect(e.problem.contains("expected one of neurosim, papers"))
    }

    @Test func missingDatasetDirectoryNamesTheKeyAndLine() throws {
        let folder = try ExperimentFolder()
        let e = try folder.error(goodFile(replacing: 16, with: "    data: data/nowhere"))
        #expect(e.key == "tasks[1].data")
        #expect(e.line == 16)
        #expect(e.problem.contains("data/nowhere does not exist"))
    }

    @Test func datasetThatDoesNotFitTheBackboneIsRefused() throws {
        let folder = try ExperimentFolder()
        let e = try folder.error(goodFile(replacing: 16, with: "    data: data/b"))
        #expect(e.key == "tasks[1].data" && e.line == 16)
        #expect(e.problem.contains("16×16×1"))
    }

    @Test func impossibleOptionsNameTheKeyAndLine() throws {
        let folder = try ExperimentFolder()
        let shift = try folder.error(goodFile(replacing: 21, with: "  - xma: {shift_levels: 5}"))
        #expect(shift.key == "methods[2].xma.shift_levels" && shift.line == 21)
        #expect(shift.problem.contains("expected 0...3"))

        let p = try folder.error(goodFile(replacing: 22, with: "  - xma2: {pe_fraction: [0.1, 0.3]}"))
        #expect(p.key == "methods[3].xma2.pe_fraction[1]" && p.line == 22)
        #expect(p.problem.contains("above the spare-PE fraction 0.2"))

        let method = try folder.error(goodFile(replacing: 20, with: "  - xbn"))
        #expect(method.key == "methods[1]" && method.line == 20)
        #expect(method.problem.contains("unknown method \"xbn\""))

        let type = try folder.error(goodFile(replacing: 24, with: "  steps: many"))
        #expect(type.key == "adapt.steps" && type.line == 24 && type.problem.contains("expected an integer"))

        let range = try folder.error(goodFile(replacing: 25, with: "  batch_size: 0"))
        #expect(range.key == "adapt.batch_size" && range.line == 25 && range.problem.contains("out of range"))

        let preset = try folder.error(goodFile(replacing: 11, with: "  preset: xbm-7nm"))
        #expect(preset.key == "hardware.preset" && preset.line == 11 && preset.problem.contains("xbm-32nm"))

        let duplicate = try folder.error(goodFile(replacing: 20, with: "  - piggyback"))
        #expect(duplicate.key == "methods[1]" && duplicate.line == 20 && duplicate.problem.contains("listed twice"))
    }

    @Test func missingRequiredKeyAndBrokenYAMLAreReportedWithALine() throws {
        let folder = try ExperimentFolder()
        let missing = try folder.error(goodFile(replacing: 5, with: "  channels: 1"))
        #expect(missing.key == "backbone.data" && missing.line == 4)
        #expect(missing.problem.contains("required"))

        let broken = try folder.error(goodFile(replacing: 14, with: "  - {name: a, data: data/a"))
        #expect(broken.line != nil)
        #expect(broken.problem.contains("not valid YAML"))
    }

    @Test func shippedExperimentFilesParse() throws {
        let experiments = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../experiments").standardizedFileURL
        for name in ["full.yaml", "small.yaml"] {
            // Dataset contents are checked where they exist; the full study's data lives beside the repo.
            let url = experiments.appendingPathComponent(name)
            let file = try ExperimentFile.load(url, checkData: false)
            #expect(file.plan.tasks.map(\.name) == ["mnist", "animal-mnist", "optdigits"], "\(name)")
            #expect(Set(file.plan.methods.map(\.name)) == Set(AdaptationMethod.names), "\(name)")
        }
    }
}
