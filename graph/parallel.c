/* parallel.c - a minimal fork-join pool (see tg_parallel.h). */
#include "tg_parallel.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#define MAX_WORKERS 63

static struct {
    pthread_mutex_t mu;
    pthread_cond_t  wake;
    pthread_t       threads[MAX_WORKERS];
    int             n_workers;
    int             stop;
    unsigned long   generation;   /* one per job, under mu */
    tg_range_fn     fn;           /* the job, under mu */
    void           *ctx;
    size_t          n, chunk;
    atomic_int      remaining;    /* workers still busy with the job */
} pool = {.mu = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static void *worker(void *arg)
{
    size_t id = (size_t)(uintptr_t)arg; /* 1 .. n_workers; the caller is 0 */
    unsigned long seen = 0;
    pthread_mutex_lock(&pool.mu);
    seen = pool.generation;
    for (;;) {
        while (pool.generation == seen && !pool.stop)
            pthread_cond_wait(&pool.wake, &pool.mu);
        if (pool.stop)
            break;
        seen = pool.generation;
        tg_range_fn fn = pool.fn;
        void *ctx = pool.ctx;
        size_t begin = id * pool.chunk, end = begin + pool.chunk;
        if (end > pool.n)
            end = pool.n;
        pthread_mutex_unlock(&pool.mu);
        if (begin < end)
            fn(ctx, begin, end);
        atomic_fetch_sub(&pool.remaining, 1);
        pthread_mutex_lock(&pool.mu);
    }
    pthread_mutex_unlock(&pool.mu);
    return NULL;
}

static void stop_workers(void)
{
    pthread_mutex_lock(&pool.mu);
    pool.stop = 1;
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.mu);
    for (int i = 0; i < pool.n_workers; i++)
        pthread_join(pool.threads[i], NULL);
    pool.n_workers = 0;
    pool.stop = 0;
}

void tg_parallel_set_threads(int n)
{
    static int registered;
    int want = n > 1 ? (n - 1 < MAX_WORKERS ? n - 1 : MAX_WORKERS) : 0;
    if (want == pool.n_workers)
        return;
    stop_workers();
    for (int i = 0; i < want; i++) {
        if (pthread_create(&pool.threads[i], NULL, worker, (void *)(uintptr_t)(i + 1)) != 0)
            break; /* fewer threads: still correct */
        pool.n_workers = i + 1;
    }
    if (!registered && pool.n_workers) {
        registered = 1;
        atexit(stop_workers);
    }
}

void tg_parallel_for(size_t n, size_t align, size_t min_per_thread, tg_range_fn fn, void *ctx)
{
    size_t threads = (size_t)pool.n_workers + 1;
    if (threads == 1 || n < threads * min_per_thread) {
        fn(ctx, 0, n);
        return;
    }
    size_t chunk = (n + threads - 1) / threads;
    chunk = (chunk + align - 1) / align * align;
    pthread_mutex_lock(&pool.mu);
    pool.fn = fn;
    pool.ctx = ctx;
    pool.n = n;
    pool.chunk = chunk;
    atomic_store(&pool.remaining, pool.n_workers);
    pool.generation++;
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.mu);
    fn(ctx, 0, chunk < n ? chunk : n);
    while (atomic_load(&pool.remaining) > 0)
        sched_yield();
}
