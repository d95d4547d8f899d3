/* dispatch.c - picks the widest optimizer kernels the CPU runs, once. */
#include "optim_kernels.h"

typedef struct kernel_set {
    void (*adam)(float *, const float *, float *, float *, size_t, const tg_adam_coef *);
    void (*sgd)(float *, const float *, float *, size_t, int, const tg_sgd_coef *);
    double (*sum_squares)(const float *, size_t);
    void (*scale)(float *, size_t, float);
} kernel_set;

#define SET(S) {tg_adam_update##S, tg_sgd_update##S, tg_sum_squares##S, tg_scale_floats##S}

static const kernel_set *kernels(void)
{
    static const kernel_set base = SET(_base);
    static const kernel_set *chosen;
    if (chosen)
        return chosen;
    chosen = &base;
#if defined(__x86_64__) && defined(__GNUC__)
    static const kernel_set avx2 = SET(_avx2), avx512 = SET(_avx512);
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f"))
        chosen = &avx512;
    else if (__builtin_cpu_supports("avx2"))
        chosen = &avx2;
#endif
    return chosen;
}

void tg_adam_update(float *p, const float *g, float *m, float *v, size_t n, const tg_adam_coef *k)
{
    kernels()->adam(p, g, m, v, n, k);
}

void tg_sgd_update(float *p, const float *g, float *buf, size_t n, int nesterov, const tg_sgd_coef *k)
{
    kernels()->sgd(p, g, buf, n, nesterov, k);
}

double tg_sum_squares(const float *x, size_t n) { return kernels()->sum_squares(x, n); }

void tg_scale_floats(float *x, size_t n, float s) { kernels()->scale(x, n, s); }
