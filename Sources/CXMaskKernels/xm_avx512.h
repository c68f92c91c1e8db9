#ifndef XM_AVX512_H
#define XM_AVX512_H
/* Helpers shared by the AVX-512 files (x86-64 only; every function carries the target). */
#include <immintrin.h>

#define XM_AVX512 __attribute__((target("avx512f,avx512vl,fma")))

/* Transposes 16 rows of 16 floats in registers: on return r[j] holds column j. */
static inline __attribute__((always_inline)) XM_AVX512 void transpose16(__m512 r[16]) {
    __m512 t[16], u[16];
#pragma unroll
    for (int i = 0; i < 8; i++) {
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    /* u[4g + c]: rows 4g..4g+3 of column 4L + c in 128-bit lane L. */
#pragma unroll
    for (int g = 0; g < 4; g++) {
        u[4 * g + 0] = _mm512_shuffle_ps(t[4 * g], t[4 * g + 2], 0x44);
        u[4 * g + 1] = _mm512_shuffle_ps(t[4 * g], t[4 * g + 2], 0xEE);
        u[4 * g + 2] = _mm512_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0x44);
        u[4 * g + 3] = _mm512_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0xEE);
    }
#pragma unroll
    for (int c = 0; c < 4; c++) {
        __m512 x = _mm512_shuffle_f32x4(u[c], u[4 + c], 0x44);
        __m512 y = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0x44);
        __m512 x2 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0xEE);
        __m512 y2 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0xEE);
        r[c] = _mm512_shuffle_f32x4(x, y, 0x88);
        r[4 + c] = _mm512_shuffle_f32x4(x, y, 0xDD);
        r[8 + c] = _mm512_shuffle_f32x4(x2, y2, 0x88);
        r[12 + c] = _mm512_shuffle_f32x4(x2, y2, 0xDD);
    }
}

/* A mask of the first `count` lanes (all 16 when count >= 16, none when count <= 0). */
static inline XM_AVX512 __mmask16 first_lanes(long count) {
    return count >= 16 ? (__mmask16)0xFFFF : count <= 0 ? (__mmask16)0 : (__mmask16)((1u << count) - 1);
}

#endif
