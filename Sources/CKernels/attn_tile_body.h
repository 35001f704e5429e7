/* Kernel bodies for attn_tile.c; included once per instruction set with
 * CK_SUFFIX, W (floats per register), PASSES (1: all 8 lanes at once, 2:
 * even lanes then odd lanes) and the VEC/V* vector ops defined. Not a
 * public header. */
#define CK_CAT2(a, b) a##b
#define CK_CAT(a, b) CK_CAT2(a, b)
#define CK_NAME(n) CK_CAT(n, CK_SUFFIX)
#define LPP (8 / PASSES)   /* lane accumulators per row and pass */
#define TILE_INLINE static inline __attribute__((always_inline))

/* 8 keys × 8 dims of an F16 K block, converted and transposed: rows[u] is
 * key u on entry and dim u on exit. */
TILE_INLINE void CK_NAME(transpose8)(__m256 r[8]) {
    const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    r[0] = _mm256_permute2f128_ps(u0, u4, 0x20); r[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
    r[2] = _mm256_permute2f128_ps(u2, u6, 0x20); r[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
    r[4] = _mm256_permute2f128_ps(u0, u4, 0x31); r[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
    r[6] = _mm256_permute2f128_ps(u2, u6, 0x31); r[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}

/* kt[d·ldk + i] = K[j0 + i][d] as float for i < n (n a multiple of 8);
 * zero for keys at or past jend (never written to the cache). */
TILE_INLINE void CK_NAME(fill_keys)(float *kt, int ldk, const uint16_t *k, size_t kvstride, int j0, int n,
                                     int jend, int dim) {
    for (int i = 0; i < n; i += 8)
        for (int d = 0; d < dim; d += 8) {
            __m256 r[8];
            for (int u = 0; u < 8; ++u) {
                const int j = j0 + i + u;
                r[u] = j < jend ? _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(k + (size_t)j * kvstride + d)))
                                : _mm256_setzero_ps();
            }
            CK_NAME(transpose8)(r);
            for (int u = 0; u < 8; ++u) _mm256_storeu_ps(kt + (size_t)(d + u) * ldk + i, r[u]);
        }
}

/* vb[i·dim + d] = V[j0 + i][d] as float for i < n; zero past jend. */
TILE_INLINE void CK_NAME(fill_values)(float *vb, int ldv, const uint16_t *v, size_t kvstride, int j0, int n, int jend,
                                       int dim) {
    for (int i = 0; i < n; ++i) {
        float *dst = vb + (size_t)i * ldv;
        if (j0 + i >= jend) { memset(dst, 0, (size_t)dim * sizeof(float)); continue; }
        const uint16_t *src = v + (size_t)(j0 + i) * kvstride;
        for (int d = 0; d < dim; d += 8)
            _mm256_storeu_ps(dst + d, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(src + d))));
    }
}

/* Scores of R query rows against the KR·W keys of a transposed block
 * (column kt[d·ldk]): lane l = d mod 8 is its own register across the keys,
 * so each key's lane sums run over ascending d exactly as attn.c's, and the
 * lane tree ((l0+l4)+(l2+l6))+((l1+l5)+(l3+l7)) is vertical. Then × scale.
 * A pass takes the lanes p + PASSES·i; with 4 passes (lanes p, p+4) they run
 * 0, 2, 1, 3 so the tree's left half is whole before the right one starts. */
TILE_INLINE void CK_NAME(scores_block)(const int R, const int KR, const float *const *q, const float *kt, int ldk,
                                        int dim, float scale, float *const *s) {
#if PASSES == 4
    VEC right[RMAX][KRMAX];
#endif
    for (int pp = 0; pp < PASSES; ++pp) {
#if PASSES == 4
        const int p = (pp & 1) * 2 + (pp >> 1);   /* 0, 2, 1, 3 */
#else
        const int p = pp;
#endif
        VEC acc[RMAX][LPP][KRMAX];
        for (int r = 0; r < R; ++r)
            for (int i = 0; i < LPP; ++i)
                for (int c = 0; c < KR; ++c) acc[r][i][c] = VZERO();
        for (int d8 = 0; d8 < dim; d8 += 8)
            for (int i = 0; i < LPP; ++i) {
                const int d = d8 + p + i * PASSES;
                VEC kv[KRMAX];
                for (int c = 0; c < KR; ++c) kv[c] = VLOAD(kt + (size_t)d * ldk + c * W);
                for (int r = 0; r < R; ++r) {
                    const VEC qd = VBCAST(q[r] + d);
                    for (int c = 0; c < KR; ++c) acc[r][i][c] = VFMA(kv[c], qd, acc[r][i][c]);
                }
            }
        for (int r = 0; r < R; ++r)
            for (int c = 0; c < KR; ++c) {
#if PASSES == 1
                const VEC x = VADD(VADD(VADD(acc[r][0][c], acc[r][4][c]), VADD(acc[r][2][c], acc[r][6][c])),
                                   VADD(VADD(acc[r][1][c], acc[r][5][c]), VADD(acc[r][3][c], acc[r][7][c])));
                VSTORE(s[r] + c * W, VMUL(x, VSET1(scale)));
#elif PASSES == 2
                /* lanes p, p+2, p+4, p+6: half of the tree; the halves meet in pass 1 */
                const VEC x = VADD(VADD(acc[r][0][c], acc[r][2][c]), VADD(acc[r][1][c], acc[r][3][c]));
                if (p == 0) VSTORE(s[r] + c * W, x);
                else VSTORE(s[r] + c * W, VMUL(VADD(VLOAD(s[r] + c * W), x), VSET1(scale)));
#else
                /* lanes p, p+4: l0+l4, then + (l2+l6); l1+l5, then the right half and the root */
                const VEC x = VADD(acc[r][0][c], acc[r][1][c]);
                if (pp == 0) VSTORE(s[r] + c * W, x);
                else if (pp == 1) VSTORE(s[r] + c * W, VADD(VLOAD(s[r] + c * W), x));
                else if (pp == 2) right[r][c] = x;
                else VSTORE(s[r] + c * W, VMUL(VADD(VLOAD(s[r] + c * W), VADD(right[r][c], x)), VSET1(scale)));
#endif
            }
    }
}

/* Lane accumulators acc[r][l·lda + d0 ..+KR·W] += Σ vb[j·ldv + d0 ..]·p[r][j]
 * over the block's keys j with j mod 8 = l, in ascending j (the block starts
 * at a multiple of 8 of the absolute position, so lanes stay by absolute key). */
TILE_INLINE void CK_NAME(values_block)(const int R, const int KR, const float *const *p, const float *vb, int ldv,
                                        int n, int lda, int d0, float *const *acc) {
    for (int pass = 0; pass < PASSES; ++pass) {
        VEC a[RMAX][LPP][KRMAX];
        for (int r = 0; r < R; ++r)
            for (int i = 0; i < LPP; ++i)
                for (int c = 0; c < KR; ++c) a[r][i][c] = VLOAD(acc[r] + (size_t)(pass + i * PASSES) * lda + d0 + c * W);
        for (int j8 = 0; j8 < n; j8 += 8)
            for (int i = 0; i < LPP; ++i) {
                const int j = j8 + pass + i * PASSES;
                VEC vv[KRMAX];
                for (int c = 0; c < KR; ++c) vv[c] = VLOAD(vb + (size_t)j * ldv + d0 + c * W);
                for (int r = 0; r < R; ++r) {
                    const VEC pj = VBCAST(p[r] + j);
                    for (int c = 0; c < KR; ++c) a[r][i][c] = VFMA(vv[c], pj, a[r][i][c]);
                }
            }
        for (int r = 0; r < R; ++r)
            for (int i = 0; i < LPP; ++i)
                for (int c = 0; c < KR; ++c) VSTORE(acc[r] + (size_t)(pass + i * PASSES) * lda + d0 + c * W, a[r][i][c]);
    }
}

/* Up to RMAX rows at a time; R is a constant in each call, so every form unrolls. */
#define TILE_ROWS(CALL) do {                                                     \
        for (int r0 = 0; r0 < rows; r0 += RMAX) {                                \
            const int R = rows - r0 >= RMAX ? RMAX : rows - r0;                  \
            switch (R) {                                                         \
            case 6: CALL(6); break;                                              \
            case 5: CALL(5); break;                                              \
            case 4: CALL(4); break;                                              \
            case 3: CALL(3); break;                                              \
            case 2: CALL(2); break;                                              \
            default: CALL(1); break;                                             \
            }                                                                    \
        }                                                                        \
    } while (0)

static int CK_NAME(attn_tile)(const ck_tile_args *a) {
    const int rows = a->tokens * a->heads, dim = a->dim;
    if (dim % W != 0) return -1;
    const int L = a->j1 - a->j0;                 /* a multiple of 8 */
    const int Ls = (L + W - 1) / W * W;         /* score columns, whole registers */
    float *const S = ck_tile_buffer(0, (size_t)rows * Ls);
    const int ldk = CK_TILE_KEYS + 16, ldv = dim + 16, lda = dim + 16;   /* not powers of two: rows spread over L1 sets */
    float *const A = ck_tile_buffer(1, (size_t)rows * 8 * lda);
    float *const kt = ck_tile_buffer(2, (size_t)dim * ldk);
    float *const vb = ck_tile_buffer(3, (size_t)CK_TILE_KEYS * ldv);
    if (!S || !A || !kt || !vb) return -1;
    const float *q[RMAX];
    float *o[RMAX];

    /* scores, one K block at a time */
    for (int jb = 0; jb < Ls; jb += CK_TILE_KEYS) {
        const int n = Ls - jb < CK_TILE_KEYS ? Ls - jb : CK_TILE_KEYS;
        CK_NAME(fill_keys)(kt, ldk, a->k, a->kvstride, a->j0 + jb, n, a->jend, dim);
        for (int i0 = 0; i0 < n;) {
            const int KR = n - i0 >= KRMAX * W ? KRMAX : 1;
#define SCORES(RR) do {                                                                              \
                for (int r = 0; r < (RR); ++r) { q[r] = ck_tile_query(a, r0 + r); o[r] = S + (size_t)(r0 + r) * Ls + jb + i0; } \
                if (KR == KRMAX) CK_NAME(scores_block)((RR), KRMAX, q, kt + i0, ldk, dim, a->scale, o);       \
                else CK_NAME(scores_block)((RR), 1, q, kt + i0, ldk, dim, a->scale, o);                    \
            } while (0)
            TILE_ROWS(SCORES);
#undef SCORES
            i0 += KR * W;
        }
    }
    /* masks and softmax per row, llama.cpp's way (attn.c's callers) */
    for (int r = 0; r < rows; ++r) ck_tile_softmax_row(a, r, S + (size_t)r * Ls, Ls);

    /* values, one V block at a time; lane accumulators in A between blocks */
    memset(A, 0, (size_t)rows * 8 * lda * sizeof(float));
    for (int jb = 0; jb < L; jb += CK_TILE_KEYS) {
        const int n = L - jb < CK_TILE_KEYS ? L - jb : CK_TILE_KEYS;
        CK_NAME(fill_values)(vb, ldv, a->v, a->kvstride, a->j0 + jb, n, a->jend, dim);
        for (int d0 = 0; d0 < dim;) {
            const int KR = dim - d0 >= KRMAX * W ? KRMAX : 1;
#define VALUES(RR) do {                                                                              \
                for (int r = 0; r < (RR); ++r) { q[r] = S + (size_t)(r0 + r) * Ls + jb; o[r] = A + (size_t)(r0 + r) * 8 * lda; } \
                if (KR == KRMAX) CK_NAME(values_block)((RR), KRMAX, q, vb, ldv, n, lda, d0, o);              \
                else CK_NAME(values_block)((RR), 1, q, vb, ldv, n, lda, d0, o);                           \
            } while (0)
            TILE_ROWS(VALUES);
#undef VALUES
            d0 += KR * W;
        }
    }
    ck_tile_reduce(a, A, lda);
    return 0;
}

#undef TILE_ROWS
#undef TILE_INLINE
#undef LPP
#undef CK_NAME
#undef CK_CAT
#undef CK_CAT2
