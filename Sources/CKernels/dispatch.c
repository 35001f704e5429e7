/*
 * Runtime kernel selection and the row-tiled matmul driver: each entry point
 * picks the AVX2 kernel when ck_has_avx2() (cpu_features.c) says the CPU and
 * the build have it, else the portable generic one.
 */
#include "ck_internal.h"
#include <stdatomic.h>
#include <stdlib.h>

int ck_vec_dot_type(int wtype) {
    switch (wtype) {
    case CK_F32: case CK_F16: case CK_BF16: return CK_F32;
    case CK_Q4_0: case CK_Q5_0: case CK_Q8_0: return CK_Q8_0;
    case CK_Q4_1: case CK_Q5_1: return CK_Q8_1;
    case CK_Q4_K: case CK_Q5_K: case CK_Q6_K: return CK_Q8_K;
    default: return -1;
    }
}

static ck_dot_fn dot_for(int wtype) {
    ck_dot_fn f = ck_has_avx2() ? ck_avx2_dot_for(wtype) : NULL;
    return f ? f : ck_generic_dot_for(wtype);
}

float ck_vec_dot(int wtype, int n, const void *x, const void *y) {
    ck_dot_fn f = dot_for(wtype);
    return f ? f(n, x, y) : 0.0f;
}

float ck_vec_dot_generic(int wtype, int n, const void *x, const void *y) {
    ck_dot_fn f = ck_generic_dot_for(wtype);
    return f ? f(n, x, y) : 0.0f;
}

float ck_vec_dot_avx2(int wtype, int n, const void *x, const void *y) {
    ck_dot_fn f = ck_has_avx2() ? ck_avx2_dot_for(wtype) : NULL;
    if (!f) f = ck_generic_dot_for(wtype);
    return f ? f(n, x, y) : 0.0f;
}

void ck_quantize_act(int atype, const float *x, void *y, int n) {
    if (ck_has_avx2()) ck_quantize_act_avx2_impl(atype, x, y, n);
    else ck_quantize_act_generic(atype, x, y, n);
}

void ck_quantize_act_avx2(int atype, const float *x, void *y, int n) {
    ck_quantize_act(atype, x, y, n);
}

/* Rows per tile when several tokens share the weights: 16 rows of a
 * 2048-wide Q4_K matrix are ~18 KB, which stays in L1/L2 while every token's
 * activations stream past. */
#define ROW_TILE 16

/* Converts the fp16 scales (d, and s for Q8_1) of 4 activation rows to
 * floats laid out [block][token], as the x4 kernels want them. */
static void gather_scales4(int atype, const uint8_t *a, size_t astride, int nb, float *d4, float *s4) {
    const size_t bb = atype == CK_Q8_1 ? sizeof(blk_q8_1) : sizeof(blk_q8_0);
    for (int t = 0; t < 4; ++t)
        for (int ib = 0; ib < nb; ++ib) {
            const uint8_t *blk = a + (size_t)t * astride + (size_t)ib * bb;
            uint16_t h; memcpy(&h, blk, 2);
            d4[4 * ib + t] = ck_h2f(h);
            if (atype == CK_Q8_1) { memcpy(&h, blk + 2, 2); s4[4 * ib + t] = ck_h2f(h); }
            else s4[4 * ib + t] = 0;
        }
}

void ck_gemm_rows(int wtype, const void *w, size_t wstride, int row0, int row1,
                  const void *a, size_t astride, int tokens, int cols,
                  float *y, size_t ldy) {
    ck_gemm_rows_ex(wtype, w, wstride, row0, row1, a, astride, tokens, cols, y, ldy, 1);
}

void ck_gemm_rows_ex(int wtype, const void *w, size_t wstride, int row0, int row1,
                     const void *a, size_t astride, int tokens, int cols,
                     float *y, size_t ldy, int allow_tiled) {
    /* llama.cpp's tiled K-quant matmul takes batches of 8+ tokens (tiled.c). */
    if (allow_tiled && ck_tiled_active(wtype, tokens)) {
        ck_tiled_gemm_rows(wtype, w, wstride, row0, row1, a, astride, tokens, cols, y, ldy);
        return;
    }
    ck_dot_fn f = dot_for(wtype);
    if (!f) return;
    const uint8_t *wb = w, *ab = a;
    if (tokens == 1) {
        for (int r = row0; r < row1; ++r) y[r] = f(cols, wb + (size_t)r * wstride, ab);
        return;
    }
    /* 4-token kernels where available: scales of all 4-token groups are
     * converted up front (small next to the work of even one row tile). */
    ck_x4_fn f4 = (ck_has_avx2() && tokens >= 4) ? ck_avx2_x4_for(wtype) : NULL;
    const int nb = cols / QK, groups = f4 ? tokens / 4 : 0;
    float *scales = NULL;
    /* Q8_K kernels read each token's float scale from its own block. */
    if (groups > 0 && ck_vec_dot_type(wtype) != CK_Q8_K) {
        scales = malloc(sizeof(float) * (size_t)groups * (size_t)nb * 8);
        if (!scales) { f4 = NULL; } else {
            const int atype = ck_vec_dot_type(wtype);
            for (int g = 0; g < groups; ++g)
                gather_scales4(atype, ab + (size_t)(4 * g) * astride, astride, nb,
                               scales + (size_t)g * nb * 8, scales + (size_t)g * nb * 8 + (size_t)nb * 4);
        }
    }
    const int tail = f4 ? 4 * groups : 0;
    for (int r0 = row0; r0 < row1; r0 += ROW_TILE) {
        const int r1 = r0 + ROW_TILE < row1 ? r0 + ROW_TILE : row1;
        for (int g = 0; f4 && g < groups; ++g) {
            const float *d4 = scales ? scales + (size_t)g * nb * 8 : NULL;
            const float *s4 = scales ? d4 + (size_t)nb * 4 : NULL;
            const uint8_t *ag = ab + (size_t)(4 * g) * astride;
            for (int r = r0; r < r1; ++r) {
                float out[4];
                f4(nb, wb + (size_t)r * wstride, ag, astride, d4, s4, out);
                for (int k = 0; k < 4; ++k) y[(size_t)(4 * g + k) * ldy + r] = out[k];
            }
        }
        for (int t = tail; t < tokens; ++t) {
            const void *at = ab + (size_t)t * astride;
            float *yt = y + (size_t)t * ldy;
            for (int r = r0; r < r1; ++r) yt[r] = f(cols, wb + (size_t)r * wstride, at);
        }
    }
    free(scales);
}

void ck_gemm_claim(int wtype, const void *w, size_t wstride, int rows, int *next_row, int chunk,
                   const void *a, size_t astride, int tokens, int cols, float *y, size_t ldy) {
    ck_gemm_claim_ex(wtype, w, wstride, rows, next_row, chunk, a, astride, tokens, cols, y, ldy, 1);
}

void ck_gemm_claim_ex(int wtype, const void *w, size_t wstride, int rows, int *next_row, int chunk,
                      const void *a, size_t astride, int tokens, int cols, float *y, size_t ldy,
                      int allow_tiled) {
    for (;;) {
        const int r0 = __atomic_fetch_add(next_row, chunk, __ATOMIC_RELAXED);
        if (r0 >= rows) return;
        const int r1 = r0 + chunk < rows ? r0 + chunk : rows;
        ck_gemm_rows_ex(wtype, w, wstride, r0, r1, a, astride, tokens, cols, y, ldy, allow_tiled);
    }
}
