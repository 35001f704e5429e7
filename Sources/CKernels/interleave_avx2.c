/*
 * AVX2 kernels for the row-interleaved (_R8) matmul (layouts in
 * interleave.c). One 256-bit register of weights holds 4 consecutive
 * elements of each of 8 rows; the 4 matching activation bytes are broadcast
 * to all lanes, so maddubs + madd leave row r's sum over those 4 elements
 * in lane r: exactly lane j of row r's vec_dot accumulator when the
 * register holds elements 4j..4j+3. Eight float accumulators (one per j)
 * then carry vec_dot's state for 8 rows at once, and the final reduction
 * is hsum_f8's order applied across rows, so every output has vec_dot's
 * bits while each activation load serves 8 rows and no row needs a
 * horizontal sum.
 *
 * Saturation: maddubs adds two u8·s8 products in int16, activations in
 * [-127, 127]: Q8_0 uses the sign trick (|w| ≤ 127), at most 2·127·127 =
 * 32258; Q4_0/Q5_0/Q4_1 codes are unsigned nibbles (≤ 31), at most 7874.
 */
#include "ck_internal.h"

#if defined(__x86_64__) && !defined(CK_FORCE_GENERIC)
#include <immintrin.h>

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c")
#endif

#define INLINE static inline __attribute__((always_inline))

INLINE float h2f(uint16_t h) { return _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(h))); }
INLINE uint16_t f2h(float f) { return (uint16_t)_mm_extract_epi16(_mm_cvtps_ph(_mm_set_ss(f), _MM_FROUND_TO_NEAREST_INT), 0); }

INLINE __m256i bcast4(const int8_t *p) { int32_t v; memcpy(&v, p, 4); return _mm256_set1_epi32(v); }

/* Bit k of every byte of qh moved to bit 4 (0x10), k < 8 (16-bit shifts:
 * the mask drops whatever crossed in from the neighbouring byte). */
INLINE __m256i qh_bit(__m256i qh, const int k) {
    const __m256i m = _mm256_set1_epi8(0x10);
    if (k < 4) return _mm256_and_si256(_mm256_slli_epi16(qh, 4 - k), m);
    if (k == 4) return _mm256_and_si256(qh, m);
    return _mm256_and_si256(_mm256_srli_epi16(qh, k - 4), m);
}

/* ((a0+a4)+(a2+a6)) + ((a1+a5)+(a3+a7)): hsum_f8's order, for 8 rows at once. */
INLINE __m256 hsum8_order(const __m256 a[8]) {
    return _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a[0], a[4]), _mm256_add_ps(a[2], a[6])),
                         _mm256_add_ps(_mm256_add_ps(a[1], a[5]), _mm256_add_ps(a[3], a[7])));
}

/* One group of 8 rows against T activation rows (T = 1 or 2, `as` bytes
 * apart): acc[t][j] lane r is row r's vec_dot lane j (elements 4j..4j+3 of
 * each block) for token t. With T = 2 each weight register is unpacked once
 * for both tokens; each token's arithmetic is the T = 1 arithmetic. */
INLINE void r8_rows(int wtype, int nb, const uint8_t *w, const uint8_t *a, size_t as, const int32_t *base, float *out, size_t ldy, const int T) {
    /* Q4_0/Q5_0 codes stay unsigned (w + 8, w + 16) and each lane adds
     * −offset · its 4 activation bytes (`base`, per token and block), as the
     * prefill form does: the same int32 lane, without the sign trick's four
     * sign ops and two subtracts per register pair. */
    const int unsig = wtype == CK_Q4_0 || wtype == CK_Q5_0;
    __m256 acc[2][8];
    __m256 summs[2];
    for (int t = 0; t < T; ++t) {
        for (int j = 0; j < 8; ++j) acc[t][j] = _mm256_setzero_ps();
        summs[t] = _mm256_setzero_ps();
    }
    const __m256i ones = _mm256_set1_epi16(1), m4 = _mm256_set1_epi8(0xF);
    const size_t bb = ck_r8_block_bytes(wtype);
    for (int ib = 0; ib < nb; ++ib) {
        const uint8_t *blk = w + (size_t)ib * bb;
        ck_prefetch_ahead(blk, bb);
        const blk_q8_s *y[2];
        __m256 dd[2];
        const __m256 dx = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)blk));
        for (int t = 0; t < T; ++t) {
            y[t] = (const blk_q8_s *)(a + (size_t)t * as) + ib;
            dd[t] = _mm256_mul_ps(dx, _mm256_set1_ps(y[t]->d));
        }
        if (wtype == CK_Q8_0) {
            const int8_t *qs = ((const blk_q8_0_r8 *)blk)->qs;
#pragma unroll
            for (int k = 0; k < 8; ++k) {
                const __m256i q = _mm256_loadu_si256((const __m256i *)(qs + 32 * k));
                const __m256i aq = _mm256_sign_epi8(q, q);
                for (int t = 0; t < T; ++t) {
                    const __m256i p = _mm256_madd_epi16(_mm256_maddubs_epi16(aq, _mm256_sign_epi8(bcast4(y[t]->qs + 4 * k), q)), ones);
                    acc[t][k] = _mm256_fmadd_ps(dd[t], _mm256_cvtepi32_ps(p), acc[t][k]);
                }
            }
            continue;
        }
        const uint8_t *qs = blk + (wtype == CK_Q4_1 ? offsetof(blk_q4_1_r8, qs)
                                   : wtype == CK_Q5_0 ? offsetof(blk_q5_0_r8, qs) : offsetof(blk_q4_0_r8, qs));
        const __m256i qh = wtype == CK_Q5_0 ? _mm256_loadu_si256((const __m256i *)((const blk_q5_0_r8 *)blk)->qh)
                                            : _mm256_setzero_si256();
#pragma unroll
        for (int k = 0; k < 4; ++k) {
            const __m256i q = _mm256_loadu_si256((const __m256i *)(qs + 32 * k));
            __m256i lo = _mm256_and_si256(q, m4);
            __m256i hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), m4);
            if (wtype == CK_Q5_0) {
                lo = _mm256_or_si256(lo, qh_bit(qh, k));
                hi = _mm256_or_si256(hi, qh_bit(qh, k + 4));
            }
            for (int t = 0; t < T; ++t) {
                const __m256i ylo = bcast4(y[t]->qs + 4 * k), yhi = bcast4(y[t]->qs + 16 + 4 * k);
                __m256i plo = _mm256_madd_epi16(_mm256_maddubs_epi16(lo, ylo), ones);
                __m256i phi = _mm256_madd_epi16(_mm256_maddubs_epi16(hi, yhi), ones);
                if (unsig) {
                    const int32_t *bs = base + ((size_t)t * nb + ib) * 8;
                    plo = _mm256_add_epi32(plo, _mm256_set1_epi32(bs[k]));
                    phi = _mm256_add_epi32(phi, _mm256_set1_epi32(bs[k + 4]));
                }
                acc[t][k] = _mm256_fmadd_ps(dd[t], _mm256_cvtepi32_ps(plo), acc[t][k]);
                acc[t][k + 4] = _mm256_fmadd_ps(dd[t], _mm256_cvtepi32_ps(phi), acc[t][k + 4]);
            }
        }
        if (wtype == CK_Q4_1) {
            const __m256 mx = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)((const blk_q4_1_r8 *)blk)->m));
            for (int t = 0; t < T; ++t) summs[t] = _mm256_fmadd_ps(mx, _mm256_set1_ps(h2f(y[t]->ds)), summs[t]);
        }
    }
    for (int t = 0; t < T; ++t) {
        __m256 r = hsum8_order(acc[t]);
        if (wtype == CK_Q4_1) r = _mm256_add_ps(r, summs[t]);
        _mm256_storeu_ps(out + (size_t)t * ldy, r);
    }
}

/* Prefill: one group's weights unpacked once into a per-thread buffer that
 * every token of the tile reads (r8_prep), instead of once per token pair.
 * Per block: eight registers of codes, register j holding vec_dot lane j
 * (elements 4j..4j+3 of the 8 rows), then the 8 scales and Q4_1's 8 mins as
 * floats. Q4_0/Q5_0 codes stay unsigned (w + 8, w + 16) and each lane starts
 * from −offset · the sum of its 4 activation bytes (`base`, per token and
 * block), so no sign trick is needed. Q8_0 cannot be made unsigned (w + 128
 * would saturate maddubs' int16), so its codes are widened to int16 instead,
 * elements (4j, 4j+1) of the 8 rows in one register and (4j+2, 4j+3) in
 * another, and `base` holds the token's activations as int16: two madds and
 * an add give lane j's exact 4-product sum, one port-0/1 op fewer than the
 * sign trick's sign + maddubs + madd. The integer lanes and every float step
 * are r8_rows', so the bits are too. */
#define P8_BLOCK_REGS 18   /* 8 codes (Q8_0: int16 pairs 4j,4j+1), 8 (Q8_0: 4j+2,4j+3), scales, mins */

/* int32 entries of `base` per token and block: 8 lane bases, or Q8_0's 32
 * activations as int16. */
INLINE int base_ints(int wtype) { return wtype == CK_Q8_0 ? 16 : 8; }

INLINE void r8_prep(int wtype, int nb, const uint8_t *w, __m256i *buf) {
    const __m256i m4 = _mm256_set1_epi8(0xF);
    const size_t bb = ck_r8_block_bytes(wtype);
    for (int ib = 0; ib < nb; ++ib) {
        const uint8_t *blk = w + (size_t)ib * bb;
        __m256i *o = buf + (size_t)ib * P8_BLOCK_REGS;
        _mm256_store_ps((float *)&o[16], _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)blk)));
        if (wtype == CK_Q8_0) {
            const int8_t *qs = ((const blk_q8_0_r8 *)blk)->qs;
            /* Per 128-bit lane (4 rows): bytes 0,1 of each row's dword, then bytes 2,3. */
            const __m256i pairs = _mm256_setr_epi8(0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15,
                                                   0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15);
            for (int k = 0; k < 8; ++k) {
                const __m256i q = _mm256_loadu_si256((const __m256i *)(qs + 32 * k));
                /* low 128: rows 0-7 elements 4k, 4k+1; high 128: 4k+2, 4k+3 */
                const __m256i r = _mm256_permute4x64_epi64(_mm256_shuffle_epi8(q, pairs), _MM_SHUFFLE(3, 1, 2, 0));
                _mm256_store_si256(&o[k], _mm256_cvtepi8_epi16(_mm256_castsi256_si128(r)));
                _mm256_store_si256(&o[8 + k], _mm256_cvtepi8_epi16(_mm256_extracti128_si256(r, 1)));
            }
            continue;
        }
        const uint8_t *qs = blk + (wtype == CK_Q4_1 ? offsetof(blk_q4_1_r8, qs)
                                   : wtype == CK_Q5_0 ? offsetof(blk_q5_0_r8, qs) : offsetof(blk_q4_0_r8, qs));
        const __m256i qh = wtype == CK_Q5_0 ? _mm256_loadu_si256((const __m256i *)((const blk_q5_0_r8 *)blk)->qh)
                                            : _mm256_setzero_si256();
        for (int k = 0; k < 4; ++k) {
            const __m256i q = _mm256_loadu_si256((const __m256i *)(qs + 32 * k));
            __m256i lo = _mm256_and_si256(q, m4);
            __m256i hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), m4);
            if (wtype == CK_Q5_0) {
                lo = _mm256_or_si256(lo, qh_bit(qh, k));
                hi = _mm256_or_si256(hi, qh_bit(qh, k + 4));
            }
            _mm256_store_si256(&o[k], lo);
            _mm256_store_si256(&o[k + 4], hi);
        }
        if (wtype == CK_Q4_1)
            _mm256_store_ps((float *)&o[17], _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)((const blk_q4_1_r8 *)blk)->m)));
    }
}

INLINE void r8_rows_prepped(int wtype, int nb, const __m256i *buf, const uint8_t *a, const int32_t *base, float *out) {
    __m256 acc[8];
    for (int j = 0; j < 8; ++j) acc[j] = _mm256_setzero_ps();
    __m256 summs = _mm256_setzero_ps();
    const __m256i ones = _mm256_set1_epi16(1);
    for (int ib = 0; ib < nb; ++ib) {
        const __m256i *o = buf + (size_t)ib * P8_BLOCK_REGS;
        const blk_q8_s *y = (const blk_q8_s *)a + ib;
        const int32_t *bs = base + (size_t)ib * base_ints(wtype);
        const __m256 dd = _mm256_mul_ps(_mm256_load_ps((const float *)&o[16]), _mm256_set1_ps(y->d));
#pragma unroll
        for (int j = 0; j < 8; ++j) {
            __m256i p;
            if (wtype == CK_Q8_0) {
                p = _mm256_add_epi32(_mm256_madd_epi16(_mm256_load_si256(&o[j]), _mm256_set1_epi32(bs[2 * j])),
                                     _mm256_madd_epi16(_mm256_load_si256(&o[8 + j]), _mm256_set1_epi32(bs[2 * j + 1])));
            } else {
                p = _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_load_si256(&o[j]), bcast4(y->qs + 4 * j)), ones);
                if (wtype != CK_Q4_1) p = _mm256_add_epi32(p, _mm256_set1_epi32(bs[j]));
            }
            acc[j] = _mm256_fmadd_ps(dd, _mm256_cvtepi32_ps(p), acc[j]);
        }
        if (wtype == CK_Q4_1) summs = _mm256_fmadd_ps(_mm256_load_ps((const float *)&o[17]), _mm256_set1_ps(h2f(y->ds)), summs);
    }
    __m256 r = hsum8_order(acc);
    if (wtype == CK_Q4_1) r = _mm256_add_ps(r, summs);
    _mm256_storeu_ps(out, r);
}

/* base[(t·nb + ib)·8 + j] = −offset · (sum of activation bytes 4j..4j+3 of
 * block ib, token t); for Q8_0, base[(t·nb + ib)·16 ...] holds the block's
 * 32 activations as int16. */
static void lane_bases_avx2(int wtype, int nb, const uint8_t *a, size_t as, int tokens, int32_t *base) {
    const int shift = wtype == CK_Q5_0 ? 4 : wtype == CK_Q4_0 ? 3 : -1;   /* offsets 16, 8; others need none */
    const __m256i ones8 = _mm256_set1_epi8(1), ones16 = _mm256_set1_epi16(1);
    const int bi = base_ints(wtype);
    for (int t = 0; t < tokens; ++t)
        for (int ib = 0; ib < nb; ++ib) {
            const blk_q8_s *y = (const blk_q8_s *)(a + (size_t)t * as) + ib;
            int32_t *out = base + ((size_t)t * nb + ib) * bi;
            if (wtype == CK_Q8_0) {
                const __m256i q = _mm256_loadu_si256((const __m256i *)y->qs);
                _mm256_storeu_si256((__m256i *)out, _mm256_cvtepi8_epi16(_mm256_castsi256_si128(q)));
                _mm256_storeu_si256((__m256i *)out + 1, _mm256_cvtepi8_epi16(_mm256_extracti128_si256(q, 1)));
                continue;
            }
            __m256i s = _mm256_setzero_si256();
            if (shift >= 0) {
                s = _mm256_madd_epi16(_mm256_maddubs_epi16(ones8, _mm256_loadu_si256((const __m256i *)y->qs)), ones16);
                s = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_sll_epi32(s, _mm_cvtsi32_si128(shift)));
            }
            _mm256_storeu_si256((__m256i *)out, s);
        }
}

/* One function per (type, token count) so the type tests fold away. */
#define R8_FNS(NAME, TYPE) \
    static void NAME##_prep(int nb, const uint8_t *w, __m256i *buf) { r8_prep(TYPE, nb, w, buf); } \
    static void NAME##_pp(int nb, const __m256i *buf, const uint8_t *a, const int32_t *b, float *out) { r8_rows_prepped(TYPE, nb, buf, a, b, out); } \
    static void NAME##_1(int nb, const uint8_t *w, const uint8_t *a, size_t as, const int32_t *b, float *out, size_t ldy) { r8_rows(TYPE, nb, w, a, as, b, out, ldy, 1); } \
    static void NAME##_2(int nb, const uint8_t *w, const uint8_t *a, size_t as, const int32_t *b, float *out, size_t ldy) { r8_rows(TYPE, nb, w, a, as, b, out, ldy, 2); }
R8_FNS(r8_q8_0, CK_Q8_0)
R8_FNS(r8_q4_0, CK_Q4_0)
R8_FNS(r8_q4_1, CK_Q4_1)
R8_FNS(r8_q5_0, CK_Q5_0)

typedef void (*r8_fn)(int nb, const uint8_t *w, const uint8_t *a, size_t as, const int32_t *b, float *out, size_t ldy);

typedef void (*prep_fn)(int nb, const uint8_t *w, __m256i *buf);
typedef void (*pp_fn)(int nb, const __m256i *buf, const uint8_t *a, const int32_t *b, float *out);

/* Per-thread buffers: lane bases for a token tile, one group's unpacked weights. */
static __thread int32_t *bases_buf;
static __thread size_t bases_cap;
static __thread __m256i *prep_buf;
static __thread size_t prep_cap;

/* Token count from which a group's weights are unpacked once for all tokens. */
#define R8_PREP_MIN_TOKENS 4

void ck_r8_gemm_rows_avx2_impl(int wtype, const void *w, int cols, int row0, int row1,
                               const void *a, int tokens, float *y, size_t ldy) {
    r8_fn one, two;
    prep_fn prep;
    pp_fn pp;
    switch (wtype) {
    case CK_Q8_0: one = r8_q8_0_1; two = r8_q8_0_2; prep = r8_q8_0_prep; pp = r8_q8_0_pp; break;
    case CK_Q4_0: one = r8_q4_0_1; two = r8_q4_0_2; prep = r8_q4_0_prep; pp = r8_q4_0_pp; break;
    case CK_Q4_1: one = r8_q4_1_1; two = r8_q4_1_2; prep = r8_q4_1_prep; pp = r8_q4_1_pp; break;
    case CK_Q5_0: one = r8_q5_0_1; two = r8_q5_0_2; prep = r8_q5_0_prep; pp = r8_q5_0_pp; break;
    default: return;
    }
    const int nb = cols / QK;
    const size_t gbytes = (size_t)nb * ck_r8_block_bytes(wtype);
    const size_t as = ck_q8s_row_bytes(cols);
    const size_t bi = (size_t)base_ints(wtype);
    if (tokens >= R8_PREP_MIN_TOKENS
        && ck_reserve((void **)&bases_buf, &bases_cap, (size_t)tokens * nb * bi * sizeof(int32_t))
        && ck_reserve((void **)&prep_buf, &prep_cap, (size_t)nb * P8_BLOCK_REGS * sizeof(__m256i))) {
        lane_bases_avx2(wtype, nb, a, as, tokens, bases_buf);
        for (int g = row0 / 8; g < row1 / 8; ++g) {
            prep(nb, (const uint8_t *)w + (size_t)g * gbytes, prep_buf);
            for (int t = 0; t < tokens; ++t)
                pp(nb, prep_buf, (const uint8_t *)a + (size_t)t * as, bases_buf + (size_t)t * nb * bi, y + (size_t)t * ldy + 8 * g);
        }
        return;
    }
    /* Decode and short batches: Q4_0/Q5_0 need the lane bases too (the
     * scalar form, same bits, if they cannot be allocated). */
    const int needs_bases = wtype == CK_Q4_0 || wtype == CK_Q5_0;
    if (needs_bases) {
        if (!ck_reserve((void **)&bases_buf, &bases_cap, (size_t)tokens * nb * 8 * sizeof(int32_t))) {
            ck_r8_gemm_rows_generic(wtype, w, cols, row0, row1, a, tokens, y, ldy);
            return;
        }
        lane_bases_avx2(wtype, nb, a, as, tokens, bases_buf);
    }
    for (int g = row0 / 8; g < row1 / 8; ++g) {
        const uint8_t *wg = (const uint8_t *)w + (size_t)g * gbytes;
        int t = 0;
        for (; t + 2 <= tokens; t += 2)
            two(nb, wg, (const uint8_t *)a + (size_t)t * as, as, needs_bases ? bases_buf + (size_t)t * nb * 8 : NULL, y + (size_t)t * ldy + 8 * g, ldy);
        if (t < tokens) one(nb, wg, (const uint8_t *)a + (size_t)t * as, as, needs_bases ? bases_buf + (size_t)t * nb * 8 : NULL, y + (size_t)t * ldy + 8 * g, ldy);
    }
}

void ck_quantize_q8s_avx2_impl(const float *x, void *vy, int n) {
    blk_q8_s *y = vy;
    const __m256 sign = _mm256_set1_ps(-0.0f);
    for (int ib = 0; ib < n / QK; ++ib) {
        const float *xb = x + ib * QK;
        __m256 v[4];
        __m256 m = _mm256_setzero_ps();
        for (int i = 0; i < 4; ++i) {
            v[i] = _mm256_loadu_ps(xb + 8 * i);
            m = _mm256_max_ps(m, _mm256_andnot_ps(sign, v[i]));
        }
        __m128 h = _mm_max_ps(_mm256_extractf128_ps(m, 1), _mm256_castps256_ps128(m));
        h = _mm_max_ps(h, _mm_movehl_ps(h, h));
        h = _mm_max_ss(h, _mm_movehdup_ps(h));
        const float amax = _mm_cvtss_f32(h);
        const float d = amax / 127.0f;
        const float id = amax != 0 ? 127.0f / amax : 0.0f;
        const __m256 mul = _mm256_set1_ps(id);
        __m256i q[4];
        for (int i = 0; i < 4; ++i) q[i] = _mm256_cvtps_epi32(_mm256_mul_ps(v[i], mul));
        __m256i s = _mm256_add_epi32(_mm256_add_epi32(q[0], q[1]), _mm256_add_epi32(q[2], q[3]));
        __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
        s4 = _mm_add_epi32(s4, _mm_unpackhi_epi64(s4, s4));
        s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, _MM_SHUFFLE(2, 3, 0, 1)));
        /* int32 -> int8 keeping element order: packs work within 128-bit lanes. */
        const __m256i p16a = _mm256_packs_epi32(q[0], q[1]);
        const __m256i p16b = _mm256_packs_epi32(q[2], q[3]);
        __m256i p8 = _mm256_packs_epi16(p16a, p16b);
        p8 = _mm256_permutevar8x32_epi32(p8, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
        _mm256_storeu_si256((__m256i *)y[ib].qs, p8);
        const int sum = _mm_cvtsi128_si32(s4);
        y[ib].d = h2f(f2h(d));
        y[ib].s = (int16_t)sum;
        y[ib].ds = f2h(d * (float)sum);
    }
}

/* ---- Q8_0 by block sums (training's backward product; interleave_avx512.c
 * says why): row r's block dot as one exact int32 (the sign trick, maddubs +
 * madd per 4-element lane, the eight lanes added in int32), then one fma per
 * block. The weights of one 8-row group are read in passes of BS_PASS_BLOCKS
 * blocks (70 KB), which stay in L2 while every token of the tile reads them;
 * each pass carries the running sums in y into the next (the same fma
 * sequence as one pass). Up to four tokens share each weight load. */
#define BS_PASS_BLOCKS 256

INLINE void r8_q8_0_blocksum(int nb, const blk_q8_0_r8 *wb, const uint8_t *a, size_t as, float *out, size_t ldy, const int T,
                             int carry) {
    __m256 acc[4];
    const __m256i ones = _mm256_set1_epi16(1);
    for (int t = 0; t < T; ++t) acc[t] = carry ? _mm256_loadu_ps(out + (size_t)t * ldy) : _mm256_setzero_ps();
    for (int ib = 0; ib < nb; ++ib) {
        const blk_q8_0_r8 *b = wb + ib;
        const __m256 dw = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)b->d));
        __m256i sum[4];
        for (int t = 0; t < T; ++t) sum[t] = _mm256_setzero_si256();
#pragma unroll
        for (int k = 0; k < 8; ++k) {
            const __m256i w = _mm256_loadu_si256((const __m256i *)(b->qs + 32 * k));
            const __m256i aw = _mm256_sign_epi8(w, w);
            for (int t = 0; t < T; ++t) {
                const blk_q8_s *y = (const blk_q8_s *)(a + (size_t)t * as) + ib;
                const __m256i sy = _mm256_sign_epi8(bcast4(y->qs + 4 * k), w);
                sum[t] = _mm256_add_epi32(sum[t], _mm256_madd_epi16(_mm256_maddubs_epi16(aw, sy), ones));
            }
        }
        for (int t = 0; t < T; ++t) {
            const blk_q8_s *y = (const blk_q8_s *)(a + (size_t)t * as) + ib;
            acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(dw, _mm256_set1_ps(y->d)), _mm256_cvtepi32_ps(sum[t]), acc[t]);
        }
    }
    for (int t = 0; t < T; ++t) _mm256_storeu_ps(out + (size_t)t * ldy, acc[t]);
}

void ck_r8_q8_0_blocksum_avx2_impl(const void *w, int cols, int row0, int row1, const void *a, int tokens, float *y, size_t ldy) {
    const int nb = cols / QK;
    const size_t as = ck_q8s_row_bytes(cols);
    const uint8_t *ag = (const uint8_t *)a;
    for (int g = row0 / 8; g < row1 / 8; ++g) {
        const blk_q8_0_r8 *wg = (const blk_q8_0_r8 *)w + (size_t)g * nb;
        float *yg = y + 8 * g;
        for (int b0 = 0; b0 < nb; b0 += BS_PASS_BLOCKS) {
            const int n = nb - b0 < BS_PASS_BLOCKS ? nb - b0 : BS_PASS_BLOCKS, carry = b0 > 0;
            const uint8_t *ab = ag + (size_t)b0 * sizeof(blk_q8_s);
            int t = 0;
            for (; t + 4 <= tokens; t += 4) r8_q8_0_blocksum(n, wg + b0, ab + (size_t)t * as, as, yg + (size_t)t * ldy, ldy, 4, carry);
            for (; t + 2 <= tokens; t += 2) r8_q8_0_blocksum(n, wg + b0, ab + (size_t)t * as, as, yg + (size_t)t * ldy, ldy, 2, carry);
            if (t < tokens) r8_q8_0_blocksum(n, wg + b0, ab + (size_t)t * as, as, yg + (size_t)t * ldy, ldy, 1, carry);
        }
    }
}

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

#else
void ck_quantize_q8s_avx2_impl(const float *x, void *y, int n) { ck_quantize_q8s_generic(x, y, n); }
void ck_r8_q8_0_blocksum_avx2_impl(const void *w, int cols, int row0, int row1, const void *a, int tokens, float *y, size_t ldy) {
    ck_r8_q8_0_blocksum_generic(w, cols, row0, row1, a, tokens, y, ldy);
}
void ck_r8_gemm_rows_avx2_impl(int wtype, const void *w, int cols, int row0, int row1,
                               const void *a, int tokens, float *y, size_t ldy) {
    ck_r8_gemm_rows_generic(wtype, w, cols, row0, row1, a, tokens, y, ldy);
}
#endif
