/*
 * llama.cpp's repacked Q4_K path (ggml-cpu/repack.cpp): Q4_K rows are
 * interleaved 8 at a time into block_q4_Kx8, activations are quantized to
 * Q8_K 4 rows at a time into block_q8_Kx4, and the gemv (1 activation row)
 * and gemm (4-row groups) kernels multiply them. llama.cpp uses this for
 * Q4_K weights with rows % 8 == 0 when the CPU has AVX2; its summation
 * order differs from vec_dot, so matching llama.cpp bit for bit needs it.
 * This file holds the layout, the scalar kernels (ggml's _generic versions,
 * the reference) and the dispatch; the AVX2 kernels, which mirror
 * ggml-cpu/arch/x86/repack.cpp (MIT, ggml authors), are in repack_avx2.c.
 * Which set runs is decided by ck_has_avx2() (cpu_features.c).
 */
#include "repack_layout.h"
#include <assert.h>
#include <stdlib.h>

/* ---- repack (make_block_q4_Kx8 with interleave 8) ---- */
static void make_q4_Kx8(const blk_q4_K *in, blk_q4_Kx8 *out) {
    for (int i = 0; i < 8; i++) { out->d[i] = in[i].d; out->dmin[i] = in[i].dmin; }
    /* quants: 8 bytes at a time, row-interleaved */
    for (int i = 0; i < 128; ++i)
        memcpy(&out->qs[i * 8], &in[i % 8].qs[(i / 8) * 8], 8);
    uint8_t s[8], m[8];
    for (int half = 0; half < 2; half++) {
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 8; j++) {
                if (half == 0) {
                    s[j] = in[j].scales[i] & 63;
                    m[j] = in[j].scales[i + 4] & 63;
                } else {
                    s[j] = (uint8_t)(((in[j].scales[i] & 192) >> 2) | (in[j].scales[i + 8] & 15));
                    m[j] = (uint8_t)(((in[j].scales[i + 4] & 192) >> 2) | ((in[j].scales[i + 8] & 240) >> 4));
                }
            }
            uint8_t *o = out->scales + half * 48 + i * 12;
            for (int j = 0; j < 4; j++) {
                o[j]     = (uint8_t)((s[j] & 63) + ((s[j + 4] & 48) << 2));
                o[j + 4] = (uint8_t)((m[j] & 63) + ((m[j + 4] & 48) << 2));
                o[j + 8] = (uint8_t)((s[j + 4] & 15) + ((m[j + 4] & 15) << 4));
            }
        }
    }
}

int ck_repack_q4_K_8x8(const void *src, void *dst, int rows, int cols) {
    if (rows % 8 != 0 || cols % QKK != 0) return -1;
    const int nb = cols / QKK;
    const blk_q4_K *s = src;
    blk_q4_Kx8 *d = dst;
    blk_q4_K tmp[8];
    for (int r = 0; r < rows; r += 8) {
        for (int x = 0; x < nb; x++) {
            for (int i = 0; i < 8; i++) tmp[i] = s[x + i * nb];
            make_q4_Kx8(tmp, d++);
        }
        s += 8 * nb;
    }
    return 0;
}

/* ---- scalar versions (ggml's *_generic) ---- */
void ck_quantize_mat_q8_K_4x8_generic(const float *x, void *vy, int64_t k) {
    const int nb = (int)(k / QKK);
    blk_q8_Kx4 *y = vy;
    const int bl = 8;
    float srcv[4][QKK];
    float iscale[4];
    for (int i = 0; i < nb; i++) {
        for (int r = 0; r < 4; r++) {
            float amax = 0.0f, max = 0;
            for (int j = 0; j < QKK; j++) {
                srcv[r][j] = x[r * k + i * QKK + j];
                if (amax < fabsf(srcv[r][j])) { amax = fabsf(srcv[r][j]); max = srcv[r][j]; }
            }
            iscale[r] = amax ? -127.f / max : 0;
            y[i].d[r] = amax ? 1 / iscale[r] : 0;
        }
        for (int j = 0; j < QKK / 4; j++) y[i].bsums[j] = 0;
        for (int j = 0; j < QKK * 4; j++) {
            int src_offset = (j / (4 * bl)) * bl;
            int src_id = (j % (4 * bl)) / bl;
            src_offset += (j % bl);
            int index = (((j & 31) >> 3) << 2) + ((j >> 8) << 4) + ((j >> 6) & 3);
            float x0 = srcv[src_id][src_offset] * iscale[src_id];
            y[i].qs[j] = (int8_t)ck_nearest_int(x0);
            y[i].bsums[index] += y[i].qs[j];
        }
    }
}

static void unpack_scales8(const blk_q4_Kx8 *b, uint32_t utmp[32]) {
    for (int sb = 0; sb < 8; sb++) ck_q4_Kx8_scales(b, sb, (uint8_t *)(utmp + sb * 4));
}

void ck_gemv_q4_K_8x8_q8_K_generic(int n, float *s, size_t bs, const void *vx, const void *vy, int nr, int nc) {
    (void)bs; (void)nr;
    const int nb = n / QKK;
    float sumf[8], sum_minf[8];
    uint32_t utmp[32];
    const blk_q8_K *a_ptr = vy;
    for (int x = 0; x < nc / 8; x++) {
        const blk_q4_Kx8 *b_ptr = (const blk_q4_Kx8 *)vx + x * nb;
        for (int j = 0; j < 8; j++) { sumf[j] = 0; sum_minf[j] = 0; }
        for (int l = 0; l < nb; l++) {
            unpack_scales8(&b_ptr[l], utmp);
            for (int k = 0; k < 16; k++) {
                const uint8_t *scales_0 = (const uint8_t *)utmp + (k / 4) * 32;
                const uint8_t *scales_1 = (const uint8_t *)utmp + (k / 4) * 32 + 16;
                for (int j = 0; j < 8; j++) {
                    int sumi = 0;
                    for (int i = 0; i < 8; ++i) {
                        const uint8_t q = b_ptr[l].qs[k * 64 + j * 8 + i];
                        int sumi1 = (q & 0xF) * a_ptr[l].qs[(k >> 2) * 64 + (k % 4) * 8 + i];
                        int sumi2 = (q >> 4) * a_ptr[l].qs[(k >> 2) * 64 + (k % 4) * 8 + i + 32];
                        sumi += sumi1 * scales_0[j] + sumi2 * scales_1[j];
                    }
                    sumf[j] = fmaf((float)sumi * ck_h2f(b_ptr[l].d[j]), a_ptr[l].d, sumf[j]);
                }
            }
            for (int sb = 0; sb < 8; sb++) {
                const uint8_t *mins = (const uint8_t *)utmp + 8 + sb * 16;
                for (int j = 0; j < 8; j++)
                    sum_minf[j] += (float)(mins[j] * (a_ptr[l].bsums[sb * 2] + a_ptr[l].bsums[sb * 2 + 1])) *
                                   ck_h2f(b_ptr[l].dmin[j]) * a_ptr[l].d;
            }
        }
        for (int j = 0; j < 8; j++) s[x * 8 + j] = sumf[j] - sum_minf[j];
    }
}

void ck_gemm_q4_K_8x8_q8_K_generic(int n, float *s, size_t bs, const void *vx, const void *vy, int nr, int nc) {
    const int nb = n / QKK;
    float sumf[4][8], sum_minf[4][8];
    uint32_t utmp[32];
    for (int y = 0; y < nr / 4; y++) {
        const blk_q8_Kx4 *a_ptr = (const blk_q8_Kx4 *)vy + y * nb;
        for (int x = 0; x < nc / 8; x++) {
            const blk_q4_Kx8 *b_ptr = (const blk_q4_Kx8 *)vx + x * nb;
            for (int m = 0; m < 4; m++)
                for (int j = 0; j < 8; j++) { sumf[m][j] = 0; sum_minf[m][j] = 0; }
            for (int l = 0; l < nb; l++) {
                unpack_scales8(&b_ptr[l], utmp);
                for (int k = 0; k < 16; k++) {
                    const uint8_t *scales_0 = (const uint8_t *)utmp + (k / 4) * 32;
                    const uint8_t *scales_1 = (const uint8_t *)utmp + (k / 4) * 32 + 16;
                    for (int m = 0; m < 4; m++)
                        for (int j = 0; j < 8; j++) {
                            int sumi = 0;
                            for (int i = 0; i < 8; ++i) {
                                const uint8_t q = b_ptr[l].qs[k * 64 + j * 8 + i];
                                int sumi1 = (q & 0xF) * a_ptr[l].qs[(k >> 2) * 256 + (k % 4) * 32 + m * 8 + i];
                                int sumi2 = (q >> 4) * a_ptr[l].qs[(k >> 2) * 256 + (k % 4) * 32 + m * 8 + i + 128];
                                sumi += sumi1 * scales_0[j] + sumi2 * scales_1[j];
                            }
                            sumf[m][j] = fmaf((float)sumi * ck_h2f(b_ptr[l].d[j]), a_ptr[l].d[m], sumf[m][j]);
                        }
                }
                for (int sb = 0; sb < 8; sb++) {
                    const uint8_t *mins = (const uint8_t *)utmp + 8 + sb * 16;
                    for (int m = 0; m < 4; m++) {
                        const int16_t *bsums = a_ptr[l].bsums + (sb * 8) + (m * 4) - ((sb % 2) * 6);
                        for (int j = 0; j < 8; j++)
                            sum_minf[m][j] = fmaf((float)(mins[j] * (bsums[0] + bsums[1])) * ck_h2f(b_ptr[l].dmin[j]), a_ptr[l].d[m], sum_minf[m][j]);
                    }
                }
            }
            for (int m = 0; m < 4; m++)
                for (int j = 0; j < 8; j++)
                    s[(size_t)(y * 4 + m) * bs + x * 8 + j] = sumf[m][j] - sum_minf[m][j];
        }
    }
}


/* ---- dispatch ---- */
void ck_quantize_mat_q8_K_4x8(const float *x, void *y, int64_t k) {
#if CK_REPACK_AVX2
    if (ck_has_avx2()) { ck_avx2_quantize_mat_q8_K_4x8(x, y, k); return; }
#endif
    ck_quantize_mat_q8_K_4x8_generic(x, y, k);
}
void ck_gemv_q4_K_8x8_q8_K(int n, float *s, size_t bs, const void *vx, const void *vy, int nr, int nc) {
#if CK_REPACK_AVX2
    if (ck_has_avx2()) { ck_avx2_gemv_q4_K_8x8_q8_K(n, s, bs, vx, vy, nr, nc); return; }
#endif
    ck_gemv_q4_K_8x8_q8_K_generic(n, s, bs, vx, vy, nr, nc);
}
void ck_gemm_q4_K_8x8_q8_K(int n, float *s, size_t bs, const void *vx, const void *vy, int nr, int nc) {
#if CK_REPACK_AVX2
    if (ck_has_avx2()) { ck_avx2_gemm_q4_K_8x8_q8_K(n, s, bs, vx, vy, nr, nc); return; }
#endif
    ck_gemm_q4_K_8x8_q8_K_generic(n, s, bs, vx, vy, nr, nc);
}

int ck_repack_available(void) {
#if CK_REPACK_AVX2
    /* AQYL_REPACK=0 keeps vec_dot for Q4_K (to compare against). */
    const char *e = getenv("AQYL_REPACK");
    if (e && strcmp(e, "0") == 0) return 0;
    return ck_has_avx2();
#else
    return 0;
#endif
}

/* llama.cpp's forward_mul_mat for a repacked Q4_K matrix, output rows
 * [row0, row1) (multiples of 8): gemm over the first tokens - tokens % 4
 * activation rows (quantized as block_q8_Kx4 groups), gemv for the rest
 * (plain Q8_K rows). `a` holds the activations quantized that way. */
void ck_repack_gemm_rows(const void *w, int rows, int row0, int row1, const void *a, int tokens, int cols,
                         float *y, size_t ldy) {
    (void)rows;
    const int nb = cols / QKK;
    const size_t astride = (size_t)nb * sizeof(blk_q8_K);
    const uint8_t *wb = (const uint8_t *)w + (size_t)(row0 / 8) * nb * sizeof(blk_q4_Kx8);
    const int nc = row1 - row0;
    const int g = tokens - tokens % 4;
    /* the lanes form first (same bits, a third of the work), ggml's own if it cannot run */
    if (tokens > 3 && ck_gemm_q4_K_8x8_q8_K_lanes_avx2(cols, y + row0, ldy, wb, a, g, nc) != 0)
        ck_gemm_q4_K_8x8_q8_K(cols, y + row0, ldy, wb, a, g, nc);
    for (int t = g; t < tokens; ++t)
        ck_gemv_q4_K_8x8_q8_K(cols, y + (size_t)t * ldy + row0, ldy, wb, (const uint8_t *)a + (size_t)t * astride, 1, nc);
}

void ck_repack_gemm_claim(const void *w, int rows, int *next_row, int chunk, const void *a, int tokens, int cols,
                          float *y, size_t ldy) {
    for (;;) {
        const int r0 = __atomic_fetch_add(next_row, chunk, __ATOMIC_RELAXED);
        if (r0 >= rows) return;
        const int r1 = r0 + chunk < rows ? r0 + chunk : rows;
        ck_repack_gemm_rows(w, rows, r0, r1, a, tokens, cols, y, ldy);
    }
}

/* Quantizes `tokens` activation rows the way forward_mul_mat does: groups of
 * 4 rows with quantize_mat (block_q8_Kx4), leftover rows with quantize_row_q8_K. */
void ck_repack_quantize_act(const float *x, void *y, int tokens, int cols) {
    const size_t astride = (size_t)(cols / QKK) * sizeof(blk_q8_K);
    const int g = tokens - tokens % 4;
    for (int t = 0; t < g; t += 4)
        ck_quantize_mat_q8_K_4x8(x + (size_t)t * cols, (uint8_t *)y + (size_t)t * astride, cols);
    for (int t = g; t < tokens; ++t)
        ck_quantize_act(CK_Q8_K, x + (size_t)t * cols, (uint8_t *)y + (size_t)t * astride, cols);
}

/* Lazily built repacked copy: the first caller to find *slot empty builds
 * one and publishes it with a CAS; a racing loser frees its own copy.
 * Returns NULL when the matrix is not eligible or allocation fails. */
const void *ck_repack_q4_K_lazy(void **slot, const void *src, int rows, int cols) {
    void *p = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (p) return p;
    if (rows <= 0 || rows % 8 != 0 || cols % QKK != 0) return NULL;
    const size_t bytes = (size_t)rows * (size_t)(cols / QKK) * sizeof(blk_q4_K);
    void *buf = ck_weights_alloc(bytes);
    if (!buf) return NULL;
    ck_repack_q4_K_8x8(src, buf, rows, cols);
    void *expected = NULL;
    if (__atomic_compare_exchange_n(slot, &expected, buf, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) return buf;
    ck_weights_free(buf);
    return expected;
}

void ck_repack_free(void *p) { ck_weights_free(p); }
