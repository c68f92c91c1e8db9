extension StudyResult {
    /// report.md: settings, then every table of ``reportTables()``.
    public func markdown(title: String? = nil) -> String {
        var out = "# \(title ?? "xmask study: \(plan.name)")\n\n"
        for (label, value) in settingsList() { out += "- **\(label)**: \(Self.markdownEscape(value))\n" }
        for table in reportTables() { out += "\n" + Self.markdown(table) }
        return out
    }

    static func markdown(_ t: ReportTable) -> String {
        var out = "## \(t.title)\n\n"
        out += "| " + t.header.map(markdownEscape).joined(separator: " | ") + " |\n"
        out += "|---|" + String(repeating: t.textColumns ? "---|" : "---:|", count: max(t.header.count - 1, 0)) + "\n"
        for (i, row) in t.rows.enumerated() {
            let bold = t.footerStart.map { i >= $0 } ?? false
            out += "| " + row.enumerated().map { j, v in bold && j == 0 ? "**\(markdownEscape(v))**" : markdownEscape(v) }.joined(separator: " | ") + " |\n"
        }
        if let note = t.note { out += "\n\(markdownEscape(note))\n" }
        return out
    }

    static func markdownEscape(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
}
