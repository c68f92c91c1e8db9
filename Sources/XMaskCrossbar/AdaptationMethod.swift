/// A multi-task adaptation method, as far as the hardware is concerned (docs/architecture.md, "The methods").
public enum AdaptationMethod: Codable, Sendable, Hashable, CustomStringConvertible {
    /// Re-trains and re-programs all weights (baseline).
    case fineTune
    /// One binary mask value per weight; re-programs the cells it zeroes (Mallya et al. 2018).
    case piggyback
    /// One binary + one real mask value per kernel (Cout × Cin) (Yang et al., CVPR 2021).
    case ksm
    /// One binary value per crossbar column (Zhang et al., DATE 2022).
    case xbm
    /// Per-column levels {0, 2^-shiftLevels, …, 1/2, 1}: `shiftLevels` shift levels plus 0 and 1 (Zhang et al. 2022b).
    case xma(shiftLevels: Int)
    /// Tier-1: a fraction `peFraction` of PEs re-programmed into spare PEs with new weights;
    /// tier-2: XMA with `shiftLevels` on the other PEs (XMA2, Frontiers 2023).
    case xma2(peFraction: Double, shiftLevels: Int)

    /// A method without its parameters: the closed set of names the command line, experiment
    /// files and reports use.
    public enum Kind: String, CaseIterable, Codable, Sendable {
        case finetune, piggyback, ksm, xbm, xma, xma2

        /// A name, case-insensitive; `fine-tune` and `ft` are FineTune.
        public init?(parsing text: String) {
            switch text.lowercased() {
            case "fine-tune", "ft": self = .finetune
            case let name: self.init(rawValue: name)
            }
        }

        /// The method with the given XMA/XMA2 parameters (checked by ``AdaptationMethod/validate(weightBits:)``).
        public func method(shiftLevels: Int, peFraction: Double) -> AdaptationMethod {
            switch self {
            case .finetune: .fineTune
            case .piggyback: .piggyback
            case .ksm: .ksm
            case .xbm: .xbm
            case .xma: .xma(shiftLevels: shiftLevels)
            case .xma2: .xma2(peFraction: peFraction, shiftLevels: shiftLevels)
            }
        }
    }

    /// The method's name without parameters.
    public var kind: Kind {
        switch self {
        case .fineTune: .finetune
        case .piggyback: .piggyback
        case .ksm: .ksm
        case .xbm: .xbm
        case .xma: .xma
        case .xma2: .xma2
        }
    }

    /// The name used on the command line and in reports.
    public var name: String { kind.rawValue }

    /// Name with its parameters, e.g. `xma2(P=0.1, N=3)`.
    public var description: String {
        switch self {
        case let .xma(n): return "xma(N=\(n))"
        case let .xma2(p, n): return "xma2(P=\(formatFraction(p)), N=\(n))"
        default: return name
        }
    }

    /// Names accepted by ``parse(_:shiftLevels:peFraction:)``.
    public static let names = Kind.allCases.map(\.rawValue)

    /// All methods with the given XMA/XMA2 parameters, in the papers' order.
    public static func all(shiftLevels: Int = 3, peFraction: Double = 0.1) -> [AdaptationMethod] {
        [.fineTune, .piggyback, .ksm, .xbm, .xma(shiftLevels: shiftLevels), .xma2(peFraction: peFraction, shiftLevels: shiftLevels)]
    }

    /// Parses a method name (case-insensitive; `fine-tune` and `ft` accepted). The parameters are
    /// checked by ``validate(weightBits:)``, which needs the weights' precision.
    public static func parse(_ text: String, shiftLevels: Int = 3, peFraction: Double = 0.1) throws -> AdaptationMethod {
        guard let kind = Kind(parsing: text) else {
            throw CrossbarError.unsupported("unknown method '\(text)': expected one of \(names.joined(separator: ", ")) or all")
        }
        return kind.method(shiftLevels: shiftLevels, peFraction: peFraction)
    }

    /// The shift-level counts N a `weightBits`-bit weight allows: 0 ... weightBits − 1 (a shift by
    /// more bits leaves nothing of the weight's magnitude; XMA uses 3 on 4-bit weights). The one
    /// range the CLI, experiment files, studies, adaptation and `xmask hw` check.
    public static func shiftLevelRange(weightBits: Int) -> ClosedRange<Int> { 0...max(weightBits - 1, 0) }

    /// Checks the parameters for weights of `weightBits` bits; the error names the field and its range.
    public func validate(weightBits: Int) throws {
        switch self {
        case let .xma(n):
            try Self.checkShiftLevels(n, weightBits: weightBits)
        case let .xma2(p, n):
            try Self.checkShiftLevels(n, weightBits: weightBits)
            guard p.isFinite, p >= 0, p <= 1 else {
                throw CrossbarError.invalidField(field: "peFraction", value: String(p), expected: "a fraction in 0...1")
            }
        default: break
        }
    }

    private static func checkShiftLevels(_ n: Int, weightBits: Int) throws {
        let range = shiftLevelRange(weightBits: weightBits)
        guard range.contains(n) else {
            throw CrossbarError.invalidField(
                field: "shiftLevels", value: String(n),
                expected: "an integer in \(range.lowerBound)...\(range.upperBound) for \(weightBits)-bit weights (a shift by more bits leaves nothing of the weight; XMA uses 3)")
        }
    }

    /// Whether the method learns per-column values applied by the shift-adder (XBM, XMA, XMA2 tier-2):
    /// these gate columns at inference and need a mask buffer next to each array.
    public var usesColumnMask: Bool {
        switch self {
        case .xbm, .xma, .xma2: return true
        default: return false
        }
    }

    /// Shift levels of the column mask (0 for XBM).
    public var shiftLevels: Int {
        switch self {
        case let .xma(n), let .xma2(_, n): return n
        default: return 0
        }
    }

    /// Distinct column-mask levels: 0, 1 and the shift levels.
    public var columnLevelCount: Int { shiftLevels + 2 }

    /// Allowed column-mask values: {0, 2^-N, …, 1/4, 1/2, 1} (XMA2 §3.3.1.1; N = 3 gives {0, 1/8, 1/4, 1/2, 1}).
    public var allowedColumnLevels: [Float] {
        [0] + stride(from: shiftLevels, through: 1, by: -1).map { Float(sign: .plus, exponent: -$0, significand: 1) } + [1]
    }
}

func formatFraction(_ x: Double) -> String {
    let rounded = (x * 1e6).rounded() / 1e6
    return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
}
