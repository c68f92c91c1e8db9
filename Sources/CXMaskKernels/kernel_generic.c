/* Portable micro-kernel: tiles of up to 4 rows x 8 columns held in 4-float vectors (clang/GCC
 * vector extensions), so any target gets SIMD without intrinsics: SSE2 on baseline x86-64, NEON
 * `fmla v.4s` on arm64 (`.ci/run` checks the aarch64 assembly). The fallback on any CPU. */
#include "xm_internal.h"

typedef float xm_v4 __attribute__((vector_size(16), aligned(4)));

static inline __attribute__((always_inline)) xm_v4 load4(const float *p) { return *(const xm_v4 *)p; }
static inline __attribute__((always_inline)) void store4(float *p, xm_v4 v) { *(xm_v4 *)p = v; }

static inline __attribute__((always_inline)) void
tile_generic(const int MR, long kc, const float *ap, const float *bp, float *c, long ldc,
             float alpha, float beta, int nr) {
    xm_v4 acc[4][2];
    #pragma unroll
    for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = (xm_v4){0, 0, 0, 0};
    for (long p = 0; p < kc; p++) {
        xm_v4 b0 = load4(bp), b1 = load4(bp + 4);
        #pragma unroll
        for (int i = 0; i < MR; i++) {
            float a = ap[i];
            acc[i][0] = acc[i][0] + a * b0; /* one expression: contracted to an FMA where the target has one */
            acc[i][1] = acc[i][1] + a * b1;
        }
        ap += MR;
        bp += 8;
    }
    #pragma unroll
    for (int i = 0; i < MR; i++) {
        float *cr = c + i * ldc;
        xm_v4 x0 = alpha * acc[i][0], x1 = alpha * acc[i][1];
        if (nr == 8) {
            if (beta != 0) {
                x0 = x0 + beta * load4(cr);
                x1 = x1 + beta * load4(cr + 4);
            }
            store4(cr, x0);
            store4(cr + 4, x1);
        } else {
            float tile[8];
            store4(tile, x0);
            store4(tile + 4, x1);
            if (beta != 0) for (int j = 0; j < nr; j++) cr[j] = tile[j] + beta * cr[j];
            else for (int j = 0; j < nr; j++) cr[j] = tile[j];
        }
    }
}

#define XM_TILE_GENERIC(MR)                                                                     \
    static void xm_tile_generic_##MR(long kc, const float *ap, const float *bp, float *c,       \
                                     long ldc, float alpha, float beta, int nr) {               \
        tile_generic(MR, kc, ap, bp, c, ldc, alpha, beta, nr);                                  \
    }
XM_TILE_GENERIC(1) XM_TILE_GENERIC(2) XM_TILE_GENERIC(3) XM_TILE_GENERIC(4)

typedef void (*tile_fn)(long, const float *, const float *, float *, long, float, float, int);
static const tile_fn tiles_generic[5] = {
    0, xm_tile_generic_1, xm_tile_generic_2, xm_tile_generic_3, xm_tile_generic_4};

void xm_kernel_generic(long kc, const float *ap, const float *bp, float *c, long ldc,
                       float alpha, float beta, int mr, int nr) {
    tiles_generic[mr](kc, ap, bp, c, ldc, alpha, beta, nr);
}

void xm_pack_b_generic8(int trans, long kc, long nc, const float *b, long ldb, float *bp) {
    xm_pack_b_generic(8, trans, kc, nc, b, ldb, bp);
}
