/* col2im with AVX2: each (row, output row) segment is added into one input row with masked
 * loads and stores, 8 floats at a time for stride 1, and spread to every other float for
 * stride 2 (the odd floats of the window are masked off, so they are neither read nor written);
 * other strides use the portable loop. */
#include "xm_internal.h"
#if defined(__x86_64__)
#include "xm_avx2.h"

XM_AVX2 void xm_col2im_avx2(const float *col, const xm_conv_geometry *g, float *image) {
    const long oh = g->out_h, ow = g->out_w, H = g->height, W = g->width, sw = g->stride_w;
    if (sw > 2) {
        xm_col2im_generic(col, g, image);
        return;
    }
    const __m256i spread_lo = _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3);
    const __m256i spread_hi = _mm256_setr_epi32(4, 4, 5, 5, 6, 6, 7, 7);
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
                        long x = x0;
                        for (; x + 8 <= x1; x += 8)
                            _mm256_storeu_ps(dst + x, _mm256_add_ps(_mm256_loadu_ps(dst + x), _mm256_loadu_ps(src + x)));
                        if (x < x1) {
                            __m256i m = first_lanes8(x1 - x);
                            __m256 v = _mm256_add_ps(_mm256_maskload_ps(dst + x, m), _mm256_maskload_ps(src + x, m));
                            _mm256_maskstore_ps(dst + x, m, v);
                        }
                    } else {
                        for (long x = x0; x < x1; x += 8) {
                            __m256i m = first_lanes8(x1 - x), lo, hi;
                            __m256 s = _mm256_maskload_ps(src + x, m);
                            even_window(m, &lo, &hi);
                            float *d = dst + 2 * x;
                            __m256 a = _mm256_add_ps(_mm256_maskload_ps(d, lo), _mm256_permutevar8x32_ps(s, spread_lo));
                            __m256 b = _mm256_add_ps(_mm256_maskload_ps(d + 8, hi), _mm256_permutevar8x32_ps(s, spread_hi));
                            _mm256_maskstore_ps(d, lo, a);
                            _mm256_maskstore_ps(d + 8, hi, b);
                        }
                    }
                }
            }
        }
    }
}

#else
void xm_col2im_avx2(const float *col, const xm_conv_geometry *g, float *image) {
    xm_col2im_generic(col, g, image);
}
#endif
