/* tg_parallel.h - the library's own worker threads (not installed).
 *
 * OpenBLAS owns the threads during a GEMM. Between GEMMs the library's long
 * loops (the optimizer's fused pass over all parameters) are split over the
 * same number of threads: the calling thread and tg_set_threads(n) - 1
 * workers. Workers sleep on a condition variable between jobs, so they never
 * compete with OpenBLAS's threads, and a job costs one wake-up (~10 us):
 * worth it only for loops of tens of microseconds and more.
 */
#ifndef TG_PARALLEL_H
#define TG_PARALLEL_H

#include <stddef.h>

typedef void (*tg_range_fn)(void *ctx, size_t begin, size_t end);

/* Sizes the pool to n threads in all (1: no workers). */
void tg_parallel_set_threads(int n);

/* Runs fn over [0, n) in one contiguous chunk per thread, chunk boundaries
 * multiples of align; the caller runs the first chunk and returns when all
 * are done. With one thread, or fewer than min_per_thread elements for each,
 * it is fn(ctx, 0, n). fn must give each element the same result whatever
 * the chunk it falls in. */
void tg_parallel_for(size_t n, size_t align, size_t min_per_thread, tg_range_fn fn, void *ctx);

#endif
