/* bench_optim.c - cost of one AdamW step on RSRAE's 772,868 parameters,
 * relative to memcpy over the same bytes.
 *
 * An AdamW step reads p, g, m, v and writes p, m, v: 7 streams of n floats.
 * Two yardsticks: one memcpy of the parameter bytes (2 streams) and one
 * memcpy of all four blocks (8 streams, about the step's traffic). Every
 * figure is the median of many runs on warm (cache-resident if they fit)
 * 64-byte-aligned buffers. Beware the second yardstick: glibc copies blocks
 * that large with non-temporal stores that bypass the cache, so it measures
 * DRAM while the step's 12 MB may stay in a large L3. In training they do
 * not all stay: between two updates the GEMMs move parameters, gradients,
 * activations and packed copies through the cache, so the step is also
 * timed after streaming 6, 12 and 25 MB of other data.
 *
 *     bench/bench_optim [runs] [threads]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "tg_optim.h"
#include "tg_rng.h"

#define N_PARAMS 772868 /* RSRAE: 784-392-196-128 encoder, A [16, 128], 16-128-392-784 decoder */

static float *alloc_floats(size_t n)
{
    size_t bytes = (n * sizeof(float) + 63) / 64 * 64;
    float *p = aligned_alloc(64, bytes);
    if (!p) {
        fprintf(stderr, "bench_optim: out of memory (%zu bytes)\n", bytes);
        exit(1);
    }
    return p;
}

static volatile float sink;

static double time_memcpy(float *dst, const float *src, size_t n, int runs, double *t)
{
    for (int r = 0; r < runs + 3; r++) {
        double t0 = tg_seconds();
        memcpy(dst, src, n * sizeof(float));
        sink = dst[r % n];
        if (r >= 3)
            t[r - 3] = tg_seconds() - t0;
    }
    return bench_median(t, runs);
}

/* Reads and writes every cache line of [from, to) buffers of `floats`. */
static void stream_over(const float *from, float *to, size_t floats)
{
    for (size_t i = 0; i < floats; i += 16)
        to[i] = from[i] + 1.0f;
}

/* With `other` (floats, may be 0) streamed over between steps, as a training
 * step's GEMMs move parameters, gradients, activations and packed copies
 * through the cache between two updates. */
static double time_steps(tg_optimizer *opt, int runs, double *t, const float *from, float *to, size_t other)
{
    for (int r = 0; r < runs + 3; r++) {
        stream_over(from, to, other);
        double t0 = tg_seconds();
        tg_optimizer_step(opt, 1e-3, -1);
        if (r >= 3)
            t[r - 3] = tg_seconds() - t0;
    }
    return bench_median(t, runs);
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 301;
    int threads = argc > 2 ? atoi(argv[2]) : 1;
    if (runs < 1)
        runs = 1;
    tg_set_threads(threads); /* the optimizer's pass splits over them; memcpy does not */
    size_t n = N_PARAMS;
    float *p = alloc_floats(n), *g = alloc_floats(n);
    float *src = alloc_floats(4 * n), *dst = alloc_floats(4 * n);
    tg_rng rng;
    tg_rng_seed(&rng, 1);
    for (size_t i = 0; i < n; i++) {
        p[i] = tg_rng_uniform_range(&rng, -0.05f, 0.05f);
        g[i] = 1e-3f * tg_rng_normal(&rng);
    }
    for (size_t i = 0; i < 4 * n; i++)
        src[i] = (float)i;
    double *t = malloc((size_t)runs * sizeof *t);

    tg_error err;
    tg_span span = { p, g, n };
    tg_optim_config cfg = tg_optim_defaults(TG_ADAMW);
    tg_optimizer *adamw = tg_optimizer_new(&cfg, &span, 1, &err);
    cfg.max_grad_norm = 1.0;
    tg_optimizer *clipped = tg_optimizer_new(&cfg, &span, 1, &err);
    tg_optim_config sgd_cfg = tg_optim_defaults(TG_SGD);
    sgd_cfg.momentum = 0.9;
    tg_optimizer *sgd = tg_optimizer_new(&sgd_cfg, &span, 1, &err);
    if (!adamw || !clipped || !sgd) {
        fprintf(stderr, "bench_optim: %s\n", err.msg);
        return 1;
    }

    double cp1 = time_memcpy(dst, src, n, runs, t);
    double cp4 = time_memcpy(dst, src, 4 * n, runs, t);
    double step = time_steps(adamw, runs, t, NULL, NULL, 0);
    double step_clip = time_steps(clipped, runs, t, NULL, NULL, 0);
    double step_sgd = time_steps(sgd, runs, t, NULL, NULL, 0);
    double step_after[3];
    for (int i = 0; i < 3; i++)
        step_after[i] = time_steps(adamw, runs, t, src, dst, (size_t)(1 << i) * n);

    double mb = (double)n * sizeof(float) / 1e6;
    printf("parameters            %zu (%.2f MB per block), median of %d runs, %d threads\n", n, mb, runs,
           threads);
    printf("memcpy params         %8.1f us  (%.1f GB/s)\n", 1e6 * cp1, 2 * mb / 1e3 / cp1);
    printf("memcpy 4 blocks       %8.1f us  (%.1f GB/s)\n", 1e6 * cp4, 8 * mb / 1e3 / cp4);
    printf("AdamW step            %8.1f us  = %.2f x memcpy params, %.2f x memcpy 4 blocks"
           " (%.1f GB/s over 7 streams)\n", 1e6 * step, step / cp1, step / cp4,
           7 * mb / 1e3 / step);
    printf("AdamW step + clipping %8.1f us  = %.2f x memcpy params, %.2f x memcpy 4 blocks\n",
           1e6 * step_clip, step_clip / cp1, step_clip / cp4);
    printf("SGD momentum step     %8.1f us  = %.2f x memcpy params, %.2f x memcpy 4 blocks\n",
           1e6 * step_sgd, step_sgd / cp1, step_sgd / cp4);
    for (int i = 0; i < 3; i++)
        printf("AdamW step after %2.0f MB of other traffic  %8.1f us  = %.2f x the warm step\n",
               2 * (1 << i) * mb, 1e6 * step_after[i], step_after[i] / step);

    tg_optimizer_free(sgd);
    tg_optimizer_free(clipped);
    tg_optimizer_free(adamw);
    free(t);
    free(dst);
    free(src);
    free(g);
    free(p);
    return 0;
}
