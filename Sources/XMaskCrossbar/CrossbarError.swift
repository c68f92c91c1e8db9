/// A bad file, config, or value handed to the hardware model.
///
/// Every case carries a message that names where the problem is (file and line, or field)
/// and what was expected, so the CLI can print it as is.
public enum CrossbarError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A geometry or technology field outside its range, e.g. `arrayRows: -4`.
    case invalidField(field: String, value: String, expected: String)
    /// A network CSV line that cannot be read.
    case malformedNetworkLine(file: String, line: Int, message: String)
    /// A config file (JSON or YAML) that cannot be read or applied.
    case malformedConfig(file: String, line: Int?, message: String)
    /// A task-masks file that does not fit the network or geometry.
    case malformedMasks(file: String, message: String)
    /// Anything else a caller asked for that the model cannot give, e.g. an unknown preset.
    case unsupported(String)

    public var description: String {
        switch self {
        case let .invalidField(field, value, expected):
            return "\(field) = \(value): expected \(expected)"
        case let .malformedNetworkLine(file, line, message):
            return "\(file):\(line): \(message)"
        case let .malformedConfig(file, line, message):
            if let line { return "\(file):\(line): \(message)" }
            return "\(file): \(message)"
        case let .malformedMasks(file, message):
            return "\(file): \(message)"
        case let .unsupported(message):
            return message
        }
    }
}
