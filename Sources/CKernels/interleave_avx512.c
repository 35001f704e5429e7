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
#include <stdlib.h>

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
        ck_prefetch_ahead(blk, bb);
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

/* Prefill: two groups of 8 rows (16 rows) at once. Here a 512-bit register
 * holds vec_dot lane j of group g's 8 rows in its low half and of group g+1's
 * in its high half, so the activation bytes of lane j are one broadcast from
 * memory (no permute), and so is the lane's offset correction (`base`: −offset ·
 * the sum of the lane's 4 activation bytes, per token and block). The weights
 * are unpacked once per group pair into a per-thread buffer (r16_prep: eight
 * unsigned-code registers per block, lane j in register j, then the 16 scales
 * and for Q4_1 the 16 mins as floats) that every token of the tile reads. Q8_0
 * is made unsigned by flipping the sign bit (w + 128). Every lane's integer sum
 * and every float step are vec_dot's, as in r8_rows. */
#define R16_BLOCK_REGS 10   /* 8 code registers, scales, mins */

INLINE void r16_prep(int wtype, int nb, const uint8_t *w0, size_t gbytes, __m512i *buf) {
    const uint8_t *w1 = w0 + gbytes;
    const __m512i m4 = _mm512_set1_epi8(0xF), bit4 = _mm512_set1_epi8(0x10), flip = _mm512_set1_epi8((char)0x80);
    const size_t bb = ck_r8_block_bytes(wtype);
    for (int ib = 0; ib < nb; ++ib) {
        const uint8_t *b0 = w0 + (size_t)ib * bb, *b1 = w1 + (size_t)ib * bb;
        __m512i *o = buf + (size_t)ib * R16_BLOCK_REGS;
#define PAIR(off) _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)(b0 + (off)))), \
                                     _mm256_loadu_si256((const __m256i *)(b1 + (off))), 1)
#define HALVES(off) _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)(b0 + (off)))), \
                                            _mm_loadu_si128((const __m128i *)(b1 + (off))), 1)
        _mm512_store_ps((float *)&o[8], _mm512_cvtph_ps(HALVES(0)));   /* d[8] leads every layout */
        if (wtype == CK_Q8_0) {
            for (int k = 0; k < 8; ++k) _mm512_store_si512(&o[k], _mm512_xor_si512(PAIR(offsetof(blk_q8_0_r8, qs) + 32 * k), flip));
            continue;
        }
        const size_t qo = wtype == CK_Q4_1 ? offsetof(blk_q4_1_r8, qs) : wtype == CK_Q5_0 ? offsetof(blk_q5_0_r8, qs) : offsetof(blk_q4_0_r8, qs);
        const __m512i qh = wtype == CK_Q5_0 ? PAIR(offsetof(blk_q5_0_r8, qh)) : _mm512_setzero_si512();
        for (int k = 0; k < 4; ++k) {
            const __m512i q = PAIR(qo + 32 * k);
            __m512i lo = _mm512_and_si512(q, m4);
            __m512i hi = _mm512_and_si512(_mm512_srli_epi16(q, 4), m4);
            if (wtype == CK_Q5_0) {
                /* The fifth bit of register k's bytes is bit k of qh (k + 4 for the high
                 * nibbles); the nibbles are < 16, so adding 16 sets it. */
                lo = _mm512_mask_add_epi8(lo, _mm512_test_epi8_mask(qh, _mm512_set1_epi8((char)(1 << k))), lo, bit4);
                hi = _mm512_mask_add_epi8(hi, _mm512_test_epi8_mask(qh, _mm512_set1_epi8((char)(1 << (k + 4)))), hi, bit4);
            }
            _mm512_store_si512(&o[k], lo);       /* lane k: elements 4k..4k+3 */
            _mm512_store_si512(&o[k + 4], hi);   /* lane k+4: elements 16+4k.. */
        }
        if (wtype == CK_Q4_1) _mm512_store_ps((float *)&o[9], _mm512_cvtph_ps(HALVES(offsetof(blk_q4_1_r8, m))));
#undef HALVES
#undef PAIR
    }
}

INLINE void r16_rows(int wtype, int nb, const __m512i *buf, const uint8_t *a, size_t as,
                     const int32_t *base, float *out, size_t ldy, const int T) {
    __m512 acc[2][8];
    __m512 summs[2];
    for (int t = 0; t < T; ++t) {
        for (int j = 0; j < 8; ++j) acc[t][j] = _mm512_setzero_ps();
        summs[t] = _mm512_setzero_ps();
    }
    for (int ib = 0; ib < nb; ++ib) {
        const __m512i *o = buf + (size_t)ib * R16_BLOCK_REGS;
        const __m512 dx = _mm512_load_ps((const float *)&o[8]);
        for (int t = 0; t < T; ++t) {
            const blk_q8_s *y = (const blk_q8_s *)(a + (size_t)t * as) + ib;
            const int32_t *bs = base + ((size_t)t * nb + ib) * 8;
            const __m512 dd = _mm512_mul_ps(dx, _mm512_set1_ps(y->d));
#pragma unroll
            for (int j = 0; j < 8; ++j) {
                int32_t yj; memcpy(&yj, y->qs + 4 * j, 4);
                const __m512i sj = _mm512_dpbusd_epi32(_mm512_set1_epi32(bs[j]), _mm512_load_si512(&o[j]), _mm512_set1_epi32(yj));
                acc[t][j] = _mm512_fmadd_ps(dd, _mm512_cvtepi32_ps(sj), acc[t][j]);
            }
            if (wtype == CK_Q4_1) summs[t] = _mm512_fmadd_ps(_mm512_load_ps((const float *)&o[9]), _mm512_set1_ps(h2f(y->ds)), summs[t]);
        }
    }
    for (int t = 0; t < T; ++t) {
        const __m512 *c = acc[t];
        __m512 r = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(c[0], c[4]), _mm512_add_ps(c[2], c[6])),
                                 _mm512_add_ps(_mm512_add_ps(c[1], c[5]), _mm512_add_ps(c[3], c[7])));
        if (wtype == CK_Q4_1) r = _mm512_add_ps(r, summs[t]);
        _mm512_storeu_ps(out + (size_t)t * ldy, r);
    }
}

/* base[(t·nb + ib)·8 + j] = −offset · (sum of activation bytes 4j..4j+3 of block ib, token t). */
static void lane_bases(int wtype, int nb, const uint8_t *a, size_t as, int tokens, int32_t *base) {
    /* offset = 2^shift: 8 (Q4_0), 16 (Q5_0), 128 (Q8_0); Q4_1 needs none. */
    const int shift = wtype == CK_Q5_0 ? 4 : wtype == CK_Q4_0 ? 3 : wtype == CK_Q8_0 ? 7 : -1;
    for (int t = 0; t < tokens; ++t)
        for (int ib = 0; ib < nb; ++ib) {
            const blk_q8_s *y = (const blk_q8_s *)(a + (size_t)t * as) + ib;
            __m256i s = _mm256_setzero_si256();
            if (shift >= 0) {
                s = _mm256_dpbusd_epi32(s, _mm256_set1_epi8(1), _mm256_loadu_si256((const __m256i *)y->qs));
                s = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_sll_epi32(s, _mm_cvtsi32_si128(shift)));
            }
            _mm256_storeu_si256((__m256i *)(base + ((size_t)t * nb + ib) * 8), s);
        }
}

typedef void (*r8_fn)(int nb, const uint8_t *w, const uint8_t *a, size_t as, float *out, size_t ldy);

/* One function per (type, token count) so the type tests fold away. */
#define R8_FNS(NAME, TYPE) \
    static void NAME##_prep(int nb, const uint8_t *w, size_t gb, __m512i *buf) { r16_prep(TYPE, nb, w, gb, buf); } \
    static void NAME##_16x2(int nb, const __m512i *buf, const uint8_t *a, size_t as, const int32_t *b, float *out, size_t ldy) { r16_rows(TYPE, nb, buf, a, as, b, out, ldy, 2); } \
    static void NAME##_16x1(int nb, const __m512i *buf, const uint8_t *a, size_t as, const int32_t *b, float *out, size_t ldy) { r16_rows(TYPE, nb, buf, a, as, b, out, ldy, 1); } \
    static void NAME##_1(int nb, const uint8_t *w, const uint8_t *a, size_t as, float *out, size_t ldy) { r8_rows(TYPE, nb, w, a, as, out, ldy, 1); } \
    static void NAME##_2(int nb, const uint8_t *w, const uint8_t *a, size_t as, float *out, size_t ldy) { r8_rows(TYPE, nb, w, a, as, out, ldy, 2); } \
    static void NAME##_4(int nb, const uint8_t *w, const uint8_t *a, size_t as, float *out, size_t ldy) { r8_rows(TYPE, nb, w, a, as, out, ldy, 4); }
R8_FNS(r8_q8_0, CK_Q8_0)
R8_FNS(r8_q4_0, CK_Q4_0)
R8_FNS(r8_q4_1, CK_Q4_1)
R8_FNS(r8_q5_0, CK_Q5_0)

typedef void (*r16_fn)(int nb, const __m512i *buf, const uint8_t *a, size_t as, const int32_t *b, float *out, size_t ldy);
typedef void (*prep_fn)(int nb, const uint8_t *w, size_t gb, __m512i *buf);

/* Per-thread buffers: the lane bases (tokens × blocks × 8 int32, one token
 * tile) and one group pair's unpacked weights (blocks × 10 registers). */
static __thread int32_t *bases_buf;
static __thread size_t bases_cap;
static __thread __m512i *prep_buf;
static __thread size_t prep_cap;

void ck_r8_gemm_rows_avx512_impl(int wtype, const void *w, int cols, int row0, int row1,
                                 const void *a, int tokens, float *y, size_t ldy) {
    r8_fn one, two, four;
    r16_fn p1, p2;
    prep_fn prep;
    switch (wtype) {
    case CK_Q8_0: one = r8_q8_0_1; two = r8_q8_0_2; four = r8_q8_0_4; p1 = r8_q8_0_16x1; p2 = r8_q8_0_16x2; prep = r8_q8_0_prep; break;
    case CK_Q4_0: one = r8_q4_0_1; two = r8_q4_0_2; four = r8_q4_0_4; p1 = r8_q4_0_16x1; p2 = r8_q4_0_16x2; prep = r8_q4_0_prep; break;
    case CK_Q4_1: one = r8_q4_1_1; two = r8_q4_1_2; four = r8_q4_1_4; p1 = r8_q4_1_16x1; p2 = r8_q4_1_16x2; prep = r8_q4_1_prep; break;
    case CK_Q5_0: one = r8_q5_0_1; two = r8_q5_0_2; four = r8_q5_0_4; p1 = r8_q5_0_16x1; p2 = r8_q5_0_16x2; prep = r8_q5_0_prep; break;
    default: return;
    }
    const int nb = cols / QK;
    const size_t gbytes = (size_t)nb * ck_r8_block_bytes(wtype);
    const size_t as = ck_q8s_row_bytes(cols);
    const uint8_t *ag = (const uint8_t *)a;
    int g = row0 / 8;
    const int gend = row1 / 8;
    /* Prefill: pairs of groups, unpacked once, two tokens at a time. */
    if (tokens >= 2 && gend - g >= 2
        && ck_reserve((void **)&bases_buf, &bases_cap, (size_t)tokens * nb * 8 * sizeof(int32_t))
        && ck_reserve((void **)&prep_buf, &prep_cap, (size_t)nb * R16_BLOCK_REGS * sizeof(__m512i))) {
        lane_bases(wtype, nb, ag, as, tokens, bases_buf);
        for (; g + 2 <= gend; g += 2) {
            prep(nb, (const uint8_t *)w + (size_t)g * gbytes, gbytes, prep_buf);
            float *yg = y + 8 * g;
            int t = 0;
            for (; t + 2 <= tokens; t += 2) p2(nb, prep_buf, ag + (size_t)t * as, as, bases_buf + (size_t)t * nb * 8, yg + (size_t)t * ldy, ldy);
            if (t < tokens) p1(nb, prep_buf, ag + (size_t)t * as, as, bases_buf + (size_t)t * nb * 8, yg + (size_t)t * ldy, ldy);
        }
    }
    for (; g < gend; ++g) {
        const uint8_t *wg = (const uint8_t *)w + (size_t)g * gbytes;
        float *yg = y + 8 * g;
        int t = 0;
        for (; t + 4 <= tokens; t += 4) four(nb, wg, ag + (size_t)t * as, as, yg + (size_t)t * ldy, ldy);
        for (; t + 2 <= tokens; t += 2) two(nb, wg, ag + (size_t)t * as, as, yg + (size_t)t * ldy, ldy);
        if (t < tokens) one(nb, wg, ag + (size_t)t * as, as, yg + (size_t)t * ldy, ldy);
    }
}

/* ---- Q8_0 by block sums (training's backward product, not vec_dot's bits) ----
 * Each row's 32-element block dot is one exact integer (eight vpdpbusd into
 * one int32 lane per row, the unsigned operand w + 128 corrected by −128·Σy,
 * Σy being blk_q8_s.s), then one fma per block: acc = fma(d_w·d_y, sum, acc).
 * That is a quarter of vec_dot's float work per weight (it converts and fmas
 * every 4-element lane), and the sums are exact where vec_dot's are rounded
 * per lane, so the result is at least as accurate; ck_r8_q8_0_blocksum_generic
 * gives the same bits. Two accumulators per token (even and odd lanes) and
 * up to four tokens keep eight dependency chains in flight. */
INLINE void r16_q8_0_blocksum(int nb, const __m512i *buf, const uint8_t *a, size_t as, float *out, size_t ldy, const int T,
                              int carry) {
    __m512 acc[4];
    for (int t = 0; t < T; ++t) acc[t] = carry ? _mm512_loadu_ps(out + (size_t)t * ldy) : _mm512_setzero_ps();
    for (int ib = 0; ib < nb; ++ib) {
        const __m512i *o = buf + (size_t)ib * R16_BLOCK_REGS;
        const __m512 dx = _mm512_load_ps((const float *)&o[8]);
        for (int t = 0; t < T; ++t) {
            const blk_q8_s *y = (const blk_q8_s *)(a + (size_t)t * as) + ib;
            __m512i s0 = _mm512_set1_epi32(-128 * (int32_t)y->s), s1 = _mm512_setzero_si512();
#pragma unroll
            for (int j = 0; j < 8; j += 2) {
                int32_t y0, y1;
                memcpy(&y0, y->qs + 4 * j, 4);
                memcpy(&y1, y->qs + 4 * j + 4, 4);
                s0 = _mm512_dpbusd_epi32(s0, _mm512_load_si512(&o[j]), _mm512_set1_epi32(y0));
                s1 = _mm512_dpbusd_epi32(s1, _mm512_load_si512(&o[j + 1]), _mm512_set1_epi32(y1));
            }
            const __m512 dd = _mm512_mul_ps(dx, _mm512_set1_ps(y->d));
            acc[t] = _mm512_fmadd_ps(dd, _mm512_cvtepi32_ps(_mm512_add_epi32(s0, s1)), acc[t]);
        }
    }
    for (int t = 0; t < T; ++t) _mm512_storeu_ps(out + (size_t)t * ldy, acc[t]);
}

static void r16_q8_0_bs4(int nb, const __m512i *buf, const uint8_t *a, size_t as, float *out, size_t ldy, int carry) { r16_q8_0_blocksum(nb, buf, a, as, out, ldy, 4, carry); }
static void r16_q8_0_bs2(int nb, const __m512i *buf, const uint8_t *a, size_t as, float *out, size_t ldy, int carry) { r16_q8_0_blocksum(nb, buf, a, as, out, ldy, 2, carry); }
static void r16_q8_0_bs1(int nb, const __m512i *buf, const uint8_t *a, size_t as, float *out, size_t ldy, int carry) { r16_q8_0_blocksum(nb, buf, a, as, out, ldy, 1, carry); }

/* Blocks unpacked per pass: 256 blocks (8,192 columns) of a group pair are
 * 160 KB, which stay in L2 while every token of the tile reads them. A longer
 * row (the transposed output matrix: 262,144 columns) runs in passes, each
 * carrying the running sums in y into the next: the same fma sequence, so
 * the same bits as one pass. */
#define BS_PASS_BLOCKS 256

/* Rows [row0, row1) (multiples of 16) of an interleaved Q8_0 matrix. */
void ck_r8_q8_0_blocksum_avx512_impl(const void *w, int cols, int row0, int row1, const void *a, int tokens, float *y, size_t ldy) {
    const int nb = cols / QK;
    const size_t gbytes = (size_t)nb * ck_r8_block_bytes(CK_Q8_0);
    const size_t as = ck_q8s_row_bytes(cols);
    const uint8_t *ag = (const uint8_t *)a;
    const int pass = nb < BS_PASS_BLOCKS ? nb : BS_PASS_BLOCKS;
    if (!ck_reserve((void **)&prep_buf, &prep_cap, (size_t)pass * R16_BLOCK_REGS * sizeof(__m512i))) {
        ck_r8_q8_0_blocksum_generic(w, cols, row0, row1, a, tokens, y, ldy);
        return;
    }
    const size_t bb = ck_r8_block_bytes(CK_Q8_0);
    for (int g = row0 / 8; g + 2 <= row1 / 8; g += 2) {
        float *yg = y + 8 * g;
        for (int b0 = 0; b0 < nb; b0 += BS_PASS_BLOCKS) {
            const int n = nb - b0 < BS_PASS_BLOCKS ? nb - b0 : BS_PASS_BLOCKS, carry = b0 > 0;
            r16_prep(CK_Q8_0, n, (const uint8_t *)w + (size_t)g * gbytes + (size_t)b0 * bb, gbytes, prep_buf);
            /* Activation blocks b0.. of each token: the same row stride, offset by b0 blocks. */
            const uint8_t *ab = ag + (size_t)b0 * sizeof(blk_q8_s);
            int t = 0;
            for (; t + 4 <= tokens; t += 4) r16_q8_0_bs4(n, prep_buf, ab + (size_t)t * as, as, yg + (size_t)t * ldy, ldy, carry);
            for (; t + 2 <= tokens; t += 2) r16_q8_0_bs2(n, prep_buf, ab + (size_t)t * as, as, yg + (size_t)t * ldy, ldy, carry);
            if (t < tokens) r16_q8_0_bs1(n, prep_buf, ab + (size_t)t * as, as, yg + (size_t)t * ldy, ldy, carry);
        }
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
void ck_r8_q8_0_blocksum_avx512_impl(const void *w, int cols, int row0, int row1, const void *a, int tokens, float *y, size_t ldy) {
    ck_r8_q8_0_blocksum_generic(w, cols, row0, row1, a, tokens, y, ldy);
}
void ck_r8_gemm_rows_avx512_impl(int wtype, const void *w, int cols, int row0, int row1,
                                 const void *a, int tokens, float *y, size_t ldy) {
    ck_r8_gemm_rows_generic(wtype, w, cols, row0, row1, a, tokens, y, ldy);
}
#endif
