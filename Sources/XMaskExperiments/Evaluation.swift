import XMaskData
import XMaskNN
import XMaskTensor

/// Test-set result of one model.
public struct EvaluationResult: Sendable {
    public var accuracy: Double
    public var correct: Int
    public var count: Int
    /// Every image's logits in dataset order, when asked for.
    public var logits: [Float]?
}

/// Runs `model` in evaluation mode over `dataset` (file order, no augmentation).
public func evaluate(_ model: any ImageClassifier, on dataset: Dataset, options: BatchOptions,
                     keepLogits: Bool = false) -> EvaluationResult {
    model.setTraining(false)
    var correct = 0
    var logits: [Float] = []
    for (images, labels) in dataset.batches(options) {
        let out = model(images)
        correct += correctCount(logits: out, labels: labels)
        if keepLogits { logits.append(contentsOf: out.scalars) }
    }
    return EvaluationResult(accuracy: dataset.count == 0 ? 0 : Double(correct) / Double(dataset.count), correct: correct,
                            count: dataset.count, logits: keepLogits ? logits : nil)
}

/// SHA-256 of logits as little-endian Float32 bytes (bit-exact fingerprint).
public func logitsDigest(_ logits: [Float]) -> String {
    var bytes = [UInt8]()
    bytes.reserveCapacity(logits.count * 4)
    for v in logits {
        let b = v.bitPattern.littleEndian
        bytes.append(contentsOf: [UInt8(b & 0xFF), UInt8((b >> 8) & 0xFF), UInt8((b >> 16) & 0xFF), UInt8(b >> 24)])
    }
    return SHA256.hash(bytes).hexString
}

/// One row of `xmask eval`.
public struct TaskEvaluation: Codable, Sendable {
    public var task: String
    /// The task's method label, or ``backboneMethod`` for the backbone's own row.
    public var method: String
    /// `method` of the backbone's own row (the one spelling; results.json stores it).
    public static let backboneMethod = "backbone"
    /// Whether this row is the backbone on its own task.
    public var isBackbone: Bool { method == Self.backboneMethod }
    public var accuracyWhenAdded: Double?
    public var accuracyNow: Double
    /// `accuracyWhenAdded − accuracyNow` (0 means nothing was forgotten).
    public var forgetting: Double?
    /// Test logits bit-identical to those recorded when the task was added.
    public var logitsIdentical: Bool?
}

/// Re-evaluates the backbone's own task and every task of `bundle` from its files.
public func evaluateBundle(_ bundle: TaskBundle, reporter: ProgressReporter = SilentReporter()) throws -> [TaskEvaluation] {
    var rows: [TaskEvaluation] = []
    let spec = bundle.manifest.backbone.model
    if let dataPath = bundle.manifest.backbone.data {
        let data = try TaskData(directory: URL(fileURLWithPath: dataPath), inChannels: spec.inChannels, imageSize: spec.imageSize,
                                classCount: spec.numClasses)
        let r = evaluate(try bundle.loadBackbone(), on: data.test, options: data.evaluationOptions())
        let before = bundle.manifest.backbone.testAccuracy
        rows.append(TaskEvaluation(task: bundle.manifest.backbone.task, method: TaskEvaluation.backboneMethod, accuracyWhenAdded: before,
                                   accuracyNow: r.accuracy, forgetting: before.map { $0 - r.accuracy }, logitsIdentical: nil))
        reporter.message("evaluated \(bundle.manifest.backbone.task) (backbone)")
    }
    for entry in bundle.manifest.tasks {
        let (model, _) = try bundle.loadTask(entry.name)
        let data = try TaskData(directory: URL(fileURLWithPath: entry.data), inChannels: spec.inChannels, imageSize: spec.imageSize,
                                classCount: entry.numClasses)
        let r = evaluate(model, on: data.test, options: data.evaluationOptions(), keepLogits: true)
        rows.append(TaskEvaluation(task: entry.name, method: entry.config.method.description,
                                   accuracyWhenAdded: entry.metrics.testAccuracy, accuracyNow: r.accuracy,
                                   forgetting: entry.metrics.testAccuracy - r.accuracy,
                                   logitsIdentical: logitsDigest(r.logits ?? []) == entry.metrics.logitsSHA256))
        reporter.message("evaluated \(entry.name)")
    }
    return rows
}

import Foundation
import XMaskTensor

extension Array where Element == TaskEvaluation {
    /// The tasks whose test logits differ from those recorded when they were added: a non-empty
    /// list means the bundle no longer computes what it recorded (`xmask eval` then fails).
    public var changedTasks: [String] { filter { $0.logitsIdentical == false }.map(\.task) }
}
