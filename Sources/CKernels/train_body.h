/* Kernel bodies for train.c; included once per instruction set with
 * CK_SUFFIX set. Not a public header. */
#define CK_CAT2(a, b) a##b
#define CK_CAT(a, b) CK_CAT2(a, b)
#define CK_NAME(n) CK_CAT(n, CK_SUFFIX)
#define CK_VF CK_NAME(vf)

/* Σ a[i]·b[i] with 8 independent lanes, so the compiler can vectorize it. */
static inline float CK_NAME(tdot)(const float *a, const float *b, int n) {
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int i = 0;
    for (; i + 8 <= n; i += 8)
        for (int u = 0; u < 8; u++) acc[u] += a[i + u] * b[i + u];
    float s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (; i < n; i++) s += a[i] * b[i];
    return s;
}

/* The lane tree of tdot. */
static inline float CK_NAME(tree8)(const float acc[8]) {
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

/* C[i,j] = beta·C[i,j] + alpha·Σ_k A[i,k]·B[j,k]   (A m×k, B n×k).
 * 4 rows × 2 columns of outputs at a time, each with tdot's own 8 lanes and
 * tree (so every output has tdot's bits), sharing each row and column load. */
static void CK_NAME(ck_sgemm_nt)(int m, int n, int k, float alpha, const float *a, size_t lda, const float *b,
                                 size_t ldb, float beta, float *c, size_t ldc) {
    const int k8 = k / 8 * 8;
    int i0 = 0;
    for (; i0 + 4 <= m && n >= 2; i0 += 4) {
        int j0 = 0;
        for (; j0 + 2 <= n; j0 += 2) {
            float acc[4][2][8];
            for (int r = 0; r < 4; r++)
                for (int q = 0; q < 2; q++)
                    for (int u = 0; u < 8; u++) acc[r][q][u] = 0;
            for (int p = 0; p < k8; p += 8)
                for (int r = 0; r < 4; r++)
                    for (int q = 0; q < 2; q++)
                        for (int u = 0; u < 8; u++)
                            acc[r][q][u] += a[(size_t)(i0 + r) * lda + p + u] * b[(size_t)(j0 + q) * ldb + p + u];
            for (int r = 0; r < 4; r++)
                for (int q = 0; q < 2; q++) {
                    const float *ar = a + (size_t)(i0 + r) * lda, *bq = b + (size_t)(j0 + q) * ldb;
                    float s = CK_NAME(tree8)(acc[r][q]);
                    for (int p = k8; p < k; p++) s += ar[p] * bq[p];
                    const float v = alpha * s;
                    float *cij = c + (size_t)(i0 + r) * ldc + j0 + q;
                    *cij = beta == 0 ? v : beta * *cij + v;
                }
        }
        for (; j0 < n; j0++)
            for (int r = 0; r < 4; r++) {
                const float v = alpha * CK_NAME(tdot)(a + (size_t)(i0 + r) * lda, b + (size_t)j0 * ldb, k);
                float *cij = c + (size_t)(i0 + r) * ldc + j0;
                *cij = beta == 0 ? v : beta * *cij + v;
            }
    }
    for (int i = i0; i < m; i++) {
        float *ci = c + (size_t)i * ldc;
        for (int j = 0; j < n; j++) {
            float v = alpha * CK_NAME(tdot)(a + (size_t)i * lda, b + (size_t)j * ldb, k);
            ci[j] = beta == 0 ? v : beta * ci[j] + v;
        }
    }
}

/* The starting value of an output: beta·C, with beta 0 and 1 exact. */
static inline float CK_NAME(start)(float beta, float c) { return beta == 0 ? 0 : beta == 1 ? c : beta * c; }

/* A register tile of CK_GR rows × CK_GJ columns, as CK_VW-float vectors
 * (clang's vector extension: one ymm or zmm each, whatever the target). Written
 * with vectors rather than left to the auto-vectorizer, which at -O3 turned the
 * scalar form into gathers and scatters across rows. */
typedef float CK_VF __attribute__((vector_size(CK_VW * 4)));

static inline __attribute__((always_inline)) CK_VF CK_NAME(vload)(const float *p) {
    CK_VF v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline __attribute__((always_inline)) void CK_NAME(tile_start)(CK_VF acc[CK_GR][CK_GJ / CK_VW], float beta,
                                                                      const float *c, size_t ldc) {
    for (int r = 0; r < CK_GR; r++)
        for (int q = 0; q < CK_GJ / CK_VW; q++) {
            if (beta == 0) acc[r][q] = (CK_VF){0};
            else if (beta == 1) acc[r][q] = CK_NAME(vload)(c + (size_t)r * ldc + q * CK_VW);
            else acc[r][q] = beta * CK_NAME(vload)(c + (size_t)r * ldc + q * CK_VW);
        }
}

/* acc[r] += s[r]·b, one fma per lane (FP_CONTRACT). */
static inline __attribute__((always_inline)) void CK_NAME(tile_fma)(CK_VF acc[CK_GR][CK_GJ / CK_VW], const float s[CK_GR],
                                                                    const float *b) {
    CK_VF bv[CK_GJ / CK_VW];
    for (int q = 0; q < CK_GJ / CK_VW; q++) bv[q] = CK_NAME(vload)(b + q * CK_VW);
    for (int r = 0; r < CK_GR; r++)
        for (int q = 0; q < CK_GJ / CK_VW; q++) acc[r][q] += s[r] * bv[q];
}

static inline __attribute__((always_inline)) void CK_NAME(tile_store)(CK_VF acc[CK_GR][CK_GJ / CK_VW], float *c, size_t ldc) {
    for (int r = 0; r < CK_GR; r++)
        for (int q = 0; q < CK_GJ / CK_VW; q++) memcpy(c + (size_t)r * ldc + q * CK_VW, &acc[r][q], sizeof(CK_VF));
}

/* C[i,:] = beta·C[i,:] + alpha·Σ_p A(i,p)·B[p,:], with A(i,p) at a[i·rs + p·cs]
 * (nn: rs = lda, cs = 1; tn: rs = 1, cs = lda; always inlined, so each
 * caller's unit stride is a constant). Every output is one running sum over p
 * in order, c = fma(alpha·A(i,p), B[p,j], c), with terms whose alpha·A(i,p) is
 * zero left out (causal attention's upper triangle). CK_GR rows × CK_GJ
 * columns of outputs stay in registers across p and share each B load; a term
 * that is zero for some rows of the tile adds fma(0, b, c) = c for them, so
 * every output keeps the one-row loop's bits. */
static inline __attribute__((always_inline)) void CK_NAME(sgemm_an)(int m, int n, int k, float alpha, const float *a, size_t rs,
                                                                    size_t cs, const float *b, size_t ldb, float beta, float *c,
                                                                    size_t ldc) {
    const int nw = n / CK_GJ * CK_GJ;
    int i0 = 0;
    for (; i0 + CK_GR <= m; i0 += CK_GR) {
        for (int j0 = 0; j0 < nw; j0 += CK_GJ) {
            CK_VF acc[CK_GR][CK_GJ / CK_VW];
            CK_NAME(tile_start)(acc, beta, c + (size_t)i0 * ldc + j0, ldc);
            for (int p = 0; p < k; p++) {
                float s[CK_GR];
                int any = 0;
                for (int r = 0; r < CK_GR; r++) {
                    s[r] = alpha * a[(size_t)(i0 + r) * rs + (size_t)p * cs];
                    any |= s[r] != 0;
                }
                if (any) CK_NAME(tile_fma)(acc, s, b + (size_t)p * ldb + j0);
            }
            CK_NAME(tile_store)(acc, c + (size_t)i0 * ldc + j0, ldc);
        }
    }
    /* Rows past the last whole tile in full, and the columns past the last whole tile of the tiled rows. */
    for (int i = 0; i < m; i++) {
        const int j0 = i < i0 ? nw : 0;
        float *ci = c + (size_t)i * ldc;
        for (int j = j0; j < n; j++) ci[j] = CK_NAME(start)(beta, ci[j]);
        for (int p = 0; p < k; p++) {
            const float s = alpha * a[(size_t)i * rs + (size_t)p * cs];
            if (s == 0) continue;
            const float *bp = b + (size_t)p * ldb;
            for (int j = j0; j < n; j++) ci[j] += s * bp[j];
        }
    }
}

/* C[i,:] = beta·C[i,:] + alpha·Σ_p A[i,p]·B[p,:]   (A m×k, B k×n) */
static void CK_NAME(ck_sgemm_nn)(int m, int n, int k, float alpha, const float *a, size_t lda, const float *b,
                                 size_t ldb, float beta, float *c, size_t ldc) {
    CK_NAME(sgemm_an)(m, n, k, alpha, a, lda, 1, b, ldb, beta, c, ldc);
}

/* C[i,:] = beta·C[i,:] + alpha·Σ_p A[p,i]·B[p,:]   (A k×m, B k×n) */
static void CK_NAME(ck_sgemm_tn)(int m, int n, int k, float alpha, const float *a, size_t lda, const float *b,
                                 size_t ldb, float beta, float *c, size_t ldc) {
    CK_NAME(sgemm_an)(m, n, k, alpha, a, 1, lda, b, ldb, beta, c, ldc);
}

/* e^x for |x| <= 87 (callers clamp): ggml_v_expf's main path, branch-free,
 * so the loops below vectorize (about 1.5 ulp). */
static inline float CK_NAME(exp_bounded)(float x) {
    const float r = 0x1.8p23f;
    const float z = fmaf(x, 0x1.715476p+0f, r);
    const float n = z - r;
    const float b = fmaf(-n, 0x1.7f7d1cp-20f, fmaf(-n, 0x1.62e4p-1f, x));
    const float k = ck_bits_f32((ck_f32_bits(z) << 23) + ck_f32_bits(1.0f));
    const float u = b * b;
    const float j = fmaf(fmaf(fmaf(0x1.0e4020p-7f, b, 0x1.573e2ep-5f), u, fmaf(0x1.555e66p-3f, b, 0x1.fffdb6p-2f)), u,
                         0x1.ffffecp-1f * b);
    return fmaf(k, j, k);
}

/* 1/(1 + e^{−x}), x clamped to ±80 (the sigmoid is 0 or 1 to F32 beyond). */
static inline float CK_NAME(sigmoid_bounded)(float x) {
    x = x < -80.0f ? -80.0f : x > 80.0f ? 80.0f : x;
    return 1.0f / (1.0f + CK_NAME(exp_bounded)(-x));
}

/* GELU-tanh through the sigmoid: ½(1 + tanh z) = σ(2z) and 1 − tanh²z = 4σ(2z)(1 − σ(2z)),
 * which keeps relative accuracy where 1 + tanh z would cancel (large negative x). */
#define CK_GELU_C 0.79788456f   /* √(2/π) */

/* h = act(g)·u over n values (act 0: SiLU, 1: GELU-tanh): training's F32 forward. */
static void CK_NAME(ck_gated_forward)(int act, const float *g, const float *u, float *h, int n) {
    if (act == 0) {
        /* SiLU keeps libm's expf (its bits are the ones training was measured with; the
         * forward's 8-bit activations turn ulp changes into visible gradient noise). */
        for (int i = 0; i < n; i++) h[i] = g[i] / (1.0f + expf(-g[i])) * u[i];
    } else {
        for (int i = 0; i < n; i++) {
            const float x = g[i];
            h[i] = x * CK_NAME(sigmoid_bounded)(2.0f * CK_GELU_C * (x + 0.044715f * x * x * x)) * u[i];
        }
    }
}

/* Given dh, g becomes dL/dg and u becomes dL/du (both consumed). */
static void CK_NAME(ck_gated_backward)(int act, float *g, float *u, const float *dh, int n) {
    if (act == 0) {
#pragma clang fp contract(off)   /* as the Swift loop it replaced: no fused 1 + x·(1 − s) */
        for (int i = 0; i < n; i++) {
            const float x = g[i], s = 1.0f / (1.0f + expf(-x));
            const float dg = dh[i] * u[i] * s * (1.0f + x * (1.0f - s));
            u[i] = dh[i] * (x * s);
            g[i] = dg;
        }
    } else {
        for (int i = 0; i < n; i++) {
            const float x = g[i];
            const float s = CK_NAME(sigmoid_bounded)(2.0f * CK_GELU_C * (x + 0.044715f * x * x * x));
            const float da = s + 2.0f * x * s * (1.0f - s) * CK_GELU_C * (1.0f + 3.0f * 0.044715f * x * x);
            const float dg = dh[i] * u[i] * da;
            u[i] = dh[i] * x * s;
            g[i] = dg;
        }
    }
}

/* dx[t, c0:c1] += Σ_r dy[t, r]·W[r, c0:c1] for a quantized W (rows × cols).
 * Dequantizes CK_TROWS rows of the column slice at a time into `tile`
 * (CK_TROWS·(c1−c0) floats), then runs a register-blocked GEMM over it:
 * 4 tokens × CK_TJ columns of accumulators stay in registers across the tile's
 * rows. c0 and c1 must be whole blocks of wtype (and so multiples of 16... or
 * of 1 for float types, handled by the scalar tail). */
static int CK_NAME(ck_matmul_t_cols)(int wtype, const void *w, size_t wstride, int rows, int c0, int c1,
                                     const float *dy, size_t ldy, int tokens, float *dx, size_t ldx, float *tile) {
    const int width = c1 - c0;
    const size_t bs = (size_t)ck_block_size(wtype), bb = (size_t)ck_block_bytes(wtype);
    if (bs == 0 || c0 % (int)bs != 0 || width % (int)bs != 0) return -1;
    const size_t off = (size_t)c0 / bs * bb;
    const int wide = width / CK_TJ * CK_TJ;
    for (int r0 = 0; r0 < rows; r0 += CK_TROWS) {
        const int nr = rows - r0 < CK_TROWS ? rows - r0 : CK_TROWS;
        for (int i = 0; i < nr; i++) {
            if (ck_dequantize(wtype, (const char *)w + (size_t)(r0 + i) * wstride + off, tile + (size_t)i * width, width) != 0)
                return -1;
        }
        int t = 0;
        for (; t + 4 <= tokens; t += 4) {
            const float *g0 = dy + (size_t)t * ldy + r0, *g1 = g0 + ldy, *g2 = g1 + ldy, *g3 = g2 + ldy;
            for (int j0 = 0; j0 < wide; j0 += CK_TJ) {
                float acc0[CK_TJ] = {0}, acc1[CK_TJ] = {0}, acc2[CK_TJ] = {0}, acc3[CK_TJ] = {0};
                for (int p = 0; p < nr; p++) {
                    const float *wp = tile + (size_t)p * width + j0;
                    const float a0 = g0[p], a1 = g1[p], a2 = g2[p], a3 = g3[p];
                    for (int j = 0; j < CK_TJ; j++) {
                        acc0[j] += a0 * wp[j];
                        acc1[j] += a1 * wp[j];
                        acc2[j] += a2 * wp[j];
                        acc3[j] += a3 * wp[j];
                    }
                }
                float *o0 = dx + (size_t)t * ldx + c0 + j0, *o1 = o0 + ldx, *o2 = o1 + ldx, *o3 = o2 + ldx;
                for (int j = 0; j < CK_TJ; j++) { o0[j] += acc0[j]; o1[j] += acc1[j]; o2[j] += acc2[j]; o3[j] += acc3[j]; }
            }
            for (int j = wide; j < width; j++) {
                float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                for (int p = 0; p < nr; p++) {
                    const float v = tile[(size_t)p * width + j];
                    s0 += g0[p] * v; s1 += g1[p] * v; s2 += g2[p] * v; s3 += g3[p] * v;
                }
                dx[(size_t)t * ldx + c0 + j] += s0;
                dx[(size_t)(t + 1) * ldx + c0 + j] += s1;
                dx[(size_t)(t + 2) * ldx + c0 + j] += s2;
                dx[(size_t)(t + 3) * ldx + c0 + j] += s3;
            }
        }
        for (; t < tokens; t++) {
            const float *g = dy + (size_t)t * ldy + r0;
            float *o = dx + (size_t)t * ldx + c0;
            for (int p = 0; p < nr; p++) {
                const float a = g[p];
                const float *wp = tile + (size_t)p * width;
                for (int j = 0; j < width; j++) o[j] += a * wp[j];
            }
        }
    }
    return 0;
}

#undef CK_VF
#undef CK_NAME
#undef CK_CAT
#undef CK_CAT2
