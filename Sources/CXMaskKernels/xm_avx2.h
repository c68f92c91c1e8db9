#ifndef XM_AVX2_H
#define XM_AVX2_H
/* Helpers shared by the AVX2 files (x86-64 only; every function carries the target). */
#include <immintrin.h>

#define XM_AVX2 __attribute__((target("avx2,fma")))

/* Transposes 8 rows of 8 floats in registers: on return r[j] holds column j. */
static inline __attribute__((always_inline)) XM_AVX2 void transpose8(__m256 r[8]) {
    __m256 t[8], u[8];
#pragma unroll
    for (int i = 0; i < 4; i++) {
        t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
#pragma unroll
    for (int g = 0; g < 2; g++) {
        u[4 * g + 0] = _mm256_shuffle_ps(t[4 * g], t[4 * g + 2], 0x44);
        u[4 * g + 1] = _mm256_shuffle_ps(t[4 * g], t[4 * g + 2], 0xEE);
        u[4 * g + 2] = _mm256_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0x44);
        u[4 * g + 3] = _mm256_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0xEE);
    }
#pragma unroll
    for (int c = 0; c < 4; c++) {
        r[c] = _mm256_permute2f128_ps(u[c], u[4 + c], 0x20);
        r[4 + c] = _mm256_permute2f128_ps(u[c], u[4 + c], 0x31);
    }
}

/* A lane mask (all bits set in lane L when bit L of `bits` is set) for maskload/maskstore. */
static inline __attribute__((always_inline)) XM_AVX2 __m256i lanes_of(unsigned bits) {
    const __m256i bit = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    return _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_set1_epi32((int)bits), bit), bit);
}

/* The first `count` lanes (all 8 when count >= 8, none when count <= 0). */
static inline __attribute__((always_inline)) XM_AVX2 __m256i first_lanes8(long count) {
    return lanes_of(count >= 8 ? 0xFFu : count <= 0 ? 0u : (1u << count) - 1u);
}

/* For stride-2 windows: the masks of the 16 floats p[0..15] whose even element 2L belongs to
 * lane L of `lanes` (odd elements are never read, so a window never reaches past its last lane). */
static inline __attribute__((always_inline)) XM_AVX2 void
even_window(__m256i lanes, __m256i *lo, __m256i *hi) {
    const __m256i even = _mm256_setr_epi32(-1, 0, -1, 0, -1, 0, -1, 0);
    *lo = _mm256_and_si256(_mm256_permutevar8x32_epi32(lanes, _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3)), even);
    *hi = _mm256_and_si256(_mm256_permutevar8x32_epi32(lanes, _mm256_setr_epi32(4, 4, 5, 5, 6, 6, 7, 7)), even);
}

/* Even elements of the 16 floats at p (window masks lo, hi): lane L holds p[2L]. */
static inline __attribute__((always_inline)) XM_AVX2 __m256 load_even8(const float *p, __m256i lo, __m256i hi) {
    __m256 a = _mm256_maskload_ps(p, lo), b = _mm256_maskload_ps(p + 8, hi);
    /* per 128-bit half: a0 a2 b0 b2 | a4 a6 b4 b6; then 64-bit pieces in order 0, 2, 1, 3 */
    __m256 t = _mm256_shuffle_ps(a, b, 0x88);
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(t), 0xD8));
}

#endif
