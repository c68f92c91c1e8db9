/* Run-time choice of the SIMD path, from the CPU's own report (no compiler flags needed), and
 * the process-wide override that executables set from XMASK_SIMD (xm_force_path). */
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
    case XM_PATH_GENERIC:
        return 1;
    default:
        return 0;
    }
}

int xm_best_path(void) {
    if (xm_path_supported(XM_PATH_AVX512)) return XM_PATH_AVX512;
    if (xm_path_supported(XM_PATH_AVX2)) return XM_PATH_AVX2;
    return XM_PATH_GENERIC;
}

/* -1: not forced. Written once by an executable at start, read by every kernel call. */
static int forced_path = -1;

int xm_force_path(int path) {
    if (path != -1 && !xm_path_supported(path)) return -1;
    __atomic_store_n(&forced_path, path, __ATOMIC_RELAXED);
    return 0;
}

int xm_forced_path(void) { return __atomic_load_n(&forced_path, __ATOMIC_RELAXED); }

int xm_active_path(void) {
    int p = xm_forced_path();
    return p >= 0 ? p : xm_best_path();
}

const char *xm_path_name(int path) {
    switch (path) {
    case XM_PATH_AVX512: return "avx512";
    case XM_PATH_AVX2: return "avx2";
    case XM_PATH_GENERIC: return "generic";
    default: return "unknown";
    }
}

const char *xm_simd_path(void) { return xm_path_name(xm_active_path()); }
