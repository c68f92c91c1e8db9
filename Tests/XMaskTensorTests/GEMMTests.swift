import Testing
@testable import XMaskTensor

/// Fast SGEMM against the naive triple loop, on every SIMD path this CPU can run.
@Suite struct GEMMTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var m, n, k: Int
        var testDescription: String { "\(m)×\(n)×\(k)" }
    }

    /// Odd sizes around the micro-tile edges (1, 7, 33, 129) plus the conv-like skinny shapes.
    static let shapes: [Case] = [
        Case(m: 1, n: 1, k: 1), Case(m: 7, n: 7, k: 7), Case(m: 1, n: 129, k: 33),
        Case(m: 129, n: 1, k: 7), Case(m: 7, n: 33, k: 129), Case(m: 33, n: 129, k: 7),
        Case(m: 129, n: 7, k: 33), Case(m: 33, n: 33, k: 1), Case(m: 129, n: 129, k: 129),
        Case(m: 16, n: 100, k: 27), Case(m: 15, n: 64, k: 400),
    ]

    static func random(_ count: Int, seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Float.random(in: -1...1, using: &rng) }
    }

    /// Runs fast and reference SGEMM on the same operands and checks they agree to ~1e-4.
    static func check(path: SIMDPath, _ s: Case, transposeA: Bool, transposeB: Bool,
                      alpha: Float, beta: Float, padding: Int = 0, seed: UInt64 = 1) {
        let (m, n, k) = (s.m, s.n, s.k)
        // Stored shapes: A is m×k (or k×m), B is k×n (or n×k); strides padded by `padding`.
        let lda = (transposeA ? m : k) + padding, ldb = (transposeB ? k : n) + padding
        let ldc = n + padding + 3
        let a = random((transposeA ? k : m) * lda, seed: seed)
        let b = random((transposeB ? n : k) * ldb, seed: seed + 1)
        let c0 = random(m * ldc, seed: seed + 2)
        var fast = c0, slow = c0
        if beta == 0 {
            // C must not be read when beta is zero: NaNs there must not leak into the result.
            for i in fast.indices where i % 5 == 0 { fast[i] = .nan; slow[i] = .nan }
        }
        fast.withUnsafeMutableBufferPointer { c in
            sgemm(path: path, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                  alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c.baseAddress!, ldc: ldc)
        }
        slow.withUnsafeMutableBufferPointer { c in
            sgemmReference(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                           alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c.baseAddress!, ldc: ldc)
        }
        var worst: Float = 0
        for i in 0..<m {
            for j in 0..<ldc {
                let x = fast[i * ldc + j], y = slow[i * ldc + j]
                if j >= n {
                    // Outside the n columns, C is untouched (NaN markers included).
                    if !(x == y || (x.isNaN && y.isNaN)) { worst = .infinity }
                    continue
                }
                worst = max(worst, abs(x - y) / (1 + abs(y)))
            }
        }
        #expect(worst <= 1e-4, "\(path) \(s.testDescription) tA=\(transposeA) tB=\(transposeB) α=\(alpha) β=\(beta): error \(worst)")
    }

    @Test(arguments: SIMDPath.supported, shapes)
    func matchesReferenceForAllTranspositions(_ path: SIMDPath, _ s: Case) {
        for transposeA in [false, true] {
            for transposeB in [false, true] {
                Parallelism.$threadCount.withValue(1) {
                    Self.check(path: path, s, transposeA: transposeA, transposeB: transposeB, alpha: 1, beta: 0)
                }
            }
        }
    }

    @Test(arguments: SIMDPath.supported, [(Float(1), Float(0)), (0.5, 0), (1, 1), (-2, 0.25), (0, 0.5), (0, 0)])
    func alphaBetaAndStrides(_ path: SIMDPath, _ ab: (alpha: Float, beta: Float)) {
        for s in [Case(m: 7, n: 33, k: 129), Case(m: 33, n: 7, k: 1), Case(m: 20, n: 50, k: 0)] {
            Self.check(path: path, s, transposeA: false, transposeB: true, alpha: ab.alpha, beta: ab.beta, padding: 5)
            Self.check(path: path, s, transposeA: true, transposeB: false, alpha: ab.alpha, beta: ab.beta, padding: 2)
        }
    }

    @Test(arguments: SIMDPath.supported)
    func twoThreadsMatchReference(_ path: SIMDPath) {
        // Large enough for the product to be cut into blocks that two threads take, along rows
        // and along columns.
        Parallelism.$threadCount.withValue(2) {
            for s in [Case(m: 129, n: 129, k: 129), Case(m: 17, n: 700, k: 129), Case(m: 300, n: 9, k: 400)] {
                #expect(GEMMSplit(path: path, m: s.m, n: s.n, k: s.k, threads: 2).chunks >= 2)
                Self.check(path: path, s, transposeA: false, transposeB: false, alpha: 1, beta: 0.5)
                Self.check(path: path, s, transposeA: true, transposeB: true, alpha: 1, beta: 0)
            }
        }
    }

    /// Every element of C is summed the same way however the product is cut, so 1, 2 and 3
    /// threads give the same bits (and so does the same thread count run again).
    @Test(arguments: SIMDPath.supported)
    func resultDoesNotDependOnTheThreadCount(_ path: SIMDPath) {
        let (m, n, k) = (150, 333, 200)
        let a = Self.random(m * k, seed: 21), b = Self.random(k * n, seed: 22)
        func product(threads: Int) -> [Float] {
            var c = [Float](repeating: 0, count: m * n)
            Parallelism.$threadCount.withValue(threads) {
                sgemm(path: path, transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1,
                      a: a, lda: k, b: b, ldb: n, beta: 0, c: &c, ldc: n)
            }
            return c
        }
        #expect(GEMMSplit(path: path, m: m, n: n, k: k, threads: 3).chunks > 3)
        let one = product(threads: 1)
        for threads in [2, 3, 2] { #expect(product(threads: threads) == one, "\(path) \(threads) threads") }
    }

    @Test func splitCoversTheProductOnce() {
        for (m, n) in [(1, 1), (129, 7), (7, 129), (1000, 1000), (33, 4096)] {
            for threads in 1...4 {
                let split = GEMMSplit(path: .best, m: m, n: n, k: 1 << 20, threads: threads)
                #expect(split.chunks <= threads * GEMMSplit.chunksPerThread)
                #expect(threads > 1 || split.chunks == 1)
                var covered = [Int](repeating: 0, count: m * n)
                for chunk in 0..<split.chunks {
                    let (rows, columns) = split.range(chunk)
                    for i in rows { for j in columns { covered[i * n + j] += 1 } }
                }
                #expect(covered.allSatisfy { $0 == 1 }, "\(m)×\(n) on \(threads) threads")
            }
        }
    }

    @Test func publicEntryUsesActivePath() {
        #expect(SIMDPath.best.isSupported)
        #expect(SIMDPath.generic.isSupported)
        #expect(SIMDPath.supported.first == SIMDPath.best)
        let a: [Float] = [1, 2, 3, 4, 5, 6] // 2×3
        let b: [Float] = [1, 0, 0, 1, 1, 1] // 3×2
        var c = [Float](repeating: 0, count: 4)
        sgemm(transposeA: false, transposeB: false, m: 2, n: 2, k: 3, alpha: 1, a: a, lda: 3,
              b: b, ldb: 2, beta: 0, c: &c, ldc: 2)
        #expect(c == [4, 5, 10, 11])
    }
}
