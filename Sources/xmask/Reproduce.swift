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

        On a cluster: `--backbone-only --out B` trains the backbone once; `--shard K/N --backbone B \
        --out S_K` (K = 0 … N−1, e.g. SLURM_ARRAY_TASK_ID) runs every N-th cell; `--merge S_0 … S_N−1 \
        --out M` joins them into one bundle, results.json and report, refusing shards of another \
        plan or backbone and missing or duplicate shards (Scripts/slurm/study-array.sh).
        """)

    @Argument(help: "Experiment file (YAML).") var file: String
    @Option(help: "Output directory (default: the file's `out`, relative to the file).") var out: String?
    @Flag(help: "Check the file and its datasets, print what would run, train nothing.") var check = false
    @Flag(help: "Rewrite report.md and report.html from the output's results.json (e.g. after updating xmask); train and evaluate nothing.")
    var reportOnly = false
    @Option(help: ArgumentHelp("Run only shard K of N: every N-th cell (tasks × methods × seeds, in the file's order) from cell K; K is 0-based, as SLURM_ARRAY_TASK_ID with sbatch --array=0-(N-1). Each shard needs its own --out.", valueName: "K/N"))
    var shard: String?
    @Option(help: ArgumentHelp("With --shard: import the backbone of this bundle (made by --backbone-only) instead of training one, so that every shard has the same backbone (for a study with backbone.from: the same bytes as that one).", valueName: "dir"))
    var backbone: String?
    @Flag(help: "Only train (or import) the study's backbone into --out, for shards to share with --backbone.")
    var backboneOnly = false
    @Option(parsing: .upToNextOption, help: ArgumentHelp("Join these shard outputs (every shard of one --shard K/N split) into --out: one bundle, results.json and the report.", valueName: "dir"))
    var merge: [String] = []
    @OptionGroup var options: RunOptions

    func validate() throws {
        if check && reportOnly { throw ValidationError("--check and --report-only exclude each other") }
        let modes = [("--check", check), ("--report-only", reportOnly), ("--shard", shard != nil), ("--backbone-only", backboneOnly), ("--merge", !merge.isEmpty)]
            .filter(\.1).map(\.0)
        if modes.count > 1 { throw ValidationError("\(modes.joined(separator: " and ")) exclude each other") }
        if let shard { _ = try StudyShard.validated(shard) }
        if backbone != nil && shard == nil { throw ValidationError("--backbone goes with --shard K/N (the backbone every shard imports)") }
        if (shard != nil || !merge.isEmpty) && out == nil {
            throw ValidationError("\(shard != nil ? "--shard" : "--merge") needs --out DIR: each shard, and the merged study, has its own output directory")
        }
    }

    func run() throws {
        let fileURL = URL(fileURLWithPath: file)
        let experiment = try ExperimentFile.load(fileURL)
        for warning in experiment.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        let outURL = out.map { URL(fileURLWithPath: $0).standardizedFileURL } ?? experiment.out
        let plan = experiment.plan
        if check {
            print("\(file): OK — \(plan.tasks.count) tasks × \(plan.methods.count) methods" + (plan.cellSeeds.count > 1 ? " × \(plan.cellSeeds.count) seeds" : "") + " = \(plan.cells.count) adaptations, \(plan.adapt.steps) steps each; backbone \(plan.backbone.model.name), " + (plan.backboneSource.map { "imported from \($0)" } ?? "\(plan.backbone.epochs) epochs on \(plan.backbone.data)"))
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
        if backboneOnly {
            let bundle = try options.withThreads { try prepareStudyBackbone(plan, out: outURL, reporter: reporter) }
            print("backbone: \(bundle.directory.path) (SHA-256 \(bundle.manifest.backbone.sha256)); shards import it with --backbone \(bundle.directory.path)")
            return
        }
        var result: StudyResult
        if !merge.isEmpty {
            let dirs = merge.map { URL(fileURLWithPath: $0).standardizedFileURL }
            result = try mergeStudyShards(dirs, plan: plan, into: outURL, reporter: reporter)
        } else {
            let shard = try shard.map { s in
                let parsed = try StudyShard.validated(s)
                try parsed.validate(for: plan)
                return parsed
            }
            result = try options.withThreads {
                try runStudy(plan, out: outURL, shard: shard, sharedBackbone: backbone.map { URL(fileURLWithPath: $0).standardizedFileURL },
                             reporter: reporter)
            }
            result.provenance = StudyProvenance.current(directory: fileURL.deletingLastPathComponent())
        }
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

extension StudyShard {
    /// `--shard K/N` parsed, as a validation error naming the option.
    static func validated(_ text: String) throws -> StudyShard {
        do { return try StudyShard(parsing: text) } catch { throw ValidationError("\(error)") }
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
