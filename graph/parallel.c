/* parallel.c - a fork-join pool whose workers spin, then sleep (see
 * tg_parallel.h).
 *
 * Hand-off without a lock on the hot path: the caller publishes the job,
 * then bumps `generation`; a spinning worker sees the new generation and runs
 * its chunk. A worker about to sleep first counts itself in `sleepers`, then
 * re-checks `generation` under the mutex; the caller bumps `generation`
 * before it reads `sleepers`. With sequentially consistent atomics one of the
 * two always sees the other, so no wake-up is lost.
 */
#include "tg_parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "tg.h"

#define MAX_WORKERS 63
#define SPIN_SECONDS 2e-4

static struct {
    pthread_mutex_t mu;
    pthread_cond_t wake;
    pthread_t threads[MAX_WORKERS];
    int n_workers;
    atomic_int stop;
    atomic_ulong generation;
    atomic_int sleepers;
    atomic_int remaining; /* workers still in the current job */
    unsigned long born;   /* generation when the workers were started */
    /* The job, written by the caller before generation moves. */
    tg_range_fn fn;
    void *ctx;
    size_t n, align, parts;
} pool = {.mu = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* Waits for a job after `seen` (or the pool's stop); returns the generation
 * then current. */
static unsigned long wait_for_job(unsigned long seen)
{
    double deadline = tg_seconds() + SPIN_SECONDS;
    for (unsigned spins = 1;; spins++) {
        unsigned long g = atomic_load(&pool.generation);
        if (g != seen || atomic_load(&pool.stop))
            return g;
        cpu_relax();
        if (spins % 256 == 0 && tg_seconds() > deadline)
            break;
    }
    pthread_mutex_lock(&pool.mu);
    atomic_fetch_add(&pool.sleepers, 1);
    while (atomic_load(&pool.generation) == seen && !atomic_load(&pool.stop))
        pthread_cond_wait(&pool.wake, &pool.mu);
    atomic_fetch_sub(&pool.sleepers, 1);
    pthread_mutex_unlock(&pool.mu);
    return atomic_load(&pool.generation);
}

size_t tg_parallel_boundary(size_t n, size_t align, size_t parts, size_t i)
{
    if (i >= parts)
        return n;
    size_t at = (i * n / parts + align / 2) / align * align;
    return at < n ? at : n;
}

static size_t boundary(size_t i)
{
    return tg_parallel_boundary(pool.n, pool.align, pool.parts, i);
}

static void *worker(void *arg)
{
    size_t id = (size_t)(uintptr_t)arg; /* 1 .. n_workers; the caller is 0 */
    unsigned long seen = pool.born; /* a job may come before this thread runs */
    for (;;) {
        seen = wait_for_job(seen);
        if (atomic_load(&pool.stop))
            return NULL;
        size_t begin = boundary(id), end = boundary(id + 1);
        if (begin < end)
            pool.fn(pool.ctx, begin, end);
        atomic_fetch_sub(&pool.remaining, 1);
    }
}

static void stop_workers(void)
{
    pthread_mutex_lock(&pool.mu);
    atomic_store(&pool.stop, 1);
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.mu);
    for (int i = 0; i < pool.n_workers; i++)
        pthread_join(pool.threads[i], NULL);
    pool.n_workers = 0;
    atomic_store(&pool.stop, 0);
}

void tg_parallel_set_threads(int n)
{
    static int registered;
    int want = n > 1 ? (n - 1 < MAX_WORKERS ? n - 1 : MAX_WORKERS) : 0;
    if (want == pool.n_workers)
        return;
    stop_workers();
    pool.born = atomic_load(&pool.generation);
    for (int i = 0; i < want; i++) {
        if (pthread_create(&pool.threads[i], NULL, worker, (void *)(uintptr_t)(i + 1)) != 0)
            break; /* fewer threads: slower, still correct */
        pool.n_workers = i + 1;
    }
    if (!registered && pool.n_workers) {
        registered = 1;
        atexit(stop_workers);
    }
}

int tg_parallel_threads(void)
{
    return pool.n_workers + 1;
}

void tg_parallel_for(size_t n, size_t align, size_t min_chunk, tg_range_fn fn, void *ctx)
{
    size_t threads = (size_t)pool.n_workers + 1;
    if (threads == 1 || n < 2 * min_chunk) {
        fn(ctx, 0, n);
        return;
    }
    if (min_chunk && n / min_chunk < threads)
        threads = n / min_chunk; /* >= 2 here */
    pool.fn = fn;
    pool.ctx = ctx;
    pool.n = n;
    pool.align = align ? align : 1;
    pool.parts = threads;
    atomic_store(&pool.remaining, pool.n_workers);
    atomic_fetch_add(&pool.generation, 1);
    if (atomic_load(&pool.sleepers) > 0) {
        pthread_mutex_lock(&pool.mu);
        pthread_cond_broadcast(&pool.wake);
        pthread_mutex_unlock(&pool.mu);
    }
    fn(ctx, 0, boundary(1));
    while (atomic_load(&pool.remaining) > 0)
        cpu_relax();
}
