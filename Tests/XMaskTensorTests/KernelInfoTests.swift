import Testing
@testable import XMaskTensor

@Suite struct KernelInfoTests {
    /// The allocator tuning must really reach glibc: a build that compiled the no-op fallback
    /// (as one did, testing `__GLIBC__` before any libc header defined it) faulted ~190 MB of
    /// fresh pages into every ResNet-20 training step.
    @Test func largeAllocationsAreKeptOnGlibc() {
        #if canImport(Glibc)
        #expect(KernelInfo.keepLargeAllocations())
        #endif
    }
}

/// XMASK_SIMD's parsing and the process-wide override (the CLI reads the variable and calls this).
@Suite(.serialized) struct SIMDPathForcingTests {
    @Test func namesRoundTrip() {
        for path in SIMDPath.allCases { #expect(SIMDPath(name: path.description) == path) }
        #expect(SIMDPath(name: "sse2") == .generic)
        #expect(SIMDPath(name: "neon") == nil)
    }

    @Test func unknownNameThrowsAndChangesNothing() {
        let before = SIMDPath.active
        #expect(throws: SIMDPathError.unknown("avx3")) { try KernelInfo.forceSIMDPath(named: "avx3") }
        #expect(SIMDPath.active == before)
        #expect(SIMDPathError.unknown("avx3").description.contains("expected one of avx512, avx2, generic"))
    }

    @Test func unsupportedPathThrows() {
        // On a CPU with every path (AVX-512) this checks the rule on no path; on AVX2 or ARM it does.
        for path in SIMDPath.allCases where !path.isSupported {
            #expect(throws: SIMDPathError.unsupported(path)) { try KernelInfo.forceSIMDPath(path) }
        }
        #expect(SIMDPathError.unsupported(.avx512).description.contains("cannot run the avx512 path"))
    }

    @Test func forcingChangesThePublicEntriesPath() throws {
        defer { try? KernelInfo.forceSIMDPath(nil) }
        for path in SIMDPath.supported {
            try KernelInfo.forceSIMDPath(named: path.description.uppercased())
            #expect(SIMDPath.active == path && KernelInfo.simdPath == path.description && KernelInfo.isSIMDPathForced)
            // The public entry runs on it and still computes the right product.
            let a: [Float] = [1, 2, 3, 4, 5, 6], b: [Float] = [1, 0, 0, 1, 1, 1]
            var c = [Float](repeating: 0, count: 4)
            sgemm(transposeA: false, transposeB: false, m: 2, n: 2, k: 3, alpha: 1, a: a, lda: 3,
                  b: b, ldb: 2, beta: 0, c: &c, ldc: 2)
            #expect(c == [4, 5, 10, 11])
        }
        try KernelInfo.forceSIMDPath(named: "auto")
        #expect(SIMDPath.active == SIMDPath.best && !KernelInfo.isSIMDPathForced)
    }
}
