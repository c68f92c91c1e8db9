#ifndef CXMASK_KERNELS_H
#define CXMASK_KERNELS_H
/* SIMD micro-kernels for xmask's SGEMM, chosen at run time by CPU feature. */
/* Returns a name for the SIMD path this CPU uses: "avx512", "avx2", or "sse2". */
const char *xm_simd_path(void);
#endif
