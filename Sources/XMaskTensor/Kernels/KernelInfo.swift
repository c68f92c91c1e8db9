import CXMaskKernels

/// What the kernels run on this CPU.
public enum KernelInfo {
    /// The SIMD path SGEMM takes on this CPU ("avx512", "avx2" or "sse2"), found at run time.
    public static var simdPath: String { String(cString: xm_simd_path()) }
}

/// An instruction-set path of the SGEMM micro-kernels (C target `CXMaskKernels`), chosen at
/// run time from what the CPU reports; tests force each supported one.
public enum SIMDPath: Int, CaseIterable, Sendable, CustomStringConvertible {
    /// AVX-512F + FMA, micro-tiles of up to 14 × 32.
    case avx512 = 0
    /// AVX2 + FMA, micro-tiles of up to 6 × 16.
    case avx2 = 1
    /// Plain C (SSE2 on x86-64), micro-tiles of up to 4 × 8; runs on any CPU.
    case scalar = 2

    /// The fastest path this CPU supports.
    public static let best: SIMDPath = SIMDPath(rawValue: Int(xm_best_path())) ?? .scalar

    /// Whether this CPU can run the path.
    public var isSupported: Bool { xm_path_supported(Int32(rawValue)) != 0 }

    /// "avx512", "avx2", or "sse2" ("generic" off x86).
    public var description: String { String(cString: xm_path_name(Int32(rawValue))) }

    /// Rows of the tallest micro-tile.
    var microTileRows: Int { Int(xm_sgemm_mr(Int32(rawValue))) }
    /// Columns of a micro-tile.
    var microTileColumns: Int { Int(xm_sgemm_nr(Int32(rawValue))) }
}

extension KernelInfo {
    /// Tunes the C allocator so that large freed buffers are reused without page faults
    /// (glibc `mallopt`: mmap and trim thresholds at 1 GiB). Process-wide: only executables
    /// call it, once, at start. Returns whether it was applied.
    @discardableResult
    public static func keepLargeAllocations() -> Bool { xm_keep_large_allocations() == 1 }
}
