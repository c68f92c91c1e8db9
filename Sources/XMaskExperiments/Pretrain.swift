import Foundation
import XMaskCrossbar
import XMaskData
import XMaskNN
import XMaskTensor

/// Settings of a backbone training run (`xmask pretrain`).
public struct PretrainConfig: Codable, Sendable, Equatable {
    public var model: ModelSpec
    /// Dataset directory (MNIST-layout IDX files).
    public var data: String
    public var epochs: Int
    public var batchSize: Int = 128
    /// SGD with Nesterov momentum, cosine schedule with a linear warm-up of one epoch, at most 10 % of the run.
    public var learningRate: Float = 0.05
    public var momentum: Float = 0.9
    public var weightDecay: Float = 5e-4
    public var labelSmoothing: Float = 0
    /// Random crop with this zero padding (0 = off; off for digits and Fashion-MNIST by default).
    public var cropPadding: Int = 0
    public var horizontalFlip: Bool = false
    /// Use only the first N training images (stratified), for quick runs; nil = all.
    public var trainSubset: Int?
    public var seed: UInt64 = 1

    public init(model: ModelSpec, data: String, epochs: Int) {
        self.model = model
        self.data = data
        self.epochs = epochs
    }

    public func validate() throws {
        try model.validate()
        for (name, v) in [("epochs", epochs), ("batchSize", batchSize)] where v < 1 {
            throw ExperimentError.invalidOption(name: name, value: "\(v)", expected: "≥ 1")
        }
        guard learningRate > 0, learningRate.isFinite else {
            throw ExperimentError.invalidOption(name: "learningRate", value: "\(learningRate)", expected: "a positive number")
        }
        guard momentum.isFinite, (0..<1).contains(momentum) else {
            throw ExperimentError.invalidOption(name: "momentum", value: "\(momentum)", expected: "0 ≤ μ < 1")
        }
        guard weightDecay.isFinite, weightDecay >= 0 else {
            throw ExperimentError.invalidOption(name: "weightDecay", value: "\(weightDecay)", expected: "a finite number ≥ 0")
        }
        guard (0...model.imageSize).contains(cropPadding) else {
            throw ExperimentError.invalidOption(name: "cropPadding", value: "\(cropPadding)", expected: "an integer in 0...\(model.imageSize) (the image size)")
        }
        if let trainSubset, trainSubset < 1 {
            throw ExperimentError.invalidOption(name: "trainSubset", value: "\(trainSubset)", expected: "≥ 1 (images)")
        }
        guard (0..<1).contains(labelSmoothing) else {
            throw ExperimentError.invalidOption(name: "labelSmoothing", value: "\(labelSmoothing)", expected: "0 ≤ ε < 1")
        }
    }
}

public struct PretrainResult: Codable, Sendable {
    public var testAccuracy: Double
    public var trainAccuracy: Double
    public var epochs: Int
    public var seconds: Double
    public var imagesPerSecond: Double
    public var bundle: String
}

/// Trains a backbone and saves it as a new bundle in `outDirectory`.
///
/// Checkpoints (model, optimizer, epoch) go to `outDirectory/checkpoint.safetensors` after every
/// epoch, atomically; `resume` continues from it to the same final weights as an uninterrupted
/// run (data order and augmentation are functions of (seed, epoch, batch)). A non-finite loss
/// stops training and leaves the last good checkpoint in place.
public final class Pretrainer {
    public let config: PretrainConfig
    public let outDirectory: URL
    public let geometry: CrossbarGeometry
    let reporter: ProgressReporter
    /// Asked before training whether the output's file system has room for the run's files.
    let freeSpace: any FreeSpaceQuery

    public init(config: PretrainConfig, outDirectory: URL, geometry: CrossbarGeometry = CrossbarGeometry(),
                reporter: ProgressReporter = SilentReporter(), freeSpace: any FreeSpaceQuery = SystemFreeSpace()) {
        self.config = config
        self.outDirectory = outDirectory
        self.geometry = geometry
        self.reporter = reporter
        self.freeSpace = freeSpace
    }

    /// What a run writes, at most, for a model of `values` stored values (parameters and
    /// buffers, F32): the checkpoint (model and SGD momentum, ≤ 2 per value) twice while the
    /// atomic write replaces it, and the backbone file (1 per value).
    public static func bytesToWrite(storedValues values: Int) -> Int64 {
        FreeSpace.sum(FreeSpace.times(FreeSpace.float32Bytes(values), 5), FreeSpace.slackBytes)
    }

    /// Steps of the linear learning-rate warm-up: one epoch, but at most 10 % of the run, so a
    /// short run (`--epochs 1`) spends most of its steps at the full rate and then decays
    /// instead of ending the run still warming up.
    public static func warmupSteps(stepsPerEpoch: Int, epochs: Int) -> Int {
        min(stepsPerEpoch, stepsPerEpoch * epochs / 10)
    }

    public var checkpointURL: URL { outDirectory.appendingPathComponent("checkpoint.safetensors") }

    /// - Parameter stopAfter: stop (as if interrupted) once this many epochs have been
    ///   checkpointed in total; returns nil then. The checkpoint stays for `resume`.
    public func run(resume: Bool) throws -> PretrainResult {
        guard let result = try run(resume: resume, stopAfter: nil) else {
            throw ExperimentError.checkpoint(path: checkpointURL.path, reason: "training stopped before its last epoch")
        }
        return result
    }

    public func run(resume: Bool, stopAfter: Int?) throws -> PretrainResult? {
        try config.validate()
        try geometry.validate()  // the manifest needs it: fail now, not after training
        if FileManager.default.fileExists(atPath: outDirectory.appendingPathComponent("bundle.json").path) {
            throw ExperimentError.bundleExists(path: outDirectory.path)
        }
        let data = try TaskData(directory: URL(fileURLWithPath: config.data), inChannels: config.model.inChannels,
                                imageSize: config.model.imageSize, classCount: config.model.numClasses)
        guard data.classCount == config.model.numClasses else {
            throw ExperimentError.invalidOption(name: "numClasses", value: "\(config.model.numClasses)",
                                                expected: "\(data.classCount), the classes of \(config.data)")
        }
        var train = data.train
        if let n = config.trainSubset { train = train.stratifiedSample(min(n, train.count), seed: config.seed) }
        let model = try config.model.build(seed: config.seed)
        let storedValues = model.namedParameters().reduce(0) { $0 + $1.parameter.value.count }
        try FreeSpace.check(outDirectory, neededBytes: Self.bytesToWrite(storedValues: storedValues),
                            for: "the checkpoints and the backbone of \(config.model.name)", query: freeSpace)
        let parameters = model.trainableParameters()
        let keyed = model.namedParameters().filter { $0.parameter.kind == .parameter && $0.parameter.isTrainable }
        let optimizer = SGD(learningRate: config.learningRate, momentum: config.momentum, weightDecay: config.weightDecay, nesterov: true)
        let options = data.trainingOptions(batchSize: config.batchSize, seed: config.seed,
                                           augmentation: Augmentation(cropPadding: config.cropPadding, horizontalFlip: config.horizontalFlip))
        let stepsPerEpoch = train.batches(options).batchCount
        guard stepsPerEpoch > 0 else {
            throw ExperimentError.invalidOption(name: "batchSize", value: "\(config.batchSize)", expected: "≤ \(train.count) training images")
        }
        let schedule = LearningRateSchedule.cosine(base: config.learningRate, totalSteps: config.epochs * stepsPerEpoch,
                                                   warmupSteps: Self.warmupSteps(stepsPerEpoch: stepsPerEpoch, epochs: config.epochs))
        try FileManager.default.createDirectory(at: outDirectory, withIntermediateDirectories: true)
        try AtomicFile.write(Data(), to: outDirectory.appendingPathComponent(".xmask-write-probe"))  // writable before training
        try? FileManager.default.removeItem(at: outDirectory.appendingPathComponent(".xmask-write-probe"))

        var startEpoch = 0
        if resume, FileManager.default.fileExists(atPath: checkpointURL.path) {
            startEpoch = try loadCheckpoint(model: model, optimizer: optimizer, keyed: keyed)
            reporter.message("resuming \(checkpointURL.path) after epoch \(startEpoch)")
        }
        var lastCheckpoint: String? = startEpoch > 0 ? checkpointURL.path : nil
        let overall = ProgressMeter()
        var trainAccuracy = 0.0
        var imagesSeen = 0
        for epoch in startEpoch..<config.epochs {
            model.setTraining(true)
            var meter = ProgressMeter()
            for (k, batch) in train.batches(options, epoch: epoch).enumerated() {
                let step = epoch * stepsPerEpoch + k
                optimizer.learningRate = schedule.learningRate(at: step)
                var logits = Tensor(0)
                let (loss, grads) = valueAndGradient(of: model, parameters: parameters) { () -> Tensor in
                    logits = model(batch.images)
                    return crossEntropy(logits: logits, labels: batch.labels, labelSmoothing: config.labelSmoothing)
                }
                guard loss.item.isFinite else {
                    throw ExperimentError.nonFiniteLoss(step: k + 1, epoch: epoch + 1, lastCheckpoint: lastCheckpoint)
                }
                optimizer.step(parameters: parameters, gradients: grads)
                meter.add(loss: Double(loss.item), correct: correctCount(logits: logits.detached(), labels: batch.labels),
                          batch: batch.labels.count)
                imagesSeen += batch.labels.count
                let done = Double((epoch - startEpoch) * stepsPerEpoch + k + 1)
                let remaining = Double((config.epochs - epoch) * stepsPerEpoch - k - 1)
                reporter.progress(TrainingProgress(
                    phase: "pretrain", epoch: epoch + 1, epochs: config.epochs, step: k + 1, totalSteps: stepsPerEpoch,
                    loss: meter.meanLoss, accuracy: meter.accuracy, imagesPerSecond: meter.imagesPerSecond,
                    etaSeconds: overall.seconds / done * remaining))
            }
            trainAccuracy = meter.accuracy
            try saveCheckpoint(model: model, optimizer: optimizer, keyed: keyed, epoch: epoch + 1)
            lastCheckpoint = checkpointURL.path
            reporter.message(String(format: "epoch %d/%d: loss %.4f, train accuracy %.2f%%, %.0f images/s",
                                    epoch + 1, config.epochs, meter.meanLoss, 100 * meter.accuracy, meter.imagesPerSecond))
            if let stopAfter, epoch + 1 >= stopAfter, epoch + 1 < config.epochs { return nil }
        }
        let seconds = overall.seconds
        let result = evaluate(model, on: data.test, options: data.evaluationOptions())
        reporter.message(String(format: "test accuracy %.2f%% (%d/%d)", 100 * result.accuracy, result.correct, result.count))
        _ = try TaskBundle.create(at: outDirectory, model: model, spec: config.model, task: URL(fileURLWithPath: config.data).lastPathComponent,
                                  data: config.data, testAccuracy: result.accuracy, geometry: geometry)
        return PretrainResult(testAccuracy: result.accuracy, trainAccuracy: trainAccuracy, epochs: config.epochs,
                              seconds: seconds, imagesPerSecond: seconds > 0 ? Double(imagesSeen) / seconds : 0,
                              bundle: outDirectory.path)
    }

    func saveCheckpoint(model: any ImageClassifier, optimizer: SGD, keyed: [(key: String, parameter: Parameter)], epoch: Int) throws {
        var file = Safetensors(tensors: model.stateDict(), metadata: [
            "format": "xmask-checkpoint", "epoch": String(epoch), "threads": String(Parallelism.threadCount),
            "config": try Safetensors.metadataJSON(config),
        ])
        for (k, t) in optimizer.stateDict(for: keyed) { file.setTensor(t, forKey: "optimizer." + k) }
        try AtomicFile.write(file.serialized(), to: checkpointURL)
    }

    func loadCheckpoint(model: any ImageClassifier, optimizer: SGD, keyed: [(key: String, parameter: Parameter)]) throws -> Int {
        let file = try Safetensors.readTensors(contentsOf: checkpointURL)  // one copy: straight into tensors
        guard file.metadata["format"] == "xmask-checkpoint", let epochText = file.metadata["epoch"], let epoch = Int(epochText) else {
            throw ExperimentError.checkpoint(path: checkpointURL.path, reason: "not an xmask checkpoint (metadata format/epoch missing)")
        }
        guard let text = file.metadata["config"], let saved = try? JSONDecoder().decode(PretrainConfig.self, from: Data(text.utf8)),
              saved == config else {
            throw ExperimentError.checkpoint(path: checkpointURL.path, reason: "was made with different settings; resume with the same options or use a new --out")
        }
        var modelState: [String: Tensor] = [:], optimizerState: [String: Tensor] = [:]
        for (k, t) in file.tensors {
            if k.hasPrefix("optimizer.") { optimizerState[String(k.dropFirst(10))] = t } else { modelState[k] = t }
        }
        try model.load(stateDict: modelState, strict: true)
        try optimizer.load(stateDict: optimizerState, for: keyed)
        if let threads = file.metadata["threads"], threads != String(Parallelism.threadCount) {
            // Weight gradients sum per-thread partial results: same thread count, same bits.
            reporter.message("note: the checkpoint was written with \(threads) thread(s), this run uses \(Parallelism.threadCount); the result will match an uninterrupted run only up to rounding")
        }
        return epoch
    }
}
