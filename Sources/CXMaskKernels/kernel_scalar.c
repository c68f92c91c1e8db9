/* Portable micro-kernel: tiles of up to 4 rows x 8 columns in plain C, which the compiler
 * turns into baseline SIMD (SSE2 on x86-64, NEON on arm64). The fallback on any CPU. */
#include "xm_internal.h"

static inline __attribute__((always_inline)) void
tile_scalar(const int MR, long kc, const float *ap, const float *bp, float *c, long ldc,
            float alpha, float beta, int nr) {
    float acc[4][8] = {{0}};
    for (long p = 0; p < kc; p++) {
        #pragma unroll
        for (int i = 0; i < MR; i++) {
            float a = ap[i];
            #pragma unroll
            for (int j = 0; j < 8; j++) acc[i][j] += a * bp[j];
        }
        ap += MR;
        bp += 8;
    }
    #pragma unroll
    for (int i = 0; i < MR; i++) {
        float *cr = c + i * ldc;
        if (beta != 0) for (int j = 0; j < nr; j++) cr[j] = alpha * acc[i][j] + beta * cr[j];
        else for (int j = 0; j < nr; j++) cr[j] = alpha * acc[i][j];
    }
}

#define XM_TILE_SCALAR(MR)                                                                      \
    static void xm_tile_scalar_##MR(long kc, const float *ap, const float *bp, float *c,        \
                                    long ldc, float alpha, float beta, int nr) {                \
        tile_scalar(MR, kc, ap, bp, c, ldc, alpha, beta, nr);                                   \
    }
XM_TILE_SCALAR(1) XM_TILE_SCALAR(2) XM_TILE_SCALAR(3) XM_TILE_SCALAR(4)

typedef void (*tile_fn)(long, const float *, const float *, float *, long, float, float, int);
static const tile_fn tiles_scalar[5] = {
    0, xm_tile_scalar_1, xm_tile_scalar_2, xm_tile_scalar_3, xm_tile_scalar_4};

void xm_kernel_scalar(long kc, const float *ap, const float *bp, float *c, long ldc,
                      float alpha, float beta, int mr, int nr) {
    tiles_scalar[mr](kc, ap, bp, c, ldc, alpha, beta, nr);
}

void xm_pack_b_scalar(int trans, long kc, long nc, const float *b, long ldb, float *bp) {
    xm_pack_b_generic(8, trans, kc, nc, b, ldb, bp);
}
