/* Packing B panels straight from an image (implicit im2col), portable C. The AVX-512 and AVX2
 * paths have their own (pack_im2col_avx512.c, pack_im2col_avx2.c) and fall back to this one for
 * kernels of more than 64 taps; the generic path uses it always. */
#include "xm_internal.h"

void xm_pack_im2col_generic(int nr, int trans, const float *image, const xm_conv_geometry *g,
                            long pc, long kc, long jc, long nc, float *bp) {
    const long kh = g->kernel_h, kw = g->kernel_w, H = g->height, W = g->width, ow = g->out_w;
    const long sh = g->stride_h, sw = g->stride_w, ph = g->pad_h, pw = g->pad_w, plane = H * W;
    long a0[32], a1[32], a2[32]; /* per panel column: (y, x) or (c, i, j) */
    for (long j0 = 0; j0 < nc; j0 += nr) {
        long w = nc - j0 < nr ? nc - j0 : nr;
        float *dst = bp + j0 * kc;
        if (!trans) {
            /* columns are pixels; rows are (c, i, j) */
            for (long j = 0; j < w; j++) {
                long q = jc + j0 + j;
                a0[j] = (q / ow) * sh - ph;
                a1[j] = (q % ow) * sw - pw;
            }
            long c = pc / (kh * kw), i = (pc / kw) % kh, jj = pc % kw;
            for (long p = 0; p < kc; p++) {
                const float *src = image + c * plane;
                float *d = dst + p * nr;
                for (long j = 0; j < w; j++) {
                    long iy = a0[j] + i, ix = a1[j] + jj;
                    d[j] = (iy >= 0 && iy < H && ix >= 0 && ix < W) ? src[iy * W + ix] : 0.0f;
                }
                for (long j = w; j < nr; j++) d[j] = 0;
                if (++jj == kw) { jj = 0; if (++i == kh) { i = 0; c++; } }
            }
        } else {
            /* columns are (c, i, j); rows are pixels */
            for (long j = 0; j < w; j++) {
                long r = jc + j0 + j;
                a0[j] = r / (kh * kw) * plane;
                a1[j] = (r / kw) % kh - ph;
                a2[j] = r % kw - pw;
            }
            long y = pc / ow, x = pc % ow;
            for (long p = 0; p < kc; p++) {
                float *d = dst + p * nr;
                long by = y * sh, bx = x * sw;
                for (long j = 0; j < w; j++) {
                    long iy = by + a1[j], ix = bx + a2[j];
                    d[j] = (iy >= 0 && iy < H && ix >= 0 && ix < W) ? image[a0[j] + iy * W + ix] : 0.0f;
                }
                for (long j = w; j < nr; j++) d[j] = 0;
                if (++x == ow) { x = 0; y++; }
            }
        }
    }
}

void xm_pack_im2col_generic8(int trans, const float *image, const xm_conv_geometry *g,
                           long pc, long kc, long jc, long nc, float *bp) {
    xm_pack_im2col_generic(8, trans, image, g, pc, kc, jc, nc, bp);
}
