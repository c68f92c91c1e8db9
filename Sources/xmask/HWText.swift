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
            if showLayers { out.append(""); out += first.layersTable.textLines() }
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
        var out = HardwareReport.methodsTable(reports).textLines()
        let first = reports[0].totals
        out.append("")
        out.append("arrays \(ReportFormat.grouped(first.arrays)), PEs \(ReportFormat.grouped(first.pes)) + \(ReportFormat.grouped(first.sparePEs)) spare, weights \(ReportFormat.grouped(first.weights)), backbone \(ReportFormat.bytes(Double(first.backboneBytes))); M = \(first.inferences)")
        return out
    }

    /// Total/inference energy per method and write model at M = 1 … 10⁶ (XMA2 Fig. 5).
    static func totalOverInferenceByM(_ reports: [HardwareReport]) -> [String] {
        let table = HardwareReport.totalOverInferenceTable(reports)
        return [table.title + ":"] + table.textLines()
    }

    // MARK: formatting

    static func percent(_ x: Double) -> String { String(format: "%.1f%%", x * 100) }

    static func fraction(_ x: Double) -> String { String(format: "%g", x) }
}
