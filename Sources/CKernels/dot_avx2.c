/*
 * AVX2 + FMA + F16C kernels: dot products and activation quantizers.
 * Compiled for any x86-64 (function-level target attribute) and only called
 * after a runtime CPU check (dispatch.c). The arithmetic mirrors ggml's x86
 * kernels (ggml-cpu/arch/x86/quants.c), so results match llama.cpp's CPU
 * backend up to float summation order.
 */
#include "ck_internal.h"

#if defined(__x86_64__) && !defined(CK_FORCE_GENERIC)
#include <immintrin.h>

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
#else   /* GCC (e.g. `cc` in scripts/kernel_goldens.py) */
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c")
#endif

/* Half -> float via vmovd + vcvtph2ps. (_cvtsh_ss makes clang insert into
 * whatever register is free, often an accumulator, which chains every block
 * of the loop onto the previous one.) */
static inline float h2f(uint16_t h) { return _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(h))); }

static inline float hsum_f8(__m256 x) {
    __m128 r = _mm_add_ps(_mm256_extractf128_ps(x, 1), _mm256_castps256_ps128(x));
    r = _mm_add_ps(r, _mm_movehl_ps(r, r));
    r = _mm_add_ss(r, _mm_movehdup_ps(r));
    return _mm_cvtss_f32(r);
}

static inline int hsum_i8x32(__m256i a) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
    s = _mm_add_epi32(s, _mm_unpackhi_epi64(s, s));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(s);
}

static inline int hsum_i32_4(__m128i a) {
    a = _mm_add_epi32(a, _mm_unpackhi_epi64(a, a));
    a = _mm_add_epi32(a, _mm_shuffle_epi32(a, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(a);
}

/* 16 bytes of nibbles -> 32 bytes: low nibbles first, then high nibbles. */
static inline __m256i nibbles32(const uint8_t *p) {
    const __m128i t = _mm_loadu_si128((const __m128i *)p);
    const __m256i b = _mm256_set_m128i(_mm_srli_epi16(t, 4), t);
    return _mm256_and_si256(b, _mm256_set1_epi8(0xF));
}

/* 32 bits -> 32 bytes of 0x00 / 0xFF. */
static inline __m256i bits32(const uint8_t *p) {
    uint32_t v; memcpy(&v, p, 4);
    const __m256i shuf = _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202,
                                           0x0101010101010101, 0x0000000000000000);
    __m256i b = _mm256_shuffle_epi8(_mm256_set1_epi32((int)v), shuf);
    b = _mm256_or_si256(b, _mm256_set1_epi64x(0x7fbfdfeff7fbfdfe));
    return _mm256_cmpeq_epi8(b, _mm256_set1_epi64x(-1));
}

/* unsigned bytes * signed bytes, summed in groups of 4 -> 8 floats. */
static inline __m256 mul_sum_us8(__m256i ax, __m256i sy) {
    const __m256i dot = _mm256_maddubs_epi16(ax, sy);
    return _mm256_cvtepi32_ps(_mm256_madd_epi16(_mm256_set1_epi16(1), dot));
}

/* signed * signed bytes via the sign trick. */
static inline __m256 mul_sum_i8(__m256i x, __m256i y) {
    return mul_sum_us8(_mm256_sign_epi8(x, x), _mm256_sign_epi8(y, x));
}

static inline __m256 q4_0_block(const blk_q4_0 *x, const blk_q8_0 *y, __m256 acc) {
    const __m256 d = _mm256_set1_ps(h2f(x->d) * h2f(y->d));
    const __m256i qx = _mm256_sub_epi8(nibbles32(x->qs), _mm256_set1_epi8(8));
    const __m256i qy = _mm256_loadu_si256((const __m256i *)y->qs);
    return _mm256_fmadd_ps(d, mul_sum_i8(qx, qy), acc);
}

/* One accumulator chain, as ggml: a second chain would be faster but changes
 * the float summation order and so the result bits. */
static float dot_q4_0(int n, const void *vx, const void *vy) {
    const blk_q4_0 *x = vx; const blk_q8_0 *y = vy;
    __m256 acc = _mm256_setzero_ps();
    for (int ib = 0; ib < n / QK; ++ib) {
        ck_prefetch_ahead(&x[ib], sizeof x[ib]);
        acc = q4_0_block(&x[ib], &y[ib], acc);
    }
    return hsum_f8(acc);
}

/* ggml_vec_dot_q4_1_q8_1 (x86): acc = fma(dx*dy, Σq·q', acc) in one chain;
 * summs = fma(m, s', summs) (GCC contracts ggml's `summs += m*s`);
 * result hsum(acc) + summs. */
static float dot_q4_1(int n, const void *vx, const void *vy) {
    const blk_q4_1 *x = vx; const blk_q8_1 *y = vy;
    __m256 acc = _mm256_setzero_ps();
    float summs = 0;
    for (int ib = 0; ib < n / QK; ++ib) {
        ck_prefetch_ahead(&x[ib], sizeof x[ib]);
        summs = fmaf(h2f(x[ib].m), h2f(y[ib].s), summs);
        const __m256 d = _mm256_set1_ps(h2f(x[ib].d) * h2f(y[ib].d));
        const __m256i qy = _mm256_loadu_si256((const __m256i *)y[ib].qs);
        acc = _mm256_fmadd_ps(d, mul_sum_us8(nibbles32(x[ib].qs), qy), acc);
    }
    return hsum_f8(acc) + summs;
}

static float dot_q5_0(int n, const void *vx, const void *vy) {
    const blk_q5_0 *x = vx; const blk_q8_0 *y = vy;
    __m256 acc = _mm256_setzero_ps();
    for (int ib = 0; ib < n / QK; ++ib) {
        ck_prefetch_ahead(&x[ib], sizeof x[ib]);
        const __m256 d = _mm256_set1_ps(h2f(x[ib].d) * h2f(y[ib].d));
        __m256i qx = nibbles32(x[ib].qs);
        const __m256i hi = _mm256_andnot_si256(bits32(x[ib].qh), _mm256_set1_epi8((char)0xF0));
        qx = _mm256_or_si256(qx, hi);   /* (q | h<<4) - 16 as a signed byte */
        const __m256i qy = _mm256_loadu_si256((const __m256i *)y[ib].qs);
        acc = _mm256_fmadd_ps(d, mul_sum_i8(qx, qy), acc);
    }
    return hsum_f8(acc);
}

static float dot_q5_1(int n, const void *vx, const void *vy) {
    const blk_q5_1 *x = vx; const blk_q8_1 *y = vy;
    __m256 acc = _mm256_setzero_ps();
    float summs = 0;
    for (int ib = 0; ib < n / QK; ++ib) {
        ck_prefetch_ahead(&x[ib], sizeof x[ib]);
        summs = fmaf(h2f(x[ib].m), h2f(y[ib].s), summs);   /* GCC-contracted in ggml */
        const __m256 d = _mm256_set1_ps(h2f(x[ib].d) * h2f(y[ib].d));
        __m256i qx = nibbles32(x[ib].qs);
        qx = _mm256_or_si256(qx, _mm256_and_si256(bits32(x[ib].qh), _mm256_set1_epi8(0x10)));
        const __m256i qy = _mm256_loadu_si256((const __m256i *)y[ib].qs);
        acc = _mm256_fmadd_ps(d, mul_sum_us8(qx, qy), acc);
    }
    return hsum_f8(acc) + summs;
}

static float dot_q8_0(int n, const void *vx, const void *vy) {
    const blk_q8_0 *x = vx; const blk_q8_0 *y = vy;
    __m256 acc = _mm256_setzero_ps();
    for (int ib = 0; ib < n / QK; ++ib) {
        ck_prefetch_ahead(&x[ib], sizeof x[ib]);
        const __m256 d = _mm256_set1_ps(h2f(x[ib].d) * h2f(y[ib].d));
        const __m256i qx = _mm256_loadu_si256((const __m256i *)x[ib].qs);
        const __m256i qy = _mm256_loadu_si256((const __m256i *)y[ib].qs);
        acc = _mm256_fmadd_ps(d, mul_sum_i8(qx, qy), acc);
    }
    return hsum_f8(acc);
}

/* Unpack K-quant 12-byte scales into 8 scales then 8 mins (bytes). */
static inline __m256i kquant_mins_scales(const uint8_t *s12) {
    uint32_t u[4];
    memcpy(u, s12, 12);
    u[3] = ((u[2] >> 4) & 0x0f0f0f0f) | (((u[1] >> 6) & 0x03030303) << 4);
    const uint32_t mins_lo = u[1] & 0x3f3f3f3f;
    u[1] = (u[2] & 0x0f0f0f0f) | (((u[0] >> 6) & 0x03030303) << 4);
    u[2] = mins_lo;
    u[0] &= 0x3f3f3f3f;
    return _mm256_cvtepu8_epi16(_mm_set_epi32((int)u[3], (int)u[2], (int)u[1], (int)u[0]));
}

/* Sum over sub-blocks of min * (q8 sum of that sub-block), as 4 int32. */
static inline __m128i kquant_min_products(__m256i mins_and_scales, const int16_t *bsums) {
    const __m256i q8sums = _mm256_loadu_si256((const __m256i *)bsums);
    const __m128i q8s = _mm_hadd_epi16(_mm256_castsi256_si128(q8sums), _mm256_extracti128_si256(q8sums, 1));
    return _mm_madd_epi16(_mm256_extracti128_si256(mins_and_scales, 1), q8s);
}

/* Broadcast 16-bit lane i of each 128-bit half to the whole half. */
static inline __m256i k4_shuffle(int i) { return _mm256_set1_epi16((short)(((2 * i + 1) << 8) | (2 * i))); }

static float dot_q4_K(int n, const void *vx, const void *vy) {
    const blk_q4_K *x = vx; const blk_q8_K *y = vy;
    const __m256i m4 = _mm256_set1_epi8(0xF);
    __m256 acc = _mm256_setzero_ps();
    __m128 acc_m = _mm_setzero_ps();
    for (int i = 0; i < n / QKK; ++i) {
        ck_prefetch_ahead(&x[i], sizeof x[i]);
        const float d = y[i].d * h2f(x[i].d);
        const float dmin = -y[i].d * h2f(x[i].dmin);
        const __m256i ms = kquant_mins_scales(x[i].scales);
        acc_m = _mm_fmadd_ps(_mm_set1_ps(dmin), _mm_cvtepi32_ps(kquant_min_products(ms, y[i].bsums)), acc_m);
        const __m128i sc128 = _mm256_castsi256_si128(ms);
        const __m256i scales = _mm256_set_m128i(sc128, sc128);
        const uint8_t *q4 = x[i].qs; const int8_t *q8 = y[i].qs;
        __m256i sumi = _mm256_setzero_si256();
        for (int j = 0; j < 4; ++j) {
            const __m256i scale_l = _mm256_shuffle_epi8(scales, k4_shuffle(2 * j));
            const __m256i scale_h = _mm256_shuffle_epi8(scales, k4_shuffle(2 * j + 1));
            const __m256i bits = _mm256_loadu_si256((const __m256i *)q4); q4 += 32;
            const __m256i q4l = _mm256_and_si256(bits, m4);
            const __m256i q4h = _mm256_and_si256(_mm256_srli_epi16(bits, 4), m4);
            const __m256i q8l = _mm256_loadu_si256((const __m256i *)q8); q8 += 32;
            const __m256i q8h = _mm256_loadu_si256((const __m256i *)q8); q8 += 32;
            const __m256i pl = _mm256_madd_epi16(scale_l, _mm256_maddubs_epi16(q4l, q8l));
            const __m256i ph = _mm256_madd_epi16(scale_h, _mm256_maddubs_epi16(q4h, q8h));
            sumi = _mm256_add_epi32(sumi, _mm256_add_epi32(pl, ph));
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
    }
    acc_m = _mm_add_ps(acc_m, _mm_movehl_ps(acc_m, acc_m));
    acc_m = _mm_add_ss(acc_m, _mm_movehdup_ps(acc_m));
    return hsum_f8(acc) + _mm_cvtss_f32(acc_m);
}

static float dot_q5_K(int n, const void *vx, const void *vy) {
    const blk_q5_K *x = vx; const blk_q8_K *y = vy;
    const __m256i m4 = _mm256_set1_epi8(0xF);
    __m256 acc = _mm256_setzero_ps();
    float summs = 0;   /* ggml keeps Q5_K's min term as a scalar (Q4_K's as a vector) */
    for (int i = 0; i < n / QKK; ++i) {
        ck_prefetch_ahead(&x[i], sizeof x[i]);
        const float d = y[i].d * h2f(x[i].d);
        const float dmin = -y[i].d * h2f(x[i].dmin);
        const __m256i ms = kquant_mins_scales(x[i].scales);
        const int mp = hsum_i32_4(kquant_min_products(ms, y[i].bsums));
        summs = fmaf((float)mp, dmin, summs);
        const __m128i sc128 = _mm256_castsi256_si128(ms);
        const __m256i scales = _mm256_set_m128i(sc128, sc128);
        const __m256i hbits = _mm256_loadu_si256((const __m256i *)x[i].qh);
        const uint8_t *q5 = x[i].qs; const int8_t *q8 = y[i].qs;
        __m256i sumi = _mm256_setzero_si256();
        for (int j = 0; j < 4; ++j) {
            const __m256i scale_0 = _mm256_shuffle_epi8(scales, k4_shuffle(2 * j));
            const __m256i scale_1 = _mm256_shuffle_epi8(scales, k4_shuffle(2 * j + 1));
            const __m256i bits = _mm256_loadu_si256((const __m256i *)q5); q5 += 32;
            const __m256i h0 = _mm256_and_si256(_mm256_srli_epi16(hbits, 2 * j), _mm256_set1_epi8(1));
            const __m256i h1 = _mm256_and_si256(_mm256_srli_epi16(hbits, 2 * j + 1), _mm256_set1_epi8(1));
            const __m256i q5_0 = _mm256_add_epi8(_mm256_and_si256(bits, m4), _mm256_slli_epi16(h0, 4));
            const __m256i q5_1 = _mm256_add_epi8(_mm256_and_si256(_mm256_srli_epi16(bits, 4), m4), _mm256_slli_epi16(h1, 4));
            const __m256i q8_0 = _mm256_loadu_si256((const __m256i *)q8); q8 += 32;
            const __m256i q8_1 = _mm256_loadu_si256((const __m256i *)q8); q8 += 32;
            const __m256i p0 = _mm256_madd_epi16(scale_0, _mm256_maddubs_epi16(q5_0, q8_0));
            const __m256i p1 = _mm256_madd_epi16(scale_1, _mm256_maddubs_epi16(q5_1, q8_1));
            sumi = _mm256_add_epi32(sumi, _mm256_add_epi32(p0, p1));
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
    }
    return hsum_f8(acc) + summs;
}

/* 8 copies of scale byte 2i then 8 copies of 2i+1. */
static inline __m128i q6_shuffle(int i) {
    return _mm_set_epi64x((long long)(0x0101010101010101ULL * (uint64_t)(2 * i + 1)),
                          (long long)(0x0101010101010101ULL * (uint64_t)(2 * i)));
}

static float dot_q6_K(int n, const void *vx, const void *vy) {
    const blk_q6_K *x = vx; const blk_q8_K *y = vy;
    const __m256i m3 = _mm256_set1_epi8(3), m15 = _mm256_set1_epi8(15);
    __m256 acc = _mm256_setzero_ps();
    for (int i = 0; i < n / QKK; ++i) {
        ck_prefetch_ahead(&x[i], sizeof x[i]);
        const float d = y[i].d * h2f(x[i].d);
        const uint8_t *q4 = x[i].ql, *qh = x[i].qh; const int8_t *q8 = y[i].qs;
        const __m128i scales = _mm_loadu_si128((const __m128i *)x[i].scales);
        /* quants are stored +32; subtract 32 * scale * (q8 sums) at the end */
        const __m256i q8sums = _mm256_loadu_si256((const __m256i *)y[i].bsums);
        const __m256i sub = _mm256_slli_epi32(_mm256_madd_epi16(q8sums, _mm256_cvtepi8_epi16(scales)), 5);
        __m256i sumi = _mm256_setzero_si256();
        for (int j = 0; j < 2; ++j) {
            const __m256i b1 = _mm256_loadu_si256((const __m256i *)q4); q4 += 32;
            const __m256i b2 = _mm256_loadu_si256((const __m256i *)q4); q4 += 32;
            const __m256i bh = _mm256_loadu_si256((const __m256i *)qh); qh += 32;
            const __m256i h0 = _mm256_slli_epi16(_mm256_and_si256(bh, m3), 4);
            const __m256i h1 = _mm256_slli_epi16(_mm256_and_si256(bh, _mm256_set1_epi8(12)), 2);
            const __m256i h2 = _mm256_and_si256(bh, _mm256_set1_epi8(48));
            const __m256i h3 = _mm256_srli_epi16(_mm256_and_si256(bh, _mm256_set1_epi8((char)0xC0)), 2);
            const __m256i v0 = _mm256_or_si256(_mm256_and_si256(b1, m15), h0);
            const __m256i v1 = _mm256_or_si256(_mm256_and_si256(b2, m15), h1);
            const __m256i v2 = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(b1, 4), m15), h2);
            const __m256i v3 = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(b2, 4), m15), h3);
            __m256i p0 = _mm256_maddubs_epi16(v0, _mm256_loadu_si256((const __m256i *)(q8 + 0)));
            __m256i p1 = _mm256_maddubs_epi16(v1, _mm256_loadu_si256((const __m256i *)(q8 + 32)));
            __m256i p2 = _mm256_maddubs_epi16(v2, _mm256_loadu_si256((const __m256i *)(q8 + 64)));
            __m256i p3 = _mm256_maddubs_epi16(v3, _mm256_loadu_si256((const __m256i *)(q8 + 96)));
            q8 += 128;
            const int is = 4 * j;
            p0 = _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm_shuffle_epi8(scales, q6_shuffle(is + 0))), p0);
            p1 = _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm_shuffle_epi8(scales, q6_shuffle(is + 1))), p1);
            p2 = _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm_shuffle_epi8(scales, q6_shuffle(is + 2))), p2);
            p3 = _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm_shuffle_epi8(scales, q6_shuffle(is + 3))), p3);
            sumi = _mm256_add_epi32(sumi, _mm256_add_epi32(p0, p1));
            sumi = _mm256_add_epi32(sumi, _mm256_add_epi32(p2, p3));
        }
        sumi = _mm256_sub_epi32(sumi, sub);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
    }
    return hsum_f8(acc);
}

static float dot_f32(int n, const void *vx, const void *vy) {
    const float *x = vx, *y = vy;
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
    int i = 0;
    for (; i + 32 <= n; i += 32) {
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8), a1);
        a2 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 16), _mm256_loadu_ps(y + i + 16), a2);
        a3 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 24), _mm256_loadu_ps(y + i + 24), a3);
    }
    for (; i + 8 <= n; i += 8) a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), a0);
    float s = hsum_f8(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
    for (; i < n; ++i) s += x[i] * y[i];
    return s;
}

static inline __m256 load_f16x8(const uint16_t *p) { return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p)); }
static inline __m256 load_bf16x8(const uint16_t *p) {
    const __m256i w = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p));
    return _mm256_castsi256_ps(_mm256_slli_epi32(w, 16));
}

static float dot_f16(int n, const void *vx, const void *vy) {
    const uint16_t *x = vx; const float *y = vy;
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        a0 = _mm256_fmadd_ps(load_f16x8(x + i), _mm256_loadu_ps(y + i), a0);
        a1 = _mm256_fmadd_ps(load_f16x8(x + i + 8), _mm256_loadu_ps(y + i + 8), a1);
    }
    for (; i + 8 <= n; i += 8) a0 = _mm256_fmadd_ps(load_f16x8(x + i), _mm256_loadu_ps(y + i), a0);
    float s = hsum_f8(_mm256_add_ps(a0, a1));
    for (; i < n; ++i) s += h2f(x[i]) * y[i];
    return s;
}

static float dot_bf16(int n, const void *vx, const void *vy) {
    const uint16_t *x = vx; const float *y = vy;
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        a0 = _mm256_fmadd_ps(load_bf16x8(x + i), _mm256_loadu_ps(y + i), a0);
        a1 = _mm256_fmadd_ps(load_bf16x8(x + i + 8), _mm256_loadu_ps(y + i + 8), a1);
    }
    for (; i + 8 <= n; i += 8) a0 = _mm256_fmadd_ps(load_bf16x8(x + i), _mm256_loadu_ps(y + i), a0);
    float s = hsum_f8(_mm256_add_ps(a0, a1));
    for (; i < n; ++i) s += ck_b2f(x[i]) * y[i];
    return s;
}

/* ---- multi-token kernels (prompt processing) ----
 * One weight row against 4 activation rows at once: the weight block is
 * unpacked and its scales converted once for four tokens, and the
 * activations' fp16 scales come pre-converted to floats, laid out
 * [block][token] (d4/s4), by the caller. Same integer sums as the 1-token
 * kernels; only float summation order differs. */

static void q4_1_x4(int nb, const void *vx, const uint8_t *a, size_t astride,
                    const float *d4, const float *s4, float out[4]) {
    const blk_q4_1 *x = vx;
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    __m256 acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps();
    __m128 summs = _mm_setzero_ps();
    for (int ib = 0; ib < nb; ++ib) {
        const float dx = h2f(x[ib].d);
        summs = _mm_fmadd_ps(_mm_set1_ps(h2f(x[ib].m)), _mm_loadu_ps(s4 + 4 * ib), summs);
        const __m256i qx = nibbles32(x[ib].qs);
        const uint8_t *qy = a + (size_t)ib * sizeof(blk_q8_1) + 4;
        acc0 = _mm256_fmadd_ps(_mm256_set1_ps(dx * d4[4 * ib + 0]), mul_sum_us8(qx, _mm256_loadu_si256((const __m256i *)(qy))), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_set1_ps(dx * d4[4 * ib + 1]), mul_sum_us8(qx, _mm256_loadu_si256((const __m256i *)(qy + astride))), acc1);
        acc2 = _mm256_fmadd_ps(_mm256_set1_ps(dx * d4[4 * ib + 2]), mul_sum_us8(qx, _mm256_loadu_si256((const __m256i *)(qy + 2 * astride))), acc2);
        acc3 = _mm256_fmadd_ps(_mm256_set1_ps(dx * d4[4 * ib + 3]), mul_sum_us8(qx, _mm256_loadu_si256((const __m256i *)(qy + 3 * astride))), acc3);
    }
    float sm[4]; _mm_storeu_ps(sm, summs);
    out[0] = hsum_f8(acc0) + sm[0];
    out[1] = hsum_f8(acc1) + sm[1];
    out[2] = hsum_f8(acc2) + sm[2];
    out[3] = hsum_f8(acc3) + sm[3];
}

static void q4_0_x4(int nb, const void *vx, const uint8_t *a, size_t astride,
                    const float *d4, const float *s4, float out[4]) {
    const blk_q4_0 *x = vx;
    (void)s4;
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    __m256 acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps();
    for (int ib = 0; ib < nb; ++ib) {
        const float dx = h2f(x[ib].d);
        const __m256i qx = _mm256_sub_epi8(nibbles32(x[ib].qs), _mm256_set1_epi8(8));
        const __m256i ax = _mm256_sign_epi8(qx, qx);
        const uint8_t *qy = a + (size_t)ib * sizeof(blk_q8_0) + 2;
#define Q40_TOKEN(k, acc) \
        acc = _mm256_fmadd_ps(_mm256_set1_ps(dx * d4[4 * ib + k]), \
              mul_sum_us8(ax, _mm256_sign_epi8(_mm256_loadu_si256((const __m256i *)(qy + k * astride)), qx)), acc)
        Q40_TOKEN(0, acc0); Q40_TOKEN(1, acc1); Q40_TOKEN(2, acc2); Q40_TOKEN(3, acc3);
#undef Q40_TOKEN
    }
    out[0] = hsum_f8(acc0); out[1] = hsum_f8(acc1); out[2] = hsum_f8(acc2); out[3] = hsum_f8(acc3);
}

/* Signed-weight x4 kernels (Q5_0, Q8_0): the weight block is unpacked once and
 * its sign-trick magnitude |qx| reused for the four tokens; each token keeps
 * its own single accumulator chain in block order, so every output has the
 * same bits as the 1-token kernel. */
#define SIGNED_X4_BODY(DX, QX, QY_OFFSET, BLOCK_BYTES) \
        const __m256i ax = _mm256_sign_epi8(QX, QX); \
        const uint8_t *qy = a + (size_t)ib * (BLOCK_BYTES) + (QY_OFFSET); \
        acc0 = _mm256_fmadd_ps(_mm256_set1_ps(DX * d4[4 * ib + 0]), mul_sum_us8(ax, _mm256_sign_epi8(_mm256_loadu_si256((const __m256i *)(qy)), QX)), acc0); \
        acc1 = _mm256_fmadd_ps(_mm256_set1_ps(DX * d4[4 * ib + 1]), mul_sum_us8(ax, _mm256_sign_epi8(_mm256_loadu_si256((const __m256i *)(qy + astride)), QX)), acc1); \
        acc2 = _mm256_fmadd_ps(_mm256_set1_ps(DX * d4[4 * ib + 2]), mul_sum_us8(ax, _mm256_sign_epi8(_mm256_loadu_si256((const __m256i *)(qy + 2 * astride)), QX)), acc2); \
        acc3 = _mm256_fmadd_ps(_mm256_set1_ps(DX * d4[4 * ib + 3]), mul_sum_us8(ax, _mm256_sign_epi8(_mm256_loadu_si256((const __m256i *)(qy + 3 * astride)), QX)), acc3);

static void q5_0_x4(int nb, const void *vx, const uint8_t *a, size_t astride,
                    const float *d4, const float *s4, float out[4]) {
    const blk_q5_0 *x = vx;
    (void)s4;
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    __m256 acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps();
    for (int ib = 0; ib < nb; ++ib) {
        const float dx = h2f(x[ib].d);
        __m256i qx = nibbles32(x[ib].qs);
        qx = _mm256_or_si256(qx, _mm256_andnot_si256(bits32(x[ib].qh), _mm256_set1_epi8((char)0xF0)));
        SIGNED_X4_BODY(dx, qx, 2, sizeof(blk_q8_0))
    }
    out[0] = hsum_f8(acc0); out[1] = hsum_f8(acc1); out[2] = hsum_f8(acc2); out[3] = hsum_f8(acc3);
}

static void q8_0_x4(int nb, const void *vx, const uint8_t *a, size_t astride,
                    const float *d4, const float *s4, float out[4]) {
    const blk_q8_0 *x = vx;
    (void)s4;
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    __m256 acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps();
    for (int ib = 0; ib < nb; ++ib) {
        const float dx = h2f(x[ib].d);
        const __m256i qx = _mm256_loadu_si256((const __m256i *)x[ib].qs);
        SIGNED_X4_BODY(dx, qx, 2, sizeof(blk_q8_0))
    }
    out[0] = hsum_f8(acc0); out[1] = hsum_f8(acc1); out[2] = hsum_f8(acc2); out[3] = hsum_f8(acc3);
}
#undef SIGNED_X4_BODY

/* K-quant x4 kernels: each 256-weight superblock is unpacked once (nibbles,
 * 6-bit scales, high bits) into registers/L1, then reused for four tokens'
 * Q8_K blocks (read directly at a + t*astride; d4/s4 are unused). Every token
 * keeps the exact operation order of its 1-token kernel. */
static void q4_K_x4(int nb32, const void *vx, const uint8_t *a, size_t astride,
                    const float *d4, const float *s4, float out[4]) {
    (void)d4; (void)s4;
    const blk_q4_K *x = vx;
    const int nb = nb32 / (QKK / QK);
    const __m256i m4 = _mm256_set1_epi8(0xF);
    __m256 acc[4] = { _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps() };
    __m128 acc_m[4] = { _mm_setzero_ps(), _mm_setzero_ps(), _mm_setzero_ps(), _mm_setzero_ps() };
    for (int i = 0; i < nb; ++i) {
        const float xd = h2f(x[i].d), xdmin = h2f(x[i].dmin);
        const __m256i ms = kquant_mins_scales(x[i].scales);
        const __m128i sc128 = _mm256_castsi256_si128(ms);
        const __m256i scales = _mm256_set_m128i(sc128, sc128);
        __m256i ql[4], qh4[4], sl[4], sh[4];
        const uint8_t *q4 = x[i].qs;
        for (int j = 0; j < 4; ++j) {
            sl[j] = _mm256_shuffle_epi8(scales, k4_shuffle(2 * j));
            sh[j] = _mm256_shuffle_epi8(scales, k4_shuffle(2 * j + 1));
            const __m256i bits = _mm256_loadu_si256((const __m256i *)q4); q4 += 32;
            ql[j] = _mm256_and_si256(bits, m4);
            qh4[j] = _mm256_and_si256(_mm256_srli_epi16(bits, 4), m4);
        }
        for (int t = 0; t < 4; ++t) {
            const blk_q8_K *y = (const blk_q8_K *)(a + (size_t)t * astride) + i;
            const float d = y->d * xd;
            const float dmin = -y->d * xdmin;
            acc_m[t] = _mm_fmadd_ps(_mm_set1_ps(dmin), _mm_cvtepi32_ps(kquant_min_products(ms, y->bsums)), acc_m[t]);
            const int8_t *q8 = y->qs;
            __m256i sumi = _mm256_setzero_si256();
            for (int j = 0; j < 4; ++j) {
                const __m256i q8l = _mm256_loadu_si256((const __m256i *)q8); q8 += 32;
                const __m256i q8h = _mm256_loadu_si256((const __m256i *)q8); q8 += 32;
                const __m256i pl = _mm256_madd_epi16(sl[j], _mm256_maddubs_epi16(ql[j], q8l));
                const __m256i ph = _mm256_madd_epi16(sh[j], _mm256_maddubs_epi16(qh4[j], q8h));
                sumi = _mm256_add_epi32(sumi, _mm256_add_epi32(pl, ph));
            }
            acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc[t]);
        }
    }
    for (int t = 0; t < 4; ++t) {
        __m128 m = acc_m[t];
        m = _mm_add_ps(m, _mm_movehl_ps(m, m));
        m = _mm_add_ss(m, _mm_movehdup_ps(m));
        out[t] = hsum_f8(acc[t]) + _mm_cvtss_f32(m);
    }
}

static void q6_K_x4(int nb32, const void *vx, const uint8_t *a, size_t astride,
                    const float *d4, const float *s4, float out[4]) {
    (void)d4; (void)s4;
    const blk_q6_K *x = vx;
    const int nb = nb32 / (QKK / QK);
    const __m256i m3 = _mm256_set1_epi8(3), m15 = _mm256_set1_epi8(15);
    __m256 acc[4] = { _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps() };
    for (int i = 0; i < nb; ++i) {
        const float xd = h2f(x[i].d);
        const uint8_t *q4 = x[i].ql, *qh = x[i].qh;
        const __m128i scales = _mm_loadu_si128((const __m128i *)x[i].scales);
        const __m256i scales16 = _mm256_cvtepi8_epi16(scales);
        __m256i v[8], sc[8];
        for (int j = 0; j < 2; ++j) {
            const __m256i b1 = _mm256_loadu_si256((const __m256i *)q4); q4 += 32;
            const __m256i b2 = _mm256_loadu_si256((const __m256i *)q4); q4 += 32;
            const __m256i bh = _mm256_loadu_si256((const __m256i *)qh); qh += 32;
            const __m256i h0 = _mm256_slli_epi16(_mm256_and_si256(bh, m3), 4);
            const __m256i h1 = _mm256_slli_epi16(_mm256_and_si256(bh, _mm256_set1_epi8(12)), 2);
            const __m256i h2 = _mm256_and_si256(bh, _mm256_set1_epi8(48));
            const __m256i h3 = _mm256_srli_epi16(_mm256_and_si256(bh, _mm256_set1_epi8((char)0xC0)), 2);
            v[4 * j + 0] = _mm256_or_si256(_mm256_and_si256(b1, m15), h0);
            v[4 * j + 1] = _mm256_or_si256(_mm256_and_si256(b2, m15), h1);
            v[4 * j + 2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(b1, 4), m15), h2);
            v[4 * j + 3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(b2, 4), m15), h3);
            for (int k = 0; k < 4; ++k)
                sc[4 * j + k] = _mm256_cvtepi8_epi16(_mm_shuffle_epi8(scales, q6_shuffle(4 * j + k)));
        }
        for (int t = 0; t < 4; ++t) {
            const blk_q8_K *y = (const blk_q8_K *)(a + (size_t)t * astride) + i;
            const float d = y->d * xd;
            const int8_t *q8 = y->qs;
            const __m256i q8sums = _mm256_loadu_si256((const __m256i *)y->bsums);
            const __m256i sub = _mm256_slli_epi32(_mm256_madd_epi16(q8sums, scales16), 5);
            __m256i sumi = _mm256_setzero_si256();
            for (int j = 0; j < 2; ++j) {
                const __m256i p0 = _mm256_madd_epi16(sc[4 * j + 0], _mm256_maddubs_epi16(v[4 * j + 0], _mm256_loadu_si256((const __m256i *)(q8 + 0))));
                const __m256i p1 = _mm256_madd_epi16(sc[4 * j + 1], _mm256_maddubs_epi16(v[4 * j + 1], _mm256_loadu_si256((const __m256i *)(q8 + 32))));
                const __m256i p2 = _mm256_madd_epi16(sc[4 * j + 2], _mm256_maddubs_epi16(v[4 * j + 2], _mm256_loadu_si256((const __m256i *)(q8 + 64))));
                const __m256i p3 = _mm256_madd_epi16(sc[4 * j + 3], _mm256_maddubs_epi16(v[4 * j + 3], _mm256_loadu_si256((const __m256i *)(q8 + 96))));
                q8 += 128;
                sumi = _mm256_add_epi32(sumi, _mm256_add_epi32(p0, p1));
                sumi = _mm256_add_epi32(sumi, _mm256_add_epi32(p2, p3));
            }
            sumi = _mm256_sub_epi32(sumi, sub);
            acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc[t]);
        }
    }
    for (int t = 0; t < 4; ++t) out[t] = hsum_f8(acc[t]);
}

ck_x4_fn ck_avx2_x4_for(int wtype) {
    switch (wtype) {
    case CK_Q4_0: return q4_0_x4;
    case CK_Q4_1: return q4_1_x4;
    case CK_Q5_0: return q5_0_x4;
    case CK_Q8_0: return q8_0_x4;
    case CK_Q4_K: return q4_K_x4;
    case CK_Q6_K: return q6_K_x4;
    default: return NULL;
    }
}

ck_dot_fn ck_avx2_dot_for(int wtype) {
    switch (wtype) {
    case CK_F32: return dot_f32;
    case CK_F16: return dot_f16;
    case CK_BF16: return dot_bf16;
    case CK_Q4_0: return dot_q4_0;
    case CK_Q4_1: return dot_q4_1;
    case CK_Q5_0: return dot_q5_0;
    case CK_Q5_1: return dot_q5_1;
    case CK_Q8_0: return dot_q8_0;
    case CK_Q4_K: return dot_q4_K;
    case CK_Q5_K: return dot_q5_K;
    case CK_Q6_K: return dot_q6_K;
    default: return NULL;
    }
}

/* ---- activation quantizers ---- */

static inline float hmax_abs32(const float *x, __m256 v[4]) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    for (int k = 0; k < 4; ++k) v[k] = _mm256_loadu_ps(x + 8 * k);
    __m256 m = _mm256_andnot_ps(sign, v[0]);
    for (int k = 1; k < 4; ++k) m = _mm256_max_ps(m, _mm256_andnot_ps(sign, v[k]));
    __m128 m4 = _mm_max_ps(_mm256_extractf128_ps(m, 1), _mm256_castps256_ps128(m));
    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
    return _mm_cvtss_f32(m4);
}

/* Quantize 32 floats with multiplier id (round half to even), store bytes,
 * return the int sum. */
static inline int quant32(__m256 v[4], float id, int8_t *out) {
    const __m256 mul = _mm256_set1_ps(id);
    __m256i q[4];
    for (int k = 0; k < 4; ++k)
        q[k] = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v[k], mul), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    const int sum = hsum_i8x32(_mm256_add_epi32(_mm256_add_epi32(q[0], q[1]), _mm256_add_epi32(q[2], q[3])));
    __m256i a = _mm256_packs_epi32(q[0], q[1]);
    __m256i b = _mm256_packs_epi32(q[2], q[3]);
    a = _mm256_packs_epi16(a, b);
    a = _mm256_permutevar8x32_epi32(a, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    _mm256_storeu_si256((__m256i *)out, a);
    return sum;
}

static void quant_q8_0(const float *x, blk_q8_0 *y, int n) {
    __m256 v[4];
    for (int i = 0; i < n / QK; ++i, x += QK) {
        const float amax = hmax_abs32(x, v);
        y[i].d = _cvtss_sh(amax / 127.f, 0);
        (void)quant32(v, amax != 0.0f ? 127.f / amax : 0.0f, y[i].qs);
    }
}

static void quant_q8_1(const float *x, blk_q8_1 *y, int n) {
    __m256 v[4];
    for (int i = 0; i < n / QK; ++i, x += QK) {
        const float amax = hmax_abs32(x, v);
        const float d = amax / 127.f;
        y[i].d = _cvtss_sh(d, 0);
        const int sum = quant32(v, amax != 0.0f ? 127.f / amax : 0.0f, y[i].qs);
        y[i].s = _cvtss_sh(d * (float)sum, 0);
    }
}

/* Bit-exact to ck_quantize_q8_K_ref: the scale comes from the first element
 * of largest magnitude (keeping its sign), and nearest_int rounds half to even. */
static void quant_q8_K(const float *x, blk_q8_K *y, int n) {
    __m256 v[4];
    for (int i = 0; i < n / QKK; ++i, x += QKK) {
        float amax = 0;
        for (int k = 0; k < 8; ++k) { float a = hmax_abs32(x + 32 * k, v); if (a > amax) amax = a; }
        if (!amax) { memset(&y[i], 0, sizeof(blk_q8_K)); continue; }
        float max = 0;
        for (int j = 0; j < QKK; ++j) if (fabsf(x[j]) == amax) { max = x[j]; break; }
        const float iscale = -127.f / max;
        const __m256 mul = _mm256_set1_ps(iscale), lim = _mm256_set1_ps(127.f);
        for (int k = 0; k < 8; ++k) {
            __m256i q[4];
            for (int m = 0; m < 4; ++m) {
                __m256 t = _mm256_round_ps(_mm256_mul_ps(_mm256_loadu_ps(x + 32 * k + 8 * m), mul),
                                           _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
                q[m] = _mm256_cvtps_epi32(_mm256_min_ps(t, lim));
            }
            __m256i a = _mm256_packs_epi16(_mm256_packs_epi32(q[0], q[1]), _mm256_packs_epi32(q[2], q[3]));
            a = _mm256_permutevar8x32_epi32(a, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
            _mm256_storeu_si256((__m256i *)(y[i].qs + 32 * k), a);
            /* bsums: sums of 16 consecutive quants */
            const __m256i w = _mm256_maddubs_epi16(_mm256_set1_epi8(1), a);   /* pairs -> i16 */
            const __m256i s32 = _mm256_madd_epi16(w, _mm256_set1_epi16(1));  /* quads -> i32 */
            int32_t t8[8]; _mm256_storeu_si256((__m256i *)t8, s32);
            y[i].bsums[2 * k] = (int16_t)(t8[0] + t8[1] + t8[2] + t8[3]);
            y[i].bsums[2 * k + 1] = (int16_t)(t8[4] + t8[5] + t8[6] + t8[7]);
        }
        y[i].d = 1 / iscale;
    }
}

void ck_quantize_act_avx2_impl(int atype, const float *x, void *y, int n) {
    switch (atype) {
    case CK_Q8_0: quant_q8_0(x, y, n); break;
    case CK_Q8_1: quant_q8_1(x, y, n); break;
    case CK_Q8_K: quant_q8_K(x, y, n); break;
    default: break;
    }
}

/* ---- vector ops: ggml_v_expf / ggml_v_silu (ggml-cpu/vec.h, AVX2+FMA) ---- */

static inline __m256 v_expf(__m256 x) {
    const __m256 r = _mm256_set1_ps(0x1.8p23f);
    const __m256 z = _mm256_fmadd_ps(x, _mm256_set1_ps(0x1.715476p+0f), r);
    const __m256 n = _mm256_sub_ps(z, r);
    const __m256 b = _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.7f7d1cp-20f),
                                      _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.62e4p-1f), x));
    const __m256i e = _mm256_slli_epi32(_mm256_castps_si256(z), 23);
    const __m256 k = _mm256_castsi256_ps(_mm256_add_epi32(e, _mm256_castps_si256(_mm256_set1_ps(1))));
    const __m256i c = _mm256_castps_si256(
        _mm256_cmp_ps(_mm256_andnot_ps(_mm256_set1_ps(-0.f), n), _mm256_set1_ps(126), _CMP_GT_OQ));
    const __m256 u = _mm256_mul_ps(b, b);
    const __m256 j = _mm256_fmadd_ps(
        _mm256_fmadd_ps(_mm256_fmadd_ps(_mm256_set1_ps(0x1.0e4020p-7f), b, _mm256_set1_ps(0x1.573e2ep-5f)), u,
                        _mm256_fmadd_ps(_mm256_set1_ps(0x1.555e66p-3f), b, _mm256_set1_ps(0x1.fffdb6p-2f))),
        u, _mm256_mul_ps(_mm256_set1_ps(0x1.ffffecp-1f), b));
    if (!_mm256_movemask_ps(_mm256_castsi256_ps(c))) return _mm256_fmadd_ps(j, k, k);
    const __m256i g = _mm256_and_si256(_mm256_castps_si256(_mm256_cmp_ps(n, _mm256_setzero_ps(), _CMP_LE_OQ)),
                                       _mm256_set1_epi32((int)0x82000000u));
    const __m256 s1 = _mm256_castsi256_ps(_mm256_add_epi32(g, _mm256_set1_epi32(0x7f000000)));
    const __m256 s2 = _mm256_castsi256_ps(_mm256_sub_epi32(e, g));
    const __m256i d = _mm256_castps_si256(
        _mm256_cmp_ps(_mm256_andnot_ps(_mm256_set1_ps(-0.f), n), _mm256_set1_ps(192), _CMP_GT_OQ));
    return _mm256_or_ps(
        _mm256_and_ps(_mm256_castsi256_ps(d), _mm256_mul_ps(s1, s1)),
        _mm256_andnot_ps(_mm256_castsi256_ps(d),
                         _mm256_or_ps(_mm256_and_ps(_mm256_castsi256_ps(c), _mm256_mul_ps(_mm256_fmadd_ps(s2, j, s2), s1)),
                                      _mm256_andnot_ps(_mm256_castsi256_ps(c), _mm256_fmadd_ps(k, j, k)))));
}

/* The maximum in registers: the same value as llama.cpp's running
 * `max > x ? max : x` for any row without NaN; a row with a NaN comes out
 * all NaN either way (through the exponentials and their sum). */
static inline float row_max(const float *x, int n) {
    __m256 m0 = _mm256_set1_ps(-INFINITY), m1 = m0;
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        m0 = _mm256_max_ps(m0, _mm256_loadu_ps(x + i));
        m1 = _mm256_max_ps(m1, _mm256_loadu_ps(x + i + 8));
    }
    m0 = _mm256_max_ps(m0, m1);
    __m128 r = _mm_max_ps(_mm256_castps256_ps128(m0), _mm256_extractf128_ps(m0, 1));
    r = _mm_max_ps(r, _mm_movehl_ps(r, r));
    r = _mm_max_ss(r, _mm_movehdup_ps(r));
    float max = _mm_cvtss_f32(r);
    for (; i < n; ++i) max = max > x[i] ? max : x[i];
    return max;
}

void ck_avx2_softmax(float *x, int n) {
    const float max = row_max(x, n);
    double sum = 0;
    int i = 0;
    for (; i + 7 < n; i += 8) {
        const __m256 v = v_expf(_mm256_sub_ps(_mm256_loadu_ps(x + i), _mm256_set1_ps(max)));
        _mm256_storeu_ps(x + i, v);
        sum += (double)hsum_f8(v);
    }
    for (; i < n; ++i) { x[i] = expf(x[i] - max); sum += (double)x[i]; }
    const __m256 inv = _mm256_set1_ps((float)(1.0 / sum));
    i = 0;
    for (; i + 7 < n; i += 8) _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), inv));
    for (; i < n; ++i) x[i] *= _mm256_cvtss_f32(inv);
}

void ck_avx2_silu_mul(float *gate, const float *up, int n) {
    int i = 0;
    for (; i + 7 < n; i += 8) {
        const __m256 x = _mm256_loadu_ps(gate + i);
        const __m256 s = _mm256_div_ps(x, _mm256_add_ps(_mm256_set1_ps(1), v_expf(_mm256_sub_ps(_mm256_setzero_ps(), x))));
        _mm256_storeu_ps(gate + i, _mm256_mul_ps(s, _mm256_loadu_ps(up + i)));
    }
    for (; i < n; ++i) {
        const float g = gate[i];
        gate[i] = g / (1.0f + expf(-g)) * up[i];
    }
}

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif


#else  /* not x86-64: no AVX2 kernels */

ck_dot_fn ck_avx2_dot_for(int wtype) { (void)wtype; return NULL; }
ck_x4_fn ck_avx2_x4_for(int wtype) { (void)wtype; return NULL; }
void ck_quantize_act_avx2_impl(int atype, const float *x, void *y, int n) { ck_quantize_act_generic(atype, x, y, n); }
/* never selected (ck_has_avx2() is 0); defined so vecops.c links */
void ck_avx2_softmax(float *x, int n) { (void)x; (void)n; }
void ck_avx2_silu_mul(float *gate, const float *up, int n) { (void)gate; (void)up; (void)n; }

#endif
