/*
 * Private to CKernels: ggml block layouts and inline half conversion.
 * Layouts follow ggml/src/ggml-common.h; blocks are packed (2-byte aligned
 * at most), so SIMD code must use unaligned loads.
 */
#ifndef AQYL_CK_INTERNAL_H
#define AQYL_CK_INTERNAL_H
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#include <math.h>
#include "ckernels.h"

/* Dequantizers must be bit-exact to the Swift reference, so never fuse
 * a*b+c into an FMA behind the source's back. */
#pragma STDC FP_CONTRACT OFF

#define QK 32
#define QKK 256

typedef struct { uint16_t d; uint8_t qs[16]; } blk_q4_0;
typedef struct { uint16_t d, m; uint8_t qs[16]; } blk_q4_1;
typedef struct { uint16_t d; uint8_t qh[4]; uint8_t qs[16]; } blk_q5_0;
typedef struct { uint16_t d, m; uint8_t qh[4]; uint8_t qs[16]; } blk_q5_1;
typedef struct { uint16_t d; int8_t qs[32]; } blk_q8_0;
typedef struct { uint16_t d, s; int8_t qs[32]; } blk_q8_1;
typedef struct { uint16_t d, dmin; uint8_t scales[12]; uint8_t qs[128]; } blk_q4_K;
typedef struct { uint16_t d, dmin; uint8_t scales[12]; uint8_t qh[32]; uint8_t qs[128]; } blk_q5_K;
typedef struct { uint8_t ql[128]; uint8_t qh[64]; int8_t scales[16]; uint16_t d; } blk_q6_K;
typedef struct { float d; int8_t qs[256]; int16_t bsums[16]; } blk_q8_K;

/* Fast-numerics layouts (interleave.c): 8 rows interleaved per 32-column
 * block, and the activation block they pair with. */
typedef struct { uint16_t d[8]; int8_t qs[256]; } blk_q8_0_r8;
typedef struct { uint16_t d[8]; uint8_t qs[128]; } blk_q4_0_r8;
typedef struct { uint16_t d[8]; uint16_t m[8]; uint8_t qs[128]; } blk_q4_1_r8;
typedef struct { uint16_t d[8]; uint8_t qh[32]; uint8_t qs[128]; } blk_q5_0_r8;
/* d: the scale rounded to fp16 (as llama.cpp's Q8_0/Q8_1 keep it); s = Σ qs;
 * ds: fp16 of (unrounded scale · s), llama.cpp's Q8_1 `s`. Same products
 * per block as llama.cpp's activations, so only the float summation order differs. */
typedef struct { float d; int16_t s; uint16_t ds; int8_t qs[32]; } blk_q8_s;

_Static_assert(sizeof(blk_q4_0) == 18, "q4_0");
_Static_assert(sizeof(blk_q4_1) == 20, "q4_1");
_Static_assert(sizeof(blk_q5_0) == 22, "q5_0");
_Static_assert(sizeof(blk_q5_1) == 24, "q5_1");
_Static_assert(sizeof(blk_q8_0) == 34, "q8_0");
_Static_assert(sizeof(blk_q8_1) == 36, "q8_1");
_Static_assert(sizeof(blk_q4_K) == 144, "q4_K");
_Static_assert(sizeof(blk_q5_K) == 176, "q5_K");
_Static_assert(sizeof(blk_q6_K) == 210, "q6_K");
_Static_assert(sizeof(blk_q8_K) == 292, "q8_K");

static inline float ck_bits_f32(uint32_t w) { float f; memcpy(&f, &w, 4); return f; }
static inline uint32_t ck_f32_bits(float f) { uint32_t w; memcpy(&w, &f, 4); return w; }

/* IEEE half -> float, exact (the FP16 library's branch-free method). */
static inline float ck_h2f(uint16_t h) {
    const uint32_t w = (uint32_t)h << 16;
    const uint32_t sign = w & 0x80000000u;
    const uint32_t two_w = w + w;
    const float normalized = ck_bits_f32((two_w >> 4) + (0xE0u << 23)) * 0x1.0p-112f;
    const float denormalized = ck_bits_f32((two_w >> 17) | (126u << 23)) - 0.5f;
    const uint32_t r = sign | (two_w < (1u << 27) ? ck_f32_bits(denormalized) : ck_f32_bits(normalized));
    return ck_bits_f32(r);
}

/* float -> IEEE half, round to nearest even, NaN kept. */
static inline uint16_t ck_f2h(float f) {
    float base = (fabsf(f) * 0x1.0p+112f) * 0x1.0p-110f;
    const uint32_t w = ck_f32_bits(f);
    const uint32_t shl1_w = w + w;
    const uint32_t sign = w & 0x80000000u;
    uint32_t bias = shl1_w & 0xFF000000u;
    if (bias < 0x71000000u) bias = 0x71000000u;
    base = ck_bits_f32((bias >> 1) + 0x07800000u) + base;
    const uint32_t bits = ck_f32_bits(base);
    const uint32_t exp_bits = (bits >> 13) & 0x00007C00u;
    const uint32_t mantissa_bits = bits & 0x00000FFFu;
    const uint32_t nonsign = exp_bits + mantissa_bits;
    return (uint16_t)((sign >> 16) | (shl1_w > 0xFF000000u ? 0x7E00u : nonsign));
}

static inline float ck_b2f(uint16_t h) { return ck_bits_f32((uint32_t)h << 16); }

static inline uint16_t ck_f2b(float f) {
    const uint32_t u = ck_f32_bits(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 64);
    return (uint16_t)((u + (0x7fffu + ((u >> 16) & 1))) >> 16);
}

/* ggml's nearest_int: round half to even via the 1.5*2^23 trick. */
static inline int ck_nearest_int(float fval) {
    float val = fval + 12582912.f;
    int i; memcpy(&i, &val, sizeof(int));
    return (i & 0x007fffff) - 0x00400000;
}

/* 6-bit scale/min j of a K-quant scales[12] array (get_scale_min_k4). */
static inline void ck_scale_min_k4(int j, const uint8_t *q, uint8_t *d, uint8_t *m) {
    if (j < 4) {
        *d = q[j] & 63; *m = q[j + 4] & 63;
    } else {
        *d = (uint8_t)((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
        *m = (uint8_t)((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
    }
}

/* Grows a 64-byte-aligned scratch buffer (contents not kept) to at least
 * `bytes`; 0 when out of memory (the buffer is then unchanged). For the
 * kernels' per-thread buffers. */
static inline int ck_reserve(void **p, size_t *cap, size_t bytes) {
    if (*cap >= bytes) return 1;
    void *n = NULL;
    if (posix_memalign(&n, 64, bytes) != 0) return 0;
    free(*p);
    *p = n; *cap = bytes;
    return 1;
}

/* Decode streams every weight byte once per token, so the matmuls are
 * bound by how fast memory delivers it. The hardware streamer stops at 4 KiB
 * page boundaries and runs only a little ahead; asking for the lines
 * CK_PREFETCH_AHEAD bytes further on keeps enough misses in flight (Qwen2.5
 * AVX2 tg64 35 -> 47 t/s; 512 and 1024 bytes gave less, 4096 no more).
 * Prefetches never fault and change no arithmetic. Call once per `n` bytes
 * of a sequential stream starting at `p`. */
#define CK_PREFETCH_AHEAD 2048
static inline void ck_prefetch_ahead(const void *p, size_t n) {
    for (size_t o = 0; o < n; o += 64) __builtin_prefetch((const char *)p + CK_PREFETCH_AHEAD + o, 0, 3);
}

/* Kernel-set entry points shared between translation units. */
typedef float (*ck_dot_fn)(int n, const void *x, const void *y);
ck_dot_fn ck_generic_dot_for(int wtype);
ck_dot_fn ck_avx2_dot_for(int wtype);   /* NULL when not compiled in */
/* One weight row (nb blocks) against 4 activation rows `astride` bytes
 * apart, with the activations' scales pre-converted to floats, [block][4]. */
typedef void (*ck_x4_fn)(int nb, const void *x, const uint8_t *a, size_t astride,
                         const float *d4, const float *s4, float out[4]);
ck_x4_fn ck_avx2_x4_for(int wtype);     /* NULL when no such kernel */
void ck_quantize_q8_0_ref(const float *x, void *y, int n);
void ck_quantize_q8_1_ref(const float *x, void *y, int n);
void ck_quantize_q8_K_ref(const float *x, void *y, int n);
void ck_quantize_act_avx2_impl(int atype, const float *x, void *y, int n);
/* interleave_avx2.c (falls back to the generic versions off x86). */
void ck_quantize_q8s_avx2_impl(const float *x, void *y, int n);
void ck_r8_gemm_rows_avx2_impl(int wtype, const void *w, int cols, int row0, int row1,
                               const void *a, int tokens, float *y, size_t ldy);
/* interleave_avx512.c (falls back to the generic version off x86). */
int ck_avx512_compiled(void);
void ck_r8_q8_0_blocksum_avx2_impl(const void *w, int cols, int row0, int row1, const void *a, int tokens, float *y, size_t ldy);
void ck_r8_q8_0_blocksum_avx512_impl(const void *w, int cols, int row0, int row1, const void *a, int tokens, float *y, size_t ldy);
void ck_r8_gemm_rows_avx512_impl(int wtype, const void *w, int cols, int row0, int row1,
                                 const void *a, int tokens, float *y, size_t ldy);
/* ggml_v_expf for one lane (vecops.c) and the AVX2 vector ops (dot_avx2.c;
 * on other targets they forward to the scalar versions). */
float ck_ggml_expf(float x);
void ck_avx2_softmax(float *x, int n);
void ck_avx2_silu_mul(float *gate, const float *up, int n);

#endif
