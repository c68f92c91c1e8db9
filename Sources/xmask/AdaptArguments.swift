import ArgumentParser
import XMaskCrossbar
import XMaskExperiments
import XMaskMasks

/// `xmask adapt`'s training options: the method and every ``AdaptOptions`` setting, with the
/// library's defaults (declared there once) and its ranges (checked there, named here).
struct AdaptArguments: ParsableArguments {
    private static let defaults = AdaptOptions()

    @Option(help: "Method of the new task.") var method: AdaptationMethod.Kind
    @Option(help: "XMA / XMA2 shift levels N (0 ... weight bits - 1: 0...3 on a 4-bit bundle).") var shiftLevels = 3
    @Option(help: "XMA2 fraction of PEs re-programmed (0...1, at most the bundle's spare-PE fraction).") var peFraction = 0.1
    @Option(help: "Optimizer steps.") var steps = defaults.steps
    @Option(help: "Batch size.") var batchSize = defaults.batchSize
    @Option(help: "Adam learning rate of the masks (default: per method).") var maskLearningRate: Float?
    @Option(help: "Adam learning rate of head and batch norm.") var learningRate = defaults.learningRate
    @Option(help: "Adam learning rate of task weights (FineTune, XMA2's re-programmed PEs).") var weightLearningRate = defaults.weightLearningRate
    @Option(help: "Gumbel-Sigmoid β at the start (XBM eq. 4).") var beta = defaults.beta
    @Option(help: "Gumbel-Sigmoid β at the end (β grows geometrically).") var betaFinal = defaults.betaFinal
    @Option(help: "Gumbel-Sigmoid temperature T.") var temperature = defaults.temperature
    @Flag(help: "Keep batch norm frozen at the backbone's instead of learning it per task.") var freezeBatchNorm = defaults.freezeBatchNorm
    @Option(help: "Batches to re-estimate batch-norm statistics with the final masks (0 = off).") var recalibrationBatches = defaults.recalibrationBatches
    @Option(help: "Classes of the dataset.") var classes = 10
    @Option(help: "Train on a stratified subset of this many images.") var trainSubset: Int?
    @Option(help: "Fraction of the training set held out (stratified, seeded) for a validation accuracy (0...0.5; default none).") var validationFraction: Float?
    @Option(help: "Initial real column mask m₀ of XBM/XMA/XMA2 (-10...10; default 1).") var columnMaskInit: Float?
    @Option(help: "β over training: geometric (β → β-final, default) or constant (β).") var betaSchedule: BetaSchedule?
    @Option(help: "Mask learning rate over training: cosine (default) or constant.") var maskLearningRateSchedule: MaskLearningRateSchedule?
    @Option(help: "Level of a dropped XMA column: nearest-sample (default) or min-max (XMA2 §3.3.1).") var xmaLevelRule: XMALevelRule?
    @Option(help: "λ of the column-mask sparsity penalty, loss += λ·mean keep-probability (0...100; default 0).") var sparsityPenalty: Float?

    /// The option of each field, for range errors: every ``AdaptOptions`` setting in kebab case.
    static let optionNames = kebabOptions(AdaptOptions.settings.map(\.name) + ["shiftLevels", "peFraction", "classes"])

    var adaptationMethod: AdaptationMethod { method.method(shiftLevels: shiftLevels, peFraction: peFraction) }

    var options: AdaptOptions {
        var o = AdaptOptions(steps: steps, batchSize: batchSize, learningRate: learningRate, weightLearningRate: weightLearningRate,
                             maskLearningRate: maskLearningRate, trainSubset: trainSubset, recalibrationBatches: recalibrationBatches,
                             beta: beta, betaFinal: betaFinal, temperature: temperature, freezeBatchNorm: freezeBatchNorm)
        o.validationFraction = validationFraction
        o.columnMaskInit = columnMaskInit
        o.betaSchedule = betaSchedule
        o.maskLearningRateSchedule = maskLearningRateSchedule
        o.xmaLevelRule = xmaLevelRule
        o.sparsityPenalty = sparsityPenalty
        return o
    }
}

extension BetaSchedule: ExpressibleByArgument {}
extension MaskLearningRateSchedule: ExpressibleByArgument {}
extension XMALevelRule: ExpressibleByArgument {}

extension AdaptationMethod.Kind: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}
