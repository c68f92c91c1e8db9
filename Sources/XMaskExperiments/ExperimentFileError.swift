/// A problem in an experiment file, found before any training: names the file, the line,
/// the key (dotted path, `adapt.steps`, `methods[5].xma2.pe_fraction`) and what was expected.
public struct ExperimentFileError: Error, CustomStringConvertible, Equatable {
    public var file: String
    /// 1-based line of the key (or value) at fault; nil when the file itself is at fault.
    public var line: Int?
    public var key: String
    public var problem: String

    public init(file: String, line: Int?, key: String, problem: String) {
        self.file = file
        self.line = line
        self.key = key
        self.problem = problem
    }

    public var description: String {
        "\(file)\(line.map { ":\($0)" } ?? ""): \(key.isEmpty ? "" : "\(key): ")\(problem)"
    }
}
