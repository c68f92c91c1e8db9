/* AVX-512 packing of B panels straight from an image (implicit im2col): no im2col buffer is
 * written. A panel's pixels are cut into chunks of 16; for each kernel tap (i, j) a chunk plan
 * says where its 16 values lie in a channel plane: runs of pixels on one output row are
 * contiguous in the input for stride 1 (masked loads, the masks doing the zero padding), every
 * other float for stride 2 (two masked loads and a permute), and gathered for other strides. */
#include "xm_internal.h"
#if defined(__x86_64__)
#include "xm_avx512.h"
#include <stdint.h>

#define XM_MAX_TAPS 64  /* kernel_h * kernel_w on the fast path; larger kernels use the generic one */
#define XM_MAX_RUNS 16

enum { XM_RUN_LOADS = 0, XM_RUN_PAIRS = 1, XM_GATHER = 2 };

typedef struct {
    /* XM_RUN_LOADS (stride 1): lane L of run r reads plane[off + L], lanes in `mask`.
     * XM_RUN_PAIRS (stride 2): the 32 floats at plane[off..] are loaded (window mask `wmask`)
     *   and their even elements kept: lane L reads plane[off + 2L], lanes in `mask`.
     * XM_GATHER (other strides): lane L reads plane[idx[L]], lanes in `gmask`. */
    int mode;
    int runs;
    __mmask16 mask[XM_MAX_TAPS][XM_MAX_RUNS];
    __mmask32 wmask[XM_MAX_TAPS][XM_MAX_RUNS];
    long off[XM_MAX_TAPS][XM_MAX_RUNS];
    __m512i idx[XM_MAX_TAPS];
    __mmask16 gmask[XM_MAX_TAPS];
} chunk_plan;

/* Plans the chunk of `lanes` (0..16) pixels starting at pixel q0. */
static XM_AVX512 void plan_chunk(chunk_plan *pl, const xm_conv_geometry *g, long q0, int lanes) {
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
                    long u0, u1; /* sw is 1 or 2 here: shifts, not divisions */
                    if (sw == 1) {
                        u0 = ix0 < 0 ? -ix0 : 0;
                        u1 = W - ix0;
                    } else {
                        u0 = ix0 < 0 ? (-ix0 + 1) >> 1 : 0;
                        u1 = ix0 >= W ? 0 : ((W - 1 - ix0) >> 1) + 1;
                    }
                    if (u1 > len[r]) u1 = len[r];
                    pl->mask[t][r] = 0;
                    pl->wmask[t][r] = 0;
                    pl->off[t][r] = 0;
                    if (iy < 0 || iy >= H || u1 <= u0) continue;
                    /* lanes a+u0 .. a+u1-1; for stride 2 also the window's even floats 2(a+u) */
                    unsigned lanes_mask = ((1u << (u1 - u0)) - 1u) << (a[r] + u0);
                    pl->mask[t][r] = (__mmask16)lanes_mask;
                    if (sw == 2) {
                        unsigned long long below_hi = (1ull << (2 * (a[r] + u1))) - 1ull;
                        unsigned long long below_lo = (1ull << (2 * (a[r] + u0))) - 1ull;
                        pl->wmask[t][r] = (__mmask32)(0x55555555ull & below_hi & ~below_lo);
                    }
                    pl->off[t][r] = iy * W + ix0 - sw * a[r];
                }
            }
        }
    } else {
        pl->runs = 0;
        for (long i = 0; i < kh; i++) {
            for (long j = 0; j < kw; j++) {
                long t = i * kw + j;
                int32_t idx[16];
                unsigned mask = 0;
                for (int L = 0; L < 16; L++) {
                    idx[L] = 0;
                    if (L >= lanes) continue;
                    long q = q0 + L, iy = (q / ow) * sh - ph + i, ix = (q % ow) * sw - pw + j;
                    if (iy >= 0 && iy < H && ix >= 0 && ix < W) {
                        idx[L] = (int32_t)(iy * W + ix);
                        mask |= 1u << L;
                    }
                }
                pl->idx[t] = _mm512_loadu_si512(idx);
                pl->gmask[t] = (__mmask16)mask;
            }
        }
    }
}

/* Even elements of the 32 floats at p (window mask m): lane L holds p[2L]. */
static inline __attribute__((always_inline)) XM_AVX512 __m512 load_even(const float *p, __mmask32 m) {
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    __m512 lo = _mm512_maskz_loadu_ps((__mmask16)(m & 0xFFFF), p);
    __m512 hi = _mm512_maskz_loadu_ps((__mmask16)(m >> 16), p + 16);
    return _mm512_permutex2var_ps(lo, even, hi);
}

/* The 16 values of im2col row (c, tap t) at the chunk's pixels; `plane` is channel c. */
static inline __attribute__((always_inline)) XM_AVX512 __m512
load_chunk(const chunk_plan *pl, const float *plane, long t) {
    if (pl->mode == XM_GATHER) {
        if (!pl->gmask[t]) return _mm512_setzero_ps();
        return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), pl->gmask[t], pl->idx[t], plane, 4);
    }
    __m512 v = _mm512_setzero_ps();
    if (pl->mode == XM_RUN_LOADS) {
        for (int r = 0; r < pl->runs; r++) {
            __mmask16 m = pl->mask[t][r];
            if (m) v = _mm512_mask_loadu_ps(v, m, plane + pl->off[t][r]);
        }
    } else {
        for (int r = 0; r < pl->runs; r++) {
            __mmask16 m = pl->mask[t][r];
            if (m) v = _mm512_mask_mov_ps(v, m, load_even(plane + pl->off[t][r], pl->wmask[t][r]));
        }
    }
    return v;
}

/* One chunk that is a single run: its loads, per tap, without the plan's loops. */
typedef struct {
    int pairs;
    __mmask16 mask[XM_MAX_TAPS];
    __mmask32 wmask[XM_MAX_TAPS];
    long off[XM_MAX_TAPS];
} single_run;

static inline XM_AVX512 int as_single_run(const chunk_plan *pl, long taps, single_run *out) {
    if (pl->mode == XM_GATHER || pl->runs > 1) return 0;
    out->pairs = pl->mode == XM_RUN_PAIRS;
    for (long t = 0; t < taps; t++) {
        out->mask[t] = pl->runs ? pl->mask[t][0] : 0;
        out->wmask[t] = pl->runs ? pl->wmask[t][0] : 0;
        out->off[t] = pl->runs ? pl->off[t][0] : 0;
    }
    return 1;
}

static inline __attribute__((always_inline)) XM_AVX512 __m512
load_single(const single_run *sr, const float *plane, long t) {
    if (sr->pairs) return _mm512_maskz_mov_ps(sr->mask[t], load_even(plane + sr->off[t], sr->wmask[t]));
    return _mm512_maskz_loadu_ps(sr->mask[t], plane + sr->off[t]);
}

/* Last input row (clamped to the image) read by pixel q, or -1 past the last pixel. */
static long last_input_row(const xm_conv_geometry *g, long q) {
    if (q >= g->out_h * g->out_w) return -1;
    long iy = (q / g->out_w) * g->stride_h - g->pad_h + g->kernel_h - 1;
    return iy < g->height ? iy : g->height - 1;
}

/* Prefetches input rows from..to (inclusive) of channels c0..c1 (inclusive): the rows that the
 * next pixels will need first, so the loads of the next panel or chunk find them in cache. */
static XM_AVX512 void prefetch_rows(const float *image, const xm_conv_geometry *g, long c0, long c1,
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

XM_AVX512 void xm_pack_im2col_avx512(int trans, const float *image, const xm_conv_geometry *g,
                                     long pc, long kc, long jc, long nc, float *bp) {
    const long taps = g->kernel_h * g->kernel_w, plane = g->height * g->width;
    /* Stride-1 chunks of 16 pixels span at most 16 output rows; int32 gather offsets need
     * planes below 2^31 floats. */
    if (taps > XM_MAX_TAPS || plane >= (1L << 31)) {
        xm_pack_im2col_generic(32, trans, image, g, pc, kc, jc, nc, bp);
        return;
    }
    chunk_plan plans[2];
    if (!trans) {
        /* Columns are pixels jc.., rows (c, tap) pc..: two chunks per 32-wide panel. */
        for (long j0 = 0; j0 < nc; j0 += 32) {
            long w = nc - j0 < 32 ? nc - j0 : 32;
            plan_chunk(&plans[0], g, jc + j0, (int)(w < 16 ? w : 16));
            plan_chunk(&plans[1], g, jc + j0 + 16, (int)(w > 16 ? w - 16 : 0));
            float *dst = bp + j0 * kc;
            long c = pc / taps, t = pc % taps;
            long row_now = last_input_row(g, jc + j0 + w - 1), row_next = last_input_row(g, jc + j0 + w + 31);
            if (row_next > row_now) prefetch_rows(image, g, c, (pc + kc - 1) / taps, row_now + 1, row_next);
            single_run s0, s1;
            if (as_single_run(&plans[0], taps, &s0) && as_single_run(&plans[1], taps, &s1)) {
                /* Each chunk is one run of pixels on one output row (ow >= 16, the common case). */
                const float *src = image + c * plane;
                for (long p = 0; p < kc; p++) {
                    _mm512_storeu_ps(dst + p * 32, load_single(&s0, src, t));
                    _mm512_storeu_ps(dst + p * 32 + 16, load_single(&s1, src, t));
                    if (++t == taps) { t = 0; src += plane; }
                }
                continue;
            }
            for (long p = 0; p < kc; p++) {
                const float *src = image + c * plane;
                _mm512_storeu_ps(dst + p * 32, load_chunk(&plans[0], src, t));
                _mm512_storeu_ps(dst + p * 32 + 16, load_chunk(&plans[1], src, t));
                if (++t == taps) { t = 0; c++; }
            }
        }
        return;
    }
    /* Columns are rows (c, tap) jc.. of im2col, rows are pixels pc..: 16 im2col rows of a
     * 16-pixel chunk are loaded and transposed in registers. */
    for (long p0 = 0; p0 < kc; p0 += 16) {
        long lanes = kc - p0 < 16 ? kc - p0 : 16;
        plan_chunk(&plans[0], g, pc + p0, (int)lanes);
        single_run sr;
        int single = as_single_run(&plans[0], taps, &sr);
        long row_now = last_input_row(g, pc + p0 + lanes - 1), row_next = last_input_row(g, pc + p0 + lanes + 15);
        if (row_next > row_now) prefetch_rows(image, g, jc / taps, (jc + nc - 1) / taps, row_now + 1, row_next);
        for (long j0 = 0; j0 < nc; j0 += 32) {
            float *dst = bp + j0 * kc + p0 * 32;
            for (int half = 0; half < 2; half++) {
                long rows = nc - j0 - 16 * half;
                rows = rows < 0 ? 0 : rows > 16 ? 16 : rows;
                if (rows == 0) {
                    for (long q = 0; q < lanes; q++) _mm512_storeu_ps(dst + q * 32 + 16 * half, _mm512_setzero_ps());
                    continue;
                }
                long row = jc + j0 + 16 * half, c = row / taps, t = row % taps;
                __m512 r[16];
                if (single) {
                    const float *src = image + c * plane;
                    for (int i = 0; i < 16; i++) {
                        if (i < rows) {
                            r[i] = load_single(&sr, src, t);
                            if (++t == taps) { t = 0; src += plane; }
                        } else {
                            r[i] = _mm512_setzero_ps();
                        }
                    }
                } else {
                    for (int i = 0; i < 16; i++) {
                        if (i < rows) {
                            r[i] = load_chunk(&plans[0], image + c * plane, t);
                            if (++t == taps) { t = 0; c++; }
                        } else {
                            r[i] = _mm512_setzero_ps();
                        }
                    }
                }
                transpose16(r);
                if (lanes == 16) {
#pragma unroll
                    for (int q = 0; q < 16; q++) _mm512_storeu_ps(dst + q * 32 + 16 * half, r[q]);
                } else {
                    for (long q = 0; q < lanes; q++) _mm512_storeu_ps(dst + q * 32 + 16 * half, r[q]);
                }
            }
        }
    }
}

#else /* not x86-64: never selected (see dispatch.c) */
void xm_pack_im2col_avx512(int trans, const float *image, const xm_conv_geometry *g,
                           long pc, long kc, long jc, long nc, float *bp) {
    xm_pack_im2col_generic(32, trans, image, g, pc, kc, jc, nc, bp);
}
#endif
