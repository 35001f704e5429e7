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

void ck_gelu_tanh_mul(float *gate, const float *up, int n) {
    const float k = 0.7978845608028654f;   /* sqrt(2/pi) */
    for (int i = 0; i < n; ++i) {
        const float g = gate[i];
        gate[i] = 0.5f * g * (1.0f + tanhf(k * (g + 0.044715f * g * g * g))) * up[i];
    }
}

void ck_add(const float *x, float *y, int n) {
    for (int i = 0; i < n; ++i) y[i] += x[i];
}

void ck_scale(float *x, float s, int n) {
    for (int i = 0; i < n; ++i) x[i] *= s;
}
