/*
 * A fixed pool of pthreads for data-parallel loops. A decode step issues
 * hundreds of 20-50 us matmuls, so dispatch must cost ~1 us: workers spin on
 * a generation counter for a while after each job and only then sleep on a
 * condition variable.
 */
#define _GNU_SOURCE  /* pthread_setname_np */
#include "ckernels.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sched.h>
#if defined(__x86_64__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define CPU_RELAX() __asm__ __volatile__("yield")
#else
#define CPU_RELAX() ((void)0)
#endif

/* Spin iterations (each a pause, ~20-100 cycles) before a worker sleeps. */
#define SPIN_LIMIT 100000
#define MAX_THREADS 256
/* Pure spinning before a waiting thread starts yielding its CPU each
 * iteration: on an oversubscribed machine the thread being waited for may
 * share our CPU, and a pause loop would burn the time it needs. */
#define SPIN_BEFORE_YIELD 2000

static inline void backoff(int spins) {
    if (spins < SPIN_BEFORE_YIELD) CPU_RELAX(); else sched_yield();
}

/* One cache line per worker: the generation it (or the caller, by
 * stealing) claimed last, and the generation it finished last. */
typedef struct {
    atomic_uint claimed;
    atomic_uint done;
    char pad[64 - 2 * sizeof(atomic_uint)];
} worker_slot;

struct ck_pool {
    int n;
    pthread_t *threads;
    worker_slot *slots;
    atomic_uint gen;
    atomic_int sleepers;
    atomic_int stop;
    ck_task_fn fn;
    void *ctx;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

typedef struct { ck_pool *pool; int index; } worker_arg;

/* Claims job `g` for worker w; exactly one of the worker and the caller wins. */
static int claim(ck_pool *pool, int w, unsigned g) {
    unsigned expect = g - 1;
    return atomic_compare_exchange_strong(&pool->slots[w].claimed, &expect, g);
}

void ck_name_thread(const char *name) {
#if defined(__linux__)
    pthread_setname_np(pthread_self(), name);  /* at most 15 characters */
#else
    (void)name;
#endif
}

static void *worker_main(void *p) {
    worker_arg arg = *(worker_arg *)p;
    free(p);
    ck_name_thread("aqyl-pool");
    ck_pool *pool = arg.pool;
    unsigned seen = 0;
    for (;;) {
        unsigned g;
        int spins = 0;
        while ((g = atomic_load_explicit(&pool->gen, memory_order_acquire)) == seen) {
            if (++spins < SPIN_LIMIT) { backoff(spins); continue; }
            pthread_mutex_lock(&pool->mu);
            atomic_fetch_add(&pool->sleepers, 1);
            while (atomic_load(&pool->gen) == seen) pthread_cond_wait(&pool->cv, &pool->mu);
            atomic_fetch_sub(&pool->sleepers, 1);
            pthread_mutex_unlock(&pool->mu);
            spins = 0;
        }
        seen = g;
        if (atomic_load_explicit(&pool->stop, memory_order_acquire)) break;
        /* A worker that was descheduled too long finds its share stolen. */
        if (claim(pool, arg.index, g)) {
            pool->fn(pool->ctx, arg.index, pool->n);
            atomic_store_explicit(&pool->slots[arg.index].done, g, memory_order_release);
        }
    }
    return NULL;
}

ck_pool *ck_pool_create(int threads) {
    ck_pool *pool = calloc(1, sizeof(ck_pool));
    if (!pool) return NULL;
    pool->n = threads < 1 ? 1 : threads > MAX_THREADS ? MAX_THREADS : threads;
    pthread_mutex_init(&pool->mu, NULL);
    pthread_cond_init(&pool->cv, NULL);
    atomic_init(&pool->gen, 0);
    atomic_init(&pool->sleepers, 0);
    atomic_init(&pool->stop, 0);
    pool->threads = calloc((size_t)pool->n, sizeof(pthread_t));
    pool->slots = aligned_alloc(64, (size_t)pool->n * sizeof(worker_slot));
    if (!pool->threads || !pool->slots) { free(pool->threads); free(pool->slots); free(pool); return NULL; }
    for (int i = 0; i < pool->n; ++i) { atomic_init(&pool->slots[i].claimed, 0); atomic_init(&pool->slots[i].done, 0); }
    int started = 1;
    for (int i = 1; i < pool->n; ++i) {
        worker_arg *arg = malloc(sizeof(worker_arg));
        if (!arg) break;
        arg->pool = pool; arg->index = i;
        if (pthread_create(&pool->threads[i], NULL, worker_main, arg) != 0) { free(arg); break; }
        started++;
    }
    pool->n = started;   /* fewer workers if thread creation failed */
    return pool;
}

static unsigned publish(ck_pool *pool) {
    const unsigned g = atomic_fetch_add(&pool->gen, 1) + 1;
    if (atomic_load(&pool->sleepers) > 0) {
        pthread_mutex_lock(&pool->mu);
        pthread_cond_broadcast(&pool->cv);
        pthread_mutex_unlock(&pool->mu);
    }
    return g;
}

/* The caller runs its own share, then steals the shares of workers that have
 * not started yet (on an oversubscribed machine a sleeping or descheduled
 * worker would otherwise stall the whole step), then waits for the rest. */
void ck_pool_run(ck_pool *pool, ck_task_fn fn, void *ctx) {
    if (pool->n == 1) { fn(ctx, 0, 1); return; }
    pool->fn = fn;
    pool->ctx = ctx;
    const unsigned g = publish(pool);
    fn(ctx, 0, pool->n);
    unsigned char stolen[MAX_THREADS] = {0};
    for (int w = 1; w < pool->n; ++w)
        if (claim(pool, w, g)) { fn(ctx, w, pool->n); stolen[w] = 1; }
    for (int w = 1; w < pool->n; ++w) {
        if (stolen[w]) continue;
        int spins = 0;
        while (atomic_load_explicit(&pool->slots[w].done, memory_order_acquire) != g) backoff(++spins);
    }
}

void ck_pool_destroy(ck_pool *pool) {
    if (!pool) return;
    atomic_store(&pool->stop, 1);
    (void)publish(pool);
    for (int i = 1; i < pool->n; ++i) pthread_join(pool->threads[i], NULL);
    pthread_mutex_destroy(&pool->mu);
    pthread_cond_destroy(&pool->cv);
    free(pool->threads);
    free(pool->slots);
    free(pool);
}

int ck_pool_size(const ck_pool *pool) { return pool->n; }
