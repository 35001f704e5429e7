/*
 * Aqyl's fast-numerics matmul: weights row-interleaved 8 rows at a time
 * (the "_R8" layouts below, same byte size as the source), activations in
 * blk_q8_s, and one kernel per weight type that computes 8 output rows per
 * pass, so each activation load serves 8 rows and each row's sum stays in
 * its own 32-bit lane (no horizontal reductions). The idea is
 * ik_llama.cpp's _R4/_R8 types; the layouts and code are our own.
 *
 * The activations hold the same int8 values and fp16 scales as llama.cpp's
 * Q8_0/Q8_1 activations, and every row's float steps are those of its AVX2
 * vec_dot kernel, so each output has llama.cpp's bits: the layout changes
 * how much work one load serves, not the arithmetic. The AVX2 kernels
 * (interleave_avx2.c) and the scalar ones here give the same bits.
 *
 * Layouts, per group of 8 rows and per 32-column block (row r, element e):
 *   Q8_0_R8 { f16 d[8]; i8 qs[256] }           qs[32k + 4r + j] = q(r, 4k+j), k < 8
 *   Q4_0_R8 { f16 d[8]; u8 qs[128] }           qs[32k + 4r + j] = q(r, 4k+j) | q(r, 16+4k+j) << 4, k < 4
 *   Q4_1_R8 { f16 d[8]; f16 m[8]; u8 qs[128] } as Q4_0_R8
 *   Q5_0_R8 { f16 d[8]; u8 qh[32]; u8 qs[128] } low nibbles as Q4_0_R8; bit k of qh[4r + j] is
 *                                               the fifth bit of q(r, 4k+j) for k < 4 and of
 *                                               q(r, 16+4(k-4)+j) for k ≥ 4: the fifth bits of
 *                                               packed byte 4r+j of register k%4 in bit k, so a
 *                                               shift and a mask put each in place
 * A group's blocks are consecutive; groups follow each other.
 */
#include "ck_internal.h"
#include <stdlib.h>

_Static_assert(sizeof(blk_q8_0_r8) == 8 * sizeof(blk_q8_0), "q8_0_r8");
_Static_assert(sizeof(blk_q4_0_r8) == 8 * sizeof(blk_q4_0), "q4_0_r8");
_Static_assert(sizeof(blk_q4_1_r8) == 8 * sizeof(blk_q4_1), "q4_1_r8");
_Static_assert(sizeof(blk_q5_0_r8) == 8 * sizeof(blk_q5_0), "q5_0_r8");
_Static_assert(sizeof(blk_q8_s) == 40, "q8_s");

size_t ck_r8_block_bytes(int wtype) {
    switch (wtype) {
    case CK_Q8_0: return sizeof(blk_q8_0_r8);
    case CK_Q4_0: return sizeof(blk_q4_0_r8);
    case CK_Q4_1: return sizeof(blk_q4_1_r8);
    case CK_Q5_0: return sizeof(blk_q5_0_r8);
    default: return 0;
    }
}

int ck_r8_eligible(int wtype, int rows, int cols) {
    return ck_r8_block_bytes(wtype) != 0 && rows > 0 && rows % 8 == 0 && cols > 0 && cols % QK == 0;
}

size_t ck_r8_bytes(int wtype, int rows, int cols) {
    if (!ck_r8_eligible(wtype, rows, cols)) return 0;
    return (size_t)(rows / 8) * (size_t)(cols / QK) * ck_r8_block_bytes(wtype);
}

/* ---- repack ---- */
static void pack_nibbles(const uint8_t *const src_qs[8], uint8_t qs[128]) {
    /* Source byte i holds elements i (low) and 16+i (high): exactly the pair
     * a packed byte wants, so groups of 4 bytes move as they are. */
    for (int k = 0; k < 4; ++k)
        for (int r = 0; r < 8; ++r) memcpy(qs + 32 * k + 4 * r, src_qs[r] + 4 * k, 4);
}

int ck_r8_repack(int wtype, const void *src, size_t wstride, void *dst, int rows, int cols) {
    if (!ck_r8_eligible(wtype, rows, cols)) return -1;
    const int nb = cols / QK;
    const uint8_t *s = src;
    uint8_t *d = dst;
    const size_t bb = ck_r8_block_bytes(wtype);
    for (int g = 0; g < rows / 8; ++g) {
        const uint8_t *row[8];
        for (int r = 0; r < 8; ++r) row[r] = s + (size_t)(8 * g + r) * wstride;
        for (int ib = 0; ib < nb; ++ib, d += bb) {
            const uint8_t *qs[8];
            switch (wtype) {
            case CK_Q8_0: {
                blk_q8_0_r8 *o = (blk_q8_0_r8 *)d;
                for (int r = 0; r < 8; ++r) {
                    const blk_q8_0 *b = (const blk_q8_0 *)row[r] + ib;
                    o->d[r] = b->d;
                    for (int k = 0; k < 8; ++k) memcpy(o->qs + 32 * k + 4 * r, b->qs + 4 * k, 4);
                }
                break;
            }
            case CK_Q4_0: {
                blk_q4_0_r8 *o = (blk_q4_0_r8 *)d;
                for (int r = 0; r < 8; ++r) {
                    const blk_q4_0 *b = (const blk_q4_0 *)row[r] + ib;
                    o->d[r] = b->d; qs[r] = b->qs;
                }
                pack_nibbles(qs, o->qs);
                break;
            }
            case CK_Q4_1: {
                blk_q4_1_r8 *o = (blk_q4_1_r8 *)d;
                for (int r = 0; r < 8; ++r) {
                    const blk_q4_1 *b = (const blk_q4_1 *)row[r] + ib;
                    o->d[r] = b->d; o->m[r] = b->m; qs[r] = b->qs;
                }
                pack_nibbles(qs, o->qs);
                break;
            }
            case CK_Q5_0: {
                blk_q5_0_r8 *o = (blk_q5_0_r8 *)d;
                memset(o->qh, 0, sizeof o->qh);
                for (int r = 0; r < 8; ++r) {
                    const blk_q5_0 *b = (const blk_q5_0 *)row[r] + ib;
                    o->d[r] = b->d; qs[r] = b->qs;
                    uint32_t h; memcpy(&h, b->qh, 4);
                    for (int j = 0; j < 4; ++j)
                        for (int k = 0; k < 8; ++k) {
                            const int e = k < 4 ? 4 * k + j : 16 + 4 * (k - 4) + j;
                            o->qh[4 * r + j] |= (uint8_t)(((h >> e) & 1u) << k);
                        }
                }
                pack_nibbles(qs, o->qs);
                break;
            }
            }
        }
    }
    return 0;
}

/* The inverse for one row: row `row` of an interleaved matrix back in its
 * source blocks (the same bytes), for lookups that would otherwise read the
 * released source pages. */
int ck_r8_unpack_row(int wtype, const void *packed, int cols, int row, void *dst) {
    if (!ck_r8_eligible(wtype, 8, cols) || row < 0) return -1;
    const int nb = cols / QK, r = row % 8;
    const size_t bb = ck_r8_block_bytes(wtype);
    const uint8_t *g = (const uint8_t *)packed + (size_t)(row / 8) * (size_t)nb * bb;
    for (int ib = 0; ib < nb; ++ib, g += bb) {
        switch (wtype) {
        case CK_Q8_0: {
            const blk_q8_0_r8 *o = (const blk_q8_0_r8 *)g;
            blk_q8_0 *b = (blk_q8_0 *)dst + ib;
            b->d = o->d[r];
            for (int k = 0; k < 8; ++k) memcpy(b->qs + 4 * k, o->qs + 32 * k + 4 * r, 4);
            break;
        }
        case CK_Q4_0: {
            const blk_q4_0_r8 *o = (const blk_q4_0_r8 *)g;
            blk_q4_0 *b = (blk_q4_0 *)dst + ib;
            b->d = o->d[r];
            for (int k = 0; k < 4; ++k) memcpy(b->qs + 4 * k, o->qs + 32 * k + 4 * r, 4);
            break;
        }
        case CK_Q4_1: {
            const blk_q4_1_r8 *o = (const blk_q4_1_r8 *)g;
            blk_q4_1 *b = (blk_q4_1 *)dst + ib;
            b->d = o->d[r]; b->m = o->m[r];
            for (int k = 0; k < 4; ++k) memcpy(b->qs + 4 * k, o->qs + 32 * k + 4 * r, 4);
            break;
        }
        case CK_Q5_0: {
            const blk_q5_0_r8 *o = (const blk_q5_0_r8 *)g;
            blk_q5_0 *b = (blk_q5_0 *)dst + ib;
            b->d = o->d[r];
            for (int k = 0; k < 4; ++k) memcpy(b->qs + 4 * k, o->qs + 32 * k + 4 * r, 4);
            uint32_t h = 0;
            for (int j = 0; j < 4; ++j)
                for (int k = 0; k < 8; ++k) {
                    const int e = k < 4 ? 4 * k + j : 16 + 4 * (k - 4) + j;
                    h |= (uint32_t)((o->qh[4 * r + j] >> k) & 1u) << e;
                }
            memcpy(b->qh, &h, 4);
            break;
        }
        }
    }
    return 0;
}

/* ---- activations: blk_q8_s (llama.cpp's Q8_0/Q8_1 values: fp16 scale, sums; 32 int8) ---- */
size_t ck_q8s_row_bytes(int cols) { return (size_t)(cols / QK) * sizeof(blk_q8_s); }

void ck_quantize_q8s_generic(const float *x, void *vy, int n) {
    blk_q8_s *y = vy;
    for (int ib = 0; ib < n / QK; ++ib) {
        float amax = 0;
        for (int j = 0; j < QK; ++j) { const float a = fabsf(x[ib * QK + j]); if (a > amax) amax = a; }
        const float d = amax / 127.0f;
        const float id = amax != 0 ? 127.0f / amax : 0.0f;   /* as ggml's AVX2 quantize_row_q8_0/q8_1 */
        int s = 0;
        for (int j = 0; j < QK; ++j) {
            const int q = ck_nearest_int(x[ib * QK + j] * id);
            y[ib].qs[j] = (int8_t)q;
            s += q;
        }
        y[ib].d = ck_h2f(ck_f2h(d));
        y[ib].s = (int16_t)s;
        y[ib].ds = ck_f2h(d * (float)s);
    }
}

void ck_quantize_q8s(const float *x, void *y, int n) {
    if (ck_has_avx2()) ck_quantize_q8s_avx2_impl(x, y, n);
    else ck_quantize_q8s_generic(x, y, n);
}

/* ---- scalar kernels: one group of 8 rows against one activation row ----
 * The float steps are those of llama.cpp's AVX2 vec_dot (dot_avx2.c) for
 * each row: eight lanes, lane j holding the exact integer sum over elements
 * 4j..4j+3 of a block, acc[j] = fma(d_w·d_a, lane, acc[j]) block after
 * block, then hsum_f8's order ((a0+a4)+(a2+a6)) + ((a1+a5)+(a3+a7)); Q4_1
 * adds its fma chain of m·s. So each output has vec_dot's bits. */
static inline int nib(const uint8_t *qs, int r, int e) {
    /* element e of row r in the nibble layout */
    const int k = (e & 15) >> 2, j = e & 3;
    const uint8_t b = qs[32 * k + 4 * r + j];
    return e < 16 ? (b & 0xF) : (b >> 4);
}

/* Signed weight value of element e of row r (offsets applied). */
static inline int r8_weight(int wtype, const uint8_t *blk, int r, int e) {
    switch (wtype) {
    case CK_Q8_0: return ((const blk_q8_0_r8 *)blk)->qs[32 * (e >> 2) + 4 * r + (e & 3)];
    case CK_Q4_0: return nib(((const blk_q4_0_r8 *)blk)->qs, r, e) - 8;
    case CK_Q4_1: return nib(((const blk_q4_1_r8 *)blk)->qs, r, e);
    case CK_Q5_0: {
        const blk_q5_0_r8 *b = (const blk_q5_0_r8 *)blk;
        const int k = ((e & 15) >> 2) + (e < 16 ? 0 : 4);
        return (nib(b->qs, r, e) | ((b->qh[4 * r + (e & 3)] >> k) & 1) << 4) - 16;
    }
    }
    return 0;
}

static inline float hsum8_order(const float a[8]) {
    return ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7]));
}

static void r8_dot_generic(int wtype, int nb, const uint8_t *wg, const blk_q8_s *a, float out[8]) {
    const size_t bb = ck_r8_block_bytes(wtype);
    for (int r = 0; r < 8; ++r) {
        float acc[8] = {0}, summs = 0;
        for (int ib = 0; ib < nb; ++ib) {
            const uint8_t *blk = wg + (size_t)ib * bb;
            const blk_q8_s *y = a + ib;
            const float dd = ck_h2f(((const uint16_t *)blk)[r]) * y->d;   /* d[8] leads every layout */
            for (int j = 0; j < 8; ++j) {
                int lane = 0;
                for (int e = 4 * j; e < 4 * j + 4; ++e) lane += r8_weight(wtype, blk, r, e) * y->qs[e];
                acc[j] = fmaf(dd, (float)lane, acc[j]);
            }
            if (wtype == CK_Q4_1) summs = fmaf(ck_h2f(((const blk_q4_1_r8 *)blk)->m[r]), ck_h2f(y->ds), summs);
        }
        out[r] = wtype == CK_Q4_1 ? hsum8_order(acc) + summs : hsum8_order(acc);
    }
}

void ck_r8_gemm_rows_generic(int wtype, const void *w, int cols, int row0, int row1,
                             const void *a, int tokens, float *y, size_t ldy) {
    const int nb = cols / QK;
    const size_t gbytes = (size_t)nb * ck_r8_block_bytes(wtype);
    const size_t abytes = ck_q8s_row_bytes(cols);
    for (int g = row0 / 8; g < row1 / 8; ++g) {
        const uint8_t *wg = (const uint8_t *)w + (size_t)g * gbytes;
        for (int t = 0; t < tokens; ++t)
            r8_dot_generic(wtype, nb, wg, (const blk_q8_s *)((const uint8_t *)a + (size_t)t * abytes),
                           y + (size_t)t * ldy + 8 * g);
    }
}

/* Tokens per tile: their activations (cols/32 · 40 bytes each) stay in L2
 * while every row group of a claimed chunk passes over them. */
#define R8_TOKEN_TILE 64

typedef void (*r8_rows_fn)(int wtype, const void *w, int cols, int row0, int row1,
                           const void *a, int tokens, float *y, size_t ldy);

static void r8_tiles(r8_rows_fn f, int wtype, const void *w, int cols, int row0, int row1,
                     const void *a, int tokens, float *y, size_t ldy) {
    const size_t abytes = ck_q8s_row_bytes(cols);
    for (int t0 = 0; t0 < tokens; t0 += R8_TOKEN_TILE) {
        const int nt = tokens - t0 < R8_TOKEN_TILE ? tokens - t0 : R8_TOKEN_TILE;
        f(wtype, w, cols, row0, row1, (const uint8_t *)a + (size_t)t0 * abytes, nt, y + (size_t)t0 * ldy, ldy);
    }
}

static void r8_tiles_q8_0_blocksum(int avx512, const void *w, int cols, int row0, int row1, const void *a, int tokens, float *y,
                                   size_t ldy) {
    const size_t abytes = ck_q8s_row_bytes(cols);
    for (int t0 = 0; t0 < tokens; t0 += R8_TOKEN_TILE) {
        const int nt = tokens - t0 < R8_TOKEN_TILE ? tokens - t0 : R8_TOKEN_TILE;
        const uint8_t *at = (const uint8_t *)a + (size_t)t0 * abytes;
        if (avx512) ck_r8_q8_0_blocksum_avx512_impl(w, cols, row0, row1, at, nt, y + (size_t)t0 * ldy, ldy);
        else ck_r8_q8_0_blocksum_avx2_impl(w, cols, row0, row1, at, nt, y + (size_t)t0 * ldy, ldy);
    }
}

void ck_r8_gemm_rows(int wtype, const void *w, int cols, int row0, int row1,
                     const void *a, int tokens, float *y, size_t ldy) {
    if (ck_has_avx512()) r8_tiles(ck_r8_gemm_rows_avx512_impl, wtype, w, cols, row0, row1, a, tokens, y, ldy);
    else if (ck_has_avx2()) r8_tiles(ck_r8_gemm_rows_avx2_impl, wtype, w, cols, row0, row1, a, tokens, y, ldy);
    else ck_r8_gemm_rows_generic(wtype, w, cols, row0, row1, a, tokens, y, ldy);
}

int ck_r8_gemm_rows_avx2(int wtype, const void *w, int cols, int row0, int row1,
                         const void *a, int tokens, float *y, size_t ldy) {
    if (!ck_has_avx2()) return -1;
    r8_tiles(ck_r8_gemm_rows_avx2_impl, wtype, w, cols, row0, row1, a, tokens, y, ldy);
    return 0;
}

int ck_r8_gemm_rows_avx512(int wtype, const void *w, int cols, int row0, int row1,
                           const void *a, int tokens, float *y, size_t ldy) {
    if (!ck_has_avx512()) return -1;
    r8_tiles(ck_r8_gemm_rows_avx512_impl, wtype, w, cols, row0, row1, a, tokens, y, ldy);
    return 0;
}

void ck_r8_gemm_claim(int wtype, const void *w, int rows, int cols, int *next_row, int chunk,
                      const void *a, int tokens, float *y, size_t ldy) {
    for (;;) {
        const int r0 = __atomic_fetch_add(next_row, chunk, __ATOMIC_RELAXED);
        if (r0 >= rows) return;
        const int r1 = r0 + chunk < rows ? r0 + chunk : rows;
        ck_r8_gemm_rows(wtype, w, cols, r0, r1, a, tokens, y, ldy);
    }
}

/* Q8_0 by block sums, one row group against one activation row: row r's
 * block dot as one exact integer, then acc = fma(d_w·d_a, sum, acc) block
 * after block (the AVX-512 form's order and bits). */
void ck_r8_q8_0_blocksum_generic(const void *w, int cols, int row0, int row1, const void *a, int tokens, float *y, size_t ldy) {
    const int nb = cols / QK;
    const size_t abytes = ck_q8s_row_bytes(cols);
    for (int g = row0 / 8; g < row1 / 8; ++g) {
        const blk_q8_0_r8 *wg = (const blk_q8_0_r8 *)w + (size_t)g * nb;
        for (int t = 0; t < tokens; ++t) {
            const blk_q8_s *ya = (const blk_q8_s *)((const uint8_t *)a + (size_t)t * abytes);
            for (int r = 0; r < 8; ++r) {
                float acc = 0;
                for (int ib = 0; ib < nb; ++ib) {
                    int32_t sum = 0;
                    for (int e = 0; e < QK; ++e) sum += (int32_t)wg[ib].qs[32 * (e >> 2) + 4 * r + (e & 3)] * ya[ib].qs[e];
                    acc = fmaf(ck_h2f(wg[ib].d[r]) * ya[ib].d, (float)sum, acc);
                }
                y[(size_t)t * ldy + 8 * g + r] = acc;
            }
        }
    }
}

int ck_r8_q8_0_blocksum(int form, const void *w, int cols, int row0, int row1, const void *a, int tokens, float *y, size_t ldy) {
    if (row0 % 16 != 0 || row1 % 16 != 0 || cols % QK != 0) return -1;
    if (form == 0) {
        ck_r8_q8_0_blocksum_generic(w, cols, row0, row1, a, tokens, y, ldy);
        return 0;
    }
    if (form == 1 ? !ck_has_avx2() : form == 2 ? !ck_has_avx512() : 1) return -1;
    r8_tiles_q8_0_blocksum(form == 2, w, cols, row0, row1, a, tokens, y, ldy);
    return 0;
}

void ck_r8_q8_0_blocksum_claim(const void *w, int rows, int cols, int *next_row, int chunk, const void *a, int tokens,
                               float *y, size_t ldy) {
    for (;;) {
        const int r0 = __atomic_fetch_add(next_row, chunk, __ATOMIC_RELAXED);
        if (r0 >= rows) return;
        const int r1 = r0 + chunk < rows ? r0 + chunk : rows;
        if (ck_has_avx512() || ck_has_avx2()) r8_tiles_q8_0_blocksum(ck_has_avx512(), w, cols, r0, r1, a, tokens, y, ldy);
        else ck_r8_q8_0_blocksum_generic(w, cols, r0, r1, a, tokens, y, ldy);
    }
}

/* Several interleaved matrices that read the same activations (q/k/v, or
 * gate/up): one shared counter hands out chunks of all of them, so the
 * activations are quantized once and the pool meets once. Chunk c is the
 * c-th chunk in job order; each job's chunks cover its rows. */
void ck_r8_gemm_claim_jobs(const ck_r8_job *jobs, int njobs, int *next_chunk, const void *a, int tokens) {
    for (;;) {
        int c = __atomic_fetch_add(next_chunk, 1, __ATOMIC_RELAXED);
        int j = 0;
        for (; j < njobs; ++j) {
            const int n = (jobs[j].rows + jobs[j].chunk - 1) / jobs[j].chunk;
            if (c < n) break;
            c -= n;
        }
        if (j == njobs) return;
        const ck_r8_job *job = &jobs[j];
        const int r0 = c * job->chunk;
        const int r1 = r0 + job->chunk < job->rows ? r0 + job->chunk : job->rows;
        ck_r8_gemm_rows(job->wtype, job->w, job->cols, r0, r1, a, tokens, job->y, job->ldy);
    }
}
