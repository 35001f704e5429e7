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

void ck_rms_norm(const float *x, const float *w, float eps, int n, float *out) {
    const float mean = ck_dot_f32(x, x, n) / (float)n;
    const float scale = 1.0f / sqrtf(mean + eps);
    for (int i = 0; i < n; ++i) out[i] = (x[i] * scale) * w[i];
}

void ck_axpy(float alpha, const float *x, float *y, int n) {
    for (int i = 0; i < n; ++i) y[i] += alpha * x[i];
}

void ck_softmax(float *x, int n) {
    if (n <= 0) return;
    float max = x[0];
    for (int i = 1; i < n; ++i) if (x[i] > max) max = x[i];
    float sum = 0;
    for (int i = 0; i < n; ++i) { x[i] = expf(x[i] - max); sum += x[i]; }
    const float inv = 1.0f / sum;
    for (int i = 0; i < n; ++i) x[i] *= inv;
}

void ck_silu_mul(float *gate, const float *up, int n) {
    for (int i = 0; i < n; ++i) {
        const float g = gate[i];
        gate[i] = g / (1.0f + expf(-g)) * up[i];
    }
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

void ck_gelu_tanh_mul(float *gate, const float *up, int n) {
    pthread_once(&gelu_once, gelu_table_init);
    for (int i = 0; i < n; ++i) {
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

/* Plain formula, the reference for the table path. */
void ck_gelu_tanh_mul_exact(float *gate, const float *up, int n) {
    for (int i = 0; i < n; ++i) gate[i] = gelu_exact(gate[i]) * up[i];
}

/* Rounds every value through fp16, as llama.cpp's F16 KV cache and its F16
 * attention operands do. */
void ck_round_fp16(float *x, int n) {
    for (int i = 0; i < n; ++i) x[i] = ck_fp16_to_fp32(ck_fp32_to_fp16(x[i]));
}

void ck_add(const float *x, float *y, int n) {
    for (int i = 0; i < n; ++i) y[i] += x[i];
}

void ck_scale(float *x, float s, int n) {
    for (int i = 0; i < n; ++i) x[i] *= s;
}
