import Foundation
import Testing

/// Every out-of-range value exits non-zero — never by a signal — with a message that names the
/// option and its range.
@Suite struct ArgumentValidationTests {
    static let bad: [(arguments: [String], option: String, range: String)] = [
        (["adapt", "--bundle", "b", "--task", "t", "--data", "d", "--method", "xbm", "--temperature", "0"], "--temperature", "positive"),
        (["adapt", "--bundle", "b", "--task", "t", "--data", "d", "--method", "xbm", "--write-model", "ideal"], "--write-model", "neurosim"),
        (["hw", "--model", "resnet20", "--write-model", "ideal"], "--write-model", "papers"),
        (["adapt", "--bundle", "b", "--task", "t", "--data", "d", "--method", "xbm", "--beta", "0"], "--beta", "positive"),
        (["adapt", "--bundle", "b", "--task", "t", "--data", "d", "--method", "xbm", "--beta-final", "nan"], "--beta-final", "positive"),
        (["adapt", "--bundle", "b", "--task", "t", "--data", "d", "--method", "xbm", "--steps", "0"], "--steps", "1...10000000"),
        (["adapt", "--bundle", "b", "--task", "t", "--data", "d", "--method", "xbm", "--batch-size=-2"], "--batch-size", "1...65536"),
        (["adapt", "--bundle", "b", "--task", "t", "--data", "d", "--method", "xbm", "--train-subset", "0"], "--train-subset", "≥ 1"),
        (["adapt", "--bundle", "b", "--task", "t", "--data", "d", "--method", "xbm", "--learning-rate", "nan"], "--learning-rate", "positive"),
        (["adapt", "--bundle", "b", "--task", "t", "--data", "d", "--method", "xbm", "--classes", "1"], "--classes", "2..."),
        (["adapt", "--bundle", "b", "--task", "t", "--data", "d", "--method", "xbm", "--recalibration-batches=-1"], "--recalibration-batches", "0...100000"),
        (["adapt", "--bundle", "b", "--task", "t", "--data", "d", "--method", "xbm", "--learning-rate", "11"], "--learning-rate", "at most 10"),
        (["adapt", "--bundle", "b", "--task", "t", "--data", "d", "--method", "xbn"], "--method", "- xma2"),
        (["adapt", "--bundle", "b", "--task", "t", "--data", "d", "--method", "xma2", "--pe-fraction", "1.5"], "--pe-fraction", "0...1"),
        (["adapt", "--bundle", "b", "--task", "t", "--data", "d", "--method", "xma", "--shift-levels=-1"], "--shift-levels", "≥ 0"),
        (["adapt", "--bundle", "b", "--task", "t", "--data", "d", "--method", "xbm", "--validation-fraction", "0.9"], "--validation-fraction", "0...0.5"),
        (["adapt", "--bundle", "b", "--task", "t", "--data", "d", "--method", "xbm", "--sparsity-penalty=-1"], "--sparsity-penalty", "0...100"),
        (["adapt", "--bundle", "b", "--task", "t", "--data", "d", "--method", "xbm", "--column-mask-init", "20"], "--column-mask-init", "-10...10"),
        (["adapt", "--bundle", "b", "--task", "t", "--data", "d", "--method", "xbm", "--beta-schedule", "linear"], "--beta-schedule", "constant"),
        (["adapt", "--bundle", "b", "--task", "t", "--data", "d", "--method", "xma", "--xma-level-rule", "max"], "--xma-level-rule", "min-max"),
        (["pretrain", "--data", "d", "--out", "o", "--weight-decay", "nan"], "--weight-decay", "≥ 0"),
        (["pretrain", "--data", "d", "--out", "o", "--image-size", "100000"], "--image-size", "8...1024"),
        (["pretrain", "--data", "d", "--out", "o", "--spare-pe-fraction", "nan"], "--spare-pe-fraction", "0...1"),
        (["pretrain", "--data", "d", "--out", "o", "--train-subset", "0"], "--train-subset", "≥ 1"),
        (["pretrain", "--data", "d", "--out", "o", "--bits", "40"], "--bits", "2...16"),
        (["pretrain", "--data", "d", "--out", "o", "--epochs", "0"], "--epochs", "≥ 1"),
        (["pretrain", "--data", "d", "--out", "o", "--learning-rate=-1"], "--learning-rate", "positive"),
        (["pretrain", "--data", "d", "--out", "o", "--ksm-real-bits", "99"], "--ksm-real-bits", "0...64"),
        (["pretrain", "--data", "d", "--out", "o", "--model", "resnet18-imagenet"], "--model", "resnet18-cifar"),
        (["hw", "--inferences", "0"], "--inferences", "positive"),
        (["hw", "--rows=-3"], "--rows", "1..."),
        (["hw", "--column-sparsity", "2"], "--column-sparsity", "0...1"),
        (["hw", "--method", "xma", "--shift-levels", "5"], "--shift-levels", "0...3"),
        (["hw", "--ksm-real-bits", "65"], "--ksm-real-bits", "0...64"),
        (["hw", "--spare-pe-fraction", "nan"], "--spare-pe-fraction", "0...1"),
        (["hw", "--zero-activations", "1.5"], "--zero-activations", "0...1"),
        (["hw", "--packing", "tight"], "--packing", "radix"),
        (["hw", "--method", "xbn"], "--method", "- all"),
        (["hw", "--preset", "xbm-7nm"], "--preset", "'neurosim-v1.5-22nm'"),
    ]

    @Test(arguments: bad.indices)
    func outOfRangeValueExitsWithAMessage(_ index: Int) throws {
        let case_ = Self.bad[index]
        let r = try xmask(case_.arguments)
        #expect(!r.signalled, "\(case_.arguments) ended by a signal")
        #expect(r.status != 0, "\(case_.arguments) exited 0")
        #expect(r.stderr.contains(case_.option), "\(case_.arguments): \(r.stderr)")
        #expect(r.stderr.contains(case_.range), "\(case_.arguments): \(r.stderr)")
    }
}

/// Runs that need a bundle: a 1-epoch backbone on 40 optdigits images (a few seconds).
@Suite(.serialized) struct BundleCommandTests {
    @Test func pretrainRecordsTheWeightBitsInTheGeometry() throws {
        let scratch = try Scratch()
        for bits in [8, 4] {
            let out = scratch.url.appendingPathComponent("b\(bits)")
            let r = try xmask(["pretrain", "--data", demoData.appendingPathComponent("optdigits").path, "--out", out.path,
                               "--epochs", "1", "--bits", "\(bits)", "--train-subset", "40", "--batch-size", "20", "--quiet",
                               "--packing", "fixed"])
            #expect(r.status == 0, "\(r.stderr)")
            let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("bundle.json"))) as? [String: Any]
            let geometry = manifest?["geometry"] as? [String: Any]
            #expect(geometry?["weightBits"] as? Int == bits)
            #expect(geometry?["activationBits"] as? Int == bits)
            #expect(geometry?["maskPacking"] as? String == "fixed")
        }
    }

    @Test func shiftLevelsAboveTheBundlesWeightBitsAreRefused() throws {
        let scratch = try Scratch()
        let out = scratch.url.appendingPathComponent("b")
        let data = demoData.appendingPathComponent("optdigits").path
        let p = try xmask(["pretrain", "--data", data, "--out", out.path, "--epochs", "1", "--train-subset", "40",
                           "--batch-size", "20", "--quiet"])
        try #require(p.status == 0, "\(p.stderr)")
        let r = try xmask(["adapt", "--bundle", out.path, "--task", "t", "--data", data, "--method", "xma", "--shift-levels", "5",
                           "--steps", "1", "--quiet"])
        #expect(!r.signalled)
        #expect(r.status != 0)
        #expect(r.stderr.contains("--shift-levels 5") && r.stderr.contains("0...3"), "\(r.stderr)")
    }
}

/// `--help` of every command, compared with `Snapshots/<command>.txt`. Re-record on purpose:
/// `XMASK_RECORD_SNAPSHOTS=1 swift test --filter HelpSnapshotTests`, then review the diff.
@Suite struct HelpSnapshotTests {
    @Test(arguments: ["pretrain", "adapt", "eval", "hw", "reproduce", "info", "demo", "import", "export"])
    func helpMatchesTheSnapshot(_ command: String) throws {
        let r = try xmask([command, "--help"])
        #expect(r.status == 0)
        let file = packageRoot.appendingPathComponent("Tests/xmaskCLITests/Snapshots/\(command).txt")
        if ProcessInfo.processInfo.environment["XMASK_RECORD_SNAPSHOTS"] == "1" {
            try r.stdout.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let snapshot = try String(contentsOf: file, encoding: .utf8)
        #expect(r.stdout == snapshot, "xmask \(command) --help differs from \(file.path)")
    }
}

/// `xmask hw` prints with the reports' formats (digit grouping, SI byte units "kB").
@Suite struct HWOutputTests {
    /// `--pe-array-rows/--pe-array-columns` set the geometry's `peArrayRows/peArrayColumns`; the
    /// old `--pe-grid RxC` still works, with a warning.
    @Test func peArraysAreSpelledLikeTheGeometry() throws {
        let new = try xmask(["hw", "--model", "resnet20", "--pe-array-rows", "1", "--pe-array-columns", "3", "--json"])
        #expect(new.status == 0, "\(new.stderr)")
        #expect(new.stdout.contains("\"peArrayColumns\" : 3") && new.stdout.contains("\"peArrayRows\" : 1"))
        let old = try xmask(["hw", "--model", "resnet20", "--pe-grid", "1x3", "--json"])
        #expect(old.status == 0 && old.stdout == new.stdout)
        #expect(old.stderr.contains("--pe-grid is deprecated; write --pe-array-rows 1 --pe-array-columns 3"))
        let both = try xmask(["hw", "--model", "resnet20", "--pe-grid", "1x3", "--pe-array-rows", "1"])
        #expect(both.status != 0 && both.stderr.contains("--pe-grid"))
        let bad = try xmask(["hw", "--pe-array-rows", "0"])
        #expect(bad.status != 0 && !bad.signalled && bad.stderr.contains("--pe-array-rows"))
    }

    @Test func textUsesTheReportFormats() throws {
        let r = try xmask(["hw", "--method", "xbm", "--no-layers"])
        #expect(r.status == 0, "\(r.stderr)")
        // ResNet-50's XBM mask: 339,968 columns at 1 bit = 42,496 B.
        #expect(r.stdout.contains("339,968 bits = 42.5 kB"), "\(r.stdout)")
        #expect(!r.stdout.contains(" KB"))
    }

    /// `--html` is the report layer's page: the methods table and charts of a study's report.html.
    @Test func htmlIsTheReportLayersPage() throws {
        let dir = try Scratch()
        let file = dir.url.appendingPathComponent("hw.html")
        let r = try xmask(["hw", "--model", "resnet20", "--method", "all", "--html", file.path, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let page = try String(contentsOf: file, encoding: .utf8)
        #expect(page.hasPrefix("<!doctype html>") && !page.contains("<script"))
        #expect(page.contains("<h3>Methods</h3>") && page.contains("<th>mask bytes</th>"))
        #expect(page.components(separatedBy: "<svg").count - 1 == 5)
    }
}
