/*
 * Scalar dot products of each weight type against the activation type
 * llama.cpp pairs it with. These reproduce ggml-cpu/quants.c's *_generic
 * functions bit for bit, as GCC compiles them for x86 (-O3 -march=native,
 * whose default -ffp-contract=fast fuses some `a*b + c` into FMAs): every
 * such fusion is written out here as fmaf, every other product is rounded
 * (FP_CONTRACT is off in ck_internal.h). Integer sums are exact, so only the
 * float steps need to follow ggml's order. scripts/kernel_goldens.py checks
 * this against libggml-cpu.so.
 */
#include "ck_internal.h"

static float dot_q4_0_q8_0(int n, const void *vx, const void *vy) {
    const blk_q4_0 *x = vx; const blk_q8_0 *y = vy;
    float sumf = 0;
    for (int ib = 0; ib < n / QK; ++ib) {
        int s0 = 0, s1 = 0;
        for (int j = 0; j < 16; ++j) {
            s0 += ((x[ib].qs[j] & 0x0F) - 8) * y[ib].qs[j];
            s1 += ((x[ib].qs[j] >> 4) - 8) * y[ib].qs[j + 16];
        }
        sumf += (float)(s0 + s1) * ck_h2f(x[ib].d) * ck_h2f(y[ib].d);
    }
    return sumf;
}

static float dot_q4_1_q8_1(int n, const void *vx, const void *vy) {
    const blk_q4_1 *x = vx; const blk_q8_1 *y = vy;
    float sumf = 0;
    for (int ib = 0; ib < n / QK; ++ib) {
        int s0 = 0, s1 = 0;
        for (int j = 0; j < 16; ++j) {
            s0 += (x[ib].qs[j] & 0x0F) * y[ib].qs[j];
            s1 += (x[ib].qs[j] >> 4) * y[ib].qs[j + 16];
        }
        /* ggml: sumf += (d*d')*sumi + m*s', fused as fma(d*d', sumi, m*s') */
        sumf += fmaf(ck_h2f(x[ib].d) * ck_h2f(y[ib].d), (float)(s0 + s1), ck_h2f(x[ib].m) * ck_h2f(y[ib].s));
    }
    return sumf;
}

static float dot_q5_0_q8_0(int n, const void *vx, const void *vy) {
    const blk_q5_0 *x = vx; const blk_q8_0 *y = vy;
    float sumf = 0;
    for (int ib = 0; ib < n / QK; ++ib) {
        uint32_t qh; memcpy(&qh, x[ib].qh, 4);
        int s0 = 0, s1 = 0;
        for (int j = 0; j < 16; ++j) {
            const int h0 = ((qh >> j) << 4) & 0x10;
            const int h1 = (qh >> (j + 12)) & 0x10;
            s0 += (((x[ib].qs[j] & 0x0F) | h0) - 16) * y[ib].qs[j];
            s1 += (((x[ib].qs[j] >> 4) | h1) - 16) * y[ib].qs[j + 16];
        }
        sumf += (float)(s0 + s1) * ck_h2f(x[ib].d) * ck_h2f(y[ib].d);
    }
    return sumf;
}

static float dot_q5_1_q8_1(int n, const void *vx, const void *vy) {
    const blk_q5_1 *x = vx; const blk_q8_1 *y = vy;
    float sumf = 0;
    for (int ib = 0; ib < n / QK; ++ib) {
        uint32_t qh; memcpy(&qh, x[ib].qh, 4);
        int s0 = 0, s1 = 0;
        for (int j = 0; j < 16; ++j) {
            const int h0 = ((qh >> j) << 4) & 0x10;
            const int h1 = (qh >> (j + 12)) & 0x10;
            s0 += ((x[ib].qs[j] & 0x0F) | h0) * y[ib].qs[j];
            s1 += ((x[ib].qs[j] >> 4) | h1) * y[ib].qs[j + 16];
        }
        /* ggml: sumf += (d*d')*sumi + m*s', fused as fma(d*d', sumi, m*s') */
        sumf += fmaf(ck_h2f(x[ib].d) * ck_h2f(y[ib].d), (float)(s0 + s1), ck_h2f(x[ib].m) * ck_h2f(y[ib].s));
    }
    return sumf;
}

static float dot_q8_0_q8_0(int n, const void *vx, const void *vy) {
    const blk_q8_0 *x = vx; const blk_q8_0 *y = vy;
    float sumf = 0;
    for (int ib = 0; ib < n / QK; ++ib) {
        int s = 0;
        for (int j = 0; j < 32; ++j) s += x[ib].qs[j] * y[ib].qs[j];
        sumf += (float)s * (ck_h2f(x[ib].d) * ck_h2f(y[ib].d));
    }
    return sumf;
}

/* Q4_K / Q5_K / Q6_K, ggml's generic scheme: integer products summed into 8
 * lanes (position mod 8) per block, then sums[l] += d*lane[l] (fused for
 * Q4_K/Q5_K, rounded for Q6_K, as GCC compiles them), the min term fused into
 * sumf, and finally sumf += sums[0..7] in order. */
static void lanes8(const int8_t *a, const int8_t *q8, const int *scale16, int32_t aux32[8]) {
    memset(aux32, 0, 8 * sizeof(int32_t));
    for (int g = 0; g < 16; ++g)   /* 16 groups of 16 */
        for (int l = 0; l < 16; ++l) aux32[l & 7] += scale16[g] * (a[16 * g + l] * q8[16 * g + l]);
}

/* `a` holds the 256 unsigned quants (< 32) of one Q4_K/Q5_K block. */
static void kquant_block(const int8_t *a, const uint8_t *scales12, const blk_q8_K *y, float d16, float dmin16,
                         float sums[8], float *sumf) {
    int scale16[16];
    int summ = 0;
    for (int j = 0; j < 8; ++j) {
        uint8_t sc, m;
        ck_scale_min_k4(j, scales12, &sc, &m);
        scale16[2 * j] = scale16[2 * j + 1] = sc;
        summ += m * (y->bsums[2 * j] + y->bsums[2 * j + 1]);
    }
    int32_t aux32[8];
    lanes8(a, y->qs, scale16, aux32);
    const float d = d16 * y->d;
    for (int l = 0; l < 8; ++l) sums[l] = fmaf(d, (float)aux32[l], sums[l]);
    const float dmin = dmin16 * y->d;
    *sumf = fmaf(-dmin, (float)summ, *sumf);
}

static float dot_q4_K_q8_K(int n, const void *vx, const void *vy) {
    const blk_q4_K *x = vx; const blk_q8_K *y = vy;
    float sums[8] = {0}, sumf = 0;
    int8_t a[QKK];
    for (int i = 0; i < n / QKK; ++i) {
        for (int c = 0; c < 4; ++c)
            for (int l = 0; l < 32; ++l) {
                a[64 * c + l] = (int8_t)(x[i].qs[32 * c + l] & 0xF);
                a[64 * c + 32 + l] = (int8_t)(x[i].qs[32 * c + l] >> 4);
            }
        kquant_block(a, x[i].scales, &y[i], ck_h2f(x[i].d), ck_h2f(x[i].dmin), sums, &sumf);
    }
    for (int l = 0; l < 8; ++l) sumf += sums[l];
    return sumf;
}

static float dot_q5_K_q8_K(int n, const void *vx, const void *vy) {
    const blk_q5_K *x = vx; const blk_q8_K *y = vy;
    float sums[8] = {0}, sumf = 0;
    int8_t a[QKK];
    for (int i = 0; i < n / QKK; ++i) {
        for (int c = 0; c < 4; ++c)
            for (int l = 0; l < 32; ++l) {
                const uint8_t h = x[i].qh[l];
                a[64 * c + l] = (int8_t)((x[i].qs[32 * c + l] & 0xF) + ((h >> (2 * c)) & 1) * 16);
                a[64 * c + 32 + l] = (int8_t)((x[i].qs[32 * c + l] >> 4) + ((h >> (2 * c + 1)) & 1) * 16);
            }
        kquant_block(a, x[i].scales, &y[i], ck_h2f(x[i].d), ck_h2f(x[i].dmin), sums, &sumf);
    }
    for (int l = 0; l < 8; ++l) sumf += sums[l];
    return sumf;
}

static float dot_q6_K_q8_K(int n, const void *vx, const void *vy) {
    const blk_q6_K *x = vx; const blk_q8_K *y = vy;
    float sums[8] = {0}, sumf = 0;
    int8_t a[QKK];
    for (int i = 0; i < n / QKK; ++i) {
        for (int h = 0; h < 2; ++h) {
            const uint8_t *ql = x[i].ql + 64 * h, *qh = x[i].qh + 32 * h;
            int8_t *o = a + 128 * h;
            for (int l = 0; l < 32; ++l) {
                o[l]      = (int8_t)(((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32);
                o[l + 32] = (int8_t)(((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32);
                o[l + 64] = (int8_t)(((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32);
                o[l + 96] = (int8_t)(((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32);
            }
        }
        int scale16[16];
        for (int g = 0; g < 16; ++g) scale16[g] = x[i].scales[g];
        int32_t aux32[8];
        lanes8(a, y[i].qs, scale16, aux32);
        const float d = ck_h2f(x[i].d) * y[i].d;
        for (int l = 0; l < 8; ++l) sums[l] += d * (float)aux32[l];   /* not fused in ggml's build */
    }
    for (int l = 0; l < 8; ++l) sumf += sums[l];
    return sumf;
}

static float dot_f32_f32(int n, const void *vx, const void *vy) {
    const float *x = vx, *y = vy;
    float acc[8] = {0};
    int i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; ++k) acc[k] += x[i + k] * y[i + k];
    float s = 0;
    for (int k = 0; k < 8; ++k) s += acc[k];
    for (; i < n; ++i) s += x[i] * y[i];
    return s;
}

static float dot_f16_f32(int n, const void *vx, const void *vy) {
    const uint16_t *x = vx; const float *y = vy;
    float acc[8] = {0};
    int i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; ++k) acc[k] += ck_h2f(x[i + k]) * y[i + k];
    float s = 0;
    for (int k = 0; k < 8; ++k) s += acc[k];
    for (; i < n; ++i) s += ck_h2f(x[i]) * y[i];
    return s;
}

static float dot_bf16_f32(int n, const void *vx, const void *vy) {
    const uint16_t *x = vx; const float *y = vy;
    float acc[8] = {0};
    int i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; ++k) acc[k] += ck_b2f(x[i + k]) * y[i + k];
    float s = 0;
    for (int k = 0; k < 8; ++k) s += acc[k];
    for (; i < n; ++i) s += ck_b2f(x[i]) * y[i];
    return s;
}

ck_dot_fn ck_generic_dot_for(int wtype) {
    switch (wtype) {
    case CK_F32: return dot_f32_f32;
    case CK_F16: return dot_f16_f32;
    case CK_BF16: return dot_bf16_f32;
    case CK_Q4_0: return dot_q4_0_q8_0;
    case CK_Q4_1: return dot_q4_1_q8_1;
    case CK_Q5_0: return dot_q5_0_q8_0;
    case CK_Q5_1: return dot_q5_1_q8_1;
    case CK_Q8_0: return dot_q8_0_q8_0;
    case CK_Q4_K: return dot_q4_K_q8_K;
    case CK_Q5_K: return dot_q5_K_q8_K;
    case CK_Q6_K: return dot_q6_K_q8_K;
    default: return NULL;
    }
}
