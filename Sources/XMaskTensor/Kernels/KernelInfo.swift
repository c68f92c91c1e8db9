import CXMaskKernels

/// What the kernels run on this CPU.
public enum KernelInfo {
    /// The SIMD path SGEMM takes on this CPU ("avx512", "avx2" or "sse2"), found at run time.
    public static var simdPath: String { String(cString: xm_simd_path()) }
}
