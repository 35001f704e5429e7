/*
 * llama.cpp's soft_max (the AVX2 build's) on 16 lanes: ggml_v_expf's AVX2
 * steps lane for lane (the same fma, shifts, compares and selects, with
 * masks instead of blend vectors), so each exponential has its bits. The sum
 * keeps its order: each 8-block's hsum_f8 tree, added to a double in turn.
 */
#include "ck_internal.h"

#if defined(__x86_64__) && !defined(CK_FORCE_GENERIC) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512dq,avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq,avx2,fma")
#endif

static inline __m512 v_expf16(__m512 x) {
    const __m512 r = _mm512_set1_ps(0x1.8p23f);
    const __m512 z = _mm512_fmadd_ps(x, _mm512_set1_ps(0x1.715476p+0f), r);
    const __m512 n = _mm512_sub_ps(z, r);
    const __m512 b = _mm512_fnmadd_ps(n, _mm512_set1_ps(0x1.7f7d1cp-20f),
                                      _mm512_fnmadd_ps(n, _mm512_set1_ps(0x1.62e4p-1f), x));
    const __m512i e = _mm512_slli_epi32(_mm512_castps_si512(z), 23);
    const __m512 k = _mm512_castsi512_ps(_mm512_add_epi32(e, _mm512_castps_si512(_mm512_set1_ps(1))));
    const __m512 an = _mm512_castsi512_ps(_mm512_andnot_si512(_mm512_castps_si512(_mm512_set1_ps(-0.f)),
                                                              _mm512_castps_si512(n)));
    const __mmask16 c = _mm512_cmp_ps_mask(an, _mm512_set1_ps(126), _CMP_GT_OQ);
    const __m512 u = _mm512_mul_ps(b, b);
    const __m512 j = _mm512_fmadd_ps(
        _mm512_fmadd_ps(_mm512_fmadd_ps(_mm512_set1_ps(0x1.0e4020p-7f), b, _mm512_set1_ps(0x1.573e2ep-5f)), u,
                        _mm512_fmadd_ps(_mm512_set1_ps(0x1.555e66p-3f), b, _mm512_set1_ps(0x1.fffdb6p-2f))),
        u, _mm512_mul_ps(_mm512_set1_ps(0x1.ffffecp-1f), b));
    const __m512 normal = _mm512_fmadd_ps(k, j, k);
    if (!c) return normal;
    const __mmask16 le = _mm512_cmp_ps_mask(n, _mm512_setzero_ps(), _CMP_LE_OQ);
    const __m512i g = _mm512_maskz_mov_epi32(le, _mm512_set1_epi32((int)0x82000000u));
    const __m512 s1 = _mm512_castsi512_ps(_mm512_add_epi32(g, _mm512_set1_epi32(0x7f000000)));
    const __m512 s2 = _mm512_castsi512_ps(_mm512_sub_epi32(e, g));
    const __mmask16 d = _mm512_cmp_ps_mask(an, _mm512_set1_ps(192), _CMP_GT_OQ);
    __m512 out = _mm512_mask_blend_ps(c, normal, _mm512_mul_ps(_mm512_fmadd_ps(s2, j, s2), s1));
    return _mm512_mask_blend_ps(d, out, _mm512_mul_ps(s1, s1));
}

/* hsum_f8 of dot_avx2.c: ((v4+v0)+(v6+v2)) + ((v5+v1)+(v7+v3)). */
static inline float hsum8(__m256 x) {
    __m128 r = _mm_add_ps(_mm256_extractf128_ps(x, 1), _mm256_castps256_ps128(x));
    r = _mm_add_ps(r, _mm_movehl_ps(r, r));
    r = _mm_add_ss(r, _mm_movehdup_ps(r));
    return _mm_cvtss_f32(r);
}

static float row_max16(const float *x, int n) {
    __m512 m = _mm512_set1_ps(-INFINITY);
    int i = 0;
    for (; i + 16 <= n; i += 16) m = _mm512_max_ps(m, _mm512_loadu_ps(x + i));
    float max = _mm512_reduce_max_ps(m);
    for (; i < n; ++i) max = max > x[i] ? max : x[i];
    return max;   /* llama.cpp's running max for rows without NaN (see dot_avx2.c) */
}

int ck_softmax_avx512(float *x, int n) {
    if (!ck_has_avx512()) return -1;
    if (n <= 0) return 0;
    const float max = row_max16(x, n);
    const __m512 m = _mm512_set1_ps(max);
    double sum = 0;
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m512 v = v_expf16(_mm512_sub_ps(_mm512_loadu_ps(x + i), m));
        _mm512_storeu_ps(x + i, v);
        sum += (double)hsum8(_mm512_castps512_ps256(v));
        sum += (double)hsum8(_mm512_extractf32x8_ps(v, 1));
    }
    if (i + 8 <= n) {   /* one more 8-block; the upper lanes compute exp(0) and are dropped */
        const __m512 v = v_expf16(_mm512_sub_ps(_mm512_maskz_loadu_ps(0xff, x + i), m));
        _mm256_storeu_ps(x + i, _mm512_castps512_ps256(v));
        sum += (double)hsum8(_mm512_castps512_ps256(v));
        i += 8;
    }
    for (; i < n; ++i) { x[i] = expf(x[i] - max); sum += (double)x[i]; }
    const float inv = (float)(1.0 / sum);
    const __m512 iv = _mm512_set1_ps(inv);
    i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(x + i, _mm512_mul_ps(_mm512_loadu_ps(x + i), iv));
    for (; i < n; ++i) x[i] *= inv;
    return 0;
}

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

#else
int ck_softmax_avx512(float *x, int n) { (void)x; (void)n; return -1; }
#endif
