/*
 * Layout of llama.cpp's repacked Q4_K path (ggml-cpu/repack.cpp), shared by the
 * scalar kernels (repack.c) and the AVX2 ones (repack_avx2.c).
 */
#ifndef CK_REPACK_LAYOUT_H
#define CK_REPACK_LAYOUT_H

#include "ck_internal.h"

/* 8 Q4_K rows interleaved 8 bytes at a time; 4 Q8_K activation rows likewise. */
typedef struct { uint16_t d[8]; uint16_t dmin[8]; uint8_t scales[96]; uint8_t qs[1024]; } blk_q4_Kx8;
typedef struct { float d[4]; int8_t qs[1024]; int16_t bsums[64]; } blk_q8_Kx4;
_Static_assert(sizeof(blk_q4_Kx8) == 8 * 144, "q4_Kx8");
_Static_assert(sizeof(blk_q8_Kx4) == 4 * 292, "q8_Kx4");

/* Sub-block `sub` (0-7) of a block_q4_Kx8: out[0..7] the 8 rows' 6-bit
 * scales, out[8..15] their mins (the layout make_q4_Kx8 packs). */
static inline void ck_q4_Kx8_scales(const blk_q4_Kx8 *b, int sub, uint8_t out[16]) {
    const uint32_t kmask1 = 0x3f3f3f3f, kmask2 = 0x0f0f0f0f, kmask3 = 0x03030303;
    uint32_t u[4];
    memcpy(u, b->scales + 12 * sub, 12);
    u[3] = ((u[2] >> 4) & kmask2) | (((u[1] >> 6) & kmask3) << 4);
    const uint32_t aux = u[1] & kmask1;
    u[1] = (u[2] & kmask2) | (((u[0] >> 6) & kmask3) << 4);
    u[2] = aux;
    u[0] &= kmask1;
    memcpy(out, u, 16);
}

/* The AVX2 kernels are compiled on x86-64 unless the generic set is forced. */
#if defined(__x86_64__) && !defined(CK_FORCE_GENERIC)
#define CK_REPACK_AVX2 1
void ck_avx2_quantize_mat_q8_K_4x8(const float *__restrict x, void *__restrict vy, int64_t k);
void ck_avx2_gemv_q4_K_8x8_q8_K(int n, float *__restrict s, size_t bs, const void *__restrict vx,
                                const void *__restrict vy, int nr, int nc);
void ck_avx2_gemm_q4_K_8x8_q8_K(int n, float *__restrict s, size_t bs, const void *__restrict vx,
                                const void *__restrict vy, int nr, int nc);
#else
#define CK_REPACK_AVX2 0
#endif

#endif
