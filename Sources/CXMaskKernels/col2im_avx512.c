/* col2im with AVX-512: each (row, output row) segment is added into one input row with masked
 * loads and stores, 16 floats at a time for stride 1, and spread to every other float for
 * stride 2; other strides use the portable loop. */
#include "xm_internal.h"
#if defined(__x86_64__)
#include "xm_avx512.h"

XM_AVX512 void xm_col2im_avx512(const float *col, const xm_conv_geometry *g, float *image) {
    const long oh = g->out_h, ow = g->out_w, H = g->height, W = g->width, sw = g->stride_w;
    if (sw > 2) {
        xm_col2im_generic(col, g, image);
        return;
    }
    const __m512i spread_lo = _mm512_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
    const __m512i spread_hi = _mm512_setr_epi32(8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15);
    for (long c = 0; c < g->channels; c++) {
        float *plane = image + c * H * W;
        for (long i = 0; i < g->kernel_h; i++) {
            for (long j = 0; j < g->kernel_w; j++) {
                const float *rowsrc = col + ((c * g->kernel_h + i) * g->kernel_w + j) * oh * ow;
                /* valid output columns x0..x1: input column x*sw - pw + j inside the image */
                long low = g->pad_w - j, high = W - 1 + g->pad_w - j;
                long x0 = low <= 0 ? 0 : (low + sw - 1) / sw;
                long x1 = high < 0 ? 0 : high / sw + 1;
                if (x1 > ow) x1 = ow;
                if (x0 >= x1) continue;
                for (long y = 0; y < oh; y++) {
                    long iy = y * g->stride_h - g->pad_h + i;
                    if (iy < 0 || iy >= H) continue;
                    const float *src = rowsrc + y * ow;
                    float *dst = plane + iy * W + j - g->pad_w; /* dst[x*sw] is input column of x */
                    if (sw == 1) {
                        for (long x = x0; x < x1; x += 16) {
                            __mmask16 m = first_lanes(x1 - x);
                            __m512 v = _mm512_add_ps(_mm512_maskz_loadu_ps(m, dst + x), _mm512_maskz_loadu_ps(m, src + x));
                            _mm512_mask_storeu_ps(dst + x, m, v);
                        }
                    } else {
                        for (long x = x0; x < x1; x += 16) {
                            long n = x1 - x < 16 ? x1 - x : 16;
                            __m512 s = _mm512_maskz_loadu_ps(first_lanes(n), src + x);
                            /* even lanes of the 32-float window at dst + 2x take s */
                            unsigned long even = 0;
                            for (long u = 0; u < n; u++) even |= 1ul << (2 * u);
                            __mmask16 mlo = (__mmask16)(even & 0xFFFF), mhi = (__mmask16)(even >> 16);
                            float *d = dst + 2 * x;
                            __m512 lo = _mm512_add_ps(_mm512_maskz_loadu_ps(mlo, d), _mm512_permutexvar_ps(spread_lo, s));
                            __m512 hi = _mm512_add_ps(_mm512_maskz_loadu_ps(mhi, d + 16), _mm512_permutexvar_ps(spread_hi, s));
                            _mm512_mask_storeu_ps(d, mlo, lo);
                            _mm512_mask_storeu_ps(d + 16, mhi, hi);
                        }
                    }
                }
            }
        }
    }
}

#else
void xm_col2im_avx512(const float *col, const xm_conv_geometry *g, float *image) {
    xm_col2im_generic(col, g, image);
}
#endif
