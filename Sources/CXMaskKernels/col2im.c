/* col2im (the adjoint of im2col): portable C, and the dispatch to the AVX-512 and AVX2 versions. */
#include "xm_internal.h"

/* Output columns x0..x1 whose input column x*sw - pw + j lies in 0..W-1. */
static void valid_columns(const xm_conv_geometry *g, long j, long *x0, long *x1) {
    long low = g->pad_w - j, high = g->width - 1 + g->pad_w - j;
    long a = low <= 0 ? 0 : (low + g->stride_w - 1) / g->stride_w;
    long b = high < 0 ? 0 : high / g->stride_w + 1;
    if (b > g->out_w) b = g->out_w;
    if (a > g->out_w) a = g->out_w;
    *x0 = a;
    *x1 = b;
}

void xm_col2im_generic(const float *col, const xm_conv_geometry *g, float *image) {
    const long oh = g->out_h, ow = g->out_w, H = g->height, W = g->width, sw = g->stride_w;
    for (long c = 0; c < g->channels; c++) {
        float *plane = image + c * H * W;
        for (long i = 0; i < g->kernel_h; i++) {
            for (long j = 0; j < g->kernel_w; j++) {
                const float *rowsrc = col + ((c * g->kernel_h + i) * g->kernel_w + j) * oh * ow;
                long x0, x1;
                valid_columns(g, j, &x0, &x1);
                for (long y = 0; y < oh; y++) {
                    long iy = y * g->stride_h - g->pad_h + i;
                    if (iy < 0 || iy >= H) continue;
                    const float *src = rowsrc + y * ow;
                    float *dst = plane + iy * W + j - g->pad_w;
                    if (sw == 1) {
                        for (long x = x0; x < x1; x++) dst[x] += src[x]; /* vectorised */
                    } else {
                        for (long x = x0; x < x1; x++) dst[x * sw] += src[x];
                    }
                }
            }
        }
    }
}

void xm_col2im(int path, const float *col, const xm_conv_geometry *g, float *image) {
    switch (path) {
    case XM_PATH_AVX512: xm_col2im_avx512(col, g, image); break;
    case XM_PATH_AVX2: xm_col2im_avx2(col, g, image); break;
    default: xm_col2im_generic(col, g, image); break;
    }
}
