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
    public var mask: MaskConfig
    /// Optimizer steps (a step budget, not epochs: small tasks such as optdigits need it).
    public var steps: Int = 600
    public var batchSize: Int = 64
    /// Adam learning rate of the mask tensors; nil = the method's default (``defaultMaskLearningRate``).
    public var maskLearningRate: Float?
    /// Adam learning rate of the head and per-task batch norm.
    public var learningRate: Float = 1e-3
    /// Batches run in training mode with the final deterministic masks, no gradient, to
    /// re-estimate batch-norm statistics for the masks evaluation uses (0 = off).
    public var recalibrationBatches: Int = 50
    public var trainSubset: Int?
    /// Classes of the task's dataset (labels must be below this).
    public var classes: Int = 10
    public var seed: UInt64 = 1

    public init(task: String, data: String, mask: MaskConfig) {
        self.task = task
        self.data = data
        self.mask = mask
    }

    /// Piggyback and KSM train 1e-2-scale masks (Piggyback's code: Adam 1e-4); XBM/XMA/XMA2
    /// masks start at 1 and need |m| ≳ 0.1 at the final β; FineTune and XMA2's new weights move
    /// quantized weights of magnitude ~0.1.
    public var defaultMaskLearningRate: Float {
        switch mask.method {
        case .piggyback, .ksm: 1e-4
        case .fineTune: 1e-4
        case .xbm, .xma, .xma2: 1e-2
        }
    }

    public func validate() throws {
        for (name, v) in [("steps", steps), ("batchSize", batchSize)] where v < 1 {
            throw ExperimentError.invalidOption(name: name, value: "\(v)", expected: "≥ 1")
        }
        guard recalibrationBatches >= 0 else {
            throw ExperimentError.invalidOption(name: "recalibrationBatches", value: "\(recalibrationBatches)", expected: "≥ 0")
        }
        for (name, v) in [("learningRate", learningRate), ("maskLearningRate", maskLearningRate ?? 1)] where !(v > 0 && v.isFinite) {
            throw ExperimentError.invalidOption(name: name, value: "\(v)", expected: "a positive number")
        }
        do { try mask.method.validate() } catch {
            throw ExperimentError.invalidOption(name: "method", value: mask.method.description, expected: "\(error)")
        }
    }
}

/// Trains one new task on a bundle's frozen backbone, evaluates it as deployed, computes its
/// hardware cost from the real masks, and adds it to the bundle.
public final class Adapter {
    public let config: AdaptConfig
    let reporter: ProgressReporter

    public init(config: AdaptConfig, reporter: ProgressReporter = SilentReporter()) {
        self.config = config
        self.reporter = reporter
    }

    public func run(bundle: inout TaskBundle, hardware: HardwareModel? = nil) throws -> TaskEntry {
        try config.validate()
        try bundle.checkNewTaskName(config.task)
        if case let .xma2(fraction, _) = config.mask.method, fraction > bundle.manifest.geometry.sparePEFraction + 1e-12 {
            throw ExperimentError.invalidOption(
                name: "peFraction", value: "\(fraction)",
                expected: "at most the bundle's spare-PE fraction \(bundle.manifest.geometry.sparePEFraction) (XMA2 programs its PEs into spare PEs; make the bundle with a larger --spare-pe-fraction)")
        }
        let spec = bundle.manifest.backbone.model
        let data = try TaskData(directory: URL(fileURLWithPath: config.data), inChannels: spec.inChannels, imageSize: spec.imageSize,
                                classCount: config.classes)
        var train = data.train
        if let n = config.trainSubset { train = train.stratifiedSample(min(n, train.count), seed: config.seed) }
        let options = data.trainingOptions(batchSize: min(config.batchSize, train.count), seed: config.seed)
        let batchesPerEpoch = train.batches(options).batchCount

        let model = try bundle.loadBackbone()
        let adapter = TaskAdapter(model: model, config: config.mask, geometry: bundle.manifest.geometry,
                                  numClasses: data.classCount, seed: config.seed)
        func batch(_ step: Int) -> BatchIterator.Element {
            train.batches(options, epoch: step / batchesPerEpoch).batch(step % batchesPerEpoch)
        }
        if case .xma2 = config.mask.method {
            adapter.setTraining(true)
            let first = batch(0)
            let chosen = adapter.selectPEs { crossEntropy(logits: model(first.images), labels: first.labels) }
            reporter.message("xma2: re-programming \(chosen.count) PEs chosen by |∂L/∂m_PE| on one batch")
        }
        let maskParameters = adapter.maskParameters
        let otherParameters = adapter.headAndNormParameters
        let maskOptimizer = Adam(learningRate: config.maskLearningRate ?? config.defaultMaskLearningRate)
        let otherOptimizer = Adam(learningRate: config.learningRate)
        let maskSchedule = LearningRateSchedule.cosine(base: maskOptimizer.learningRate, totalSteps: config.steps)
        let otherSchedule = LearningRateSchedule.cosine(base: otherOptimizer.learningRate, totalSteps: config.steps)
        let parameters = maskParameters.map(\.parameter) + otherParameters.map(\.parameter)
        let split = maskParameters.count

        var meter = ProgressMeter()
        for step in 0..<config.steps {
            adapter.setTraining(true)
            adapter.setProgress(config.steps > 1 ? Double(step) / Double(config.steps - 1) : 1)
            maskOptimizer.learningRate = maskSchedule.learningRate(at: step)
            otherOptimizer.learningRate = otherSchedule.learningRate(at: step)
            let b = batch(step)
            var logits = Tensor(0)
            let (loss, grads) = valueAndGradient(of: model, parameters: parameters) { () -> Tensor in
                logits = model(b.images)
                return crossEntropy(logits: logits, labels: b.labels)
            }
            guard loss.item.isFinite else {
                throw ExperimentError.nonFiniteLoss(step: step + 1, epoch: step / batchesPerEpoch + 1, lastCheckpoint: nil)
            }
            maskOptimizer.step(parameters: Array(parameters[..<split]), gradients: Array(grads[..<split]))
            otherOptimizer.step(parameters: Array(parameters[split...]), gradients: Array(grads[split...]))
            meter.add(loss: Double(loss.item), correct: correctCount(logits: logits.detached(), labels: b.labels), batch: b.labels.count)
            reporter.progress(TrainingProgress(
                phase: "adapt \(config.task) (\(config.mask.method.name))", epoch: step / batchesPerEpoch + 1,
                epochs: (config.steps + batchesPerEpoch - 1) / batchesPerEpoch, step: step + 1, totalSteps: config.steps,
                loss: meter.meanLoss, accuracy: meter.accuracy, imagesPerSecond: meter.imagesPerSecond,
                etaSeconds: meter.seconds / Double(step + 1) * Double(config.steps - step - 1)))
        }
        let trainSeconds = meter.seconds

        // Deploy: deterministic masks, then re-estimate batch-norm statistics under them.
        var state = adapter.deploy()
        if config.recalibrationBatches > 0 && !config.mask.freezeBatchNorm {
            let deployedModel = try bundle.loadBackbone()
            try state.install(on: deployedModel, geometry: bundle.manifest.geometry)
            deployedModel.setTraining(true)
            for k in 0..<config.recalibrationBatches {
                _ = deployedModel(batch(config.steps + k).images)
            }
            for entry in deployedModel.namedLayers() where entry.layer is BatchNorm2d {
                for (key, p) in entry.layer.namedParameters() { state.batchNorm[entry.key + "." + key] = p.value.detached() }
            }
        }

        // Evaluate exactly what is deployed: a fresh backbone with the task state installed.
        let evalModel = try bundle.loadBackbone()
        try state.install(on: evalModel, geometry: bundle.manifest.geometry)
        let result = evaluate(evalModel, on: data.test, options: data.evaluationOptions(), keepLogits: true)
        reporter.message(String(format: "%@ (%@): test accuracy %.2f%% (%d/%d)", config.task, config.mask.method.description,
                                100 * result.accuracy, result.correct, result.count))

        let cost = try HardwareCost.of(state: state, bundle: bundle, hardware: hardware, inferences: data.test.count)
        let metrics = TaskMetrics(
            testAccuracy: result.accuracy, trainSteps: config.steps, maskBits: cost.maskBits, maskBytes: (cost.maskBits + 7) / 8,
            sparsityPerLayer: Dictionary(uniqueKeysWithValues: state.layers.map { ($0.key, $0.mask.sparsity) }),
            inferenceEnergyMicrojoules: cost.report.totals.inferenceEnergyMicrojoules,
            reprogrammedCells: cost.report.totals.reprogrammedCells,
            reprogrammingEnergyMicrojoules: cost.report.totals.reprogrammingEnergyMicrojoules,
            totalOverInferenceEnergy: cost.report.totals.totalOverInferenceEnergy, trainSeconds: trainSeconds,
            logitsSHA256: logitsDigest(result.logits ?? []))
        let entry = TaskEntry(name: config.task, config: config.mask, numClasses: data.classCount, data: config.data,
                              file: "", sha256: "", seed: config.seed, metrics: metrics)
        try bundle.addTask(state, entry: entry)
        return try bundle.task(named: config.task)
    }
}
