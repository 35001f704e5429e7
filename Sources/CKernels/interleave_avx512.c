/*
 * AVX-512 VNNI kernels for the row-interleaved (_R8) matmul: the same
 * layouts as interleave_avx2.c, the same bits, about half the instructions.
 *
 * A 512-bit register takes two consecutive 256-bit weight registers of a
 * block: register k (row r's elements of vec_dot lane k, in lane r) in the
 * low half and register k+1 in the high half. The activation register gets
 * the 4 matching bytes of lane k in its low half and of lane k+1 in its high
 * half (one permute), so every 32-bit lane still holds exactly one row's
 * vec_dot lane, and one fma carries two of vec_dot's eight accumulators for
 * 8 rows. `vpdpbusd` sums the four u8·s8 products of a lane in int32 in one
 * instruction. It never saturates, and maddubs + madd do not saturate on
 * these values either (interleave_avx2.c), so the integer lanes are the same.
 *
 * Signed weights:
 *   Q8_0: |w| as the unsigned operand, the activation negated where w < 0
 *         (AVX2's sign trick, by mask; where w = 0 the product is 0 either way).
 *   Q4_0, Q5_0: the stored nibble u = w + 8 (w + 16) is unsigned already, and
 *         Σ w·y = Σ u·y − 8·Σ y (16·Σ y): each lane starts at −8·Σ y of its four
 *         activation bytes, computed once per block and token.
 * Every float step (the product of scales, the fma per block and lane, the
 * final hsum_f8 order) is vec_dot's, so each output has vec_dot's bits.
 */
#include "ck_internal.h"

#if defined(__x86_64__) && !defined(CK_FORCE_GENERIC)
#include <immintrin.h>

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx2,fma,f16c"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx2,fma,f16c")
#endif

#define INLINE static inline __attribute__((always_inline))

INLINE float h2f(uint16_t h) { return _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(h))); }

/* As interleave_avx2.c's qh_bit: bit k of every byte moved to bit 4 (k < 8). */
INLINE __m512i qh_bit(__m512i qh, const int k) {
    const __m512i m = _mm512_set1_epi8(0x10);
    if (k < 4) return _mm512_and_si512(_mm512_slli_epi16(qh, 4 - k), m);
    if (k == 4) return _mm512_and_si512(qh, m);
    return _mm512_and_si512(_mm512_srli_epi16(qh, k - 4), m);
}

/* ((a0+a4)+(a2+a6)) + ((a1+a5)+(a3+a7)): hsum_f8's order for 8 rows; pair p
 * holds lane 2p in its low half and lane 2p+1 in its high half. */
INLINE __m256 hsum8_pairs(const __m512 p[4]) {
    __m256 a[8];
    for (int i = 0; i < 4; ++i) {
        a[2 * i] = _mm512_castps512_ps256(p[i]);
        a[2 * i + 1] = _mm512_extractf32x8_ps(p[i], 1);
    }
    return _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a[0], a[4]), _mm256_add_ps(a[2], a[6])),
                         _mm256_add_ps(_mm256_add_ps(a[1], a[5]), _mm256_add_ps(a[3], a[7])));
}

/* One group of 8 rows against T activation rows `as` bytes apart. Pair P
 * (0..3) is vec_dot lanes 2P and 2P+1, fed by activation dwords 2P and 2P+1
 * (for the nibble types: pairs 0, 1 from the low nibbles of the block's two
 * 64-byte halves, pairs 2, 3 from the high nibbles). */
INLINE void r8_rows(int wtype, int nb, const uint8_t *w, const uint8_t *a, size_t as, float *out, size_t ldy, const int T) {
    __m512 acc[4][4];
    __m256 summs[4];
    for (int t = 0; t < T; ++t) {
        for (int p = 0; p < 4; ++p) acc[t][p] = _mm512_setzero_ps();
        summs[t] = _mm256_setzero_ps();
    }
    __m512i idx[4];
    for (int p = 0; p < 4; ++p)
        idx[p] = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_set1_epi32(2 * p)), _mm256_set1_epi32(2 * p + 1), 1);
    const __m512i zero = _mm512_setzero_si512(), m4 = _mm512_set1_epi8(0xF);
    const int offset = wtype == CK_Q5_0 ? 16 : wtype == CK_Q4_0 ? 8 : 0;
    const __m512i off8 = _mm512_set1_epi8((char)offset);
    const size_t bb = ck_r8_block_bytes(wtype);
    for (int ib = 0; ib < nb; ++ib) {
        const uint8_t *blk = w + (size_t)ib * bb;
        const blk_q8_s *y[4];
        __m512 dd[4];
        __m512i ya[4], base[4];
        /* d[8] leads every layout: [d0..d7 | d0..d7] as floats. */
        const __m512 dx = _mm512_cvtph_ps(_mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)blk)));
        for (int t = 0; t < T; ++t) {
            y[t] = (const blk_q8_s *)(a + (size_t)t * as) + ib;
            dd[t] = _mm512_mul_ps(dx, _mm512_set1_ps(y[t]->d));
            ya[t] = _mm512_zextsi256_si512(_mm256_loadu_si256((const __m256i *)y[t]->qs));
            /* Lane i < 8: −offset · (sum of activation dword i). */
            base[t] = offset ? _mm512_sub_epi32(zero, _mm512_dpbusd_epi32(zero, off8, ya[t])) : zero;
        }
        if (wtype == CK_Q8_0) {
            const int8_t *qs = ((const blk_q8_0_r8 *)blk)->qs;
#pragma unroll
            for (int p = 0; p < 4; ++p) {
                const __m512i q = _mm512_loadu_si512((const void *)(qs + 64 * p));
                const __m512i aq = _mm512_abs_epi8(q);
                const __mmask64 neg = _mm512_movepi8_mask(q);
                for (int t = 0; t < T; ++t) {
                    __m512i yk = _mm512_permutexvar_epi32(idx[p], ya[t]);
                    yk = _mm512_mask_sub_epi8(yk, neg, zero, yk);
                    const __m512i s = _mm512_dpbusd_epi32(zero, aq, yk);
                    acc[t][p] = _mm512_fmadd_ps(dd[t], _mm512_cvtepi32_ps(s), acc[t][p]);
                }
            }
            continue;
        }
        const uint8_t *qs = blk + (wtype == CK_Q4_1 ? offsetof(blk_q4_1_r8, qs)
                                   : wtype == CK_Q5_0 ? offsetof(blk_q5_0_r8, qs) : offsetof(blk_q4_0_r8, qs));
        __m512i qh = zero;
        if (wtype == CK_Q5_0) {
            /* High half shifted by one bit: bit k there is bit k+1 of the byte
             * (for the even k used below, bit k+1 ≤ 7 is the same byte's). */
            const __m256i h = _mm256_loadu_si256((const __m256i *)((const blk_q5_0_r8 *)blk)->qh);
            qh = _mm512_inserti64x4(_mm512_castsi256_si512(h), _mm256_srli_epi16(h, 1), 1);
        }
#pragma unroll
        for (int h = 0; h < 2; ++h) {
            const __m512i q = _mm512_loadu_si512((const void *)(qs + 64 * h));   /* registers 2h, 2h+1 */
            __m512i lo = _mm512_and_si512(q, m4);
            __m512i hi = _mm512_and_si512(_mm512_srli_epi16(q, 4), m4);
            if (wtype == CK_Q5_0) {
                lo = _mm512_or_si512(lo, qh_bit(qh, 2 * h));
                hi = _mm512_or_si512(hi, qh_bit(qh, 2 * h + 4));
            }
            for (int t = 0; t < T; ++t) {
                const __m512i ylo = _mm512_permutexvar_epi32(idx[h], ya[t]);
                const __m512i yhi = _mm512_permutexvar_epi32(idx[h + 2], ya[t]);
                __m512i slo, shi;
                if (offset) {
                    slo = _mm512_dpbusd_epi32(_mm512_permutexvar_epi32(idx[h], base[t]), lo, ylo);
                    shi = _mm512_dpbusd_epi32(_mm512_permutexvar_epi32(idx[h + 2], base[t]), hi, yhi);
                } else {
                    slo = _mm512_dpbusd_epi32(zero, lo, ylo);
                    shi = _mm512_dpbusd_epi32(zero, hi, yhi);
                }
                acc[t][h] = _mm512_fmadd_ps(dd[t], _mm512_cvtepi32_ps(slo), acc[t][h]);
                acc[t][h + 2] = _mm512_fmadd_ps(dd[t], _mm512_cvtepi32_ps(shi), acc[t][h + 2]);
            }
        }
        if (wtype == CK_Q4_1) {
            const __m256 mx = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)((const blk_q4_1_r8 *)blk)->m));
            for (int t = 0; t < T; ++t) summs[t] = _mm256_fmadd_ps(mx, _mm256_set1_ps(h2f(y[t]->ds)), summs[t]);
        }
    }
    for (int t = 0; t < T; ++t) {
        __m256 r = hsum8_pairs(acc[t]);
        if (wtype == CK_Q4_1) r = _mm256_add_ps(r, summs[t]);
        _mm256_storeu_ps(out + (size_t)t * ldy, r);
    }
}

typedef void (*r8_fn)(int nb, const uint8_t *w, const uint8_t *a, size_t as, float *out, size_t ldy);

/* One function per (type, token count) so the type tests fold away. */
#define R8_FNS(NAME, TYPE) \
    static void NAME##_1(int nb, const uint8_t *w, const uint8_t *a, size_t as, float *out, size_t ldy) { r8_rows(TYPE, nb, w, a, as, out, ldy, 1); } \
    static void NAME##_2(int nb, const uint8_t *w, const uint8_t *a, size_t as, float *out, size_t ldy) { r8_rows(TYPE, nb, w, a, as, out, ldy, 2); } \
    static void NAME##_4(int nb, const uint8_t *w, const uint8_t *a, size_t as, float *out, size_t ldy) { r8_rows(TYPE, nb, w, a, as, out, ldy, 4); }
R8_FNS(r8_q8_0, CK_Q8_0)
R8_FNS(r8_q4_0, CK_Q4_0)
R8_FNS(r8_q4_1, CK_Q4_1)
R8_FNS(r8_q5_0, CK_Q5_0)

void ck_r8_gemm_rows_avx512_impl(int wtype, const void *w, int cols, int row0, int row1,
                                 const void *a, int tokens, float *y, size_t ldy) {
    r8_fn one, two, four;
    switch (wtype) {
    case CK_Q8_0: one = r8_q8_0_1; two = r8_q8_0_2; four = r8_q8_0_4; break;
    case CK_Q4_0: one = r8_q4_0_1; two = r8_q4_0_2; four = r8_q4_0_4; break;
    case CK_Q4_1: one = r8_q4_1_1; two = r8_q4_1_2; four = r8_q4_1_4; break;
    case CK_Q5_0: one = r8_q5_0_1; two = r8_q5_0_2; four = r8_q5_0_4; break;
    default: return;
    }
    const int nb = cols / QK;
    const size_t gbytes = (size_t)nb * ck_r8_block_bytes(wtype);
    const size_t as = ck_q8s_row_bytes(cols);
    for (int g = row0 / 8; g < row1 / 8; ++g) {
        const uint8_t *wg = (const uint8_t *)w + (size_t)g * gbytes;
        const uint8_t *ag = (const uint8_t *)a;
        float *yg = y + 8 * g;
        int t = 0;
        for (; t + 4 <= tokens; t += 4) four(nb, wg, ag + (size_t)t * as, as, yg + (size_t)t * ldy, ldy);
        for (; t + 2 <= tokens; t += 2) two(nb, wg, ag + (size_t)t * as, as, yg + (size_t)t * ldy, ldy);
        if (t < tokens) one(nb, wg, ag + (size_t)t * as, as, yg + (size_t)t * ldy, ldy);
    }
}

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

int ck_avx512_compiled(void) { return 1; }

#else
int ck_avx512_compiled(void) { return 0; }
void ck_r8_gemm_rows_avx512_impl(int wtype, const void *w, int cols, int row0, int row1,
                                 const void *a, int tokens, float *y, size_t ldy) {
    ck_r8_gemm_rows_generic(wtype, w, cols, row0, row1, a, tokens, y, ldy);
}
#endif
