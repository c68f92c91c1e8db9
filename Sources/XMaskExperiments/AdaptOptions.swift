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

        /// The allowed values, as range errors state them.
        public var expected: String {
            switch self {
            case let .count(_, r), let .optionalCount(_, r):
                r.upperBound == Int.max ? "an integer ≥ \(r.lowerBound)" : "an integer in \(r.lowerBound)...\(r.upperBound)"
            case let .positive(_, max), let .optionalPositive(_, max):
                "a positive number at most \(formatNumber(Double(max)))"
            case .flag:
                "true or false"
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
            case .flag:
                break
            }
        }
    }

    /// The mask settings of `method` under these options: the one place a ``MaskConfig`` is
    /// made from them.
    public func maskConfig(method: AdaptationMethod) -> MaskConfig {
        var mask = MaskConfig(method: method)
        mask.beta = beta
        mask.betaFinal = betaFinal
        mask.temperature = temperature
        mask.freezeBatchNorm = freezeBatchNorm
        return mask
    }
}
