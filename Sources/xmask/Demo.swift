import ArgumentParser
import Foundation
import XMaskCrossbar
import XMaskExperiments

/// `xmask demo`: a short version of the study on the small real datasets that ship with xmask.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a short multi-task study on the bundled data subsets and print the comparison.",
        discussion: """
        Trains a 4-bit ResNet-20 backbone on 6,000 Fashion-MNIST images, then learns MNIST,
        Animal-MNIST and optdigits with every method (FineTune, Piggyback, KSM, XBM, XMA, XMA2),
        each as its own task of one bundle, and prints accuracy, mask size and hardware cost.
        The data are stratified subsets of ../shared/data shipped in Sources/xmask/DemoData
        (see its README for provenance and licences). Re-running with the same --out reuses
        what is finished.
        """)

    @Option(help: "Output directory (a bundle plus report.html, report.md and results.json).") var out = "xmask-demo"
    @Option(help: "Backbone epochs.") var epochs = 3
    @Option(help: "Optimizer steps per task.") var steps = 100
    @Option(help: "Seed.") var seed: UInt64 = 1
    @OptionGroup var options: RunOptions

    func validate() throws {
        for (option, value) in [("--epochs", epochs), ("--steps", steps)] where value < 1 {
            throw ValidationError("\(option) \(value): expected an integer ≥ 1")
        }
    }

    func run() throws {
        guard let root = Bundle.module.url(forResource: "DemoData", withExtension: nil) else {
            throw ValidationError("the demo data (DemoData) is missing from this build")
        }
        func data(_ name: String) -> String { root.appendingPathComponent(name).path }
        var backbone = PretrainConfig(model: ModelSpec(name: "resnet20", inChannels: 1, numClasses: 10, imageSize: 28),
                                      data: data("fashion-mnist"), epochs: epochs)
        backbone.seed = seed
        var plan = StudyPlan(backbone: backbone,
                             tasks: ["mnist", "animal-mnist", "optdigits"].map { StudyPlan.TaskSpec(name: $0, data: data($0)) },
                             methods: AdaptationMethod.all(shiftLevels: 3, peFraction: 0.1))
        plan.adapt.steps = steps
        plan.name = "demo"
        plan.seed = seed
        let outURL = URL(fileURLWithPath: out).standardizedFileURL
        let start = ContinuousClock.now
        var result = try options.withThreads { try runStudy(plan, out: outURL, reporter: TerminalReporter(quiet: options.quiet)) }
        result.provenance = StudyProvenance.current(directory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        let files = try result.writeReport(to: outURL, title: "xmask demo")
        let seconds = (ContinuousClock.now - start).components.seconds
        if options.json {
            try printJSON(result)
        } else {
            print(result.markdown(title: "xmask demo"))
            print("report: \(files.html.path)\nmarkdown: \(files.markdown.path)\nnumbers: \(files.json.path)\n\(seconds) s")
        }
    }
}
