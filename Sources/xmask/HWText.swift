import Foundation
import XMaskCrossbar
import XMaskExperiments

/// Text rendering of `xmask hw` reports.
enum HWText {
    static func report(_ reports: [HardwareReport], preset: HardwarePreset, showLayers: Bool, elapsed: Duration) -> String {
        guard let first = reports.first else { return "" }
        var out: [String] = []
        let g = first.geometry
        out.append("xmask hw — \(first.network) on \(preset.name): \(g.arrayRows)x\(g.arrayColumns) arrays, \(g.cellBits)-bit cells, \(g.weightBits)-bit weights, \(g.activationBits)-bit activations, \(g.adcBits)-bit \(preset.technology.adcKind.rawValue) ADC per \(g.columnsPerADC) column(s), PE \(g.peArrayRows)x\(g.peArrayColumns) arrays, spare PEs \(fraction(g.sparePEFraction))")
        out.append("classifier \(first.includesClassifier ? "mapped" : "not mapped (per-task head)"); task: \(activity(first))")
        if reports.count == 1 {
            if showLayers { out.append(""); out += layerTable(first) }
            out.append("")
            out += totals(first)
        } else {
            out.append("")
            out += comparison(reports)
        }
        out.append("")
        out += totalOverInferenceByM(reports)
        let ms = Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) * 1e-15
        out.append("")
        out.append("computed in \(String(format: "%.2f", ms)) ms")
        return out.joined(separator: "\n")
    }

    static func activity(_ r: HardwareReport) -> String {
        // The analytic model is the one that records sparsities; real masks record none.
        if let column = r.columnSparsity {
            return "uniform column sparsity \(fraction(column)), weight sparsity \(fraction(r.weightSparsity ?? 0)), M = \(r.totals.inferences) inference(s)"
        }
        return "masks from \(r.activitySource), M = \(r.totals.inferences) inference(s)"
    }

    static func layerTable(_ r: HardwareReport) -> [String] {
        var rows: [[String]] = [["#", "layer", "in", "Cin→Cout", "k/s", "K", "chunks", "arrays", "PEs", "util", "mask vals", "active", "E µJ", "reprog µJ"]]
        for (i, l) in r.layers.enumerated() {
            rows.append([String(i + 1), l.name, "\(l.inputHeight)x\(l.inputWidth)", "\(l.inputChannels)→\(l.outputChannels)",
                         "\(l.kernelHeight)x\(l.kernelWidth)/\(l.stride)", ReportFormat.grouped(l.unrolledRows), "\(l.rowChunks)x\(l.columnChunks)",
                         ReportFormat.grouped(l.arrays), ReportFormat.grouped(l.pes), percent(l.utilization), ReportFormat.grouped(l.maskValues), percent(l.activeColumnFraction),
                         String(format: "%.3f", l.inferenceEnergyMicrojoules), String(format: "%.3g", l.reprogrammingEnergyMicrojoules)])
        }
        return table(rows, rightAligned: Set([0, 5, 7, 8, 9, 10, 11, 12, 13]))
    }

    static func totals(_ r: HardwareReport) -> [String] {
        let t = r.totals
        var out: [String] = []
        out.append("method \(r.methodDescription)")
        out.append("  layers \(t.layers), arrays \(ReportFormat.grouped(t.arrays)), PEs \(ReportFormat.grouped(t.pes)) + \(ReportFormat.grouped(t.sparePEs)) spare, utilization \(percent(t.utilization)), weights \(ReportFormat.grouped(t.weights)), MACs \(ReportFormat.grouped(t.macs))")
        out.append("  backbone \(ReportFormat.bytes(Double(t.backboneBytes))) at \(r.geometry.weightBits) bits")
        let m = r.maskMemory
        var parts: [String] = []
        if m.columnMaskBits > 0 { parts.append("column mask \(ReportFormat.grouped(m.columnMaskBits)) b") }
        if m.peBitmapBits > 0 { parts.append("PE bitmap \(ReportFormat.grouped(m.peBitmapBits)) b") }
        if m.weightBits > 0 { parts.append("weights \(ReportFormat.grouped(m.weightBits)) b") }
        out.append("  task memory: \(ReportFormat.grouped(t.maskValues)) values, \(ReportFormat.grouped(t.maskBits)) bits = \(ReportFormat.bytes(Double(t.maskBytes))) (\(String(format: "%.3f", t.maskOverheadPercent)) % of backbone)\(parts.isEmpty ? "" : "; " + parts.joined(separator: ", "))\(t.maskBufferBits > 0 ? "; mask buffers on chip \(ReportFormat.grouped(t.maskBufferBits)) b" : "")")
        out.append("  inference energy \(String(format: "%.3f", t.inferenceEnergyMicrojoules)) µJ/image (arrays \(String(format: "%.3f", t.arrayEnergyMicrojoules)) µJ)")
        out.append("    " + r.energyMicrojoules.components.filter { $0.1 > 0 }.map { "\($0.0) \(String(format: "%.3f", $0.1))" }.joined(separator: ", "))
        out.append("  re-programming \(ReportFormat.grouped(t.reprogrammedCells)) cells\(t.reprogrammedPEs > 0 ? " in \(t.reprogrammedPEs) PEs" : ""), \(String(format: "%.3f", t.reprogrammingEnergyMicrojoules)) µJ (cell 0→\(r.writeEnergyFromLevelZeroPicojoules.count): \(String(format: "%.1f", r.writeEnergyFromLevelZeroPicojoules.last ?? 0)) pJ); (M·E_inf + E_reprog)/(M·E_inf) = \(String(format: "%.3f", t.totalOverInferenceEnergy)) for M = \(t.inferences)")
        out.append("  area \(String(format: "%.3f", t.areaSquareMillimeters)) mm²")
        out.append("    " + r.areaSquareMillimeters.components.filter { $0.1 > 0 }.map { "\($0.0) \(String(format: "%.3f", $0.1))" }.joined(separator: ", "))
        return out
    }

    static func comparison(_ reports: [HardwareReport]) -> [String] {
        var rows: [[String]] = [["method", "mask values", "mask bytes", "overhead", "E_inf µJ", "array µJ", "reprog cells", "reprog µJ", "total/inf", "area mm²"]]
        for r in reports {
            let t = r.totals
            rows.append([r.methodDescription, ReportFormat.grouped(t.maskValues), ReportFormat.bytes(Double(t.maskBytes)), String(format: "%.3f %%", t.maskOverheadPercent),
                         String(format: "%.3f", t.inferenceEnergyMicrojoules), String(format: "%.3f", t.arrayEnergyMicrojoules),
                         ReportFormat.grouped(t.reprogrammedCells), String(format: "%.1f", t.reprogrammingEnergyMicrojoules),
                         String(format: "%.2f", t.totalOverInferenceEnergy), String(format: "%.2f", t.areaSquareMillimeters)])
        }
        var out = table(rows, rightAligned: Set(1...9))
        let first = reports[0].totals
        out.append("")
        out.append("arrays \(ReportFormat.grouped(first.arrays)), PEs \(ReportFormat.grouped(first.pes)) + \(ReportFormat.grouped(first.sparePEs)) spare, weights \(ReportFormat.grouped(first.weights)), backbone \(ReportFormat.bytes(Double(first.backboneBytes))); M = \(first.inferences)")
        return out
    }

    /// Total/inference energy per method and write model at M = 1 … 10⁶ (XMA2 Fig. 5); `*` marks the model the totals use.
    static func totalOverInferenceByM(_ reports: [HardwareReport]) -> [String] {
        let decades = WriteModelEstimate.decades
        var rows: [[String]] = [["method", "write model", "reprog µJ"] + decades.map { "M=1e\(Int(log10(Double($0))))" }]
        for r in reports {
            for e in r.writeModels {
                rows.append([r.methodDescription, e.writeModel.rawValue + (e.writeModel == r.writeModel ? "*" : ""),
                             String(format: "%.4g", e.reprogrammingEnergyMicrojoules)]
                            + e.totalOverInferenceEnergyByM.map { String(format: "%.4g", $0.totalOverInferenceEnergy) })
            }
        }
        return ["(M·E_inf + E_reprog)/(M·E_inf) by M and write model (* = used in the totals above):"]
            + table(rows, rightAligned: Set(2..<(3 + decades.count)))
    }

    // MARK: formatting

    static func table(_ rows: [[String]], rightAligned: Set<Int>) -> [String] {
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max() ?? 0 }
        return rows.enumerated().flatMap { i, row -> [String] in
            let line = row.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return rightAligned.contains(c) ? pad + cell : cell + pad
            }.joined(separator: "  ")
            return i == 0 ? [line, String(repeating: "-", count: line.count)] : [line]
        }
    }

    static func percent(_ x: Double) -> String { String(format: "%.1f%%", x * 100) }

    static func fraction(_ x: Double) -> String { String(format: "%g", x) }
}
