import Foundation
import XMaskCrossbar
import XMaskMasks

/// A multi-task study: one backbone, several tasks, several methods and (``seeds``) one or more
/// seeds; every (task, method, seed) cell becomes a bundle task named `TASK-LABEL`
/// (``methodLabel(_:)``: `mnist-xbm`, `mnist-xma2-p0.2`), with `-sSEED` when the study has
/// more than one seed (`mnist-xbm-s2`).
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

    /// Settings every task of the study shares (the experiment file's `adapt:` section).
    public typealias AdaptOptions = XMaskExperiments.AdaptOptions

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
    /// The seeds every (task, method) pair is learned with, one cell each; nil: ``seed`` alone.
    /// The backbone is trained once, with ``seed``.
    public var seeds: [UInt64]? = nil
    /// Evaluation on non-ideal devices after the adaptations (`device:`); not part of any
    /// task's identity, so adding it reuses the finished tasks. nil: none.
    public var device: DeviceStudy? = nil

    public init(backbone: PretrainConfig, tasks: [TaskSpec], methods: [AdaptationMethod], adapt: AdaptOptions = AdaptOptions()) {
        self.backbone = backbone
        self.tasks = tasks
        self.methods = methods
        self.adapt = adapt
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

    /// The seeds of the cells: ``seeds``, or ``seed`` alone.
    public var cellSeeds: [UInt64] { seeds ?? [seed] }

    /// The bundle task of one cell: ``taskName(_:_:)``, with `-sSEED` when the study has several seeds.
    public func taskName(_ task: String, _ method: AdaptationMethod, seed: UInt64) -> String {
        cellSeeds.count > 1 ? "\(Self.taskName(task, method))-s\(seed)" : Self.taskName(task, method)
    }

    /// One (task, method, seed) cell of the study.
    public struct Cell: Sendable, Equatable {
        public var task: TaskSpec
        public var method: AdaptationMethod
        public var seed: UInt64
        /// Its bundle task.
        public var name: String
    }

    /// Every cell in the study's fixed order: tasks, then methods, then seeds (the order of the
    /// bundle and of results.json; ``StudyShard`` numbers the cells in it).
    public var cells: [Cell] {
        tasks.flatMap { t in methods.flatMap { m in cellSeeds.map { s in Cell(task: t, method: m, seed: s, name: taskName(t.name, m, seed: s)) } } }
    }

    /// What one (task, method) pair trains with; `seed` (default ``seed``) is the cell's.
    public func adaptConfig(task: TaskSpec, method: AdaptationMethod, seed cellSeed: UInt64? = nil) -> AdaptConfig {
        var options = adapt
        // A study-wide mask learning rate applies to the methods that have masks.
        if case .fineTune = method { options.maskLearningRate = nil }
        let cellSeed = cellSeed ?? seed
        return AdaptConfig(task: taskName(task.name, method, seed: cellSeed), data: task.data, method: method,
                           classes: task.classes, seed: cellSeed, options: options)
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
        if let seeds {
            guard !seeds.isEmpty else { throw ExperimentError.invalidOption(name: "seeds", value: "[]", expected: "at least one seed") }
            guard Set(seeds).count == seeds.count else {
                throw ExperimentError.invalidOption(name: "seeds", value: seeds.map(String.init).joined(separator: ", "), expected: "each seed once")
            }
            if seeds.count > 1 && device != nil {
                throw ExperimentError.invalidOption(name: "device", value: "with \(seeds.count) seeds", expected: "a study with one seed (device: evaluates one task per (task, method))")
            }
        }
        try device?.validate(cellLevels: geometry.cellLevels)
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
    /// The seed the cell was learned with; nil in studies made before studies had seeds (``StudyPlan/seed`` then).
    public var seed: UInt64? = nil
    /// Accuracy on the validation split carved from the training set (`validation_fraction`);
    /// nil without one and in studies made before it.
    public var validationAccuracy: Double? = nil
    /// The task's column-mask diagnostics (``TaskMetrics/columnMaskDiagnostics``); nil for
    /// methods without column masks and in studies made before them.
    public var columnMaskDiagnostics: ColumnMaskDiagnostics? = nil
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
    /// SHA-256 of the backbone file (shards of a study must share it); nil in older studies.
    public var sha256: String? = nil
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
    /// The shard of the cells this result holds; nil for a whole study (run or merged).
    public var shard: StudyShard? = nil
    /// Every run of the plan's `device:` section; nil without one (and in older results).
    public var device: [DeviceStudyRun]? = nil

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
/// Before anything is trained or written, `freeSpace` is asked whether `out`'s file system has
/// room for what is left to do (``studyBytesToWrite(_:out:source:shard:)``).
/// - Parameters:
///   - shard: run only this shard's cells (``StudyShard/contains(_:)``); the result records it,
///     and ``mergeStudyShards(_:plan:into:reporter:)`` joins the shards' outputs.
///   - sharedBackbone: a bundle whose backbone `out` imports instead of training one (the backbone
///     every shard of a study shares; `xmask reproduce --backbone-only` makes it). It must have
///     the study's model and data, and for a study with `backbone.from`, that bundle's backbone.
public func runStudy(_ plan: StudyPlan, out: URL, shard: StudyShard? = nil, sharedBackbone: URL? = nil,
                     reporter: ProgressReporter = SilentReporter(),
                     freeSpace: any FreeSpaceQuery = SystemFreeSpace()) throws -> StudyResult {
    var bundle = try prepareStudyBackbone(plan, out: out, sharedBackbone: sharedBackbone, shard: shard, reporter: reporter,
                                          freeSpace: freeSpace)
    var hardware = HardwareModel(preset: plan.hardware)
    hardware.preset.geometry = plan.geometry
    for (index, cell) in plan.cells.enumerated() where shard?.contains(index) ?? true {
        let config = plan.adaptConfig(task: cell.task, method: cell.method, seed: cell.seed)
        if let entry = bundle.manifest.tasks.first(where: { $0.name == config.task }) {
            var differs: [String] = []
            if entry.config != config.mask { differs.append("method options") }
            if entry.metrics.trainSteps != config.options.steps { differs.append("steps \(entry.metrics.trainSteps) vs \(config.options.steps)") }
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
    var result = try collectStudyResult(plan: plan, bundle: bundle, hardware: hardware, shard: shard, reporter: reporter)
    result.shard = shard
    if let section = plan.device {
        // A shard holds some of the tasks; the merge evaluates them all on the same chips.
        if shard == nil { result.device = try runDeviceStudy(section, plan: plan, bundle: bundle, reporter: reporter) }
        else { reporter.message("device: runs after --merge, on every task of the study") }
    }
    return result
}

/// The first stage of ``runStudy(_:out:shard:sharedBackbone:reporter:freeSpace:)``: the study's backbone in
/// the bundle `out` (trained, imported from the study's `backbone.from` or from `sharedBackbone`,
/// or reused when `out` already holds it), checked against the plan; `freeSpace` is asked first
/// whether `out` has room for the backbone and `shard`'s (or every) pending task.
@discardableResult
public func prepareStudyBackbone(_ plan: StudyPlan, out: URL, sharedBackbone: URL? = nil, shard: StudyShard? = nil,
                                 reporter: ProgressReporter = SilentReporter(),
                                 freeSpace: any FreeSpaceQuery = SystemFreeSpace()) throws -> TaskBundle {
    try plan.validate()
    var backbone = plan.backbone
    backbone.seed = plan.seed
    let geometry = plan.geometry
    let manifestPath = out.appendingPathComponent("bundle.json").path
    if let sharedBackbone, let from = plan.backboneSource {
        // A study that imports its backbone may still be given the shards' copy of it: the same bytes.
        let (shared, own) = (try TaskBundle.open(sharedBackbone), try TaskBundle.open(URL(fileURLWithPath: from)))
        guard shared.manifest.backbone.sha256 == own.manifest.backbone.sha256 else {
            throw StudyError.staleBundle(path: sharedBackbone.path, item: "the shared backbone", differs: "not the backbone of backbone.from \(from) (SHA-256)")
        }
    }
    let source = try (sharedBackbone ?? plan.backboneSource.map { URL(fileURLWithPath: $0) }).map { try TaskBundle.open($0) }
    if let sharedBackbone, let source {
        let b = source.manifest.backbone
        var differs: [String] = []
        if b.model != backbone.model { differs.append("model \(b.model.name) vs the study's \(backbone.model.name)") }
        if b.data.map({ URL(fileURLWithPath: $0).standardizedFileURL.path }) != URL(fileURLWithPath: backbone.data).standardizedFileURL.path {
            differs.append("data \(b.data ?? "none") vs the study's \(backbone.data)")
        }
        if !differs.isEmpty {
            throw StudyError.staleBundle(path: sharedBackbone.path, item: "the shared backbone", differs: differs.joined(separator: ", "))
        }
    }
    try FreeSpace.check(out, neededBytes: try studyBytesToWrite(plan, out: out, source: source, shard: shard),
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
    let bundle = try TaskBundle.open(out)
    let b = bundle.manifest.backbone
    for (what, same) in [("model", b.model == backbone.model), ("crossbar geometry", bundle.manifest.geometry == geometry),
                         ("data", b.data.map { URL(fileURLWithPath: $0).standardizedFileURL.path } == URL(fileURLWithPath: backbone.data).standardizedFileURL.path),
                         ("weights (SHA-256 of the imported backbone)", source.map { $0.manifest.backbone.sha256 == b.sha256 } ?? true)]
        where !same {
        throw StudyError.staleBundle(path: out.path, item: "the backbone", differs: what)
    }
    return bundle
}

/// What the rest of a study writes into `out`, at most: the backbone (pretraining's
/// checkpoints and backbone, or the imported backbone file) unless `out` holds a bundle, one
/// task file no larger than the backbone file per task not yet in it, and slack for each
/// manifest and the reports.
public func studyBytesToWrite(_ plan: StudyPlan, out: URL, source: TaskBundle?, shard: StudyShard? = nil) throws -> Int64 {
    let values = try plan.backbone.model.build(seed: 0).namedParameters().reduce(0) { $0 + $1.parameter.value.count }
    let backboneFile = FreeSpace.sum(FreeSpace.float32Bytes(values), FreeSpace.slackBytes)
    let existing = (try? TaskBundle.open(out)).map { Set($0.taskNames) }
    var backbone: Int64 = 0
    if existing == nil { backbone = source == nil ? Pretrainer.bytesToWrite(storedValues: values) : backboneFile }
    let pending = plan.cells.enumerated().filter { (shard?.contains($0.offset) ?? true) && !(existing?.contains($0.element.name) ?? false) }.count
    return FreeSpace.sum(backbone, FreeSpace.times(FreeSpace.sum(backboneFile, FreeSpace.slackBytes), pending),
                         FreeSpace.times(FreeSpace.slackBytes, 4))
}

/// Reads every study task back from the bundle: accuracy and cost from the manifest, the
/// energy breakdown from ``HardwareCost``, forgetting from ``evaluateBundle(_:reporter:)``.
/// With `shard`, only that shard's cells.
func collectStudyResult(plan: StudyPlan, bundle: TaskBundle, hardware: HardwareModel, shard: StudyShard? = nil,
                        reporter: ProgressReporter) throws -> StudyResult {
    let evaluations = try evaluateBundle(bundle, reporter: reporter)
    var testCounts: [String: Int] = [:]
    let planCells = plan.cells.enumerated().filter { shard?.contains($0.offset) ?? true }.map(\.element)
    let studyTasks = Set(planCells.map(\.name))
    let backbone = try bundle.readBackbone()
    let model = try backbone.model()
    let spec = bundle.manifest.backbone.model
    let layerOrder = HardwareCost.network(of: model, name: spec.name, imageSize: spec.imageSize).layers.map(\.name)
    var cells: [StudyCell] = []
    var programmedBytes = 0
    for planCell in planCells {
        let task = planCell.task, method = planCell.method, name = planCell.name
        if testCounts[task.name] == nil {
            testCounts[task.name] = try TaskData(directory: URL(fileURLWithPath: task.data), inChannels: spec.inChannels,
                                                 imageSize: spec.imageSize, classCount: task.classes).test.count
        }
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
            totalOverInferenceEnergy: m.totalOverInferenceEnergy, writeModels: cost.report.writeModels, seed: planCell.seed,
            validationAccuracy: m.validationAccuracy, columnMaskDiagnostics: m.columnMaskDiagnostics))
    }
    let b = bundle.manifest.backbone
    let fileBytes = (try? FileManager.default.attributesOfItem(atPath: bundle.backboneURL.path)[.size] as? Int) ?? 0
    return StudyResult(
        plan: plan,
        backbone: StudyBackbone(task: b.task, model: b.model.name, testAccuracy: b.testAccuracy, fileBytes: fileBytes,
                                programmedBytes: programmedBytes, sha256: b.sha256),
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
