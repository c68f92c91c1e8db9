import Foundation

// Report parts for studies with several seeds, the accuracy–cost Pareto fronts and the
// accuracy matrix (Avalanche's acc_matrix) with forgetting and backward transfer.

extension StudyResult {
    // MARK: Seeds

    /// The cells of one (task, method) pair, one per seed.
    func seedCells(task: String, method: String) -> [StudyCell] { cells.filter { $0.task == task && $0.method == method } }

    /// The seeds of the study's cells in order (one `nil` for studies made before seeds were recorded).
    var cellSeeds: [UInt64?] { cells.reduce(into: [UInt64?]()) { if !$0.contains($1.seed) { $0.append($1.seed) } } }

    /// More than one seed per (task, method): tables then show mean ± std over the seeds.
    var hasSeeds: Bool { cellSeeds.count > 1 }

    /// Mean of `f` over the seeds of (task, method); nil when the pair is not in the study.
    func seedMean(task: String, method: String, _ f: (StudyCell) -> Double) -> Double? {
        let cs = seedCells(task: task, method: method)
        return cs.isEmpty ? nil : cs.map(f).reduce(0, +) / Double(cs.count)
    }


    /// Accuracy (%) of (task, method): the value, or with several seeds "mean ± std" over them.
    func accuracyText(task: String, method: String) -> String {
        let cs = seedCells(task: task, method: method)
        guard !cs.isEmpty else { return "—" }
        guard hasSeeds else { return ReportFormat.percent(cs[0].accuracy) }
        let (m, s) = meanAndStd(cs.map(\.accuracy))
        return ReportFormat.percentMeanStd(m, s)
    }

    /// Mean accuracy (%) of a method over tasks; with several seeds "mean ± std" of the per-seed means over tasks.
    func meanAccuracyText(method: String) -> String {
        guard let all = mean(method, \.accuracy) else { return "—" }
        guard hasSeeds else { return ReportFormat.percent(all) }
        let perSeed = cellSeeds.compactMap { seed -> Double? in
            let cs = cells(method: method).filter { $0.seed == seed }
            return cs.isEmpty ? nil : cs.map(\.accuracy).reduce(0, +) / Double(cs.count)
        }
        let (m, s) = meanAndStd(perSeed)
        return ReportFormat.percentMeanStd(m, s)
    }

    /// With several seeds: the seed-to-seed spread of every method's accuracy (one row per task).
    func seedTable() -> ReportTable? {
        guard hasSeeds else { return nil }
        let methods = methodLabels
        var rows: [[String]] = taskNames.map { t in [t] + methods.map { accuracyText(task: t, method: $0) } }
        let footer = rows.count
        rows.append(["mean over tasks"] + methods.map(meanAccuracyText))
        return ReportTable(
            kind: .seeds, title: "Test accuracy (%) over \(cellSeeds.count) seeds: mean ± std", header: ["task"] + methods.map(methodDescription),
            rows: rows, footerStart: footer,
            note: "Seeds \(cellSeeds.map { $0.map(String.init) ?? "?" }.joined(separator: ", ")): each seed draws the head initialisation, mask noise and batch order of every task (the backbone is the same). ± is the sample standard deviation over seeds (n − 1); the footer's is that of the per-seed means over tasks. Other tables show means over seeds.")
    }

    // MARK: Pareto fronts

    /// The methods no other method beats in both coordinates: at most the cost and at least the
    /// accuracy, one of them strictly. `points` are (label, cost, accuracy).
    static func paretoFront(_ points: [(label: String, cost: Double, accuracy: Double)]) -> Set<String> {
        Set(points.filter { p in
            !points.contains { q in q.cost <= p.cost && q.accuracy >= p.accuracy && (q.cost < p.cost || q.accuracy > p.accuracy) }
        }.map(\.label))
    }

    /// One point per method (means over tasks and seeds): accuracy, mask bytes, inference energy per image.
    var methodPoints: [(label: String, accuracy: Double, bytes: Double, energy: Double)] {
        methodLabels.compactMap { m in
            guard let a = mean(m, \.accuracy), let b = mean(m, { Double($0.maskBytes) }), let e = mean(m, \.inferenceEnergyMicrojoules) else { return nil }
            return (m, a, b, e)
        }
    }

    func paretoTable() -> ReportTable {
        let points = methodPoints
        let byBytes = Self.paretoFront(points.map { ($0.label, $0.bytes, $0.accuracy) })
        let byEnergy = Self.paretoFront(points.map { ($0.label, $0.energy, $0.accuracy) })
        let rows: [[String]] = points.map { p in
            [methodDescription(p.label), ReportFormat.percent(p.accuracy), ReportFormat.grouped(Int(p.bytes.rounded())), ReportFormat.significant(p.energy),
             byBytes.contains(p.label) ? "yes" : "no", byEnergy.contains(p.label) ? "yes" : "no"]
        }
        return ReportTable(
            kind: .pareto, title: "Accuracy against mask memory and inference energy: the Pareto fronts",
            header: ["method", "mean accuracy (%)", "mask bytes", "inference µJ/image", "on the accuracy–bytes front", "on the accuracy–energy front"],
            rows: rows,
            note: "One point per method, means over tasks\(hasSeeds ? " and seeds" : ""). A method is on a front when no other has at most its cost (mask bytes, or inference energy per image) and at least its accuracy, one of them strictly.")
    }

    /// Accuracy against a cost, one labelled point per method, the front joined by a step line.
    func paretoChart(energy: Bool) -> String {
        let points: [(label: String, cost: Double, accuracy: Double)] = methodPoints.map { p in
            (label: p.label, cost: energy ? p.energy : p.bytes, accuracy: 100 * p.accuracy)
        }
        let front = Self.paretoFront(points)
        let costs: [Double] = points.map(\.cost).filter { $0 > 0 }
        let spread: Double = (costs.max() ?? 1) / max(costs.min() ?? 1, 1e-12)
        let log = spread > 30
        let format: (Double) -> String = { x in energy ? String(format: "%g", x) : ReportFormat.bytes(x) }
        // A linear axis starts a little below the cheapest method, not at 0 (the costs may lie close together).
        let low: Double = costs.min() ?? 0, high: Double = costs.max() ?? 1
        let xAxis = ReportChart.ValueAxis(title: energy ? "inference energy per image (µJ)" : "mask bytes per task", scale: log ? .log : .linear,
                                          minimum: log ? nil : max(0, low - 0.1 * max(high - low, 0.01 * high)), format: format)
        let lowest: Double = points.map(\.accuracy).min() ?? 0
        let yAxis = ReportChart.ValueAxis(title: "mean test accuracy (%)", minimum: max(0, floor((lowest - 2) / 5) * 5), maximum: 100) { String(format: "%g", $0) }
        let marked: [(label: String, x: Double, y: Double, front: Bool)] = points.map { p in
            (label: methodDescription(p.label), x: p.cost, y: p.accuracy, front: front.contains(p.label))
        }
        return ReportChart.scatter(title: "Mean accuracy against \(energy ? "inference energy per image" : "mask bytes"), one point per method",
                                   points: marked, xAxis: xAxis, yAxis: yAxis)
    }

    // MARK: Accuracy matrix

    /// Avalanche's acc_matrix for the tasks learned with one method: entry [i][j] is the accuracy
    /// of task j (0 = the backbone's own task) at evaluation point i (after task i was added).
    public struct AccuracyMatrix: Sendable, Equatable {
        public var method: String
        /// The backbone's task, then the study's tasks in order.
        public var tasks: [String]
        /// Lower triangle: `values[i][j]` for j ≤ i, nil above the diagonal (not yet learned).
        public var values: [[Double?]]
        /// Mean over j < T of max over l < T of R[l][j] − R[T][j] (T = the last point).
        public var forgetting: Double?
        /// Backward transfer: mean over j < T of R[T][j] − R[j][j].
        public var backwardTransfer: Double?
        /// Mean of the last row.
        public var finalAccuracy: Double
    }

    /// One matrix per method, from the accuracies recorded when each task was added (the
    /// diagonal) and the re-evaluation after the last task (every later point; see the table's note).
    public func accuracyMatrices() -> [AccuracyMatrix] {
        guard let backboneRow = forgetting.first(where: \.isBackbone) else { return [] }
        let byTask = Dictionary(forgetting.filter { !$0.isBackbone }.map { ($0.task, $0) }, uniquingKeysWith: { a, _ in a })
        return methodLabels.compactMap { m -> AccuracyMatrix? in
            // (accuracy when added, accuracy after the last task), means over seeds.
            var columns: [(added: Double, final: Double)] = [(backboneRow.accuracyWhenAdded ?? backboneRow.accuracyNow, backboneRow.accuracyNow)]
            for t in taskNames {
                let evaluations = seedCells(task: t, method: m).compactMap { byTask[$0.bundleTask] }
                guard !evaluations.isEmpty else { return nil }
                let n = Double(evaluations.count)
                columns.append((evaluations.map { $0.accuracyWhenAdded ?? $0.accuracyNow }.reduce(0, +) / n,
                                evaluations.map(\.accuracyNow).reduce(0, +) / n))
            }
            let count = columns.count, last = count - 1
            let values: [[Double?]] = (0..<count).map { i in
                (0..<count).map { j in j > i ? nil : j == i ? (i == last ? columns[j].final : columns[j].added) : columns[j].final }
            }
            let earlier = 0..<last
            let forgetting = earlier.isEmpty ? nil : earlier.map { j in
                (j..<last).compactMap { values[$0][j] }.max()! - values[last][j]!
            }.reduce(0, +) / Double(last)
            let bwt = earlier.isEmpty ? nil : earlier.map { j in values[last][j]! - values[j][j]! }.reduce(0, +) / Double(last)
            return AccuracyMatrix(method: m, tasks: [backbone.task] + taskNames, values: values, forgetting: forgetting, backwardTransfer: bwt,
                                  finalAccuracy: values[last].compactMap { $0 }.reduce(0, +) / Double(count))
        }
    }

    /// The per-method summary (final accuracy, forgetting, BWT), then one matrix per method.
    func accuracyMatrixTables() -> [ReportTable] {
        let matrices = accuracyMatrices()
        guard !matrices.isEmpty else { return [] }
        let identical = forgetting.compactMap(\.logitsIdentical)
        var tables = [ReportTable(
            kind: .accuracyMatrix, title: "Continual learning: final accuracy, forgetting and backward transfer per method",
            header: ["method", "final mean accuracy (%)", "forgetting", "BWT"],
            rows: matrices.map { [methodDescription($0.method), ReportFormat.percent($0.finalAccuracy),
                                  $0.forgetting.map(ReportFormat.signedPoints) ?? "—", $0.backwardTransfer.map(ReportFormat.signedPoints) ?? "—"] },
            note: "From each method's accuracy matrix below (Avalanche's acc_matrix: row i = after task i was added, column j = task j, the backbone's own task first). Forgetting = mean over the earlier tasks of (best earlier accuracy − final accuracy); BWT = mean of (final − when added). Final mean accuracy averages the last row, the backbone's task included.")]
        for m in matrices {
            let rows: [[String]] = m.values.enumerated().map { i, row in
                [i == 0 ? "after pre-training (\(m.tasks[0]))" : "after + \(m.tasks[i])"] + row.map { $0.map(ReportFormat.percent) ?? "" }
            }
            tables.append(ReportTable(
                kind: .accuracyMatrix, title: "Accuracy matrix (%), \(methodDescription(m.method))", header: ["evaluated"] + m.tasks, rows: rows,
                note: m.method == matrices.last?.method
                    ? "The diagonal is each task's accuracy when it was added; the last row is the re-evaluation after the study's last task (\(identical.filter { $0 }.count) of \(identical.count) tasks with bit-identical logits). Entries between are that re-evaluation's: nothing of a task is written after it is added (its file's SHA-256 is checked on every load, the backbone is frozen), so every later evaluation computes the same logits."
                    : nil))
        }
        return tables
    }
}

extension ReportChart {
    /// Points on numeric x and y axes, one colour per point (named in the legend above); the points marked `front` are drawn filled and
    /// joined in x order by a step line (a Pareto front: the best accuracy for at most that cost).
    static func scatter(title: String, points: [(label: String, x: Double, y: Double, front: Bool)], xAxis: ValueAxis, yAxis: ValueAxis) -> String {
        // The legend names the methods by colour (labels beside the points would collide).
        let (legendSVG, legendHeight) = legend(points.map(\.label), top: 8, lines: false)
        let top = 8 + legendHeight + 14
        let map = YMap(axis: yAxis, values: points.map(\.y), top: top, height: plotHeight)
        let plotRight = width - right - 150
        // x: the same tick rules as the value axes, mapped horizontally.
        let xmap = YMap(axis: xAxis, values: points.map(\.x), top: 0, height: 1)
        func px(_ v: Double) -> Double { left + 12 + (1 - xmap.y(v)) * (plotRight - left - 24) }
        var body = legendSVG + valueAxis(map, axis: yAxis, plotRight: plotRight)
        let baseY = map.top + map.height
        for t in xmap.ticks {
            let x = px(t)
            body += "<line x1=\"\(f(x))\" y1=\"\(f(top))\" x2=\"\(f(x))\" y2=\"\(f(baseY))\" stroke=\"#eeeeee\"/>"
            body += "<line x1=\"\(f(x))\" y1=\"\(f(baseY))\" x2=\"\(f(x))\" y2=\"\(f(baseY + 5))\" stroke=\"#555\"/>"
            body += "<text class=\"tick\" x=\"\(f(x))\" y=\"\(f(baseY + 18))\" text-anchor=\"middle\">\(escape(xAxis.format(t)))</text>"
        }
        let front = points.filter(\.front).sorted { $0.x < $1.x }
        if front.count > 1 {
            var path: [String] = ["\(f(px(front[0].x))),\(f(map.y(front[0].y)))"]
            for (a, b) in zip(front, front.dropFirst()) {
                path.append("\(f(px(b.x))),\(f(map.y(a.y))) \(f(px(b.x))),\(f(map.y(b.y)))")
            }
            body += "<polyline fill=\"none\" stroke=\"#e15759\" stroke-width=\"2\" stroke-dasharray=\"6 3\" points=\"\(path.joined(separator: " "))\"/>"
        }
        for (i, p) in points.enumerated() {
            let color = palette[i % palette.count]
            let x = px(p.x), y = map.y(p.y)
            body += "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"\(p.front ? "6" : "4.5")\" fill=\"\(p.front ? color : "#ffffff")\" stroke=\"\(color)\" stroke-width=\"2\"><title>\(escape(p.label)): \(escape(xAxis.format(p.x))), \(escape(yAxis.format(p.y))) %\(p.front ? " (on the front)" : "")</title></circle>"
        }
        body += "<text class=\"axis\" x=\"\(f((left + plotRight) / 2))\" y=\"\(f(baseY + 40))\" text-anchor=\"middle\">\(escape(xAxis.title + (xAxis.scale == .log ? " (log scale)" : "")))</text>"
        body += "<line x1=\"\(f(plotRight + 16))\" y1=\"\(f(top + 10))\" x2=\"\(f(plotRight + 40))\" y2=\"\(f(top + 10))\" stroke=\"#e15759\" stroke-width=\"2\" stroke-dasharray=\"6 3\"/>"
        body += "<text x=\"\(f(plotRight + 46))\" y=\"\(f(top + 14))\">Pareto front</text>"
        body += "<circle cx=\"\(f(plotRight + 28))\" cy=\"\(f(top + 30))\" r=\"4.5\" fill=\"#ffffff\" stroke=\"#555\" stroke-width=\"2\"/>"
        body += "<text x=\"\(f(plotRight + 46))\" y=\"\(f(top + 34))\">dominated</text>"
        return wrap(body, height: baseY + 52, title: title)
    }
}
