import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
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
    /// Re-programming energy and total / inference at M = 1 … 10⁶ under each write model
    /// (NeuroSim's and the papers'); nil in bundles made before there were two.
    public var writeModels: [WriteModelEstimate]? = nil
    /// Accuracy of the deployed task on its validation split (`validationFraction`), and the
    /// split's size; nil without one.
    public var validationAccuracy: Double? = nil
    public var validationImages: Int? = nil
    /// Column-mask tasks (XBM, XMA, XMA2): gated and shifted columns per layer, mask flips and
    /// |dp/dm| over training; nil for the other methods and in bundles made before.
    public var columnMaskDiagnostics: ColumnMaskDiagnostics? = nil
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
///
/// Version 2 stores ``manifestSHA256``, the SHA-256 of the manifest's canonical form (compact
/// JSON, keys sorted, without that field), and is refused when it does not match. Version 1
/// bundles (written before the self-hash) are still read, with a warning, and are written back
/// as version 2 when a task is added.
public struct BundleManifest: Codable, Sendable, Equatable {
    public static let formatName = "xmask-bundle"
    /// The version this code writes.
    public static let currentVersion = 2
    public var format: String = Self.formatName
    public var version: Int = Self.currentVersion
    public var backbone: BackboneEntry
    public var geometry: CrossbarGeometry
    public var tasks: [TaskEntry] = []
    /// SHA-256 of ``canonicalForm()``; nil in version 1 manifests.
    public var manifestSHA256: String?

    public init(backbone: BackboneEntry, geometry: CrossbarGeometry, tasks: [TaskEntry] = []) {
        self.backbone = backbone
        self.geometry = geometry
        self.tasks = tasks
    }

    /// The bytes the self-hash covers: compact JSON with sorted keys, ``manifestSHA256`` left out.
    public func canonicalForm() throws -> Data {
        var copy = self
        copy.manifestSHA256 = nil
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(copy)
    }

    /// The hex SHA-256 of ``canonicalForm()``.
    public func canonicalDigest() throws -> String { SHA256.hash(try canonicalForm()).hexString }
}

/// Limits a manifest's numbers must respect: far beyond any real network or crossbar, small
/// enough that nothing computed from them overflows or allocates without bound.
public enum BundleLimits {
    /// Classes of a task or backbone (ImageNet-21k has 21,841).
    public static let maxClasses = 100_000
    /// Input channels of the backbone.
    public static let maxInChannels = 64
    /// Square input size of the backbone, pixels.
    public static let maxImageSize = 1024
    /// Size of `bundle.json`, bytes (a manifest of 1,000 tasks is about 2 MB).
    public static let maxManifestBytes = 64 << 20
    /// Characters of a task name.
    public static let maxTaskNameLength = 100
}

/// A bundle directory: `bundle.json`, `backbone.safetensors`, `tasks/NAME/state.safetensors`.
///
/// Every write goes to a temporary file renamed into place, the manifest last, so an
/// interrupted write leaves the previous bundle intact (leftover `.NAME.RANDOM.tmp` files are
/// never listed and are ignored). Files are checked against the SHA-256 the manifest records
/// before use; adding a task never rewrites the backbone. Paths in the manifest are relative,
/// stay inside the bundle (no `..`, no absolute path, no symbolic link on the way) and name
/// regular files; task names are letters, digits, `-`, `_` and `.`. Adding a task holds an
/// advisory lock (`flock` on `bundle.lock`) and re-reads the manifest under it, so concurrent
/// adds are serialised and none is lost.
public struct TaskBundle {
    public let directory: URL
    public private(set) var manifest: BundleManifest
    /// Problems found on open that do not stop the bundle from being used (a version 1 manifest
    /// without its self-hash).
    public private(set) var warnings: [String] = []

    /// The canonical name of the backbone file in a bundle.
    public static let backboneFileName = "backbone.safetensors"
    static let lockFileName = "bundle.lock"

    var manifestURL: URL { directory.appendingPathComponent("bundle.json") }
    public var backboneURL: URL { directory.appendingPathComponent(manifest.backbone.file) }

    /// The relative path of task `name`'s file, the only one a manifest may list for it.
    public static func taskFile(_ name: String) -> String { "tasks/\(name)/state.safetensors" }

    /// Creates a bundle from a trained backbone. Refuses a directory that already holds one.
    public static func create(at directory: URL, model: any ImageClassifier, spec: ModelSpec, task: String, data: String?,
                              testAccuracy: Double?, geometry: CrossbarGeometry) throws -> TaskBundle {
        let bytes = Safetensors(tensors: model.stateDict(), metadata: ["format": "xmask-backbone", "model": spec.name]).serialized()
        let entry = BackboneEntry(model: spec, file: backboneFileName, sha256: SHA256.hash(bytes).hexString, task: task,
                                  data: data, testAccuracy: testAccuracy)
        return try write(backbone: bytes, entry: entry, geometry: geometry, to: directory)
    }

    /// Creates a bundle at `directory` holding `source`'s backbone (byte for byte, so its hash is
    /// unchanged) and none of its tasks, with the crossbar `geometry` it will be programmed with
    /// (a study's spare PEs may differ from the bundle it came from). Refuses a directory that
    /// already holds a bundle. The new bundle's file name is always ``backboneFileName``: a path
    /// read from the source never decides where anything is written.
    public static func importBackbone(from source: TaskBundle, to directory: URL, geometry: CrossbarGeometry) throws -> TaskBundle {
        let sourceURL = try source.resolve(source.manifest.backbone.file, field: "backbone.file")
        guard let bytes = FileManager.default.contents(atPath: sourceURL.path) else {
            throw ExperimentError.notABundle(path: sourceURL.path, reason: "cannot read the backbone")
        }
        let digest = SHA256.hash(bytes).hexString  // the bytes copied are the bytes checked
        guard digest == source.manifest.backbone.sha256 else {
            throw ExperimentError.hashMismatch(file: sourceURL.path, expected: source.manifest.backbone.sha256, found: digest)
        }
        var entry = source.manifest.backbone
        entry.file = backboneFileName
        return try write(backbone: bytes, entry: entry, geometry: geometry, to: directory)
    }

    /// A new bundle with no tasks: the backbone file, then the manifest. Refuses a directory that
    /// already holds a bundle; the manifest is checked and encoded before anything is written,
    /// so a bad geometry (a NaN spare-PE fraction) leaves no half bundle.
    private static func write(backbone bytes: Data, entry: BackboneEntry, geometry: CrossbarGeometry, to directory: URL) throws -> TaskBundle {
        let fm = FileManager.default
        let manifestPath = directory.appendingPathComponent("bundle.json").path
        if fm.fileExists(atPath: manifestPath) || (try? fm.destinationOfSymbolicLink(atPath: manifestPath)) != nil {
            throw ExperimentError.bundleExists(path: directory.path)
        }
        var bundle = TaskBundle(directory: directory, manifest: BundleManifest(backbone: entry, geometry: geometry))
        try bundle.manifest.validate(file: manifestPath)
        let manifestBytes = try bundle.sealedManifest()
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        try AtomicFile.write(bytes, to: directory.appendingPathComponent(entry.file))
        try AtomicFile.write(manifestBytes, to: bundle.manifestURL)
        bundle.manifest = try Self.decodeManifest(manifestBytes, file: manifestPath).manifest
        return bundle
    }

    init(directory: URL, manifest: BundleManifest) {
        self.directory = directory
        self.manifest = manifest
    }

    /// Opens a bundle: reads and checks the manifest (self-hash, fields, paths) and the
    /// backbone's hash.
    public static func open(_ directory: URL) throws -> TaskBundle {
        let (manifest, warnings) = try readManifest(in: directory)
        var bundle = TaskBundle(directory: directory, manifest: manifest)
        bundle.warnings = warnings
        try bundle.verify(file: manifest.backbone.file, sha256: manifest.backbone.sha256, field: "backbone.file")
        return bundle
    }

    /// Reads, decodes and checks `directory/bundle.json`.
    static func readManifest(in directory: URL) throws -> (manifest: BundleManifest, warnings: [String]) {
        let path = directory.appendingPathComponent("bundle.json").path
        var info = stat()
        guard lstat(path, &info) == 0 else {
            throw ExperimentError.notABundle(path: directory.path, reason: "no readable bundle.json")
        }
        guard fileType(info) == mode_t(S_IFREG) else {
            throw ExperimentError.notABundle(path: path, reason: "bundle.json is not a regular file (a symbolic link, directory or device); expected the manifest itself")
        }
        guard Int(info.st_size) <= BundleLimits.maxManifestBytes else {
            throw ExperimentError.notABundle(path: path, reason: "bundle.json is \(info.st_size) bytes; expected at most \(BundleLimits.maxManifestBytes)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ExperimentError.notABundle(path: directory.path, reason: "no readable bundle.json")
        }
        return try decodeManifest(data, file: path)
    }

    /// Decodes and checks manifest bytes; `file` names them in errors.
    public static func decodeManifest(_ data: Data, file: String) throws -> (manifest: BundleManifest, warnings: [String]) {
        let manifest: BundleManifest
        do { manifest = try JSONDecoder().decode(BundleManifest.self, from: data) } catch {
            throw ExperimentError.notABundle(path: file, reason: "bundle.json does not decode: \(error)")
        }
        guard manifest.format == BundleManifest.formatName, (1...BundleManifest.currentVersion).contains(manifest.version) else {
            throw ExperimentError.notABundle(path: file, reason: "format \(manifest.format) version \(manifest.version), expected \(BundleManifest.formatName) 1 or \(BundleManifest.currentVersion)")
        }
        var warnings: [String] = []
        if let stored = manifest.manifestSHA256 {
            let digest = try manifest.canonicalDigest()
            guard stored == digest else {
                throw ExperimentError.notABundle(
                    path: file, reason: "manifestSHA256 is \(stored) but the manifest hashes to \(digest); bundle.json was changed or corrupted, refusing to use it")
            }
        } else if manifest.version >= 2 {
            throw ExperimentError.notABundle(path: file, reason: "field manifestSHA256 missing; a version \(manifest.version) manifest must carry its own hash")
        } else {
            warnings.append("\(file): version 1 manifest without a self-hash: its fields are checked, but a change to them cannot be detected; adding a task rewrites it as version \(BundleManifest.currentVersion)")
        }
        try manifest.validate(file: file)
        return (manifest, warnings)
    }

    /// `relative` (a path read from the manifest) as a URL inside the bundle, after checking it
    /// is relative, has no `.`/`..` component, crosses no symbolic link and names a regular file.
    func resolve(_ relative: String, field: String) throws -> URL {
        try BundleManifest.checkRelativePath(relative, field: field, file: manifestURL.path)
        var url = directory
        var info = stat()
        for component in relative.split(separator: "/") {
            url = url.appendingPathComponent(String(component))
            guard lstat(url.path, &info) == 0 else {
                throw ExperimentError.notABundle(path: url.path, reason: "\(field) = \(relative): no such file in the bundle")
            }
            if fileType(info) == mode_t(S_IFLNK) {
                throw ExperimentError.notABundle(path: url.path, reason: "\(field) = \(relative): is or passes through a symbolic link; bundle files must be inside the bundle")
            }
        }
        guard fileType(info) == mode_t(S_IFREG) else {
            throw ExperimentError.notABundle(path: url.path, reason: "\(field) = \(relative): not a regular file")
        }
        return url
    }

    func verify(file: String, sha256: String, field: String) throws {
        let url = try resolve(file, field: field)
        let digest: SHA256Digest
        do { digest = try SHA256.hash(contentsOf: url) } catch {
            throw ExperimentError.notABundle(path: url.path, reason: "\(error)")
        }
        guard digest.hexString == sha256 else {
            throw ExperimentError.hashMismatch(file: url.path, expected: sha256, found: digest.hexString)
        }
    }

    /// The manifest as written: version set to the current one, self-hash filled in.
    func sealedManifest() throws -> Data {
        var sealed = manifest
        sealed.version = BundleManifest.currentVersion
        sealed.manifestSHA256 = try sealed.canonicalDigest()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(sealed)
    }

    mutating func writeManifest() throws {
        let bytes = try sealedManifest()
        try AtomicFile.write(bytes, to: manifestURL)
        manifest = try Self.decodeManifest(bytes, file: manifestURL.path).manifest
        warnings = []
    }

    /// The backbone file, read once: ``BackboneWeights/model()`` builds fresh models from it.
    /// Refuses weights that are not finite (a NaN would only surface later, in the quantizer or
    /// as NaN logits).
    public func readBackbone() throws -> BackboneWeights {
        let url = try resolve(manifest.backbone.file, field: "backbone.file")
        let tensors = try Safetensors.readTensors(contentsOf: url).tensors
        try Self.checkFinite(tensors, file: url.path)
        return BackboneWeights(spec: manifest.backbone.model, tensors: tensors)
    }

    /// A fresh model holding the backbone (its own head), in evaluation mode.
    public func loadBackbone() throws -> any ImageClassifier { try readBackbone().model() }

    /// Refuses NaN and infinite values (the message names the file, the entry and the first bad
    /// element).
    public static func checkFinite(_ tensors: [String: Tensor], file: String) throws {
        for key in tensors.keys.sorted() {
            guard let t = tensors[key] else { continue }
            if let i = t.scalars.firstIndex(where: { !$0.isFinite }) {
                throw ExperimentError.notABundle(path: file, reason: "entry \"\(key)\" element \(i) is \(t.scalars[i]); expected finite weights")
            }
        }
    }

    public var taskNames: [String] { manifest.tasks.map(\.name) }

    public func task(named name: String) throws -> TaskEntry {
        guard let t = manifest.tasks.first(where: { $0.name == name }) else {
            throw ExperimentError.taskMissing(name: name, bundle: directory.path, available: taskNames)
        }
        return t
    }

    /// Refuses a task name that exists or cannot be a directory name.
    public func checkNewTaskName(_ name: String) throws {
        guard BundleManifest.isValidTaskName(name) else {
            throw ExperimentError.invalidOption(name: "task", value: name, expected: BundleManifest.taskNameRule)
        }
        if taskNames.contains(name) { throw ExperimentError.taskExists(name: name, bundle: directory.path) }
    }

    /// The model computing task `name`: the backbone with the task's state installed (checked).
    /// `backbone` (read once by the caller) saves re-reading the backbone file.
    public func loadTask(_ name: String, backbone: BackboneWeights? = nil) throws -> (model: any ImageClassifier, state: TaskState) {
        let entry = try task(named: name)
        try verify(file: entry.file, sha256: entry.sha256, field: "tasks[\(name)].file")
        let model = try (backbone ?? readBackbone()).model()
        let file = try Safetensors(contentsOf: try resolve(entry.file, field: "tasks[\(name)].file"))
        // The file's own configuration must be the manifest's (checked there): a file that
        // decodes to another method or shift-level count is refused before it is used.
        guard let text = file.metadata["config"], let config = try? JSONDecoder().decode(MaskConfig.self, from: Data(text.utf8)) else {
            throw ExperimentError.notABundle(path: file.file, reason: "__metadata__.config missing or not a mask configuration")
        }
        guard config == entry.config, file.metadata["numClasses"] == String(entry.numClasses) else {
            throw ExperimentError.notABundle(path: file.file, reason: "__metadata__ (config, numClasses) differs from the manifest's entry for task \(name)")
        }
        for key in file.keys where file.entries[key]?.dtype != .uint8 {  // U8 entries are packed bits
            try Self.checkFinite([key: try file.tensor(key)], file: file.file)
        }
        let state = try TaskState(file: file, model: model, geometry: manifest.geometry)
        try state.install(on: model, geometry: manifest.geometry)
        model.setTraining(false)
        return (model, state)
    }

    /// Checks, before any work, that a task can be added: the lock can be taken, and a file can
    /// be created in the bundle and in `tasks/` (made here if missing, refused if it is not a
    /// directory or is a symbolic link).
    public func checkWritable() throws {
        try Self.withLock(in: directory) {
            let tasks = try tasksDirectory()
            for dir in [directory, tasks] {
                let probe = dir.appendingPathComponent(".xmask-write-probe-\(getpid())")
                do { try AtomicFile.write(Data(), to: probe) } catch {
                    throw ExperimentError.notABundle(path: dir.path, reason: "cannot write here (\(error)); adding a task needs a writable bundle")
                }
                unlink(probe.path)
            }
        }
    }

    /// `tasks/`, created if missing; refused if it is a symbolic link or not a directory.
    func tasksDirectory() throws -> URL {
        let tasks = directory.appendingPathComponent("tasks")
        try Self.ensureDirectory(tasks)
        return tasks
    }

    /// Creates `url` (one level) if missing; refuses a symbolic link or a non-directory there.
    static func ensureDirectory(_ url: URL) throws {
        var info = stat()
        if lstat(url.path, &info) != 0 {
            if mkdir(url.path, 0o777) != 0 && errno != EEXIST {
                let reason = String(cString: strerror(errno))
                throw ExperimentError.notABundle(path: url.path, reason: "cannot create the directory: \(reason)")
            }
            guard lstat(url.path, &info) == 0 else {
                throw ExperimentError.notABundle(path: url.path, reason: "directory vanished after it was created")
            }
        }
        if fileType(info) == mode_t(S_IFLNK) {
            throw ExperimentError.notABundle(path: url.path, reason: "is a symbolic link; task files are written inside the bundle only")
        }
        guard fileType(info) == mode_t(S_IFDIR) else {
            throw ExperimentError.notABundle(path: url.path, reason: "is not a directory")
        }
    }

    /// Runs `body` holding the bundle's advisory lock (`flock` on `bundle.lock`), waiting up to
    /// `timeoutSeconds` for another process to release it.
    static func withLock<T>(in directory: URL, timeoutSeconds: Double = 600, _ body: () throws -> T) throws -> T {
        let path = directory.appendingPathComponent(lockFileName).path
        let fd = openLockFile(path)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw ExperimentError.notABundle(path: path, reason: "cannot open the bundle's lock file: \(reason); adding a task needs a writable bundle")
        }
        defer { close(fd) }  // closing releases the lock
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                let reason = String(cString: strerror(errno))
                throw ExperimentError.notABundle(path: path, reason: "cannot lock the bundle: \(reason)")
            }
            guard Date() < deadline else {
                throw ExperimentError.bundleLocked(path: directory.path, seconds: timeoutSeconds)
            }
            usleep(20_000)
        }
        return try body()
    }

    /// Adds a trained task: under the bundle's lock, re-reads the manifest (another process may
    /// have added tasks since this one opened it), writes the task's file, then the manifest.
    /// The backbone file is not touched.
    public mutating func addTask(_ state: TaskState, entry: TaskEntry) throws {
        try checkNewTaskName(entry.name)
        let data = try state.safetensors().serialized()
        let directory = self.directory
        try Self.withLock(in: directory) {
            let (current, _) = try Self.readManifest(in: directory)
            guard current.backbone == manifest.backbone, current.geometry == manifest.geometry else {
                throw ExperimentError.notABundle(path: manifestURL.path, reason: "the backbone or geometry changed while the task was trained; refusing to add \(entry.name)")
            }
            let before = manifest
            manifest = current
            try checkNewTaskName(entry.name)
            let relative = Self.taskFile(entry.name)
            let taskDirectory = try tasksDirectory().appendingPathComponent(entry.name)
            try Self.ensureDirectory(taskDirectory)
            let url = directory.appendingPathComponent(relative)
            try AtomicFile.write(data, to: url)
            var e = entry
            e.file = relative
            e.sha256 = SHA256.hash(data).hexString
            manifest.tasks.append(e)
            do { try writeManifest() } catch {
                manifest = before
                try? FileManager.default.removeItem(at: taskDirectory)
                throw error
            }
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

extension BundleManifest {
    static let taskNameRule = "1 to \(BundleLimits.maxTaskNameLength) ASCII letters, digits, '-', '_' or '.', not starting with '.'"

    /// Whether `name` may name a task (and so a directory of the bundle).
    public static func isValidTaskName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= BundleLimits.maxTaskNameLength && !name.hasPrefix(".")
            && name.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || "-_.".utf8.contains($0) }
    }

    /// Refuses a path that is empty, absolute, has an empty, `.` or `..` component, or other
    /// characters than letters, digits, `-`, `_`, `.` and `/`.
    static func checkRelativePath(_ path: String, field: String, file: String) throws {
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        let safe = path.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || "-_./".utf8.contains($0) }
        guard !path.isEmpty, path.utf8.count <= 1024, safe, !path.hasPrefix("/"),
              components.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else {
            throw ExperimentError.notABundle(
                path: file, reason: "\(field) = \"\(path)\": expected a relative path inside the bundle (letters, digits, '-', '_', '.', '/'; no '..', no absolute path)")
        }
    }

    /// Checks every field a bundle's use depends on; errors name the field and the expected range.
    public func validate(file: String) throws {
        func fail(_ field: String, _ value: Any, _ expected: String) -> ExperimentError {
            .notABundle(path: file, reason: "\(field) = \(value): expected \(expected)")
        }
        do { try geometry.validate() } catch { throw ExperimentError.notABundle(path: file, reason: "geometry: \(error)") }
        let model = backbone.model
        do { try model.validate() } catch { throw ExperimentError.notABundle(path: file, reason: "backbone.model: \(error)") }
        guard model.numClasses <= BundleLimits.maxClasses else { throw fail("backbone.model.numClasses", model.numClasses, "2...\(BundleLimits.maxClasses)") }
        guard model.inChannels <= BundleLimits.maxInChannels else { throw fail("backbone.model.inChannels", model.inChannels, "1...\(BundleLimits.maxInChannels)") }
        guard model.imageSize <= BundleLimits.maxImageSize else { throw fail("backbone.model.imageSize", model.imageSize, "8...\(BundleLimits.maxImageSize)") }
        try Self.checkRelativePath(backbone.file, field: "backbone.file", file: file)
        guard Self.isHexDigest(backbone.sha256) else { throw fail("backbone.sha256", backbone.sha256, "64 lowercase hex digits") }
        if let a = backbone.testAccuracy, !(a.isFinite && (0...1).contains(a)) { throw fail("backbone.testAccuracy", a, "a fraction in 0...1") }
        var seen = Set<String>()
        for (i, task) in tasks.enumerated() {
            let label = "tasks[\(i)]"
            guard Self.isValidTaskName(task.name) else { throw fail("\(label).name", "\"\(task.name)\"", Self.taskNameRule) }
            guard seen.insert(task.name).inserted else { throw fail("\(label).name", task.name, "a name not used by another task") }
            guard task.file == TaskBundle.taskFile(task.name) else { throw fail("\(label).file", "\"\(task.file)\"", "\"\(TaskBundle.taskFile(task.name))\"") }
            guard Self.isHexDigest(task.sha256) else { throw fail("\(label).sha256", task.sha256, "64 lowercase hex digits") }
            guard (2...BundleLimits.maxClasses).contains(task.numClasses) else { throw fail("\(label).numClasses", task.numClasses, "2...\(BundleLimits.maxClasses)") }
            do { try task.config.method.validate(weightBits: geometry.weightBits) } catch { throw fail("\(label).config.method", task.config.method.description, "\(error)") }
            let m = task.metrics
            guard m.testAccuracy.isFinite, (0...1).contains(m.testAccuracy) else { throw fail("\(label).metrics.testAccuracy", m.testAccuracy, "a fraction in 0...1") }
            guard Self.isHexDigest(m.logitsSHA256) else { throw fail("\(label).metrics.logitsSHA256", m.logitsSHA256, "64 lowercase hex digits") }
        }
    }

    static func isHexDigest(_ s: String) -> Bool {
        s.utf8.count == 64 && s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }
}

/// The file-type bits of `info.st_mode`.
private func fileType(_ info: stat) -> mode_t { info.st_mode & mode_t(S_IFMT) }

/// `open(2)` of the lock file (no symbolic link followed), under a name that member lookup
/// inside ``TaskBundle`` (which has its own `open`) does not shadow.
private func openLockFile(_ path: String) -> Int32 {
    open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o666)
}
