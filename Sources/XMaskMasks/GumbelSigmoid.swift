import XMaskTensor

/// The binary Concrete (Gumbel-Sigmoid) relaxation of a keep/drop mask (Maddison et al. 2017;
/// Jang et al. 2017), as XBM eq. 4–6 and XMA2 eq. 7 use it.
///
/// Keep-probability `π0 = σ(β·m)`; relaxed sample
/// `p(m) = σ((log π0 − log(1 − π0) + g0 − g1)/T) = σ((β·m + g0 − g1)/T)`, `g0, g1 ~ Gumbel(0, 1)`;
/// the forward pass thresholds `p` at 0.5 and the backward pass differentiates `p`
/// (straight-through). `P(p ≥ 0.5) = σ(β·m)`. In evaluation there is no noise: keep iff `m ≥ 0`.
///
/// Note: XBM's eq. 5–6 as printed use `log π0` alone as the logit, i.e. they put 0 where
/// `−log(1 − π0)` belongs; that caps the keep-probability at 1/2 for every m. We implement the
/// textbook relaxation above (docs/architecture.md, "Training ends where evaluation starts").
public struct GumbelSigmoid: Sendable, Equatable, Codable {
    /// Scale of the real mask inside the logistic, eq. 4.
    public var beta: Float
    /// Temperature T of the relaxation.
    public var temperature: Float

    public init(beta: Float = 1, temperature: Float = 1) {
        precondition(beta > 0 && temperature > 0, "GumbelSigmoid: β \(beta) and T \(temperature) must be positive")
        self.beta = beta
        self.temperature = temperature
    }

    /// The relaxed sample `p(m)` (differentiable).
    public func relaxed(_ realMask: Tensor, using rng: inout some RandomNumberGenerator) -> Tensor {
        let g0 = Tensor.gumbel(realMask.shape, using: &rng)
        let g1 = Tensor.gumbel(realMask.shape, using: &rng)
        return sigmoid((realMask * beta + (g0 - g1)) * (1 / temperature))
    }

    /// A hard {0, 1} sample whose gradient is that of `p(m)`.
    public func sample(_ realMask: Tensor, using rng: inout some RandomNumberGenerator) -> Tensor {
        let p = relaxed(realMask, using: &rng)
        return straightThrough(forward: p.greaterEqual(0.5), backward: p)
    }

    /// The evaluation mask: 1 where `m ≥ 0` (keep-probability ≥ 1/2), no noise.
    public func deterministic(_ realMask: Tensor) -> Tensor { realMask.greaterEqual(0) }

    /// The relaxed sample without noise, `σ(β·m/T)`: what evaluation normalises a real mask to.
    public func noiseFree(_ realMask: Tensor) -> Tensor { sigmoid(realMask * (beta / temperature)) }
}

/// The levels of XMA's column-wise shift mask: 0, `N` shift levels 1/2, 1/4, 1/8 (in that order
/// of preference), and 1 (XMA2 §3.3.1). `N = 0` leaves {0, 1}: XBM's binary mask.
public struct ShiftLevels: Sendable, Equatable, Codable {
    /// Number of shift levels N (checked against the weights' precision by
    /// `AdaptationMethod.validate(weightBits:)` before a mask is built).
    public let count: Int

    public init(count: Int) {
        precondition(count >= 0 && count < 64, "ShiftLevels: \(count) shift levels")
        self.count = count
    }

    /// The shift levels strictly between 0 and 1, largest first: 1/2, 1/4, …, 2^-N.
    public var shifts: [Float] { (0..<count).map { Float(sign: .plus, exponent: -($0 + 1), significand: 1) } }
    /// Every level, ascending: 0, shifts…, 1.
    public var all: [Float] { [0] + shifts.reversed() + [1] }
    /// Bits to store one level: ⌈log2(N + 2)⌉.
    public var bitsPerValue: Int {
        var b = 0
        while (1 << b) < count + 2 { b += 1 }
        return b
    }

    /// The level nearest to `x` among 0 and the shift levels (the value of a dropped column).
    public func quantizeDropped(_ x: Float) -> Float {
        var best: Float = 0
        for s in shifts where abs(x - s) < abs(x - best) { best = s }
        return best
    }

    /// The level of a column whose relaxed sample is `p` ∈ [0, 1]: 1 when kept (`p ≥ 0.5`),
    /// otherwise the level nearest to `p` among 0 and the shift levels. Monotone in `p`.
    public func level(_ p: Float) -> Float { p >= 0.5 ? 1 : quantizeDropped(p) }

    /// XMA2 §3.3.1's levels of one layer: 1 for a kept column; a dropped column's real mask
    /// min-max normalised over the dropped columns to [0, 1], `(m − min)/(max − min)`, then the
    /// nearest of 0 and the shift levels (a single dropped value, or all equal, normalises to 1).
    public func minMaxLevels(_ realMask: [Float], dropped: [Bool]) -> [Float] {
        precondition(realMask.count == dropped.count, "minMaxLevels: \(realMask.count) values, \(dropped.count) flags")
        let values = zip(realMask, dropped).filter(\.1).map(\.0)
        let lo = values.min() ?? 0, span = (values.max() ?? 0) - lo
        return zip(realMask, dropped).map { m, isDropped in
            isDropped ? quantizeDropped(span > 0 ? (m - lo) / span : 1) : 1
        }
    }

    /// Index of `level` in ``all`` (for packing), or nil if it is not a level.
    public func index(of level: Float) -> Int? { all.firstIndex(of: level) }
}
