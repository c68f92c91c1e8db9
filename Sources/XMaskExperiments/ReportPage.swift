/// The page every HTML report is (studies' report.html, `xmask hw --html`): one self-contained
/// document, inline CSS and SVG, no script, no external font or link.
public enum ReportPage {
    /// `body`'s parts, one a line, under the shared style.
    public static func html(title: String, body: [String]) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(ReportChart.escape(title))</title>
        <style>
        body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#222;max-width:1120px;margin:24px auto;padding:0 16px}
        h1{font-size:26px;margin:0 0 12px}h2{font-size:20px;margin:32px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:16px;margin:20px 0 6px}
        dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:0}dt{font-weight:600}dd{margin:0}
        .wide{overflow-x:auto;margin:8px 0}
        table{border-collapse:collapse;font-variant-numeric:tabular-nums;font-size:14px}
        th,td{padding:3px 9px;border-bottom:1px solid #e2e2e2;text-align:right;vertical-align:top}
        th{background:#f3f4f6;font-weight:600}th:first-child,td:first-child{text-align:left;white-space:nowrap}
        tr.footer td{font-weight:600;background:#fafafa}tr.first-footer td{border-top:2px solid #999}table.text th,table.text td{text-align:left;white-space:normal}
        td.no{color:#b00020;font-weight:700}
        p.note{color:#555;font-size:13px;margin:4px 0 14px;max-width:1000px}
        figure{margin:12px 0 20px}figcaption{color:#555;font-size:13px;margin-top:2px}
        svg{max-width:100%;height:auto;font:12px system-ui,"DejaVu Sans",sans-serif}svg text{fill:#222}svg text.tick{fill:#444}svg text.axis{font-size:13px;font-weight:600}svg text.value{font-size:10px;fill:#333}
        details{margin:8px 0}summary{cursor:pointer;color:#4e79a7}
        p.foot{color:#777;font-size:12px;margin-top:32px}
        </style>
        </head><body>
        \(body.joined(separator: "\n"))
        </body></html>

        """
    }

    /// An SVG chart with its caption.
    public static func figure(_ svg: String, caption: String) -> String {
        "<figure>\(svg)<figcaption>\(ReportChart.escape(caption))</figcaption></figure>"
    }
}

extension ReportTable {
    /// The table as HTML: its title as a heading, a scrollable table, its note below.
    public func html() -> String {
        let e = ReportChart.escape
        var out = "<h3>\(e(title))</h3><div class=\"wide\"><table\(textColumns ? " class=\"text\"" : "")><thead><tr>" + header.map { "<th>\(e($0))</th>" }.joined() + "</tr></thead><tbody>"
        for (i, row) in rows.enumerated() {
            let cls = footerStart.map { i == $0 ? " class=\"footer first-footer\"" : i > $0 ? " class=\"footer\"" : "" } ?? ""
            out += "<tr\(cls)>" + row.map { $0 == "NO" ? "<td class=\"no\">NO</td>" : "<td>\(e($0))</td>" }.joined() + "</tr>"
        }
        out += "</tbody></table></div>"
        if let note = note { out += "<p class=\"note\">\(e(note))</p>" }
        return out
    }
}
