#ifndef CXMASK_KERNELS_H
#define CXMASK_KERNELS_H
#include "cxmask_allocator.h"
/* SIMD micro-kernels for xmask's SGEMM, chosen at run time by CPU feature.
 *
 * The micro-kernels live in one file per instruction set, each function carrying its own
 * `__attribute__((target(...)))`, so the package builds with no compiler flags and still runs
 * on any x86-64 CPU: `xm_best_path()` asks the CPU (`__builtin_cpu_supports`) which to use. */
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* SIMD paths, best first. `XM_PATH_GENERIC` is portable C written for the compiler to vectorise
 * (SSE2 on baseline x86-64, NEON on arm64). */
enum {
    XM_PATH_AVX512 = 0,  /* AVX-512F + FMA: 14x32 tiles of zmm */
    XM_PATH_AVX2 = 1,    /* AVX2 + FMA: 6x16 tiles of ymm */
    XM_PATH_GENERIC = 2, /* any CPU: 4x8 tiles of 4-float vectors */
    XM_PATH_COUNT = 3
};

/* Name of the path the kernels use now (forced, or else the CPU's best): "avx512", "avx2" or "generic". */
const char *xm_simd_path(void);

/* The fastest path this CPU supports (one of XM_PATH_*). */
int xm_best_path(void);

/* Whether this CPU can run `path`. */
int xm_path_supported(int path);

/* Forces the path that xm_active_path() returns for the rest of the process (-1: the CPU's best
 * again). Returns 0, or -1 (and changes nothing) when the CPU cannot run `path`. */
int xm_force_path(int path);

/* The forced path, or -1 when none is. */
int xm_forced_path(void);

/* The path the kernels' public entries use: the forced one, or else xm_best_path(). */
int xm_active_path(void);

/* Name of a path: "avx512", "avx2", "generic" ("unknown" for any other value). */
const char *xm_path_name(int path);

/* Floats of workspace that `xm_sgemm` needs for a problem of this size on `path`
 * (packed panels of A and B). */
size_t xm_sgemm_workspace_floats(int path, long m, long n, long k);

/* Single-threaded packed SGEMM, row-major:
 *   C[m x n] = alpha * op(A)[m x k] * op(B)[k x n] + beta * C
 * op(A) = A (lda >= k) or A^T (transA != 0, A stored k x m, lda >= m); likewise B.
 * With beta == 0, C is not read (NaNs in C do not propagate).
 * `workspace` holds at least xm_sgemm_workspace_floats(path, m, n, k) floats, 64-byte aligned.
 * `path` must be supported by this CPU (see xm_path_supported). */
void xm_sgemm(int path, int transA, int transB, long m, long n, long k,
              float alpha, const float *a, long lda, const float *b, long ldb,
              float beta, float *c, long ldc, float *workspace);

/* Geometry of a convolution on one image (NCHW, no dilation, no groups). Its im2col matrix
 * has K = channels*kernel_h*kernel_w rows, row (c*kernel_h + i)*kernel_w + j, and
 * P = out_h*out_w columns, column y*out_w + x, holding image[c][y*stride_h - pad_h + i][x*stride_w - pad_w + j]
 * (zero outside the image). */
typedef struct {
    long channels, height, width;
    long kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w;
    long out_h, out_w;
} xm_conv_geometry;

/* Floats that op(A) (m x k) takes packed for `path` by xm_pack_a, or 0 when it cannot be
 * pre-packed (m taller than one cache block): then pass it unpacked. */
size_t xm_packed_a_floats(int path, long m, long k);

/* Packs op(A) (m x k; A^T stored k x m when transA) once, to be reused by many xm_sgemm_ex calls
 * with the same m and k (the weights of a convolution, for every image of a batch). */
void xm_pack_a(int path, int transA, long m, long k, const float *a, long lda, float *packed);

/* xm_sgemm with two extensions:
 * - a_packed: when not NULL, op(A) as packed by xm_pack_a(path, transA, m, k, ...); `a` is then unused.
 * - image: when not NULL, op(B) is read straight from `image` (geometry `conv`) while packing,
 *   with no im2col buffer: transB == 0 gives op(B) = im2col(image) (k = K, n = P), transB != 0
 *   its transpose (k = P, n = K); `b` and `ldb` are then unused, and op(B)'s columns start at
 *   column b_col0 of that matrix (a thread's share of the columns). */
void xm_sgemm_ex(int path, int transA, int transB, long m, long n, long k,
                 float alpha, const float *a, long lda, const float *a_packed,
                 const float *b, long ldb, const float *image, const xm_conv_geometry *conv, long b_col0,
                 float beta, float *c, long ldc, float *workspace);

/* Adds the im2col matrix `col` (K x P, see xm_conv_geometry) back into `image` (C x H x W):
 * the adjoint of im2col. `image` is accumulated into, not overwritten. */
void xm_col2im(int path, const float *col, const xm_conv_geometry *g, float *image);

/* Rows of the tallest micro-tile (MR) and columns of a micro-tile (NR) on `path`. */
int xm_sgemm_mr(int path);
int xm_sgemm_nr(int path);

/* Atomically increments *counter and returns its previous value (work handed out to threads). */
long xm_counter_next(long *counter);

#ifdef __cplusplus
}
#endif
#endif
