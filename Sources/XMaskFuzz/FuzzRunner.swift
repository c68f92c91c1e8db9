import Foundation

/// What a fuzz run of one format found.
public struct FuzzStats: Sendable, CustomStringConvertible {
    public var format: String
    public var cases = 0
    /// Inputs the parser refused with an error (the expected outcome of most mutations).
    public var refused = 0
    public var accepted = 0
    /// Accepted inputs that led to a NaN or infinite figure (weights or a report).
    public var nonFinite = 0
    /// Cases slower than the hang threshold.
    public var slow = 0
    public var slowestSeconds = 0.0
    public var seconds = 0.0

    public var description: String {
        "\(format): \(cases) cases, \(refused) refused, \(accepted) accepted, \(nonFinite) non-finite, \(slow) over the hang threshold (slowest \(String(format: "%.3f", slowestSeconds)) s), \(String(format: "%.1f", seconds)) s"
    }
}

/// Runs seeded mutations of a target's seeds through its parser, in-process.
public enum FuzzRunner {
    /// - Parameters:
    ///   - cases: inputs to try; each is one to three mutations of a seed or of the previous input.
    ///   - hangSeconds: a case slower than this counts in ``FuzzStats/slow``.
    public static func run(_ target: FuzzTarget, cases: Int, seed: UInt64, hangSeconds: Double = 10) -> FuzzStats {
        var m = Mutator(seed: seed)
        var stats = FuzzStats(format: target.name)
        let clock = ContinuousClock()
        let start = clock.now
        var previous: [UInt8]? = nil
        for _ in 0..<cases {
            let base = previous != nil && m.chance(0.3) ? previous! : target.seeds[m.below(target.seeds.count)]
            let input = target.mutate(&m, base)
            let t0 = clock.now
            do {
                switch try target.run(input) {
                case .accepted: stats.accepted += 1
                case .nonFinite: stats.nonFinite += 1
                }
                previous = input
            } catch {
                stats.refused += 1
                previous = m.chance(0.2) ? input : nil
            }
            let elapsed = seconds(clock.now - t0)
            stats.slowestSeconds = max(stats.slowestSeconds, elapsed)
            if elapsed > hangSeconds { stats.slow += 1 }
            stats.cases += 1
        }
        stats.seconds = seconds(clock.now - start)
        return stats
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
