#ifndef XM_INTERNAL_H
#define XM_INTERNAL_H
/* Private interface between the SGEMM driver (sgemm.c) and the per-ISA micro-kernels. */
#include <stddef.h>
#include "cxmask_kernels.h"

/* C[mr x nr] = alpha * Ap·Bp + beta * C (C not read when beta == 0).
 * Ap: kc steps of `mr` floats (a panel exactly mr rows tall, mr <= MR).
 * Bp: kc steps of NR floats (zero-padded past nr). */
typedef void (*xm_kernel_fn)(long kc, const float *ap, const float *bp, float *c, long ldc,
                             float alpha, float beta, int mr, int nr);

/* Packs the kc x nc block of op(B) at `b` into panels of NR columns: panel q holds
 * kc steps of NR floats, columns q*NR.. (zero past nc). */
typedef void (*xm_pack_b_fn)(int trans, long kc, long nc, const float *b, long ldb, float *bp);

/* Packs the mc x kc block of op(A) at `a` into panels of `mrp` rows (the last may be shorter):
 * panel q holds kc steps of h = min(mrp, mc - q*mrp) floats and starts at q*mrp*kc. */
typedef void (*xm_pack_a_fn)(int trans, long mc, long kc, const float *a, long lda, float *ap, int mrp);

/* Packs rows pc..pc+kc and columns jc..jc+nc of op(B) = im2col(image) (trans == 0) or its
 * transpose (trans != 0) into panels of NR columns, like xm_pack_b_fn. */
typedef void (*xm_pack_im2col_fn)(int trans, const float *image, const xm_conv_geometry *g,
                                  long pc, long kc, long jc, long nc, float *bp);

typedef struct {
    int mr, nr;          /* tallest micro-tile, micro-tile width */
    long kc, nc, mc;     /* cache blocking: k per block, columns of B per packed block, rows of A */
    xm_kernel_fn kernel;
    xm_pack_a_fn pack_a;
    xm_pack_b_fn pack_b;
    xm_pack_im2col_fn pack_im2col;
} xm_isa;

/* Generic packing (used by the paths without their own, and for edges). */
void xm_pack_a_generic(int trans, long mc, long kc, const float *a, long lda, float *ap, int mrp);
void xm_pack_b_generic(int nr, int trans, long kc, long nc, const float *b, long ldb, float *bp);
void xm_pack_im2col_generic(int nr, int trans, const float *image, const xm_conv_geometry *g,
                            long pc, long kc, long jc, long nc, float *bp);
void xm_pack_im2col_avx512(int trans, const float *image, const xm_conv_geometry *g,
                           long pc, long kc, long jc, long nc, float *bp);
void xm_pack_im2col_avx2(int trans, const float *image, const xm_conv_geometry *g,
                         long pc, long kc, long jc, long nc, float *bp);
void xm_pack_im2col_generic8(int trans, const float *image, const xm_conv_geometry *g,
                           long pc, long kc, long jc, long nc, float *bp);
void xm_col2im_generic(const float *col, const xm_conv_geometry *g, float *image);
void xm_col2im_avx512(const float *col, const xm_conv_geometry *g, float *image);
void xm_col2im_avx2(const float *col, const xm_conv_geometry *g, float *image);
void xm_pack_a_avx512(int trans, long mc, long kc, const float *a, long lda, float *ap, int mrp);

void xm_kernel_avx512(long kc, const float *ap, const float *bp, float *c, long ldc,
                      float alpha, float beta, int mr, int nr);
void xm_pack_b_avx512(int trans, long kc, long nc, const float *b, long ldb, float *bp);
void xm_kernel_avx2(long kc, const float *ap, const float *bp, float *c, long ldc,
                    float alpha, float beta, int mr, int nr);
void xm_pack_b_avx2(int trans, long kc, long nc, const float *b, long ldb, float *bp);
void xm_kernel_generic(long kc, const float *ap, const float *bp, float *c, long ldc,
                      float alpha, float beta, int mr, int nr);
void xm_pack_b_generic8(int trans, long kc, long nc, const float *b, long ldb, float *bp);

#endif
