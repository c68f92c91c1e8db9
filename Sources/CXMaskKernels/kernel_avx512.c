/* AVX-512F + FMA micro-kernel: tiles of up to 14 rows x 32 columns (28 zmm accumulators).
 * Every function here is compiled for AVX-512 through a target attribute and is only
 * called when the CPU reports avx512f (see dispatch.c). */
#include "xm_internal.h"
#if defined(__x86_64__)
#include "xm_avx512.h"

/* One micro-tile with a compile-time height MR (inlined into xm_tile512_<MR> below). */
static inline __attribute__((always_inline)) XM_AVX512 void
tile512(const int MR, long kc, const float *ap, const float *bp, float *c, long ldc,
        float alpha, float beta, int nr) {
    __m512 c0[14], c1[14];
    const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    if (nr <= 16) {
        /* A narrow tile (the last columns, or a product only 16 wide such as a 4x4 image's
         * 16 pixels): the second half of B is zero padding, so skip its FMAs. */
        #pragma unroll
        for (int i = 0; i < MR; i++) c0[i] = _mm512_setzero_ps();
        for (long p = 0; p < kc; p++) {
            __m512 b0 = _mm512_loadu_ps(bp);
            #pragma unroll
            for (int i = 0; i < MR; i++) c0[i] = _mm512_fmadd_ps(_mm512_set1_ps(ap[i]), b0, c0[i]);
            ap += MR;
            bp += 32;
        }
        __mmask16 m0 = first_lanes(nr);
        #pragma unroll
        for (int i = 0; i < MR; i++) {
            float *cr = c + i * ldc;
            __m512 x0 = _mm512_mul_ps(va, c0[i]);
            if (beta != 0) x0 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m0, cr), x0);
            _mm512_mask_storeu_ps(cr, m0, x0);
        }
        return;
    }
    #pragma unroll
    for (int i = 0; i < MR; i++) {
        c0[i] = _mm512_setzero_ps();
        c1[i] = _mm512_setzero_ps();
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + i * ldc + 16), _MM_HINT_T0);
    }
    for (long p = 0; p < kc; p++) {
        __m512 b0 = _mm512_loadu_ps(bp), b1 = _mm512_loadu_ps(bp + 16);
        _mm_prefetch((const char *)(bp + 256), _MM_HINT_T0);
        #pragma unroll
        for (int i = 0; i < MR; i++) {
            __m512 av = _mm512_set1_ps(ap[i]);
            c0[i] = _mm512_fmadd_ps(av, b0, c0[i]);
            c1[i] = _mm512_fmadd_ps(av, b1, c1[i]);
        }
        ap += MR;
        bp += 32;
    }
    if (nr == 32) {
        #pragma unroll
        for (int i = 0; i < MR; i++) {
            float *cr = c + i * ldc;
            __m512 x0 = _mm512_mul_ps(va, c0[i]), x1 = _mm512_mul_ps(va, c1[i]);
            if (beta != 0) {
                x0 = _mm512_fmadd_ps(vb, _mm512_loadu_ps(cr), x0);
                x1 = _mm512_fmadd_ps(vb, _mm512_loadu_ps(cr + 16), x1);
            }
            _mm512_storeu_ps(cr, x0);
            _mm512_storeu_ps(cr + 16, x1);
        }
    } else {
        __mmask16 m0 = nr >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nr) - 1);
        __mmask16 m1 = nr <= 16 ? (__mmask16)0 : (__mmask16)((1u << (nr - 16)) - 1);
        #pragma unroll
        for (int i = 0; i < MR; i++) {
            float *cr = c + i * ldc;
            __m512 x0 = _mm512_mul_ps(va, c0[i]), x1 = _mm512_mul_ps(va, c1[i]);
            if (beta != 0) {
                x0 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m0, cr), x0);
                x1 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m1, cr + 16), x1);
            }
            _mm512_mask_storeu_ps(cr, m0, x0);
            _mm512_mask_storeu_ps(cr + 16, m1, x1);
        }
    }
}

#define XM_TILE512(MR)                                                                          \
    static XM_AVX512 void xm_tile512_##MR(long kc, const float *ap, const float *bp, float *c,  \
                                          long ldc, float alpha, float beta, int nr) {          \
        tile512(MR, kc, ap, bp, c, ldc, alpha, beta, nr);                                       \
    }
XM_TILE512(1) XM_TILE512(2) XM_TILE512(3) XM_TILE512(4) XM_TILE512(5) XM_TILE512(6) XM_TILE512(7)
XM_TILE512(8) XM_TILE512(9) XM_TILE512(10) XM_TILE512(11) XM_TILE512(12) XM_TILE512(13) XM_TILE512(14)

typedef void (*tile_fn)(long, const float *, const float *, float *, long, float, float, int);
static const tile_fn tiles512[15] = {
    0, xm_tile512_1, xm_tile512_2, xm_tile512_3, xm_tile512_4, xm_tile512_5, xm_tile512_6,
    xm_tile512_7, xm_tile512_8, xm_tile512_9, xm_tile512_10, xm_tile512_11, xm_tile512_12,
    xm_tile512_13, xm_tile512_14};

void xm_kernel_avx512(long kc, const float *ap, const float *bp, float *c, long ldc,
                      float alpha, float beta, int mr, int nr) {
    tiles512[mr](kc, ap, bp, c, ldc, alpha, beta, nr);
}

/* A panels from row-major A (each of the h <= 14 rows is a contiguous stream along k):
 * 16 x 16 in-register transposes, each column stored as h floats. */
XM_AVX512 void xm_pack_a_avx512(int trans, long mc, long kc, const float *a, long lda, float *ap, int mrp) {
    if (trans || mrp > 16) {
        xm_pack_a_generic(trans, mc, kc, a, lda, ap, mrp);
        return;
    }
    for (long i0 = 0; i0 < mc; i0 += mrp) {
        int h = (int)(mc - i0 < mrp ? mc - i0 : mrp);
        float *dst = ap + i0 * kc;
        const __mmask16 store_mask = first_lanes(h);
        for (long p0 = 0; p0 < kc; p0 += 16) {
            long steps = kc - p0 < 16 ? kc - p0 : 16;
            __mmask16 load_mask = first_lanes(steps);
            __m512 r[16];
#pragma unroll
            for (int i = 0; i < 16; i++)
                r[i] = i < h ? _mm512_maskz_loadu_ps(load_mask, a + (i0 + i) * lda + p0) : _mm512_setzero_ps();
            transpose16(r);
            if (steps == 16) {
#pragma unroll
                for (int q = 0; q < 16; q++) _mm512_mask_storeu_ps(dst + (p0 + q) * h, store_mask, r[q]);
            } else {
                for (int q = 0; q < steps; q++) _mm512_mask_storeu_ps(dst + (p0 + q) * h, store_mask, r[q]);
            }
        }
    }
}

/* B panels of 32 columns. Row-major B: two 16-float copies per step. Transposed B (each
 * column of op(B) is a contiguous stream along k): 16 x 16 in-register transposes. */
XM_AVX512 void xm_pack_b_avx512(int trans, long kc, long nc, const float *b, long ldb, float *bp) {
    for (long j0 = 0; j0 < nc; j0 += 32) {
        long w = nc - j0 < 32 ? nc - j0 : 32;
        float *dst = bp + j0 * kc;
        if (!trans) {
            const float *src = b + j0;
            __mmask16 m0 = first_lanes(w), m1 = first_lanes(w - 16 > 0 ? w - 16 : 0);
            if (w == 32) {
                for (long p = 0; p < kc; p++) {
                    _mm512_storeu_ps(dst + p * 32, _mm512_loadu_ps(src + p * ldb));
                    _mm512_storeu_ps(dst + p * 32 + 16, _mm512_loadu_ps(src + p * ldb + 16));
                }
            } else {
                for (long p = 0; p < kc; p++) {
                    _mm512_storeu_ps(dst + p * 32, _mm512_maskz_loadu_ps(m0, src + p * ldb));
                    _mm512_storeu_ps(dst + p * 32 + 16, _mm512_maskz_loadu_ps(m1, src + p * ldb + 16));
                }
            }
            continue;
        }
        for (int half = 0; half < 2; half++) {
            long cols = w - 16 * half; /* columns of op(B) in this half: rows of stored b */
            if (cols > 16) cols = 16;
            const float *src = b + (j0 + 16 * half) * ldb;
            float *d = dst + 16 * half;
            if (cols <= 0) {
                for (long p = 0; p < kc; p++) _mm512_storeu_ps(d + p * 32, _mm512_setzero_ps());
                continue;
            }
            for (long p0 = 0; p0 < kc; p0 += 16) {
                long steps = kc - p0 < 16 ? kc - p0 : 16;
                __mmask16 load_mask = first_lanes(steps);
                __m512 r[16];
#pragma unroll
                for (int i = 0; i < 16; i++)
                    r[i] = i < cols ? _mm512_maskz_loadu_ps(load_mask, src + i * ldb + p0) : _mm512_setzero_ps();
                transpose16(r);
                if (steps == 16) {
#pragma unroll
                    for (int q = 0; q < 16; q++) _mm512_storeu_ps(d + (p0 + q) * 32, r[q]);
                } else {
                    for (int q = 0; q < steps; q++) _mm512_storeu_ps(d + (p0 + q) * 32, r[q]);
                }
            }
        }
    }
}

#else /* not x86-64: never selected (see dispatch.c) */
void xm_kernel_avx512(long kc, const float *ap, const float *bp, float *c, long ldc,
                      float alpha, float beta, int mr, int nr) {
    xm_kernel_generic(kc, ap, bp, c, ldc, alpha, beta, mr, nr);
}
void xm_pack_a_avx512(int trans, long mc, long kc, const float *a, long lda, float *ap, int mrp) {
    xm_pack_a_generic(trans, mc, kc, a, lda, ap, mrp);
}
void xm_pack_b_avx512(int trans, long kc, long nc, const float *b, long ldb, float *bp) {
    xm_pack_b_generic(32, trans, kc, nc, b, ldb, bp);
}
#endif
