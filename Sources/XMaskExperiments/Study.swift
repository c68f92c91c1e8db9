import Foundation
import XMaskCrossbar
import XMaskMasks

/// A multi-task study: one backbone, several tasks, several methods; every (task, method) pair
/// becomes a bundle task named `TASK-LABEL` (``methodLabel(_:)``: `mnist-xbm`, `mnist-xma2-p0.2`).
/// A finished backbone and finished tasks in the output bundle are reused, so an interrupted
/// study resumes where it stopped (`xmask reproduce`, `xmask demo`).
public struct StudyPlan: Codable, Sendable, Equatable {
    public struct TaskSpec: Codable, Sendable, Equatable {
        /// Short task name (`mnist`); letters, digits, `-`, `_`, `.`.
        public var name: String
        /// Dataset directory (MNIST-layout IDX files), absolute.
        public var data: String
        public var classes: Int = 10
        public init(name: String, data: String, classes: Int = 10) {
            self.name = name
            self.data = data
            self.classes = classes
        }
    }

    /// Settings every task of the study shares (the options of ``AdaptConfig`` and the
    /// Gumbel-Sigmoid schedule of ``MaskConfig``); defaults are theirs.
    public struct AdaptOptions: Codable, Sendable, Equatable {
        public var steps: Int
        public var batchSize: Int
        public var learningRate: Float
        /// FineTune's weights and XMA2's re-programmed PEs.
        public var weightLearningRate: Float
        /// nil: the method's default (``AdaptConfig/defaultMaskLearningRate``).
        public var maskLearningRate: Float?
        public var trainSubset: Int?
        public var recalibrationBatches: Int
        public var beta: Float
        public var betaFinal: Float
        public var temperature: Float
        public var freezeBatchNorm: Bool

        public init() {
            let a = AdaptConfig(task: "", data: "", mask: MaskConfig(method: .xbm))
            steps = a.steps
            batchSize = a.batchSize
            learningRate = a.learningRate
            weightLearningRate = a.weightLearningRate
            maskLearningRate = a.maskLearningRate
            trainSubset = a.trainSubset
            recalibrationBatches = a.recalibrationBatches
            beta = a.mask.beta
            betaFinal = a.mask.betaFinal
            temperature = a.mask.temperature
            freezeBatchNorm = a.mask.freezeBatchNorm
        }
    }

    public var name: String = "study"
    /// How the backbone is trained; with ``backboneSource`` only its model and data are used.
    public var backbone: PretrainConfig
    /// A trained bundle (absolute path) whose backbone the study imports instead of training one
    /// (`backbone: {from: DIR}`); its tasks are not imported.
    public var backboneSource: String?
    /// Preset with the study's geometry; its weight/activation bits follow the backbone's.
    public var hardware: HardwarePreset = .xbm32nm
    public var tasks: [TaskSpec]
    /// Methods in report order; XMA2 may appear once per PE fraction P.
    public var methods: [AdaptationMethod]
    public var adapt = AdaptOptions()
    /// Seed of the backbone and of every task (head init, mask noise, shuffling).
    public var seed: UInt64 = 1

    public init(backbone: PretrainConfig, tasks: [TaskSpec], methods: [AdaptationMethod], steps: Int) {
        self.backbone = backbone
        self.tasks = tasks
        self.methods = methods
        self.adapt.steps = steps
    }

    /// The geometry the backbone is programmed with: the preset's, with the backbone's precisions.
    public var geometry: CrossbarGeometry { hardware.geometry.programming(backbone.model) }

    /// Column and file-name label of a method: its name, with P for XMA2 (`xma2-p0.1`).
    public static func methodLabel(_ method: AdaptationMethod) -> String {
        if case let .xma2(p, _) = method { return "xma2-p" + formatNumber(p) }
        return method.name
    }

    /// The bundle task of `task` learned with `method`.
    public static func taskName(_ task: String, _ method: AdaptationMethod) -> String { "\(task)-\(methodLabel(method))" }

    /// What one (task, method) pair trains with.
    public func adaptConfig(task: TaskSpec, method: AdaptationMethod) -> AdaptConfig {
        var mask = MaskConfig(method: method)
        mask.beta = adapt.beta
        mask.betaFinal = adapt.betaFinal
        mask.temperature = adapt.temperature
        mask.freezeBatchNorm = adapt.freezeBatchNorm
        var config = AdaptConfig(task: Self.taskName(task.name, method), data: task.data, mask: mask)
        config.steps = adapt.steps
        config.batchSize = adapt.batchSize
        config.learningRate = adapt.learningRate
        config.weightLearningRate = adapt.weightLearningRate
        // A study-wide mask learning rate applies to the methods that have masks.
        if case .fineTune = method {} else { config.maskLearningRate = adapt.maskLearningRate }
        config.trainSubset = adapt.trainSubset
        config.recalibrationBatches = adapt.recalibrationBatches
        config.classes = task.classes
        config.seed = seed
        return config
    }

    /// Checks everything that can be checked without data: backbone, geometry, every task's
    /// adapt settings, unique task and method labels, XMA2's P against the spare PEs.
    public func validate() throws {
        try backbone.validate()
        var preset = hardware
        preset.geometry = geometry
        try preset.validate()
        guard !tasks.isEmpty else { throw ExperimentError.invalidOption(name: "tasks", value: "[]", expected: "at least one task") }
        guard !methods.isEmpty else { throw ExperimentError.invalidOption(name: "methods", value: "[]", expected: "at least one method") }
        var seen = Set<String>()
        for t in tasks where !seen.insert(t.name).inserted {
            throw ExperimentError.invalidOption(name: "tasks", value: t.name, expected: "unique task names")
        }
        seen = []
        for m in methods where !seen.insert(Self.methodLabel(m)).inserted {
            throw ExperimentError.invalidOption(name: "methods", value: m.description, expected: "each method once (XMA2 once per P)")
        }
        for m in methods {
            if case let .xma2(p, _) = m, p > geometry.sparePEFraction + 1e-12 {
                throw ExperimentError.invalidOption(name: "peFraction", value: formatNumber(p),
                                                    expected: "at most the spare-PE fraction \(formatNumber(geometry.sparePEFraction))")
            }
            for t in tasks { try adaptConfig(task: t, method: m).validate(weightBits: geometry.weightBits) }
        }
    }
}

/// A finished bundle item that does not match the study asking for it.
public enum StudyError: Error, CustomStringConvertible, Equatable {
    case staleBundle(path: String, item: String, differs: String)

    public var description: String {
        switch self {
        case let .staleBundle(path, item, differs):
            return "\(path): \(item) was made with different settings (\(differs)); use another output directory or restore the study's settings"
        }
    }
}

/// Where a study ran, as the CLI found it (the library reads no environment).
public struct StudyProvenance: Codable, Sendable, Equatable {
    /// `git rev-parse HEAD`, with `-dirty` when the work tree had changes.
    public var commit: String?
    /// e.g. `Linux x86_64, 2 cores, 24 GiB`.
    public var machine: String
    public var xmaskVersion: String

    public init(commit: String?, machine: String, xmaskVersion: String) {
        self.commit = commit
        self.machine = machine
        self.xmaskVersion = xmaskVersion
    }
}

/// The fraction of zero mask values of one layer (XBM Fig. 4).
public struct LayerSparsity: Codable, Sendable, Equatable {
    public var layer: String
    public var zeroFraction: Double
    public init(layer: String, zeroFraction: Double) {
        self.layer = layer
        self.zeroFraction = zeroFraction
    }
}

/// One (task, method) cell of the study: what the task achieved and cost.
public struct StudyCell: Codable, Sendable, Equatable {
    public var task: String
    /// ``StudyPlan/methodLabel(_:)``, e.g. `xma2-p0.1`.
    public var method: String
    public var methodDescription: String
    /// XMA2's P, nil for the other methods.
    public var peFraction: Double?
    public var usesColumnMask: Bool
    /// Bundle task name.
    public var bundleTask: String
    public var accuracy: Double
    public var maskBits: Int
    public var maskBytes: Int
    /// Per masked conv layer in network order.
    public var sparsityPerLayer: [LayerSparsity]
    public var inferenceEnergyMicrojoules: Double
    public var energyBreakdownMicrojoules: EnergyBreakdown
    public var reprogrammedCells: Int
    public var reprogrammingEnergyMicrojoules: Double
    /// M, the test images the re-programming energy is spread over (XMA2 Fig. 5).
    public var inferences: Int
    public var totalOverInferenceEnergy: Double
    /// Re-programming energy and total / inference at M = 1 … 10⁶ under each write model
    /// (NeuroSim's and the papers'); nil in studies made before there were two.
    public var writeModels: [WriteModelEstimate]? = nil
    /// M · inference energy + re-programming energy.
    public var totalEnergyMicrojoules: Double { Double(inferences) * inferenceEnergyMicrojoules + reprogrammingEnergyMicrojoules }
    /// Inference energy per image with the re-programming energy spread over M images.
    public var totalEnergyPerImageMicrojoules: Double { inferenceEnergyMicrojoules * totalOverInferenceEnergy }
    public var meanSparsity: Double {
        sparsityPerLayer.isEmpty ? 0 : sparsityPerLayer.map(\.zeroFraction).reduce(0, +) / Double(sparsityPerLayer.count)
    }
}

/// The backbone of a study.
public struct StudyBackbone: Codable, Sendable, Equatable {
    public var task: String
    public var model: String
    public var testAccuracy: Double?
    public var fileBytes: Int
    /// Bytes of the quantized weights as programmed on the crossbars.
    public var programmedBytes: Int
}

/// Everything a study's report shows; `results.json` is this value.
public struct StudyResult: Codable, Sendable {
    public var plan: StudyPlan
    public var backbone: StudyBackbone
    public var cells: [StudyCell]
    /// Every study task re-evaluated from the bundle after the last was added (backbone first).
    public var forgetting: [TaskEvaluation]
    public var bundle: String
    public var provenance: StudyProvenance?

    public init(plan: StudyPlan, backbone: StudyBackbone, cells: [StudyCell], forgetting: [TaskEvaluation], bundle: String,
                provenance: StudyProvenance? = nil) {
        self.plan = plan
        self.backbone = backbone
        self.cells = cells
        self.forgetting = forgetting
        self.bundle = bundle
        self.provenance = provenance
    }

    /// results.json: pretty, sorted keys (the same study gives the same bytes).
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}

/// Runs a ``StudyPlan`` into the bundle directory `out`, then re-evaluates every task
/// (forgetting) and collects each task's hardware cost.
///
/// Before anything is trained or written, `freeSpace` is asked whether `out`'s file system has
/// room for what is left to do (``studyBytesToWrite(_:out:source:)``).
public func runStudy(_ plan: StudyPlan, out: URL, reporter: ProgressReporter = SilentReporter(),
                     freeSpace: any FreeSpaceQuery = SystemFreeSpace()) throws -> StudyResult {
    try plan.validate()
    var backbone = plan.backbone
    backbone.seed = plan.seed
    let geometry = plan.geometry
    let manifestPath = out.appendingPathComponent("bundle.json").path
    let source = try plan.backboneSource.map { try TaskBundle.open(URL(fileURLWithPath: $0)) }
    try FreeSpace.check(out, neededBytes: try studyBytesToWrite(plan, out: out, source: source),
                        for: "the study's backbone, task files and reports", query: freeSpace)
    if !FileManager.default.fileExists(atPath: manifestPath) {
        if let source {
            reporter.message("importing the backbone of \(source.directory.path)")
            _ = try TaskBundle.importBackbone(from: source, to: out, geometry: geometry)
        } else {
            reporter.message("training the backbone on \(backbone.data)")
            _ = try Pretrainer(config: backbone, outDirectory: out, geometry: geometry, reporter: reporter, freeSpace: freeSpace).run(resume: true)
        }
    } else {
        reporter.message("reusing the backbone in \(out.path)")
    }
    var bundle = try TaskBundle.open(out)
    let b = bundle.manifest.backbone
    for (what, same) in [("model", b.model == backbone.model), ("crossbar geometry", bundle.manifest.geometry == geometry),
                         ("data", b.data.map { URL(fileURLWithPath: $0).standardizedFileURL.path } == URL(fileURLWithPath: backbone.data).standardizedFileURL.path),
                         ("weights (SHA-256 of the imported backbone)", source.map { $0.manifest.backbone.sha256 == b.sha256 } ?? true)]
        where !same {
        throw StudyError.staleBundle(path: out.path, item: "the backbone", differs: what)
    }
    var hardware = HardwareModel(preset: plan.hardware)
    hardware.preset.geometry = geometry
    for task in plan.tasks {
        for method in plan.methods {
            let config = plan.adaptConfig(task: task, method: method)
            if let entry = bundle.manifest.tasks.first(where: { $0.name == config.task }) {
                var differs: [String] = []
                if entry.config != config.mask { differs.append("method options") }
                if entry.metrics.trainSteps != config.steps { differs.append("steps \(entry.metrics.trainSteps) vs \(config.steps)") }
                if entry.seed != config.seed { differs.append("seed \(entry.seed) vs \(config.seed)") }
                if entry.data != config.data { differs.append("data \(entry.data) vs \(config.data)") }
                if !differs.isEmpty {
                    throw StudyError.staleBundle(path: out.path, item: "task \(entry.name)", differs: differs.joined(separator: ", "))
                }
                reporter.message("reusing \(entry.name)")
                continue
            }
            _ = try Adapter(config: config, reporter: reporter, freeSpace: freeSpace).run(bundle: &bundle, hardware: hardware)
        }
    }
    return try collectStudyResult(plan: plan, bundle: bundle, hardware: hardware, reporter: reporter)
}

/// What the rest of a study writes into `out`, at most: the backbone (pretraining's
/// checkpoints and backbone, or the imported backbone file) unless `out` holds a bundle, one
/// task file no larger than the backbone file per task not yet in it, and slack for each
/// manifest and the reports.
public func studyBytesToWrite(_ plan: StudyPlan, out: URL, source: TaskBundle?) throws -> Int64 {
    let values = try plan.backbone.model.build(seed: 0).namedParameters().reduce(0) { $0 + $1.parameter.value.count }
    let backboneFile = FreeSpace.sum(FreeSpace.float32Bytes(values), FreeSpace.slackBytes)
    let existing = (try? TaskBundle.open(out)).map { Set($0.taskNames) }
    var backbone: Int64 = 0
    if existing == nil { backbone = source == nil ? Pretrainer.bytesToWrite(storedValues: values) : backboneFile }
    let pending = plan.tasks.reduce(0) { n, task in
        n + plan.methods.filter { !(existing?.contains(StudyPlan.taskName(task.name, $0)) ?? false) }.count
    }
    return FreeSpace.sum(backbone, FreeSpace.times(FreeSpace.sum(backboneFile, FreeSpace.slackBytes), pending),
                         FreeSpace.times(FreeSpace.slackBytes, 4))
}

/// Reads every study task back from the bundle: accuracy and cost from the manifest, the
/// energy breakdown from ``HardwareCost``, forgetting from ``evaluateBundle(_:reporter:)``.
func collectStudyResult(plan: StudyPlan, bundle: TaskBundle, hardware: HardwareModel, reporter: ProgressReporter) throws -> StudyResult {
    let evaluations = try evaluateBundle(bundle, reporter: reporter)
    var testCounts: [String: Int] = [:]
    let studyTasks = Set(plan.tasks.flatMap { t in plan.methods.map { StudyPlan.taskName(t.name, $0) } })
    let backbone = try bundle.readBackbone()
    let model = try backbone.model()
    let spec = bundle.manifest.backbone.model
    let layerOrder = HardwareCost.network(of: model, name: spec.name, imageSize: spec.imageSize).layers.map(\.name)
    var cells: [StudyCell] = []
    var programmedBytes = 0
    for task in plan.tasks {
        if testCounts[task.name] == nil {
            testCounts[task.name] = try TaskData(directory: URL(fileURLWithPath: task.data), inChannels: spec.inChannels,
                                                 imageSize: spec.imageSize, classCount: task.classes).test.count
        }
        for method in plan.methods {
            let name = StudyPlan.taskName(task.name, method)
            let entry = try bundle.task(named: name)
            let (taskModel, state) = try bundle.loadTask(name, backbone: backbone)
            let cost = try HardwareCost.of(state: state, backbone: taskModel, bundle: bundle, hardware: hardware,
                                           inferences: testCounts[task.name] ?? 1)
            programmedBytes = cost.report.totals.backboneBytes
            let m = entry.metrics
            let sparsity = m.sparsityPerLayer.sorted {
                (layerOrder.firstIndex(of: $0.key) ?? Int.max, $0.key) < (layerOrder.firstIndex(of: $1.key) ?? Int.max, $1.key)
            }.map { LayerSparsity(layer: $0.key, zeroFraction: $0.value) }
            var p: Double?
            if case let .xma2(fraction, _) = method { p = fraction }
            cells.append(StudyCell(
                task: task.name, method: StudyPlan.methodLabel(method), methodDescription: method.description, peFraction: p,
                usesColumnMask: method.usesColumnMask, bundleTask: name, accuracy: m.testAccuracy, maskBits: m.maskBits,
                maskBytes: m.maskBytes, sparsityPerLayer: sparsity, inferenceEnergyMicrojoules: m.inferenceEnergyMicrojoules,
                energyBreakdownMicrojoules: cost.report.energyMicrojoules, reprogrammedCells: m.reprogrammedCells,
                reprogrammingEnergyMicrojoules: m.reprogrammingEnergyMicrojoules, inferences: cost.report.totals.inferences,
                totalOverInferenceEnergy: m.totalOverInferenceEnergy, writeModels: cost.report.writeModels))
        }
    }
    let b = bundle.manifest.backbone
    let fileBytes = (try? FileManager.default.attributesOfItem(atPath: bundle.backboneURL.path)[.size] as? Int) ?? 0
    return StudyResult(
        plan: plan,
        backbone: StudyBackbone(task: b.task, model: b.model.name, testAccuracy: b.testAccuracy, fileBytes: fileBytes,
                                programmedBytes: programmedBytes),
        cells: cells,
        forgetting: evaluations.filter { $0.isBackbone || studyTasks.contains($0.task) },
        bundle: bundle.directory.path)
}

/// A number without trailing zeros: 0.1 → "0.1", 0.05 → "0.05", 2 → "2".
func formatNumber(_ x: Double) -> String {
    let rounded = (x * 1e6).rounded() / 1e6
    if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int(rounded)) }
    var s = String(format: "%.6f", rounded)
    while s.hasSuffix("0") { s.removeLast() }
    return s
}
