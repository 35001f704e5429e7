/*
 * llama.cpp's attention arithmetic (CPU backend, no flash attention, F16 KV
 * cache), lane by lane, so scores and outputs come out bit-identical.
 *
 * llama.cpp computes kq = mul_mat(K, q) and kqv = mul_mat(V^T, softmax(kq))
 * with F16 operands (q and the probabilities are converted to F16 first).
 * Which kernel runs depends on the number of query tokens in the batch:
 *  - 1 token: ggml_vec_dot_f16, 4 accumulators of 8 lanes over steps of 32,
 *    reduced (a0+a2)+(a1+a3), then across lanes lo+hi and two hadds.
 *  - 2+ tokens: llamafile's tinyBLAS (sgemm.cpp), one 8-lane accumulator
 *    over steps of 8, reduced with hsum ((l0+l4)+(l2+l6))+((l1+l5)+(l3+l7)).
 * Every product is an FMA into its lane. The reduction over the KV axis runs
 * over the whole (padded) cache with zero weights past the causal mask, so
 * lanes are chosen by absolute cache position.
 *
 * Inputs are floats already rounded to fp16 (the cache holds them so).
 */
#include "ck_internal.h"
#include <stdlib.h>

#pragma STDC FP_CONTRACT OFF

#define ATTN_DOT(SUFFIX, T, LD)                                                             \
static float attn_dot_##SUFFIX(const float *q, const T *k, int n, int batched) {             \
    if (batched && n % 8 == 0) {                                                            \
        float a[8] = {0};                                                                   \
        for (int i = 0; i < n; i += 8)                                                      \
            for (int l = 0; l < 8; ++l) a[l] = fmaf(LD(k[i + l]), q[i + l], a[l]);          \
        return ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7]));           \
    }                                                                                       \
    float a[4][8] = {{0}};                                                                  \
    const int np = n & ~31;                                                                 \
    for (int i = 0; i < np; i += 32)                                                        \
        for (int j = 0; j < 4; ++j)                                                         \
            for (int l = 0; l < 8; ++l)                                                     \
                a[j][l] = fmaf(LD(k[i + 8 * j + l]), q[i + 8 * j + l], a[j][l]);            \
    float s[8];                                                                             \
    for (int l = 0; l < 8; ++l) s[l] = (a[0][l] + a[2][l]) + (a[1][l] + a[3][l]);           \
    double sum = (double)(((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7])));      \
    for (int i = np; i < n; ++i) sum += (double)(LD(k[i]) * q[i]);                          \
    return (float)sum;                                                                      \
}                                                                                           \

#define ATTN_FUNCS(SUFFIX, T, LD, AXPY)                                                     \
static void attn_scores_##SUFFIX(const float *q, const T *k, size_t kstride, int lo, int hi,       \
                                 int dim, int batched, float scale, float *scores) {        \
    for (int j = lo; j < hi; ++j)                                                           \
        scores[j] = attn_dot_##SUFFIX(q, k + (size_t)j * kstride, dim, batched) * scale;   \
}                                                                                           \
                                                                                            \
static void attn_values_##SUFFIX(const float *p, const T *v, size_t vstride, int lo,        \
                                 int hi, int dim, int batched, float *acc, float *out) {     \
    const int lanes = batched ? 8 : 32;                                                     \
    for (int i = 0; i < lanes * dim; ++i) acc[i] = 0;                                       \
    for (int j = lo; j < hi; ++j) {                                                         \
        const float w = p[j];                                                               \
        if (w == 0.0f) continue;                                                            \
        float *al = acc + (size_t)(j % lanes) * dim;                                        \
        const T *vj = v + (size_t)j * vstride;                                              \
        AXPY(al, vj, w, dim, LD);                                                           \
    }                                                                                       \
    for (int d = 0; d < dim; ++d) {                                                         \
        float s[8];                                                                         \
        if (batched) {                                                                      \
            for (int l = 0; l < 8; ++l) s[l] = acc[l * dim + d];                            \
            out[d] = ((s[0] + s[4]) + (s[2] + s[6])) + ((s[1] + s[5]) + (s[3] + s[7]));    \
        } else {                                                                            \
            for (int l = 0; l < 8; ++l)                                                     \
                s[l] = (acc[l * dim + d] + acc[(16 + l) * dim + d]) +                       \
                       (acc[(8 + l) * dim + d] + acc[(24 + l) * dim + d]);                  \
            out[d] = ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));    \
        }                                                                                   \
    }                                                                                       \
}

#define LD_F32(x) (x)
#define LD_F16(x) ck_h2f(x)
/* al[d] = fma(v[d], w, al[d]) for d < dim. */
#define AXPY_SCALAR(al, vj, w, dim, LD) for (int d = 0; d < (dim); ++d) (al)[d] = fmaf(LD((vj)[d]), (w), (al)[d])
ATTN_DOT(generic, float, LD_F32)
ATTN_FUNCS(generic, float, LD_F32, AXPY_SCALAR)
ATTN_DOT(generic_f16, uint16_t, LD_F16)
ATTN_FUNCS(generic_f16, uint16_t, LD_F16, AXPY_SCALAR)

#if defined(__x86_64__) && !defined(CK_FORCE_GENERIC) && (defined(__clang__) || defined(__GNUC__))
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c")
#endif
#include <immintrin.h>
#define INLINE_ATTN static inline __attribute__((always_inline))
/* The same lane order as ATTN_DOT(generic), with explicit 8-wide FMAs (the
 * compiler only vectorized the generic form 2-wide); _f16 converts 8 halves
 * per load (exact). */
#define LOAD8_F32(p) _mm256_loadu_ps(p)
#define LOAD8_F16(p) _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(p)))
#define ATTN_DOT_FMA(SUFFIX, T, LOAD8, LD)                                                  \
static float attn_dot_##SUFFIX(const float *q, const T *k, int n, int batched) {           \
    if (batched && n % 8 == 0) {                                                            \
        __m256 acc = _mm256_setzero_ps();                                                   \
        for (int i = 0; i < n; i += 8)                                                      \
            acc = _mm256_fmadd_ps(LOAD8(k + i), _mm256_loadu_ps(q + i), acc);               \
        __m128 r = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));  \
        r = _mm_add_ps(r, _mm_movehl_ps(r, r));                                             \
        r = _mm_add_ss(r, _mm_movehdup_ps(r));                                              \
        return _mm_cvtss_f32(r);                                                            \
    }                                                                                       \
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps(); \
    const int np = n & ~31;                                                                 \
    for (int i = 0; i < np; i += 32) {                                                      \
        a0 = _mm256_fmadd_ps(LOAD8(k + i), _mm256_loadu_ps(q + i), a0);                     \
        a1 = _mm256_fmadd_ps(LOAD8(k + i + 8), _mm256_loadu_ps(q + i + 8), a1);             \
        a2 = _mm256_fmadd_ps(LOAD8(k + i + 16), _mm256_loadu_ps(q + i + 16), a2);           \
        a3 = _mm256_fmadd_ps(LOAD8(k + i + 24), _mm256_loadu_ps(q + i + 24), a3);           \
    }                                                                                       \
    const __m256 sv = _mm256_add_ps(_mm256_add_ps(a0, a2), _mm256_add_ps(a1, a3));          \
    const __m128 t0 = _mm_add_ps(_mm256_castps256_ps128(sv), _mm256_extractf128_ps(sv, 1)); \
    const __m128 t1 = _mm_hadd_ps(t0, t0);                                                  \
    double sum = (double)_mm_cvtss_f32(_mm_hadd_ps(t1, t1));                                \
    for (int i = np; i < n; ++i) sum += (double)(LD(k[i]) * q[i]);                          \
    return (float)sum;                                                                      \
}
ATTN_DOT_FMA(fma, float, LOAD8_F32, LD_F32)
ATTN_DOT_FMA(fma_f16, uint16_t, LOAD8_F16, LD_F16)
/* The same per-element fma, 8 halves converted per step (exact). */
#define AXPY_F16C(al, vj, w, dim, LD) do {                                                  \
        int d = 0;                                                                          \
        const __m256 wv = _mm256_set1_ps(w);                                                \
        for (; d + 8 <= (dim); d += 8)                                                      \
            _mm256_storeu_ps((al) + d, _mm256_fmadd_ps(LOAD8_F16((vj) + d), wv, _mm256_loadu_ps((al) + d))); \
        for (; d < (dim); ++d) (al)[d] = fmaf(LD((vj)[d]), (w), (al)[d]);                   \
    } while (0)
ATTN_FUNCS(fma, float, LD_F32, AXPY_SCALAR)
ATTN_FUNCS(fma_f16, uint16_t, LD_F16, AXPY_F16C)

/* ---- tiled forms of the batched (tinyBLAS) order ----
 * Each output keeps its own accumulator and its own sequence of FMAs, so
 * tiling changes which outputs are computed side by side, never a bit of
 * any of them. */
INLINE_ATTN float hsum8_tb(__m256 acc) {
    __m128 r = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
    r = _mm_add_ps(r, _mm_movehl_ps(r, r));
    r = _mm_add_ss(r, _mm_movehdup_ps(r));
    return _mm_cvtss_f32(r);
}

/* NH queries sharing one K (GQA heads of one token) against 2 keys at a
 * time: 2·NH independent FMA chains instead of one, each K row converted
 * once for all heads. */
INLINE_ATTN void scores_heads_fma_f16(const float *q, size_t qstride, const int NH, const uint16_t *k,
                                      size_t kstride, int lo, int hi, int dim, float scale,
                                      float *scores, size_t sstride) {
    int j = lo;
    for (; j + 2 <= hi; j += 2) {
        __m256 a0[4], a1[4];
        for (int h = 0; h < NH; ++h) { a0[h] = _mm256_setzero_ps(); a1[h] = _mm256_setzero_ps(); }
        const uint16_t *k0 = k + (size_t)j * kstride, *k1 = k0 + kstride;
        for (int d = 0; d < dim; d += 8) {
            const __m256 x0 = LOAD8_F16(k0 + d), x1 = LOAD8_F16(k1 + d);
            for (int h = 0; h < NH; ++h) {
                const __m256 qv = _mm256_loadu_ps(q + (size_t)h * qstride + d);
                a0[h] = _mm256_fmadd_ps(x0, qv, a0[h]);
                a1[h] = _mm256_fmadd_ps(x1, qv, a1[h]);
            }
        }
        for (int h = 0; h < NH; ++h) {
            scores[(size_t)h * sstride + j] = hsum8_tb(a0[h]) * scale;
            scores[(size_t)h * sstride + j + 1] = hsum8_tb(a1[h]) * scale;
        }
    }
    for (; j < hi; ++j)
        for (int h = 0; h < NH; ++h)
            scores[(size_t)h * sstride + j] = attn_dot_fma_f16(q + (size_t)h * qstride, k + (size_t)j * kstride, dim, 1) * scale;
}
static void scores_heads_fma_f16_1(const float *q, size_t qs, const uint16_t *k, size_t ks, int lo, int hi, int dim, float sc, float *s, size_t ss) { scores_heads_fma_f16(q, qs, 1, k, ks, lo, hi, dim, sc, s, ss); }
static void scores_heads_fma_f16_2(const float *q, size_t qs, const uint16_t *k, size_t ks, int lo, int hi, int dim, float sc, float *s, size_t ss) { scores_heads_fma_f16(q, qs, 2, k, ks, lo, hi, dim, sc, s, ss); }
static void scores_heads_fma_f16_3(const float *q, size_t qs, const uint16_t *k, size_t ks, int lo, int hi, int dim, float sc, float *s, size_t ss) { scores_heads_fma_f16(q, qs, 3, k, ks, lo, hi, dim, sc, s, ss); }
static void scores_heads_fma_f16_4(const float *q, size_t qs, const uint16_t *k, size_t ks, int lo, int hi, int dim, float sc, float *s, size_t ss) { scores_heads_fma_f16(q, qs, 4, k, ks, lo, hi, dim, sc, s, ss); }

static void attn_scores_heads_fma_f16(const float *q, size_t qstride, int heads, const uint16_t *k, size_t kstride,
                                      int lo, int hi, int dim, float scale, float *scores, size_t sstride) {
    for (int h = 0; h < heads; h += 4) {
        const float *qh = q + (size_t)h * qstride;
        float *sh = scores + (size_t)h * sstride;
        switch (heads - h >= 4 ? 4 : heads - h) {
        case 4: scores_heads_fma_f16_4(qh, qstride, k, kstride, lo, hi, dim, scale, sh, sstride); break;
        case 3: scores_heads_fma_f16_3(qh, qstride, k, kstride, lo, hi, dim, scale, sh, sstride); break;
        case 2: scores_heads_fma_f16_2(qh, qstride, k, kstride, lo, hi, dim, scale, sh, sstride); break;
        default: scores_heads_fma_f16_1(qh, qstride, k, kstride, lo, hi, dim, scale, sh, sstride); break;
        }
    }
}

/* Values with the lane accumulators held in registers, 8 columns at a time:
 * lane = j mod P (P = 8 batched, 32 for one token), one pass per 8 lanes
 * with the KV axis innermost, so each accumulator is touched every P-th key
 * with no loads or stores in between. Sums per lane in ascending j, then
 * the reduction of the memory form. */
/* The body for one register width W (8 or 16 columns): VEC, the vector type;
 * LOADH(p), W halves as floats; SET1, ZERO, FMA, ADD, STORE its intrinsics. */
#define ATTN_VALUES_REGS(NAME, W, VEC, LOADH, SET1, ZERO, FMA, ADD, STORE)                                   \
static void NAME(const float *p, const uint16_t *v, size_t vstride, int lo, int hi, int dim,                  \
                 int batched, float *out) {                                                                   \
    const int period = batched ? 8 : 32;                                                                      \
    for (int d = 0; d < dim; d += (W)) {                                                                      \
        const uint16_t *vd = v + d;                                                                           \
        VEC lane[32];                                                                                         \
        for (int g = 0; g < period / 8; ++g) {                                                                \
            VEC c[8];                                                                                         \
            for (int l = 0; l < 8; ++l) c[l] = ZERO();                                                        \
            /* Partial 8-key runs only at the ends; the loop between them is branch-free. */                  \
            int base = lo & ~(period - 1);                                                                    \
            for (; base < hi; base += period) {                                                               \
                const int s = base + 8 * g;                                                                   \
                if (s >= lo && s + 8 <= hi) break;                                                            \
                for (int j = s > lo ? s : lo; j < (s + 8 < hi ? s + 8 : hi); ++j)                             \
                    c[j & 7] = FMA(LOADH(vd + (size_t)j * vstride), SET1(p[j]), c[j & 7]);                    \
            }                                                                                                 \
            for (; base + 8 * g + 8 <= hi; base += period) {                                                  \
                const int s = base + 8 * g;                                                                   \
                for (int l = 0; l < 8; ++l)                                                                   \
                    c[l] = FMA(LOADH(vd + (size_t)(s + l) * vstride), SET1(p[s + l]), c[l]);                  \
            }                                                                                                 \
            for (; base < hi; base += period) {                                                               \
                const int s = base + 8 * g;                                                                   \
                for (int j = s > lo ? s : lo; j < (s + 8 < hi ? s + 8 : hi); ++j)                             \
                    c[j & 7] = FMA(LOADH(vd + (size_t)j * vstride), SET1(p[j]), c[j & 7]);                    \
            }                                                                                                 \
            for (int l = 0; l < 8; ++l) lane[8 * g + l] = c[l];                                               \
        }                                                                                                     \
        VEC r;                                                                                                \
        if (batched) {                                                                                        \
            r = ADD(ADD(ADD(lane[0], lane[4]), ADD(lane[2], lane[6])), ADD(ADD(lane[1], lane[5]), ADD(lane[3], lane[7]))); \
        } else {                                                                                              \
            VEC t[8];                                                                                         \
            for (int l = 0; l < 8; ++l) t[l] = ADD(ADD(lane[l], lane[16 + l]), ADD(lane[8 + l], lane[24 + l])); \
            r = ADD(ADD(ADD(t[0], t[4]), ADD(t[1], t[5])), ADD(ADD(t[2], t[6]), ADD(t[3], t[7])));           \
        }                                                                                                     \
        STORE(out + d, r);                                                                                    \
    }                                                                                                         \
}
ATTN_VALUES_REGS(attn_values_regs_fma_f16, 8, __m256, LOAD8_F16, _mm256_set1_ps, _mm256_setzero_ps, _mm256_fmadd_ps, _mm256_add_ps, _mm256_storeu_ps)
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

/* attn_values_regs_fma_f16 on 16 value dimensions per register (AVX-512):
 * every output element keeps its own accumulator per lane (key j mod 8 for a
 * batch, j mod 32 for one token) with the same fma sequence and the same
 * final add tree, so the bits are those of the 8-wide version. */
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx2,fma,f16c"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma,f16c")
#endif
#define LOAD16_F16(p) _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(p)))
ATTN_VALUES_REGS(attn_values_regs_fma_f16_x16, 16, __m512, LOAD16_F16, _mm512_set1_ps, _mm512_setzero_ps, _mm512_fmadd_ps, _mm512_add_ps, _mm512_storeu_ps)
#undef LOAD16_F16
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#define HAVE_FMA_ATTN 1
#endif

float ck_attn_dot(const float *q, const float *k, int n, int batched) {
#ifdef HAVE_FMA_ATTN
    if (ck_has_avx2()) return attn_dot_fma(q, k, n, batched);
#endif
    return attn_dot_generic(q, k, n, batched);
}

void ck_attn_values(const float *p, const float *v, size_t vstride, int lo, int hi, int dim,
                    int batched, float *scratch, float *out) {
#ifdef HAVE_FMA_ATTN
    if (ck_has_avx2()) { attn_values_fma(p, v, vstride, lo, hi, dim, batched, scratch, out); return; }
#endif
    attn_values_generic(p, v, vstride, lo, hi, dim, batched, scratch, out);
}

void ck_attn_scores(const float *q, const float *k, size_t kstride, int lo, int hi, int dim,
                    int batched, float scale, float *scores) {
#ifdef HAVE_FMA_ATTN
    if (ck_has_avx2()) { attn_scores_fma(q, k, kstride, lo, hi, dim, batched, scale, scores); return; }
#endif
    attn_scores_generic(q, k, kstride, lo, hi, dim, batched, scale, scores);
}

void ck_attn_values_f16(const float *p, const uint16_t *v, size_t vstride, int lo, int hi, int dim,
                        int batched, float *scratch, float *out) {
#ifdef HAVE_FMA_ATTN
    if (ck_has_avx512() && dim % 16 == 0) { attn_values_regs_fma_f16_x16(p, v, vstride, lo, hi, dim, batched, out); return; }
    if (ck_has_avx2() && dim % 8 == 0) { attn_values_regs_fma_f16(p, v, vstride, lo, hi, dim, batched, out); return; }
    if (ck_has_avx2()) { attn_values_fma_f16(p, v, vstride, lo, hi, dim, batched, scratch, out); return; }
#endif
    attn_values_generic_f16(p, v, vstride, lo, hi, dim, batched, scratch, out);
}

void ck_attn_scores_f16(const float *q, const uint16_t *k, size_t kstride, int lo, int hi, int dim,
                        int batched, float scale, float *scores) {
#ifdef HAVE_FMA_ATTN
    if (ck_has_avx2()) { attn_scores_fma_f16(q, k, kstride, lo, hi, dim, batched, scale, scores); return; }
#endif
    attn_scores_generic_f16(q, k, kstride, lo, hi, dim, batched, scale, scores);
}

/* ---- tiled batched attention (tinyBLAS order) ---- */
void ck_attn_scores_heads_f16(const float *q, size_t qstride, int heads, const uint16_t *k, size_t kstride,
                              int lo, int hi, int dim, float scale, float *scores, size_t sstride) {
#ifdef HAVE_FMA_ATTN
    if (ck_has_avx2() && dim % 8 == 0) {
        attn_scores_heads_fma_f16(q, qstride, heads, k, kstride, lo, hi, dim, scale, scores, sstride);
        return;
    }
#endif
    for (int h = 0; h < heads; ++h)
        attn_scores_generic_f16(q + (size_t)h * qstride, k, kstride, lo, hi, dim, 1, scale, scores + (size_t)h * sstride);
}

void ck_attn_scores_heads_f16_generic(const float *q, size_t qstride, int heads, const uint16_t *k, size_t kstride,
                                      int lo, int hi, int dim, float scale, float *scores, size_t sstride) {
    for (int h = 0; h < heads; ++h)
        attn_scores_generic_f16(q + (size_t)h * qstride, k, kstride, lo, hi, dim, 1, scale, scores + (size_t)h * sstride);
}

void ck_attn_values_f16_generic(const float *p, const uint16_t *v, size_t vstride, int lo, int hi, int dim,
                                int batched, float *scratch, float *out) {
    attn_values_generic_f16(p, v, vstride, lo, hi, dim, batched, scratch, out);
}
