/* AVX2 + FMA micro-kernel: tiles of up to 6 rows x 16 columns (12 ymm accumulators).
 * Compiled for AVX2 through a target attribute; only called when the CPU reports avx2 and fma. */
#include "xm_internal.h"
#if defined(__x86_64__)
#include "xm_avx2.h"

static inline __attribute__((always_inline)) XM_AVX2 void
tile256(const int MR, long kc, const float *ap, const float *bp, float *c, long ldc,
        float alpha, float beta, int nr) {
    __m256 c0[6], c1[6];
    #pragma unroll
    for (int i = 0; i < MR; i++) {
        c0[i] = _mm256_setzero_ps();
        c1[i] = _mm256_setzero_ps();
    }
    for (long p = 0; p < kc; p++) {
        __m256 b0 = _mm256_loadu_ps(bp), b1 = _mm256_loadu_ps(bp + 8);
        #pragma unroll
        for (int i = 0; i < MR; i++) {
            __m256 av = _mm256_broadcast_ss(ap + i);
            c0[i] = _mm256_fmadd_ps(av, b0, c0[i]);
            c1[i] = _mm256_fmadd_ps(av, b1, c1[i]);
        }
        ap += MR;
        bp += 16;
    }
    const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
    if (nr == 16) {
        #pragma unroll
        for (int i = 0; i < MR; i++) {
            float *cr = c + i * ldc;
            __m256 x0 = _mm256_mul_ps(va, c0[i]), x1 = _mm256_mul_ps(va, c1[i]);
            if (beta != 0) {
                x0 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(cr), x0);
                x1 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(cr + 8), x1);
            }
            _mm256_storeu_ps(cr, x0);
            _mm256_storeu_ps(cr + 8, x1);
        }
    } else {
        float tile[16];
        #pragma unroll
        for (int i = 0; i < MR; i++) {
            float *cr = c + i * ldc;
            _mm256_storeu_ps(tile, _mm256_mul_ps(va, c0[i]));
            _mm256_storeu_ps(tile + 8, _mm256_mul_ps(va, c1[i]));
            if (beta != 0) for (int j = 0; j < nr; j++) cr[j] = tile[j] + beta * cr[j];
            else for (int j = 0; j < nr; j++) cr[j] = tile[j];
        }
    }
}

#define XM_TILE256(MR)                                                                          \
    static XM_AVX2 void xm_tile256_##MR(long kc, const float *ap, const float *bp, float *c,    \
                                        long ldc, float alpha, float beta, int nr) {            \
        tile256(MR, kc, ap, bp, c, ldc, alpha, beta, nr);                                       \
    }
XM_TILE256(1) XM_TILE256(2) XM_TILE256(3) XM_TILE256(4) XM_TILE256(5) XM_TILE256(6)

typedef void (*tile_fn)(long, const float *, const float *, float *, long, float, float, int);
static const tile_fn tiles256[7] = {
    0, xm_tile256_1, xm_tile256_2, xm_tile256_3, xm_tile256_4, xm_tile256_5, xm_tile256_6};

void xm_kernel_avx2(long kc, const float *ap, const float *bp, float *c, long ldc,
                    float alpha, float beta, int mr, int nr) {
    tiles256[mr](kc, ap, bp, c, ldc, alpha, beta, nr);
}

XM_AVX2 void xm_pack_b_avx2(int trans, long kc, long nc, const float *b, long ldb, float *bp) {
    if (trans) {
        xm_pack_b_generic(16, trans, kc, nc, b, ldb, bp);
        return;
    }
    for (long j0 = 0; j0 < nc; j0 += 16) {
        long w = nc - j0 < 16 ? nc - j0 : 16;
        float *dst = bp + j0 * kc;
        const float *src = b + j0;
        if (w == 16) {
            for (long p = 0; p < kc; p++) {
                _mm256_storeu_ps(dst + p * 16, _mm256_loadu_ps(src + p * ldb));
                _mm256_storeu_ps(dst + p * 16 + 8, _mm256_loadu_ps(src + p * ldb + 8));
            }
        } else {
            for (long p = 0; p < kc; p++) {
                long j = 0;
                for (; j < w; j++) dst[p * 16 + j] = src[p * ldb + j];
                for (; j < 16; j++) dst[p * 16 + j] = 0;
            }
        }
    }
}

#else /* not x86-64: never selected (see dispatch.c) */
void xm_kernel_avx2(long kc, const float *ap, const float *bp, float *c, long ldc,
                    float alpha, float beta, int mr, int nr) {
    xm_kernel_generic(kc, ap, bp, c, ldc, alpha, beta, mr, nr);
}
void xm_pack_b_avx2(int trans, long kc, long nc, const float *b, long ldb, float *bp) {
    xm_pack_b_generic(16, trans, kc, nc, b, ldb, bp);
}
#endif
