import Foundation

/// A learning rate as a pure function of the step index (0-based): the training loop sets
/// `optimizer.learningRate = schedule.learningRate(at: step)` before each step, so resuming at
/// step k needs nothing but k.
public enum LearningRateSchedule: Sendable, Equatable {
    /// Always `base`.
    case constant(base: Float)
    /// Linear warm-up over `warmupSteps` steps, `base·(t + 1)/warmupSteps`, then cosine decay
    /// (Loshchilov & Hutter 2017, SGDR without restarts) from `base` to `minimum` at
    /// `totalSteps`: `minimum + (base − minimum)·(1 + cos(π·(t − W)/(T − W)))/2`; `minimum`
    /// after `totalSteps`.
    case cosine(base: Float, totalSteps: Int, warmupSteps: Int = 0, minimum: Float = 0)
    /// Step decay: `base · gamma^⌊t / stepSize⌋` (PyTorch's `StepLR`).
    case step(base: Float, stepSize: Int, gamma: Float = 0.1)
    /// `base · gamma^(number of milestones ≤ t)` (PyTorch's `MultiStepLR`).
    case multiStep(base: Float, milestones: [Int], gamma: Float = 0.1)

    /// The learning rate for step `t` (0-based).
    public func learningRate(at t: Int) -> Float {
        precondition(t >= 0, "LearningRateSchedule: step \(t) < 0")
        switch self {
        case .constant(let base):
            return base
        case .cosine(let base, let total, let warmup, let minimum):
            precondition(total > 0 && warmup >= 0 && warmup <= total,
                         "LearningRateSchedule.cosine: total \(total) and warm-up \(warmup) steps invalid")
            if t < warmup { return base * Float(t + 1) / Float(warmup) }
            if total == warmup { return base }
            let progress = min(Double(t - warmup) / Double(total - warmup), 1)
            return minimum + (base - minimum) * Float((1 + cos(Double.pi * progress)) / 2)
        case .step(let base, let stepSize, let gamma):
            precondition(stepSize > 0, "LearningRateSchedule.step: step size \(stepSize) must be positive")
            return base * Foundation.pow(gamma, Float(t / stepSize))
        case .multiStep(let base, let milestones, let gamma):
            return base * Foundation.pow(gamma, Float(milestones.filter { $0 <= t }.count))
        }
    }
}
