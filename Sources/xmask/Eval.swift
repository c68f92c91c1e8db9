import ArgumentParser
import Foundation
import XMaskExperiments

/// `xmask eval`: re-evaluates every task of a bundle from its files.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-evaluate the backbone and every task of a bundle; print accuracies and forgetting.",
        discussion: "Each task is rebuilt from backbone.safetensors and its own file (hashes checked); its test logits are compared bit for bit with those recorded when it was added.")

    @Option(help: "Bundle directory.") var bundle: String?
    @OptionGroup var options: RunOptions
    @OptionGroup var device: DeviceEvalOptions

    func run() throws {
        if try runDevice() { return }
        guard let bundle else { throw ValidationError("--bundle is required") }
        let opened = try TaskBundle.open(URL(fileURLWithPath: bundle))
        let reporter = TerminalReporter(quiet: options.quiet)
        for warning in opened.warnings { reporter.message("warning: \(warning)") }
        let rows = try options.withThreads { try evaluateBundle(opened, reporter: reporter) }
        if options.json { try printJSON(rows) } else { printTable(rows) }
        let changed = rows.changedTasks
        if !changed.isEmpty {
            FileHandle.standardError.write(Data("Error: \(bundle): the test logits of \(changed.joined(separator: ", ")) changed since \(changed.count == 1 ? "it was" : "they were") added; the bundle no longer computes what it recorded\n".utf8))
            throw ExitCode.failure
        }
    }

    private func printTable(_ rows: [TaskEvaluation]) {
        func pct(_ v: Double?) -> String { v.map { String(format: "%6.2f%%", 100 * $0) } ?? "      —" }
        print("task              method              when added   now        forgetting  logits")
        for r in rows {
            let name = r.task.padding(toLength: 17, withPad: " ", startingAt: 0)
            let method = r.method.padding(toLength: 19, withPad: " ", startingAt: 0)
            let forgetting = r.forgetting.map { String(format: "%+7.2f pp", -100 * $0) } ?? "—"
            let identical = r.logitsIdentical.map { $0 ? "bit-identical" : "CHANGED" } ?? "—"
            print("\(name) \(method) \(pct(r.accuracyWhenAdded))    \(pct(r.accuracyNow))    \(forgetting)  \(identical)")
        }
    }
}
