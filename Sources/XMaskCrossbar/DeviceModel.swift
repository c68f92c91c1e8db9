import Foundation

/// Non-ideal ReRAM cells: how far a programmed cell's conductance lands from its target, which
/// cells are stuck, how conductance drifts and how noisy a read is. Plain values; it acts on one
/// cell at a time and knows nothing of networks.
///
/// A cell holding level `d ∈ 0…L−1` (L = 2^cellBits) has the target conductance
/// `g(d) = gMin + d/(L−1)·(1 − gMin)`, in units of the largest conductance `gMax`. What is read
/// back, after programming and drift, is mapped back to a (real-valued) level with the inverse
/// of that line; ``levelError(level:cellLevels:programmed:fault:using:)`` returns the
/// difference to `d`. The effects, in the order they act on a cell:
///
/// 1. **Programming error**, drawn at every write: `g = g(d) + σ(g(d))·n`, `n ~ N(0, 1)`, with
///    `σ² = σ_poly² + σ_level²`, clipped at 0 (no negative conductance), where
///    - `σ_poly(g) = programmingScale · Σ_i c_i (g)^i / polynomialGMaxMicrosiemens` is the
///      published fit of Wan et al., "A compute-in-memory chip based on resistive random-access
///      memory", Nature 608, 504–512 (2022), as IBM aihwkit's `ReRamWan2022NoiseModel`
///      (`src/aihwkit/inference/noise/reram.py`, github.com/IBM/aihwkit) states it: a 4th-order
///      polynomial in `g_target/g_max`, coefficients in µS for `g_max = 40 µS`, one set per
///      time after programming (1 s, 1 day, 2 days: the later ones include the relaxation);
///    - `σ_level` is a plain Gaussian per target level (fraction of `gMax`; one value for all
///      levels or one per level).
/// 2. **Drift** in log time: `g ← g·(t/t0)^(−ν)`, `ν ~ N(ν̄, σ_ν)` per write (the functional
///    form of aihwkit's PCM drift model; for ReRAM the exponent's values are not from a fit —
///    the `drift-*` presets say so).
/// 3. **Read noise**, drawn at every evaluation: `g ← g + σ_read·n`, clipped at 0 (aihwkit's
///    note to add about 1 % of `g_max` short-term read noise on top of the Wan fit).
/// 4. **Stuck-at faults**, drawn once per chip: with probability `stuckLowRate` a cell reads
///    `gMin`, with `stuckHighRate` it reads `gMax`, whatever is programmed.
///
/// Every field can be overridden by name (``applying(_:)``); presets are named combinations
/// (``DevicePreset``) that compose with `+`.
public struct DeviceModel: Codable, Sendable, Equatable {
    /// `gMin / gMax` (0: a single-pair converter's zero conductance, as aihwkit's).
    public var minConductanceFraction: Double = 0
    /// `c_0…c_n` of the programming-error σ in µS, ascending powers of `g/gMax` (empty: none).
    public var programmingPolynomial: [Double] = []
    /// `gMax` the polynomial was fitted for, µS (Wan 2022 via aihwkit: 40).
    public var polynomialGMaxMicrosiemens: Double = 40
    /// Scale of the polynomial σ (aihwkit's `noise_scale`).
    public var programmingScale: Double = 1
    /// Plain Gaussian programming σ per target level, fraction of `gMax`: one value for every
    /// level, or one per level `0…L−1` (empty: none).
    public var levelSigma: [Double] = []
    /// Probability that a cell is stuck at `gMin` / at `gMax`.
    public var stuckLowRate: Double = 0
    public var stuckHighRate: Double = 0
    /// Time of the read after programming, seconds (0: no drift).
    public var driftSeconds: Double = 0
    /// `t0` of the drift law, seconds.
    public var driftReferenceSeconds: Double = 1
    /// Mean and spread of the drift exponent ν.
    public var driftNuMean: Double = 0
    public var driftNuStd: Double = 0
    /// Read-noise σ, fraction of `gMax`.
    public var readSigma: Double = 0

    public init() {}

    /// No effect at all: every cell reads exactly its level.
    public var isIdeal: Bool {
        (programmingPolynomial.allSatisfy { $0 == 0 } || programmingScale == 0) && levelSigma.allSatisfy { $0 == 0 }
            && stuckLowRate == 0 && stuckHighRate == 0 && !hasDrift && readSigma == 0
    }

    var hasDrift: Bool { driftSeconds > 0 && (driftNuMean != 0 || driftNuStd != 0) }

    public static let fieldNames = [
        "minConductanceFraction", "programmingPolynomial", "polynomialGMaxMicrosiemens", "programmingScale", "levelSigma",
        "stuckLowRate", "stuckHighRate", "driftSeconds", "driftReferenceSeconds", "driftNuMean", "driftNuStd", "readSigma",
    ]

    /// Missing keys keep their defaults, so a file may name only what it changes.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = DeviceModel()
        minConductanceFraction = try c.decodeIfPresent(Double.self, forKey: .minConductanceFraction) ?? d.minConductanceFraction
        programmingPolynomial = try c.decodeIfPresent([Double].self, forKey: .programmingPolynomial) ?? d.programmingPolynomial
        polynomialGMaxMicrosiemens = try c.decodeIfPresent(Double.self, forKey: .polynomialGMaxMicrosiemens) ?? d.polynomialGMaxMicrosiemens
        programmingScale = try c.decodeIfPresent(Double.self, forKey: .programmingScale) ?? d.programmingScale
        levelSigma = try c.decodeIfPresent([Double].self, forKey: .levelSigma) ?? d.levelSigma
        stuckLowRate = try c.decodeIfPresent(Double.self, forKey: .stuckLowRate) ?? d.stuckLowRate
        stuckHighRate = try c.decodeIfPresent(Double.self, forKey: .stuckHighRate) ?? d.stuckHighRate
        driftSeconds = try c.decodeIfPresent(Double.self, forKey: .driftSeconds) ?? d.driftSeconds
        driftReferenceSeconds = try c.decodeIfPresent(Double.self, forKey: .driftReferenceSeconds) ?? d.driftReferenceSeconds
        driftNuMean = try c.decodeIfPresent(Double.self, forKey: .driftNuMean) ?? d.driftNuMean
        driftNuStd = try c.decodeIfPresent(Double.self, forKey: .driftNuStd) ?? d.driftNuStd
        readSigma = try c.decodeIfPresent(Double.self, forKey: .readSigma) ?? d.readSigma
    }

    /// Checks every field; `cellLevels` (L) checks the length of ``levelSigma``.
    public func validate(cellLevels: Int) throws {
        func check(_ ok: Bool, _ field: String, _ value: Any, _ expected: String) throws {
            if !ok { throw CrossbarError.invalidField(field: "device.\(field)", value: "\(value)", expected: expected) }
        }
        try check(minConductanceFraction >= 0 && minConductanceFraction < 1, "minConductanceFraction", minConductanceFraction, "0 ≤ gMin/gMax < 1")
        try check(programmingPolynomial.allSatisfy(\.isFinite), "programmingPolynomial", programmingPolynomial, "finite coefficients (µS)")
        try check(polynomialGMaxMicrosiemens > 0, "polynomialGMaxMicrosiemens", polynomialGMaxMicrosiemens, "> 0 µS")
        try check(programmingScale >= 0, "programmingScale", programmingScale, "≥ 0")
        try check(levelSigma.allSatisfy { $0 >= 0 } && (levelSigma.count <= 1 || levelSigma.count == cellLevels),
                  "levelSigma", levelSigma, "σ ≥ 0: one value, or one per cell level (\(cellLevels))")
        try check((0...1).contains(stuckLowRate), "stuckLowRate", stuckLowRate, "a probability in 0…1")
        try check((0...1).contains(stuckHighRate), "stuckHighRate", stuckHighRate, "a probability in 0…1")
        try check(stuckLowRate + stuckHighRate <= 1, "stuckHighRate", stuckHighRate, "stuckLowRate + stuckHighRate ≤ 1")
        try check(driftSeconds >= 0, "driftSeconds", driftSeconds, "≥ 0 s")
        try check(driftReferenceSeconds > 0, "driftReferenceSeconds", driftReferenceSeconds, "> 0 s")
        try check(driftNuStd >= 0 && driftNuMean.isFinite, "driftNuStd", driftNuStd, "≥ 0")
        try check(readSigma >= 0, "readSigma", readSigma, "≥ 0")
    }

    // MARK: - One cell

    /// What is wrong with a cell for the chip's lifetime.
    public enum Fault: UInt8, Sendable {
        case none, stuckLow, stuckHigh
    }

    /// Draws a cell's fault (one uniform draw).
    public func drawFault(using rng: inout some RandomNumberGenerator) -> Fault {
        guard stuckLowRate > 0 || stuckHighRate > 0 else { return .none }
        let u = Double.random(in: 0..<1, using: &rng)
        if u < stuckLowRate { return .stuckLow }
        if u < stuckLowRate + stuckHighRate { return .stuckHigh }
        return .none
    }

    /// Target conductance of level `level` of `cellLevels`, fraction of `gMax`.
    public func targetConductance(level: Int, cellLevels: Int) -> Double {
        precondition(level >= 0 && level < cellLevels, "DeviceModel: level \(level) outside 0..<\(cellLevels)")
        return minConductanceFraction + Double(level) / Double(cellLevels - 1) * (1 - minConductanceFraction)
    }

    /// σ of the programming error at target level `level`, fraction of `gMax`.
    public func programmingSigma(level: Int, cellLevels: Int) -> Double {
        let g = targetConductance(level: level, cellLevels: cellLevels)
        var poly = 0.0, power = 1.0
        for c in programmingPolynomial {
            poly += c * power
            power *= g
        }
        poly *= programmingScale / polynomialGMaxMicrosiemens
        let plain = levelSigma.isEmpty ? 0 : levelSigma[levelSigma.count == 1 ? 0 : level]
        return (poly * poly + plain * plain).squareRoot()
    }

    /// Conductance of a cell just written to `level` and read `driftSeconds` later (before
    /// read noise), fraction of `gMax`: steps 1 and 2 of the type's description.
    public func programmed(level: Int, cellLevels: Int, using rng: inout some RandomNumberGenerator) -> Double {
        var g = targetConductance(level: level, cellLevels: cellLevels)
        let sigma = programmingSigma(level: level, cellLevels: cellLevels)
        if sigma > 0 { g = max(g + sigma * standardNormal(using: &rng), 0) }
        if hasDrift {
            let nu = driftNuMean + (driftNuStd > 0 ? driftNuStd * standardNormal(using: &rng) : 0)
            g *= Foundation.pow(driftSeconds / driftReferenceSeconds, -nu)
        }
        return g
    }

    /// The level a cell targeted at `level` reads as, minus `level`: read noise on its
    /// `programmed` conductance, then its fault (steps 3 and 4). Exactly 0 for an ideal cell.
    public func levelError(level: Int, cellLevels: Int, programmed g: Double, fault: Fault,
                           using rng: inout some RandomNumberGenerator) -> Double {
        let top = Double(cellLevels - 1)
        switch fault {
        case .stuckLow: return -Double(level)
        case .stuckHigh: return top - Double(level)
        case .none: break
        }
        var read = g
        if readSigma > 0 { read = max(read + readSigma * standardNormal(using: &rng), 0) }
        let target = targetConductance(level: level, cellLevels: cellLevels)
        return (read - target) / (1 - minConductanceFraction) * top
    }

    // MARK: - Overrides and composition

    /// A value of an override: a number or a list of numbers.
    public enum Value: Sendable, Equatable, CustomStringConvertible {
        case number(Double)
        case list([Double])

        public var description: String {
            switch self {
            case .number(let v): return "\(v)"
            case .list(let l): return "\(l)"
            }
        }
    }

    /// This model with the named fields replaced; an unknown name or a list where a number is
    /// expected (and the reverse) is an error naming the field.
    public func applying(_ overrides: [(key: String, value: Value)]) throws -> DeviceModel {
        var m = self
        for (key, value) in overrides {
            func number() throws -> Double {
                guard case .number(let v) = value else {
                    throw CrossbarError.invalidField(field: "device.\(key)", value: "\(value)", expected: "a number")
                }
                return v
            }
            func list() -> [Double] {
                switch value {
                case .list(let l): return l
                case .number(let v): return [v]
                }
            }
            switch key {
            case "minConductanceFraction": m.minConductanceFraction = try number()
            case "programmingPolynomial": m.programmingPolynomial = list()
            case "polynomialGMaxMicrosiemens": m.polynomialGMaxMicrosiemens = try number()
            case "programmingScale": m.programmingScale = try number()
            case "levelSigma": m.levelSigma = list()
            case "stuckLowRate": m.stuckLowRate = try number()
            case "stuckHighRate": m.stuckHighRate = try number()
            case "driftSeconds": m.driftSeconds = try number()
            case "driftReferenceSeconds": m.driftReferenceSeconds = try number()
            case "driftNuMean": m.driftNuMean = try number()
            case "driftNuStd": m.driftNuStd = try number()
            case "readSigma": m.readSigma = try number()
            default:
                throw CrossbarError.invalidField(field: "device.\(key)", value: "\(value)",
                                                 expected: "one of \(Self.fieldNames.joined(separator: ", "))")
            }
        }
        return m
    }

    /// `self` with every field `other` sets (differs from the default) taken from `other`:
    /// `wan2022 + stuck-1pct` is Wan's programming error on a chip with 1 % stuck cells.
    public func combined(with other: DeviceModel) -> DeviceModel {
        let d = DeviceModel()
        var m = self
        if other.minConductanceFraction != d.minConductanceFraction { m.minConductanceFraction = other.minConductanceFraction }
        if other.programmingPolynomial != d.programmingPolynomial {
            m.programmingPolynomial = other.programmingPolynomial
            m.polynomialGMaxMicrosiemens = other.polynomialGMaxMicrosiemens
            m.programmingScale = other.programmingScale
        }
        if other.levelSigma != d.levelSigma { m.levelSigma = other.levelSigma }
        if other.stuckLowRate != d.stuckLowRate || other.stuckHighRate != d.stuckHighRate {
            m.stuckLowRate = other.stuckLowRate
            m.stuckHighRate = other.stuckHighRate
        }
        if other.driftSeconds != d.driftSeconds {
            m.driftSeconds = other.driftSeconds
            m.driftReferenceSeconds = other.driftReferenceSeconds
            m.driftNuMean = other.driftNuMean
            m.driftNuStd = other.driftNuStd
        }
        if other.readSigma != d.readSigma { m.readSigma = other.readSigma }
        return m
    }
}

/// One `N(0, 1)` draw (Box–Muller on two uniform draws; the second value is discarded so that
/// every draw consumes the same amount of the stream).
@inlinable
public func standardNormal(using rng: inout some RandomNumberGenerator) -> Double {
    let u1 = 1 - Double.random(in: 0..<1, using: &rng)  // (0, 1]: log is finite
    let u2 = Double.random(in: 0..<1, using: &rng)
    return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
}
