import Foundation
import XMaskCrossbar
import XMaskTensor

/// The `device:` section of a study (issue 16): after the study's adaptations, every
/// (task, method) is evaluated on every device point, `trials` chips each, with the same chip
/// per trial for every task (``evaluateBundle(_:device:reporter:)``). It is not part of any
/// adaptation's identity: adding, changing or removing it reuses the study's finished tasks.
public struct DeviceStudy: Codable, Sendable, Equatable {
    /// One device to evaluate on: a preset spec with field overrides.
    public struct Point: Codable, Sendable, Equatable {
        /// Letters, digits, `-`, `_`, `.`; names the point's files in the output directory.
        public var name: String
        /// `PRESET[+PRESET…]` the point starts from (`ideal` when only overrides are given).
        public var preset: String
        /// The preset with the point's overrides applied.
        public var model: DeviceModel
        /// Batch-norm re-estimation settings of this point; nil: the section's.
        public var recalibrationBatches: [Int]?

        public init(name: String, preset: String, model: DeviceModel, recalibrationBatches: [Int]? = nil) {
            self.name = name
            self.preset = preset
            self.model = model
            self.recalibrationBatches = recalibrationBatches
        }
    }

    /// Seed of every chip's draws (and of the test subset and calibration batches).
    public var seed: UInt64 = 1
    public var trials: Int = 10
    /// Evaluate on a stratified sample of this many test images per task (nil: the whole set).
    public var testSubset: Int?
    /// Unlabeled training batches (64 images) to re-estimate each task's batch norm with on the
    /// chip; one run per value (0 = off).
    public var recalibrationBatches: [Int] = [0]
    public var points: [Point]

    public init(points: [Point]) { self.points = points }

    /// One evaluation of the section: a point at one re-estimation setting.
    public struct Run: Sendable, Equatable {
        public var point: Point
        public var recalibrationBatches: Int
        /// File name stem in `OUT/device/`: `NAME` or `NAME.bnB`.
        public var key: String { recalibrationBatches == 0 ? point.name : "\(point.name).bn\(recalibrationBatches)" }
    }

    /// Every (point, re-estimation setting) in file order.
    public var runs: [Run] {
        points.flatMap { p in (p.recalibrationBatches ?? recalibrationBatches).map { Run(point: p, recalibrationBatches: $0) } }
    }

    public func validate(cellLevels: Int) throws {
        guard trials >= 1 else { throw ExperimentError.invalidOption(name: "device.trials", value: "\(trials)", expected: "≥ 1") }
        if let n = testSubset, n < 1 { throw ExperimentError.invalidOption(name: "device.test_subset", value: "\(n)", expected: "≥ 1") }
        guard !points.isEmpty else { throw ExperimentError.invalidOption(name: "device.points", value: "[]", expected: "at least one point") }
        var keys = Set<String>()
        for p in points {
            try p.model.validate(cellLevels: cellLevels)
            let batches = p.recalibrationBatches ?? recalibrationBatches
            guard !batches.isEmpty, batches.allSatisfy({ $0 >= 0 }) else {
                throw ExperimentError.invalidOption(name: "device.recalibrate_batches", value: "\(batches)", expected: "one or more counts ≥ 0")
            }
        }
        for r in runs where !keys.insert(r.key).inserted {
            throw ExperimentError.invalidOption(name: "device.points", value: r.key, expected: "each point name and re-estimation setting once")
        }
    }
}

/// The result of one ``DeviceStudy/Run``: what `OUT/device/KEY.json` holds and results.json lists.
public struct DeviceStudyRun: Codable, Sendable, Equatable {
    public var point: String
    public var preset: String
    public var recalibrationBatches: Int
    public var testSubset: Int?
    /// SHA-256 of every evaluated task's state file: a re-adapted task invalidates the run.
    public var taskSHA256: [String: String]
    public var evaluation: DeviceEvaluation

    /// The run `run` of `section` on tasks with these state hashes would give this result.
    func matches(_ run: DeviceStudy.Run, section: DeviceStudy, taskSHA256 hashes: [String: String]) -> Bool {
        point == run.point.name && preset == run.point.preset && recalibrationBatches == run.recalibrationBatches
            && testSubset == section.testSubset && taskSHA256 == hashes && evaluation.model == run.point.model
            && evaluation.trials == section.trials && evaluation.seed == section.seed
    }
}

/// Evaluates every run of `section` on the study's tasks in `bundle`, each run's result stored
/// in `OUT/device/KEY.json` (atomically) as soon as it is finished; a finished run whose file
/// matches (same point, trials, seed, subset and task states) is read back, not redone.
func runDeviceStudy(_ section: DeviceStudy, plan: StudyPlan, bundle: TaskBundle,
                    reporter: ProgressReporter) throws -> [DeviceStudyRun] {
    try section.validate(cellLevels: bundle.manifest.geometry.cellLevels)
    let names = plan.tasks.flatMap { t in plan.methods.map { StudyPlan.taskName(t.name, $0) } }
    var hashes: [String: String] = [:]
    for name in names { hashes[name] = try bundle.task(named: name).sha256 }
    let directory = bundle.directory.appendingPathComponent("device")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    var results: [DeviceStudyRun] = []
    // Every run of the section evaluates the same test images: the ideal pass is done once.
    var ideal: [String: Double] = [:]
    for run in section.runs {
        let file = directory.appendingPathComponent(run.key + ".json")
        if let data = FileManager.default.contents(atPath: file.path),
           let done = try? JSONDecoder().decode(DeviceStudyRun.self, from: data),
           done.matches(run, section: section, taskSHA256: hashes) {
            reporter.message("reusing device point \(run.key)")
            for t in done.evaluation.tasks { ideal[t.task] = t.idealAccuracy }
            results.append(done)
            continue
        }
        reporter.message("device point \(run.key): \(section.trials) trials × \(names.count) tasks")
        var options = DeviceEvaluationOptions(deviceName: run.point.name, device: run.point.model)
        options.trials = section.trials
        options.seed = section.seed
        options.recalibrationBatches = run.recalibrationBatches
        options.testSubset = section.testSubset
        options.tasks = names
        options.idealAccuracies = ideal
        let evaluation = try evaluateBundle(bundle, device: options, reporter: reporter)
        for t in evaluation.tasks { ideal[t.task] = t.idealAccuracy }
        let result = DeviceStudyRun(point: run.point.name, preset: run.point.preset, recalibrationBatches: run.recalibrationBatches,
                                    testSubset: section.testSubset, taskSHA256: hashes, evaluation: evaluation)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(result), to: file)
        results.append(result)
    }
    return results
}
