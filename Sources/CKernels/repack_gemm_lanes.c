/*
 * Aqyl's own prefill GEMM for repacked Q4_K (block_q4_Kx8 weights, block_q8_Kx4
 * activations), with the bits of llama.cpp's AVX2 gemm_q4_K_8x8_q8_K
 * (repack_avx2.c) and about a third of its work.
 *
 * What fixes the bits of output (token m, weight row r) in llama.cpp's AVX2
 * gemm, per block b ascending and per pair sb = 0..3 of 32-element sub-blocks
 * (2sb: low nibbles, 2sb+1: high nibbles of the same 32 bytes):
 *
 *   iacc = sc[2sb]·Σ q·a + sc[2sb+1]·Σ q·a          exact int32
 *   imin = mn[2sb]·bsum[2sb] + mn[2sb+1]·bsum[2sb+1] exact int32
 *   acc  = fma((float)iacc, d_w·d_a, acc)
 *   accm = fma((float)imin, dmin_w·d_a, accm)
 *   out  = acc − accm
 *
 * The integers are exact in any order, so only these float steps matter.
 * llama.cpp reaches iacc through 4×4-row shuffles of both operands; here one
 * register holds 4 codes of each of the 8 rows (dword r = row r, unpacked once
 * per weight group into a per-thread buffer), each activation dword is a
 * broadcast, and maddubs leaves row r's products in dword r. A sub-block's 8
 * maddubs sum in int16 (at most 8·2·15·128 = 30720 < 32767, so no
 * saturation), one madd applies the row scales, and the float steps run on
 * 8 rows per instruction, once per pair of sub-blocks.
 */
#include "repack_layout.h"

/* The scalar reference: the same integers and float steps, one output at a time. */
void ck_gemm_q4_K_8x8_q8_K_lanes_generic(int n, float *s, size_t bs, const void *vx, const void *vy, int nr, int nc) {
    const int nb = n / QKK;
    for (int y = 0; y < nr / 4; ++y)
        for (int x = 0; x < nc / 8; ++x)
            for (int m = 0; m < 4; ++m)
                for (int r = 0; r < 8; ++r) {
                    float acc = 0, accm = 0;
                    for (int b = 0; b < nb; ++b) {
                        const blk_q4_Kx8 *w = (const blk_q4_Kx8 *)vx + (size_t)x * nb + b;
                        const blk_q8_Kx4 *a = (const blk_q8_Kx4 *)vy + (size_t)y * nb + b;
                        const float dd = ck_h2f(w->d[r]) * a->d[m], dm = ck_h2f(w->dmin[r]) * a->d[m];
                        for (int sb = 0; sb < 4; ++sb) {
                            int32_t iacc = 0, imin = 0;
                            for (int h = 0; h < 2; ++h) {
                                uint8_t sm[16];   /* scales, then mins */
                                ck_q4_Kx8_scales(w, 2 * sb + h, sm);
                                int32_t raw = 0, sum = 0;
                                for (int e = 0; e < 32; ++e) {
                                    /* byte e of row r's 32 at this pair; element 64sb + 32h + e */
                                    const uint8_t q = w->qs[sb * 256 + (e / 8) * 64 + r * 8 + e % 8];
                                    const int8_t av = a->qs[sb * 256 + h * 128 + (e / 8) * 32 + m * 8 + e % 8];
                                    raw += (h ? q >> 4 : q & 0xF) * av;
                                    sum += av;
                                }
                                iacc += sm[r] * raw;
                                imin += sm[8 + r] * sum;
                            }
                            acc = fmaf((float)iacc, dd, acc);
                            accm = fmaf((float)imin, dm, accm);
                        }
                    }
                    s[(size_t)(4 * y + m) * bs + 8 * x + r] = acc - accm;
                }
}

#if CK_REPACK_AVX2
#include <immintrin.h>

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c")
#endif

/* One block of 8 rows, unpacked: q[sb][h][k] dword r = row r's codes 4k..4k+3
 * of sub-block 2sb+h; sc[sb][h] dword r = (scale, scale) as int16; mn[sb]
 * dword r = (min of 2sb, min of 2sb+1). */
typedef struct {
    __m256i q[4][2][8];
    __m256i sc[4][2];
    __m256i mn[4];
    __m256 d, dmin;
} q4k_lanes;

static void q4k_prep(const blk_q4_Kx8 *b, q4k_lanes *o) {
    const __m256i m4 = _mm256_set1_epi8(0xF);
    const __m256i pick = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
    o->d = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)b->d));
    o->dmin = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)b->dmin));
    for (int sb = 0; sb < 4; ++sb) {
        for (int c = 0; c < 4; ++c) {
            /* 8 bytes of rows 0-3, then of rows 4-7: bytes 8c..8c+7 of each row's 32 */
            const __m256i lo = _mm256_permutevar8x32_epi32(_mm256_loadu_si256((const __m256i *)(b->qs + sb * 256 + c * 64)), pick);
            const __m256i hi = _mm256_permutevar8x32_epi32(_mm256_loadu_si256((const __m256i *)(b->qs + sb * 256 + c * 64 + 32)), pick);
            const __m256i x = _mm256_permute2x128_si256(lo, hi, 0x20);   /* bytes 8c..8c+3, rows 0-7 */
            const __m256i y = _mm256_permute2x128_si256(lo, hi, 0x31);   /* bytes 8c+4..8c+7 */
            o->q[sb][0][2 * c] = _mm256_and_si256(x, m4);
            o->q[sb][1][2 * c] = _mm256_and_si256(_mm256_srli_epi16(x, 4), m4);
            o->q[sb][0][2 * c + 1] = _mm256_and_si256(y, m4);
            o->q[sb][1][2 * c + 1] = _mm256_and_si256(_mm256_srli_epi16(y, 4), m4);
        }
        uint8_t u0[16], u1[16];   /* 8 scales, then 8 mins, of sub-blocks 2sb and 2sb+1 */
        ck_q4_Kx8_scales(b, 2 * sb, u0);
        ck_q4_Kx8_scales(b, 2 * sb + 1, u1);
        const __m128i v0 = _mm_loadu_si128((const __m128i *)u0), v1 = _mm_loadu_si128((const __m128i *)u1);
        o->sc[sb][0] = _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(v0, v0));
        o->sc[sb][1] = _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(v1, v1));
        o->mn[sb] = _mm256_cvtepu8_epi16(_mm_unpackhi_epi8(v0, v1));
    }
}

static inline __attribute__((always_inline)) __m256i bcast_dword(const int8_t *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return _mm256_set1_epi32(v);
}

/* Tokens m and m+1 of one block_q8_Kx4 group against one prepped weight group. */
static void q4k_pair(int nb, const q4k_lanes *w, const blk_q8_Kx4 *a, int m, float *out0, float *out1) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    __m256 accm0 = _mm256_setzero_ps(), accm1 = _mm256_setzero_ps();
    for (int b = 0; b < nb; ++b) {
        const q4k_lanes *p = w + b;
        const blk_q8_Kx4 *ab = a + b;
        const __m256 da0 = _mm256_set1_ps(ab->d[m]), da1 = _mm256_set1_ps(ab->d[m + 1]);
        const __m256 dd0 = _mm256_mul_ps(p->d, da0), dd1 = _mm256_mul_ps(p->d, da1);
        const __m256 dm0 = _mm256_mul_ps(p->dmin, da0), dm1 = _mm256_mul_ps(p->dmin, da1);
        for (int sb = 0; sb < 4; ++sb) {
            __m256i iacc0 = _mm256_setzero_si256(), iacc1 = _mm256_setzero_si256();
            for (int h = 0; h < 2; ++h) {
                __m256i s0 = _mm256_setzero_si256(), s1 = _mm256_setzero_si256();
                const int8_t *aq = ab->qs + sb * 256 + h * 128 + m * 8;
#pragma unroll
                for (int k = 0; k < 8; ++k) {
                    const __m256i q = _mm256_load_si256(&p->q[sb][h][k]);
                    const int off = (k >> 1) * 32 + (k & 1) * 4;
                    s0 = _mm256_add_epi16(s0, _mm256_maddubs_epi16(q, bcast_dword(aq + off)));
                    s1 = _mm256_add_epi16(s1, _mm256_maddubs_epi16(q, bcast_dword(aq + off + 8)));
                }
                iacc0 = _mm256_add_epi32(iacc0, _mm256_madd_epi16(s0, p->sc[sb][h]));
                iacc1 = _mm256_add_epi32(iacc1, _mm256_madd_epi16(s1, p->sc[sb][h]));
            }
            acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(iacc0), dd0, acc0);
            acc1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(iacc1), dd1, acc1);
            /* bsums of the group's 4 tokens for sub-blocks 2sb, 2sb+1: after the
             * pairwise add, dword t = (sum of 2sb, sum of 2sb+1) for token t */
            const __m128i bsv = _mm_hadd_epi16(_mm_loadu_si128((const __m128i *)(ab->bsums + 16 * sb)),
                                               _mm_loadu_si128((const __m128i *)(ab->bsums + 16 * sb + 8)));
            int32_t bp[4];
            _mm_storeu_si128((__m128i *)bp, bsv);
            const __m256i imin0 = _mm256_madd_epi16(p->mn[sb], _mm256_set1_epi32(bp[m]));
            const __m256i imin1 = _mm256_madd_epi16(p->mn[sb], _mm256_set1_epi32(bp[m + 1]));
            accm0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(imin0), dm0, accm0);
            accm1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(imin1), dm1, accm1);
        }
    }
    _mm256_storeu_ps(out0, _mm256_sub_ps(acc0, accm0));
    _mm256_storeu_ps(out1, _mm256_sub_ps(acc1, accm1));
}

static __thread q4k_lanes *prep_buf;
static __thread size_t prep_cap;

static int gemm_lanes_avx2(int n, float *s, size_t bs, const void *vx, const void *vy, int nr, int nc) {
    const int nb = n / QKK;
    if (!ck_reserve((void **)&prep_buf, &prep_cap, (size_t)nb * sizeof(q4k_lanes))) return -1;
    for (int x = 0; x < nc / 8; ++x) {
        const blk_q4_Kx8 *wg = (const blk_q4_Kx8 *)vx + (size_t)x * nb;
        for (int b = 0; b < nb; ++b) q4k_prep(wg + b, prep_buf + b);
        for (int t = 0; t < nr; t += 2) {
            const blk_q8_Kx4 *a = (const blk_q8_Kx4 *)vy + (size_t)(t / 4) * nb;
            q4k_pair(nb, prep_buf, a, t % 4, s + (size_t)t * bs + 8 * x, s + (size_t)(t + 1) * bs + 8 * x);
        }
    }
    return 0;
}

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif

int ck_gemm_q4_K_8x8_q8_K_lanes_avx2(int n, float *s, size_t bs, const void *vx, const void *vy, int nr, int nc) {
    if (n % QKK != 0 || nr % 4 != 0 || nc % 8 != 0) return -1;
#if CK_REPACK_AVX2
    if (ck_has_avx2()) return gemm_lanes_avx2(n, s, bs, vx, vy, nr, nc);
#else
    (void)s; (void)bs; (void)vx; (void)vy;
#endif
    return -1;
}
