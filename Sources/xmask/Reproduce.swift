import ArgumentParser
import Foundation
import XMaskExperiments

/// `xmask reproduce FILE`: runs the study an experiment file describes and writes its report.
struct Reproduce: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the study an experiment file (YAML) describes; write report.md, report.html and results.json.",
        discussion: """
        The file names the backbone, the tasks and their data, the methods and their options, the \
        crossbar preset and geometry, the seed and the step budgets (experiments/full.yaml is a commented example). \
        It is checked completely (keys, types, ranges, dataset directories) before anything is \
        trained. A finished backbone or task in the output bundle is reused, so an interrupted \
        run continues where it stopped; the same file and seed give the same numbers.
        """)

    @Argument(help: "Experiment file (YAML).") var file: String
    @Option(help: "Output directory (default: the file's `out`, relative to the file).") var out: String?
    @Flag(help: "Check the file and its datasets, print what would run, train nothing.") var check = false
    @Flag(help: "Rewrite report.md and report.html from the output's results.json (e.g. after updating xmask); train and evaluate nothing.")
    var reportOnly = false
    @OptionGroup var options: RunOptions

    func validate() throws {
        if check && reportOnly { throw ValidationError("--check and --report-only exclude each other") }
    }

    func run() throws {
        let fileURL = URL(fileURLWithPath: file)
        let experiment = try ExperimentFile.load(fileURL)
        let outURL = out.map { URL(fileURLWithPath: $0).standardizedFileURL } ?? experiment.out
        let plan = experiment.plan
        if check {
            print("\(file): OK — \(plan.tasks.count) tasks × \(plan.methods.count) methods = \(plan.tasks.count * plan.methods.count) adaptations, \(plan.adapt.steps) steps each; backbone \(plan.backbone.model.name), " + (plan.backboneSource.map { "imported from \($0)" } ?? "\(plan.backbone.epochs) epochs on \(plan.backbone.data)"))
            print("methods: \(plan.methods.map(\.description).joined(separator: ", "))")
            if let d = plan.device {
                print("device: \(d.runs.count) runs (\(d.runs.map(\.key).joined(separator: ", "))) × \(d.trials) chips, seed \(d.seed), "
                      + (d.testSubset.map { "\($0) test images per task" } ?? "every test image"))
            }
            print("output: \(outURL.path)")
            return
        }
        if reportOnly {
            let json = outURL.appendingPathComponent("results.json")
            guard let data = FileManager.default.contents(atPath: json.path) else {
                throw ValidationError("\(json.path): no results.json; run `xmask reproduce \(file)` first")
            }
            let result = try JSONDecoder().decode(StudyResult.self, from: data)
            let files = try result.writeReport(to: outURL)
            print("report: \(files.html.path)\nmarkdown: \(files.markdown.path)")
            return
        }
        let reporter = TerminalReporter(quiet: options.quiet)
        let start = ContinuousClock.now
        var result = try options.withThreads { try runStudy(plan, out: outURL, reporter: reporter) }
        result.provenance = StudyProvenance.current(directory: fileURL.deletingLastPathComponent())
        let files = try result.writeReport(to: outURL)
        let seconds = (ContinuousClock.now - start).components.seconds
        if options.json {
            try printJSON(result)
        } else {
            print(result.markdown())
            print("report: \(files.html.path)\nmarkdown: \(files.markdown.path)\nnumbers: \(files.json.path)\n\(seconds) s")
        }
    }
}

extension StudyProvenance {
    /// The commit of the git work tree holding `directory` (with `-dirty` when tracked files
    /// changed) and this machine's OS, architecture, cores and memory.
    static func current(directory: URL) -> StudyProvenance {
        func git(_ arguments: [String]) -> String? {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["git", "-C", directory.path] + arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            do { try process.run() } catch { return nil }
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { return nil }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var commit = git(["rev-parse", "HEAD"])
        if commit != nil, let status = git(["status", "--porcelain", "--untracked-files=no"]), !status.isEmpty { commit! += "-dirty" }
        let info = ProcessInfo.processInfo
        var system = utsname()
        uname(&system)
        let machine = withUnsafeBytes(of: &system.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let sysname = withUnsafeBytes(of: &system.sysname) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let memory = Double(info.physicalMemory) / Double(1 << 30)
        return StudyProvenance(commit: commit, machine: "\(sysname) \(machine), \(info.processorCount) cores, \(Int(memory.rounded())) GiB",
                               xmaskVersion: XMask.version)
    }
}
