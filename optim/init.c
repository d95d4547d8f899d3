/* init.c - uniform, normal, Linear-default and Xavier initialisers. */
#include "tg_fp_exact.h"

#include "tg_init.h"

#include <math.h>

void tg_init_uniform(float *x, size_t n, float bound, tg_rng *r)
{
    for (size_t i = 0; i < n; i++)
        x[i] = tg_rng_uniform_range(r, -bound, bound);
}

void tg_init_normal(float *x, size_t n, float std, tg_rng *r)
{
    for (size_t i = 0; i < n; i++)
        x[i] = std * tg_rng_normal(r);
}

void tg_init_linear(float *w, float *bias, int64_t fan_out, int64_t fan_in, tg_rng *r)
{
    /* kaiming_uniform_(a = sqrt(5)): gain sqrt(2 / (1 + 5)), bound
     * sqrt(3) gain / sqrt(fan_in), which is 1 / sqrt(fan_in). */
    float bound = fan_in > 0 ? (float)(1.0 / sqrt((double)fan_in)) : 0.0f;
    tg_init_uniform(w, (size_t)(fan_out * fan_in), bound, r);
    if (!bias)
        return;
    if (fan_in > 0)
        tg_init_uniform(bias, (size_t)fan_out, bound, r);
    else
        for (int64_t i = 0; i < fan_out; i++)
            bias[i] = 0.0f;
}

void tg_init_xavier_uniform(float *w, int64_t fan_out, int64_t fan_in, float gain,
                            tg_rng *r)
{
    double bound = gain * sqrt(6.0 / (double)(fan_in + fan_out));
    tg_init_uniform(w, (size_t)(fan_out * fan_in), (float)bound, r);
}

void tg_init_xavier_normal(float *w, int64_t fan_out, int64_t fan_in, float gain,
                           tg_rng *r)
{
    double std = gain * sqrt(2.0 / (double)(fan_in + fan_out));
    tg_init_normal(w, (size_t)(fan_out * fan_in), (float)std, r);
}
