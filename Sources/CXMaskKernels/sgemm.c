/* Packed, cache-blocked SGEMM driver (Goto/BLIS loop nest), single-threaded.
 * Threads split the problem in Swift (GEMM.swift), each with its own workspace.
 *
 * Loop nest (A is the broadcast side, B the vector side of the micro-kernel):
 *   for jc over n, step NC:
 *     for pc over k, step KC:
 *       pack op(B)[pc.., jc..] -> Bp      (or straight from an image: implicit im2col)
 *       for ic over m, step MC:
 *         pack op(A)[ic.., pc..] -> Ap    (panels `mrp` rows tall; or pre-packed once)
 *         for each A panel:               the panel (mrp x KC floats, <= 21 KiB) stays in L1
 *           for each B panel (NR wide):   micro-kernel on an mrp x NR tile of C, streaming
 *                                         its B panel from L2/L3 (sequential: prefetched)
 *
 * Block sizes (AVX-512: KC 384, NC 1024, MC 1008) were measured on the project machine
 * (2-core Zen 4 VM, 32 KiB L1d, 1 MiB L2 per core): a wide NC re-packs A less often, and
 * 1024^3 ran at ~99 GFLOP/s against ~88 with NC 512 (see BENCHMARKS.md). Each can be
 * overridden at compile time (-DXM_KC512=...) for tuning. */
#include "cxmask_kernels.h"
#include "xm_internal.h"

#ifndef XM_KC512
#define XM_KC512 384
#endif
#ifndef XM_NC512
#define XM_NC512 1024
#endif
#ifndef XM_MC512
#define XM_MC512 1008
#endif
static const xm_isa xm_isas[XM_PATH_COUNT] = {
    /* mr, nr, kc, nc, mc */
    {14, 32, XM_KC512, XM_NC512, XM_MC512, xm_kernel_avx512, xm_pack_a_avx512, xm_pack_b_avx512, xm_pack_im2col_avx512},
    {6, 16, 384, 1024, 1008, xm_kernel_avx2, xm_pack_a_generic, xm_pack_b_avx2, xm_pack_im2col_avx2},
    {4, 8, 256, 512, 512, xm_kernel_generic, xm_pack_a_generic, xm_pack_b_generic8, xm_pack_im2col_generic8},
};

int xm_sgemm_mr(int path) { return xm_isas[path].mr; }
int xm_sgemm_nr(int path) { return xm_isas[path].nr; }

static long ceil_div(long a, long b) { return (a + b - 1) / b; }
static long min_l(long a, long b) { return a < b ? a : b; }

/* Splits `total` into the fewest blocks of at most `cap`, of near-equal size rounded up to
 * a multiple of `quantum`. */
static long balanced_block(long total, long cap, long quantum) {
    if (total <= 0) return quantum;
    long blocks = ceil_div(total, cap);
    long size = ceil_div(total, blocks);
    size = ceil_div(size, quantum) * quantum;
    return size;
}

/* Height of A's panels: near-equal panels of at most MR rows, so that m = 16 runs as 8 + 8
 * rather than 14 + 2. */
static int panel_height(int mr, long m) {
    if (m <= 0) return mr;
    long panels = ceil_div(m, mr);
    return (int)ceil_div(m, panels);
}

typedef struct {
    long kc, nc, mc;
    int mrp;
} xm_blocking;

static xm_blocking blocking_for(const xm_isa *isa, long m, long n, long k) {
    xm_blocking b;
    b.kc = balanced_block(k, isa->kc, 4);
    b.nc = balanced_block(n, isa->nc, isa->nr);
    b.mrp = panel_height(isa->mr, m);
    long mc = (isa->mc / b.mrp) * b.mrp;
    b.mc = mc < b.mrp ? b.mrp : mc;
    return b;
}

size_t xm_sgemm_workspace_floats(int path, long m, long n, long k) {
    const xm_isa *isa = &xm_isas[path];
    xm_blocking b = blocking_for(isa, m, n, k);
    long mc = min_l(b.mc, m > 0 ? m : 1);
    long nc = ceil_div(min_l(b.nc, n > 0 ? n : 1), isa->nr) * isa->nr;
    long kc = min_l(b.kc, k > 0 ? k : 1);
    /* + 16 floats so the B block can start on a 64-byte boundary after the A block. */
    return (size_t)(mc * kc + kc * nc + 16);
}

void xm_pack_a_generic(int trans, long mc, long kc, const float *a, long lda, float *ap, int mrp) {
    for (long i0 = 0; i0 < mc; i0 += mrp) {
        int h = (int)min_l(mrp, mc - i0);
        float *dst = ap + i0 * kc;
        if (trans) {
            /* op(A)(i, p) = a[p*lda + i]: h contiguous floats per step. */
            for (long p = 0; p < kc; p++) {
                const float *src = a + p * lda + i0;
                for (int i = 0; i < h; i++) dst[p * h + i] = src[i];
            }
        } else {
            /* op(A)(i, p) = a[i*lda + p]: h row streams read side by side. */
            for (int i = 0; i < h; i++) {
                const float *src = a + (i0 + i) * lda;
                for (long p = 0; p < kc; p++) dst[p * h + i] = src[p];
            }
        }
    }
}

void xm_pack_b_generic(int nr, int trans, long kc, long nc, const float *b, long ldb, float *bp) {
    for (long j0 = 0; j0 < nc; j0 += nr) {
        long w = min_l(nr, nc - j0);
        float *dst = bp + j0 * kc;
        if (!trans) {
            for (long p = 0; p < kc; p++) {
                const float *src = b + p * ldb + j0;
                float *d = dst + p * nr;
                long j = 0;
                for (; j < w; j++) d[j] = src[j];
                for (; j < nr; j++) d[j] = 0;
            }
        } else {
            /* op(B)(p, j) = b[j*ldb + p] */
            for (long p = 0; p < kc; p++) {
                float *d = dst + p * nr;
                long j = 0;
                for (; j < w; j++) d[j] = b[(j0 + j) * ldb + p];
                for (; j < nr; j++) d[j] = 0;
            }
        }
    }
}

/* C = beta * C for an m x n block (beta == 0 writes zeros without reading). */
static void scale_c(long m, long n, float beta, float *c, long ldc) {
    for (long i = 0; i < m; i++) {
        float *row = c + i * ldc;
        if (beta == 0) __builtin_memset(row, 0, (size_t)n * sizeof(float));
        else if (beta != 1) for (long j = 0; j < n; j++) row[j] *= beta;
    }
}

size_t xm_packed_a_floats(int path, long m, long k) {
    const xm_isa *isa = &xm_isas[path];
    xm_blocking bl = blocking_for(isa, m, 1, k);
    if (m <= 0 || k <= 0 || m > bl.mc) return 0;
    return (size_t)(m * k);
}

/* Packed op(A) holds one block per KC step of k: the block of rows pc.. starts at m*pc and
 * holds the panels that xm_sgemm_ex would pack for it. */
void xm_pack_a(int path, int transA, long m, long k, const float *a, long lda, float *packed) {
    const xm_isa *isa = &xm_isas[path];
    xm_blocking bl = blocking_for(isa, m, 1, k);
    for (long pc = 0; pc < k; pc += bl.kc) {
        long kc = min_l(bl.kc, k - pc);
        isa->pack_a(transA, m, kc, transA ? a + pc * lda : a + pc, lda, packed + m * pc, bl.mrp);
    }
}

void xm_sgemm_ex(int path, int transA, int transB, long m, long n, long k,
                 float alpha, const float *a, long lda, const float *a_packed,
                 const float *b, long ldb, const float *image, const xm_conv_geometry *conv, long b_col0,
                 float beta, float *c, long ldc, float *workspace) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0 || alpha == 0) {
        scale_c(m, n, beta, c, ldc);
        return;
    }
    const xm_isa *isa = &xm_isas[path];
    xm_blocking bl = blocking_for(isa, m, n, k);
    const int nr = isa->nr, mrp = bl.mrp;
    if (a_packed && m > bl.mc) a_packed = NULL; /* cannot happen via xm_packed_a_floats */
    long mcap = min_l(bl.mc, m);
    float *ap = workspace;
    float *bp = workspace + ((mcap * min_l(bl.kc, k) + 15) & ~15L);

    for (long jc = 0; jc < n; jc += bl.nc) {
        long nc = min_l(bl.nc, n - jc);
        for (long pc = 0; pc < k; pc += bl.kc) {
            long kc = min_l(bl.kc, k - pc);
            float beta_block = pc == 0 ? beta : 1.0f;
            if (image) {
                isa->pack_im2col(transB, image, conv, pc, kc, b_col0 + jc, nc, bp);
            } else {
                isa->pack_b(transB, kc, nc, transB ? b + jc * ldb + pc : b + pc * ldb + jc, ldb, bp);
            }
            for (long ic = 0; ic < m; ic += bl.mc) {
                long mc = min_l(bl.mc, m - ic);
                const float *apack;
                if (a_packed) {
                    apack = a_packed + m * pc; /* a single ic block: mc == m */
                } else {
                    isa->pack_a(transA, mc, kc, transA ? a + pc * lda + ic : a + ic * lda + pc, lda, ap, mrp);
                    apack = ap;
                }
                /* Each A micro-panel stays in L1 while the B block streams from L2. */
                for (long ir = 0; ir < mc; ir += mrp) {
                    int h = (int)min_l(mrp, mc - ir);
                    const float *apanel = apack + ir * kc;
                    float *crow = c + (ic + ir) * ldc + jc;
                    for (long jr = 0; jr < nc; jr += nr) {
                        int w = (int)min_l(nr, nc - jr);
                        isa->kernel(kc, apanel, bp + jr * kc, crow + jr, ldc, alpha, beta_block, h, w);
                    }
                }
            }
        }
    }
}

void xm_sgemm(int path, int transA, int transB, long m, long n, long k,
              float alpha, const float *a, long lda, const float *b, long ldb,
              float beta, float *c, long ldc, float *workspace) {
    xm_sgemm_ex(path, transA, transB, m, n, k, alpha, a, lda, NULL, b, ldb, NULL, NULL, 0,
                beta, c, ldc, workspace);
}
