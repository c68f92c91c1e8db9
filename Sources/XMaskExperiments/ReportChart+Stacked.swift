extension ReportChart {
    /// Horizontal stacked bars, one per label, its (name, value) components coloured (the palette in
    /// component order), the total at the end; a legend of the components that occur below.
    public static func stackedBars(title: String, bars: [(String, [(String, Double)])], unit: String) -> String {
        let labelWidth = 150.0, chartWidth = 640.0, barHeight = 22.0, gap = 8.0
        let maxTotal = max(bars.map { $0.1.reduce(0) { $0 + max($1.1, 0) } }.max() ?? 1, 1e-12)
        let names = bars.first?.1.map(\.0) ?? []
        let used = names.indices.filter { i in bars.contains { i < $0.1.count && $0.1[i].1 > 0 } }
        var svg: [String] = []
        var y = 0.0
        for (label, parts) in bars {
            svg.append("<text x=\"0\" y=\"\(y + 15)\">\(escape(label))</text>")
            var x = labelWidth
            for (i, part) in parts.enumerated() where part.1 > 0 {
                let w = part.1 / maxTotal * chartWidth
                svg.append("<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(w))\" height=\"\(barHeight)\" fill=\"\(palette[i % palette.count])\"><title>\(escape(part.0)): \(String(format: "%.4g", part.1)) \(unit)</title></rect>")
                x += w
            }
            let total = parts.reduce(0) { $0 + $1.1 }
            svg.append("<text x=\"\(f(x + 4))\" y=\"\(y + 15)\">\(String(format: "%.3g", total)) \(unit)</text>")
            y += barHeight + gap
        }
        var lx = 0.0
        for i in used {
            svg.append("<rect x=\"\(f(lx))\" y=\"\(f(y + 4))\" width=\"10\" height=\"10\" fill=\"\(palette[i % palette.count])\"/><text x=\"\(f(lx + 14))\" y=\"\(f(y + 13))\">\(escape(names[i]))</text>")
            lx += 16 + Double(names[i].count) * 7
            if lx > labelWidth + chartWidth - 60 { lx = 0; y += 18 }
        }
        let width = labelWidth + chartWidth + 90
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"\(f(width))\" height=\"\(f(y + 24))\" viewBox=\"0 0 \(f(width)) \(f(y + 24))\"><title>\(escape(title))</title>\(svg.joined())</svg>"
    }
}
