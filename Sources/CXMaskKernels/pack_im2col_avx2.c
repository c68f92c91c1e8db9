/* AVX2 packing of B panels straight from an image (implicit im2col), the design of
 * pack_im2col_avx512.c on 8-lane registers: a 16-wide panel's pixels are cut into chunks of 8;
 * for each kernel tap (i, j) a chunk plan says where its 8 values lie in a channel plane: runs
 * of pixels on one output row are contiguous in the input for stride 1 (masked loads, the masks
 * doing the zero padding), every other float for stride 2 (two masked loads and a shuffle), and
 * gathered for other strides. Masked-off lanes of vmaskmov never touch memory. */
#include "xm_internal.h"
#if defined(__x86_64__)
#include "xm_avx2.h"
#include <stdint.h>

#define XM_MAX_TAPS 64 /* kernel_h * kernel_w on the fast path; larger kernels use the generic one */
#define XM_MAX_RUNS 8

enum { XM_RUN_LOADS = 0, XM_RUN_PAIRS = 1, XM_GATHER = 2 };

typedef struct {
    /* XM_RUN_LOADS (stride 1): lane L of run r reads plane[off + L], lanes in bits.
     * XM_RUN_PAIRS (stride 2): lane L of run r reads plane[off + 2L], lanes in bits.
     * XM_GATHER (other strides): lane L reads plane[idx[L]], lanes in gbits. */
    int mode;
    int runs;
    unsigned char bits[XM_MAX_TAPS][XM_MAX_RUNS];
    long off[XM_MAX_TAPS][XM_MAX_RUNS];
    int32_t idx[XM_MAX_TAPS][8];
    unsigned char gbits[XM_MAX_TAPS];
} chunk_plan8;

/* Plans the chunk of `lanes` (0..8) pixels starting at pixel q0. */
static void plan_chunk8(chunk_plan8 *pl, const xm_conv_geometry *g, long q0, int lanes) {
    const long kh = g->kernel_h, kw = g->kernel_w, H = g->height, W = g->width, ow = g->out_w;
    const long sh = g->stride_h, sw = g->stride_w, ph = g->pad_h, pw = g->pad_w;
    pl->mode = sw == 1 ? XM_RUN_LOADS : sw == 2 ? XM_RUN_PAIRS : XM_GATHER;
    if (pl->mode != XM_GATHER) {
        int a[XM_MAX_RUNS], len[XM_MAX_RUNS], runs = 0;
        long ys[XM_MAX_RUNS], xs[XM_MAX_RUNS];
        for (int L = 0; L < lanes;) {
            long q = q0 + L, y = q / ow, x = q % ow;
            int l = (int)(lanes - L < ow - x ? lanes - L : ow - x);
            a[runs] = L; len[runs] = l; ys[runs] = y; xs[runs] = x;
            runs++;
            L += l;
        }
        pl->runs = runs;
        for (long i = 0; i < kh; i++) {
            for (long j = 0; j < kw; j++) {
                long t = i * kw + j;
                for (int r = 0; r < runs; r++) {
                    /* run lane a + u (0 <= u < len) reads input column ix0 + u*sw */
                    long iy = ys[r] * sh - ph + i, ix0 = xs[r] * sw - pw + j;
                    long u0, u1;
                    if (sw == 1) {
                        u0 = ix0 < 0 ? -ix0 : 0;
                        u1 = W - ix0;
                    } else {
                        u0 = ix0 < 0 ? (-ix0 + 1) >> 1 : 0;
                        u1 = ix0 >= W ? 0 : ((W - 1 - ix0) >> 1) + 1;
                    }
                    if (u1 > len[r]) u1 = len[r];
                    pl->bits[t][r] = 0;
                    pl->off[t][r] = 0;
                    if (iy < 0 || iy >= H || u1 <= u0) continue;
                    pl->bits[t][r] = (unsigned char)(((1u << (u1 - u0)) - 1u) << (a[r] + u0));
                    pl->off[t][r] = iy * W + ix0 - sw * a[r];
                }
            }
        }
    } else {
        pl->runs = 0;
        for (long i = 0; i < kh; i++) {
            for (long j = 0; j < kw; j++) {
                long t = i * kw + j;
                unsigned mask = 0;
                for (int L = 0; L < 8; L++) {
                    pl->idx[t][L] = 0;
                    if (L >= lanes) continue;
                    long q = q0 + L, iy = (q / ow) * sh - ph + i, ix = (q % ow) * sw - pw + j;
                    if (iy >= 0 && iy < H && ix >= 0 && ix < W) {
                        pl->idx[t][L] = (int32_t)(iy * W + ix);
                        mask |= 1u << L;
                    }
                }
                pl->gbits[t] = (unsigned char)mask;
            }
        }
    }
}

/* The 8 values of im2col row (c, tap t) at the chunk's pixels; `plane` is channel c. Masked-off
 * lanes load +0.0 (all bits clear), so the runs are combined with OR. */
static inline __attribute__((always_inline)) XM_AVX2 __m256
load_chunk8(const chunk_plan8 *pl, const float *plane, long t) {
    if (pl->mode == XM_GATHER) {
        if (!pl->gbits[t]) return _mm256_setzero_ps();
        __m256i idx = _mm256_loadu_si256((const __m256i *)pl->idx[t]);
        return _mm256_mask_i32gather_ps(_mm256_setzero_ps(), plane, idx,
                                        _mm256_castsi256_ps(lanes_of(pl->gbits[t])), 4);
    }
    __m256 v = _mm256_setzero_ps();
    for (int r = 0; r < pl->runs; r++) {
        unsigned bits = pl->bits[t][r];
        if (!bits) continue;
        __m256i m = lanes_of(bits);
        if (pl->mode == XM_RUN_LOADS) {
            v = _mm256_or_ps(v, _mm256_maskload_ps(plane + pl->off[t][r], m));
        } else {
            __m256i lo, hi;
            even_window(m, &lo, &hi);
            v = _mm256_or_ps(v, load_even8(plane + pl->off[t][r], lo, hi));
        }
    }
    return v;
}

/* One chunk that is a single run: its masks as vectors, per tap, without the plan's loops. */
typedef struct {
    int pairs;
    __m256i mask[XM_MAX_TAPS]; /* stride 1: lanes; stride 2: low window */
    __m256i mask_hi[XM_MAX_TAPS]; /* stride 2: high window */
    long off[XM_MAX_TAPS];
} single_run8;

static inline XM_AVX2 int as_single_run8(const chunk_plan8 *pl, long taps, single_run8 *out) {
    if (pl->mode == XM_GATHER || pl->runs > 1) return 0;
    out->pairs = pl->mode == XM_RUN_PAIRS;
    for (long t = 0; t < taps; t++) {
        __m256i m = lanes_of(pl->runs ? pl->bits[t][0] : 0);
        out->off[t] = pl->runs ? pl->off[t][0] : 0;
        if (out->pairs) {
            even_window(m, &out->mask[t], &out->mask_hi[t]);
        } else {
            out->mask[t] = m;
        }
    }
    return 1;
}

static inline __attribute__((always_inline)) XM_AVX2 __m256
load_single8(const single_run8 *sr, const float *plane, long t) {
    if (sr->pairs) return load_even8(plane + sr->off[t], sr->mask[t], sr->mask_hi[t]);
    return _mm256_maskload_ps(plane + sr->off[t], sr->mask[t]);
}

/* Last input row (clamped to the image) read by pixel q, or -1 past the last pixel. */
static long last_input_row8(const xm_conv_geometry *g, long q) {
    if (q >= g->out_h * g->out_w) return -1;
    long iy = (q / g->out_w) * g->stride_h - g->pad_h + g->kernel_h - 1;
    return iy < g->height ? iy : g->height - 1;
}

/* Prefetches input rows from..to (inclusive) of channels c0..c1 (inclusive). */
static XM_AVX2 void prefetch_rows8(const float *image, const xm_conv_geometry *g, long c0, long c1,
                                   long from, long to) {
    if (from < 0) from = 0;
    if (to - from > 3) from = to - 3;
    const long W = g->width, plane = g->height * W;
    for (long c = c0; c <= c1; c++) {
        for (long iy = from; iy <= to; iy++) {
            const char *row = (const char *)(image + c * plane + iy * W);
            for (long x = 0; x < W * 4; x += 64) _mm_prefetch(row + x, _MM_HINT_T0);
        }
    }
}

XM_AVX2 void xm_pack_im2col_avx2(int trans, const float *image, const xm_conv_geometry *g,
                                 long pc, long kc, long jc, long nc, float *bp) {
    const long taps = g->kernel_h * g->kernel_w, plane = g->height * g->width;
    if (taps > XM_MAX_TAPS || plane >= (1L << 31)) {
        xm_pack_im2col_generic(16, trans, image, g, pc, kc, jc, nc, bp);
        return;
    }
    chunk_plan8 plans[2];
    single_run8 s0, s1;
    if (!trans) {
        /* Columns are pixels jc.., rows (c, tap) pc..: two chunks of 8 per 16-wide panel. */
        for (long j0 = 0; j0 < nc; j0 += 16) {
            long w = nc - j0 < 16 ? nc - j0 : 16;
            plan_chunk8(&plans[0], g, jc + j0, (int)(w < 8 ? w : 8));
            plan_chunk8(&plans[1], g, jc + j0 + 8, (int)(w > 8 ? w - 8 : 0));
            float *dst = bp + j0 * kc;
            long c = pc / taps, t = pc % taps;
            long row_now = last_input_row8(g, jc + j0 + w - 1), row_next = last_input_row8(g, jc + j0 + w + 15);
            if (row_next > row_now) prefetch_rows8(image, g, c, (pc + kc - 1) / taps, row_now + 1, row_next);
            if (as_single_run8(&plans[0], taps, &s0) && as_single_run8(&plans[1], taps, &s1)) {
                const float *src = image + c * plane;
                for (long p = 0; p < kc; p++) {
                    _mm256_storeu_ps(dst + p * 16, load_single8(&s0, src, t));
                    _mm256_storeu_ps(dst + p * 16 + 8, load_single8(&s1, src, t));
                    if (++t == taps) { t = 0; src += plane; }
                }
                continue;
            }
            for (long p = 0; p < kc; p++) {
                const float *src = image + c * plane;
                _mm256_storeu_ps(dst + p * 16, load_chunk8(&plans[0], src, t));
                _mm256_storeu_ps(dst + p * 16 + 8, load_chunk8(&plans[1], src, t));
                if (++t == taps) { t = 0; c++; }
            }
        }
        return;
    }
    /* Columns are rows (c, tap) jc.. of im2col, rows are pixels pc..: 8 im2col rows of an
     * 8-pixel chunk are loaded and transposed in registers. */
    for (long p0 = 0; p0 < kc; p0 += 8) {
        long lanes = kc - p0 < 8 ? kc - p0 : 8;
        plan_chunk8(&plans[0], g, pc + p0, (int)lanes);
        int single = as_single_run8(&plans[0], taps, &s0);
        long row_now = last_input_row8(g, pc + p0 + lanes - 1), row_next = last_input_row8(g, pc + p0 + lanes + 7);
        if (row_next > row_now) prefetch_rows8(image, g, jc / taps, (jc + nc - 1) / taps, row_now + 1, row_next);
        for (long j0 = 0; j0 < nc; j0 += 16) {
            float *dst = bp + j0 * kc + p0 * 16;
            for (int half = 0; half < 2; half++) {
                long rows = nc - j0 - 8 * half;
                rows = rows < 0 ? 0 : rows > 8 ? 8 : rows;
                if (rows == 0) {
                    for (long q = 0; q < lanes; q++) _mm256_storeu_ps(dst + q * 16 + 8 * half, _mm256_setzero_ps());
                    continue;
                }
                long row = jc + j0 + 8 * half, c = row / taps, t = row % taps;
                __m256 r[8];
                if (single) {
                    const float *src = image + c * plane;
                    for (int i = 0; i < 8; i++) {
                        if (i < rows) {
                            r[i] = load_single8(&s0, src, t);
                            if (++t == taps) { t = 0; src += plane; }
                        } else {
                            r[i] = _mm256_setzero_ps();
                        }
                    }
                } else {
                    for (int i = 0; i < 8; i++) {
                        if (i < rows) {
                            r[i] = load_chunk8(&plans[0], image + c * plane, t);
                            if (++t == taps) { t = 0; c++; }
                        } else {
                            r[i] = _mm256_setzero_ps();
                        }
                    }
                }
                transpose8(r);
                if (lanes == 8) {
#pragma unroll
                    for (int q = 0; q < 8; q++) _mm256_storeu_ps(dst + q * 16 + 8 * half, r[q]);
                } else {
                    for (long q = 0; q < lanes; q++) _mm256_storeu_ps(dst + q * 16 + 8 * half, r[q]);
                }
            }
        }
    }
}

#else /* not x86-64: never selected (see dispatch.c) */
void xm_pack_im2col_avx2(int trans, const float *image, const xm_conv_geometry *g,
                         long pc, long kc, long jc, long nc, float *bp) {
    xm_pack_im2col_generic(16, trans, image, g, pc, kc, jc, nc, bp);
}
#endif
