import Foundation
import XMaskCrossbar
import XMaskData
import XMaskMasks
import XMaskNN
import XMaskTensor

/// How ``evaluateBundle(_:device:reporter:)`` draws its chips.
public struct DeviceEvaluationOptions: Sendable {
    /// The preset spec it came from (`wan2022+stuck-1pct`), for the report.
    public var deviceName: String
    public var device: DeviceModel
    public var trials: Int = 10
    public var seed: UInt64 = 1
    /// Batches of the task's training images (labels unused) to re-estimate its batch-norm
    /// statistics with on the noisy chip (0 = off).
    public var recalibrationBatches: Int = 0
    public var recalibrationBatchSize: Int = 64
    /// Evaluate on a stratified sample of this many test images (nil = the whole test set).
    public var testSubset: Int?
    /// Only these tasks (nil = every task of the bundle).
    public var tasks: [String]?
    /// Each task's ideal-cell accuracy on these test images (same `testSubset` and `seed`), if
    /// already known: the ideal pass is skipped for the tasks listed.
    public var idealAccuracies: [String: Double] = [:]

    public init(deviceName: String, device: DeviceModel) {
        self.deviceName = deviceName
        self.device = device
    }

    public func validate() throws {
        guard trials >= 1 else { throw ExperimentError.invalidOption(name: "trials", value: "\(trials)", expected: "≥ 1") }
        guard recalibrationBatches >= 0 else {
            throw ExperimentError.invalidOption(name: "recalibrate-batches", value: "\(recalibrationBatches)", expected: "≥ 0")
        }
        guard recalibrationBatchSize >= 2 else {
            throw ExperimentError.invalidOption(name: "recalibration batch size", value: "\(recalibrationBatchSize)", expected: "≥ 2")
        }
        if let n = testSubset, n < 1 { throw ExperimentError.invalidOption(name: "test-subset", value: "\(n)", expected: "≥ 1") }
    }
}

/// One task on the device: its accuracy in every trial.
public struct DeviceTaskResult: Codable, Sendable, Equatable {
    public var task: String
    public var method: String
    /// Accuracy on the same test images with ideal cells (today's `xmask eval`).
    public var idealAccuracy: Double
    public var accuracies: [Double]
    /// SHA-256 of each trial's logits (``logitsDigest(_:)``).
    public var logitsSHA256: [String]
    public var mean: Double
    public var std: Double
}

/// Mean ± std over trials of the per-trial mean accuracy of a method's tasks.
public struct DeviceMethodResult: Codable, Sendable, Equatable {
    public var method: String
    public var tasks: Int
    public var idealAccuracy: Double
    public var mean: Double
    public var std: Double
}

/// What `xmask eval --device` prints with `--json`.
public struct DeviceEvaluation: Codable, Sendable, Equatable {
    public var device: String
    public var model: DeviceModel
    public var trials: Int
    public var seed: UInt64
    public var recalibrationBatches: Int
    public var testImages: [String: Int]
    public var tasks: [DeviceTaskResult]
    public var methods: [DeviceMethodResult]
}

/// Mean and sample standard deviation (0 for one value).
func meanAndStd(_ v: [Double]) -> (mean: Double, std: Double) {
    guard !v.isEmpty else { return (0, 0) }
    let mean = v.reduce(0, +) / Double(v.count)
    guard v.count > 1 else { return (mean, 0) }
    let ss = v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
    return (mean, (ss / Double(v.count - 1)).squareRoot())
}

/// A seed for draw `a`, `b` of a run seeded with `seed` (independent streams).
func derivedSeed(_ seed: UInt64, _ a: UInt64, _ b: UInt64) -> UInt64 {
    var g = SeededGenerator(seed: seed ^ (a &* 0x9E37_79B9_7F4A_7C15) ^ (b &* 0xC2B2_AE3D_27D4_EB4F))
    return g.next()
}

/// Re-estimates every batch-norm layer's running statistics of `model` as the plain average of
/// the batch statistics of `batches` (PyTorch's `momentum=None`), with the rest of the model in
/// evaluation mode; leaves the model in evaluation mode.
public func reestimateBatchNorm(_ model: any ImageClassifier, batches: [Tensor]) {
    model.setTraining(false)
    let norms = model.namedLayers().compactMap { $0.layer as? BatchNorm2d }
    for bn in norms { bn.isTraining = true }
    for (k, images) in batches.enumerated() {
        let before = norms.map { ($0.runningMean.value.scalars, $0.runningVariance.value.scalars) }
        _ = model(images)
        for (bn, (mean0, var0)) in zip(norms, before) {
            let m = bn.momentum
            // The layer did r ← (1−m)·r + m·b; recover the batch statistic b, then average.
            func average(_ updated: [Float], _ old: [Float]) -> [Float] {
                zip(updated, old).map { r, o in
                    let b = (r - (1 - m) * o) / m
                    return k == 0 ? b : o + (b - o) / Float(k + 1)
                }
            }
            bn.runningMean.value = Tensor(shape: [bn.channels], scalars: average(bn.runningMean.value.scalars, mean0))
            bn.runningVariance.value = Tensor(shape: [bn.channels], scalars: average(bn.runningVariance.value.scalars, var0))
        }
    }
    model.setTraining(false)
}

/// Evaluates every task of `bundle` on `options.trials` perturbed chips: per trial one chip
/// (the backbone's cells programmed once, seed derived from `seed` and the trial), every task
/// installed on it with its own re-written cells and read noise (seed derived from the trial and
/// the task's index), optionally its batch norm re-estimated on the chip, then its test set
/// evaluated. With ``DeviceModel/isIdeal`` every trial's logits are today's `xmask eval`'s.
public func evaluateBundle(_ bundle: TaskBundle, device options: DeviceEvaluationOptions,
                           reporter: ProgressReporter = SilentReporter()) throws -> DeviceEvaluation {
    try options.validate()
    let spec = bundle.manifest.backbone.model
    let geometry = bundle.manifest.geometry
    try options.device.validate(cellLevels: geometry.cellLevels)
    var entries = bundle.manifest.tasks
    if let names = options.tasks {
        entries = try names.map { try bundle.task(named: $0) }
    }
    struct Prepared {
        var entry: TaskEntry
        var state: TaskState
        var test: Dataset
        var options: BatchOptions
        var calibration: [Tensor]
    }
    var prepared: [Prepared] = []
    for (index, entry) in entries.enumerated() {
        let (_, state) = try bundle.loadTask(entry.name)
        let data = try TaskData(directory: URL(fileURLWithPath: entry.data), inChannels: spec.inChannels, imageSize: spec.imageSize,
                                classCount: entry.numClasses)
        var test = data.test
        if let n = options.testSubset, n < test.count { test = test.stratifiedSample(n, seed: options.seed) }
        var calibration: [Tensor] = []
        if options.recalibrationBatches > 0 {
            let batches = data.train.batches(data.trainingOptions(batchSize: options.recalibrationBatchSize,
                                                                  seed: derivedSeed(options.seed, 0, UInt64(index + 1))))
            calibration = batches.prefix(options.recalibrationBatches).map(\.images)
        }
        prepared.append(Prepared(entry: entry, state: state, test: test, options: data.evaluationOptions(), calibration: calibration))
    }

    var ideal: [Double] = []
    for p in prepared {
        if let known = options.idealAccuracies[p.entry.name] {
            ideal.append(known)
            continue
        }
        let model = try bundle.loadBackbone()
        try p.state.install(on: model, geometry: geometry)
        ideal.append(evaluate(model, on: p.test, options: p.options).accuracy)
    }

    var accuracies = [[Double]](repeating: [], count: prepared.count)
    var digests = [[String]](repeating: [], count: prepared.count)
    for trial in 0..<options.trials {
        let chip = try DeviceChip(backbone: try bundle.loadBackbone(), device: options.device, cellBits: geometry.cellBits,
                                  seed: derivedSeed(options.seed, UInt64(trial + 1), 0))
        for (k, p) in prepared.enumerated() {
            let model = try bundle.loadBackbone()
            try p.state.install(on: model, geometry: geometry, chip: chip, seed: derivedSeed(options.seed, UInt64(trial + 1), UInt64(k + 1)))
            if !p.calibration.isEmpty { reestimateBatchNorm(model, batches: p.calibration) }
            let r = evaluate(model, on: p.test, options: p.options, keepLogits: true)
            accuracies[k].append(r.accuracy)
            digests[k].append(logitsDigest(r.logits ?? []))
        }
        reporter.message("device \(options.deviceName): trial \(trial + 1)/\(options.trials) done")
    }

    let tasks = prepared.indices.map { k in
        let s = meanAndStd(accuracies[k])
        return DeviceTaskResult(task: prepared[k].entry.name, method: prepared[k].entry.config.method.description,
                                idealAccuracy: ideal[k], accuracies: accuracies[k], logitsSHA256: digests[k], mean: s.mean, std: s.std)
    }
    var methods: [DeviceMethodResult] = []
    for method in tasks.map(\.method) where !methods.contains(where: { $0.method == method }) {
        let group = tasks.filter { $0.method == method }
        let perTrial = (0..<options.trials).map { t in group.reduce(0) { $0 + $1.accuracies[t] } / Double(group.count) }
        let s = meanAndStd(perTrial)
        methods.append(DeviceMethodResult(method: method, tasks: group.count,
                                          idealAccuracy: group.reduce(0) { $0 + $1.idealAccuracy } / Double(group.count),
                                          mean: s.mean, std: s.std))
    }
    return DeviceEvaluation(device: options.deviceName, model: options.device, trials: options.trials, seed: options.seed,
                            recalibrationBatches: options.recalibrationBatches,
                            testImages: Dictionary(uniqueKeysWithValues: prepared.map { ($0.entry.name, $0.test.count) }),
                            tasks: tasks, methods: methods)
}
