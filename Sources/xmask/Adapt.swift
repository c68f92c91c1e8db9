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
    @OptionGroup var training: AdaptArguments
    @Option(help: "Seed of the head, the masks' noise, shuffling.") var seed: UInt64 = 1
    @Option(help: ArgumentHelp("Write model of the recorded re-programming energy: neurosim or papers (bundle.json keeps both estimates either way).", valueName: "neurosim|papers"))
    var writeModel: WriteModelKind = .neurosim
    @OptionGroup var options: RunOptions

    /// The option of each `AdaptConfig` / `AdaptOptions` field, for range errors.
    static let optionNames = AdaptArguments.optionNames.merging(kebabOptions(["task"])) { a, _ in a }

    func validate() throws {
        try namingOptions(Self.optionNames) { try makeConfig().validate() }
    }

    func makeConfig() -> AdaptConfig {
        AdaptConfig(task: task, data: URL(fileURLWithPath: data).path, method: training.adaptationMethod, classes: training.classes,
                    seed: seed, options: training.options)
    }

    /// The default preset's technology with `--write-model`, on the bundle's geometry.
    func hardware(for bundle: TaskBundle) -> HardwareModel {
        var preset = HardwarePreset.xbm32nm
        preset.geometry = bundle.manifest.geometry
        preset.technology.writeModel = writeModel
        return HardwareModel(preset: preset)
    }

    func run() throws {
        let config = makeConfig()
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
