/*
 * Float matmuls for LoRA and for training's backward pass.
 *
 * The LoRA terms are rank-r products (r is 4..64), so they run as plain F32
 * GEMMs here; the frozen base weights stay quantized, and their transposed
 * product dX += dY·W dequantizes a few rows at a time into a small tile
 * (QLoRA's trick: never a full F32 copy of the model).
 *
 * Each kernel body is written once (train_body.h) and compiled twice: a
 * portable version (the scalar reference, `_generic`) and one with AVX2+FMA
 * enabled, picked at run time.
 */
#include "ck_internal.h"
#include <string.h>

/* These are float GEMMs, not bit-exact dequantizers: let a·b+c fuse. */
#pragma STDC FP_CONTRACT ON

/* Rows of W dequantized per tile in ck_matmul_t_cols. */
#define CK_TROWS 32

static int ck_block_size(int t) {
    switch (t) {
    case CK_F32: case CK_F16: case CK_BF16: return 1;
    case CK_Q4_0: case CK_Q4_1: case CK_Q5_0: case CK_Q5_1: case CK_Q8_0: return QK;
    case CK_Q4_K: case CK_Q5_K: case CK_Q6_K: return QKK;
    default: return 0;
    }
}

static int ck_block_bytes(int t) {
    switch (t) {
    case CK_F32: return 4;
    case CK_F16: case CK_BF16: return 2;
    case CK_Q4_0: return sizeof(blk_q4_0);
    case CK_Q4_1: return sizeof(blk_q4_1);
    case CK_Q5_0: return sizeof(blk_q5_0);
    case CK_Q5_1: return sizeof(blk_q5_1);
    case CK_Q8_0: return sizeof(blk_q8_0);
    case CK_Q4_K: return sizeof(blk_q4_K);
    case CK_Q5_K: return sizeof(blk_q5_K);
    case CK_Q6_K: return sizeof(blk_q6_K);
    default: return 0;
    }
}

#define CK_TJ 16
/* Output tile of ck_sgemm_nn / ck_sgemm_tn: rows × columns held in registers
 * (4×16 is 8 ymm accumulators of AVX2's 16; 8×32 is 16 zmm of AVX-512's 32). */
#define CK_GR 4
#define CK_GJ 16
#define CK_VW 4
#define CK_SUFFIX _generic
#include "train_body.h"
#undef CK_SUFFIX

#if defined(__x86_64__) && !defined(CK_FORCE_GENERIC)
#undef CK_VW
#define CK_VW 8
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define CK_SUFFIX _avx2
#include "train_body.h"
#undef CK_SUFFIX
#pragma clang attribute pop
#undef CK_GR
#undef CK_GJ
#undef CK_VW
#define CK_GR 8
#define CK_GJ 32
#define CK_VW 16
#pragma clang attribute push(__attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,avx2,fma"))), apply_to = function)
#define CK_SUFFIX _avx512
#include "train_body.h"
#undef CK_SUFFIX
#pragma clang attribute pop
/* The C code fixes every sum's order and where it fuses (a·b+c is one fma
 * wherever the target has FMA), so the AVX2 and AVX-512 forms give the same
 * bits; the generic form, built without FMA, rounds products separately. */
#define CK_PICK(name) (ck_has_avx512() ? name##_avx512 : ck_has_avx2() ? name##_avx2 : name##_generic)
#define CK_HAVE_FORMS 1
#else
#define CK_PICK(name) name##_generic
#endif

void ck_sgemm_nt(int m, int n, int k, float alpha, const float *a, size_t lda, const float *b, size_t ldb,
                 float beta, float *c, size_t ldc) {
    CK_PICK(ck_sgemm_nt)(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void ck_sgemm_nn(int m, int n, int k, float alpha, const float *a, size_t lda, const float *b, size_t ldb,
                 float beta, float *c, size_t ldc) {
    CK_PICK(ck_sgemm_nn)(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void ck_sgemm_tn(int m, int n, int k, float alpha, const float *a, size_t lda, const float *b, size_t ldb,
                 float beta, float *c, size_t ldc) {
    CK_PICK(ck_sgemm_tn)(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

int ck_matmul_t_cols(int wtype, const void *w, size_t wstride, int rows, int c0, int c1,
                     const float *dy, size_t ldy, int tokens, float *dx, size_t ldx, float *tile) {
    return CK_PICK(ck_matmul_t_cols)(wtype, w, wstride, rows, c0, c1, dy, ldy, tokens, dx, ldx, tile);
}

void ck_gated_forward(int act, const float *g, const float *u, float *h, int n) {
    CK_PICK(ck_gated_forward)(act, g, u, h, n);
}

void ck_gated_backward(int act, float *g, float *u, const float *dh, int n) {
    CK_PICK(ck_gated_backward)(act, g, u, dh, n);
}

void ck_sgemm_nt_ref(int m, int n, int k, float alpha, const float *a, size_t lda, const float *b, size_t ldb,
                     float beta, float *c, size_t ldc) {
    ck_sgemm_nt_generic(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

typedef void (*ck_sgemm_fn)(int, int, int, float, const float *, size_t, const float *, size_t, float, float *, size_t);

int ck_sgemm_form(int which, int form, int m, int n, int k, float alpha, const float *a, size_t lda, const float *b,
                  size_t ldb, float beta, float *c, size_t ldc) {
    static const ck_sgemm_fn generic[3] = {ck_sgemm_nt_generic, ck_sgemm_nn_generic, ck_sgemm_tn_generic};
    if (which < 0 || which > 2 || form < 0 || form > 2) return -1;
    ck_sgemm_fn f = generic[which];
#ifdef CK_HAVE_FORMS
    static const ck_sgemm_fn avx2[3] = {ck_sgemm_nt_avx2, ck_sgemm_nn_avx2, ck_sgemm_tn_avx2};
    static const ck_sgemm_fn avx512[3] = {ck_sgemm_nt_avx512, ck_sgemm_nn_avx512, ck_sgemm_tn_avx512};
    if (form == 1) {
        if (!ck_has_avx2()) return -1;
        f = avx2[which];
    } else if (form == 2) {
        if (!ck_has_avx512()) return -1;
        f = avx512[which];
    }
#else
    if (form != 0) return -1;
#endif
    f(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return 0;
}
