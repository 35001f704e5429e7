/*
 * Fast dequantization to F32. Same arithmetic (operation order included)
 * as ggml's dequantize_row_* so results are bit-exact; the inner loops are
 * written so -O3 vectorizes them. FP contraction is off (ck_internal.h).
 */
#include "ck_internal.h"

static void dq_q4_0(const blk_q4_0 *x, float *y, int n) {
    for (int i = 0; i < n / QK; i++, y += QK) {
        const float d = ck_h2f(x[i].d);
        for (int j = 0; j < 16; ++j) {
            y[j] = (float)((x[i].qs[j] & 0x0F) - 8) * d;
            y[j + 16] = (float)((x[i].qs[j] >> 4) - 8) * d;
        }
    }
}

static void dq_q4_1(const blk_q4_1 *x, float *y, int n) {
    for (int i = 0; i < n / QK; i++, y += QK) {
        const float d = ck_h2f(x[i].d), m = ck_h2f(x[i].m);
        for (int j = 0; j < 16; ++j) {
            y[j] = (float)(x[i].qs[j] & 0x0F) * d + m;
            y[j + 16] = (float)(x[i].qs[j] >> 4) * d + m;
        }
    }
}

static void dq_q5_0(const blk_q5_0 *x, float *y, int n) {
    for (int i = 0; i < n / QK; i++, y += QK) {
        const float d = ck_h2f(x[i].d);
        uint32_t qh; memcpy(&qh, x[i].qh, 4);
        for (int j = 0; j < 16; ++j) {
            const int h0 = ((qh >> j) << 4) & 0x10;
            const int h1 = (qh >> (j + 12)) & 0x10;
            y[j] = (float)(((x[i].qs[j] & 0x0F) | h0) - 16) * d;
            y[j + 16] = (float)(((x[i].qs[j] >> 4) | h1) - 16) * d;
        }
    }
}

static void dq_q5_1(const blk_q5_1 *x, float *y, int n) {
    for (int i = 0; i < n / QK; i++, y += QK) {
        const float d = ck_h2f(x[i].d), m = ck_h2f(x[i].m);
        uint32_t qh; memcpy(&qh, x[i].qh, 4);
        for (int j = 0; j < 16; ++j) {
            const int h0 = ((qh >> j) << 4) & 0x10;
            const int h1 = (qh >> (j + 12)) & 0x10;
            y[j] = (float)((x[i].qs[j] & 0x0F) | h0) * d + m;
            y[j + 16] = (float)((x[i].qs[j] >> 4) | h1) * d + m;
        }
    }
}

static void dq_q8_0(const blk_q8_0 *x, float *y, int n) {
    for (int i = 0; i < n / QK; i++, y += QK) {
        const float d = ck_h2f(x[i].d);
        for (int j = 0; j < 32; ++j) y[j] = (float)x[i].qs[j] * d;
    }
}

static void dq_q4_K(const blk_q4_K *x, float *y, int n) {
    for (int i = 0; i < n / QKK; i++) {
        const float d = ck_h2f(x[i].d), dmin = ck_h2f(x[i].dmin);
        const uint8_t *q = x[i].qs;
        for (int c = 0; c < 4; ++c, q += 32, y += 64) {
            uint8_t sc, m;
            ck_scale_min_k4(2 * c, x[i].scales, &sc, &m);
            const float d1 = d * sc, m1 = dmin * m;
            ck_scale_min_k4(2 * c + 1, x[i].scales, &sc, &m);
            const float d2 = d * sc, m2 = dmin * m;
            for (int l = 0; l < 32; ++l) y[l] = d1 * (float)(q[l] & 0xF) - m1;
            for (int l = 0; l < 32; ++l) y[l + 32] = d2 * (float)(q[l] >> 4) - m2;
        }
    }
}

static void dq_q5_K(const blk_q5_K *x, float *y, int n) {
    for (int i = 0; i < n / QKK; i++) {
        const float d = ck_h2f(x[i].d), dmin = ck_h2f(x[i].dmin);
        const uint8_t *q = x[i].qs, *qh = x[i].qh;
        for (int c = 0; c < 4; ++c, q += 32, y += 64) {
            uint8_t sc, m;
            ck_scale_min_k4(2 * c, x[i].scales, &sc, &m);
            const float d1 = d * sc, m1 = dmin * m;
            ck_scale_min_k4(2 * c + 1, x[i].scales, &sc, &m);
            const float d2 = d * sc, m2 = dmin * m;
            const uint8_t u1 = (uint8_t)(1 << (2 * c)), u2 = (uint8_t)(2 << (2 * c));
            for (int l = 0; l < 32; ++l) y[l] = d1 * (float)((q[l] & 0xF) + ((qh[l] & u1) ? 16 : 0)) - m1;
            for (int l = 0; l < 32; ++l) y[l + 32] = d2 * (float)((q[l] >> 4) + ((qh[l] & u2) ? 16 : 0)) - m2;
        }
    }
}

static void dq_q6_K(const blk_q6_K *x, float *y, int n) {
    for (int i = 0; i < n / QKK; i++) {
        const float d = ck_h2f(x[i].d);
        for (int h = 0; h < 2; ++h, y += 128) {
            const uint8_t *ql = x[i].ql + 64 * h, *qh = x[i].qh + 32 * h;
            const int8_t *sc = x[i].scales + 8 * h;
            for (int l = 0; l < 32; ++l) {
                const int is = l / 16;
                const int q1 = (int)((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
                const int q2 = (int)((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                const int q3 = (int)((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                const int q4 = (int)((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                y[l] = d * (float)sc[is] * (float)q1;
                y[l + 32] = d * (float)sc[is + 2] * (float)q2;
                y[l + 64] = d * (float)sc[is + 4] * (float)q3;
                y[l + 96] = d * (float)sc[is + 6] * (float)q4;
            }
        }
    }
}

static void dq_q8_K(const uint8_t *x, float *y, int n) {
    for (int i = 0; i < n / QKK; i++, x += sizeof(blk_q8_K), y += QKK) {
        float d; memcpy(&d, x, 4);
        const int8_t *qs = (const int8_t *)(x + 4);
        for (int j = 0; j < QKK; ++j) y[j] = d * (float)qs[j];
    }
}

int ck_dequantize(int type, const void *x, float *y, int n) {
    switch (type) {
    case CK_F32: memcpy(y, x, (size_t)n * 4); return 0;
    case CK_F16: { const uint16_t *h = x; for (int i = 0; i < n; ++i) y[i] = ck_h2f(h[i]); return 0; }
    case CK_BF16: { const uint16_t *h = x; for (int i = 0; i < n; ++i) y[i] = ck_b2f(h[i]); return 0; }
    case CK_Q4_0: dq_q4_0(x, y, n); return 0;
    case CK_Q4_1: dq_q4_1(x, y, n); return 0;
    case CK_Q5_0: dq_q5_0(x, y, n); return 0;
    case CK_Q5_1: dq_q5_1(x, y, n); return 0;
    case CK_Q8_0: dq_q8_0(x, y, n); return 0;
    case CK_Q4_K: dq_q4_K(x, y, n); return 0;
    case CK_Q5_K: dq_q5_K(x, y, n); return 0;
    case CK_Q6_K: dq_q6_K(x, y, n); return 0;
    case CK_Q8_K: dq_q8_K(x, y, n); return 0;
    default: return -1;
    }
}
