/*
 * Batched attention (attn.c's tinyBLAS order, for forward batches of 2+
 * tokens) as small matrix products: a tile of query tokens of one sequence
 * and the query heads that share one KV head (GQA) read each K and V row
 * once per tile, converted to F32 once, instead of once per (token, head).
 *
 * Every output keeps attn.c's lanes and order, so the bits are the same:
 *  - score (row, key j): lane l = d mod 8 sums fma(k[d], q[d], ·) over
 *    ascending d; lanes reduce ((l0+l4)+(l2+l6))+((l1+l5)+(l3+l7)); × scale.
 *    Here each lane is its own register holding 8 or 16 keys (K is
 *    transposed per block), so the reduction is vertical.
 *  - value (row, dim d): lane l = j mod 8 sums fma(v[j][d], p[j], ·) over
 *    ascending j, same reduction. Registers hold 8 or 16 dims; the lane
 *    accumulators stay in memory between key blocks.
 * The tile runs over the union of its rows' key ranges. A probability that
 * is zero there (masked, or outside a row's own range) adds fma(v, 0, acc) =
 * acc, which is attn.c's skip of zero weights; keys past the last stored
 * position are zero-filled, never read. Four passes take lanes (0, 4), (2, 6),
 * (1, 5), (3, 7): the leaves of the reduction tree, joined in its order. So
 * each row needs 2 lane registers per column register, 2 column registers
 * (16 or 32 keys, or dims) share each query or probability broadcast, and 3
 * rows (AVX2, 16 registers) or 6 rows (AVX-512, 32) share each K or V load.
 *
 * The F32 blocks and lane accumulators have row strides padded past a power
 * of two (+16 floats): at 512 B or 1 KiB strides a column walk maps to 4-8
 * of L1's 64 sets and misses every time (on Gemma-3's head dim 256 the
 * unpadded tile ran at a third of FMA peak; padded, same bits, 1.8x faster).
 */
#include "ck_internal.h"
#include <stdlib.h>

#pragma STDC FP_CONTRACT OFF

#define CK_TILE_KEYS 128   /* keys per K/V block converted to F32 */

typedef struct {
    const float *q; size_t qstride;
    int tokens, heads;
    const int32_t *pos, *lo;
    const uint16_t *k, *v; size_t kvstride;
    int dim; float scale;
    float *out; size_t ostride;
    int j0, jend, j1;   /* union range [j0, j1), 8-aligned; keys < jend are stored */
} ck_tile_args;

/* Per-thread buffers: 0 scores, 1 lane accumulators, 2 K block, 3 V block. */
static __thread float *tile_buf[4];
static __thread size_t tile_cap[4];

static float *ck_tile_buffer(int which, size_t floats) {
    return ck_reserve((void **)&tile_buf[which], &tile_cap[which], floats * sizeof(float)) ? tile_buf[which] : NULL;
}

static inline const float *ck_tile_query(const ck_tile_args *a, int r) {
    return a->q + (size_t)(r / a->heads) * a->qstride + (size_t)(r % a->heads) * a->dim;
}

static inline float *ck_tile_output(const ck_tile_args *a, int r) {
    return a->out + (size_t)(r / a->heads) * a->ostride + (size_t)(r % a->heads) * a->dim;
}

/* llama.cpp's mask and softmax for row r, whose `n` entries start at key
 * j0: scores over its whole 8-aligned span with masked keys at -inf,
 * probabilities rounded to fp16, and zero outside the span. */
static void ck_tile_softmax_row(const ck_tile_args *a, int r, float *row, int n) {
    const int t = r / a->heads, lo = a->lo[t], pos = a->pos[t];
    const int begin = lo & ~7, end = (pos + 8) & ~7;
    for (int j = begin; j < lo; ++j) row[j - a->j0] = -INFINITY;
    for (int j = pos + 1; j < end; ++j) row[j - a->j0] = -INFINITY;
    ck_softmax(row + (begin - a->j0), end - begin);
    ck_round_fp16(row + (begin - a->j0), end - begin);
    for (int i = 0; i < begin - a->j0; ++i) row[i] = 0;
    for (int i = end - a->j0; i < n; ++i) row[i] = 0;
}

/* out[d] = ((A0+A4)+(A2+A6))+((A1+A5)+(A3+A7)) of each row's lane sums. */
static void ck_tile_reduce(const ck_tile_args *a, const float *acc, int lda) {
    const int dim = a->dim;
    for (int r = 0; r < a->tokens * a->heads; ++r) {
        const float *l = acc + (size_t)r * 8 * lda;
        float *out = ck_tile_output(a, r);
        for (int d = 0; d < dim; ++d)
            out[d] = ((l[d] + l[4 * lda + d]) + (l[2 * lda + d] + l[6 * lda + d])) +
                     ((l[lda + d] + l[5 * lda + d]) + (l[3 * lda + d] + l[7 * lda + d]));
    }
}

/* The scalar reference: attn.c's per-token path, one token at a time. */
static int attn_tile_generic(const ck_tile_args *a) {
    const int dim = a->dim, heads = a->heads, n = a->j1;
    float *const S = ck_tile_buffer(0, (size_t)heads * n);
    float *const scratch = ck_tile_buffer(1, (size_t)32 * dim);
    if (!S || !scratch) return -1;
    for (int t = 0; t < a->tokens; ++t) {
        const int lo = a->lo[t], pos = a->pos[t];
        for (int h = 0; h < heads; ++h) {   /* row h indexed by absolute key */
            const int r = t * heads + h;
            float *row = S + (size_t)h * n;
            ck_attn_scores_heads_f16_generic(ck_tile_query(a, r), 0, 1, a->k, a->kvstride, lo, pos + 1, dim,
                                             a->scale, row, 0);
            ck_tile_softmax_row(a, r, row + a->j0, a->j1 - a->j0);
            ck_attn_values_f16_generic(row, a->v, a->kvstride, lo, pos + 1, dim, 1, scratch, ck_tile_output(a, r));
        }
    }
    return 0;
}

#if defined(__x86_64__) && !defined(CK_FORCE_GENERIC) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c")
#endif
#define CK_SUFFIX _avx2
#define W 8
#define PASSES 4
#define RMAX 3
#define KRMAX 2
#define VEC __m256
#define VZERO _mm256_setzero_ps
#define VLOAD _mm256_loadu_ps
#define VSTORE _mm256_storeu_ps
#define VBCAST(p) _mm256_broadcast_ss(p)
#define VSET1 _mm256_set1_ps
#define VFMA _mm256_fmadd_ps
#define VADD _mm256_add_ps
#define VMUL _mm256_mul_ps
#include "attn_tile_body.h"
#undef CK_SUFFIX
#undef W
#undef PASSES
#undef RMAX
#undef KRMAX
#undef VEC
#undef VZERO
#undef VLOAD
#undef VSTORE
#undef VBCAST
#undef VSET1
#undef VFMA
#undef VADD
#undef VMUL
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx2,fma,f16c"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma,f16c")
#endif
#define CK_SUFFIX _avx512
#define W 16
#define PASSES 4
#define RMAX 6
#define KRMAX 2
#define VEC __m512
#define VZERO _mm512_setzero_ps
#define VLOAD _mm512_loadu_ps
#define VSTORE _mm512_storeu_ps
#define VBCAST(p) _mm512_set1_ps(*(p))
#define VSET1 _mm512_set1_ps
#define VFMA _mm512_fmadd_ps
#define VADD _mm512_add_ps
#define VMUL _mm512_mul_ps
#include "attn_tile_body.h"
#undef CK_SUFFIX
#undef W
#undef PASSES
#undef RMAX
#undef KRMAX
#undef VEC
#undef VZERO
#undef VLOAD
#undef VSTORE
#undef VBCAST
#undef VSET1
#undef VFMA
#undef VADD
#undef VMUL
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#define HAVE_TILE_SIMD 1
#endif

enum { TILE_GENERIC, TILE_AVX2, TILE_AVX512, TILE_BEST };

static int attn_tile(int set, const float *q, size_t qstride, int tokens, int heads, const int32_t *pos,
                     const int32_t *lo, const uint16_t *k, const uint16_t *v, size_t kvstride, int dim, float scale,
                     float *out, size_t ostride) {
    if (tokens < 1 || heads < 1 || dim < 1) return -1;
    ck_tile_args a = {q, qstride, tokens, heads, pos, lo, k, v, kvstride, dim, scale, out, ostride, 0, 0, 0};
    int first = INT32_MAX, last = -1;
    for (int t = 0; t < tokens; ++t) {
        if (lo[t] < 0 || lo[t] > pos[t] || pos[t] > INT32_MAX - 16) return -1;
        first = lo[t] < first ? lo[t] : first;
        last = pos[t] > last ? pos[t] : last;
    }
    a.j0 = first & ~7;
    a.jend = last + 1;
    a.j1 = (last + 8) & ~7;
#ifdef HAVE_TILE_SIMD
    if (set == TILE_BEST) set = ck_has_avx512() ? TILE_AVX512 : ck_has_avx2() ? TILE_AVX2 : TILE_GENERIC;
    if (set == TILE_AVX512) {
        if (!ck_has_avx512()) return -1;
        if (dim % 16 == 0) return attn_tile_avx512(&a);
        set = TILE_AVX2;
    }
    if (set == TILE_AVX2) {
        if (!ck_has_avx2()) return -1;
        if (dim % 8 == 0) return attn_tile_avx2(&a);
        set = TILE_GENERIC;
    }
#else
    if (set == TILE_AVX2 || set == TILE_AVX512) return -1;
#endif
    return attn_tile_generic(&a);
}

int ck_attn_tile_f16(const float *q, size_t qstride, int tokens, int heads, const int32_t *pos, const int32_t *lo,
                     const uint16_t *k, const uint16_t *v, size_t kvstride, int dim, float scale, float *out,
                     size_t ostride) {
    return attn_tile(TILE_BEST, q, qstride, tokens, heads, pos, lo, k, v, kvstride, dim, scale, out, ostride);
}

int ck_attn_tile_f16_generic(const float *q, size_t qstride, int tokens, int heads, const int32_t *pos,
                             const int32_t *lo, const uint16_t *k, const uint16_t *v, size_t kvstride, int dim,
                             float scale, float *out, size_t ostride) {
    return attn_tile(TILE_GENERIC, q, qstride, tokens, heads, pos, lo, k, v, kvstride, dim, scale, out, ostride);
}

int ck_attn_tile_f16_avx2(const float *q, size_t qstride, int tokens, int heads, const int32_t *pos,
                          const int32_t *lo, const uint16_t *k, const uint16_t *v, size_t kvstride, int dim,
                          float scale, float *out, size_t ostride) {
    return attn_tile(TILE_AVX2, q, qstride, tokens, heads, pos, lo, k, v, kvstride, dim, scale, out, ostride);
}

int ck_attn_tile_f16_avx512(const float *q, size_t qstride, int tokens, int heads, const int32_t *pos,
                            const int32_t *lo, const uint16_t *k, const uint16_t *v, size_t kvstride, int dim,
                            float scale, float *out, size_t ostride) {
    return attn_tile(TILE_AVX512, q, qstride, tokens, heads, pos, lo, k, v, kvstride, dim, scale, out, ostride);
}
