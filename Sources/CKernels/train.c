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
#define CK_SUFFIX _generic
#include "train_body.h"
#undef CK_SUFFIX

#if defined(__x86_64__) && !defined(CK_FORCE_GENERIC)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define CK_SUFFIX _avx2
#include "train_body.h"
#undef CK_SUFFIX
#pragma clang attribute pop
#define CK_PICK(name) (ck_has_avx2() ? name##_avx2 : name##_generic)
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

void ck_sgemm_nt_ref(int m, int n, int k, float alpha, const float *a, size_t lda, const float *b, size_t ldb,
                     float beta, float *c, size_t ldc) {
    ck_sgemm_nt_generic(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
