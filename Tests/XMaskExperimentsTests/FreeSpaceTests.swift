import Foundation
import Testing
@testable import XMaskExperiments
import XMaskMasks
import XMaskNN

/// A full disk (a ``FixedFreeSpace`` query) stops adapt, pretrain and a study before they
/// train, with a message naming the path and the bytes needed and available, and nothing written.
@Suite(.serialized) struct FreeSpaceTests {
    func expectFullDisk(_ path: URL, available: Int64, _ body: () throws -> Void) {
        #expect {
            try body()
        } throws: { error in
            guard case let .insufficientSpace(p, needed, avail, _) = error as? ExperimentError else { return false }
            let text = "\(error)"
            return p == path.path && avail == available && needed > available
                && text.contains(path.path) && text.contains("\(needed) bytes") && text.contains("\(available) bytes available")
        }
    }

    /// Every file under `url`, relative, with its bytes.
    func snapshot(_ url: URL) -> [String: Data] {
        var out: [String: Data] = [:]
        let root = url.standardizedFileURL.path
        for case let file as URL in FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil) ?? .init() {
            out[String(file.standardizedFileURL.path.dropFirst(root.count))] = FileManager.default.contents(atPath: file.path) ?? Data()
        }
        return out
    }

    @Test func adaptRefusesAFullDiskBeforeTraining() throws {
        let scratch = try ScratchDirectory()
        var bundle = try makeTinyBundle(in: scratch)
        let data = scratch.url.appendingPathComponent("task")
        try writeSyntheticIDX(to: data, seed: 3)
        let before = snapshot(bundle.directory)
        let needed = try Adapter.bytesToWrite(bundle: bundle)
        #expect(needed > (try Data(contentsOf: bundle.backboneURL)).count)
        expectFullDisk(bundle.directory, available: needed - 1) {
            _ = try Adapter(config: tinyAdaptConfig(task: "t", data: data, method: .xbm, steps: 1),
                            freeSpace: FixedFreeSpace(bytes: needed - 1)).run(bundle: &bundle)
        }
        #expect(snapshot(bundle.directory) == before)
        #expect(try TaskBundle.open(bundle.directory).taskNames.isEmpty)
        // Exactly enough: it runs.
        _ = try Adapter(config: tinyAdaptConfig(task: "t", data: data, method: .xbm, steps: 1),
                        freeSpace: FixedFreeSpace(bytes: needed)).run(bundle: &bundle)
    }

    @Test func pretrainRefusesAFullDiskBeforeWritingAnything() throws {
        let scratch = try ScratchDirectory()
        let data = scratch.url.appendingPathComponent("d")
        try writeSyntheticIDX(to: data, classes: 4, seed: 100)
        let spec = ModelSpec(name: "resnet20", inChannels: 1, numClasses: 4, imageSize: 8)
        var config = PretrainConfig(model: spec, data: data.path, epochs: 1)
        config.batchSize = 32
        let out = scratch.url.appendingPathComponent("new/bundle")
        let values = try spec.build(seed: 0).namedParameters().reduce(0) { $0 + $1.parameter.value.count }
        let needed = Pretrainer.bytesToWrite(storedValues: values)
        #expect(needed >= Int64(values) * 4 * 5)
        expectFullDisk(out, available: 1000) {
            _ = try Pretrainer(config: config, outDirectory: out, freeSpace: FixedFreeSpace(bytes: 1000)).run(resume: false)
        }
        #expect(!FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent("new").path))
    }

    @Test func aStudyRefusesAFullDiskBeforeItsBackbone() throws {
        let scratch = try ScratchDirectory()
        let data = scratch.url.appendingPathComponent("d")
        try writeSyntheticIDX(to: data, classes: 4, seed: 100)
        var backbone = PretrainConfig(model: ModelSpec(name: "resnet20", inChannels: 1, numClasses: 4, imageSize: 8), data: data.path, epochs: 1)
        backbone.batchSize = 32
        var plan = StudyPlan(backbone: backbone, tasks: [.init(name: "a", data: data.path, classes: 4)], methods: [.xbm, .ksm])
        plan.adapt.steps = 1
        let out = scratch.url.appendingPathComponent("study")
        let needed = try studyBytesToWrite(plan, out: out, source: nil)
        expectFullDisk(out, available: needed - 1) {
            _ = try runStudy(plan, out: out, freeSpace: FixedFreeSpace(bytes: needed - 1))
        }
        #expect(!FileManager.default.fileExists(atPath: out.path))
        // The real query on this machine's disk has room for a tiny study's estimate.
        #expect(try SystemFreeSpace().availableBytes(at: scratch.url) > 0)
    }
}
