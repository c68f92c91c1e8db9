import Foundation
import Testing
@testable import XMaskExperiments
import XMaskTensor
#if canImport(Glibc)
import Glibc
#endif

/// Starts the binary, sends it `SIGKILL` after `seconds` and waits; true when the kill landed
/// (false: the command had already finished, and then it must have succeeded).
func killXMask(_ arguments: [String], after seconds: Double) throws -> Bool {
    let process = Process()
    process.executableURL = xmaskBinary
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    usleep(useconds_t(max(0, seconds) * 1e6))
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    if process.terminationReason == .exit {
        #expect(process.terminationStatus == 0, "\(arguments.joined(separator: " ")) finished before the kill, but failed")
        return false
    }
    return true
}

/// Wall-clock seconds of `body`.
func timed(_ body: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    try body()
    let d = clock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

/// Files under `directory` (relative paths) that a finished command does not leave: only
/// atomic writes' `.NAME.RANDOM.tmp` files, write probes and unlisted task folders may be
/// left by a kill; they are ignored by every reader (checked by the caller re-running).
func leftovers(in directory: URL, expected: Set<String>) -> [String] {
    let root = directory.standardizedFileURL.path
    var out: [String] = []
    for case let file as URL in FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) ?? .init() {
        let relative = String(file.standardizedFileURL.path.dropFirst(root.count + 1))
        if !expected.contains(relative) { out.append(relative) }
    }
    return out.sorted()
}

/// A left-over file a kill may leave that readers ignore: a temporary file of an atomic write
/// or a write probe (both hidden).
func isIgnoredTemporary(_ relative: String) -> Bool {
    let name = (relative as NSString).lastPathComponent
    return (name.hasPrefix(".") && name.hasSuffix(".tmp")) || name.hasPrefix(".xmask-write-probe")
}

/// `kill -9` of `xmask pretrain` and `xmask reproduce` at seeded random moments against the
/// real binary: after every kill the output is either not a bundle yet (no bundle.json; `eval`
/// refuses it with an error, not a signal) or a bundle `eval` accepts whose listed tasks are
/// complete and bit-identical to an uninterrupted run's; the same command then continues (or
/// restarts) and ends with exactly the uninterrupted run's bytes.
@Suite(.serialized, .enabled(if: xmaskBinary != nil, "the xmask binary is not built: run `swift build` first (the test spawns .build/debug/xmask)"))
struct KillPretrainReproduceTests {
    @Test func killingPretrainAtRandomMomentsThenRerunningGivesTheUninterruptedBackbone() throws {
        let scratch = try ScratchDirectory()
        let data = scratch.url.appendingPathComponent("data")
        try writeSyntheticIDX(to: data, classes: 4, seed: 100)
        func arguments(_ out: URL, resume: Bool) -> [String] {
            ["pretrain", "--data", data.path, "--out", out.path, "--epochs", "2", "--image-size", "8", "--channels", "1",
             "--classes", "4", "--batch-size", "32", "--threads", "1", "--quiet"] + (resume ? ["--resume"] : [])
        }
        let reference = scratch.url.appendingPathComponent("reference")
        var status: Int32 = -1
        let seconds = try timed { status = try runXMask(arguments(reference, resume: false)).status }
        #expect(status == 0)
        let referenceBackbone = try Data(contentsOf: reference.appendingPathComponent("backbone.safetensors"))
        let referenceEntry = try TaskBundle.open(reference).manifest.backbone

        let out = scratch.url.appendingPathComponent("killed")
        let fm = FileManager.default
        var rng = SeededGenerator(seed: 23)
        var states: [String: Int] = [:]
        for round in 0..<6 {
            // Every other re-run continues with --resume; the others start over in the same folder.
            let resume = round % 2 == 1
            let killed = try killXMask(arguments(out, resume: resume), after: Double(rng.next() % 1000) / 1000 * seconds * 1.1)
            if fm.fileExists(atPath: out.appendingPathComponent("bundle.json").path) {
                // Finished (the manifest is written last): the same bundle as uninterrupted.
                states["bundle", default: 0] += 1
                let bundle = try TaskBundle.open(out)
                #expect(try Data(contentsOf: bundle.backboneURL) == referenceBackbone, "round \(round)")
                #expect(bundle.manifest.backbone == referenceEntry, "round \(round)")
                #expect(try runXMask(["eval", "--bundle", out.path, "--quiet"]).status == 0, "round \(round)")
                let stray = leftovers(in: out, expected: ["bundle.json", "backbone.safetensors", "checkpoint.safetensors", "bundle.lock", "tasks"])
                #expect(stray.allSatisfy(isIgnoredTemporary), "round \(round): \(stray)")
                // The same command refuses to overwrite a finished bundle, with an error.
                let again = try runXMask(arguments(out, resume: false))
                #expect(again.status != 0 && again.stderr.contains("already exists"), "round \(round): \(again.stderr)")
                try fm.removeItem(at: out)
            } else if fm.fileExists(atPath: out.path) {
                // Not a bundle yet: eval says so (no signal); a checkpoint, if any, is complete.
                states[fm.fileExists(atPath: out.appendingPathComponent("checkpoint.safetensors").path) ? "checkpoint" : "empty", default: 0] += 1
                let refused = try runXMask(["eval", "--bundle", out.path, "--quiet"])
                #expect(refused.status != 0 && refused.stderr.contains("bundle.json"), "round \(round): \(refused.stderr)")
                let checkpoint = out.appendingPathComponent("checkpoint.safetensors")
                if fm.fileExists(atPath: checkpoint.path) {
                    let file = try Safetensors.readTensors(contentsOf: checkpoint)
                    #expect(["1", "2"].contains(file.metadata["epoch"] ?? ""), "round \(round)")
                }
                let stray = leftovers(in: out, expected: ["backbone.safetensors", "checkpoint.safetensors"])
                #expect(stray.allSatisfy(isIgnoredTemporary), "round \(round): \(stray)")
            } else {
                states["absent", default: 0] += 1
            }
            #expect(killed || fm.fileExists(atPath: out.path) == false, "round \(round): finished without being killed, yet not reset")
        }
        // The same command, run to the end on whatever the last kill left.
        let last = try runXMask(arguments(out, resume: true))
        #expect(last.status == 0, "\(last.stderr)")
        #expect(try Data(contentsOf: out.appendingPathComponent("backbone.safetensors")) == referenceBackbone)
        #expect(try TaskBundle.open(out).manifest.backbone == referenceEntry)
        // The kills landed at different stages (a seeded draw over the run's length).
        #expect(states.count >= 2, "\(states)")
    }

    @Test func killingReproduceAtRandomMomentsNeverListsAHalfTaskAndTheRerunMatches() throws {
        let scratch = try ScratchDirectory()
        try writeSyntheticIDX(to: scratch.url.appendingPathComponent("data/backbone"), classes: 4, seed: 100)
        try writeSyntheticIDX(to: scratch.url.appendingPathComponent("data/a"), classes: 3, seed: 1)
        try writeSyntheticIDX(to: scratch.url.appendingPathComponent("data/b"), classes: 2, seed: 2)
        let file = scratch.url.appendingPathComponent("tiny.yaml")
        try Data("""
        name: tiny
        seed: 3
        out: runs/x
        backbone: {model: resnet20, data: data/backbone, classes: 4, image_size: 8, epochs: 2, batch_size: 32}
        tasks:
          - {name: a, data: data/a, classes: 3}
          - {name: b, data: data/b, classes: 2}
        methods: [xbm]
        adapt: {steps: 2, batch_size: 16, recalibration_batches: 1}
        """.utf8).write(to: file)
        func arguments(_ out: URL) -> [String] { ["reproduce", file.path, "--out", out.path, "--threads", "1", "--quiet"] }
        /// results.json without the bundle path (it names the output directory).
        func numbers(_ out: URL) throws -> NSDictionary {
            var json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("results.json"))) as? [String: Any] ?? [:]
            json["bundle"] = nil
            return json as NSDictionary
        }
        let order = ["a-xbm", "b-xbm"]

        let reference = scratch.url.appendingPathComponent("reference")
        var status: Int32 = -1
        let seconds = try timed { status = try runXMask(arguments(reference)).status }
        #expect(status == 0)
        let referenceBundle = try TaskBundle.open(reference)
        #expect(referenceBundle.taskNames == order)
        let referenceBackbone = try Data(contentsOf: referenceBundle.backboneURL)
        var referenceTasks: [String: Data] = [:]
        for name in order { referenceTasks[name] = try Data(contentsOf: reference.appendingPathComponent("tasks/\(name)/state.safetensors")) }
        let referenceNumbers = try numbers(reference)

        let out = scratch.url.appendingPathComponent("killed")
        let fm = FileManager.default
        var rng = SeededGenerator(seed: 29)
        var listedCounts: Set<Int> = []
        for round in 0..<4 {
            let killed = try killXMask(arguments(out), after: Double(rng.next() % 1000) / 1000 * seconds)
            if fm.fileExists(atPath: out.appendingPathComponent("bundle.json").path) {
                let bundle = try TaskBundle.open(out)
                #expect(try Data(contentsOf: bundle.backboneURL) == referenceBackbone, "round \(round)")
                // Listed tasks are the first ones of the study, each complete and bit-identical.
                #expect(Array(order.prefix(bundle.taskNames.count)) == bundle.taskNames, "round \(round): \(bundle.taskNames)")
                listedCounts.insert(bundle.taskNames.count)
                for name in bundle.taskNames {
                    #expect(try Data(contentsOf: out.appendingPathComponent("tasks/\(name)/state.safetensors")) == referenceTasks[name], "round \(round): \(name)")
                    _ = try bundle.loadTask(name)  // its hash matches
                }
                let eval = try runXMask(["eval", "--bundle", out.path, "--quiet"])
                #expect(eval.status == 0, "round \(round): \(eval.stderr)")
                // Anything else is a temporary file or the folder of an unlisted task.
                var expected: Set<String> = ["bundle.json", "backbone.safetensors", "checkpoint.safetensors", "bundle.lock", "tasks",
                                             "results.json", "report.md", "report.html"]
                for name in order {
                    expected.insert("tasks/\(name)")
                    if bundle.taskNames.contains(name) { expected.insert("tasks/\(name)/state.safetensors") }
                }
                let stray = leftovers(in: out, expected: expected)
                let unlisted = order.filter { !bundle.taskNames.contains($0) }
                let unexplained = stray.filter { path in !isIgnoredTemporary(path) && !unlisted.contains { path.hasPrefix("tasks/\($0)/") } }
                #expect(unexplained.isEmpty, "round \(round): \(unexplained)")
            } else {
                listedCounts.insert(-1)
                #expect(!fm.fileExists(atPath: out.appendingPathComponent("tasks").path), "round \(round): tasks before a backbone")
            }
            if !killed || fm.fileExists(atPath: out.appendingPathComponent("report.html").path) {
                // Finished: the uninterrupted numbers; start the next round afresh.
                #expect(try numbers(out) == referenceNumbers, "round \(round)")
                try fm.removeItem(at: out)
            }
        }
        // The same command continues from whatever the last kill left, to the same results.
        let last = try runXMask(arguments(out))
        #expect(last.status == 0, "\(last.stderr)")
        #expect(try numbers(out) == referenceNumbers)
        for name in order {
            #expect(try Data(contentsOf: out.appendingPathComponent("tasks/\(name)/state.safetensors")) == referenceTasks[name], "\(name)")
        }
        #expect(listedCounts.count >= 2, "every kill landed in the same stage: \(listedCounts)")
    }
}
