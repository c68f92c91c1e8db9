import Foundation
import XMaskCrossbar

/// Every knob of a task's mask, with the papers' defaults; the method itself is the crossbar
/// model's ``AdaptationMethod`` (so training and hardware cost speak of the same thing).
public struct MaskConfig: Sendable, Equatable, Codable {
    public var method: AdaptationMethod
    /// Piggyback / KSM binarisation threshold τ (Piggyback: 5e-3).
    public var threshold: Float = 5e-3
    /// Piggyback / KSM initial real mask (Piggyback: 1e-2).
    public var realMaskInitial: Float = 1e-2
    /// KSM soft-part scale α (KSM code: 0.5).
    public var ksmAlpha: Float = 0.5
    /// KSM Gumbel-Sigmoid β on `m_r − τ`: large, so that the 1e-2 init is kept with p ≈ 0.99.
    public var ksmBeta: Float = 1000
    /// Initial real column mask (XBM/XMA/XMA2): keep-probability σ(β·init) at the start.
    public var columnMaskInitial: Float = 1
    /// Gumbel-Sigmoid β at the first step (XBM eq. 4).
    public var beta: Float = MaskConfig.defaultBeta
    /// β at the last step; β grows geometrically from ``beta`` so that training ends in the
    /// nearly deterministic regime evaluation uses (docs/architecture.md, "Training ends where evaluation starts").
    public var betaFinal: Float = MaskConfig.defaultBetaFinal
    /// Gumbel-Sigmoid temperature T (XBM eq. 6).
    public var temperature: Float = MaskConfig.defaultTemperature
    /// Keep batch norm frozen at the backbone's (otherwise each task trains its own affine
    /// parameters and statistics, which live in the digital periphery).
    public var freezeBatchNorm: Bool = false
    /// How β moves over training; nil = ``BetaSchedule/geometric`` (nil is not stored, so
    /// configs made before the option still compare equal).
    public var betaSchedule: BetaSchedule?
    /// Level of a dropped XMA/XMA2 column; nil = ``XMALevelRule/nearestSample``.
    public var xmaLevelRule: XMALevelRule?
    /// λ of the column-mask sparsity penalty, `λ · mean σ(β·m)` over every column mask value
    /// (a task's ``TaskAdapter/sparsityPenalty()``); nil = none.
    public var sparsityPenalty: Float?

    public init(method: AdaptationMethod) { self.method = method }

    /// The Gumbel-Sigmoid schedule's defaults, which the adaptation options take over.
    public static let defaultBeta: Float = 2
    public static let defaultBetaFinal: Float = 50
    public static let defaultTemperature: Float = 1

    /// XMA shift levels N in use (0 for XBM and the weight-wise methods).
    public var shiftLevels: Int {
        switch method {
        case let .xma(n): n
        case let .xma2(_, n): n
        default: 0
        }
    }

    /// Checks every knob; the error names the field and what was expected.
    public func validate() throws(MaskConfigError) {
        let positive: [(String, Float)] = [("beta", beta), ("betaFinal", betaFinal), ("temperature", temperature), ("ksmBeta", ksmBeta)]
        if let l = sparsityPenalty, !(l.isFinite && l >= 0) {
            throw MaskConfigError(field: "sparsityPenalty", value: "\(l)", expected: "a finite number ≥ 0")
        }
        for (name, v) in positive where !(v.isFinite && v > 0) {
            throw MaskConfigError(field: name, value: "\(v)", expected: "a positive finite number")
        }
        let finite: [(String, Float)] = [("threshold", threshold), ("realMaskInitial", realMaskInitial), ("columnMaskInitial", columnMaskInitial)]
        for (name, v) in finite where !v.isFinite {
            throw MaskConfigError(field: name, value: "\(v)", expected: "a finite number")
        }
        guard ksmAlpha.isFinite, ksmAlpha >= 0 else {
            throw MaskConfigError(field: "ksmAlpha", value: "\(ksmAlpha)", expected: "a finite number ≥ 0")
        }
    }

    /// β after a fraction `progress` ∈ [0, 1] of training.
    public func beta(atProgress progress: Double) -> Float {
        switch betaSchedule ?? .geometric {
        case .constant:
            return beta
        case .geometric:
            let t = Float(min(max(progress, 0), 1))
            return beta * Foundation.pow(betaFinal / beta, t)
        }
    }
}

/// How the Gumbel-Sigmoid β of column masks moves over training.
public enum BetaSchedule: String, Codable, Sendable, CaseIterable {
    /// β grows geometrically from `beta` at the first step to `betaFinal` at the last.
    case geometric
    /// β stays at `beta` (`betaFinal` is not used).
    case constant
}

/// The shift level a dropped XMA/XMA2 column gets.
public enum XMALevelRule: String, Codable, Sendable, CaseIterable {
    /// The level nearest to the column's relaxed sample `p = σ((β·m + g0 − g1)/T)` (noise-free in
    /// evaluation), one staircase through `p` (``ShiftLevels/level(_:)``).
    case nearestSample = "nearest-sample"
    /// XMA2 §3.3.1 as printed: the real masks of the layer's dropped columns min-max normalised
    /// to [0, 1], rounded to the nearest of 0 and the shift levels (``ShiftLevels/minMaxLevels(_:)``).
    case minMax = "min-max"
}


/// A mask knob outside its range: names the field and what was expected.
public struct MaskConfigError: Error, CustomStringConvertible, Equatable, Sendable {
    public var field: String
    public var value: String
    public var expected: String
    public var description: String { "\(field) = \(value): expected \(expected)" }
}
