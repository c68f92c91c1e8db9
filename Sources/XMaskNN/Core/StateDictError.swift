/// Why a state dict could not be loaded into a layer (or an optimizer): every problem found,
/// sorted by key, each naming the key and both shapes where shapes differ.
public struct StateDictError: Error, Equatable, Sendable, CustomStringConvertible {
    /// One difference between the given state and what the receiver expects.
    public enum Problem: Equatable, Sendable, CustomStringConvertible {
        /// The receiver has this key, the state does not.
        case missing(key: String, expectedShape: [Int])
        /// The state has this key, the receiver does not.
        case unexpected(key: String, shape: [Int])
        /// Both have the key with different shapes.
        case wrongShape(key: String, expected: [Int], found: [Int])

        public var key: String {
            switch self {
            case .missing(let key, _), .unexpected(let key, _), .wrongShape(let key, _, _): key
            }
        }

        public var description: String {
            switch self {
            case .missing(let key, let shape):
                "missing key \"\(key)\" (expected shape \(shape))"
            case .unexpected(let key, let shape):
                "unexpected key \"\(key)\" (shape \(shape)); the model has no such parameter or buffer"
            case .wrongShape(let key, let expected, let found):
                "key \"\(key)\" has shape \(found), expected \(expected)"
            }
        }
    }

    /// What the state was being loaded into (for example `"ResNet"` or `"SGD state"`).
    public var target: String
    /// Every problem, sorted by key.
    public var problems: [Problem]

    public init(target: String, problems: [Problem]) {
        self.target = target
        self.problems = problems.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
    }

    public var description: String {
        "cannot load state into \(target): " + problems.map(\.description).joined(separator: "; ")
    }
}
