import XMaskTensor

/// Deterministic shuffling. The permutation is computed here (Fisher–Yates with Lemire's
/// unbiased bounded draws) rather than by the standard library's `shuffle(using:)`, whose
/// algorithm is not promised to stay the same across Swift releases: a seed gives the same
/// order on every machine and toolchain.
public enum Shuffle {
    /// A seed derived from `seed` and `parts` by chained SplitMix64 finalisers; different parts
    /// give unrelated seeds. Epoch `e` shuffles with `derivedSeed(seed, [e, 0])`, so a run resumed
    /// at epoch `e` sees the same order as one that never stopped.
    public static func derivedSeed(_ seed: UInt64, _ parts: [UInt64]) -> UInt64 {
        var h = mix(seed)
        for part in parts { h = mix(h ^ mix(part &+ 0x632B_E59B_D9B4_E019)) }
        return h
    }

    /// The order in which epoch `epoch` of a run seeded with `seed` visits `count` items.
    public static func order(count: Int, seed: UInt64, epoch: Int) -> [Int] {
        var rng = SeededGenerator(seed: derivedSeed(seed, [UInt64(truncatingIfNeeded: epoch), 0]))
        return permutation(count: count, using: &rng)
    }

    /// A uniformly random permutation of `0..<count`.
    public static func permutation(count: Int, using rng: inout some RandomNumberGenerator) -> [Int] {
        var p = Array(0..<count)
        var i = count - 1
        while i > 0 {
            p.swapAt(i, uniform(below: i + 1, using: &rng))
            i -= 1
        }
        return p
    }

    /// A uniform integer in `0..<n` (Lemire 2019, "Fast random integer generation in an interval").
    public static func uniform(below n: Int, using rng: inout some RandomNumberGenerator) -> Int {
        precondition(n > 0, "uniform(below:): bound \(n) must be positive")
        let bound = UInt64(n)
        var m = rng.next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = rng.next().multipliedFullWidth(by: bound) }
        }
        return Int(m.high)
    }

    private static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
