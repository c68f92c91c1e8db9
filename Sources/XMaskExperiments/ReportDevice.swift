import Foundation
import XMaskCrossbar

/// What a device point varies, for the report's two sweeps.
enum DeviceSweep: Equatable {
    /// Only stuck-at faults: the total stuck rate.
    case stuck(rate: Double)
    /// Only programming and/or read noise: RMS over the cell levels of the total σ (fraction of g_max).
    case noise(sigma: Double)
    /// Anything else (drift, faults and noise together): tables only.
    case other
}

extension DeviceModel {
    var drifts: Bool { driftSeconds > 0 && (driftNuMean != 0 || driftNuStd != 0) }

    /// The RMS over the `cellLevels` levels of `√(σ_programming² + σ_read²)`, fraction of g_max.
    func rmsSigma(cellLevels: Int) -> Double {
        let squares = (0..<cellLevels).map { l in pow(programmingSigma(level: l, cellLevels: cellLevels), 2) + readSigma * readSigma }
        return (squares.reduce(0, +) / Double(cellLevels)).squareRoot()
    }

    func sweep(cellLevels: Int) -> DeviceSweep {
        let faults = stuckLowRate + stuckHighRate
        let sigma = rmsSigma(cellLevels: cellLevels)
        if drifts || (faults > 0 && sigma > 0) { return .other }
        if faults > 0 { return .stuck(rate: faults) }
        return sigma > 0 ? .noise(sigma: sigma) : .other
    }

    /// A short description of the effects: `stuck 1 %`, `σ 5 % of g_max (RMS)`, `drift 1 day`.
    func effects(cellLevels: Int) -> String {
        var parts: [String] = []
        let programming = programmingPolynomial.contains { $0 != 0 } && programmingScale != 0
        let plain = levelSigma.contains { $0 != 0 }
        if programming || plain {
            let rms = (0..<cellLevels).map { pow(programmingSigma(level: $0, cellLevels: cellLevels), 2) }.reduce(0, +) / Double(cellLevels)
            parts.append((programming ? "programming σ(g) fit" + (plain ? " + Gaussian" : "") : "Gaussian programming")
                         + ", RMS σ \(String(format: "%.2f", 100 * rms.squareRoot())) % of g_max")
        }
        if readSigma > 0 { parts.append("read σ \(formatNumber(100 * readSigma)) %") }
        if stuckLowRate + stuckHighRate > 0 {
            parts.append("stuck \(formatNumber(100 * (stuckLowRate + stuckHighRate))) % (low \(formatNumber(100 * stuckLowRate)) %, high \(formatNumber(100 * stuckHighRate)) %)")
        }
        if drifts { parts.append("drift to \(formatNumber(driftSeconds)) s, ν \(formatNumber(driftNuMean)) ± \(formatNumber(driftNuStd))") }
        return parts.isEmpty ? "ideal" : parts.joined(separator: "; ")
    }
}

extension StudyResult {
    /// Accuracy of `method` (label) in every trial of `run`, mean over the study's tasks.
    func deviceTrials(_ run: DeviceStudyRun, method: String) -> [Double]? {
        let results = run.evaluation.tasks.filter { r in cells.contains { $0.bundleTask == r.task && $0.method == method } }
        guard !results.isEmpty else { return nil }
        return (0..<run.evaluation.trials).map { t in results.map { $0.accuracies[t] }.reduce(0, +) / Double(results.count) }
    }

    /// Ideal-cell accuracy of `method` on `run`'s test images, mean over tasks.
    func deviceIdeal(_ run: DeviceStudyRun, method: String) -> Double? {
        let results = run.evaluation.tasks.filter { r in cells.contains { $0.bundleTask == r.task && $0.method == method } }
        return results.isEmpty ? nil : results.map(\.idealAccuracy).reduce(0, +) / Double(results.count)
    }

    func deviceSummary(_ run: DeviceStudyRun, method: String) -> (mean: Double, std: Double)? {
        deviceTrials(run, method: method).map(meanAndStd)
    }

    static func meanStd(_ s: (mean: Double, std: Double)?) -> String {
        s.map { ReportFormat.percentMeanStd($0.mean, $0.std) } ?? "—"
    }

    var deviceCellLevels: Int { plan.geometry.cellLevels }

    /// The device section's tables (none without one): mean over tasks per method, per task, and
    /// what BN re-estimation recovers.
    func deviceTables() -> [ReportTable] {
        guard let runs = device, let first = runs.first else { return [] }
        let methods = methodLabels
        let levels = deviceCellLevels
        let trials = first.evaluation.trials
        let images = Set(first.evaluation.testImages.values).sorted().map(String.init).joined(separator: "/")
        var rows: [[String]] = [["ideal cells", "—", "—"] + methods.map { m in deviceIdeal(first, method: m).map(ReportFormat.percent) ?? "—" }]
        for r in runs {
            rows.append([r.point, r.evaluation.model.effects(cellLevels: levels), "\(r.recalibrationBatches)"]
                        + methods.map { Self.meanStd(deviceSummary(r, method: $0)) })
        }
        var tables = [ReportTable(
            kind: .device, title: "Devices: accuracy (%) on non-ideal ReRAM cells, mean ± std over \(trials) chips (mean over tasks)",
            header: ["device", "effects", "BN re-estimation batches"] + methods.map(methodDescription), rows: rows,
            note: "Per trial one chip is drawn (seed \(first.evaluation.seed)) and every task of every method is installed on it, its re-programmed cells drawn afresh; a trial's accuracy is the mean over tasks, on \(images) test images per task" + (first.testSubset.map { " (a stratified sample of \($0), seed \(first.evaluation.seed))" } ?? "") + ". 'ideal cells' is the same images on ideal cells. RMS σ: over the \(levels) cell levels, fraction of g_max (level spacing \(formatNumber((100.0 / Double(levels - 1) * 10).rounded() / 10)) %).")]

        var perTask: [[String]] = []
        for t in taskNames {
            perTask.append([t, "ideal cells", "—"] + methods.map { m in
                cell(task: t, method: m).flatMap { c in first.evaluation.tasks.first { $0.task == c.bundleTask } }.map { ReportFormat.percent($0.idealAccuracy) } ?? "—"
            })
            for r in runs {
                perTask.append([t, r.point, "\(r.recalibrationBatches)"] + methods.map { m in
                    cell(task: t, method: m).flatMap { c in r.evaluation.tasks.first { $0.task == c.bundleTask } }
                        .map { Self.meanStd(($0.mean, $0.std)) } ?? "—"
                })
            }
        }
        tables.append(ReportTable(kind: .device, title: "Devices: accuracy (%) per task, mean ± std over \(trials) chips",
                                  header: ["task", "device", "BN re-estimation batches"] + methods.map(methodDescription), rows: perTask, note: nil))

        var recovery: [[String]] = []
        for r in runs where r.recalibrationBatches > 0 {
            guard let base = runs.first(where: { $0.point == r.point && $0.recalibrationBatches == 0 }) else { continue }
            recovery.append([r.point, "\(r.recalibrationBatches)"] + methods.map { m in
                guard let ideal = deviceIdeal(r, method: m), let without = deviceSummary(base, method: m), let with = deviceSummary(r, method: m) else { return "—" }
                let lost = ideal - without.mean
                let share = lost > 0 ? String(format: ", %.0f %% of the loss", 100 * (with.mean - without.mean) / lost) : ""
                return String(format: "%.2f → %.2f (%@%@)", 100 * without.mean, 100 * with.mean, ReportFormat.signedPoints(with.mean - without.mean), share)
            })
        }
        if !recovery.isEmpty {
            tables.append(ReportTable(
                kind: .device, title: "Devices: what per-task BN re-estimation on the chip recovers (accuracy %, mean over tasks and chips)",
                header: ["device", "BN re-estimation batches"] + methods.map(methodDescription), rows: recovery,
                note: "Without → with re-estimating every batch-norm layer's running statistics from that many unlabeled training batches on the same chips; the share is of the loss against ideal cells."))
        }
        return tables
    }

    /// Accuracy against the stuck-at rate and against the noise level, one line per method, the
    /// ideal point first; runs without BN re-estimation only (nil: no such points).
    func deviceCharts() -> [(svg: String, caption: String)] {
        guard let runs = device?.filter({ $0.recalibrationBatches == 0 }), let first = device?.first else { return [] }
        let levels = deviceCellLevels
        let methods = methodLabels
        var out: [(String, String)] = []
        func chart(_ points: [(x: Double, label: String, run: DeviceStudyRun)], title: String, xTitle: String, caption: String, indexed: Bool) {
            guard !points.isEmpty else { return }
            let sorted = points.sorted { ($0.x, $0.label) < ($1.x, $1.label) }
            let x = (0...sorted.count).map { i in indexed ? Double(i) : (i == 0 ? 0 : 100 * sorted[i - 1].x) }
            let series = methods.map { m in
                ReportChart.Series(name: methodDescription(m),
                                   values: [deviceIdeal(first, method: m).map { 100 * $0 }] + sorted.map { p in deviceSummary(p.run, method: m).map { 100 * $0.mean } })
            }
            let values = series.flatMap { $0.values.compactMap { $0 } }
            let lo = max(0, floor(((values.min() ?? 0) - 2) / 5) * 5)
            let ticks = zip(x, ["ideal"] + sorted.map(\.label)).map { ($0, $1) }
            out.append((ReportChart.lines(title: title, x: x, xTicks: ticks, series: series,
                                          axis: ReportChart.ValueAxis(title: "test accuracy (%)", minimum: lo, maximum: 100) { String(format: "%g", $0) },
                                          xTitle: xTitle), caption))
        }
        var stuck: [(Double, String, DeviceStudyRun)] = [], noise: [(Double, String, DeviceStudyRun)] = []
        for r in runs {
            switch r.evaluation.model.sweep(cellLevels: levels) {
            // Short tick labels (a long one at the right end would be cut); the captions name the points.
            case .stuck(let rate): stuck.append((rate, "\(formatNumber(100 * rate)) %", r))
            case .noise(let sigma): noise.append((sigma, "\(String(format: "%.1f", 100 * sigma)) %", r))
            case .other: break
            }
        }
        let trials = first.evaluation.trials
        func named(_ points: [(x: Double, label: String, run: DeviceStudyRun)]) -> String {
            points.sorted { $0.x < $1.x }.map { "\($0.run.point) \($0.label)" }.joined(separator: ", ")
        }
        chart(stuck, title: "Accuracy vs stuck-at fault rate", xTitle: "cells stuck at g_min or g_max (evenly spaced, not to scale)",
              caption: "Mean over tasks and \(trials) chips of each method's accuracy at each stuck-at rate (\(named(stuck))), the ideal chip first; no BN re-estimation. The std over chips is in the table below.",
              indexed: true)
        chart(noise, title: "Accuracy vs programming noise", xTitle: "RMS conductance error σ over the cell levels (% of g_max)",
              caption: "Mean over tasks and \(trials) chips of each method's accuracy against the noise level (x to scale; \(named(noise))), the ideal chip at 0; no BN re-estimation. The std over chips is in the table below.",
              indexed: false)
        return out
    }
}
