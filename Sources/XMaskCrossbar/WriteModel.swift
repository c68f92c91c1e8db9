/// Energy to re-program ReRAM cells between conductance levels.
///
/// NeuroSim's 1T1R write model (`AnalogNVM::WriteEnergyCalculation`, identical pulses, no I-V
/// nonlinearity), as XBM §IV-B and XMA2 §5.2 cite it with Wu et al. 2018: moving a cell from
/// level a to level b takes n = |b − a| / (L − 1) · `writePulsesFullRange` pulses, each costing
/// V² · ((G_a + G_b)/2 · t_pulse + C_bitline), where G(l) = G_off + l/(L−1) · (G_on − G_off) and
/// C_bitline = rows · `bitLineCapacitancePerRowFemtofarads`. Levels not changed cost nothing.
/// With ``WriteModelKind/papers`` the same table is scaled so that a full-range write (0 → L−1)
/// costs ``TechnologyParameters/papersCellFullRangeWriteEnergyNanojoules``, and XMA2's
/// re-programmed PEs cost ``TechnologyParameters/papersPEWriteEnergyPerCellNanojoules`` per cell
/// instead of their transitions (the papers' figures imply a per-PE cost, ``PapersWriteCalibration``).
public struct WriteModel: Sendable, Equatable {
    public let kind: WriteModelKind
    /// Conductance levels L of a cell.
    public let levels: Int
    /// energyPicojoules[a][b] for a cell going from level a to level b.
    public let energyPicojoules: [[Double]]
    /// Energy per cell of a PE that XMA2 re-programs, if this model prices PEs rather than transitions (pJ).
    public let reprogrammedPEEnergyPerCellPicojoules: Double?

    public init(technology t: TechnologyParameters, geometry g: CrossbarGeometry, kind: WriteModelKind = .neurosim) {
        self.kind = kind
        let levels = g.cellLevels
        self.levels = levels
        let gOn = 1 / t.onResistanceOhms, gOff = 1 / t.offResistanceOhms
        let steps = Double(max(levels - 1, 1))
        let capacitanceFarads = Double(g.arrayRows) * t.bitLineCapacitancePerRowFemtofarads * 1e-15
        let pulseSeconds = t.writePulseWidthNanoseconds * 1e-9
        let v2 = t.writeVoltageVolts * t.writeVoltageVolts
        let physical = (0..<levels).map { a in
            (0..<levels).map { b in
                let pulses = Double(abs(b - a)) / steps * t.writePulsesFullRange
                let ga = gOff + Double(a) / steps * (gOn - gOff), gb = gOff + Double(b) / steps * (gOn - gOff)
                return pulses * v2 * ((ga + gb) / 2 * pulseSeconds + capacitanceFarads) * 1e12
            }
        }
        switch kind {
        case .neurosim:
            energyPicojoules = physical
            reprogrammedPEEnergyPerCellPicojoules = nil
        case .papers:
            let fullRange = physical[0][levels - 1]
            let scale = fullRange > 0 ? t.papersCellFullRangeWriteEnergyNanojoules * 1e3 / fullRange : 0
            energyPicojoules = physical.map { $0.map { $0 * scale } }
            reprogrammedPEEnergyPerCellPicojoules = t.papersPEWriteEnergyPerCellNanojoules * 1e3
        }
    }

    /// Re-programming energy of one layer (pJ): `transitions` priced by the table, or, for XMA2
    /// under a model that prices PEs, `reprogrammedPECells` cells at the per-PE-cell energy.
    public func energyPicojoules(_ transitions: CellTransitions, reprogrammedPECells: Int, method: AdaptationMethod) -> Double {
        if case .xma2 = method, let perCell = reprogrammedPEEnergyPerCellPicojoules {
            return Double(reprogrammedPECells) * perCell
        }
        return energyPicojoules(transitions)
    }

    /// Σ counts[a][b] · energy[a][b] (pJ).
    public func energyPicojoules(_ transitions: CellTransitions) -> Double {
        precondition(transitions.levels == levels, "WriteModel: \(transitions.levels)-level transitions for \(levels)-level cells")
        var total = 0.0
        for a in 0..<levels { for b in 0..<levels where a != b { total += transitions.counts[a][b] * energyPicojoules[a][b] } }
        return total
    }
}

/// How many cells go from each conductance level to each other: counts[from][to].
///
/// Counts are `Double` so that the analytic model can hold expected values; counts read from a
/// task's masks file are whole numbers.
public struct CellTransitions: Codable, Sendable, Equatable {
    public var levels: Int
    public var counts: [[Double]]

    public init(levels: Int) {
        self.levels = levels
        counts = Array(repeating: Array(repeating: 0, count: levels), count: levels)
    }

    /// Cells whose level changes: Σ_{a≠b} counts[a][b].
    public var changedCells: Double {
        var total = 0.0
        for a in 0..<levels { for b in 0..<levels where a != b { total += counts[a][b] } }
        return total
    }

    public static func + (x: CellTransitions, y: CellTransitions) -> CellTransitions {
        precondition(x.levels == y.levels, "CellTransitions: \(x.levels) + \(y.levels) levels")
        var z = x
        for a in 0..<x.levels { for b in 0..<x.levels { z.counts[a][b] += y.counts[a][b] } }
        return z
    }

    /// `self` with every count multiplied by `factor`.
    public func scaled(by factor: Double) -> CellTransitions {
        var z = self
        z.counts = counts.map { $0.map { $0 * factor } }
        return z
    }
}

/// How a method rewrites weights, for the analytic (no real masks) re-programming estimate.
///
/// Weights are stored as ``CellEncoding`` codes 0 ..< 2^B_w (weight 0 is code 2^(B_w−1)).
/// Codes before the change are assumed uniform.
public enum WeightRewrite: Sendable, Equatable {
    /// FineTune: the new code is independent of the old one and uniform.
    case retrain
    /// Piggyback: the weight becomes 0 (code 2^(B_w−1)).
    case zero
    /// KSM's soft part: the weight is scaled by c, uniform in [0, maxScale] (KSM's α = 0.5),
    /// and rounded to the nearest code.
    case scale(maxScale: Double)
    /// XMA2: an erased spare cell (level 0) is programmed to a uniform new code.
    case programErased

    /// Expected cell transitions for one weight rewritten this way.
    public func transitionsPerWeight(weightBits: Int, cellBits: Int) -> CellTransitions {
        let levels = 1 << cellBits
        let cellsPerWeight = CellEncoding.cellsPerWeight(weightBits: weightBits, cellBits: cellBits)
        let codes = 1 << weightBits
        let zero = CellEncoding.code(level: 0, weightBits: weightBits)
        var t = CellTransitions(levels: levels)
        func add(_ from: Int, _ to: Int, _ weight: Double) {
            for cell in 0..<cellsPerWeight {
                t.counts[CellEncoding.digit(cell, of: from, cellBits: cellBits)][CellEncoding.digit(cell, of: to, cellBits: cellBits)] += weight
            }
        }
        switch self {
        case .retrain:
            // Digits of independent uniform codes are independent and uniform.
            let p = 1.0 / Double(levels * levels) * Double(cellsPerWeight)
            for a in 0..<levels { for b in 0..<levels { t.counts[a][b] = p } }
            if weightBits % cellBits != 0 {  // the top cell holds fewer bits: enumerate instead
                t = CellTransitions(levels: levels)
                let w = 1.0 / Double(codes * codes)
                for from in 0..<codes { for to in 0..<codes { add(from, to, w) } }
            }
        case .zero:
            for from in 0..<codes { add(from, zero, 1.0 / Double(codes)) }
        case let .scale(maxScale):
            let samples = 32
            let w = 1.0 / Double(codes * samples)
            for from in 0..<codes {
                for s in 0..<samples {
                    let c = maxScale * (Double(s) + 0.5) / Double(samples)
                    let to = zero + Int((c * Double(from - zero)).rounded())
                    add(from, min(max(to, 0), codes - 1), w)
                }
            }
        case .programErased:
            for to in 0..<codes { add(0, to, 1.0 / Double(codes)) }
        }
        return t
    }
}
