/// Bounds on an experiment or hardware config file checked before the YAML or JSON parser sees it: the parser recurses
/// once per nesting level, so 10,000 nested sequences overflowed the stack.
extension ExperimentFile {
    /// The deepest nesting accepted (an experiment file needs about 4 levels).
    public static let maximumNestingDepth = 200
    /// The largest file accepted, bytes (the full study's file is under 2 KB).
    public static let maximumFileBytes = 1 << 20

    /// Refuses `text` when it is larger than ``maximumFileBytes`` or may nest deeper than
    /// ``maximumNestingDepth``.
    ///
    /// The depth is over-estimated without parsing: a line's indentation (columns) plus the
    /// `- `/`? ` markers that open it, plus the depth of open flow brackets `[`/`{` outside
    /// quotes and comments. Every block level needs one more column or marker and every flow
    /// level one more bracket, so the estimate is never below the real depth.
    static func checkSize(_ text: String, file: String) throws {
        guard text.utf8.count <= maximumFileBytes else {
            throw ExperimentFileError(file: file, line: nil, key: "",
                                      problem: "\(text.utf8.count) bytes; expected at most \(maximumFileBytes) for a configuration file")
        }
        var flow = 0
        var quote: UInt8? = nil
        var lineNumber = 0
        for slice in Array(text.utf8).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = Array(slice)
            var i = 0
            var block = 0
            if quote == nil && flow == 0 {
                while i < line.endIndex, line[i] == UInt8(ascii: " ") || line[i] == UInt8(ascii: "\t") { block += 1; i += 1 }
                while i < line.endIndex, line[i] == UInt8(ascii: "-") || line[i] == UInt8(ascii: "?") {
                    let next = i + 1
                    guard next == line.endIndex || line[next] == UInt8(ascii: " ") else { break }
                    block += 1
                    i = next
                    while i < line.endIndex, line[i] == UInt8(ascii: " ") { block += 1; i += 1 }
                }
            }
            var previous: UInt8 = UInt8(ascii: " ")
            var deepest = flow
            scan: while i < line.endIndex {
                let c = line[i]
                if let q = quote {
                    if c == q { quote = nil }
                } else {
                    switch c {
                    case UInt8(ascii: "\""), UInt8(ascii: "'"): quote = c
                    case UInt8(ascii: "#") where previous == UInt8(ascii: " ") || previous == UInt8(ascii: "\t"): break scan
                    case UInt8(ascii: "["), UInt8(ascii: "{"):
                        flow += 1
                        deepest = max(deepest, flow)
                    case UInt8(ascii: "]"), UInt8(ascii: "}"): flow = max(flow - 1, 0)
                    default: break
                    }
                }
                previous = c
                i += 1
            }
            if block + deepest > maximumNestingDepth {
                throw ExperimentFileError(file: file, line: lineNumber, key: "",
                                          problem: "nested more than \(maximumNestingDepth) levels deep (indentation, '- ' markers and open brackets); expected a shallow configuration file")
            }
        }
    }
}
