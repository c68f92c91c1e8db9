import Foundation
import XMaskMasks

/// The report's column-mask diagnostics section: present only when some cell has
/// ``StudyCell/columnMaskDiagnostics`` (studies made before them render as they did).
extension StudyResult {
    /// One row per column-mask cell: validation accuracy, gated and shifted columns, flips in the
    /// last quarter, mean |dp/dm| in the first and last bucket.
    func columnMaskDiagnosticsTable() -> ReportTable? {
        let rows: [[String]] = cells.compactMap { c in
            guard let d = c.columnMaskDiagnostics else { return nil }
            return [c.task, methodDescription(c.method), c.validationAccuracy.map(ReportFormat.percent) ?? "—",
                    ReportFormat.percent(d.gatedFraction), ReportFormat.percent(d.shiftedFraction),
                    ReportFormat.percent(d.lastQuarterFlippedFraction),
                    d.meanAbsSlopePerBucket.first.map(ReportFormat.significant) ?? "—",
                    d.meanAbsSlopePerBucket.last.map(ReportFormat.significant) ?? "—"]
        }
        guard !rows.isEmpty else { return nil }
        return ReportTable(
            kind: .columnMaskDiagnostics, title: "Column-mask diagnostics",
            header: ["task", "method", "validation acc. (%)", "gated columns (%)", "shifted columns (%)",
                     "values flipped in last quarter (%)", "mean |dp/dm|, first 5 %", "mean |dp/dm|, last 5 %"],
            rows: rows,
            note: "Gated / shifted: deployed columns at level 0 / at a shift level, mean over layers. Flipped: mask values whose sign (keep or drop) changed at least once in the last quarter of the steps. |dp/dm| = (β/T)·σ(βm/T)(1 − σ(βm/T)), mean over values and the steps of the first and last of 20 buckets; near 0, the masks no longer move.")
    }

    /// Per task, the flip-rate curves of its column-mask methods (HTML).
    func flipCurveCharts() -> [(task: String, chart: String)] {
        taskNames.compactMap { t in
            let series = columnMaskLabels.compactMap { m -> ReportChart.Series? in
                guard let d = cell(task: t, method: m)?.columnMaskDiagnostics else { return nil }
                return ReportChart.Series(name: methodDescription(m), values: d.flipRatePerBucket.map { 100 * $0 })
            }
            guard let count = series.map(\.values.count).max(), count > 0 else { return nil }
            let x = (0..<count).map { Double($0 + 1) / Double(count) * 100 }
            let ticks = stride(from: 25, through: 100, by: 25).map { (Double($0), "\($0) %") }
            return (t, ReportChart.lines(
                title: "Column-mask flips over training, \(t)", x: x, xTicks: ticks, series: series,
                axis: ReportChart.ValueAxis(title: "values flipped per step (%)", minimum: 0) { String(format: "%g", $0) },
                xTitle: "training progress"))
        }
    }
}
