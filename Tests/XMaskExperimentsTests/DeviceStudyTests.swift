import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import XMaskCrossbar
@testable import XMaskExperiments

/// Collects the messages of a run (which points were reused, which tasks adapted).
private final class RecordingReporter: ProgressReporter {
    var messages: [String] = []
    func progress(_ p: TrainingProgress) {}
    func message(_ text: String) { messages.append(text) }
}

/// A tiny study (synthetic 8×8 data, one task with 24 test images, XBM and FineTune, 2 steps), with `device` as its
/// `device:` section (none when nil).
private func tinyDeviceStudy(in scratch: ScratchDirectory, device: String?) throws -> ExperimentFile {
    let data = scratch.url.appendingPathComponent("data")
    if !FileManager.default.fileExists(atPath: data.path) {
        try writeSyntheticIDX(to: data.appendingPathComponent("backbone"), classes: 4, seed: 100)
        try writeSyntheticIDX(to: data.appendingPathComponent("a"), classes: 3, test: 24, seed: 1)
    }
    let text = """
    name: tiny
    seed: 3
    out: runs/one
    backbone: {model: resnet20, data: data/backbone, classes: 4, image_size: 8, epochs: 1, batch_size: 32}
    tasks:
      - {name: a, data: data/a, classes: 3}
    methods: [xbm, finetune]
    adapt: {steps: 2, batch_size: 16, recalibration_batches: 1}

    """ + (device ?? "")
    let url = scratch.url.appendingPathComponent("tiny.yaml")
    try Data(text.utf8).write(to: url)
    return try ExperimentFile.load(url)
}

private let tinyDevice = """
device:
  seed: 5
  trials: 2
  points:
    - {name: clean, preset: ideal}
    - {preset: stuck-5pct, recalibrate_batches: [0, 1]}
    - {name: gauss-8pct, level_sigma: 0.08}
"""

private func parse(_ device: String) throws -> DeviceStudy? {
    let text = """
    backbone: {model: resnet20, data: /nonexistent, epochs: 1}
    tasks: [{name: a, data: /nonexistent}]
    methods: [xbm]

    """ + device
    return try ExperimentFile.parse(text, path: "t.yaml", directory: URL(fileURLWithPath: "/"), checkData: false).plan.device
}

private func parseError(_ device: String) -> ExperimentFileError? {
    do { _ = try parse(device); return nil } catch let e as ExperimentFileError { return e } catch { return nil }
}

@Suite(.serialized) struct DeviceStudyTests {
    @Test func deviceSectionParsesPresetsOverridesAndDefaults() throws {
        let d = try #require(try parse("""
        device:
          seed: 7
          trials: 3
          test_subset: 20
          recalibrate_batches: [0, 10]
          points:
            - {preset: stuck-1pct}
            - {preset: wan2022+stuck-1pct, recalibrate_batches: 4}
            - {name: half-wan, preset: wan2022, programming_scale: 0.5}
            - {name: s2, stuck_rate: 0.02}
            - {name: per-level, level_sigma: [0.01, 0.02, 0.02, 0.01], stuck_high_rate: 0.001}
        """))
        #expect(d.seed == 7 && d.trials == 3 && d.testSubset == 20 && d.recalibrationBatches == [0, 10])
        #expect(d.points.map(\.name) == ["stuck-1pct", "wan2022_stuck-1pct", "half-wan", "s2", "per-level"])
        #expect(d.points[0].model == (try DevicePreset.model(named: "stuck-1pct")))
        #expect(d.points[1].model == (try DevicePreset.model(named: "wan2022+stuck-1pct")) && d.points[1].recalibrationBatches == [4])
        var half = try DevicePreset.model(named: "wan2022")
        half.programmingScale = 0.5
        #expect(d.points[2].model == half)
        #expect(d.points[3].model.stuckLowRate == 0.01 && d.points[3].model.stuckHighRate == 0.01 && d.points[3].preset == "ideal")
        #expect(d.points[4].model.levelSigma == [0.01, 0.02, 0.02, 0.01] && d.points[4].model.stuckHighRate == 0.001)
        #expect(d.runs.map(\.key) == ["stuck-1pct", "stuck-1pct.bn10", "wan2022_stuck-1pct.bn4", "half-wan", "half-wan.bn10",
                                      "s2", "s2.bn10", "per-level", "per-level.bn10"])
        let plain = try #require(try parse("device: {points: [{preset: read-1pct}]}"))
        #expect(plain.seed == 1 && plain.trials == 10 && plain.testSubset == nil && plain.recalibrationBatches == [0])
        #expect(try parse("") == nil)
    }

    @Test func badDeviceSectionsNameTheKey() {
        let cases: [(String, String, String)] = [
            ("device: {points: []}", "device.points", "at least one"),
            ("device: {trials: 3}", "device.points", "required"),
            ("device: {trials: 0, points: [{preset: ideal}]}", "device.trials", "out of range"),
            ("device: {test_subset: 0, points: [{preset: ideal}]}", "device.test_subset", "out of range"),
            ("device: {recalibrate_batches: [0, 0], points: [{preset: ideal}]}", "device.recalibrate_batches[1]", "twice"),
            ("device: {recalibrate_batches: -1, points: [{preset: ideal}]}", "device.recalibrate_batches", "out of range"),
            ("device: {colour: 1, points: [{preset: ideal}]}", "device.colour", "unknown key"),
            ("device: {points: [{preset: nope}]}", "device.points[0].preset", "PRESET"),
            ("device: {points: [{preset: ideal, stuck_rates: 0.1}]}", "device.points[0].stuck_rates", "unknown key"),
            ("device: {points: [{stuck_rate: 0.1}]}", "device.points[0]", "needs a name"),
            ("device: {points: [{name: x, stuck_rate: 1.5}]}", "device.points[0].stuck_rate", "out of range"),
            ("device: {points: [{name: x, stuck_low_rate: -0.1}]}", "device.points[0].stuck_low_rate", "probability"),
            ("device: {points: [{name: x, level_sigma: [0.1, 0.2]}]}", "device.points[0].level_sigma", "one per cell level"),
            ("device: {points: [{name: x, read_sigma: [0.1]}]}", "device.points[0].read_sigma", "number"),
            ("device: {points: [{name: x, stuck_rate: 0.1, stuck_low_rate: 0.1}]}", "device.points[0].stuck_rate", "not both"),
            ("device: {points: [{name: 'a b', preset: ideal}]}", "device.points[0].name", "letters"),
            ("device: {points: [{preset: ideal}, {name: ideal, read_sigma: 0.01}]}", "device.points[1]", "twice"),
        ]
        for (text, key, problem) in cases {
            let e = parseError(text)
            #expect(e?.key == key && e?.problem.contains(problem) == true, "\(text): \(e.map { "\($0)" } ?? "no error")")
        }
    }

    /// A shard holds only some of the tasks, so its run leaves the `device:` section to the
    /// merge, which evaluates every task on the same chips as the unsharded study; with several
    /// seeds a `device:` section is refused (it evaluates one task per (task, method)).
    @Test func aShardedStudysDeviceSectionRunsAtTheMerge() throws {
        let scratch = try ScratchDirectory()
        let file = try tinyDeviceStudy(in: scratch, device: "device: {seed: 5, trials: 2, points: [{preset: stuck-5pct}]}\n")
        let whole = try runStudy(file.plan, out: file.out)
        #expect(whole.device?.count == 1)
        let runs = scratch.url.appendingPathComponent("runs")
        let backbone = runs.appendingPathComponent("backbone")
        try prepareStudyBackbone(file.plan, out: backbone)
        let dirs = (0..<2).map { runs.appendingPathComponent("shard-\($0)") }
        for (k, dir) in dirs.enumerated() {
            let shard = try runStudy(file.plan, out: dir, shard: StudyShard(index: k, count: 2), sharedBackbone: backbone)
            #expect(shard.device == nil)
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("device").path))
            try shard.writeReport(to: dir)
        }
        let merged = try mergeStudyShards(dirs, plan: file.plan, into: runs.appendingPathComponent("merged"))
        #expect(merged.device != nil && merged.device == whole.device)

        var seeded = file.plan
        seeded.seeds = [1, 2]
        do {
            try seeded.validate()
            Issue.record("a device: section with two seeds was accepted")
        } catch {
            #expect("\(error)".contains("device"), "\(error)")
        }
    }

    /// Adapted without a `device:` section, then run with one: the tasks are reused; an
    /// interrupted device run resumes without redoing finished points; a point redone gives the
    /// same bytes (seeded chips); ideal cells give the plain evaluation bit for bit; another seed
    /// is not mistaken for a finished point; the report gains the section.
    @Test func tinyStudyWithDeviceSectionReusesTasksResumesAndRenders() throws {
        let scratch = try ScratchDirectory()
        let plain = try tinyDeviceStudy(in: scratch, device: nil)
        let file = try tinyDeviceStudy(in: scratch, device: tinyDevice)
        #expect(plain.plan.adaptConfig(task: plain.plan.tasks[0], method: .xbm) == file.plan.adaptConfig(task: file.plan.tasks[0], method: .xbm))
        let before = try runStudy(plain.plan, out: file.out)
        #expect(before.device == nil)
        let tasks = try TaskBundle.open(file.out).manifest.tasks

        // "Interrupted" after the first three runs: the section with only its first two points.
        var partial = file.plan
        partial.device!.points = Array(partial.device!.points.prefix(2))
        let first = RecordingReporter()
        let part = try runStudy(partial, out: file.out, reporter: first)
        #expect(first.messages.filter { $0.hasPrefix("reusing a-") }.count == 2 && !first.messages.contains { $0.hasPrefix("adapt") })
        #expect(part.device?.map(\.point) == ["clean", "stuck-5pct", "stuck-5pct"])
        let device = file.out.appendingPathComponent("device")
        let stuckFile = device.appendingPathComponent("stuck-5pct.json"), bnFile = device.appendingPathComponent("stuck-5pct.bn1.json")
        let stuckBytes = try #require(fileBytes(stuckFile)), bnBytes = try #require(fileBytes(bnFile))

        let second = RecordingReporter()
        let resumed = try runStudy(file.plan, out: file.out, reporter: second)
        #expect(try TaskBundle.open(file.out).manifest.tasks == tasks, "adding device: re-adapts nothing")
        #expect(second.messages.filter { $0.hasPrefix("reusing device point") } == ["reusing device point clean", "reusing device point stuck-5pct",
                                                                                    "reusing device point stuck-5pct.bn1"])
        #expect(second.messages.filter { $0.hasPrefix("device point") } == ["device point gauss-8pct: 2 trials × 2 tasks"])
        #expect(fileBytes(stuckFile) == stuckBytes && fileBytes(bnFile) == bnBytes)
        let runs = try #require(resumed.device)
        #expect(runs.map(\.point) == ["clean", "stuck-5pct", "stuck-5pct", "gauss-8pct"])
        #expect(runs.map(\.recalibrationBatches) == [0, 0, 1, 0])
        #expect(runs == part.device! + [runs[3]])

        // Ideal cells: every trial is the plain evaluation, bit for bit; every run's ideal
        // accuracy (evaluated once, then carried over) is the plain evaluation's.
        for r in runs[0].evaluation.tasks {
            let recorded = try TaskBundle.open(file.out).task(named: r.task).metrics
            #expect(r.logitsSHA256 == [recorded.logitsSHA256, recorded.logitsSHA256] && r.accuracies == [recorded.testAccuracy, recorded.testAccuracy])
            for run in runs { #expect(run.evaluation.tasks.first { $0.task == r.task }?.idealAccuracy == recorded.testAccuracy) }
        }
        // Faults change the logits, and the two chips differ.
        for r in runs[1].evaluation.tasks {
            #expect(r.logitsSHA256[0] != r.logitsSHA256[1] && !runs[0].evaluation.tasks[0].logitsSHA256.contains(r.logitsSHA256[0]))
        }

        // A finished point whose file is lost is redone, to the same bytes: the chips are seeded.
        try FileManager.default.removeItem(at: stuckFile)
        let third = RecordingReporter()
        #expect(try runStudy(file.plan, out: file.out, reporter: third).device == runs)
        #expect(third.messages.filter { $0.hasPrefix("device point") } == ["device point stuck-5pct: 2 trials × 2 tasks"])
        #expect(fileBytes(stuckFile) == stuckBytes)

        // Another seed is not a finished point: redone, other chips; the bn1 run is untouched.
        var reseeded = file.plan
        reseeded.device!.seed = 6
        reseeded.device!.points = [reseeded.device!.points[1]]
        reseeded.device!.points[0].recalibrationBatches = [0]
        let other = try runStudy(reseeded, out: file.out)
        #expect(other.device?[0].evaluation.tasks.map(\.logitsSHA256) != runs[1].evaluation.tasks.map(\.logitsSHA256))
        #expect(fileBytes(bnFile) == bnBytes)

        // results.json round-trips; the report has the section, its two charts and three tables.
        let json = try resumed.json()
        let decoded = try JSONDecoder().decode(StudyResult.self, from: json)
        #expect(try decoded.json() == json && decoded.markdown() == resumed.markdown())
        let md = resumed.markdown()
        #expect(md.contains("## Devices: accuracy (%) on non-ideal ReRAM cells, mean ± std over 2 chips (mean over tasks)"))
        #expect(md.contains("## Devices: accuracy (%) per task") && md.contains("## Devices: what per-task BN re-estimation"))
        let table = try #require(resumed.reportTables().first { $0.kind == .device })
        #expect(table.rows.map { $0[0] } == ["ideal cells", "clean", "stuck-5pct", "stuck-5pct", "gauss-8pct"])
        let xbm = try #require(runs[1].evaluation.tasks.first { $0.task == "a-xbm" })
        #expect(table.rows[2][3] == String(format: "%.2f ± %.2f", 100 * xbm.mean, 100 * xbm.std))
        #expect(table.rows[1][3] == table.rows[0][3] + " ± 0.00")
        let html = resumed.html()
        let charts = svgElements(html).filter { $0.contains("Accuracy vs stuck-at fault rate") || $0.contains("Accuracy vs programming noise") }
        #expect(charts.count == 2 && html.contains("<section id=\"device\">"))
        for svg in charts { #expect(XMLParser(data: Data(svg.utf8)).parse()) }
        // The stuck chart has the ideal point and 5 %; the noise chart the Gaussian point at its σ;
        // the captions name them.
        #expect(charts[0].contains(">ideal<") && charts[0].contains(">5 %<") && charts[1].contains(">8.0 %<"))
        #expect(html.contains("stuck-5pct 5 %") && html.contains("gauss-8pct 8.0 %"))
        #expect(svgElements(before.html()).count + 2 == svgElements(html).count)
    }

    /// Results written before the device section existed load, and the committed full study
    /// re-renders byte for byte.
    @Test func committedFullStudyReRendersByteIdentically() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = root.appendingPathComponent("results/full-study")
        let json = try #require(fileBytes(dir.appendingPathComponent("results.json")))
        let result = try JSONDecoder().decode(StudyResult.self, from: json)
        #expect(result.device == nil && result.plan.device == nil)
        #expect(Data(result.markdown().utf8) == fileBytes(dir.appendingPathComponent("report.md")))
        #expect(Data(result.html().utf8) == fileBytes(dir.appendingPathComponent("report.html")))
        // (Its results.json predates other optional fields, so it is not re-encoded byte for byte.)
        #expect(!String(decoding: try result.json(), as: UTF8.self).contains("\"device\" :"))
    }
}
