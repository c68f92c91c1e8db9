extension ReportTable {
    /// The table as plain text for a terminal: columns padded to their widest cell, text columns
    /// left-aligned and numbers right-aligned, a dashed line under the header. Title and note
    /// are the caller's to print.
    public func textLines() -> [String] {
        let all = [header] + rows
        let widths = header.indices.map { c in all.map { c < $0.count ? $0[c].count : 0 }.max() ?? 0 }
        return all.enumerated().flatMap { i, row -> [String] in
            let line = row.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return isTextColumn(c) ? cell + pad : pad + cell
            }.joined(separator: "  ")
            return i == 0 ? [line, String(repeating: "-", count: line.count)] : [line]
        }
    }
}
