/*
 * CKernels: the SIMD hot spots of Aqyl's numeric kernels.
 *
 * Type ids are ggml's (GGMLType raw values). Every dot kernel exists as a
 * scalar `_generic` version (portable, the semantic reference) and, on
 * x86-64, an AVX2 version selected at run time; tests call both directly.
 */
#ifndef AQYL_CKERNELS_H
#define AQYL_CKERNELS_H
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ggml type ids used here (ggml/include/ggml.h). */
enum {
    CK_F32 = 0, CK_F16 = 1, CK_Q4_0 = 2, CK_Q4_1 = 3, CK_Q5_0 = 6, CK_Q5_1 = 7,
    CK_Q8_0 = 8, CK_Q8_1 = 9, CK_Q4_K = 12, CK_Q5_K = 13, CK_Q6_K = 14, CK_Q8_K = 15,
    CK_BF16 = 30
};

/* ---- half / bfloat conversion (portable, round-to-nearest-even) ---- */
float    ck_fp16_to_fp32(uint16_t h);
uint16_t ck_fp32_to_fp16(float f);
float    ck_bf16_to_fp32(uint16_t h);
uint16_t ck_fp32_to_bf16(float f);

/* ---- dispatch info ---- */
/* 1 when the AVX2+FMA+F16C kernels are usable on this CPU. */
int ck_has_avx2(void);
/* 1 when the AVX-512 VNNI interleaved kernels run too (AQYL_KERNELS=avx2 turns them off). */
int ck_has_avx512(void);
/* Name of the selected kernel set ("avx512-vnni", "avx2" or "generic"). */
const char *ck_kernel_set(void);

/* Activation type a weight type pairs with (CK_Q8_0/CK_Q8_1/CK_Q8_K), or
 * CK_F32 for float weights, or -1 if the weight type is unsupported. */
int ck_vec_dot_type(int wtype);

/* ---- dot products: n elements of weight row `x` (type wtype) against
 * the activation row `y` (type ck_vec_dot_type(wtype)). n must be a whole
 * number of blocks. Returns 0 for unsupported types. ---- */
float ck_vec_dot(int wtype, int n, const void *x, const void *y);
float ck_vec_dot_generic(int wtype, int n, const void *x, const void *y);
/* AVX2 version; falls back to generic where AVX2 is unavailable. */
float ck_vec_dot_avx2(int wtype, int n, const void *x, const void *y);

/* ---- activation quantizers: F32 -> Q8_0 / Q8_1 / Q8_K ----
 * `ck_quantize_act` uses the fastest available path (AVX2 rounds half to
 * even like ggml's AVX2 path); `_generic` follows ggml's *_ref code. */
void ck_quantize_act(int atype, const float *x, void *y, int n);
void ck_quantize_act_generic(int atype, const float *x, void *y, int n);
void ck_quantize_act_avx2(int atype, const float *x, void *y, int n);

/* ---- weight reference quantizers (ggml quantize_row_*_ref logic) ----
 * Returns 0 on success, -1 for an unsupported type. */
int ck_quantize_ref(int type, const float *x, void *y, int n);

/* ---- fast dequantization (bit-exact to ggml's dequantize_row_*) ----
 * Returns 0 on success, -1 for an unsupported type. */
int ck_dequantize(int type, const void *x, float *y, int n);

/* ---- matrix multiply tile ----
 * For rows [row0, row1) of the weight matrix w (row stride wstride bytes,
 * `cols` inputs) and `tokens` activation rows a (stride astride bytes, in
 * type ck_vec_dot_type(wtype), or plain floats for float weights):
 *   y[t*ldy + r] = dot(w[r], a[t]).
 * Rows are processed in small blocks so each block is reused by all tokens
 * while it sits in L1/L2. */
void ck_gemm_rows(int wtype, const void *w, size_t wstride, int row0, int row1,
                  const void *a, size_t astride, int tokens, int cols,
                  float *y, size_t ldy);

/* llama.cpp's tiled K-quant matmul (ggml-cpu/tiled), tiled.c: for Q4_K,
 * Q5_K and Q6_K weights and 8+ tokens on x86 with AVX2, ck_gemm_rows gives
 * its bits (per output: per-block int dot, res = d*s1 [- dmin*s2 fused],
 * acc = fma(res, d_act, acc), blocks in order). AQYL_TILED=0 turns it off.
 * ck_tiled_gemm_rows computes it for any token count; _generic is the
 * scalar reference (same bits). */
/* _ex forms: allow_tiled = 0 keeps vec_dot (llama.cpp with GGML_CPU_TILED_MM=0). */
void ck_gemm_rows_ex(int wtype, const void *w, size_t wstride, int row0, int row1,
                     const void *a, size_t astride, int tokens, int cols,
                     float *y, size_t ldy, int allow_tiled);
void ck_gemm_claim_ex(int wtype, const void *w, size_t wstride, int rows, int *next_row, int chunk,
                      const void *a, size_t astride, int tokens, int cols, float *y, size_t ldy,
                      int allow_tiled);
int  ck_tiled_enabled(void);
int  ck_tiled_eligible_type(int wtype);
int  ck_tiled_active(int wtype, int tokens);
void ck_tiled_gemm_rows(int wtype, const void *w, size_t wstride, int row0, int row1,
                        const void *a, size_t astride, int tokens, int cols, float *y, size_t ldy);
void ck_tiled_gemm_rows_generic(int wtype, const void *w, size_t wstride, int row0, int row1,
                                const void *a, size_t astride, int tokens, int cols, float *y, size_t ldy);
/* The AVX2 or AVX-512 VNNI form explicitly (tests): -1 where it cannot run here. */
int  ck_tiled_gemm_rows_avx2(int wtype, const void *w, size_t wstride, int row0, int row1,
                             const void *a, size_t astride, int tokens, int cols, float *y, size_t ldy);
int  ck_tiled_gemm_rows_avx512(int wtype, const void *w, size_t wstride, int row0, int row1,
                               const void *a, size_t astride, int tokens, int cols, float *y, size_t ldy);

/* Work-sharing form of ck_gemm_rows: callers on several threads share the
 * counter *next_row (start at 0) and each claims `chunk` rows at a time until
 * all `rows` are done, so a slow or descheduled thread holds up little. */
void ck_gemm_claim(int wtype, const void *w, size_t wstride, int rows, int *next_row, int chunk,
                   const void *a, size_t astride, int tokens, int cols, float *y, size_t ldy);

/* ---- thread pool (persistent pthreads that spin briefly, then sleep) ---- */
typedef struct ck_pool ck_pool;
typedef void (*ck_task_fn)(void *ctx, int worker, int nworkers);
ck_pool *ck_pool_create(int threads);
void ck_pool_destroy(ck_pool *pool);
/* Names the calling thread (for debuggers and /proc; at most 15 characters). */
void ck_name_thread(const char *name);
/* Runs fn(ctx, w, n) for w in 0..<n, w = 0 on the calling thread. */
void ck_pool_run(ck_pool *pool, ck_task_fn fn, void *ctx);
/* Workers actually running (fewer than asked if thread creation failed). */
int ck_pool_size(const ck_pool *pool);

/* ---- vector ops ---- */
float ck_dot_f32(const float *a, const float *b, int n);
void  ck_rms_norm(const float *x, const float *w, float eps, int n, float *out);
void  ck_axpy(float alpha, const float *x, float *y, int n);
void  ck_softmax(float *x, int n);
/* ck_softmax's forms, for tests: the scalar reference and the AVX2 and
 * AVX-512 ones (same bits; -1 when the CPU lacks them). */
void  ck_softmax_generic(float *x, int n);
int   ck_softmax_avx2(float *x, int n);
int   ck_softmax_avx512(float *x, int n);
void  ck_silu_mul(float *gate, const float *up, int n);
void  ck_gelu_tanh_mul(float *gate, const float *up, int n);
void  ck_gelu_tanh_mul_exact(float *gate, const float *up, int n);
/* ck_gelu_tanh_mul without SIMD (its reference in tests). */
void  ck_gelu_tanh_mul_generic(float *gate, const float *up, int n);
void  ck_round_fp16(float *x, int n);
void  ck_add(const float *x, float *y, int n);
void  ck_scale(float *x, float s, int n);
/* The bits of max |x[i]|; >= 0x7f800000 when some x[i] is infinite or NaN. */
uint32_t ck_absmax_bits(const float *x, int n);

/* ---- llama.cpp-compatible attention (attn.c) ----
 * batched = 0: ggml_vec_dot_f16's order (a 1-token batch); 1: tinyBLAS's (2+). */
float ck_attn_dot(const float *q, const float *k, int n, int batched);
/* scores[j] = ck_attn_dot(q, k + j*kstride, dim, batched) * scale for j in [lo, hi). */
void  ck_attn_scores(const float *q, const float *k, size_t kstride, int lo, int hi, int dim,
                     int batched, float scale, float *scores);
/* out[d] = sum over j in lo..<hi of p[j]*v[j*vstride + d], lanes by absolute j;
 * scratch holds 32*dim floats. */
void  ck_attn_values(const float *p, const float *v, size_t vstride, int lo, int hi, int dim,
                     int batched, float *scratch, float *out);

/* The same with K or V stored as fp16 (an F16 KV cache): identical results,
 * since the float inputs of the F32 forms are fp16 values already. */
void  ck_attn_scores_f16(const float *q, const uint16_t *k, size_t kstride, int lo, int hi, int dim,
                         int batched, float scale, float *scores);
void  ck_attn_values_f16(const float *p, const uint16_t *v, size_t vstride, int lo, int hi, int dim,
                         int batched, float *scratch, float *out);
/* The batched (tinyBLAS) order, tiled: scores of `heads` queries (qstride
 * floats apart) that share one K, into rows sstride floats apart. Same bits
 * as ck_attn_scores_f16 with batched = 1 per head. The _generic forms are
 * the scalar references of this and of ck_attn_values_f16 (whose AVX2 form
 * keeps its lane accumulators in registers). */
void  ck_attn_scores_heads_f16(const float *q, size_t qstride, int heads, const uint16_t *k, size_t kstride,
                               int lo, int hi, int dim, float scale, float *scores, size_t sstride);
void  ck_attn_scores_heads_f16_generic(const float *q, size_t qstride, int heads, const uint16_t *k, size_t kstride,
                                       int lo, int hi, int dim, float scale, float *scores, size_t sstride);
void  ck_attn_values_f16_generic(const float *p, const uint16_t *v, size_t vstride, int lo, int hi, int dim,
                                 int batched, float *scratch, float *out);
/* The batched order for a tile of `tokens` query tokens of one sequence
 * (token t's heads at q + t*qstride, `heads` rows dim floats apart, sharing
 * one KV head) whose token t sees keys lo[t]...pos[t]: scores, llama.cpp's
 * mask and softmax, fp16 probabilities, values, into out + t*ostride. Same
 * bits as ck_attn_scores_heads_f16 + ck_softmax + ck_round_fp16 +
 * ck_attn_values_f16 per (token, head); K and V are read once per tile.
 * Keys up to max(pos) must be stored. Returns 0, or -1 (nothing written)
 * when buffers cannot be allocated, arguments are out of range, or (the
 * _avx2/_avx512 forms) the CPU lacks the instructions. */
int   ck_attn_tile_f16(const float *q, size_t qstride, int tokens, int heads, const int32_t *pos,
                       const int32_t *lo, const uint16_t *k, const uint16_t *v, size_t kvstride, int dim,
                       float scale, float *out, size_t ostride);
int   ck_attn_tile_f16_generic(const float *q, size_t qstride, int tokens, int heads, const int32_t *pos,
                               const int32_t *lo, const uint16_t *k, const uint16_t *v, size_t kvstride, int dim,
                               float scale, float *out, size_t ostride);
int   ck_attn_tile_f16_avx2(const float *q, size_t qstride, int tokens, int heads, const int32_t *pos,
                            const int32_t *lo, const uint16_t *k, const uint16_t *v, size_t kvstride, int dim,
                            float scale, float *out, size_t ostride);
int   ck_attn_tile_f16_avx512(const float *q, size_t qstride, int tokens, int heads, const int32_t *pos,
                              const int32_t *lo, const uint16_t *k, const uint16_t *v, size_t kvstride, int dim,
                              float scale, float *out, size_t ostride);
/* dst[i] = fp16(src[i]) (round to nearest even). */
void  ck_fp32_to_fp16_row(const float *src, uint16_t *dst, int n);

/* llama.cpp's repacked Q4_K path (repack.c): Q4_K rows interleaved 8 at a
 * time (block_q4_Kx8; same byte size as the source), Q8_K activations 4
 * rows at a time (block_q8_Kx4; same size as 4 Q8_K rows), and ggml's
 * gemv/gemm kernels for them. Signatures follow ggml's
 * (n = columns, s = output, bs = output row stride, nr = activation rows,
 * nc = output rows, a multiple of 8). */
int  ck_repack_q4_K_8x8(const void *src, void *dst, int rows, int cols);
int  ck_repack_available(void);   /* 1 when llama.cpp would repack here (AVX2) */
void ck_quantize_mat_q8_K_4x8(const float *x, void *y, int64_t k);
void ck_quantize_mat_q8_K_4x8_generic(const float *x, void *y, int64_t k);
void ck_gemv_q4_K_8x8_q8_K(int n, float *s, size_t bs, const void *vx, const void *vy, int nr, int nc);
void ck_gemv_q4_K_8x8_q8_K_generic(int n, float *s, size_t bs, const void *vx, const void *vy, int nr, int nc);
void ck_gemm_q4_K_8x8_q8_K(int n, float *s, size_t bs, const void *vx, const void *vy, int nr, int nc);
void ck_gemm_q4_K_8x8_q8_K_generic(int n, float *s, size_t bs, const void *vx, const void *vy, int nr, int nc);
/* Aqyl's own gemm for the same layouts with the AVX2 gemm's bits
 * (repack_gemm_lanes.c): -1, computing nothing, where AVX2 is missing, the
 * shapes do not fit (n % 256, nr % 4, nc % 8) or its buffer cannot be had. */
int  ck_gemm_q4_K_8x8_q8_K_lanes_avx2(int n, float *s, size_t bs, const void *vx, const void *vy, int nr, int nc);
void ck_gemm_q4_K_8x8_q8_K_lanes_generic(int n, float *s, size_t bs, const void *vx, const void *vy, int nr, int nc);
void ck_repack_quantize_act(const float *x, void *y, int tokens, int cols);
void ck_repack_gemm_rows(const void *w, int rows, int row0, int row1, const void *a, int tokens, int cols,
                         float *y, size_t ldy);
/* Weight buffers (weights_alloc.c): 2 MiB-aligned and offered as transparent
 * huge pages from 2 MiB up; NULL when out of memory; free with ck_weights_free. */
void *ck_weights_alloc(size_t bytes);
void  ck_weights_free(void *p);
/* Return the whole pages inside [p, p+bytes) of such a buffer to the kernel
 * (they read as zeros afterwards). */
void  ck_weights_release(void *p, size_t bytes);
const void *ck_repack_q4_K_lazy(void **slot, const void *src, int rows, int cols);
void ck_repack_free(void *p);
void ck_repack_gemm_claim(const void *w, int rows, int *next_row, int chunk, const void *a, int tokens, int cols,
                          float *y, size_t ldy);

/* ---- row-interleaved matmul (interleave.c), the fast mode's kernels ----
 * Q4_0, Q4_1, Q5_0 and Q8_0 weights with rows % 8 == 0 are repacked 8 rows
 * at a time (same byte size) and multiplied against activations quantized
 * to blk_q8_s (per 32 values: fp16-rounded scale, sums, 32 int8; 40 bytes)
 * holding llama.cpp's Q8_0/Q8_1 activation values. Each output has the bits
 * of llama.cpp's AVX2 vec_dot for that row; the _generic kernels (the
 * scalar reference) give the same bits. */
int    ck_r8_eligible(int wtype, int rows, int cols);
size_t ck_r8_block_bytes(int wtype);
/* Bytes of the repacked matrix (0 when not eligible). */
size_t ck_r8_bytes(int wtype, int rows, int cols);
/* src rows wstride bytes apart; dst holds ck_r8_bytes. Returns 0 or -1. */
int    ck_r8_repack(int wtype, const void *src, size_t wstride, void *dst, int rows, int cols);
/* Row `row` of a ck_r8_repack copy back in source blocks (dst holds one row). */
int    ck_r8_unpack_row(int wtype, const void *packed, int cols, int row, void *dst);
size_t ck_q8s_row_bytes(int cols);
void   ck_quantize_q8s(const float *x, void *y, int n);
void   ck_quantize_q8s_generic(const float *x, void *y, int n);
/* y[t*ldy + r] = dot(row r, activation row t) for r in [row0, row1) (multiples of 8);
 * activation rows are ck_q8s_row_bytes(cols) apart. */
void   ck_r8_gemm_rows(int wtype, const void *w, int cols, int row0, int row1,
                       const void *a, int tokens, float *y, size_t ldy);
/* Q8_0 by block sums (training's backward product; not vec_dot's bits): each
 * row's block dot is one exact integer, then acc = fma(d_w·d_a, sum, acc) per
 * block. form 0 is the scalar reference, 1 AVX2, 2 AVX-512 (all the same bits);
 * returns -1 where the form is missing or rows are not multiples of 16. */
void ck_r8_q8_0_blocksum_generic(const void *w, int cols, int row0, int row1, const void *a, int tokens, float *y, size_t ldy);
int  ck_r8_q8_0_blocksum(int form, const void *w, int cols, int row0, int row1, const void *a, int tokens, float *y, size_t ldy);
/* Workers claim chunks (multiples of 16 rows) of the best form the CPU has. */
void ck_r8_q8_0_blocksum_claim(const void *w, int rows, int cols, int *next_row, int chunk, const void *a, int tokens,
                               float *y, size_t ldy);
/* One instruction set explicitly (for tests): returns -1, computing nothing,
 * where that set is not usable here. */
int    ck_r8_gemm_rows_avx2(int wtype, const void *w, int cols, int row0, int row1,
                            const void *a, int tokens, float *y, size_t ldy);
int    ck_r8_gemm_rows_avx512(int wtype, const void *w, int cols, int row0, int row1,
                              const void *a, int tokens, float *y, size_t ldy);
void   ck_r8_gemm_rows_generic(int wtype, const void *w, int cols, int row0, int row1,
                               const void *a, int tokens, float *y, size_t ldy);
/* Work-sharing form: callers share *next_row (start 0) and claim `chunk` rows (a multiple of 8). */
void   ck_r8_gemm_claim(int wtype, const void *w, int rows, int cols, int *next_row, int chunk,
                        const void *a, int tokens, float *y, size_t ldy);

/* One matrix of a shared-input group for ck_r8_gemm_claim_jobs: y[t*ldy + r]
 * for its rows, claimed `chunk` rows (a multiple of 8) at a time. */
typedef struct { int wtype; const void *w; int rows; int cols; float *y; size_t ldy; int chunk; } ck_r8_job;
void   ck_r8_gemm_claim_jobs(const ck_r8_job *jobs, int njobs, int *next_chunk, const void *a, int tokens);

/* ---- float GEMMs for LoRA and training (train.c) ----
 * Row-major, leading dimensions in elements. beta = 0 overwrites C.
 *   nt: C[i,j] = beta·C + alpha·Σ_p A[i,p]·B[j,p]   (A m×k, B n×k)
 *   nn: C[i,j] = beta·C + alpha·Σ_p A[i,p]·B[p,j]   (A m×k, B k×n)
 *   tn: C[i,j] = beta·C + alpha·Σ_p A[p,i]·B[p,j]   (A k×m, B k×n) */
void ck_sgemm_nt(int m, int n, int k, float alpha, const float *a, size_t lda, const float *b, size_t ldb,
                 float beta, float *c, size_t ldc);
void ck_sgemm_nn(int m, int n, int k, float alpha, const float *a, size_t lda, const float *b, size_t ldb,
                 float beta, float *c, size_t ldc);
void ck_sgemm_tn(int m, int n, int k, float alpha, const float *a, size_t lda, const float *b, size_t ldb,
                 float beta, float *c, size_t ldc);
/* Training's gated activations (act 0: SiLU, 1: GELU-tanh), vectorized with a
 * bounded ggml-style exp: h = act(g)·u; and given dh, g ← dL/dg, u ← dL/du. */
void ck_gated_forward(int act, const float *g, const float *u, float *h, int n);
void ck_gated_backward(int act, float *g, float *u, const float *dh, int n);
/* One form of a float GEMM, for tests: which 0 nt, 1 nn, 2 tn; form 0 generic,
 * 1 AVX2, 2 AVX-512. Returns -1 (and computes nothing) where the CPU or the
 * build lacks the form. */
int ck_sgemm_form(int which, int form, int m, int n, int k, float alpha, const float *a, size_t lda, const float *b,
                  size_t ldb, float beta, float *c, size_t ldc);
/* Portable version of ck_sgemm_nt (the reference for tests). */
void ck_sgemm_nt_ref(int m, int n, int k, float alpha, const float *a, size_t lda, const float *b, size_t ldb,
                     float beta, float *c, size_t ldc);
/* dx[t, c0:c1] += Σ_r dy[t, r]·W[r, c0:c1] for a (rows × cols) weight of type
 * wtype stored row by row (wstride bytes); c0, c1 whole blocks; tile holds
 * 32·(c1−c0) floats. Returns 0, or -1 for a bad type or misaligned slice. */
int ck_matmul_t_cols(int wtype, const void *w, size_t wstride, int rows, int c0, int c1,
                     const float *dy, size_t ldy, int tokens, float *dx, size_t ldx, float *tile);

#ifdef __cplusplus
}
#endif
#endif
