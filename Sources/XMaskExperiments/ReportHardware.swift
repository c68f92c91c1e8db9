import Foundation
import XMaskCrossbar

/// The tables of an `xmask hw` report, for its text and HTML renderings (``ReportTable/textLines()``,
/// ``ReportTable/html()``): the same numbers in the same formats as a study's report.
extension HardwareReport {
    /// One row per mapped layer: shape, row/column chunks, arrays, PEs, utilisation, mask values, energy.
    public var layersTable: ReportTable {
        let header = ["#", "layer", "in", "Cin→Cout", "k/s", "K", "chunks", "arrays", "PEs", "util", "mask vals", "active", "E µJ", "reprog µJ"]
        let rows = layers.enumerated().map { i, l in
            [String(i + 1), l.name, "\(l.inputHeight)x\(l.inputWidth)", "\(l.inputChannels)→\(l.outputChannels)",
             "\(l.kernelHeight)x\(l.kernelWidth)/\(l.stride)", ReportFormat.grouped(l.unrolledRows), "\(l.rowChunks)x\(l.columnChunks)",
             ReportFormat.grouped(l.arrays), ReportFormat.grouped(l.pes), Self.percent(l.utilization), ReportFormat.grouped(l.maskValues),
             Self.percent(l.activeColumnFraction), String(format: "%.3f", l.inferenceEnergyMicrojoules),
             String(format: "%.3g", l.reprogrammingEnergyMicrojoules)]
        }
        return ReportTable(kind: .hardwareLayers, title: "Layers of \(network) (\(methodDescription))", header: header, rows: rows,
                           leftAlignedColumns: [1, 2, 3, 4, 6])
    }

    /// One row per method: task memory, energy, re-programming, area.
    public static func methodsTable(_ reports: [HardwareReport]) -> ReportTable {
        let header = ["method", "mask values", "mask bytes", "overhead", "E_inf µJ", "array µJ", "reprog cells", "reprog µJ", "total/inf", "area mm²"]
        let rows = reports.map { r in
            let t = r.totals
            return [r.methodDescription, ReportFormat.grouped(t.maskValues), ReportFormat.bytes(Double(t.maskBytes)),
                    String(format: "%.3f %%", t.maskOverheadPercent), String(format: "%.3f", t.inferenceEnergyMicrojoules),
                    String(format: "%.3f", t.arrayEnergyMicrojoules), ReportFormat.grouped(t.reprogrammedCells),
                    String(format: "%.1f", t.reprogrammingEnergyMicrojoules), String(format: "%.2f", t.totalOverInferenceEnergy),
                    String(format: "%.2f", t.areaSquareMillimeters)]
        }
        return ReportTable(kind: .hardwareMethods, title: "Methods", header: header, rows: rows,
                           note: "total/inf = (M·E_inf + E_reprog)/(M·E_inf) for M = \(reports.first?.totals.inferences ?? 1).")
    }

    /// Total/inference energy per method and write model at M = 1 … 10⁶ (XMA2 Fig. 5); `*` marks
    /// the write model the totals use.
    public static func totalOverInferenceTable(_ reports: [HardwareReport]) -> ReportTable {
        let header = ["method", "write model", "reprog µJ"] + WriteModelEstimate.decades.map { "M=1e\(Int(log10(Double($0))))" }
        let rows = reports.flatMap { r in
            r.writeModels.map { e in
                [r.methodDescription, e.writeModel.rawValue + (e.writeModel == r.writeModel ? "*" : ""),
                 String(format: "%.4g", e.reprogrammingEnergyMicrojoules)]
                    + e.totalOverInferenceEnergyByM.map { String(format: "%.4g", $0.totalOverInferenceEnergy) }
            }
        }
        return ReportTable(kind: .hardwareTotalOverInferenceByM,
                           title: "(M·E_inf + E_reprog)/(M·E_inf) by M and write model (* = used in the totals above)",
                           header: header, rows: rows, leftAlignedColumns: [0, 1])
    }

    static func percent(_ x: Double) -> String { String(format: "%.1f%%", x * 100) }
}
