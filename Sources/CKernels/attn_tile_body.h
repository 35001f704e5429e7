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
TILE_INLINE void CK_NAME(fill_values)(float *vb, const uint16_t *v, size_t kvstride, int j0, int n, int jend, int dim) {
    for (int i = 0; i < n; ++i) {
        float *dst = vb + (size_t)i * dim;
        if (j0 + i >= jend) { memset(dst, 0, (size_t)dim * sizeof(float)); continue; }
        const uint16_t *src = v + (size_t)(j0 + i) * kvstride;
        for (int d = 0; d < dim; d += 8)
            _mm256_storeu_ps(dst + d, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(src + d))));
    }
}

/* Scores of R query rows against the W keys of a transposed block (column
 * kt[d·ldk]): lane l = d mod 8 is its own register across the keys, so each
 * key's lane sums run over ascending d exactly as attn.c's, and the lane
 * tree ((l0+l4)+(l2+l6))+((l1+l5)+(l3+l7)) is vertical. Then × scale. */
TILE_INLINE void CK_NAME(scores_block)(const int R, const float *const *q, const float *kt, int ldk, int dim,
                                        float scale, float *const *s) {
    for (int p = 0; p < PASSES; ++p) {
        VEC acc[RMAX][LPP];
        for (int r = 0; r < R; ++r)
            for (int i = 0; i < LPP; ++i) acc[r][i] = VZERO();
        for (int d8 = 0; d8 < dim; d8 += 8)
            for (int i = 0; i < LPP; ++i) {
                const int d = d8 + p + i * PASSES;
                const VEC kv = VLOAD(kt + (size_t)d * ldk);
                for (int r = 0; r < R; ++r) acc[r][i] = VFMA(kv, VBCAST(q[r] + d), acc[r][i]);
            }
        for (int r = 0; r < R; ++r) {
#if PASSES == 1
            const VEC x = VADD(VADD(VADD(acc[r][0], acc[r][4]), VADD(acc[r][2], acc[r][6])),
                               VADD(VADD(acc[r][1], acc[r][5]), VADD(acc[r][3], acc[r][7])));
            VSTORE(s[r], VMUL(x, VSET1(scale)));
#else
            /* lanes p, p+2, p+4, p+6: half of the tree; the halves meet in pass 1 */
            const VEC x = VADD(VADD(acc[r][0], acc[r][2]), VADD(acc[r][1], acc[r][3]));
            if (p == 0) VSTORE(s[r], x);
            else VSTORE(s[r], VMUL(VADD(VLOAD(s[r]), x), VSET1(scale)));
#endif
        }
    }
}

/* Lane accumulators acc[r][l·dim + d0 ..+W] += Σ vb[j·dim + d0 ..]·p[r][j] over
 * the block's keys j with j mod 8 = l, in ascending j (the block starts at a
 * multiple of 8 of the absolute position, so lanes stay by absolute key). */
TILE_INLINE void CK_NAME(values_block)(const int R, const float *const *p, const float *vb, int n, int dim, int d0,
                                        float *const *acc) {
    for (int pass = 0; pass < PASSES; ++pass) {
        VEC a[RMAX][LPP];
        for (int r = 0; r < R; ++r)
            for (int i = 0; i < LPP; ++i) a[r][i] = VLOAD(acc[r] + (size_t)(pass + i * PASSES) * dim + d0);
        for (int j8 = 0; j8 < n; j8 += 8)
            for (int i = 0; i < LPP; ++i) {
                const int j = j8 + pass + i * PASSES;
                const VEC vv = VLOAD(vb + (size_t)j * dim + d0);
                for (int r = 0; r < R; ++r) a[r][i] = VFMA(vv, VBCAST(p[r] + j), a[r][i]);
            }
        for (int r = 0; r < R; ++r)
            for (int i = 0; i < LPP; ++i) VSTORE(acc[r] + (size_t)(pass + i * PASSES) * dim + d0, a[r][i]);
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
    float *const A = ck_tile_buffer(1, (size_t)rows * 8 * dim);
    float *const kt = ck_tile_buffer(2, (size_t)dim * CK_TILE_KEYS);
    float *const vb = ck_tile_buffer(3, (size_t)CK_TILE_KEYS * dim);
    if (!S || !A || !kt || !vb) return -1;
    const float *q[RMAX];
    float *o[RMAX];

    /* scores, one K block at a time */
    for (int jb = 0; jb < Ls; jb += CK_TILE_KEYS) {
        const int n = Ls - jb < CK_TILE_KEYS ? Ls - jb : CK_TILE_KEYS;
        CK_NAME(fill_keys)(kt, CK_TILE_KEYS, a->k, a->kvstride, a->j0 + jb, n, a->jend, dim);
        for (int i0 = 0; i0 < n; i0 += W) {
#define SCORES(RR) do {                                                                              \
                for (int r = 0; r < (RR); ++r) { q[r] = ck_tile_query(a, r0 + r); o[r] = S + (size_t)(r0 + r) * Ls + jb + i0; } \
                CK_NAME(scores_block)((RR), q, kt + i0, CK_TILE_KEYS, dim, a->scale, o);                \
            } while (0)
            TILE_ROWS(SCORES);
#undef SCORES
        }
    }
    /* masks and softmax per row, llama.cpp's way (attn.c's callers) */
    for (int r = 0; r < rows; ++r) ck_tile_softmax_row(a, r, S + (size_t)r * Ls, Ls);

    /* values, one V block at a time; lane accumulators in A between blocks */
    memset(A, 0, (size_t)rows * 8 * dim * sizeof(float));
    for (int jb = 0; jb < L; jb += CK_TILE_KEYS) {
        const int n = L - jb < CK_TILE_KEYS ? L - jb : CK_TILE_KEYS;
        CK_NAME(fill_values)(vb, a->v, a->kvstride, a->j0 + jb, n, a->jend, dim);
        for (int d0 = 0; d0 < dim; d0 += W) {
#define VALUES(RR) do {                                                                              \
                for (int r = 0; r < (RR); ++r) { q[r] = S + (size_t)(r0 + r) * Ls + jb; o[r] = A + (size_t)(r0 + r) * 8 * dim; } \
                CK_NAME(values_block)((RR), q, vb, n, dim, d0, o);                                     \
            } while (0)
            TILE_ROWS(VALUES);
#undef VALUES
        }
    }
    ck_tile_reduce(a, A);
    return 0;
}

#undef TILE_ROWS
#undef TILE_INLINE
#undef LPP
#undef CK_NAME
#undef CK_CAT
#undef CK_CAT2
