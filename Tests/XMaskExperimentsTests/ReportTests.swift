import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import XMaskCrossbar
@testable import XMaskExperiments

/// A hand-made study: two tasks, seven methods, numbers chosen so the claims are known.
func sampleStudyResult() -> StudyResult {
    let backbone = PretrainConfig(model: ModelSpec(name: "resnet20", inChannels: 1, numClasses: 10, imageSize: 28), data: "/data/fashion-mnist", epochs: 12)
    let methods: [AdaptationMethod] = [.fineTune, .piggyback, .ksm, .xbm, .xma(shiftLevels: 3), .xma2(peFraction: 0.1, shiftLevels: 3), .xma2(peFraction: 0.2, shiftLevels: 3)]
    var plan = StudyPlan(backbone: backbone, tasks: [.init(name: "mnist", data: "/data/mnist"), .init(name: "optdigits", data: "/data/optdigits")],
                         methods: methods)
    plan.name = "sample"
    plan.hardware.geometry.sparePEFraction = 0.4
    // method: (mask bytes, accuracy mnist, accuracy optdigits, inference µJ, re-programming µJ, re-programmed cells)
    let numbers: [String: (Int, Double, Double, Double, Double, Int)] = [
        "finetune": (135_000, 0.99, 0.97, 1.0, 1000, 270_000), "piggyback": (34_000, 0.98, 0.95, 1.0, 300, 80_000),
        "ksm": (2_000, 0.975, 0.94, 1.0, 300, 80_000), "xbm": (476, 0.97, 0.93, 0.6, 0, 0), "xma": (1_428, 0.985, 0.955, 0.7, 0, 0),
        "xma2-p0.1": (5_000, 0.986, 0.96, 0.75, 40, 27_000), "xma2-p0.2": (9_000, 0.988, 0.965, 0.8, 80, 54_000),
    ]
    var cells: [StudyCell] = []
    for (t, task) in plan.tasks.enumerated() {
        for method in methods {
            let label = StudyPlan.methodLabel(method)
            let n = numbers[label]!
            var p: Double?
            if case let .xma2(f, _) = method { p = f }
            let sparsity = method.usesColumnMask ? [("conv1", 0.0), ("layer1.0.conv1", 0.1 + 0.05 * Double(t)), ("layer2.0.conv1", 0.3)].map { LayerSparsity(layer: $0.0, zeroFraction: $0.1) } : []
            cells.append(StudyCell(
                task: task.name, method: label, methodDescription: method.description, peFraction: p, usesColumnMask: method.usesColumnMask,
                bundleTask: StudyPlan.taskName(task.name, method), accuracy: t == 0 ? n.1 : n.2, maskBits: n.0 * 8, maskBytes: n.0,
                sparsityPerLayer: sparsity, inferenceEnergyMicrojoules: n.3, energyBreakdownMicrojoules: EnergyBreakdown(),
                reprogrammedCells: n.5, reprogrammingEnergyMicrojoules: n.4, inferences: 1000,
                totalOverInferenceEnergy: (1000 * n.3 + n.4) / (1000 * n.3)))
        }
    }
    var forgetting = [TaskEvaluation(task: "fashion-mnist", method: "backbone", accuracyWhenAdded: 0.91, accuracyNow: 0.91, forgetting: 0, logitsIdentical: nil)]
    forgetting += cells.map { TaskEvaluation(task: $0.bundleTask, method: $0.methodDescription, accuracyWhenAdded: $0.accuracy, accuracyNow: $0.accuracy, forgetting: 0, logitsIdentical: true) }
    return StudyResult(plan: plan, backbone: StudyBackbone(task: "fashion-mnist", model: "resnet20", testAccuracy: 0.91, fileBytes: 1_100_000, programmedBytes: 135_000),
                       cells: cells, forgetting: forgetting, bundle: "/runs/sample",
                       provenance: StudyProvenance(commit: "0123abcd", machine: "Linux x86_64, 2 cores, 24 GiB", xmaskVersion: "0.1.0"))
}

/// The `<svg>…</svg>` elements of a page.
func svgElements(_ html: String) -> [String] {
    var out: [String] = []
    var rest = html[...]
    while let start = rest.range(of: "<svg"), let end = rest.range(of: "</svg>", range: start.upperBound..<rest.endIndex) {
        out.append(String(rest[start.lowerBound..<end.upperBound]))
        rest = rest[end.upperBound...]
    }
    return out
}

@Suite struct ReportTests {
    @Test func markdownHasThePaperLayoutAndEveryNumber() {
        let md = sampleStudyResult().markdown()
        #expect(md.hasPrefix("# xmask study: sample\n"))
        #expect(md.contains("| task | finetune | piggyback | ksm | xbm | xma(N=3) | xma2(P=0.1, N=3) | xma2(P=0.2, N=3) |"))
        #expect(md.contains("| mnist | 99.00 | 98.00 | 97.50 | 97.00 | 98.50 | 98.60 | 98.80 |"))
        #expect(md.contains("| optdigits | 97.00 | 95.00 | 94.00 | 93.00 | 95.50 | 96.00 | 96.50 |"))
        #expect(md.contains("| **mask bytes per task** | 135,000 | 34,000 | 2,000 | 476 | 1,428 | 5,000 | 9,000 |"))
        #expect(md.contains("## Forgetting"))
        #expect(md.contains("| 10 % | 98.60 | 96.00 |"))
        #expect(md.contains("| 0 % (xma(N=3)) | 98.50 | 95.50 |"))
        #expect(md.contains("## Zero column-mask values per layer (%), optdigits"))
        #expect(md.contains("| layer1.0.conv1 | 15.00 |"))
        #expect(md.contains("commit 0123abcd"))
        // Total energy of mnist with XMA2 P = 0.1: 1000 · 0.75 + 40 µJ.
        #expect(md.contains("| mnist (1000) | 2000 | 1300 | 1300 | 600.0 | 700.0 | 790.0 | 880.0 |"))
    }

    @Test func claimsAreComputedFromTheStudysNumbers() {
        let claims = sampleStudyResult().claims()
        func ours(_ claim: String) -> String? { claims.first { $0.claim.hasPrefix(claim) }?.ours }
        #expect(ours("mask memory relative to Piggyback") == "1.40 %")
        #expect(ours("accuracy similar to Piggyback") == "-1.50 pp")
        #expect(ours("less inference energy than Piggyback") == "up to 40.0 % (mean 40.0 %)")
        #expect(ours("accuracy above Piggyback") == "+0.50 pp")
        #expect(ours("less mask memory than Piggyback") == "95.8 %")
        #expect(ours("highest accuracy of the mask methods") == "rank 1 of 5")
        #expect(ours("less total energy than Piggyback") == "1.65×")   // 2 · 1300 / (2 · 790)
        #expect(ours("less total energy than fine-tuning") == "2.53×")  // 2 · 2000 / (2 · 790)
    }

    @Test func claimsSayWhetherTheyAgreeAndWhyFromTheStudysNumbers() {
        let claims = sampleStudyResult().claims()
        func claim(_ prefix: String) -> PaperClaim? { claims.first { $0.claim.hasPrefix(prefix) } }
        // Within tolerance: 1.40 % vs 1.4 %, −1.5 points, 40 %, +0.5 points, 95.8 % vs 96.6 %, rank 1.
        for prefix in ["mask memory relative", "accuracy similar", "less inference energy", "accuracy above", "less mask memory", "highest accuracy"] {
            #expect(claim(prefix)?.agrees == true, "\(prefix)")
        }
        #expect(claim("less total energy than Piggyback")?.agrees == false)  // 1.65× vs 4.38×
        #expect(claim("less total energy than fine-tuning")?.agrees == false)
        // Piggyback 272,000 mask bits / XBM 3,808 = 71.4 weights per column.
        #expect(claim("mask memory relative")?.why.contains("71.4 weights") == true)
        // M = 1: (1 + 300) / (0.75 + 40) = 7.39×; (1 + 1000) / 40.75 = 24.56×.
        #expect(claim("less total energy than Piggyback")?.why.contains("M = 1 gives 7.39×") == true)
        #expect(claim("less total energy than fine-tuning")?.why.contains("M = 1 gives 24.56×") == true)
        // Re-programming energy: Piggyback 2·300 / XMA2 2·40 = 7.50×, fine-tuning 2·1000 / 2·40 = 25×:
        // 4.38× is within reach, 13.72× too (the inference-energy ratio is 1.33×).
        #expect(claim("less total energy than Piggyback")?.why.contains("600.0 / 80.00 µJ = 7.50×") == true)
        #expect(claim("less total energy than fine-tuning")?.why.contains("2000 / 80.00 µJ = 25.00×") == true)
        #expect(claim("less total energy than fine-tuning")?.why.contains("needs a larger write energy or a smaller M") == true)
        #expect(claim("less total energy than Piggyback")?.why.contains("54,000 cells against piggyback's 160,000") == true)
        // Widest XBM − Piggyback gap: optdigits 93 − 95 = −2 points; mnist 97 − 98 = −1.
        #expect(claim("accuracy similar")?.why == "—")  // −1.5 points is within tolerance
        // Re-programming share: Piggyback 2·300 / (2·1300) = 23.1 %.
        #expect(claim("less total energy than Piggyback")?.why.contains("re-programming is 23.1 % of piggyback") == true)
        #expect(claim("accuracy above")?.why == "shift levels add +2.00 pp over XBM here.")  // 97.0 − 95.0
    }

    @Test func htmlIsSelfContainedWithWellFormedChartsForEveryTaskAndMethod() throws {
        let result = sampleStudyResult()
        let html = result.html()
        #expect(html.hasPrefix("<!doctype html>"))
        #expect(!html.contains("<script") && !html.contains("<link") && !html.contains("@import") && !html.contains("url("))
        #expect(html.components(separatedBy: "http").count - 1 == html.components(separatedBy: "http://www.w3.org/2000/svg").count - 1)
        let svgs = svgElements(html)
        // accuracy, mask bytes, energy, P sweep, sparsity of each of the two tasks, accuracy against mask bytes and against energy
        #expect(svgs.count == 8)  // and the two Pareto charts
        #expect(html.components(separatedBy: "<table").count == html.components(separatedBy: "</table>").count)
        for svg in svgs {
            let parser = XMLParser(data: Data(svg.utf8))
            #expect(parser.parse(), "SVG is not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "")")
        }
        for method in result.methodLabels.map(result.methodDescription) {
            #expect(svgs[0].contains(">\(ReportChart.escape(method))</text>"), "accuracy legend lacks \(method)")
            #expect(svgs[2].contains(">\(ReportChart.escape(method))</text>"), "energy chart lacks \(method)")
        }
        for task in result.taskNames { #expect(svgs[0].contains(">\(task)</text>")) }
        #expect(svgs[3].contains(">0 % (XMA)</text>") && svgs[3].contains(">10 %</text>") && svgs[3].contains(">20 %</text>"))
        #expect(svgs[4].contains(">layer1.0.conv1</text>"))
        // Every table of the report is on the page once, placed by its kind.
        let tables = result.reportTables()
        #expect(html.components(separatedBy: "<table").count - 1 == tables.count)
        for t in tables { #expect(html.components(separatedBy: ReportChart.escape(t.title)).count - 1 == 1, "\(t.kind): \(t.title)") }
    }

    @Test func maskBytesUseALogAxisWithDecadeTicks() {
        #expect(ReportChart.logTicks([476, 135_000]) == [100, 1_000, 10_000, 100_000, 1_000_000])
        #expect(ReportChart.logTicks([1_000, 10_000]) == [1_000, 10_000])
        #expect(ReportChart.logTicks([5, 5]) == [1, 10])
        let chart = sampleStudyResult().maskBytesChart()
        #expect(chart.contains("bytes (log scale)"))
        var lastY = Double.infinity
        for label in ["100 B", "1 kB", "10 kB", "100 kB", "1 MB"] {
            // Each decade tick is drawn once, higher up (smaller y) than the one before, equally spaced.
            guard let range = chart.range(of: "text-anchor=\"end\">\(label)</text>") else {
                Issue.record("no tick \(label)")
                continue
            }
            let prefix = chart[..<range.lowerBound]
            let yText = prefix[prefix.range(of: "y=\"", options: .backwards)!.upperBound...].prefix { $0 != "\"" }
            let y = Double(yText)!
            #expect(y < lastY)
            lastY = y
        }
        #expect(ReportChart.linearTicks(0, 100) == [0, 20, 40, 60, 80, 100])
        let small = ReportChart.linearTicks(0, 0.37)
        #expect(small.count == 5 && abs(small[4] - 0.4) < 1e-12 && abs(small[1] - 0.1) < 1e-12)
    }

    @Test func reportIsAFunctionOfResultsJSON() throws {
        let result = sampleStudyResult()
        let json = try result.json()
        let decoded = try JSONDecoder().decode(StudyResult.self, from: json)
        #expect(try decoded.json() == json)
        #expect(decoded.html() == result.html())
        #expect(decoded.markdown() == result.markdown())

        let scratch = try ScratchDirectory()
        let files = try result.writeReport(to: scratch.url)
        #expect(fileBytes(files.json) == json)
        #expect(fileBytes(files.html) == Data(result.html().utf8))
        #expect(fileBytes(files.markdown) == Data(result.markdown().utf8))
    }

    @Test func bothWriteModelsGiveTotalOverInferenceAgainstM() throws {
        var result = sampleStudyResult()
        #expect(!result.reportTables().contains { $0.kind == .writeModels }, "a study without the estimates has no such table")
        // finetune: 1 µJ/image, 1,000 µJ (neurosim) or 9,000 µJ (papers) of re-programming; xbm writes nothing.
        for i in result.cells.indices {
            let inference = result.cells[i].inferenceEnergyMicrojoules
            let write = result.cells[i].reprogrammingEnergyMicrojoules
            result.cells[i].writeModels = [
                WriteModelEstimate(writeModel: .neurosim, inferenceMicrojoules: inference, reprogrammingMicrojoules: write, inferences: 1000),
                WriteModelEstimate(writeModel: .papers, inferenceMicrojoules: inference, reprogrammingMicrojoules: 9 * write, inferences: 1000),
            ]
        }
        let table = try #require(result.reportTables().first { $0.kind == .writeModels })
        #expect(table.header == ["method", "write model", "M = 1", "M = 10", "M = 100", "M = 1,000", "M = 10,000", "M = 100,000", "M = 1,000,000"])
        #expect(table.rows.count == 2 * result.methodLabels.count)
        // FineTune at M = 1: (1 + 1000) / 1 = 1001 (neurosim), (1 + 9000) / 1 = 9001 (papers); at M = 1000: 2 and 10.
        let ftNeuroSim = try #require(table.rows.first { $0[0] == "finetune" && $0[1] == "neurosim" })
        let ftPapers = try #require(table.rows.first { $0[0] == "finetune" && $0[1] == "papers" })
        #expect(ftNeuroSim[2] == "1001" && ftNeuroSim[5] == "2" && ftPapers[2] == "9001" && ftPapers[5] == "10")
        #expect(table.rows.first { $0[0] == "xbm" && $0[1] == "papers" }?.dropFirst(2).allSatisfy { $0 == "1" } == true)
        let html = result.html()
        let charts = svgElements(html).filter { $0.contains("Total / inference energy against M") }
        #expect(charts.count == 2)
        for svg in charts { #expect(XMLParser(data: Data(svg.utf8)).parse()) }
    }
}
