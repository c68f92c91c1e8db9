import Foundation
import XMaskCrossbar
import XMaskMasks
import XMaskNN
import XMaskTensor

/// The backbone a bundle holds.
public struct BackboneEntry: Codable, Sendable, Equatable {
    public var model: ModelSpec
    /// Relative path of the weights, `backbone.safetensors`.
    public var file: String
    public var sha256: String
    /// The task the backbone was trained on (its own head), e.g. `fashion-mnist`.
    public var task: String
    /// Dataset directory it was trained on.
    public var data: String?
    public var testAccuracy: Double?
}

/// What a task cost and achieved, as recorded in the manifest.
public struct TaskMetrics: Codable, Sendable, Equatable {
    public var testAccuracy: Double
    public var trainSteps: Int
    /// Bits / bytes the task stores besides head and batch norm (the method's mask).
    public var maskBits: Int
    public var maskBytes: Int
    /// Fraction of mask values that are 0, per masked layer (XBM Fig. 4).
    public var sparsityPerLayer: [String: Double]
    public var inferenceEnergyMicrojoules: Double
    public var reprogrammedCells: Int
    public var reprogrammingEnergyMicrojoules: Double
    public var totalOverInferenceEnergy: Double
    public var trainSeconds: Double
    /// SHA-256 of the test-set logits (little-endian Float32, dataset order) when the task was
    /// added: `xmask eval` recomputes it to prove the task is bit-for-bit untouched.
    public var logitsSHA256: String
}

/// One task of a bundle.
public struct TaskEntry: Codable, Sendable, Equatable {
    public var name: String
    public var config: MaskConfig
    public var numClasses: Int
    /// Dataset directory it was trained on (informational).
    public var data: String
    /// Relative path, `tasks/NAME/state.safetensors`.
    public var file: String
    public var sha256: String
    public var seed: UInt64
    public var metrics: TaskMetrics
}

/// `bundle.json`: one backbone, the crossbar geometry, and the tasks added to it.
public struct BundleManifest: Codable, Sendable, Equatable {
    public static let formatName = "xmask-bundle"
    public var format: String = Self.formatName
    public var version: Int = 1
    public var backbone: BackboneEntry
    public var geometry: CrossbarGeometry
    public var tasks: [TaskEntry] = []
}

/// A bundle directory: `bundle.json`, `backbone.safetensors`, `tasks/NAME/state.safetensors`.
///
/// Every write goes to a temporary file renamed into place, the manifest last, so an
/// interrupted write leaves the previous bundle intact. Files are checked against the SHA-256
/// the manifest records before use; adding a task never rewrites the backbone.
public struct TaskBundle {
    public let directory: URL
    public private(set) var manifest: BundleManifest

    var manifestURL: URL { directory.appendingPathComponent("bundle.json") }
    public var backboneURL: URL { directory.appendingPathComponent(manifest.backbone.file) }

    /// Creates a bundle from a trained backbone. Refuses a directory that already holds one.
    public static func create(at directory: URL, model: any ImageClassifier, spec: ModelSpec, task: String, data: String?,
                              testAccuracy: Double?, geometry: CrossbarGeometry) throws -> TaskBundle {
        let bytes = Safetensors(tensors: model.stateDict(), metadata: ["format": "xmask-backbone", "model": spec.name]).serialized()
        let entry = BackboneEntry(model: spec, file: "backbone.safetensors", sha256: SHA256.hash(bytes).hexString, task: task,
                                  data: data, testAccuracy: testAccuracy)
        return try write(backbone: bytes, entry: entry, geometry: geometry, to: directory)
    }

    /// Creates a bundle at `directory` holding `source`'s backbone (byte for byte, so its hash is
    /// unchanged) and none of its tasks, with the crossbar `geometry` it will be programmed with
    /// (a study's spare PEs may differ from the bundle it came from). Refuses a directory that
    /// already holds a bundle.
    public static func importBackbone(from source: TaskBundle, to directory: URL, geometry: CrossbarGeometry) throws -> TaskBundle {
        guard let bytes = FileManager.default.contents(atPath: source.backboneURL.path) else {
            throw ExperimentError.notABundle(path: source.backboneURL.path, reason: "cannot read the backbone")
        }
        let digest = SHA256.hash(bytes).hexString  // the bytes copied are the bytes checked
        guard digest == source.manifest.backbone.sha256 else {
            throw ExperimentError.hashMismatch(file: source.backboneURL.path, expected: source.manifest.backbone.sha256, found: digest)
        }
        return try write(backbone: bytes, entry: source.manifest.backbone, geometry: geometry, to: directory)
    }

    /// A new bundle with no tasks: the backbone file, then the manifest. Refuses a directory that
    /// already holds a bundle.
    private static func write(backbone bytes: Data, entry: BackboneEntry, geometry: CrossbarGeometry, to directory: URL) throws -> TaskBundle {
        let fm = FileManager.default
        if fm.fileExists(atPath: directory.appendingPathComponent("bundle.json").path) {
            throw ExperimentError.bundleExists(path: directory.path)
        }
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        try AtomicFile.write(bytes, to: directory.appendingPathComponent(entry.file))
        let bundle = TaskBundle(directory: directory, manifest: BundleManifest(backbone: entry, geometry: geometry))
        try bundle.writeManifest()
        return bundle
    }

    init(directory: URL, manifest: BundleManifest) {
        self.directory = directory
        self.manifest = manifest
    }

    /// Opens a bundle and checks the backbone's hash.
    public static func open(_ directory: URL) throws -> TaskBundle {
        let url = directory.appendingPathComponent("bundle.json")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ExperimentError.notABundle(path: directory.path, reason: "no readable bundle.json")
        }
        let manifest: BundleManifest
        do { manifest = try JSONDecoder().decode(BundleManifest.self, from: data) } catch {
            throw ExperimentError.notABundle(path: url.path, reason: "bundle.json does not decode: \(error)")
        }
        guard manifest.format == BundleManifest.formatName, manifest.version == 1 else {
            throw ExperimentError.notABundle(path: url.path, reason: "format \(manifest.format) version \(manifest.version), expected \(BundleManifest.formatName) 1")
        }
        let bundle = TaskBundle(directory: directory, manifest: manifest)
        try bundle.verify(file: manifest.backbone.file, sha256: manifest.backbone.sha256)
        return bundle
    }

    func verify(file: String, sha256: String) throws {
        let url = directory.appendingPathComponent(file)
        let digest: SHA256Digest
        do { digest = try SHA256.hash(contentsOf: url) } catch {
            throw ExperimentError.notABundle(path: url.path, reason: "\(error)")
        }
        guard digest.hexString == sha256 else {
            throw ExperimentError.hashMismatch(file: url.path, expected: sha256, found: digest.hexString)
        }
    }

    func writeManifest() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(manifest), to: manifestURL)
    }

    /// The backbone file, read once: ``BackboneWeights/model()`` builds fresh models from it.
    public func readBackbone() throws -> BackboneWeights {
        BackboneWeights(spec: manifest.backbone.model, tensors: try Safetensors(contentsOf: backboneURL).tensors())
    }

    /// A fresh model holding the backbone (its own head), in evaluation mode.
    public func loadBackbone() throws -> any ImageClassifier { try readBackbone().model() }

    public var taskNames: [String] { manifest.tasks.map(\.name) }

    public func task(named name: String) throws -> TaskEntry {
        guard let t = manifest.tasks.first(where: { $0.name == name }) else {
            throw ExperimentError.taskMissing(name: name, bundle: directory.path, available: taskNames)
        }
        return t
    }

    /// Refuses a task name that exists or cannot be a directory name.
    public func checkNewTaskName(_ name: String) throws {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }), !name.hasPrefix(".") else {
            throw ExperimentError.invalidOption(name: "task", value: name, expected: "letters, digits, '-', '_' or '.', not starting with '.'")
        }
        if taskNames.contains(name) { throw ExperimentError.taskExists(name: name, bundle: directory.path) }
    }

    /// The model computing task `name`: the backbone with the task's state installed (checked).
    /// `backbone` (read once by the caller) saves re-reading the backbone file.
    public func loadTask(_ name: String, backbone: BackboneWeights? = nil) throws -> (model: any ImageClassifier, state: TaskState) {
        let entry = try task(named: name)
        try verify(file: entry.file, sha256: entry.sha256)
        let model = try (backbone ?? readBackbone()).model()
        let file = try Safetensors(contentsOf: directory.appendingPathComponent(entry.file))
        let state = try TaskState(file: file, model: model, geometry: manifest.geometry)
        try state.install(on: model, geometry: manifest.geometry)
        model.setTraining(false)
        return (model, state)
    }

    /// Adds a trained task: writes its file, then the manifest. The backbone file is not touched.
    public mutating func addTask(_ state: TaskState, entry: TaskEntry) throws {
        try checkNewTaskName(entry.name)
        let data = try state.safetensors().serialized()
        let relative = "tasks/\(entry.name)/state.safetensors"
        let url = directory.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try AtomicFile.write(data, to: url)
        var e = entry
        e.file = relative
        e.sha256 = SHA256.hash(data).hexString
        manifest.tasks.append(e)
        do { try writeManifest() } catch {
            manifest.tasks.removeLast()
            try? FileManager.default.removeItem(at: url.deletingLastPathComponent())
            throw error
        }
    }
}

/// A bundle's backbone weights in memory, so that one task's several fresh models (training,
/// batch-norm re-estimation, evaluation, hardware cost) read the backbone file once.
public struct BackboneWeights: Sendable {
    public let spec: ModelSpec
    let tensors: [String: Tensor]

    /// A fresh model holding the backbone (its own head), in evaluation mode.
    public func model() throws -> any ImageClassifier {
        let model = try spec.build(seed: 0)
        try model.load(stateDict: tensors, strict: true)
        model.setTraining(false)
        return model
    }
}
