/*
 * Reference quantizers F32 -> ggml block types, following ggml-quants.c's
 * quantize_row_*_ref (round-to-nearest with the same scale choice, and the
 * same make_qkx2/make_qx searches for K-quants), so files we write load the
 * same way in llama.cpp and our tests exercise realistic blocks.
 */
#include "ck_internal.h"
#include <float.h>

#define GROUP_MAX_EPS 1e-15f
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

float ck_fp16_to_fp32(uint16_t h) { return ck_h2f(h); }
uint16_t ck_fp32_to_fp16(float f) { return ck_f2h(f); }
float ck_bf16_to_fp32(uint16_t h) { return ck_b2f(h); }
uint16_t ck_fp32_to_bf16(float f) { return ck_f2b(f); }

static void q4_0_ref(const float *x, blk_q4_0 *y, int n) {
    for (int i = 0; i < n / QK; i++, x += QK) {
        float amax = 0.0f, max = 0.0f;
        for (int j = 0; j < QK; j++)
            if (amax < fabsf(x[j])) { amax = fabsf(x[j]); max = x[j]; }
        const float d = max / -8;
        const float id = d ? 1.0f / d : 0.0f;
        y[i].d = ck_f2h(d);
        for (int j = 0; j < 16; ++j) {
            const uint8_t xi0 = MIN(15, (int8_t)(x[j] * id + 8.5f));
            const uint8_t xi1 = MIN(15, (int8_t)(x[16 + j] * id + 8.5f));
            y[i].qs[j] = (uint8_t)(xi0 | (xi1 << 4));
        }
    }
}

static void q4_1_ref(const float *x, blk_q4_1 *y, int n) {
    for (int i = 0; i < n / QK; i++, x += QK) {
        float min = FLT_MAX, max = -FLT_MAX;
        for (int j = 0; j < QK; j++) { if (x[j] < min) min = x[j]; if (x[j] > max) max = x[j]; }
        const float d = (max - min) / 15;
        const float id = d ? 1.0f / d : 0.0f;
        y[i].d = ck_f2h(d);
        y[i].m = ck_f2h(min);
        for (int j = 0; j < 16; ++j) {
            const uint8_t xi0 = MIN(15, (int8_t)((x[j] - min) * id + 0.5f));
            const uint8_t xi1 = MIN(15, (int8_t)((x[16 + j] - min) * id + 0.5f));
            y[i].qs[j] = (uint8_t)(xi0 | (xi1 << 4));
        }
    }
}

static void q5_0_ref(const float *x, blk_q5_0 *y, int n) {
    for (int i = 0; i < n / QK; i++, x += QK) {
        float amax = 0.0f, max = 0.0f;
        for (int j = 0; j < QK; j++)
            if (amax < fabsf(x[j])) { amax = fabsf(x[j]); max = x[j]; }
        const float d = max / -16;
        const float id = d ? 1.0f / d : 0.0f;
        y[i].d = ck_f2h(d);
        uint32_t qh = 0;
        for (int j = 0; j < 16; ++j) {
            const uint8_t xi0 = MIN(31, (int8_t)(x[j] * id + 16.5f));
            const uint8_t xi1 = MIN(31, (int8_t)(x[16 + j] * id + 16.5f));
            y[i].qs[j] = (uint8_t)((xi0 & 0x0F) | ((xi1 & 0x0F) << 4));
            qh |= ((xi0 & 0x10u) >> 4) << j;
            qh |= ((xi1 & 0x10u) >> 4) << (j + 16);
        }
        memcpy(y[i].qh, &qh, 4);
    }
}

static void q5_1_ref(const float *x, blk_q5_1 *y, int n) {
    for (int i = 0; i < n / QK; i++, x += QK) {
        float min = FLT_MAX, max = -FLT_MAX;
        for (int j = 0; j < QK; j++) { if (x[j] < min) min = x[j]; if (x[j] > max) max = x[j]; }
        const float d = (max - min) / 31;
        const float id = d ? 1.0f / d : 0.0f;
        y[i].d = ck_f2h(d);
        y[i].m = ck_f2h(min);
        uint32_t qh = 0;
        for (int j = 0; j < 16; ++j) {
            const uint8_t xi0 = (uint8_t)((x[j] - min) * id + 0.5f);
            const uint8_t xi1 = (uint8_t)((x[16 + j] - min) * id + 0.5f);
            y[i].qs[j] = (uint8_t)((xi0 & 0x0F) | ((xi1 & 0x0F) << 4));
            qh |= ((xi0 & 0x10u) >> 4) << j;
            qh |= ((xi1 & 0x10u) >> 4) << (j + 16);
        }
        memcpy(y[i].qh, &qh, 4);
    }
}

void ck_quantize_q8_0_ref(const float *x, void *vy, int n) {
    blk_q8_0 *y = vy;
    for (int i = 0; i < n / QK; i++, x += QK) {
        float amax = 0.0f;
        for (int j = 0; j < QK; j++) amax = MAX(amax, fabsf(x[j]));
        const float d = amax / 127;
        const float id = d ? 1.0f / d : 0.0f;
        y[i].d = ck_f2h(d);
        for (int j = 0; j < QK; ++j) y[i].qs[j] = (int8_t)roundf(x[j] * id);
    }
}

void ck_quantize_q8_1_ref(const float *x, void *vy, int n) {
    blk_q8_1 *y = vy;
    for (int i = 0; i < n / QK; i++, x += QK) {
        float amax = 0.0f;
        for (int j = 0; j < QK; j++) amax = MAX(amax, fabsf(x[j]));
        const float d = amax / 127;
        const float id = d ? 1.0f / d : 0.0f;
        y[i].d = ck_f2h(d);
        int sum = 0;
        for (int j = 0; j < QK; ++j) { y[i].qs[j] = (int8_t)roundf(x[j] * id); sum += y[i].qs[j]; }
        y[i].s = ck_f2h((float)sum * d);
    }
}

void ck_quantize_q8_K_ref(const float *x, void *vy, int n) {
    blk_q8_K *y = vy;
    for (int i = 0; i < n / QKK; i++, x += QKK) {
        float max = 0, amax = 0;
        for (int j = 0; j < QKK; ++j)
            if (fabsf(x[j]) > amax) { amax = fabsf(x[j]); max = x[j]; }
        if (!amax) { memset(&y[i], 0, sizeof(blk_q8_K)); continue; }
        const float iscale = -127.f / max;
        for (int j = 0; j < QKK; ++j) y[i].qs[j] = (int8_t)MIN(127, ck_nearest_int(iscale * x[j]));
        for (int j = 0; j < 16; ++j) {
            int sum = 0;
            for (int k = 0; k < 16; ++k) sum += y[i].qs[16 * j + k];
            y[i].bsums[j] = (int16_t)sum;
        }
        y[i].d = 1 / iscale;
    }
}

/* make_qkx2_quants: scale+min search for one 32-element Q4_K/Q5_K sub-block. */
static float make_qkx2(int n, int nmax, const float *x, const float *w, uint8_t *L, float *the_min,
                       uint8_t *Laux, float rmin, float rdelta, int nstep) {
    float min = x[0], max = x[0], sum_w = w[0], sum_x = sum_w * x[0];
    for (int i = 1; i < n; ++i) {
        if (x[i] < min) min = x[i];
        if (x[i] > max) max = x[i];
        sum_w += w[i];
        sum_x += w[i] * x[i];
    }
    if (min > 0) min = 0;
    if (max == min) { for (int i = 0; i < n; ++i) L[i] = 0; *the_min = -min; return 0.f; }
    float iscale = nmax / (max - min);
    float scale = 1 / iscale;
    float best_error = 0;
    for (int i = 0; i < n; ++i) {
        int l = ck_nearest_int(iscale * (x[i] - min));
        L[i] = (uint8_t)MAX(0, MIN(nmax, l));
        float diff = scale * L[i] + min - x[i];
        best_error += w[i] * (diff * diff);
    }
    for (int is = 0; is <= nstep; ++is) {
        iscale = (rmin + rdelta * is + nmax) / (max - min);
        float sum_l = 0, sum_l2 = 0, sum_xl = 0;
        for (int i = 0; i < n; ++i) {
            int l = ck_nearest_int(iscale * (x[i] - min));
            l = MAX(0, MIN(nmax, l));
            Laux[i] = (uint8_t)l;
            sum_l += w[i] * l; sum_l2 += w[i] * l * l; sum_xl += w[i] * l * x[i];
        }
        float D = sum_w * sum_l2 - sum_l * sum_l;
        if (D > 0) {
            float this_scale = (sum_w * sum_xl - sum_x * sum_l) / D;
            float this_min = (sum_l2 * sum_x - sum_l * sum_xl) / D;
            if (this_min > 0) { this_min = 0; this_scale = sum_xl / sum_l2; }
            float cur_error = 0;
            for (int i = 0; i < n; ++i) {
                float diff = this_scale * Laux[i] + this_min - x[i];
                cur_error += w[i] * (diff * diff);
            }
            if (cur_error < best_error) {
                memcpy(L, Laux, (size_t)n);
                best_error = cur_error; scale = this_scale; min = this_min;
            }
        }
    }
    *the_min = -min;
    return scale;
}

/* Shared Q4_K/Q5_K scale packing; fills L[256] with nmax-bounded quants. */
static void kquant_scales(const float *x, int nmax, float rmin, int nstep, uint8_t *scales12,
                          uint16_t *dh, uint16_t *dminh, uint8_t *L) {
    uint8_t Laux[32]; float weights[32], mins[8], scales[8];
    float max_scale = 0, max_min = 0;
    for (int j = 0; j < 8; ++j) {
        float sum_x2 = 0;
        for (int l = 0; l < 32; ++l) sum_x2 += x[32 * j + l] * x[32 * j + l];
        float av_x = sqrtf(sum_x2 / 32);
        for (int l = 0; l < 32; ++l) weights[l] = av_x + fabsf(x[32 * j + l]);
        scales[j] = make_qkx2(32, nmax, x + 32 * j, weights, L + 32 * j, &mins[j], Laux, rmin, 0.1f, nstep);
        if (scales[j] > max_scale) max_scale = scales[j];
        if (mins[j] > max_min) max_min = mins[j];
    }
    float inv_scale = max_scale > 0 ? 63.f / max_scale : 0.f;
    float inv_min = max_min > 0 ? 63.f / max_min : 0.f;
    memset(scales12, 0, 12);
    for (int j = 0; j < 8; ++j) {
        uint8_t ls = (uint8_t)ck_nearest_int(inv_scale * scales[j]);
        uint8_t lm = (uint8_t)ck_nearest_int(inv_min * mins[j]);
        ls = MIN(63, ls); lm = MIN(63, lm);
        if (j < 4) { scales12[j] = ls; scales12[j + 4] = lm; }
        else {
            scales12[j + 4] = (uint8_t)((ls & 0xF) | ((lm & 0xF) << 4));
            scales12[j - 4] |= (uint8_t)((ls >> 4) << 6);
            scales12[j] |= (uint8_t)((lm >> 4) << 6);
        }
    }
    *dh = ck_f2h(max_scale / 63.f);
    *dminh = ck_f2h(max_min / 63.f);
    for (int j = 0; j < 8; ++j) {
        uint8_t sc, m;
        ck_scale_min_k4(j, scales12, &sc, &m);
        const float d = ck_h2f(*dh) * sc;
        if (!d) continue;
        const float dm = ck_h2f(*dminh) * m;
        for (int ii = 0; ii < 32; ++ii) {
            int l = ck_nearest_int((x[32 * j + ii] + dm) / d);
            L[32 * j + ii] = (uint8_t)MAX(0, MIN(nmax, l));
        }
    }
}

static void q4_K_ref(const float *x, blk_q4_K *y, int n) {
    uint8_t L[QKK];
    for (int i = 0; i < n / QKK; i++, x += QKK) {
        kquant_scales(x, 15, -1.f, 20, y[i].scales, &y[i].d, &y[i].dmin, L);
        for (int c = 0; c < 4; ++c)
            for (int l = 0; l < 32; ++l)
                y[i].qs[32 * c + l] = (uint8_t)(L[64 * c + l] | (L[64 * c + 32 + l] << 4));
    }
}

static void q5_K_ref(const float *x, blk_q5_K *y, int n) {
    uint8_t L[QKK];
    for (int i = 0; i < n / QKK; i++, x += QKK) {
        kquant_scales(x, 31, -0.5f, 15, y[i].scales, &y[i].d, &y[i].dmin, L);
        memset(y[i].qh, 0, 32);
        for (int c = 0; c < 4; ++c)
            for (int j = 0; j < 32; ++j) {
                int l1 = L[64 * c + j], l2 = L[64 * c + 32 + j];
                if (l1 > 15) { l1 -= 16; y[i].qh[j] |= (uint8_t)(1 << (2 * c)); }
                if (l2 > 15) { l2 -= 16; y[i].qh[j] |= (uint8_t)(2 << (2 * c)); }
                y[i].qs[32 * c + j] = (uint8_t)(l1 | (l2 << 4));
            }
    }
}

/* make_qx_quants with rmse_type 1 and no importance weights (Q6_K). */
static float make_qx(int n, int nmax, const float *x, int8_t *L) {
    float max = 0, amax = 0;
    for (int i = 0; i < n; ++i)
        if (fabsf(x[i]) > amax) { amax = fabsf(x[i]); max = x[i]; }
    if (amax < GROUP_MAX_EPS) { for (int i = 0; i < n; ++i) L[i] = 0; return 0.f; }
    float iscale = -nmax / max;
    float sumlx = 0, suml2 = 0;
    for (int i = 0; i < n; ++i) {
        int l = ck_nearest_int(iscale * x[i]);
        l = MAX(-nmax, MIN(nmax - 1, l));
        L[i] = (int8_t)(l + nmax);
        float w = x[i] * x[i];
        sumlx += w * x[i] * l; suml2 += w * l * l;
    }
    float scale = suml2 ? sumlx / suml2 : 0.0f;
    float best = scale * sumlx;
    for (int is = -9; is <= 9; ++is) {
        if (is == 0) continue;
        iscale = -(nmax + 0.1f * is) / max;
        sumlx = suml2 = 0;
        for (int i = 0; i < n; ++i) {
            int l = ck_nearest_int(iscale * x[i]);
            l = MAX(-nmax, MIN(nmax - 1, l));
            float w = x[i] * x[i];
            sumlx += w * x[i] * l; suml2 += w * l * l;
        }
        if (suml2 > 0 && sumlx * sumlx > best * suml2) {
            for (int i = 0; i < n; ++i) {
                int l = ck_nearest_int(iscale * x[i]);
                L[i] = (int8_t)(nmax + MAX(-nmax, MIN(nmax - 1, l)));
            }
            scale = sumlx / suml2; best = scale * sumlx;
        }
    }
    return scale;
}

static void q6_K_ref(const float *x, blk_q6_K *y, int n) {
    int8_t L[QKK]; float scales[16];
    for (int i = 0; i < n / QKK; i++, x += QKK) {
        float max_scale = 0, max_abs_scale = 0;
        for (int ib = 0; ib < 16; ++ib) {
            const float scale = make_qx(16, 32, x + 16 * ib, L + 16 * ib);
            scales[ib] = scale;
            if (fabsf(scale) > max_abs_scale) { max_abs_scale = fabsf(scale); max_scale = scale; }
        }
        if (max_abs_scale < GROUP_MAX_EPS) { memset(&y[i], 0, sizeof(blk_q6_K)); continue; }
        float iscale = -128.f / max_scale;
        y[i].d = ck_f2h(1 / iscale);
        for (int ib = 0; ib < 16; ++ib) y[i].scales[ib] = (int8_t)MIN(127, ck_nearest_int(iscale * scales[ib]));
        for (int j = 0; j < 16; ++j) {
            float d = ck_h2f(y[i].d) * y[i].scales[j];
            if (!d) continue;
            for (int ii = 0; ii < 16; ++ii) {
                int l = ck_nearest_int(x[16 * j + ii] / d);
                L[16 * j + ii] = (int8_t)(MAX(-32, MIN(31, l)) + 32);
            }
        }
        for (int h = 0; h < 2; ++h) {
            uint8_t *ql = y[i].ql + 64 * h, *qh = y[i].qh + 32 * h;
            const int8_t *Lh = L + 128 * h;
            for (int l = 0; l < 32; ++l) {
                const uint8_t q1 = Lh[l] & 0xF, q2 = Lh[l + 32] & 0xF, q3 = Lh[l + 64] & 0xF, q4 = Lh[l + 96] & 0xF;
                ql[l] = (uint8_t)(q1 | (q3 << 4));
                ql[l + 32] = (uint8_t)(q2 | (q4 << 4));
                qh[l] = (uint8_t)((Lh[l] >> 4) | ((Lh[l + 32] >> 4) << 2) | ((Lh[l + 64] >> 4) << 4) | ((Lh[l + 96] >> 4) << 6));
            }
        }
    }
}

int ck_quantize_ref(int type, const float *x, void *y, int n) {
    switch (type) {
    case CK_F32: memcpy(y, x, (size_t)n * 4); return 0;
    case CK_F16: for (int i = 0; i < n; ++i) ((uint16_t *)y)[i] = ck_f2h(x[i]); return 0;
    case CK_BF16: for (int i = 0; i < n; ++i) ((uint16_t *)y)[i] = ck_f2b(x[i]); return 0;
    case CK_Q4_0: q4_0_ref(x, y, n); return 0;
    case CK_Q4_1: q4_1_ref(x, y, n); return 0;
    case CK_Q5_0: q5_0_ref(x, y, n); return 0;
    case CK_Q5_1: q5_1_ref(x, y, n); return 0;
    case CK_Q8_0: ck_quantize_q8_0_ref(x, y, n); return 0;
    case CK_Q8_1: ck_quantize_q8_1_ref(x, y, n); return 0;
    case CK_Q4_K: q4_K_ref(x, y, n); return 0;
    case CK_Q5_K: q5_K_ref(x, y, n); return 0;
    case CK_Q6_K: q6_K_ref(x, y, n); return 0;
    case CK_Q8_K: ck_quantize_q8_K_ref(x, y, n); return 0;
    default: return -1;
    }
}

void ck_quantize_act_generic(int atype, const float *x, void *y, int n) {
    switch (atype) {
    case CK_Q8_0: ck_quantize_q8_0_ref(x, y, n); break;
    case CK_Q8_1: ck_quantize_q8_1_ref(x, y, n); break;
    case CK_Q8_K: ck_quantize_q8_K_ref(x, y, n); break;
    default: break;
    }
}

void ck_fp32_to_fp16_row(const float *src, uint16_t *dst, int n) {
    for (int i = 0; i < n; ++i) dst[i] = ck_f2h(src[i]);
}
