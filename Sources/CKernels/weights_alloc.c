/*
 * Buffers for weights copied at load (interleaved and repacked layouts).
 * Decoding streams every weight byte once per token, so on a large model the
 * 4 KiB pages cost a TLB miss every 4 KiB of a stream that otherwise runs at
 * memory bandwidth. Buffers of 2 MiB or more are aligned to 2 MiB and offered
 * to the kernel as transparent huge pages (MADV_HUGEPAGE: honoured where THP
 * is "madvise" or "always", ignored where it is off; nothing else changes).
 */
#define _GNU_SOURCE
#include "ck_internal.h"
#include <stdlib.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#define HUGE_BYTES ((size_t)2 << 20)

void *ck_weights_alloc(size_t bytes) {
    void *p = NULL;
    if (bytes == 0) bytes = 1;
    if (bytes >= HUGE_BYTES) {
        const size_t rounded = (bytes + HUGE_BYTES - 1) & ~(HUGE_BYTES - 1);
        if (posix_memalign(&p, HUGE_BYTES, rounded) != 0) return NULL;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
        (void)madvise(p, rounded, MADV_HUGEPAGE);
#endif
        return p;
    }
    if (posix_memalign(&p, 64, bytes) != 0) return NULL;
    return p;
}

void ck_weights_free(void *p) { free(p); }

/* The whole pages inside [p, p+bytes) of a ck_weights_alloc buffer go back to
 * the kernel (their contents become zero): for a layout copied out of the
 * buffer slice by slice, so the copy never doubles the resident size. */
void ck_weights_release(void *p, size_t bytes) {
#if defined(__linux__)
    const uintptr_t page = 4096;
    const uintptr_t a = ((uintptr_t)p + page - 1) & ~(page - 1);
    const uintptr_t b = ((uintptr_t)p + bytes) & ~(page - 1);
    if (b > a) (void)madvise((void *)a, b - a, MADV_DONTNEED);
#else
    (void)p; (void)bytes;
#endif
}
