import ArgumentParser
import Foundation
import XMaskCrossbar
import XMaskExperiments
import XMaskMasks

/// `xmask adapt`: learns one new task on a bundle's frozen backbone.
struct Adapt: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Learn a new task as a crossbar-aware mask on a bundle's frozen backbone and add it to the bundle.",
        discussion: """
        Methods: finetune, piggyback, ksm, xbm, xma (--shift-levels N), xma2 (--pe-fraction P).
        The task is trained for --steps optimizer steps, its masks are deployed (deterministic),
        batch-norm statistics are re-estimated under them, and it is evaluated as deployed. Its
        accuracy, mask size and hardware cost (from the real masks) are recorded in bundle.json.
        """)

    @Option(help: "Bundle directory (made by `xmask pretrain`).") var bundle: String
    @Option(help: "Name of the new task (must not exist in the bundle).") var task: String
    @Option(help: "Dataset of the task: IDX directory, Keras .npz, CIFAR binary directory or PNG image folder (train/CLASS/*.png).") var data: String
    @Option(help: "Method: finetune, piggyback, ksm, xbm, xma or xma2.") var method: String
    @Option(help: "XMA / XMA2 shift levels N (0 ... weight bits - 1: 0...3 on a 4-bit bundle).") var shiftLevels = 3
    @Option(help: "XMA2 fraction of PEs re-programmed (0...1, at most the bundle's spare-PE fraction).") var peFraction = 0.1
    @Option(help: "Optimizer steps.") var steps = 600
    @Option(help: "Batch size.") var batchSize = 64
    @Option(help: "Adam learning rate of the masks (default: per method).") var maskLearningRate: Float?
    @Option(help: "Adam learning rate of head and batch norm.") var learningRate: Float = 1e-2
    @Option(help: "Adam learning rate of task weights (FineTune, XMA2's re-programmed PEs).") var weightLearningRate: Float = 1e-3
    @Option(help: "Gumbel-Sigmoid β at the start (XBM eq. 4).") var beta: Float = 2
    @Option(help: "Gumbel-Sigmoid β at the end (β grows geometrically).") var betaFinal: Float = 50
    @Option(help: "Gumbel-Sigmoid temperature T.") var temperature: Float = 1
    @Flag(help: "Keep batch norm frozen at the backbone's instead of learning it per task.") var freezeBatchNorm = false
    @Option(help: "Batches to re-estimate batch-norm statistics with the final masks (0 = off).") var recalibrationBatches = 50
    @Option(help: "Classes of the dataset.") var classes = 10
    @Option(help: "Train on a stratified subset of this many images.") var trainSubset: Int?
    @Option(help: "Seed of the head, the masks' noise, shuffling.") var seed: UInt64 = 1
    @Option(help: ArgumentHelp("Write model of the recorded re-programming energy: neurosim or papers (bundle.json keeps both estimates either way).", valueName: "neurosim|papers"))
    var writeModel: WriteModelKind = .neurosim
    @OptionGroup var options: RunOptions

    /// The option of each `AdaptConfig` / `MaskConfig` field, for range errors.
    static let optionNames = kebabOptions([
        "task", "shiftLevels", "peFraction", "steps", "batchSize", "maskLearningRate", "learningRate", "weightLearningRate",
        "beta", "betaFinal", "temperature", "recalibrationBatches", "classes", "trainSubset",
    ])

    func validate() throws {
        try namingOptions(Self.optionNames) { try makeConfig().validate() }
    }

    func makeConfig() throws -> AdaptConfig {
        guard AdaptationMethod.names.contains(method.lowercased()) || ["fine-tune", "ft"].contains(method.lowercased()) else {
            throw ValidationError("--method \(method): expected one of \(AdaptationMethod.names.joined(separator: ", "))")
        }
        let adaptation = try AdaptationMethod.parse(method, shiftLevels: shiftLevels, peFraction: peFraction)
        var mask = MaskConfig(method: adaptation)
        mask.beta = beta
        mask.betaFinal = betaFinal
        mask.temperature = temperature
        mask.freezeBatchNorm = freezeBatchNorm
        var config = AdaptConfig(task: task, data: URL(fileURLWithPath: data).path, mask: mask)
        config.steps = steps
        config.batchSize = batchSize
        config.maskLearningRate = maskLearningRate
        config.learningRate = learningRate
        config.weightLearningRate = weightLearningRate
        config.recalibrationBatches = recalibrationBatches
        config.trainSubset = trainSubset
        config.classes = classes
        config.seed = seed
        return config
    }

    /// The default preset's technology with `--write-model`, on the bundle's geometry.
    func hardware(for bundle: TaskBundle) -> HardwareModel {
        var preset = HardwarePreset.xbm32nm
        preset.geometry = bundle.manifest.geometry
        preset.technology.writeModel = writeModel
        return HardwareModel(preset: preset)
    }

    func run() throws {
        let config = try makeConfig()
        var opened = try TaskBundle.open(URL(fileURLWithPath: bundle))
        let reporter = TerminalReporter(quiet: options.quiet)
        // The bundle-dependent ranges (shift levels for its weight bits, P for its spare PEs).
        let entry = try namingOptions(Self.optionNames) {
            try options.withThreads { try Adapter(config: config, reporter: reporter).run(bundle: &opened, hardware: hardware(for: opened)) }
        }
        if options.json {
            try printJSON(entry)
        } else {
            let m = entry.metrics
            print(String(format: "%@ (%@): accuracy %.2f%%, mask %d B, inference %.3f µJ/image, re-programmed cells %d (%.3f µJ)",
                         entry.name, entry.config.method.description, 100 * m.testAccuracy, m.maskBytes,
                         m.inferenceEnergyMicrojoules, m.reprogrammedCells, m.reprogrammingEnergyMicrojoules))
        }
    }
}
