/*
 * CPU feature detection, the bottom layer of the kernels: every dispatcher
 * (dispatch.c, repack.c, tiled.c, interleave.c, vecops.c) asks here and nothing
 * here calls up into a kernel file. The AVX2 set is chosen once, when this is an
 * x86-64 build with the AVX2 kernels compiled in and the CPU reports AVX2, FMA
 * and F16C; otherwise the portable generic kernels run (also on aarch64, where
 * no SIMD set exists). On top of AVX2, the AVX-512 VNNI kernels (the
 * interleaved matmul, interleave_avx512.c) run where the CPU has AVX-512 F/BW/
 * VL/DQ and VNNI. AQYL_KERNELS=generic forces the generic set and
 * AQYL_KERNELS=avx2 turns the AVX-512 kernels off (to test and to benchmark
 * what an AVX2-only CPU gets).
 */
#include "ck_internal.h"
#include <stdatomic.h>
#include <stdlib.h>

static atomic_int avx2_state = -1;   /* -1 unknown, 0 no, 1 yes */

int ck_has_avx2(void) {
    int s = atomic_load_explicit(&avx2_state, memory_order_relaxed);
    if (s >= 0) return s;
    const char *force = getenv("AQYL_KERNELS");   /* "generic" forces the portable set */
    if (force && strcmp(force, "generic") == 0) s = 0;
    else {
#if defined(__x86_64__) && !defined(CK_FORCE_GENERIC)
        __builtin_cpu_init();
        s = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
#else
        s = 0;
#endif
    }
    atomic_store_explicit(&avx2_state, s, memory_order_relaxed);
    return s;
}

static atomic_int avx512_state = -1;

int ck_has_avx512(void) {
    int s = atomic_load_explicit(&avx512_state, memory_order_relaxed);
    if (s >= 0) return s;
    const char *force = getenv("AQYL_KERNELS");
    if (!ck_has_avx2() || !ck_avx512_compiled() || (force && strcmp(force, "avx2") == 0)) s = 0;
    else {
#if defined(__x86_64__) && !defined(CK_FORCE_GENERIC)
        s = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
            __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
            __builtin_cpu_supports("avx512vnni");
#else
        s = 0;
#endif
    }
    atomic_store_explicit(&avx512_state, s, memory_order_relaxed);
    return s;
}

const char *ck_kernel_set(void) { return ck_has_avx512() ? "avx512-vnni" : ck_has_avx2() ? "avx2" : "generic"; }
