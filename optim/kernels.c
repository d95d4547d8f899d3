/* kernels.c - the optimizers' fused passes, written once over vf (simd.h).
 *
 * A kernel is a block function that updates TG_VW consecutive elements and
 * a driver that runs it along a span. The last n % TG_VW elements go through
 * the same block function on zero-padded copies, so an element's result
 * never depends on where it sits in its span: one model gives the same bits
 * whether its parameters form one span or several. Nor on the vector width:
 * every operation is exactly rounded per lane, and the one reduction (the
 * gradient norm) always sums in 16 float lanes whatever TG_VW is.
 */
#include "tg_fp_exact.h"

#include "optim_kernels.h"

/* Built once per instruction set (kernels_x86.c includes this file under
 * `#pragma GCC target`); each build names its entry points with its suffix
 * and dispatch.c picks one at run time. */
#ifndef TG_KERNEL_SUFFIX
#define TG_KERNEL_SUFFIX _base
#endif
#define KNAME_(f, s) f##s
#define KNAME(f, s) KNAME_(f, s)

#include <string.h>

#include "simd.h"

typedef void (*block_fn)(float *restrict p, const float *restrict g, float *restrict s1,
                         float *restrict s2, const void *k);

static inline void run_blocks(block_fn f, float *p, const float *g, float *s1, float *s2,
                              size_t n, const void *k)
{
    size_t i = 0;
    for (; i + TG_VW <= n; i += TG_VW)
        f(p + i, g + i, s1 ? s1 + i : NULL, s2 ? s2 + i : NULL, k);
    size_t r = n - i;
    if (r == 0)
        return;
    float tp[TG_VW] = { 0 }, tg[TG_VW] = { 0 }, t1[TG_VW] = { 0 }, t2[TG_VW] = { 0 };
    size_t bytes = r * sizeof(float);
    memcpy(tp, p + i, bytes);
    memcpy(tg, g + i, bytes);
    if (s1)
        memcpy(t1, s1 + i, bytes);
    if (s2)
        memcpy(t2, s2 + i, bytes);
    f(tp, tg, t1, t2, k);
    memcpy(p + i, tp, bytes);
    if (s1)
        memcpy(s1 + i, t1, bytes);
    if (s2)
        memcpy(s2 + i, t2, bytes);
}

/* ---- Adam / AdamW ----------------------------------------------------- */

typedef struct adam_vcoef {
    vf scale, l2, decay, b1, a1, b2, a2, inv_bc2, eps, neg_step;
} adam_vcoef;

/* PyTorch's order: g += l2 p; m = b1 m + a1 g; v = b2 v + (a2 g) g;
 * p = decay p + (neg_step m) / (sqrt(v) inv_bc2 + eps). */
static inline void adam_block(float *restrict p, const float *restrict g, float *restrict m,
                              float *restrict v, const void *kp)
{
    const adam_vcoef *k = kp;
    vf pi = vload(p);
    vf gi = vadd(vmul(vload(g), k->scale), vmul(k->l2, pi));
    vf mi = vadd(vmul(vload(m), k->b1), vmul(k->a1, gi));
    vf vi = vadd(vmul(vload(v), k->b2), vmul(vmul(k->a2, gi), gi));
    vf denom = vadd(vmul(vsqrt(vi), k->inv_bc2), k->eps);
    vstore(m, mi);
    vstore(v, vi);
    vstore(p, vadd(vmul(pi, k->decay), vdiv(vmul(k->neg_step, mi), denom)));
}

void KNAME(tg_adam_update, TG_KERNEL_SUFFIX)(float *p, const float *g, float *m, float *v, size_t n,
                    const tg_adam_coef *c)
{
    adam_vcoef k = { vset(c->scale), vset(c->l2),  vset(c->decay),   vset(c->b1),
                     vset(c->a1),    vset(c->b2),  vset(c->a2),      vset(c->inv_bc2),
                     vset(c->eps),   vset(c->neg_step) };
    run_blocks(adam_block, p, g, m, v, n, &k);
}

/* ---- SGD ---------------------------------------------------------------- */

typedef struct sgd_vcoef {
    vf scale, l2, keep, add, nesterov, neg_lr;
} sgd_vcoef;

/* d = g + l2 p (after clipping); p += neg_lr d */
static inline void sgd_block(float *restrict p, const float *restrict g, float *restrict unused1,
                             float *restrict unused2, const void *kp)
{
    (void)unused1;
    (void)unused2;
    const sgd_vcoef *k = kp;
    vf pi = vload(p);
    vf d = vadd(vmul(vload(g), k->scale), vmul(k->l2, pi));
    vstore(p, vadd(pi, vmul(k->neg_lr, d)));
}

/* buf = keep buf + add d; p += neg_lr buf */
static inline void momentum_block(float *restrict p, const float *restrict g,
                                  float *restrict buf, float *restrict unused, const void *kp)
{
    (void)unused;
    const sgd_vcoef *k = kp;
    vf pi = vload(p);
    vf d = vadd(vmul(vload(g), k->scale), vmul(k->l2, pi));
    vf b = vadd(vmul(vload(buf), k->keep), vmul(k->add, d));
    vstore(buf, b);
    vstore(p, vadd(pi, vmul(k->neg_lr, b)));
}

/* as momentum_block, but p += neg_lr (d + momentum buf) */
static inline void nesterov_block(float *restrict p, const float *restrict g,
                                  float *restrict buf, float *restrict unused, const void *kp)
{
    (void)unused;
    const sgd_vcoef *k = kp;
    vf pi = vload(p);
    vf d = vadd(vmul(vload(g), k->scale), vmul(k->l2, pi));
    vf b = vadd(vmul(vload(buf), k->keep), vmul(k->add, d));
    vstore(buf, b);
    vstore(p, vadd(pi, vmul(k->neg_lr, vadd(d, vmul(k->nesterov, b)))));
}

void KNAME(tg_sgd_update, TG_KERNEL_SUFFIX)(float *p, const float *g, float *buf, size_t n, int nesterov,
                   const tg_sgd_coef *c)
{
    sgd_vcoef k = { vset(c->scale), vset(c->l2),       vset(c->keep),
                    vset(c->add),   vset(c->nesterov), vset(c->neg_lr) };
    if (!buf)
        run_blocks(sgd_block, p, g, NULL, NULL, n, &k);
    else if (nesterov)
        run_blocks(nesterov_block, p, g, buf, NULL, n, &k);
    else
        run_blocks(momentum_block, p, g, buf, NULL, n, &k);
}

/* ---- norms ---------------------------------------------------------------- */

#define LANES 16  /* float partial sums, fixed so that TG_VW does not matter */
#define CHUNK 256 /* floats summed in float lanes before the double total */

double KNAME(tg_sum_squares, TG_KERNEL_SUFFIX)(const float *x, size_t n)
{
    enum { NACC = LANES / TG_VW };
    double total = 0;
    size_t i = 0;
    while (i + LANES <= n) {
        size_t end = i + CHUNK <= n ? i + CHUNK : n;
        vf acc[NACC]; /* unrolled, so that the partial sums live in registers */
#pragma GCC unroll 16
        for (int a = 0; a < NACC; a++)
            acc[a] = vset(0.0f);
        for (; i + LANES <= end; i += LANES)
#pragma GCC unroll 16
            for (int a = 0; a < NACC; a++) {
                vf xi = vload(x + i + a * TG_VW);
                acc[a] = vadd(acc[a], vmul(xi, xi));
            }
        float lane[LANES];
#pragma GCC unroll 16
        for (int a = 0; a < NACC; a++)
            vstore(lane + a * TG_VW, acc[a]);
        for (int l = 0; l < LANES; l++)
            total += lane[l];
    }
    for (; i < n; i++)
        total += (double)x[i] * x[i];
    return total;
}

void KNAME(tg_scale_floats, TG_KERNEL_SUFFIX)(float *x, size_t n, float s)
{
    vf k = vset(s);
    size_t i = 0;
    for (; i + TG_VW <= n; i += TG_VW)
        vstore(x + i, vmul(vload(x + i), k));
    for (; i < n; i++)
        x[i] *= s;
}
