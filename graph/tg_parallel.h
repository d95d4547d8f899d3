/* tg_parallel.h - the library's worker threads (not installed).
 *
 * One owner of the cores: tg_set_threads(n) keeps OpenBLAS at one thread and
 * starts n - 1 workers here; the calling thread is the n-th. Every parallel
 * piece of work - a GEMM split into column or row blocks, an elementwise
 * kernel, the optimizer's fused pass - is one tg_parallel_for over the same
 * threads, so nothing ever competes for a core.
 *
 * Workers spin for a short while after a job (jobs come every few tens of
 * microseconds inside a training step, and a wake-up from sleep costs about
 * as much as a small job), then sleep on a condition variable so an idle
 * process does not burn a core.
 */
#ifndef TG_PARALLEL_H
#define TG_PARALLEL_H

#include <stddef.h>

typedef void (*tg_range_fn)(void *ctx, size_t begin, size_t end);

/* Sizes the pool to n threads in all (n <= 1: no workers). */
void tg_parallel_set_threads(int n);
int  tg_parallel_threads(void);

/* Start of part i of [0, n) cut into `parts`: i/parts of the way, at the
 * nearest multiple of align, so that parts differ by at most one align (n
 * for i >= parts). tg_parallel_for cuts its chunks here, so other code can
 * find which thread had which elements. */
size_t tg_parallel_boundary(size_t n, size_t align, size_t parts, size_t i);

/* Runs fn over [0, n) in one contiguous chunk per thread: boundaries at
 * multiples of align, chunks as even as that allows and at least min_chunk
 * long (so fewer threads for small n). The caller runs the first chunk and
 * returns when every chunk is done. With one thread, or when
 * n < 2 * min_chunk, it is fn(ctx, 0, n). Not reentrant: fn must not call tg_parallel_for. */
void tg_parallel_for(size_t n, size_t align, size_t min_chunk, tg_range_fn fn, void *ctx);

#endif
