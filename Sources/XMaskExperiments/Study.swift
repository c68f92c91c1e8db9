import Foundation
import XMaskCrossbar
import XMaskMasks

/// A small multi-task study: one backbone, several tasks, several methods; every (task,
/// method) pair becomes a bundle task named `TASK-METHOD`. A finished backbone and finished
/// tasks in the output bundle are reused, so an interrupted study resumes where it stopped.
public struct StudyPlan: Codable, Sendable {
    public struct TaskSpec: Codable, Sendable {
        public var name: String
        public var data: String
        public var classes: Int = 10
        public init(name: String, data: String) {
            self.name = name
            self.data = data
        }
    }

    public var backbone: PretrainConfig
    public var tasks: [TaskSpec]
    public var methods: [AdaptationMethod]
    public var steps: Int
    public var batchSize: Int = 64
    public var trainSubset: Int?
    public var recalibrationBatches: Int = 20
    public var seed: UInt64 = 1
    public var sparePEFraction: Double = 0.1

    public init(backbone: PretrainConfig, tasks: [TaskSpec], methods: [AdaptationMethod], steps: Int) {
        self.backbone = backbone
        self.tasks = tasks
        self.methods = methods
        self.steps = steps
    }
}

/// One cell of the study's table.
public struct StudyCell: Codable, Sendable {
    public var task: String
    public var method: String
    public var methodDescription: String
    public var accuracy: Double
    public var maskBytes: Int
    public var inferenceEnergyMicrojoules: Double
    public var reprogrammedCells: Int
    public var reprogrammingEnergyMicrojoules: Double
    public var totalOverInferenceEnergy: Double
    public var meanColumnSparsity: Double
}

public struct StudyResult: Codable, Sendable {
    public var backboneTask: String
    public var backboneAccuracy: Double?
    public var backboneBytes: Int
    public var cells: [StudyCell]
    public var bundle: String
}

/// Runs a ``StudyPlan`` into the bundle directory `out`.
public func runStudy(_ plan: StudyPlan, out: URL, reporter: ProgressReporter = SilentReporter()) throws -> StudyResult {
    let manifestPath = out.appendingPathComponent("bundle.json").path
    if !FileManager.default.fileExists(atPath: manifestPath) {
        reporter.message("training the backbone on \(plan.backbone.data)")
        _ = try Pretrainer(config: plan.backbone, outDirectory: out, geometry: CrossbarGeometry(sparePEFraction: plan.sparePEFraction),
                           reporter: reporter).run(resume: true)
    } else {
        reporter.message("reusing the backbone in \(out.path)")
    }
    var bundle = try TaskBundle.open(out)
    guard bundle.manifest.backbone.model == plan.backbone.model else {
        throw ExperimentError.notABundle(path: out.path, reason: "its backbone was made with different settings than this study's")
    }
    for task in plan.tasks {
        for method in plan.methods {
            let name = "\(task.name)-\(method.name)"
            if bundle.taskNames.contains(name) { continue }
            var config = AdaptConfig(task: name, data: task.data, mask: MaskConfig(method: method))
            config.steps = plan.steps
            config.batchSize = plan.batchSize
            config.trainSubset = plan.trainSubset
            config.recalibrationBatches = plan.recalibrationBatches
            config.classes = task.classes
            config.seed = plan.seed
            _ = try Adapter(config: config, reporter: reporter).run(bundle: &bundle)
        }
    }
    var cells: [StudyCell] = []
    for task in plan.tasks {
        for method in plan.methods {
            let e = try bundle.task(named: "\(task.name)-\(method.name)")
            let m = e.metrics
            let sparsity = m.sparsityPerLayer.values
            cells.append(StudyCell(
                task: task.name, method: method.name, methodDescription: method.description, accuracy: m.testAccuracy,
                maskBytes: m.maskBytes, inferenceEnergyMicrojoules: m.inferenceEnergyMicrojoules,
                reprogrammedCells: m.reprogrammedCells, reprogrammingEnergyMicrojoules: m.reprogrammingEnergyMicrojoules,
                totalOverInferenceEnergy: m.totalOverInferenceEnergy,
                meanColumnSparsity: sparsity.isEmpty ? 0 : sparsity.reduce(0, +) / Double(sparsity.count)))
        }
    }
    let backboneBytes = (try? FileManager.default.attributesOfItem(atPath: bundle.backboneURL.path)[.size] as? Int) ?? 0
    return StudyResult(backboneTask: bundle.manifest.backbone.task, backboneAccuracy: bundle.manifest.backbone.testAccuracy,
                       backboneBytes: backboneBytes, cells: cells, bundle: out.path)
}

extension StudyResult {
    /// Markdown tables: accuracy (rows = tasks, columns = methods, as XBM Table I / XMA2
    /// Table 3), then per method mask size, energy per image and re-programming cost.
    public func markdown() -> String {
        let methods = cells.reduce(into: [String]()) { if !$0.contains($1.method) { $0.append($1.method) } }
        let tasks = cells.reduce(into: [String]()) { if !$0.contains($1.task) { $0.append($1.task) } }
        func cell(_ t: String, _ m: String) -> StudyCell? { cells.first { $0.task == t && $0.method == m } }
        var out = "Backbone: \(backboneTask)" + (backboneAccuracy.map { String(format: ", test accuracy %.2f %%", 100 * $0) } ?? "")
            + ", \(backboneBytes) bytes on disk.\n\n"
        out += "Test accuracy (%)\n\n| task | " + methods.joined(separator: " | ") + " |\n|---|" + methods.map { _ in "---:|" }.joined() + "\n"
        for t in tasks {
            out += "| \(t) | " + methods.map { m in cell(t, m).map { String(format: "%.2f", 100 * $0.accuracy) } ?? "—" }.joined(separator: " | ") + " |\n"
        }
        out += "\nCost per task (mean over tasks)\n\n| method | mask bytes | zero mask values | inference µJ/image | re-programmed cells | re-programming µJ | total / inference energy (M = test images) |\n|---|---:|---:|---:|---:|---:|---:|\n"
        for m in methods {
            let cs = cells.filter { $0.method == m }
            guard !cs.isEmpty else { continue }
            let n = Double(cs.count)
            func mean(_ f: (StudyCell) -> Double) -> Double { cs.map(f).reduce(0, +) / n }
            out += String(format: "| %@ | %.0f | %.1f %% | %.4f | %.0f | %.3f | %.4f |\n", cs[0].methodDescription,
                          mean { Double($0.maskBytes) }, 100 * mean(\.meanColumnSparsity), mean(\.inferenceEnergyMicrojoules),
                          mean { Double($0.reprogrammedCells) }, mean(\.reprogrammingEnergyMicrojoules), mean(\.totalOverInferenceEnergy))
        }
        return out
    }
}
