/* Run-time choice of the SIMD path, from the CPU's own report (no compiler flags needed). */
#include "cxmask_kernels.h"

int xm_path_supported(int path) {
    switch (path) {
#if defined(__x86_64__)
    case XM_PATH_AVX512:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
               __builtin_cpu_supports("fma");
    case XM_PATH_AVX2:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
    case XM_PATH_SCALAR:
        return 1;
    default:
        return 0;
    }
}

int xm_best_path(void) {
    if (xm_path_supported(XM_PATH_AVX512)) return XM_PATH_AVX512;
    if (xm_path_supported(XM_PATH_AVX2)) return XM_PATH_AVX2;
    return XM_PATH_SCALAR;
}

const char *xm_path_name(int path) {
    switch (path) {
    case XM_PATH_AVX512: return "avx512";
    case XM_PATH_AVX2: return "avx2";
#if defined(__x86_64__) || defined(__i386__)
    case XM_PATH_SCALAR: return "sse2";
#else
    case XM_PATH_SCALAR: return "generic";
#endif
    default: return "unknown";
    }
}

const char *xm_simd_path(void) { return xm_path_name(xm_best_path()); }
