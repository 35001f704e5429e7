/*
 * llama.cpp's "tiled" K-quant matmul (ggml-cpu/tiled/tiled.cpp and
 * tiled-kernel.cpp), for Q4_K, Q5_K and Q6_K weights. ggml_compute_forward_mul_mat
 * takes it first when src1 has >= 8 rows (ggml_tiled_min_batch), the weight is
 * not in a repack buffer (src0->extra == NULL) and the build has AVX2/AVX; its
 * activations are the same Q8_K rows as vec_dot's (from_float of vec_dot_type),
 * but it sums in its own order. What fixes the bits of one output element
 * (weight row r, token t) on AVX2+FMA (tiled_run_microtile_avx2), per 256-wide
 * K block b, blocks in ascending order, acc starting at 0:
 *
 *   s1  = exact int sum_s scale[s] * sum_e w[e]*q8[e]   (Q6_K: w = q6 - 32,
 *         done there as act-bias maddubs minus a precomputed correction;
 *         integers are exact, so any exact order gives the same s1)
 *   s2  = exact int sum_s min[s] * (bsums of subblock s)          (Q4_K/Q5_K)
 *   res = d0 * (float)s1;                      (_mm256_mul_ps)
 *   res = fma(-dmin0, (float)s2, res);         (_mm256_fnmadd_ps, Q4_K/Q5_K)
 *   acc = fma(res, d1, acc);                   (_mm256_fmadd_ps, d1 = q8_K d)
 *
 * The macro/micro tiling and the narrow path only change the memory layout,
 * not this per-element order. The scalar reference below computes the same
 * integers and uses fmaf, so it gives the same bits on any machine; the AVX2
 * version only speeds up the integer dot.
 *
 * Selection (ck_tiled_active): x86 with the AVX2 kernel set (where llama.cpp's
 * x86 build runs this path), tokens >= 8, weight type Q4_K/Q5_K/Q6_K, and the
 * env switch AQYL_TILED != "0". Repacked Q4_K never reaches ck_gemm_rows.
 */
#include "ck_internal.h"
#include <math.h>
#include <stdlib.h>

#define TILED_MIN_BATCH 8
#define TILED_ROWS 16

static int tiled_env = -1;   /* -1 unknown, 0 off, 1 on */

int ck_tiled_enabled(void) {
    int s = __atomic_load_n(&tiled_env, __ATOMIC_RELAXED);
    if (s < 0) {
        const char *e = getenv("AQYL_TILED");
        s = !(e && strcmp(e, "0") == 0);
        __atomic_store_n(&tiled_env, s, __ATOMIC_RELAXED);
    }
#if defined(__x86_64__) && !defined(CK_FORCE_GENERIC)
    return s && ck_has_avx2();
#else
    return 0;
#endif
}

int ck_tiled_eligible_type(int wtype) {
    return wtype == CK_Q4_K || wtype == CK_Q5_K || wtype == CK_Q6_K;
}

int ck_tiled_active(int wtype, int tokens) {
    return tokens >= TILED_MIN_BATCH && ck_tiled_eligible_type(wtype) && ck_tiled_enabled();
}

/* ---- weight block decode: codes (unsigned), per-subblock scales/mins, d/dmin ---- */
typedef struct {
    uint8_t q[QKK];
    int32_t sc[16];
    int32_t mn[8];
    float d, dmin;
} tiled_w;

static inline void get_scale_min_k4(int j, const uint8_t *q, uint8_t *d, uint8_t *m) {
    if (j < 4) { *d = q[j] & 63; *m = q[j + 4] & 63; }
    else { *d = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4); *m = (q[j + 4] >> 4) | ((q[j] >> 6) << 4); }
}

static void decode_q4_K(const blk_q4_K *x, tiled_w *o) {
    o->d = ck_h2f(x->d); o->dmin = ck_h2f(x->dmin);
    for (int s = 0; s < 8; ++s) {
        uint8_t sc, m; get_scale_min_k4(s, x->scales, &sc, &m);
        o->sc[s] = sc; o->mn[s] = m;
    }
    for (int j = 0; j < 4; ++j)
        for (int l = 0; l < 32; ++l) {
            o->q[64 * j + l] = x->qs[32 * j + l] & 0xF;
            o->q[64 * j + 32 + l] = x->qs[32 * j + l] >> 4;
        }
}

static void decode_q5_K(const blk_q5_K *x, tiled_w *o) {
    o->d = ck_h2f(x->d); o->dmin = ck_h2f(x->dmin);
    for (int s = 0; s < 8; ++s) {
        uint8_t sc, m; get_scale_min_k4(s, x->scales, &sc, &m);
        o->sc[s] = sc; o->mn[s] = m;
    }
    for (int j = 0; j < 4; ++j)
        for (int l = 0; l < 32; ++l) {
            o->q[64 * j + l] = (uint8_t)((x->qs[32 * j + l] & 0xF) | (((x->qh[l] >> (2 * j)) & 1) << 4));
            o->q[64 * j + 32 + l] = (uint8_t)((x->qs[32 * j + l] >> 4) | (((x->qh[l] >> (2 * j + 1)) & 1) << 4));
        }
}

static void decode_q6_K(const blk_q6_K *x, tiled_w *o) {
    o->d = ck_h2f(x->d); o->dmin = 0;
    for (int s = 0; s < 16; ++s) o->sc[s] = x->scales[s];
    for (int h = 0; h < 2; ++h) {
        const uint8_t *ql = x->ql + 64 * h, *qh = x->qh + 32 * h;
        uint8_t *q = o->q + 128 * h;
        for (int l = 0; l < 32; ++l) {
            q[l]      = (uint8_t)((ql[l] & 0xF)      | (((qh[l] >> 0) & 3) << 4));
            q[l + 32] = (uint8_t)((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4));
            q[l + 64] = (uint8_t)((ql[l] >> 4)       | (((qh[l] >> 4) & 3) << 4));
            q[l + 96] = (uint8_t)((ql[l + 32] >> 4)  | (((qh[l] >> 6) & 3) << 4));
        }
    }
}

static void decode(int wtype, const void *blk, tiled_w *o) {
    if (wtype == CK_Q6_K) decode_q6_K(blk, o);
    else if (wtype == CK_Q5_K) decode_q5_K(blk, o);
    else decode_q4_K(blk, o);
}

static size_t wblock_bytes(int wtype) {
    return wtype == CK_Q6_K ? sizeof(blk_q6_K) : wtype == CK_Q5_K ? sizeof(blk_q5_K) : sizeof(blk_q4_K);
}

/* ---- exact integer dots of one decoded block with one q8_K block ---- */
typedef void (*tiled_idot_fn)(int wtype, const tiled_w *w, const blk_q8_K *a, int32_t *s1, int32_t *s2);

static void idot_generic(int wtype, const tiled_w *w, const blk_q8_K *a, int32_t *s1, int32_t *s2) {
    uint32_t acc = 0, mins = 0;   /* unsigned: wraps like the SIMD int32 lanes */
    if (wtype == CK_Q6_K) {
        for (int s = 0; s < 16; ++s) {
            int32_t raw = 0;
            for (int e = 0; e < 16; ++e) raw += ((int32_t)w->q[16 * s + e] - 32) * a->qs[16 * s + e];
            acc += (uint32_t)(w->sc[s] * raw);
        }
    } else {
        for (int s = 0; s < 8; ++s) {
            int32_t raw = 0;
            for (int e = 0; e < 32; ++e) raw += (int32_t)w->q[32 * s + e] * a->qs[32 * s + e];
            acc += (uint32_t)(w->sc[s] * raw);
            mins += (uint32_t)(w->mn[s] * ((int32_t)a->bsums[2 * s] + a->bsums[2 * s + 1]));
        }
    }
    *s1 = (int32_t)acc; *s2 = (int32_t)mins;
}

/* Per element, per block: the float epilogue of tiled_run_microtile_avx2 (FMA build). */
static inline float tiled_step(int wtype, const tiled_w *w, float d1, int32_t s1, int32_t s2, float acc) {
    float res = w->d * (float)s1;
    if (wtype != CK_Q6_K) res = fmaf(-w->dmin, (float)s2, res);
    return fmaf(res, d1, acc);
}

#if defined(__x86_64__) && !defined(CK_FORCE_GENERIC)
#include <immintrin.h>
#define TILED_AVX2 __attribute__((target("avx2,fma"), always_inline)) static inline

/* Per-row constants for the AVX2 integer dot: int16 scale vectors. */
typedef struct { __m256i sv[8]; __m256i sc16; } tiled_wv;

__attribute__((target("avx2,fma")))
static void prep_avx2(int wtype, const tiled_w *w, tiled_wv *v) {
    if (wtype == CK_Q6_K) {
        for (int sp = 0; sp < 16; sp += 2)
            v->sv[sp / 2] = _mm256_set_m128i(_mm_set1_epi16((short)w->sc[sp + 1]), _mm_set1_epi16((short)w->sc[sp]));
        short sc[16];
        for (int s = 0; s < 16; ++s) sc[s] = (short)w->sc[s];
        v->sc16 = _mm256_loadu_si256((const __m256i *)sc);
    } else {
        for (int s = 0; s < 8; ++s) v->sv[s] = _mm256_set1_epi16((short)w->sc[s]);
        short mn[16];
        for (int s = 0; s < 8; ++s) { mn[2 * s] = (short)w->mn[s]; mn[2 * s + 1] = (short)w->mn[s]; }
        v->sc16 = _mm256_loadu_si256((const __m256i *)mn);
    }
}

TILED_AVX2 int32_t hsum_i32(__m256i a) {
    __m128i v = _mm_add_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
    v = _mm_add_epi32(v, _mm_shuffle_epi32(v, _MM_SHUFFLE(1, 0, 3, 2)));
    v = _mm_add_epi32(v, _mm_shuffle_epi32(v, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(v);
}

/* Q6_K: sum sc*q6*q8 (maddubs: 2*63*128 fits int16) minus 32*sum sc*bsum;
 * Q4_K/Q5_K: s1 = sum sc*q*q8, s2 = sum min*bsums. Exact (wrapping) ints. */
TILED_AVX2 void idot_avx2(int q6, const tiled_w *w, const tiled_wv *v, const blk_q8_K *a, int32_t *s1, int32_t *s2) {
    __m256i acc = _mm256_setzero_si256();
    for (int k = 0; k < 8; ++k) {
        const __m256i q0 = _mm256_loadu_si256((const __m256i *)&w->q[32 * k]);
        const __m256i q1 = _mm256_loadu_si256((const __m256i *)&a->qs[32 * k]);
        acc = _mm256_add_epi32(acc, _mm256_madd_epi16(v->sv[k], _mm256_maddubs_epi16(q0, q1)));
    }
    const __m256i bs = _mm256_madd_epi16(v->sc16, _mm256_loadu_si256((const __m256i *)a->bsums));
    if (q6) {
        *s1 = (int32_t)((uint32_t)hsum_i32(acc) - 32u * (uint32_t)hsum_i32(bs));
        *s2 = 0;
    } else {
        *s1 = hsum_i32(acc);
        *s2 = hsum_i32(bs);
    }
}

/* ---- AVX2 lanes form: 8 rows per register ----
 * A register holds 4 codes of each of 8 rows (dword r = row r), unpacked
 * once per row group and block into a per-thread buffer; each activation
 * dword is a broadcast, so maddubs leaves row r's products in dword r and no
 * row needs a horizontal sum. maddubs results sum in int16 before the scale
 * madd, as many as cannot saturate (|a| ≤ 128; pairs: Q4_K 2·15·128, Q5_K
 * 2·31·128, Q6_K 2·63·128): 8, 4 and 2 registers. The integers are exact, so
 * s1 and s2 are idot_avx2's, and the float epilogue is tiled_step's on 8
 * rows per instruction: the same bits. */
typedef struct {
    __m256i q[64];   /* q[k] dword r: row r's codes 4k..4k+3 (Q6_K: q6 + 32) */
    __m256i sc[16];  /* (scale, scale) int16 per dword r, per sub-block (Q4_K/Q5_K: 8 of them) */
    __m256i pr[8];   /* int16 pairs per dword r against bsums (2p, 2p+1): Q6_K (sc 2p, sc 2p+1), else (mn p, mn p) */
    __m256 d, dmin;
} tiled_lanes;

static __thread tiled_lanes *lanes_buf;
static __thread size_t lanes_cap;

__attribute__((target("avx2,fma")))
static void lanes_prep(int wtype, const uint8_t *w, size_t wstride, size_t bb, int r0, int b, tiled_lanes *o) {
    tiled_w dec[8];
    for (int i = 0; i < 8; ++i) decode(wtype, w + (size_t)(r0 + i) * wstride + (size_t)b * bb, &dec[i]);
    for (int k = 0; k < 64; ++k) {
        int32_t v[8];
        for (int i = 0; i < 8; ++i) memcpy(&v[i], dec[i].q + 4 * k, 4);
        o->q[k] = _mm256_loadu_si256((const __m256i *)v);
    }
    const int q6 = wtype == CK_Q6_K, subs = q6 ? 16 : 8;
    int16_t v[16];
    for (int s = 0; s < subs; ++s) {
        for (int i = 0; i < 8; ++i) v[2 * i] = v[2 * i + 1] = (int16_t)dec[i].sc[s];
        o->sc[s] = _mm256_loadu_si256((const __m256i *)v);
    }
    for (int p = 0; p < 8; ++p) {
        for (int i = 0; i < 8; ++i) {
            v[2 * i] = (int16_t)(q6 ? dec[i].sc[2 * p] : dec[i].mn[p]);
            v[2 * i + 1] = (int16_t)(q6 ? dec[i].sc[2 * p + 1] : dec[i].mn[p]);
        }
        o->pr[p] = _mm256_loadu_si256((const __m256i *)v);
    }
    float f[8], g[8];
    for (int i = 0; i < 8; ++i) { f[i] = dec[i].d; g[i] = dec[i].dmin; }
    o->d = _mm256_loadu_ps(f);
    o->dmin = _mm256_loadu_ps(g);
}

TILED_AVX2 __m256i lanes_bcast(const int8_t *p) { int32_t v; memcpy(&v, p, 4); return _mm256_set1_epi32(v); }

/* T (1 or 2) tokens against one prepped group of 8 rows; G registers per
 * int16 sum. wtype, T and G are constants in each instance, so the loop over
 * a block's 64 registers unrolls and each weight register is loaded once
 * for both tokens; two int32 accumulators per token (exact, so any order). */
TILED_AVX2 void lanes_tokens(const int wtype, int nb, const tiled_lanes *w, const blk_q8_K *const *a, float *const *y,
                             const int T, const int G) {
    const int q6 = wtype == CK_Q6_K;
    __m256 acc[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()};
    for (int b = 0; b < nb; ++b) {
        const tiled_lanes *p = w + b;
        const blk_q8_K *at[2] = {a[0] + b, a[T - 1] + b};
        __m256i iacc[2][2];
        for (int t = 0; t < T; ++t) iacc[t][0] = iacc[t][1] = _mm256_setzero_si256();
#pragma unroll
        for (int k0 = 0; k0 < 64; k0 += G) {   /* sub-block of k0: Q6_K 4 registers, else 8 */
            const __m256i sc = p->sc[q6 ? k0 / 4 : k0 / 8];
            __m256i s16[2];
            for (int k = k0; k < k0 + G; ++k) {   /* each code register once, for both tokens */
                const __m256i q = _mm256_load_si256(&p->q[k]);
                for (int t = 0; t < T; ++t) {
                    const __m256i m = _mm256_maddubs_epi16(q, lanes_bcast(at[t]->qs + 4 * k));
                    s16[t] = k == k0 ? m : _mm256_add_epi16(s16[t], m);
                }
            }
            for (int t = 0; t < T; ++t)
                iacc[t][(k0 / G) & 1] = _mm256_add_epi32(iacc[t][(k0 / G) & 1], _mm256_madd_epi16(s16[t], sc));
        }
        for (int t = 0; t < T; ++t) {
            __m256i corr = _mm256_setzero_si256();
            for (int q = 0; q < 8; ++q) {
                int32_t bp; memcpy(&bp, at[t]->bsums + 2 * q, 4);
                corr = _mm256_add_epi32(corr, _mm256_madd_epi16(p->pr[q], _mm256_set1_epi32(bp)));
            }
            const __m256i s1 = _mm256_add_epi32(iacc[t][0], iacc[t][1]);
            __m256 res;
            if (q6) res = _mm256_mul_ps(p->d, _mm256_cvtepi32_ps(_mm256_sub_epi32(s1, _mm256_slli_epi32(corr, 5))));
            else res = _mm256_fnmadd_ps(p->dmin, _mm256_cvtepi32_ps(corr), _mm256_mul_ps(p->d, _mm256_cvtepi32_ps(s1)));
            acc[t] = _mm256_fmadd_ps(res, _mm256_set1_ps(at[t]->d), acc[t]);
        }
    }
    for (int t = 0; t < T; ++t) _mm256_storeu_ps(y[t], acc[t]);
}

#define LANES_FN(NAME, TYPE, G) \
    __attribute__((target("avx2,fma"))) static void NAME(int nb, const tiled_lanes *w, const blk_q8_K *const *a, float *const *y, int T) { \
        if (T == 2) lanes_tokens(TYPE, nb, w, a, y, 2, G); else lanes_tokens(TYPE, nb, w, a, y, 1, G); }
LANES_FN(lanes_q4_K, CK_Q4_K, 8)
LANES_FN(lanes_q5_K, CK_Q5_K, 4)
LANES_FN(lanes_q6_K, CK_Q6_K, 2)

/* Rows [row0, row0 + 8·groups) in the lanes form; 0, or -1 without its buffer. */
__attribute__((target("avx2,fma")))
static int tiled_lanes_avx2(int wtype, const void *w, size_t wstride, int row0, int groups,
                            const void *a, size_t astride, int tokens, int cols, float *y, size_t ldy) {
    const int nb = cols / QKK;
    if (!ck_reserve((void **)&lanes_buf, &lanes_cap, (size_t)nb * sizeof(tiled_lanes))) return -1;
    void (*fn)(int, const tiled_lanes *, const blk_q8_K *const *, float *const *, int) =
        wtype == CK_Q6_K ? lanes_q6_K : wtype == CK_Q5_K ? lanes_q5_K : lanes_q4_K;
    const size_t bb = wblock_bytes(wtype);
    for (int g = 0; g < groups; ++g) {
        const int r0 = row0 + 8 * g;
        for (int b = 0; b < nb; ++b) lanes_prep(wtype, w, wstride, bb, r0, b, lanes_buf + b);
        for (int t = 0; t < tokens; t += 2) {
            const int T = tokens - t >= 2 ? 2 : 1;
            const blk_q8_K *at[2] = {(const blk_q8_K *)((const uint8_t *)a + (size_t)t * astride),
                                     (const blk_q8_K *)((const uint8_t *)a + (size_t)(t + T - 1) * astride)};
            float *yt[2] = {y + (size_t)t * ldy + r0, y + (size_t)(t + T - 1) * ldy + r0};
            fn(nb, lanes_buf, at, yt, T);
        }
    }
    return 0;
}

__attribute__((target("avx2,fma")))
static void tiled_rows_avx2_rowwise(int wtype, const void *w, size_t wstride, int row0, int row1,
                            const void *a, size_t astride, int tokens, int cols, float *y, size_t ldy) {
    const int nb = cols / QKK, q6 = wtype == CK_Q6_K;
    const size_t bb = wblock_bytes(wtype);
    const uint8_t *wb = w, *ab = a;
    tiled_w dec[TILED_ROWS];
    tiled_wv vec[TILED_ROWS];
    for (int r0 = row0; r0 < row1; r0 += TILED_ROWS) {
        const int n = row1 - r0 < TILED_ROWS ? row1 - r0 : TILED_ROWS;
        for (int t = 0; t < tokens; ++t)
            for (int i = 0; i < n; ++i) y[(size_t)t * ldy + r0 + i] = 0.0f;
        for (int b = 0; b < nb; ++b) {
            for (int i = 0; i < n; ++i) {
                decode(wtype, wb + (size_t)(r0 + i) * wstride + (size_t)b * bb, &dec[i]);
                prep_avx2(wtype, &dec[i], &vec[i]);
            }
            for (int i = 0; i < n; ++i) {
                const tiled_w *wd = &dec[i];
                for (int t = 0; t < tokens; ++t) {
                    const blk_q8_K *at = (const blk_q8_K *)(ab + (size_t)t * astride) + b;
                    int32_t s1, s2;
                    idot_avx2(q6, wd, &vec[i], at, &s1, &s2);
                    float *yo = y + (size_t)t * ldy + r0 + i;
                    float res = wd->d * (float)s1;
                    if (!q6) res = fmaf(-wd->dmin, (float)s2, res);
                    *yo = fmaf(res, at->d, *yo);
                }
            }
        }
    }
}
/* The lanes form for whole groups of 8 rows, the row-wise form for the rest
 * (and for all of them if the lanes buffer cannot be had): the same bits. */
__attribute__((target("avx2,fma")))
static void tiled_rows_avx2(int wtype, const void *w, size_t wstride, int row0, int row1,
                            const void *a, size_t astride, int tokens, int cols, float *y, size_t ldy) {
    const int groups = (row1 - row0) / 8;
    if (groups > 0 && tiled_lanes_avx2(wtype, w, wstride, row0, groups, a, astride, tokens, cols, y, ldy) == 0)
        row0 += 8 * groups;
    if (row0 < row1) tiled_rows_avx2_rowwise(wtype, w, wstride, row0, row1, a, astride, tokens, cols, y, ldy);
}

/* AVX-512 VNNI: 16 rows at once, one row per 32-bit lane. A block's 16 decoded
 * rows are transposed so that dword e of every row sits in one register; each
 * activation dword is then a broadcast, vpdpbusd sums a sub-block's products
 * per row (exact), the scales multiply in int32 (exact), and the float epilogue
 * (d·s1, −dmin·s2, ·d1 into the output) runs on 16 rows per instruction with
 * the same per-element steps as tiled_step. So the bits are the AVX2 path's. */
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx2,fma,f16c"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx2,fma,f16c")
#endif
static void tiled_rows_avx512(int wtype, const void *w, size_t wstride, int row0, int row1,
                              const void *a, size_t astride, int tokens, int cols, float *y, size_t ldy) {
    const int nb = cols / QKK, q6 = wtype == CK_Q6_K;
    const size_t bb = wblock_bytes(wtype);
    const uint8_t *wb = w, *ab = a;
    tiled_w dec;
    uint32_t qt[64][16] __attribute__((aligned(64)));   /* dword e of row i's codes */
    int32_t sct[16][16] __attribute__((aligned(64)));   /* scale of sub-block s, row i */
    int16_t pr[8][32] __attribute__((aligned(64)));     /* int16 pairs per row: Q4_K/Q5_K (min s, min s),
                                                          Q6_K (scale 2s, scale 2s+1), against bsums pairs */
    float d0[16] __attribute__((aligned(64))), dm[16] __attribute__((aligned(64)));
    int r0 = row0;
    for (; r0 + 16 <= row1; r0 += 16) {
        for (int t = 0; t < tokens; ++t) _mm512_storeu_ps(y + (size_t)t * ldy + r0, _mm512_setzero_ps());
        for (int b = 0; b < nb; ++b) {
            for (int i = 0; i < 16; ++i) {
                decode(wtype, wb + (size_t)(r0 + i) * wstride + (size_t)b * bb, &dec);
                for (int e = 0; e < 64; ++e) memcpy(&qt[e][i], dec.q + 4 * e, 4);
                for (int k = 0; k < 16; ++k) sct[k][i] = dec.sc[k];
                for (int k = 0; k < 8; ++k) {
                    pr[k][2 * i] = (int16_t)(q6 ? dec.sc[2 * k] : dec.mn[k]);
                    pr[k][2 * i + 1] = (int16_t)(q6 ? dec.sc[2 * k + 1] : dec.mn[k]);
                }
                d0[i] = dec.d; dm[i] = dec.dmin;
            }
            const __m512 d0v = _mm512_load_ps(d0), dmv = _mm512_load_ps(dm);
            for (int t = 0; t < tokens; ++t) {
                const blk_q8_K *at = (const blk_q8_K *)(ab + (size_t)t * astride) + b;
                const int32_t *aq = (const int32_t *)at->qs;   /* memcpy-safe: the q8_K block is 4-byte aligned */
                __m512i s1 = _mm512_setzero_si512(), s2 = _mm512_setzero_si512();
                const int subs = q6 ? 16 : 8, per = q6 ? 4 : 8;   /* sub-blocks, dwords per sub-block */
                for (int k = 0; k < subs; ++k) {
                    __m512i raw = _mm512_setzero_si512();
                    for (int e = per * k; e < per * (k + 1); ++e) {
                        int32_t av; memcpy(&av, aq + e, 4);
                        raw = _mm512_dpbusd_epi32(raw, _mm512_load_si512((const void *)qt[e]), _mm512_set1_epi32(av));
                    }
                    s1 = _mm512_add_epi32(s1, _mm512_mullo_epi32(raw, _mm512_load_si512((const void *)sct[k])));
                }
                for (int k = 0; k < 8; ++k) {
                    int32_t bp; memcpy(&bp, at->bsums + 2 * k, 4);
                    s2 = _mm512_dpwssd_epi32(s2, _mm512_load_si512((const void *)pr[k]), _mm512_set1_epi32(bp));
                }
                __m512 res;
                if (q6) {
                    /* codes are q6 + 32: s1 = sum sc·q·q8 − 32·sum sc·bsums (wrapping, as the AVX2 form) */
                    s1 = _mm512_sub_epi32(s1, _mm512_slli_epi32(s2, 5));
                    res = _mm512_mul_ps(d0v, _mm512_cvtepi32_ps(s1));
                } else {
                    res = _mm512_fnmadd_ps(dmv, _mm512_cvtepi32_ps(s2), _mm512_mul_ps(d0v, _mm512_cvtepi32_ps(s1)));
                }
                float *yo = y + (size_t)t * ldy + r0;
                _mm512_storeu_ps(yo, _mm512_fmadd_ps(res, _mm512_set1_ps(at->d), _mm512_loadu_ps(yo)));
            }
        }
    }
    if (r0 < row1) tiled_rows_avx2(wtype, w, wstride, r0, row1, a, astride, tokens, cols, y, ldy);
}
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif

static void tiled_rows(tiled_idot_fn idot, int wtype, const void *w, size_t wstride, int row0, int row1,
                       const void *a, size_t astride, int tokens, int cols, float *y, size_t ldy) {
    const int nb = cols / QKK;
    const size_t bb = wblock_bytes(wtype);
    const uint8_t *wb = w, *ab = a;
    tiled_w dec[TILED_ROWS];
    for (int r0 = row0; r0 < row1; r0 += TILED_ROWS) {
        const int n = row1 - r0 < TILED_ROWS ? row1 - r0 : TILED_ROWS;
        for (int t = 0; t < tokens; ++t)
            for (int i = 0; i < n; ++i) y[(size_t)t * ldy + r0 + i] = 0.0f;
        for (int b = 0; b < nb; ++b) {
            for (int i = 0; i < n; ++i) decode(wtype, wb + (size_t)(r0 + i) * wstride + (size_t)b * bb, &dec[i]);
            for (int t = 0; t < tokens; ++t) {
                const blk_q8_K *at = (const blk_q8_K *)(ab + (size_t)t * astride) + b;
                float *yt = y + (size_t)t * ldy + r0;
                for (int i = 0; i < n; ++i) {
                    int32_t s1, s2;
                    idot(wtype, &dec[i], at, &s1, &s2);
                    yt[i] = tiled_step(wtype, &dec[i], at->d, s1, s2, yt[i]);
                }
            }
        }
    }
}

/* The scalar reference (same bits everywhere). */
void ck_tiled_gemm_rows_generic(int wtype, const void *w, size_t wstride, int row0, int row1,
                                const void *a, size_t astride, int tokens, int cols, float *y, size_t ldy) {
    if (!ck_tiled_eligible_type(wtype)) return;
    tiled_rows(idot_generic, wtype, w, wstride, row0, row1, a, astride, tokens, cols, y, ldy);
}

/* One instruction set explicitly (for tests): -1, computing nothing, where
 * that set is not usable here. */
int ck_tiled_gemm_rows_avx2(int wtype, const void *w, size_t wstride, int row0, int row1,
                            const void *a, size_t astride, int tokens, int cols, float *y, size_t ldy) {
#if defined(__x86_64__) && !defined(CK_FORCE_GENERIC)
    if (ck_tiled_eligible_type(wtype) && ck_has_avx2()) {
        tiled_rows_avx2(wtype, w, wstride, row0, row1, a, astride, tokens, cols, y, ldy);
        return 0;
    }
#endif
    (void)w; (void)wstride; (void)row0; (void)row1; (void)a; (void)astride; (void)tokens; (void)cols; (void)y; (void)ldy;
    return -1;
}

int ck_tiled_gemm_rows_avx512(int wtype, const void *w, size_t wstride, int row0, int row1,
                              const void *a, size_t astride, int tokens, int cols, float *y, size_t ldy) {
#if defined(__x86_64__) && !defined(CK_FORCE_GENERIC)
    if (ck_tiled_eligible_type(wtype) && ck_has_avx512()) {
        tiled_rows_avx512(wtype, w, wstride, row0, row1, a, astride, tokens, cols, y, ldy);
        return 0;
    }
#endif
    (void)w; (void)wstride; (void)row0; (void)row1; (void)a; (void)astride; (void)tokens; (void)cols; (void)y; (void)ldy;
    return -1;
}

/* The tiled result regardless of the token count and the switch (for tests). */
void ck_tiled_gemm_rows(int wtype, const void *w, size_t wstride, int row0, int row1,
                        const void *a, size_t astride, int tokens, int cols, float *y, size_t ldy) {
    if (!ck_tiled_eligible_type(wtype)) return;
#if defined(__x86_64__) && !defined(CK_FORCE_GENERIC)
    if (ck_has_avx512()) {
        tiled_rows_avx512(wtype, w, wstride, row0, row1, a, astride, tokens, cols, y, ldy);
        return;
    }
    if (ck_has_avx2()) {
        tiled_rows_avx2(wtype, w, wstride, row0, row1, a, astride, tokens, cols, y, ldy);
        return;
    }
#endif
    tiled_rows(idot_generic, wtype, w, wstride, row0, row1, a, astride, tokens, cols, y, ldy);
}
