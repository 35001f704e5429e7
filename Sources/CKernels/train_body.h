/* Kernel bodies for train.c; included once per instruction set with
 * CK_SUFFIX set. Not a public header. */
#define CK_CAT2(a, b) a##b
#define CK_CAT(a, b) CK_CAT2(a, b)
#define CK_NAME(n) CK_CAT(n, CK_SUFFIX)

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

/* C[i,j] = beta·C[i,j] + alpha·Σ_k A[i,k]·B[j,k]   (A m×k, B n×k) */
static void CK_NAME(ck_sgemm_nt)(int m, int n, int k, float alpha, const float *a, size_t lda, const float *b,
                                 size_t ldb, float beta, float *c, size_t ldc) {
    for (int i = 0; i < m; i++) {
        float *ci = c + (size_t)i * ldc;
        for (int j = 0; j < n; j++) {
            float v = alpha * CK_NAME(tdot)(a + (size_t)i * lda, b + (size_t)j * ldb, k);
            ci[j] = beta == 0 ? v : beta * ci[j] + v;
        }
    }
}

/* C[i,:] = beta·C[i,:] + alpha·Σ_k A[i,k]·B[k,:]   (A m×k, B k×n) */
static void CK_NAME(ck_sgemm_nn)(int m, int n, int k, float alpha, const float *a, size_t lda, const float *b,
                                 size_t ldb, float beta, float *c, size_t ldc) {
    for (int i = 0; i < m; i++) {
        float *ci = c + (size_t)i * ldc;
        if (beta == 0) memset(ci, 0, sizeof(float) * (size_t)n);
        else if (beta != 1) for (int j = 0; j < n; j++) ci[j] *= beta;
        for (int p = 0; p < k; p++) {
            float s = alpha * a[(size_t)i * lda + p];
            if (s == 0) continue;
            const float *bp = b + (size_t)p * ldb;
            for (int j = 0; j < n; j++) ci[j] += s * bp[j];
        }
    }
}

/* C[i,:] = beta·C[i,:] + alpha·Σ_p A[p,i]·B[p,:]   (A k×m, B k×n) */
static void CK_NAME(ck_sgemm_tn)(int m, int n, int k, float alpha, const float *a, size_t lda, const float *b,
                                 size_t ldb, float beta, float *c, size_t ldc) {
    for (int i = 0; i < m; i++) {
        float *ci = c + (size_t)i * ldc;
        if (beta == 0) memset(ci, 0, sizeof(float) * (size_t)n);
        else if (beta != 1) for (int j = 0; j < n; j++) ci[j] *= beta;
    }
    for (int p = 0; p < k; p++) {
        const float *bp = b + (size_t)p * ldb;
        const float *ap = a + (size_t)p * lda;
        for (int i = 0; i < m; i++) {
            float s = alpha * ap[i];
            if (s == 0) continue;
            float *ci = c + (size_t)i * ldc;
            for (int j = 0; j < n; j++) ci[j] += s * bp[j];
        }
    }
}

/* dx[t, c0:c1] += Σ_r dy[t, r]·W[r, c0:c1] for a quantized W (rows × cols),
 * dequantizing 8 rows of the column slice at a time into `tile`
 * (8·(c1−c0) floats). c0 and c1 must be whole blocks of wtype. */
static int CK_NAME(ck_matmul_t_cols)(int wtype, const void *w, size_t wstride, int rows, int c0, int c1,
                                     const float *dy, size_t ldy, int tokens, float *dx, size_t ldx, float *tile) {
    const int width = c1 - c0;
    const size_t bs = (size_t)ck_block_size(wtype), bb = (size_t)ck_block_bytes(wtype);
    if (bs == 0 || c0 % (int)bs != 0 || width % (int)bs != 0) return -1;
    const size_t off = (size_t)c0 / bs * bb;
    for (int r0 = 0; r0 < rows; r0 += 8) {
        const int nr = rows - r0 < 8 ? rows - r0 : 8;
        for (int i = 0; i < nr; i++) {
            if (ck_dequantize(wtype, (const char *)w + (size_t)(r0 + i) * wstride + off, tile + (size_t)i * width, width) != 0)
                return -1;
        }
        for (int i = nr; i < 8; i++) memset(tile + (size_t)i * width, 0, sizeof(float) * (size_t)width);
        const float *w0 = tile, *w1 = tile + width, *w2 = tile + 2 * width, *w3 = tile + 3 * width;
        const float *w4 = tile + 4 * width, *w5 = tile + 5 * width, *w6 = tile + 6 * width, *w7 = tile + 7 * width;
        /* Four token rows per pass: each tile load feeds 4 outputs. */
        int t = 0;
        for (; t + 4 <= tokens; t += 4) {
            float a[4][8];
            for (int q = 0; q < 4; q++) {
                const float *g = dy + (size_t)(t + q) * ldy + r0;
                for (int i = 0; i < 8; i++) a[q][i] = i < nr ? g[i] : 0;
            }
            float *o0 = dx + (size_t)t * ldx + c0, *o1 = o0 + ldx, *o2 = o1 + ldx, *o3 = o2 + ldx;
            for (int j = 0; j < width; j++) {
                const float x0 = w0[j], x1 = w1[j], x2 = w2[j], x3 = w3[j], x4 = w4[j], x5 = w5[j], x6 = w6[j], x7 = w7[j];
                o0[j] += ((a[0][0] * x0 + a[0][1] * x1) + (a[0][2] * x2 + a[0][3] * x3)) + ((a[0][4] * x4 + a[0][5] * x5) + (a[0][6] * x6 + a[0][7] * x7));
                o1[j] += ((a[1][0] * x0 + a[1][1] * x1) + (a[1][2] * x2 + a[1][3] * x3)) + ((a[1][4] * x4 + a[1][5] * x5) + (a[1][6] * x6 + a[1][7] * x7));
                o2[j] += ((a[2][0] * x0 + a[2][1] * x1) + (a[2][2] * x2 + a[2][3] * x3)) + ((a[2][4] * x4 + a[2][5] * x5) + (a[2][6] * x6 + a[2][7] * x7));
                o3[j] += ((a[3][0] * x0 + a[3][1] * x1) + (a[3][2] * x2 + a[3][3] * x3)) + ((a[3][4] * x4 + a[3][5] * x5) + (a[3][6] * x6 + a[3][7] * x7));
            }
        }
        for (; t < tokens; t++) {
            const float *g = dy + (size_t)t * ldy + r0;
            float a0 = g[0], a1 = nr > 1 ? g[1] : 0, a2 = nr > 2 ? g[2] : 0, a3 = nr > 3 ? g[3] : 0;
            float a4 = nr > 4 ? g[4] : 0, a5 = nr > 5 ? g[5] : 0, a6 = nr > 6 ? g[6] : 0, a7 = nr > 7 ? g[7] : 0;
            float *o = dx + (size_t)t * ldx + c0;
            for (int j = 0; j < width; j++)
                o[j] += ((a0 * w0[j] + a1 * w1[j]) + (a2 * w2[j] + a3 * w3[j])) +
                        ((a4 * w4[j] + a5 * w5[j]) + (a6 * w6[j] + a7 * w7[j]));
        }
    }
    return 0;
}

#undef CK_NAME
#undef CK_CAT
#undef CK_CAT2
