import XMaskCrossbar
import XMaskMasks

/// The training settings of one adaptation that do not depend on the task: the one owner of
/// their defaults and their ranges. `xmask adapt` fills it from its options, an experiment
/// file's `adapt:` section from its keys (every task of a study shares them), and
/// ``AdaptConfig`` turns it into the optimizer's and the mask's settings.
///
/// Encoded (camel-case keys) as `plan.adapt` of a study's `results.json`.
public struct AdaptOptions: Codable, Sendable, Equatable {
    /// Optimizer steps (a step budget, not epochs: small tasks such as optdigits need it).
    public var steps = 600
    public var batchSize = 64
    /// Adam learning rate of the head and per-task batch norm.
    public var learningRate: Float = 1e-2
    /// Adam learning rate of task weights: FineTune's copy of the weights, XMA2's re-programmed PEs.
    public var weightLearningRate: Float = 1e-3
    /// Adam learning rate of the mask tensors; nil = the method's default (``AdaptConfig/defaultMaskLearningRate``).
    public var maskLearningRate: Float?
    /// Train on a stratified subset of this many images (nil = all).
    public var trainSubset: Int?
    /// Batches run in training mode with the final deterministic masks, no gradient, to
    /// re-estimate batch-norm statistics for the masks evaluation uses (0 = off).
    public var recalibrationBatches = 50
    /// Gumbel-Sigmoid β at the first step (XBM eq. 4).
    public var beta = MaskConfig.defaultBeta
    /// β at the last step (β grows geometrically).
    public var betaFinal = MaskConfig.defaultBetaFinal
    /// Gumbel-Sigmoid temperature T (XBM eq. 6).
    public var temperature = MaskConfig.defaultTemperature
    /// Keep batch norm frozen at the backbone's instead of learning it per task.
    public var freezeBatchNorm = false
    /// Fraction of the training set held out (stratified, seeded) to report a validation
    /// accuracy; training uses the rest. nil or 0 = none (every training image trains).
    public var validationFraction: Float?
    /// Initial real column mask m₀ of XBM/XMA/XMA2 (nil = ``MaskConfig/columnMaskInitial``, 1).
    public var columnMaskInit: Float?
    /// How β moves from ``beta`` (nil = ``BetaSchedule/geometric``, to ``betaFinal``).
    public var betaSchedule: BetaSchedule?
    /// Schedule of the mask learning rate (nil = ``MaskLearningRateSchedule/cosine``).
    public var maskLearningRateSchedule: MaskLearningRateSchedule?
    /// Level of a dropped XMA/XMA2 column (nil = ``XMALevelRule/nearestSample``).
    public var xmaLevelRule: XMALevelRule?
    /// λ of the column-mask sparsity penalty: loss += λ · mean keep-probability (nil or 0 = none).
    public var sparsityPenalty: Float?

    /// The defaults.
    public init() {}

    /// Every setting given (the command line's options).
    public init(steps: Int, batchSize: Int, learningRate: Float, weightLearningRate: Float, maskLearningRate: Float?,
                trainSubset: Int?, recalibrationBatches: Int, beta: Float, betaFinal: Float, temperature: Float,
                freezeBatchNorm: Bool) {
        self.steps = steps
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.weightLearningRate = weightLearningRate
        self.maskLearningRate = maskLearningRate
        self.trainSubset = trainSubset
        self.recalibrationBatches = recalibrationBatches
        self.beta = beta
        self.betaFinal = betaFinal
        self.temperature = temperature
        self.freezeBatchNorm = freezeBatchNorm
    }

    /// One setting: its field, its type and its allowed values.
    public enum Setting {
        case count(WritableKeyPath<AdaptOptions, Int>, ClosedRange<Int>)
        case optionalCount(WritableKeyPath<AdaptOptions, Int?>, ClosedRange<Int>)
        /// A positive real number at most `max`.
        case positive(WritableKeyPath<AdaptOptions, Float>, max: Float)
        case optionalPositive(WritableKeyPath<AdaptOptions, Float?>, max: Float)
        case flag(WritableKeyPath<AdaptOptions, Bool>)
        /// A real number in a closed range (nil = the default).
        case optionalReal(WritableKeyPath<AdaptOptions, Float?>, ClosedRange<Float>)
        /// One of named values (nil = the default): how to read it, and to set it from a name
        /// (false when the name is not one of `values`).
        case choice(values: [String], read: (AdaptOptions) -> String?, write: (inout AdaptOptions, String) -> Bool)

        /// A ``choice(values:read:write:)`` of an enum's raw values.
        static func named<E: CaseIterable & RawRepresentable>(_ path: WritableKeyPath<AdaptOptions, E?>) -> Setting where E.RawValue == String {
            .choice(values: E.allCases.map(\.rawValue), read: { $0[keyPath: path]?.rawValue }, write: { options, name in
                guard let v = E(rawValue: name) else { return false }
                options[keyPath: path] = v
                return true
            })
        }

        /// The allowed values, as range errors state them.
        public var expected: String {
            switch self {
            case let .count(_, r), let .optionalCount(_, r):
                r.upperBound == Int.max ? "an integer ≥ \(r.lowerBound)" : "an integer in \(r.lowerBound)...\(r.upperBound)"
            case let .positive(_, max), let .optionalPositive(_, max):
                "a positive number at most \(formatNumber(Double(max)))"
            case .flag:
                "true or false"
            case let .optionalReal(_, r):
                "a number in \(formatNumber(Double(r.lowerBound)))...\(formatNumber(Double(r.upperBound)))"
            case let .choice(values, _, _):
                "one of " + values.joined(separator: ", ")
            }
        }
    }

    /// Every setting with its field name, in the order the documentation lists them: the one
    /// table ``validate()``, the experiment file's `adapt:` keys (the names in snake case) and
    /// the CLI's range errors (in kebab case) use.
    public static var settings: [(name: String, setting: Setting)] {
        [
            ("steps", .count(\.steps, 1...10_000_000)),
            ("batchSize", .count(\.batchSize, 1...65_536)),
            ("learningRate", .positive(\.learningRate, max: 10)),
            ("weightLearningRate", .positive(\.weightLearningRate, max: 10)),
            ("maskLearningRate", .optionalPositive(\.maskLearningRate, max: 10)),
            ("trainSubset", .optionalCount(\.trainSubset, 1...Int.max)),
            ("recalibrationBatches", .count(\.recalibrationBatches, 0...100_000)),
            ("beta", .positive(\.beta, max: 1e6)),
            ("betaFinal", .positive(\.betaFinal, max: 1e6)),
            ("temperature", .positive(\.temperature, max: 1e6)),
            ("freezeBatchNorm", .flag(\.freezeBatchNorm)),
            ("validationFraction", .optionalReal(\.validationFraction, 0...0.5)),
            ("columnMaskInit", .optionalReal(\.columnMaskInit, -10...10)),
            ("betaSchedule", .named(\.betaSchedule)),
            ("maskLearningRateSchedule", .named(\.maskLearningRateSchedule)),
            ("xmaLevelRule", .named(\.xmaLevelRule)),
            ("sparsityPenalty", .optionalReal(\.sparsityPenalty, 0...100)),
        ]
    }

    /// Checks every setting against its range; the error names the field (``settings``).
    public func validate() throws(ExperimentError) {
        for (name, setting) in Self.settings {
            func fail(_ value: String) -> ExperimentError {
                .invalidOption(name: name, value: value, expected: setting.expected)
            }
            switch setting {
            case let .count(path, range):
                if !range.contains(self[keyPath: path]) { throw fail("\(self[keyPath: path])") }
            case let .optionalCount(path, range):
                if let v = self[keyPath: path], !range.contains(v) { throw fail("\(v)") }
            case let .positive(path, max):
                let v = self[keyPath: path]
                if !(v > 0 && v <= max) { throw fail(formatNumber(Double(v))) }
            case let .optionalPositive(path, max):
                if let v = self[keyPath: path], !(v > 0 && v <= max) { throw fail(formatNumber(Double(v))) }
            case let .optionalReal(path, range):
                if let v = self[keyPath: path], !range.contains(v) { throw fail(formatNumber(Double(v))) }
            case .flag, .choice:
                break  // typed: every value is allowed
            }
        }
    }

    /// The settings beyond today's recipe that are set, as the report's settings list appends
    /// them (", validation 10 %, m₀ 0.05, β constant"); empty at the defaults.
    public var recipeNotes: String {
        var notes: [String] = []
        if let f = validationFraction, f > 0 { notes.append("validation \(formatNumber(100 * Double(f))) % of the training set") }
        if let m = columnMaskInit { notes.append("column mask m₀ \(formatNumber(Double(m)))") }
        if let b = betaSchedule { notes.append("β \(b.rawValue)") }
        if let l = maskLearningRateSchedule { notes.append("mask lr \(l.rawValue)") }
        if let r = xmaLevelRule { notes.append("XMA levels \(r.rawValue)") }
        if let l = sparsityPenalty, l > 0 { notes.append("sparsity penalty λ \(formatNumber(Double(l)))") }
        return notes.map { ", " + $0 }.joined()
    }

    /// The mask settings of `method` under these options: the one place a ``MaskConfig`` is
    /// made from them.
    public func maskConfig(method: AdaptationMethod) -> MaskConfig {
        var mask = MaskConfig(method: method)
        mask.beta = beta
        mask.betaFinal = betaFinal
        mask.temperature = temperature
        mask.freezeBatchNorm = freezeBatchNorm
        if let columnMaskInit { mask.columnMaskInitial = columnMaskInit }
        mask.betaSchedule = betaSchedule
        mask.xmaLevelRule = xmaLevelRule
        mask.sparsityPenalty = sparsityPenalty == 0 ? nil : sparsityPenalty
        return mask
    }
}

/// How the mask learning rate moves over training.
public enum MaskLearningRateSchedule: String, Codable, Sendable, CaseIterable {
    /// Cosine decay from the base rate to 0 at the last step (the head's and weights' schedule too).
    case cosine
    /// The base rate at every step.
    case constant
}
