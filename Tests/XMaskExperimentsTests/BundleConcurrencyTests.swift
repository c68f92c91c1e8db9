import Foundation
import Testing
@testable import XMaskExperiments
import XMaskMasks
import XMaskTensor

/// Two adds to one bundle at the same time: the lock serialises them and neither is lost.
@Suite(.serialized) struct BundleConcurrencyTests {
    @Test func concurrentAddsFromTwoOpenedBundlesBothLand() throws {
        let scratch = try ScratchDirectory()
        var bundle = try makeTinyBundle(in: scratch)
        let taskData = scratch.url.appendingPathComponent("task")
        try writeSyntheticIDX(to: taskData, seed: 31)
        let first = try Adapter(config: tinyAdaptConfig(task: "a", data: taskData, method: .xbm, steps: 1)).run(bundle: &bundle)
        let state = try bundle.loadTask("a").state

        for round in 0..<4 {
            // Both opened before either adds: each holds a manifest that lacks the other's task.
            let names = ["b\(round)", "c\(round)"]
            let shared = Shared(opened: try names.map { _ in try TaskBundle.open(bundle.directory) }, state: state)
            let errors = ErrorBox()
            DispatchQueue.concurrentPerform(iterations: 2) { i in
                var mine = shared.opened[i]
                let state = shared.state
                var entry = first
                entry.name = names[i]
                do { try mine.addTask(state, entry: entry) } catch { errors.append("\(error)") }
            }
            #expect(errors.values.isEmpty, "\(errors.values)")
            let after = try TaskBundle.open(bundle.directory)
            for name in names { #expect(after.taskNames.contains(name), "round \(round): task \(name) lost") }
        }
        let final = try TaskBundle.open(bundle.directory)
        #expect(final.taskNames.count == 9)
        for name in final.taskNames { _ = try final.loadTask(name) }
    }

    @Test func aSecondAddOfTheSameNameIsRefusedNotDuplicated() throws {
        let scratch = try ScratchDirectory()
        var bundle = try makeTinyBundle(in: scratch)
        let taskData = scratch.url.appendingPathComponent("task")
        try writeSyntheticIDX(to: taskData, seed: 32)
        let first = try Adapter(config: tinyAdaptConfig(task: "a", data: taskData, method: .xbm, steps: 1)).run(bundle: &bundle)
        let state = try bundle.loadTask("a").state
        let shared = Shared(opened: try (0..<2).map { _ in try TaskBundle.open(bundle.directory) }, state: state)
        let errors = ErrorBox()
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            var mine = shared.opened[i]
            let state = shared.state
            var entry = first
            entry.name = "same"
            do { try mine.addTask(state, entry: entry) } catch { errors.append("\(error)") }
        }
        #expect(errors.values.count == 1)
        #expect(errors.values.first?.contains("already exists") == true)
        #expect(try TaskBundle.open(bundle.directory).taskNames == ["a", "same"])
    }
}

/// Errors collected from concurrent work.
final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func append(_ s: String) { lock.lock(); stored.append(s); lock.unlock() }
    var values: [String] { lock.lock(); defer { lock.unlock() }; return stored }
}

/// What the threads share: each uses its own bundle value; the state is only read.
final class Shared: @unchecked Sendable {
    let opened: [TaskBundle]
    let state: TaskState
    init(opened: [TaskBundle], state: TaskState) { self.opened = opened; self.state = state }
}
