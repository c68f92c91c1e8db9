import Foundation
import Testing
import XMaskCrossbar
@testable import XMaskExperiments

/// A tiny study on synthetic 8×8 data with two seeds: one task, XBM and XMA2, so 4 cells.
private func seededStudyFile(in scratch: ScratchDirectory, seeds: String = "[1, 2]") throws -> URL {
    try writeSyntheticIDX(to: scratch.url.appendingPathComponent("data/backbone"), classes: 4, seed: 100)
    try writeSyntheticIDX(to: scratch.url.appendingPathComponent("data/a"), classes: 3, seed: 1)
    let text = """
    name: seeded
    seed: 3
    seeds: \(seeds)
    out: runs/whole
    backbone: {model: resnet20, data: data/backbone, classes: 4, image_size: 8, epochs: 1, batch_size: 32}
    hardware: {spare_pe_fraction: 0.2}
    tasks:
      - {name: a, data: data/a, classes: 3}
    methods: [xbm, {xma2: {pe_fraction: 0.1}}]
    adapt: {steps: 2, batch_size: 16, recalibration_batches: 1}
    """
    let url = scratch.url.appendingPathComponent("seeded.yaml")
    try Data(text.utf8).write(to: url)
    return url
}

/// results.json of a result with the fields that name where it ran blanked: `bundle` (the output
/// directory) and `provenance` (the CLI's; the library sets none). Every other field, every
/// cell's accuracy, cost, seed, energy breakdown and re-evaluation included, is compared exactly.
private func comparable(_ result: StudyResult) throws -> Data {
    var r = result
    r.bundle = ""
    r.provenance = nil
    return try r.json()
}

/// Absolute paths in a rendered report: a `/` that starts a word (after a space, quote, bracket or
/// tag) and is followed by a path character.
private func absolutePaths(_ text: String) -> [String] {
    let regex = try! NSRegularExpression(pattern: #"(?:^|[\s("'`\[>=])(/[A-Za-z0-9._~-][^\s"'`<)\]]*)"#, options: [.anchorsMatchLines])
    let ns = text as NSString
    return regex.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { ns.substring(with: $0.range(at: 1)) }
}

@Suite struct StudyShardTests {
    /// The study run whole, and as 2 shards sharing one backbone then merged: the same
    /// results.json (bundle path and provenance aside), and a merged bundle holding every task.
    @Test func twoShardsMergedEqualTheWholeStudy() throws {
        let scratch = try ScratchDirectory()
        let file = try ExperimentFile.load(try seededStudyFile(in: scratch))
        let plan = file.plan
        #expect(plan.cellSeeds == [1, 2])
        #expect(plan.cells.map(\.name) == ["a-xbm-s1", "a-xbm-s2", "a-xma2-p0.1-s1", "a-xma2-p0.1-s2"])
        let whole = try runStudy(plan, out: file.out)
        #expect(whole.cells.map(\.seed) == [1, 2, 1, 2])
        #expect(whole.shard == nil && whole.backbone.sha256 != nil)

        let runs = scratch.url.appendingPathComponent("runs")
        let backbone = runs.appendingPathComponent("backbone")
        try prepareStudyBackbone(plan, out: backbone)
        let shardDirs = (0..<2).map { runs.appendingPathComponent("shard-\($0)") }
        var shards: [StudyResult] = []
        for (k, dir) in shardDirs.enumerated() {
            let r = try runStudy(plan, out: dir, shard: StudyShard(index: k, count: 2), sharedBackbone: backbone)
            try r.writeReport(to: dir)
            shards.append(r)
        }
        #expect(shards[0].cells.map(\.bundleTask) == ["a-xbm-s1", "a-xma2-p0.1-s1"])
        #expect(shards[1].cells.map(\.bundleTask) == ["a-xbm-s2", "a-xma2-p0.1-s2"])
        #expect(shards[1].shard == StudyShard(index: 1, count: 2))
        let mergedDir = runs.appendingPathComponent("merged")
        // Given in any order.
        let merged = try mergeStudyShards(shardDirs.reversed(), plan: plan, into: mergedDir)
        #expect(try comparable(merged) == comparable(whole))
        #expect(merged.bundle == mergedDir.path)
        let bundle = try TaskBundle.open(mergedDir)
        #expect(bundle.taskNames == plan.cells.map(\.name))
        #expect(try evaluateBundle(bundle).changedTasks.isEmpty)
        #expect(try bundle.task(named: "a-xbm-s2").metrics.logitsSHA256 == TaskBundle.open(file.out).task(named: "a-xbm-s2").metrics.logitsSHA256)

        // Refusals, each naming the directory and what differs.
        func mergeError(_ dirs: [URL], plan: StudyPlan = plan) -> String {
            do { _ = try mergeStudyShards(dirs, plan: plan, into: scratch.url.appendingPathComponent("runs/refused-\(UUID().uuidString)")); return "merged" } catch {
                return "\(error)"
            }
        }
        #expect(mergeError([shardDirs[0]]) == "missing shard 1/2")
        #expect(mergeError([shardDirs[0], shardDirs[0], shardDirs[1]]) == "shard 0/2 is given twice: \(shardDirs[0].path), \(shardDirs[0].path)")
        try whole.writeReport(to: file.out)
        #expect(mergeError([shardDirs[0], file.out]) == "\(file.out.path)/results.json is a whole study, not a shard (it records no --shard K/N)")
        var other = plan
        other.adapt.steps += 1
        #expect(mergeError(shardDirs, plan: other) == "\(shardDirs[0].path): made from another study than the experiment file; differs in adapt")
        // A shard on another backbone (same model and data, other seed) is refused by its SHA-256.
        var otherSeed = plan
        otherSeed.seed = 9
        let otherBackbone = runs.appendingPathComponent("backbone-9")
        try prepareStudyBackbone(otherSeed, out: otherBackbone)
        let stray = runs.appendingPathComponent("shard-1-other")
        try runStudy(plan, out: stray, shard: StudyShard(index: 1, count: 2), sharedBackbone: otherBackbone).writeReport(to: stray)
        let backboneError = mergeError([shardDirs[0], stray])
        #expect(backboneError.hasPrefix("\(stray.path): its backbone differs from \(shardDirs[0].path)'s (SHA-256"), "\(backboneError)")
        #expect(mergeError([shardDirs[0], runs.appendingPathComponent("nowhere")]) == "\(runs.appendingPathComponent("nowhere").path): no results.json (run `xmask reproduce FILE --shard K/N --out \(runs.appendingPathComponent("nowhere").path)` first)")

        // The report of a seeded study: mean ± std over the seeds, and no path of the machine.
        let files = try merged.writeReport(to: mergedDir)
        let md = try String(contentsOf: files.markdown, encoding: .utf8), html = try String(contentsOf: files.html, encoding: .utf8)
        let a = merged.cells.filter { $0.method == "xbm" }.map(\.accuracy)
        let (m, s) = meanAndStd(a)
        #expect(md.contains("| a | \(ReportFormat.percent(m)) ± \(ReportFormat.percent(s)) |"))
        #expect(md.contains("## Test accuracy (%) over 2 seeds: mean ± std"))
        for text in [md, html] {
            #expect(!text.contains(scratch.url.path) && !text.contains("/work/") && !text.contains("/tmp/"))
            #expect(absolutePaths(text).isEmpty, "\(absolutePaths(text))")
        }
    }

    @Test func shardsAreZeroBasedAndChecked() throws {
        #expect(try StudyShard(parsing: "0/2") == StudyShard(index: 0, count: 2))
        #expect(try StudyShard(parsing: "3/4") == StudyShard(index: 3, count: 4))
        for bad in ["2/2", "-1/2", "1/0", "a/b", "1", "1/2/3", ""] {
            #expect(throws: ExperimentError.self, "\(bad)") { try StudyShard(parsing: bad) }
        }
    }

    @Test func seedsAreParsedAndChecked() throws {
        let scratch = try ScratchDirectory()
        let plan = try ExperimentFile.load(try seededStudyFile(in: scratch, seeds: "[5]")).plan
        #expect(plan.cellSeeds == [5] && plan.cells.map(\.name) == ["a-xbm", "a-xma2-p0.1"])  // one seed: the names of old studies
        #expect(plan.adaptConfig(task: plan.tasks[0], method: .xbm, seed: 5).seed == 5)
        try StudyShard(index: 1, count: 2).validate(for: plan)
        #expect(throws: ExperimentError.self, "3 shards of 2 cells") { try StudyShard(index: 0, count: 3).validate(for: plan) }
        for (seeds, problem) in [("[]", "expected at least one seed"), ("[1, 1]", "seed 1 is listed twice"), ("[-1]", "out of range"), ("two", "expected a list")] {
            let s = try ScratchDirectory()
            do {
                _ = try ExperimentFile.load(try seededStudyFile(in: s, seeds: seeds))
                Issue.record("seeds: \(seeds) was accepted")
            } catch let e as ExperimentFileError {
                #expect(e.key.hasPrefix("seeds") && "\(e)".contains(problem), "\(e)")
            }
        }
    }
}

@Suite struct StudyReportExtrasTests {
    /// The committed full study (results/full-study, made before seeds, shards and the newer
    /// report sections) still loads, and its report.md and report.html are exactly what the
    /// current code renders from its results.json (`xmask reproduce experiments/full.yaml
    /// --report-only --out results/full-study`), with no path of the machine.
    @Test func committedFullStudyReRendersAsCommitted() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = root.appendingPathComponent("results/full-study")
        let result = try JSONDecoder().decode(StudyResult.self, from: try #require(fileBytes(dir.appendingPathComponent("results.json"))))
        #expect(result.cells.count == 27 && result.cells.allSatisfy { $0.seed == nil } && result.shard == nil)
        #expect(result.cells.allSatisfy { $0.columnMaskDiagnostics == nil && $0.validationAccuracy == nil })
        let md = result.markdown(), html = result.html()
        #expect(Data(md.utf8) == fileBytes(dir.appendingPathComponent("report.md")), "re-render results/full-study with --report-only")
        #expect(Data(html.utf8) == fileBytes(dir.appendingPathComponent("report.html")), "re-render results/full-study with --report-only")
        for text in [md, html] { #expect(absolutePaths(text).isEmpty, "\(absolutePaths(text))") }
    }

    @Test func paretoFrontsAreTheUndominatedMethods() {
        let front = StudyResult.paretoFront([("a", 1, 0.9), ("b", 2, 0.95), ("c", 2, 0.93), ("d", 3, 0.95), ("e", 0.5, 0.5)])
        #expect(front == ["a", "b", "e"])  // c: b is as cheap and better; d: b is cheaper and as good
        let result = sampleStudyResult()
        let table = result.paretoTable()
        // Mean accuracy against mask bytes: xbm (476 B, 95.0 %), xma (1,428 B, 97.0 %), xma2-p0.1 (5,000 B, 97.3 %),
        // xma2-p0.2 (9,000 B, 97.65 %), finetune (135,000 B, 98.0 %) are undominated; piggyback and ksm are not.
        let onBytes = table.rows.filter { $0[4] == "yes" }.map(\.[0])
        #expect(onBytes == ["finetune", "xbm", "xma(N=3)", "xma2(P=0.1, N=3)", "xma2(P=0.2, N=3)"])
        // Against energy: xbm (0.6 µJ) … finetune (1.0 µJ) at the top accuracy; piggyback and ksm share finetune's energy, less accurate.
        let onEnergy = table.rows.filter { $0[5] == "yes" }.map(\.[0])
        #expect(onEnergy == ["finetune", "xbm", "xma(N=3)", "xma2(P=0.1, N=3)", "xma2(P=0.2, N=3)"])
        let chart = result.paretoChart(energy: false)
        #expect(chart.contains("Pareto front") && chart.contains("<polyline"))
    }

    @Test func accuracyMatrixGivesForgettingAndBackwardTransfer() throws {
        var result = sampleStudyResult()
        // finetune forgets 4 points of mnist after optdigits is added; the backbone loses 1.
        for i in result.forgetting.indices {
            if result.forgetting[i].task == "mnist-finetune" { result.forgetting[i].accuracyNow = 0.95 }
            if result.forgetting[i].isBackbone { result.forgetting[i].accuracyNow = 0.90 }
        }
        let matrices = result.accuracyMatrices()
        #expect(matrices.map(\.method) == result.methodLabels)
        let ft = try #require(matrices.first)
        #expect(ft.tasks == ["fashion-mnist", "mnist", "optdigits"])
        // Rows: after pre-training, after + mnist, after + optdigits.
        #expect(ft.values[0] == [0.91, nil, nil])
        #expect(ft.values[1] == [0.90, 0.99, nil])
        #expect(ft.values[2] == [0.90, 0.95, 0.97])
        // Forgetting: backbone max(0.91, 0.90) − 0.90 = 0.01, mnist 0.99 − 0.95 = 0.04 → 0.025; BWT: (−0.01 − 0.04) / 2.
        #expect(abs(ft.forgetting! - 0.025) < 1e-12 && abs(ft.backwardTransfer! + 0.025) < 1e-12)
        #expect(abs(ft.finalAccuracy - (0.90 + 0.95 + 0.97) / 3) < 1e-12)
        let xbm = try #require(matrices.first { $0.method == "xbm" })
        #expect(abs(xbm.forgetting! - 0.005) < 1e-12)  // only the backbone's point
        let md = result.markdown()
        #expect(md.contains("| finetune | 94.00 | +2.50 pp | -2.50 pp |"))
        #expect(md.contains("| after + mnist | 90.00 | 99.00 |  |"))
    }
}
