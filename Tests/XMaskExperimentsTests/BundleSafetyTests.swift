import Foundation
import Testing
import XMaskCrossbar
@testable import XMaskExperiments
import XMaskMasks
import XMaskTensor

/// Edits `bundle.json` as raw JSON, then (by default) re-seals it: the self-hash is recomputed,
/// so what refuses the edit is the field check, not the hash.
func editManifest(_ directory: URL, reseal: Bool = true, _ edit: (inout [String: Any]) -> Void) throws {
    let url = directory.appendingPathComponent("bundle.json")
    var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    edit(&json)
    var data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
    if reseal {
        var manifest = try JSONDecoder().decode(BundleManifest.self, from: data)
        manifest.manifestSHA256 = try manifest.canonicalDigest()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        data = try encoder.encode(manifest)
    }
    try data.write(to: url)
}

func openError(_ directory: URL) -> String? {
    do { _ = try TaskBundle.open(directory); return nil } catch { return "\(error)" }
}

/// bundle.json protects itself, its fields are checked on open, and no path in it leads outside.
@Suite(.serialized) struct BundleSafetyTests {
    @Test func aChangedManifestIsRefusedByItsSelfHash() throws {
        let scratch = try ScratchDirectory()
        let bundle = try makeTinyBundle(in: scratch)
        #expect(bundle.manifest.version == 2)
        #expect(bundle.manifest.manifestSHA256 == (try bundle.manifest.canonicalDigest()))
        #expect(bundle.warnings.isEmpty)
        // The bit flip of the issue: the recorded backbone accuracy changes, nothing else.
        let url = bundle.directory.appendingPathComponent("bundle.json")
        let text = try String(contentsOf: url, encoding: .utf8)
        let accuracy = try #require(bundle.manifest.backbone.testAccuracy)
        let changed = text.replacingOccurrences(of: "\"testAccuracy\" : \(accuracy)", with: "\"testAccuracy\" : 0.95")
        #expect(changed != text)
        try changed.write(to: url, atomically: true, encoding: .utf8)
        let error = try #require(openError(bundle.directory))
        #expect(error.contains("manifestSHA256"), "\(error)")
        #expect(error.contains("changed or corrupted"))
    }

    @Test func aVersionOneManifestWithoutItsHashOpensWithAWarningAndIsUpgradedOnAdd() throws {
        let scratch = try ScratchDirectory()
        var bundle = try makeTinyBundle(in: scratch)
        try editManifest(bundle.directory, reseal: false) { json in
            json["version"] = 1
            json["manifestSHA256"] = nil
        }
        bundle = try TaskBundle.open(bundle.directory)
        #expect(bundle.warnings.count == 1)
        #expect(bundle.warnings.first?.contains("version 1") == true)
        let taskData = scratch.url.appendingPathComponent("task")
        try writeSyntheticIDX(to: taskData, seed: 21)
        _ = try Adapter(config: tinyAdaptConfig(task: "t", data: taskData, method: .xbm, steps: 1)).run(bundle: &bundle)
        let reopened = try TaskBundle.open(bundle.directory)
        #expect(reopened.manifest.version == 2 && reopened.warnings.isEmpty)
        // A version 2 manifest without its hash is refused.
        try editManifest(bundle.directory, reseal: false) { $0["manifestSHA256"] = nil }
        #expect(openError(bundle.directory)?.contains("manifestSHA256 missing") == true)
    }

    @Test func theCommittedBundleStillOpens() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let committed = root.appendingPathComponent("results/fmnist-resnet20-q4")
        let bundle = try TaskBundle.open(committed)
        #expect(bundle.manifest.version == 1)
        #expect(bundle.warnings.count == 1)
    }

    @Test(arguments: [
        ("geometry", "arrayRows", "0"),
        ("geometry", "cellBits", "0"),
        ("backbone.model", "numClasses", "1099511627776"),
        ("backbone.model", "imageSize", "100000"),
        ("backbone", "file", "../../.bashrc"),
        ("backbone", "file", "/etc/passwd"),
        ("backbone", "file", "./backbone.safetensors"),
        ("backbone", "sha256", "xyz"),
    ])
    func badFieldsAreRefusedOnOpen(object: String, field: String, text: String) throws {
        let value: Any = Int(text) ?? text
        let label = object + "." + field
        let scratch = try ScratchDirectory()
        let bundle = try makeTinyBundle(in: scratch)
        try editManifest(bundle.directory) { json in
            let path = object.split(separator: ".").map(String.init)
            func set(_ dict: inout [String: Any], _ rest: ArraySlice<String>) {
                guard let first = rest.first else { dict[field] = value; return }
                var inner = dict[first] as? [String: Any] ?? [:]
                set(&inner, rest.dropFirst())
                dict[first] = inner
            }
            set(&json, path[...])
        }
        let error = try #require(openError(bundle.directory), "\(label) = \(value) was accepted")
        #expect(error.contains(field), "\(error)")
    }

    @Test func symbolicLinksInTheBundleAreNotFollowed() throws {
        let scratch = try ScratchDirectory()
        let bundle = try makeTinyBundle(in: scratch)
        let outside = scratch.url.appendingPathComponent("outside.safetensors")
        try FileManager.default.moveItem(at: bundle.backboneURL, to: outside)
        try FileManager.default.createSymbolicLink(at: bundle.backboneURL, withDestinationURL: outside)
        #expect(openError(bundle.directory)?.contains("symbolic link") == true)
        // A device (the issue's `/dev/zero`, which hung) is not a regular file.
        try FileManager.default.removeItem(at: bundle.backboneURL)
        try FileManager.default.createSymbolicLink(at: bundle.backboneURL, withDestinationURL: URL(fileURLWithPath: "/dev/zero"))
        #expect(openError(bundle.directory) != nil)
    }

    @Test func aTasksFolderThatIsASymbolicLinkIsRefusedBeforeTraining() throws {
        let scratch = try ScratchDirectory()
        var bundle = try makeTinyBundle(in: scratch)
        let elsewhere = scratch.url.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: bundle.directory.appendingPathComponent("tasks"), withDestinationURL: elsewhere)
        let taskData = scratch.url.appendingPathComponent("task")
        try writeSyntheticIDX(to: taskData, seed: 22)
        let reporter = CountingReporter()
        do {
            _ = try Adapter(config: tinyAdaptConfig(task: "t", data: taskData, method: .xbm), reporter: reporter).run(bundle: &bundle)
            Issue.record("a symlinked tasks/ was followed")
        } catch {
            #expect("\(error)".contains("symbolic link"), "\(error)")
        }
        #expect(reporter.steps == 0, "trained before checking the bundle")
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path).isEmpty)
        // A task folder that is a symbolic link is refused too.
        try FileManager.default.removeItem(at: bundle.directory.appendingPathComponent("tasks"))
        try FileManager.default.createDirectory(at: bundle.directory.appendingPathComponent("tasks"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: bundle.directory.appendingPathComponent("tasks/t"), withDestinationURL: elsewhere)
        do {
            _ = try Adapter(config: tinyAdaptConfig(task: "t", data: taskData, method: .xbm, steps: 1)).run(bundle: &bundle)
            Issue.record("a symlinked task folder was followed")
        } catch {
            #expect("\(error)".contains("symbolic link"), "\(error)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path).isEmpty)
    }

    @Test func anUnwritableBundleFailsBeforeTraining() throws {
        let scratch = try ScratchDirectory()
        var bundle = try makeTinyBundle(in: scratch)
        // `tasks` as a plain file: no task can be written (works as root too, unlike chmod).
        try Data().write(to: bundle.directory.appendingPathComponent("tasks"))
        let taskData = scratch.url.appendingPathComponent("task")
        try writeSyntheticIDX(to: taskData, seed: 23)
        let reporter = CountingReporter()
        #expect(throws: ExperimentError.self) {
            try Adapter(config: tinyAdaptConfig(task: "t", data: taskData, method: .xbm), reporter: reporter).run(bundle: &bundle)
        }
        #expect(reporter.steps == 0)
    }

    @Test(arguments: ["../x", "a/b", ".hidden", "", "naïve", "x y", String(repeating: "a", count: 101)])
    func hostileTaskNamesAreRefused(name: String) throws {
        #expect(!BundleManifest.isValidTaskName(name))
        let scratch = try ScratchDirectory()
        let bundle = try makeTinyBundle(in: scratch)
        #expect(throws: ExperimentError.self) { try bundle.checkNewTaskName(name) }
    }

    @Test func aManifestListingAHostileTaskIsRefused() throws {
        let scratch = try ScratchDirectory()
        var bundle = try makeTinyBundle(in: scratch)
        let taskData = scratch.url.appendingPathComponent("task")
        try writeSyntheticIDX(to: taskData, seed: 24)
        _ = try Adapter(config: tinyAdaptConfig(task: "t", data: taskData, method: .xbm, steps: 1)).run(bundle: &bundle)
        for (field, value) in [("name", "../../t"), ("file", "../tasks/t/state.safetensors"), ("file", "tasks/u/state.safetensors")] {
            let saved = try Data(contentsOf: bundle.directory.appendingPathComponent("bundle.json"))
            try editManifest(bundle.directory) { json in
                var tasks = json["tasks"] as? [[String: Any]] ?? []
                tasks[0][field] = value
                json["tasks"] = tasks
            }
            let error = try #require(openError(bundle.directory), "tasks[0].\(field) = \(value) accepted")
            #expect(error.contains("tasks[0].\(field)"), "\(error)")
            try saved.write(to: bundle.directory.appendingPathComponent("bundle.json"))
        }
    }

    /// The security bug: a study imports a crafted bundle whose backbone.file leaves it.
    @Test func aCraftedBundleCannotWriteOutsideTheImportingBundle() throws {
        let scratch = try ScratchDirectory()
        let source = try makeTinyBundle(in: scratch, name: "crafted/inner")
        let victim = scratch.url.appendingPathComponent("victim")
        try Data("precious".utf8).write(to: victim)
        // The crafted bundle's backbone "is" the victim's path, relative to the study's output.
        try editManifest(source.directory) { json in
            var backbone = json["backbone"] as? [String: Any] ?? [:]
            backbone["file"] = "../../victim"
            json["backbone"] = backbone
        }
        #expect(openError(source.directory)?.contains("backbone.file") == true)
        // Even a valid source decides nothing about where the import writes.
        try editManifest(source.directory) { json in
            var backbone = json["backbone"] as? [String: Any] ?? [:]
            backbone["file"] = "weights/b.safetensors"
            json["backbone"] = backbone
        }
        try FileManager.default.createDirectory(at: source.directory.appendingPathComponent("weights"), withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: source.directory.appendingPathComponent("backbone.safetensors"),
                                         to: source.directory.appendingPathComponent("weights/b.safetensors"))
        let reopened = try TaskBundle.open(source.directory)
        let out = scratch.url.appendingPathComponent("study")
        let imported = try TaskBundle.importBackbone(from: reopened, to: out, geometry: reopened.manifest.geometry)
        #expect(imported.manifest.backbone.file == "backbone.safetensors")
        #expect(imported.manifest.backbone.sha256 == reopened.manifest.backbone.sha256)
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("weights").path))
        #expect(try String(contentsOf: victim, encoding: .utf8) == "precious")
    }

    @Test func aNaNWeightInAHashUpdatedBackboneIsRefused() throws {
        let scratch = try ScratchDirectory()
        let bundle = try makeTinyBundle(in: scratch)
        var file = try Safetensors(contentsOf: bundle.backboneURL)
        let key = try #require(file.keys.first { $0.hasSuffix("conv1.weight") })
        var t = try file.tensor(key)
        var scalars = t.scalars
        scalars[0] = .nan
        t = Tensor(shape: t.shape, scalars: scalars)
        file.setTensor(t, forKey: key)
        let bytes = file.serialized()
        try bytes.write(to: bundle.backboneURL)
        try editManifest(bundle.directory) { json in
            var backbone = json["backbone"] as? [String: Any] ?? [:]
            backbone["sha256"] = SHA256.hash(bytes).hexString
            json["backbone"] = backbone
        }
        let reopened = try TaskBundle.open(bundle.directory)
        do {
            _ = try reopened.loadBackbone()
            Issue.record("a NaN weight was loaded")
        } catch {
            #expect("\(error)".contains(key) && "\(error)".contains("finite"), "\(error)")
        }
    }

    @Test func aBadGeometryLeavesNoHalfBundle() throws {
        let scratch = try ScratchDirectory()
        let data = scratch.url.appendingPathComponent("data")
        try writeSyntheticIDX(to: data, seed: 25)
        var geometry = CrossbarGeometry()
        geometry.sparePEFraction = .nan
        let config = PretrainConfig(model: ModelSpec(name: "resnet20", inChannels: 1, numClasses: 3, imageSize: 8), data: data.path, epochs: 1)
        let out = scratch.url.appendingPathComponent("out")
        let reporter = CountingReporter()
        #expect(throws: (any Error).self) { try Pretrainer(config: config, outDirectory: out, geometry: geometry, reporter: reporter).run(resume: false) }
        #expect(reporter.steps == 0, "trained before checking the geometry")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("backbone.safetensors").path))
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("bundle.json").path))
    }
}

/// Counts training progress reports (0 means nothing was trained).
final class CountingReporter: ProgressReporter {
    var steps = 0
    func progress(_ p: TrainingProgress) { steps += 1 }
    func message(_ text: String) {}
}
