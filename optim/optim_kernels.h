/* optim_kernels.h - the fused per-span passes behind tg_optimizer_step
 * (private to optim/). Coefficients arrive as floats already rounded the
 * way PyTorch rounds its Python-double scalars. */
#ifndef TG_OPTIM_KERNELS_H
#define TG_OPTIM_KERNELS_H

#include <stddef.h>

typedef struct tg_adam_coef {
    float scale;    /* gradient clipping factor (1 = none) */
    float l2;       /* Adam: weight decay added to the gradient (AdamW: 0) */
    float decay;    /* AdamW: 1 - lr wd (Adam: 1) */
    float b1, a1;   /* beta1, 1 - beta1 */
    float b2, a2;   /* beta2, 1 - beta2 */
    float inv_bc2;  /* 1 / sqrt(1 - beta2^t) */
    float eps;
    float neg_step; /* -lr / (1 - beta1^t) */
} tg_adam_coef;

typedef struct tg_sgd_coef {
    float scale;    /* gradient clipping factor */
    float l2;       /* weight decay */
    float keep;     /* momentum applied to the old buffer (0 on the first step) */
    float add;      /* 1 - dampening (1 on the first step) */
    float nesterov; /* momentum, used when nesterov */
    float neg_lr;
} tg_sgd_coef;

/* Each entry point exists per instruction set (_base, and on x86-64 _avx2
 * and _avx512); the unsuffixed names dispatch to the widest the CPU has.
 * All give the same bits: every lane operation is exactly rounded. */
#define TG_KERNEL_SET(S)                                                             \
    void tg_adam_update##S(float *p, const float *g, float *m, float *v, size_t n,   \
                           const tg_adam_coef *k);                                   \
    void tg_sgd_update##S(float *p, const float *g, float *buf, size_t n, int nesterov, \
                          const tg_sgd_coef *k);                                     \
    double tg_sum_squares##S(const float *x, size_t n);                              \
    void tg_scale_floats##S(float *x, size_t n, float s);
TG_KERNEL_SET(_base)
TG_KERNEL_SET(_avx2)
TG_KERNEL_SET(_avx512)

/* Adam / AdamW over p, g, m, v [n]. */
void tg_adam_update(float *p, const float *g, float *m, float *v, size_t n,
                    const tg_adam_coef *k);

/* SGD over p, g [n] with momentum buffer buf [n] (NULL: no momentum). */
void tg_sgd_update(float *p, const float *g, float *buf, size_t n, int nesterov,
                   const tg_sgd_coef *k);

/* Sum of x[i]^2 (float lanes, flushed to double every 256 elements). */
double tg_sum_squares(const float *x, size_t n);

/* x[i] *= s. */
void tg_scale_floats(float *x, size_t n, float s);

#endif
