import Foundation

/// Where a long step is: sent to the reporter after every training step.
public struct TrainingProgress: Sendable {
    public var phase: String
    public var epoch: Int
    public var epochs: Int
    public var step: Int
    public var totalSteps: Int
    public var loss: Double
    public var accuracy: Double
    public var imagesPerSecond: Double
    public var etaSeconds: Double
}

/// Receives progress and messages; the CLI draws a progress bar, tests pass ``SilentReporter``.
public protocol ProgressReporter: AnyObject {
    func progress(_ p: TrainingProgress)
    func message(_ text: String)
}

public final class SilentReporter: ProgressReporter {
    public init() {}
    public func progress(_ p: TrainingProgress) {}
    public func message(_ text: String) {}
}

/// Running averages and speed over a phase.
struct ProgressMeter {
    let start = ContinuousClock.now
    var images = 0
    var lossSum = 0.0, correct = 0, seen = 0

    mutating func add(loss: Double, correct c: Int, batch: Int) {
        images += batch
        lossSum += loss * Double(batch)
        correct += c
        seen += batch
    }

    var seconds: Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
    var meanLoss: Double { seen == 0 ? 0 : lossSum / Double(seen) }
    var accuracy: Double { seen == 0 ? 0 : Double(correct) / Double(seen) }
    var imagesPerSecond: Double { seconds > 0 ? Double(images) / seconds : 0 }
}
