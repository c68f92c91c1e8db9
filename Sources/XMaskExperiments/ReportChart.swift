import Foundation

/// Small SVG charts for the study report: grouped vertical bars on a linear or log10 value
/// axis, and line charts; each with axes, ticks, grid lines, axis titles and a legend. Plain
/// inline SVG (no script, no external font), 1080 px wide, scaling down with the page. Its
/// palette, escaping and coordinate format are the ones every xmask HTML page uses (the study
/// report and `xmask hw --html`).
public enum ReportChart {
    public static let palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]
    static let dashPatterns = ["", "6 3", "2 3"]
    static let width = 1080.0
    static let plotHeight = 300.0
    static let left = 84.0, right = 24.0

    public enum Scale: Equatable, Sendable { case linear, log }

    public struct Series {
        public var name: String
        public var values: [Double?]
        /// Per-bar colour overrides (bar charts), nil entries keep the series colour.
        public var colors: [String?]?

        public init(name: String, values: [Double?], colors: [String?]? = nil) {
            self.name = name
            self.values = values
            self.colors = colors
        }
    }

    public struct ValueAxis {
        var title: String
        var scale: Scale
        /// Tick label of a value.
        var format: (Double) -> String
        /// Linear axes: start at 0 unless a lower bound is given; an upper bound caps the axis.
        var minimum: Double?
        var maximum: Double?

        public init(title: String, scale: Scale = .linear, minimum: Double? = nil, maximum: Double? = nil, format: @escaping (Double) -> String) {
            self.title = title
            self.scale = scale
            self.minimum = minimum
            self.maximum = maximum
            self.format = format
        }
    }

    // MARK: Ticks

    /// Ticks at 1, 2 or 5 × 10^k covering [lo, hi], about `target` of them.
    static func linearTicks(_ lo: Double, _ hi: Double, target: Int = 5) -> [Double] {
        guard hi > lo, lo.isFinite, hi.isFinite else { return [lo, lo + 1] }
        let raw = (hi - lo) / Double(max(target, 1))
        let power = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= raw } ?? 10 * power
        let first = floor(lo / step + 1e-9) * step
        let last = ceil(hi / step - 1e-9) * step
        return stride(from: first, through: last + step / 2, by: step).map { abs($0) < step * 1e-9 ? 0 : $0 }
    }

    /// Decades 10^a … 10^b covering the positive values (at least one decade apart).
    static func logTicks(_ values: [Double]) -> [Double] {
        let positive = values.filter { $0 > 0 && $0.isFinite }
        guard let lo = positive.min(), let hi = positive.max() else { return [1, 10] }
        let a = Int(floor(log10(lo) + 1e-9)), b = max(Int(ceil(log10(hi) - 1e-9)), a + 1)
        return (a...b).map { pow(10, Double($0)) }
    }

    /// Maps values to y pixels (top = `top`, bottom = `top + height`).
    struct YMap {
        let scale: Scale
        let ticks: [Double]
        let top: Double
        let height: Double

        init(axis: ValueAxis, values: [Double], top: Double, height: Double) {
            scale = axis.scale
            switch axis.scale {
            case .log:
                ticks = ReportChart.logTicks(values)
            case .linear:
                let lo = axis.minimum ?? min(0, values.min() ?? 0)
                let top = values.max() ?? 1
                let hi = axis.maximum ?? (top > lo ? top : lo + 1)
                ticks = ReportChart.linearTicks(lo, hi).filter { axis.maximum == nil || $0 <= axis.maximum! + 1e-9 }
            }
            self.top = top
            self.height = height
        }

        var lo: Double { ticks.first ?? 0 }
        var hi: Double { ticks.last ?? 1 }

        func y(_ v: Double) -> Double {
            let t: Double
            switch scale {
            case .linear: t = (v - lo) / max(hi - lo, 1e-12)
            case .log: t = v > 0 ? (log10(v) - log10(lo)) / max(log10(hi) - log10(lo), 1e-12) : 0
            }
            return top + height * (1 - min(max(t, 0), 1))
        }
    }

    // MARK: Pieces

    static func legend(_ names: [String], top: Double, lines: Bool) -> (svg: String, height: Double) {
        var svg = "", x = left, y = top
        for (i, name) in names.enumerated() {
            let w = 30 + Double(name.count) * 7.2 + 18
            if x + w > width - right && x > left { x = left; y += 20 }
            let color = palette[i % palette.count]
            if lines {
                svg += "<line x1=\"\(f(x))\" y1=\"\(f(y + 6))\" x2=\"\(f(x + 22))\" y2=\"\(f(y + 6))\" stroke=\"\(color)\" stroke-width=\"2.5\"\(dash(i))/><circle cx=\"\(f(x + 11))\" cy=\"\(f(y + 6))\" r=\"3.5\" fill=\"\(color)\"/>"
            } else {
                svg += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"22\" height=\"12\" fill=\"\(color)\"\(hatch(i))/>"
            }
            svg += "<text x=\"\(f(x + 28))\" y=\"\(f(y + 10))\">\(escape(name))</text>"
            x += w
        }
        return (svg, y + 20 - top)
    }

    static func valueAxis(_ map: YMap, axis: ValueAxis, plotRight: Double) -> String {
        var svg = ""
        for t in map.ticks {
            let y = map.y(t)
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(plotRight))\" y2=\"\(f(y))\" stroke=\"#e3e3e3\"/>"
            svg += "<text class=\"tick\" x=\"\(f(left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(escape(axis.format(t)))</text>"
        }
        if map.scale == .log, map.ticks.count >= 2 {
            for k in 0..<(map.ticks.count - 1) {
                for m in 2...9 {
                    let y = map.y(map.ticks[k] * Double(m))
                    svg += "<line x1=\"\(f(left - 3))\" y1=\"\(f(y))\" x2=\"\(f(left))\" y2=\"\(f(y))\" stroke=\"#999\"/>"
                }
            }
        }
        svg += "<line x1=\"\(f(left))\" y1=\"\(f(map.top))\" x2=\"\(f(left))\" y2=\"\(f(map.top + map.height))\" stroke=\"#555\"/>"
        svg += "<line x1=\"\(f(left))\" y1=\"\(f(map.top + map.height))\" x2=\"\(f(plotRight))\" y2=\"\(f(map.top + map.height))\" stroke=\"#555\"/>"
        let midY = map.top + map.height / 2
        svg += "<text class=\"axis\" x=\"16\" y=\"\(f(midY))\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(f(midY)))\">\(escape(axis.title + (axis.scale == .log ? " (log scale)" : "")))</text>"
        return svg
    }

    /// Category labels below the plot; rotated when they do not fit their slot.
    static func categoryLabels(_ labels: [String], centers: [Double], slot: Double, top: Double) -> (svg: String, height: Double) {
        let longest = Double(labels.map(\.count).max() ?? 0) * 7.2
        let rotate = longest > slot - 4
        var svg = ""
        for (label, x) in zip(labels, centers) {
            if rotate {
                svg += "<text x=\"\(f(x + 4))\" y=\"\(f(top + 14))\" text-anchor=\"end\" transform=\"rotate(-35 \(f(x + 4)) \(f(top + 14)))\">\(escape(label))</text>"
            } else {
                svg += "<text x=\"\(f(x))\" y=\"\(f(top + 16))\" text-anchor=\"middle\">\(escape(label))</text>"
            }
        }
        return (svg, rotate ? min(longest * 0.6, 160) + 20 : 24)
    }

    static func wrap(_ body: String, height: Double, title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"\(f(width))\" height=\"\(f(height))\" viewBox=\"0 0 \(f(width)) \(f(height))\"><title>\(escape(title))</title>\(body)</svg>"
    }

    // MARK: Charts

    /// Vertical bars: one group per category, one bar per series in each group.
    public static func groupedBars(title: String, groups: [String], series: [Series], axis: ValueAxis, categoryTitle: String,
                            valueLabel: (Double) -> String) -> String {
        let (legendSVG, legendHeight) = legend(series.map(\.name), top: 8, lines: false)
        let top = 8 + legendHeight + 14
        let all = series.flatMap { $0.values.compactMap { $0 } }
        let map = YMap(axis: axis, values: all, top: top, height: plotHeight)
        let plotRight = width - right
        let slot = (plotRight - left) / Double(max(groups.count, 1))
        let barWidth = min(slot * 0.82 / Double(max(series.count, 1)), 64)
        var body = legendSVG + valueAxis(map, axis: axis, plotRight: plotRight)
        let baseY = map.top + map.height
        var centers: [Double] = []
        for (g, _) in groups.enumerated() {
            let center = left + slot * (Double(g) + 0.5)
            centers.append(center)
            let start = center - barWidth * Double(series.count) / 2
            for (s, ser) in series.enumerated() {
                guard g < ser.values.count, let v = ser.values[g] else { continue }
                let x = start + barWidth * Double(s)
                let y = map.y(v)
                body += "<rect x=\"\(f(x + 1))\" y=\"\(f(y))\" width=\"\(f(max(barWidth - 2, 1)))\" height=\"\(f(max(baseY - y, 0.5)))\" fill=\"\(barColor(ser, s, g))\"\(hatch(s))><title>\(escape(groups[g])), \(escape(ser.name)): \(escape(valueLabel(v)))</title></rect>"
                if barWidth >= 22 {
                    let label = valueLabel(v)
                    let ly = y - 4
                    if Double(label.count) * 6.2 <= barWidth + 6 {
                        body += "<text class=\"value\" x=\"\(f(x + barWidth / 2))\" y=\"\(f(ly))\" text-anchor=\"middle\">\(escape(label))</text>"
                    } else {
                        body += "<text class=\"value\" x=\"\(f(x + barWidth / 2 + 3))\" y=\"\(f(ly))\" transform=\"rotate(-90 \(f(x + barWidth / 2 + 3)) \(f(ly)))\">\(escape(label))</text>"
                    }
                }
            }
        }
        let (labels, labelHeight) = categoryLabels(groups, centers: centers, slot: slot, top: baseY)
        body += labels
        body += "<text class=\"axis\" x=\"\(f((left + plotRight) / 2))\" y=\"\(f(baseY + labelHeight + 16))\" text-anchor=\"middle\">\(escape(categoryTitle))</text>"
        return wrap(body, height: baseY + labelHeight + 26, title: title)
    }

    /// Lines with markers over numeric x positions; `xTicks` label the x axis.
    public static func lines(title: String, x: [Double], xTicks: [(Double, String)], series: [Series], axis: ValueAxis, xTitle: String) -> String {
        let (legendSVG, legendHeight) = legend(series.map(\.name), top: 8, lines: true)
        let top = 8 + legendHeight + 14
        let map = YMap(axis: axis, values: series.flatMap { $0.values.compactMap { $0 } }, top: top, height: plotHeight)
        let plotRight = width - right
        let xlo = x.min() ?? 0, xhi = x.max() ?? 1
        func px(_ v: Double) -> Double { left + 24 + (v - xlo) / max(xhi - xlo, 1e-12) * (plotRight - left - 48) }
        var body = legendSVG + valueAxis(map, axis: axis, plotRight: plotRight)
        let baseY = map.top + map.height
        for (s, ser) in series.enumerated() {
            let color = palette[s % palette.count]
            var segment: [String] = []
            func flush() {
                if segment.count > 1 {
                    body += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"\(dash(s)) points=\"\(segment.joined(separator: " "))\"/>"
                }
                segment = []
            }
            for (i, v) in ser.values.enumerated() where i < x.count {
                guard let v else { flush(); continue }
                segment.append("\(f(px(x[i]))),\(f(map.y(v)))")
            }
            flush()
            for (i, v) in ser.values.enumerated() where i < x.count {
                guard let v else { continue }
                body += "<circle cx=\"\(f(px(x[i])))\" cy=\"\(f(map.y(v)))\" r=\"3.5\" fill=\"\(color)\"><title>\(escape(ser.name)), \(escape(xTicks.first { $0.0 == x[i] }?.1 ?? f(x[i]))): \(escape(axis.format(v)))</title></circle>"
            }
        }
        for (v, _) in xTicks {
            body += "<line x1=\"\(f(px(v)))\" y1=\"\(f(baseY))\" x2=\"\(f(px(v)))\" y2=\"\(f(baseY + 5))\" stroke=\"#555\"/>"
        }
        let slot = xTicks.count > 1 ? (plotRight - left - 48) / Double(xTicks.count - 1) : plotRight - left
        let (labels, labelHeight) = categoryLabels(xTicks.map(\.1), centers: xTicks.map { px($0.0) }, slot: slot, top: baseY + 2)
        body += labels
        body += "<text class=\"axis\" x=\"\(f((left + plotRight) / 2))\" y=\"\(f(baseY + labelHeight + 18))\" text-anchor=\"middle\">\(escape(xTitle))</text>"
        return wrap(body, height: baseY + labelHeight + 28, title: title)
    }

    // MARK: Helpers

    /// Series 11 and later repeat a colour; give them a dash (lines) or an outline (bars).
    static func dash(_ i: Int) -> String {
        let d = dashPatterns[(i / palette.count) % dashPatterns.count]
        return d.isEmpty ? "" : " stroke-dasharray=\"\(d)\""
    }

    static func barColor(_ series: Series, _ s: Int, _ g: Int) -> String {
        if let colors = series.colors, g < colors.count, let c = colors[g] { return c }
        return palette[s % palette.count]
    }

    static func hatch(_ i: Int) -> String { i >= palette.count ? " stroke=\"#222\" stroke-width=\"1.5\"" : "" }

    /// An SVG coordinate: one decimal.
    public static func f(_ x: Double) -> String { String(format: "%.1f", x) }

    /// Text escaped for HTML and SVG.
    public static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
