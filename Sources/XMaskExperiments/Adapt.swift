import Foundation
import XMaskCrossbar
import XMaskData
import XMaskMasks
import XMaskNN
import XMaskTensor

/// Settings of one new task (`xmask adapt`).
public struct AdaptConfig: Codable, Sendable, Equatable {
    public var task: String
    public var data: String
    public var method: AdaptationMethod
    /// Classes of the task's dataset (labels must be below this).
    public var classes: Int
    public var seed: UInt64
    /// Steps, batch size, learning rates, the Gumbel-Sigmoid schedule: their defaults and ranges.
    public var options: AdaptOptions

    public init(task: String, data: String, method: AdaptationMethod, classes: Int, seed: UInt64,
                options: AdaptOptions = AdaptOptions()) {
        self.task = task
        self.data = data
        self.method = method
        self.classes = classes
        self.seed = seed
        self.options = options
    }

    /// The task's mask settings (``AdaptOptions/maskConfig(method:)``).
    public var mask: MaskConfig { options.maskConfig(method: method) }

    /// Default Adam learning rate of the mask tensors, from a pilot on MNIST (3,000 images,
    /// 200 steps, Fashion-MNIST backbone; BENCHMARKS.md): Piggyback at 1e-3 reached 96.8 %
    /// against 84.3 % at Piggyback's published 1e-4 (that budget is ImageNet-scale); XBM at
    /// 5e-2 reached 77.8 % against 70.8 % at 1e-2 (column masks start at 1 and must cross 0);
    /// FineTune's and XMA2's task weights have their own rate (``AdaptOptions/weightLearningRate``).
    public var defaultMaskLearningRate: Float {
        switch method {
        case .piggyback, .ksm: 1e-3
        case .fineTune: 0  // no mask tensors; its weights use `weightLearningRate`
        case .xbm, .xma, .xma2: 5e-2
        }
    }

    /// The mask learning rate's schedule from `base` (``AdaptOptions/maskLearningRateSchedule``).
    public func maskSchedule(base: Float) -> LearningRateSchedule {
        switch options.maskLearningRateSchedule ?? .cosine {
        case .cosine: .cosine(base: base, totalSteps: options.steps)
        case .constant: .constant(base: base)
        }
    }

    public func validate() throws {
        try options.validate()
        guard (2...ModelSpec.maxClasses).contains(classes) else {
            throw ExperimentError.invalidOption(name: "classes", value: "\(classes)", expected: "an integer in 2...\(ModelSpec.maxClasses)")
        }
        do { try mask.validate() } catch {
            throw ExperimentError.invalidOption(name: error.field, value: error.value, expected: error.expected)
        }
        if case .fineTune = method, let rate = options.maskLearningRate {
            throw ExperimentError.invalidOption(name: "maskLearningRate", value: "\(rate)",
                                                expected: "no value for finetune, which has no mask (its weights use weightLearningRate)")
        }
        if case let .xma2(p, _) = method, !(p.isFinite && p >= 0 && p <= 1) {
            throw ExperimentError.invalidOption(name: "peFraction", value: "\(p)", expected: "a fraction in 0...1")
        }
        if method.shiftLevels < 0 {
            throw ExperimentError.invalidOption(name: "shiftLevels", value: "\(method.shiftLevels)", expected: "≥ 0")
        }
    }

    /// ``validate()``, and the method's parameters for weights of `weightBits` bits (a bundle's).
    public func validate(weightBits: Int) throws {
        try validate()
        do { try method.validate(weightBits: weightBits) } catch let CrossbarError.invalidField(field, value, expected) {
            throw ExperimentError.invalidOption(name: field, value: value, expected: expected)
        }
    }
}

/// Trains one new task on a bundle's frozen backbone, evaluates it as deployed, computes its
/// hardware cost from the real masks, and adds it to the bundle.
public final class Adapter {
    public let config: AdaptConfig
    let reporter: ProgressReporter
    /// Asked before training whether the bundle's file system has room for the task.
    let freeSpace: any FreeSpaceQuery

    public init(config: AdaptConfig, reporter: ProgressReporter = SilentReporter(), freeSpace: any FreeSpaceQuery = SystemFreeSpace()) {
        self.config = config
        self.reporter = reporter
        self.freeSpace = freeSpace
    }

    /// What adding a task writes, at most: the task file (no larger than the backbone file:
    /// FineTune's copy of every weight is the largest) and a new manifest beside the old one.
    public static func bytesToWrite(bundle: TaskBundle) throws -> Int64 {
        func size(_ url: URL) -> Int64 {
            ((try? FileManager.default.attributesOfItem(atPath: url.path)[.size]) as? NSNumber)?.int64Value ?? 0
        }
        let backbone = size(try bundle.resolve(bundle.manifest.backbone.file, field: "backbone.file"))
        return FreeSpace.sum(backbone, FreeSpace.times(size(bundle.manifestURL), 2), FreeSpace.slackBytes)
    }

    public func run(bundle: inout TaskBundle, hardware: HardwareModel? = nil) throws -> TaskEntry {
        try config.validate(weightBits: bundle.manifest.geometry.weightBits)
        try bundle.checkNewTaskName(config.task)
        _ = try HardwareCost.model(hardware, for: bundle)
        // Free space first: it writes nothing (checkWritable takes the lock and makes tasks/).
        try FreeSpace.check(bundle.directory, neededBytes: try Self.bytesToWrite(bundle: bundle),
                            for: "the task file and the new bundle.json", query: freeSpace)
        try bundle.checkWritable()  // before any training: a read-only bundle fails now, not after
        if case let .xma2(fraction, _) = config.method, fraction > bundle.manifest.geometry.sparePEFraction + 1e-12 {
            throw ExperimentError.invalidOption(
                name: "peFraction", value: "\(fraction)",
                expected: "at most the bundle's spare-PE fraction \(bundle.manifest.geometry.sparePEFraction) (XMA2 programs its PEs into spare PEs; make the bundle with a larger --spare-pe-fraction)")
        }
        let spec = bundle.manifest.backbone.model
        let data = try TaskData(directory: URL(fileURLWithPath: config.data), inChannels: spec.inChannels, imageSize: spec.imageSize,
                                classCount: config.classes)
        // The validation split is carved from the training set, before any subset: the test
        // split's labels are read once, by the final evaluation (AdaptValidationTests).
        var (train, validation) = try Self.validationSplit(of: data.train, fraction: config.options.validationFraction ?? 0,
                                                           seed: config.seed)
        if let n = config.options.trainSubset { train = train.stratifiedSample(min(n, train.count), seed: config.seed) }
        let options = data.trainingOptions(batchSize: min(config.options.batchSize, train.count), seed: config.seed)
        let batchesPerEpoch = train.batches(options).batchCount

        let backbone = try bundle.readBackbone()
        let model = try backbone.model()
        let adapter = TaskAdapter(model: model, config: config.mask, geometry: bundle.manifest.geometry,
                                  numClasses: data.classCount, seed: config.seed)
        func batch(_ step: Int) -> BatchIterator.Element {
            train.batches(options, epoch: step / batchesPerEpoch).batch(step % batchesPerEpoch)
        }
        if case .xma2 = config.method {
            adapter.setTraining(true)
            let first = batch(0)
            let chosen = adapter.selectPEs { crossEntropy(logits: model(first.images), labels: first.labels) }
            reporter.message("xma2: re-programming \(chosen.count) PEs chosen by |∂L/∂m_PE| on one batch")
        }
        // Three Adam groups, each with its own cosine schedule (the masks' may be constant): mask tensors, task weights
        // (FineTune's copy of every weight, XMA2's re-programmed PEs), head + batch norm.
        let groups: [(parameters: [Parameter], optimizer: Adam, schedule: LearningRateSchedule)] = [
            (adapter.maskTensorParameters, config.options.maskLearningRate ?? config.defaultMaskLearningRate),
            (adapter.taskWeightParameters, config.options.weightLearningRate),
            (adapter.headAndNormParameters.map(\.parameter), config.options.learningRate),
        ].enumerated().map { i, g in
            (g.0, Adam(learningRate: g.1), i == 0 ? config.maskSchedule(base: g.1) : .cosine(base: g.1, totalSteps: config.options.steps))
        }
        let optimizer = MultiOptimizer(groups.map { (optimizer: $0.optimizer as any Optimizer, parameters: $0.parameters) })
        let parameters = groups.flatMap(\.parameters)

        let recorder = ColumnMaskRecorder(adapter: adapter, steps: config.options.steps)
        var meter = ProgressMeter()
        for step in 0..<config.options.steps {
            adapter.setTraining(true)
            adapter.setProgress(config.options.steps > 1 ? Double(step) / Double(config.options.steps - 1) : 1)
            for g in groups { g.optimizer.learningRate = g.schedule.learningRate(at: step) }
            let b = batch(step)
            var logits = Tensor(0)
            let (loss, grads) = valueAndGradient(of: model, parameters: parameters) { () -> Tensor in
                logits = model(b.images)
                let loss = crossEntropy(logits: logits, labels: b.labels)
                return adapter.sparsityPenalty().map { loss + $0 } ?? loss
            }
            guard loss.item.isFinite else {
                throw ExperimentError.nonFiniteLoss(step: step + 1, epoch: step / batchesPerEpoch + 1, lastCheckpoint: nil)
            }
            optimizer.step(parameters: parameters, gradients: grads)
            recorder?.record(step: step)
            meter.add(loss: Double(loss.item), correct: correctCount(logits: logits.detached(), labels: b.labels), batch: b.labels.count)
            reporter.progress(TrainingProgress(
                phase: "adapt \(config.task) (\(config.method.name))", epoch: step / batchesPerEpoch + 1,
                epochs: (config.options.steps + batchesPerEpoch - 1) / batchesPerEpoch, step: step + 1, totalSteps: config.options.steps,
                loss: meter.meanLoss, accuracy: meter.accuracy, imagesPerSecond: meter.imagesPerSecond,
                etaSeconds: meter.seconds / Double(step + 1) * Double(config.options.steps - step - 1)))
        }
        let trainSeconds = meter.seconds
        let diagnostics = recorder?.finish()

        // Deploy: deterministic masks, then re-estimate batch-norm statistics under them.
        var state = adapter.deploy()
        if config.options.recalibrationBatches > 0 && !config.mask.freezeBatchNorm {
            let deployedModel = try backbone.model()
            try state.install(on: deployedModel, geometry: bundle.manifest.geometry)
            deployedModel.setTraining(true)
            for k in 0..<config.options.recalibrationBatches {
                _ = deployedModel(batch(config.options.steps + k).images)
            }
            for entry in deployedModel.namedLayers() where entry.layer is BatchNorm2d {
                for (key, p) in entry.layer.namedParameters() { state.batchNorm[entry.key + "." + key] = p.value.detached() }
            }
        }

        // Evaluate exactly what is deployed: a fresh backbone with the task state installed;
        // first on the validation split, then (the first read of a test label) on the test set.
        let evalModel = try backbone.model()
        try state.install(on: evalModel, geometry: bundle.manifest.geometry)
        let validationResult = validation.map { evaluate(evalModel, on: $0, options: data.evaluationOptions()) }
        if let v = validationResult {
            reporter.message(String(format: "%@ (%@): validation accuracy %.2f%% (%d/%d)", config.task, config.method.description,
                                    100 * v.accuracy, v.correct, v.count))
        }
        let result = evaluate(evalModel, on: data.test, options: data.evaluationOptions(), keepLogits: true)
        reporter.message(String(format: "%@ (%@): test accuracy %.2f%% (%d/%d)", config.task, config.method.description,
                                100 * result.accuracy, result.correct, result.count))

        let cost = try HardwareCost.of(state: state, backbone: evalModel, bundle: bundle, hardware: hardware, inferences: data.test.count)
        let metrics = TaskMetrics(
            testAccuracy: result.accuracy, trainSteps: config.options.steps, maskBits: cost.maskBits, maskBytes: (cost.maskBits + 7) / 8,
            sparsityPerLayer: Dictionary(uniqueKeysWithValues: state.layers.map { ($0.key, $0.mask.sparsity) }),
            inferenceEnergyMicrojoules: cost.report.totals.inferenceEnergyMicrojoules,
            reprogrammedCells: cost.report.totals.reprogrammedCells,
            reprogrammingEnergyMicrojoules: cost.report.totals.reprogrammingEnergyMicrojoules,
            totalOverInferenceEnergy: cost.report.totals.totalOverInferenceEnergy, trainSeconds: trainSeconds,
            logitsSHA256: logitsDigest(result.logits ?? []), writeModels: cost.report.writeModels,
            validationAccuracy: validationResult?.accuracy, validationImages: validationResult?.count,
            columnMaskDiagnostics: diagnostics)
        let entry = TaskEntry(name: config.task, config: config.mask, numClasses: data.classCount, data: config.data,
                              file: "", sha256: "", seed: config.seed, metrics: metrics)
        try bundle.addTask(state, entry: entry)
        return try bundle.task(named: config.task)
    }

    /// The training images left for training and the held-out validation split: a stratified
    /// sample of `fraction` of `train` (at least one image, at least one left), drawn with a
    /// seed derived from `seed`; nil when `fraction` is 0.
    static func validationSplit(of train: Dataset, fraction: Float, seed: UInt64) throws -> (Dataset, Dataset?) {
        guard fraction > 0 else { return (train, nil) }
        let held = max(1, Int((Double(fraction) * Double(train.count)).rounded()))
        guard held < train.count else {
            throw ExperimentError.invalidOption(name: "validationFraction", value: formatNumber(Double(fraction)),
                                                expected: "a fraction that leaves training images (\(train.count) in the training set)")
        }
        let split = train.stratifiedSplit(heldOut: held, seed: Shuffle.derivedSeed(seed, [0x7661_6C69_6461_7465]))
        return (split.rest, split.heldOut)
    }
}
