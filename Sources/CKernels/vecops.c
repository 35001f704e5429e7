#include <pthread.h>
/*
 * Small vector ops of the forward pass. Reductions use 8 independent
 * accumulators so -O3 vectorizes them without -ffast-math.
 */
#include "ck_internal.h"

float ck_dot_f32(const float *a, const float *b, int n) {
    float acc[8] = {0};
    int i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; ++k) acc[k] += a[i + k] * b[i + k];
    float s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (; i < n; ++i) s += a[i] * b[i];
    return s;
}

/* As ggml's rms_norm (+ the following mul by the weight): squares rounded to
 * float, summed in double in order; mean rounded to float;
 * scale = 1/sqrtf(mean + eps); out = (x*scale)*w. */
void ck_rms_norm(const float *x, const float *w, float eps, int n, float *out) {
    double sum = 0.0;
    for (int i = 0; i < n; ++i) sum += (double)(x[i] * x[i]);
    const float mean = (float)(sum / n);
    const float scale = 1.0f / sqrtf(mean + eps);
    for (int i = 0; i < n; ++i) out[i] = (x[i] * scale) * w[i];
}

void ck_axpy(float alpha, const float *x, float *y, int n) {
    for (int i = 0; i < n; ++i) y[i] += alpha * x[i];
}

/* ggml_v_expf (ggml-cpu/vec.h, the AVX2 version) for one lane: the same
 * operations with every _mm256_fmadd/fnmadd written as fmaf, so the scalar
 * path gives the AVX2 path's (and llama.cpp's) bits. */
float ck_ggml_expf(float x) {
    const float r = 0x1.8p23f;
    const float z = fmaf(x, 0x1.715476p+0f, r);
    const float n = z - r;
    const float b = fmaf(-n, 0x1.7f7d1cp-20f, fmaf(-n, 0x1.62e4p-1f, x));
    const uint32_t e = ck_f32_bits(z) << 23;
    const float k = ck_bits_f32(e + ck_f32_bits(1.0f));
    const float u = b * b;
    const float j = fmaf(fmaf(fmaf(0x1.0e4020p-7f, b, 0x1.573e2ep-5f), u, fmaf(0x1.555e66p-3f, b, 0x1.fffdb6p-2f)),
                         u, 0x1.ffffecp-1f * b);
    if (!(fabsf(n) > 126.0f)) return fmaf(k, j, k);
    const uint32_t g = n <= 0.0f ? 0x82000000u : 0u;
    const float s1 = ck_bits_f32(g + 0x7f000000u);
    const float s2 = ck_bits_f32(e - g);
    if (fabsf(n) > 192.0f) return s1 * s1;
    return fmaf(s2, j, s2) * s1;
}

/* llama.cpp's soft_max: max in order; blocks of 8 through ggml_v_expf, each
 * block's sum (hsum_float_8 order) added in double; the tail through expf;
 * then every value times (float)(1/sum). */
static void softmax_generic(float *x, int n) {
    float max = -INFINITY;
    for (int i = 0; i < n; ++i) max = max > x[i] ? max : x[i];
    double sum = 0;
    int i = 0;
    for (; i + 7 < n; i += 8) {
        float v[8];
        for (int l = 0; l < 8; ++l) v[l] = x[i + l] = ck_ggml_expf(x[i + l] - max);
        const float a0 = v[4] + v[0], a1 = v[5] + v[1], a2 = v[6] + v[2], a3 = v[7] + v[3];
        sum += (double)((a0 + a2) + (a1 + a3));
    }
    for (; i < n; ++i) { x[i] = expf(x[i] - max); sum += (double)x[i]; }
    const float inv = (float)(1.0 / sum);
    for (int k = 0; k < n; ++k) x[k] *= inv;
}

void ck_softmax(float *x, int n) {
    if (n <= 0) return;
    if (ck_softmax_avx512(x, n) == 0) return;
    if (ck_has_avx2()) ck_avx2_softmax(x, n);
    else softmax_generic(x, n);
}

void ck_softmax_generic(float *x, int n) {
    if (n > 0) softmax_generic(x, n);
}

int ck_softmax_avx2(float *x, int n) {
    if (!ck_has_avx2()) return -1;
    if (n > 0) ck_avx2_softmax(x, n);
    return 0;
}

/* ggml_vec_swiglu_f32: blocks of 8 compute x/(1 + ggml_v_expf(0 - x)) * up;
 * the tail x/(1 + expf(-x)) * up. */
static void silu_mul_generic(float *gate, const float *up, int n) {
    int i = 0;
    for (; i + 7 < n; i += 8)
        for (int l = 0; l < 8; ++l) {
            const float g = gate[i + l];
            gate[i + l] = g / (1.0f + ck_ggml_expf(0.0f - g)) * up[i + l];
        }
    for (; i < n; ++i) {
        const float g = gate[i];
        gate[i] = g / (1.0f + expf(-g)) * up[i];
    }
}

void ck_silu_mul(float *gate, const float *up, int n) {
    if (ck_has_avx2()) ck_avx2_silu_mul(gate, up, n);
    else silu_mul_generic(gate, up, n);
}

/* GELU (tanh form) exactly as ggml's CPU backend computes it: x is rounded to
 * fp16 and looked up in a 65,536-entry table of fp16 results
 * (GGML_GELU_FP16 in ggml-cpu/vec.h). Matching this rounding keeps Gemma's
 * logits within llama.cpp's own noise. Inputs beyond ±10 bypass the table. */
static uint16_t gelu_table[65536];
static pthread_once_t gelu_once = PTHREAD_ONCE_INIT;

static float gelu_exact(float x) {
    const float sqrt_2_over_pi = 0.79788456080286535587989211986876f;
    return 0.5f * x * (1.0f + tanhf(sqrt_2_over_pi * x * (1.0f + 0.044715f * x * x)));
}

static void gelu_table_init(void) {
    for (int i = 0; i < 65536; ++i) {
        gelu_table[i] = ck_fp32_to_fp16(gelu_exact(ck_fp16_to_fp32((uint16_t)i)));
    }
}

#if defined(__x86_64__)
#include <immintrin.h>
/* 8 lanes at a time: F16C's round-to-nearest-even gives ck_fp32_to_fp16's
 * half for every float (llama.cpp itself converts with F16C), the lookups
 * stay scalar, and the ±10 cut-offs are selects. */
__attribute__((target("avx2,f16c")))
static int gelu_tanh_mul_f16c(float *gate, const float *up, int n) {
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 g = _mm256_loadu_ps(gate + i);
        uint16_t h[8], t[8];
        _mm_storeu_si128((__m128i *)h, _mm256_cvtps_ph(g, _MM_FROUND_TO_NEAREST_INT));
        for (int l = 0; l < 8; ++l) t[l] = gelu_table[h[l]];
        __m256 y = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)t));
        y = _mm256_blendv_ps(y, g, _mm256_cmp_ps(g, _mm256_set1_ps(10.0f), _CMP_GE_OQ));
        y = _mm256_andnot_ps(_mm256_cmp_ps(g, _mm256_set1_ps(-10.0f), _CMP_LE_OQ), y);
        _mm256_storeu_ps(gate + i, _mm256_mul_ps(y, _mm256_loadu_ps(up + i)));
    }
    return i;
}
#endif

void ck_gelu_tanh_mul(float *gate, const float *up, int n) {
    pthread_once(&gelu_once, gelu_table_init);
    int start = 0;
#if defined(__x86_64__)
    if (ck_has_avx2()) start = gelu_tanh_mul_f16c(gate, up, n);
#endif
    for (int i = start; i < n; ++i) {
        const float g = gate[i];
        float y;
        if (g <= -10.0f) {
            y = 0.0f;
        } else if (g >= 10.0f) {
            y = g;
        } else {
            y = ck_fp16_to_fp32(gelu_table[ck_fp32_to_fp16(g)]);
        }
        gate[i] = y * up[i];
    }
}

/* The table path without SIMD, the reference for the F16C form. */
void ck_gelu_tanh_mul_generic(float *gate, const float *up, int n) {
    pthread_once(&gelu_once, gelu_table_init);
    for (int i = 0; i < n; ++i) {
        const float g = gate[i];
        const float y = g <= -10.0f ? 0.0f : g >= 10.0f ? g : ck_fp16_to_fp32(gelu_table[ck_fp32_to_fp16(g)]);
        gate[i] = y * up[i];
    }
}

/* Plain formula, the reference for the table path. */
void ck_gelu_tanh_mul_exact(float *gate, const float *up, int n) {
    for (int i = 0; i < n; ++i) gate[i] = gelu_exact(gate[i]) * up[i];
}

/* Rounds every value through fp16, as llama.cpp's F16 KV cache and its F16
 * attention operands do. */
#if defined(__x86_64__)
#include <immintrin.h>
/* F16C: 8 values per round trip, round-to-nearest-even like the scalar path. */
__attribute__((target("avx,f16c")))
static void round_fp16_f16c(float *x, int n) {
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT);
        _mm256_storeu_ps(x + i, _mm256_cvtph_ps(h));
    }
    for (; i < n; ++i) x[i] = ck_fp16_to_fp32(ck_fp32_to_fp16(x[i]));
}
#endif

void ck_round_fp16(float *x, int n) {
#if defined(__x86_64__)
    if (ck_has_avx2()) { round_fp16_f16c(x, n); return; }
#endif
    for (int i = 0; i < n; ++i) x[i] = ck_fp16_to_fp32(ck_fp32_to_fp16(x[i]));
}

void ck_add(const float *x, float *y, int n) {
    for (int i = 0; i < n; ++i) y[i] += x[i];
}

void ck_scale(float *x, float s, int n) {
    for (int i = 0; i < n; ++i) x[i] *= s;
}

/* max |x[i]| as bits: |x| ordered as integers is |x| ordered as floats, and
 * any NaN's bits (> 0x7f800000) beat infinity's, so a non-finite row shows as
 * bits >= 0x7f800000 whatever its position. An integer max vectorizes. */
static uint32_t absmax_bits_body(const float *x, int n) {
    uint32_t m[8] = {0};
    int i = 0;
    for (; i + 8 <= n; i += 8)
        for (int u = 0; u < 8; u++) {
            const uint32_t b = ck_f32_bits(x[i + u]) & 0x7fffffffu;
            m[u] = m[u] > b ? m[u] : b;
        }
    uint32_t r = 0;
    for (int u = 0; u < 8; u++) r = r > m[u] ? r : m[u];
    for (; i < n; i++) {
        const uint32_t b = ck_f32_bits(x[i]) & 0x7fffffffu;
        r = r > b ? r : b;
    }
    return r;
}

#if defined(__x86_64__) && !defined(CK_FORCE_GENERIC)
__attribute__((target("avx2"))) static uint32_t absmax_bits_avx2(const float *x, int n) { return absmax_bits_body(x, n); }
#endif

uint32_t ck_absmax_bits(const float *x, int n) {
#if defined(__x86_64__) && !defined(CK_FORCE_GENERIC)
    if (ck_has_avx2()) return absmax_bits_avx2(x, n);
#endif
    return absmax_bits_body(x, n);
}
