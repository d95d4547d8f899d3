/* optim.c - SGD, Adam and AdamW as fused passes over spans (see tg_optim.h). */
#include "tg_fp_exact.h"

#include "tg_optim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "optim_kernels.h"
#include "tg_parallel.h"

#define ALIGN_FLOATS 16 /* 64 bytes */

struct tg_optimizer {
    tg_optim_config cfg;
    int n_spans;
    tg_span *spans;
    size_t *offset;      /* [n_spans] start of each span's state, in floats */
    size_t state_span;   /* floats per state buffer (m, v or momentum) */
    float *state;        /* [n_buffers * state_span], 64-byte aligned */
    int n_buffers;       /* Adam(W): 2 (m, v); SGD: 1 with momentum, else 0 */
    int64_t t;           /* steps taken */
    double last_norm;
};

tg_optim_config tg_optim_defaults(tg_optim_kind kind)
{
    tg_optim_config c = { .kind = kind, .lr = 1e-3, .beta1 = 0.9, .beta2 = 0.999,
                          .eps = 1e-8 };
    if (kind == TG_SGD)
        c.lr = 0.01;
    if (kind == TG_ADAMW)
        c.weight_decay = 0.01;
    return c;
}

int tg_optim_check(const tg_optim_config *c, tg_error *err)
{
    if (c->kind != TG_SGD && c->kind != TG_ADAM && c->kind != TG_ADAMW)
        return tg_fail(err, "optimizer: unknown kind %d", (int)c->kind);
    if (!(c->lr >= 0))
        return tg_fail(err, "optimizer: invalid learning rate %g (expected >= 0)", c->lr);
    if (!(c->weight_decay >= 0))
        return tg_fail(err, "optimizer: invalid weight_decay %g (expected >= 0)",
                       c->weight_decay);
    if (!(c->max_grad_norm >= 0))
        return tg_fail(err, "optimizer: invalid max_grad_norm %g (expected >= 0, 0 = off)",
                       c->max_grad_norm);
    if (c->kind == TG_SGD) {
        if (!(c->momentum >= 0))
            return tg_fail(err, "SGD: invalid momentum %g (expected >= 0)", c->momentum);
        if (c->nesterov && (c->momentum <= 0 || c->dampening != 0))
            return tg_fail(err, "SGD: nesterov needs momentum > 0 and dampening 0 "
                           "(got momentum %g, dampening %g)", c->momentum, c->dampening);
        return 0;
    }
    if (!(c->beta1 >= 0 && c->beta1 < 1))
        return tg_fail(err, "Adam: invalid beta1 %g (expected in [0, 1))", c->beta1);
    if (!(c->beta2 >= 0 && c->beta2 < 1))
        return tg_fail(err, "Adam: invalid beta2 %g (expected in [0, 1))", c->beta2);
    if (!(c->eps >= 0))
        return tg_fail(err, "Adam: invalid eps %g (expected >= 0)", c->eps);
    return 0;
}

static size_t round_up(size_t n) { return (n + ALIGN_FLOATS - 1) / ALIGN_FLOATS * ALIGN_FLOATS; }

tg_optimizer *tg_optimizer_new(const tg_optim_config *cfg, const tg_span *spans,
                               int n_spans, tg_error *err)
{
    if (tg_optim_check(cfg, err))
        return NULL;
    if (n_spans <= 0) {
        tg_fail(err, "optimizer: no spans to optimize (n_spans = %d)", n_spans);
        return NULL;
    }
    for (int i = 0; i < n_spans; i++)
        if (spans[i].n > 0 && (!spans[i].param || !spans[i].grad)) {
            tg_fail(err, "optimizer: span %d has %zu floats but a NULL %s pointer", i,
                    spans[i].n, spans[i].param ? "grad" : "param");
            return NULL;
        }
    tg_optimizer *o = calloc(1, sizeof *o);
    if (!o)
        goto oom;
    o->cfg = *cfg;
    o->n_spans = n_spans;
    o->last_norm = -1;
    o->spans = malloc((size_t)n_spans * sizeof *o->spans);
    o->offset = malloc((size_t)n_spans * sizeof *o->offset);
    if (!o->spans || !o->offset)
        goto oom;
    memcpy(o->spans, spans, (size_t)n_spans * sizeof *spans);
    for (int i = 0; i < n_spans; i++) {
        o->offset[i] = o->state_span;
        o->state_span += round_up(spans[i].n);
    }
    o->n_buffers = cfg->kind == TG_SGD ? (cfg->momentum > 0) : 2;
    size_t bytes = o->n_buffers * o->state_span * sizeof(float);
    if (bytes > 0) {
        o->state = aligned_alloc(64, bytes); /* a multiple of 64 by construction */
        if (!o->state)
            goto oom;
        memset(o->state, 0, bytes);
    }
    return o;
oom:
    tg_optimizer_free(o);
    tg_fail(err, "optimizer: out of memory for %d spans", n_spans);
    return NULL;
}

void tg_optimizer_free(tg_optimizer *o)
{
    if (!o)
        return;
    free(o->state);
    free(o->offset);
    free(o->spans);
    free(o);
}

int64_t tg_optimizer_steps(const tg_optimizer *o) { return o->t; }
void tg_optimizer_set_steps(tg_optimizer *o, int64_t steps) { o->t = steps; }
double tg_optimizer_last_grad_norm(const tg_optimizer *o) { return o->last_norm; }

float *tg_optimizer_state(tg_optimizer *o, size_t *n_floats)
{
    if (n_floats)
        *n_floats = o->n_buffers * o->state_span;
    return o->state;
}

/* ---- gradient norm and clipping ----------------------------------------- */

double tg_grad_norm(const tg_span *spans, int n_spans)
{
    double total = 0;
    for (int s = 0; s < n_spans; s++)
        total += tg_sum_squares(spans[s].grad, spans[s].n);
    return sqrt(total);
}

/* The factor clip_grad_norm_ multiplies the gradients by: float math on the
 * float norm, as torch does with its float tensors. */
static float clip_scale(double norm, double max_norm)
{
    float coef = (float)max_norm / ((float)norm + 1e-6f);
    return coef < 1.0f ? coef : 1.0f;
}

double tg_clip_grad_norm(const tg_span *spans, int n_spans, double max_norm)
{
    double norm = tg_grad_norm(spans, n_spans);
    float scale = clip_scale(norm, max_norm);
    if (scale < 1.0f)
        for (int s = 0; s < n_spans; s++)
            tg_scale_floats(spans[s].grad, spans[s].n, scale);
    return norm;
}

/* ---- step ----------------------------------------------------------------- */

/* One step's update of every span, shared over the library's threads in
 * one job: thread i takes part i of each span long enough to split (cut as
 * tg_parallel_for cuts, so for a weight whose gradient a row-split GEMM
 * wrote, the rows this core wrote and still has in cache), and the short
 * spans whole, in turns. The kernels treat every element alike wherever a
 * part starts, so the split never changes a bit of the result. */
typedef struct step_job {
    const tg_optimizer *o;
    const tg_adam_coef *adam; /* one of the two */
    const tg_sgd_coef *sgd;
    size_t threads;
} step_job;

#define SPLIT_MIN_FLOATS (1 << 13)

static void update_range(const step_job *j, int s, size_t begin, size_t end)
{
    const tg_optimizer *o = j->o;
    const tg_span *sp = &o->spans[s];
    float *s1 = o->state ? o->state + o->offset[s] + begin : NULL; // m, or the momentum buffer
    if (j->adam)
        tg_adam_update(sp->param + begin, sp->grad + begin, s1, s1 + o->state_span, end - begin, j->adam);
    else
        tg_sgd_update(sp->param + begin, sp->grad + begin, s1, end - begin, o->cfg.nesterov, j->sgd);
}

static void thread_share(void *ctx, size_t first, size_t last)
{
    const step_job *j = ctx;
    for (size_t i = first; i < last; i++)
        for (int s = 0; s < j->o->n_spans; s++) {
            size_t n = j->o->spans[s].n;
            if (n >= SPLIT_MIN_FLOATS)
                update_range(j, s, tg_parallel_boundary(n, ALIGN_FLOATS, j->threads, i),
                             tg_parallel_boundary(n, ALIGN_FLOATS, j->threads, i + 1));
            else if ((size_t)s % j->threads == i)
                update_range(j, s, 0, n);
        }
}

static void update_all(const tg_optimizer *o, const tg_adam_coef *adam, const tg_sgd_coef *sgd)
{
    step_job j = {o, adam, sgd, (size_t)tg_parallel_threads()};
    tg_parallel_for(j.threads, 1, 1, thread_share, &j); /* one index per thread */
}

static void step_adam(tg_optimizer *o, double lr, double beta1, float scale)
{
    const tg_optim_config *c = &o->cfg;
    double t = (double)o->t;
    double bc1 = 1 - pow(beta1, t), bc2 = 1 - pow(c->beta2, t);
    int decoupled = c->kind == TG_ADAMW;
    tg_adam_coef k = {
        .scale = scale,
        .l2 = decoupled ? 0.0f : (float)c->weight_decay,
        .decay = decoupled ? (float)(1 - lr * c->weight_decay) : 1.0f,
        .b1 = (float)beta1, .a1 = (float)(1 - beta1),
        .b2 = (float)c->beta2, .a2 = (float)(1 - c->beta2),
        .inv_bc2 = (float)(1 / (double)(float)sqrt(bc2)),
        .eps = (float)c->eps,
        .neg_step = (float)-(lr / bc1),
    };
    update_all(o, &k, NULL);
}

static void step_sgd(tg_optimizer *o, double lr, double momentum, float scale)
{
    const tg_optim_config *c = &o->cfg;
    int first = o->t == 1;
    tg_sgd_coef k = {
        .scale = scale,
        .l2 = (float)c->weight_decay,
        .keep = first ? 0.0f : (float)momentum,
        .add = first ? 1.0f : (float)(1 - c->dampening),
        .nesterov = (float)momentum,
        .neg_lr = (float)-lr,
    };
    update_all(o, NULL, &k);
}

void tg_optimizer_step(tg_optimizer *o, double lr, double momentum)
{
    const tg_optim_config *c = &o->cfg;
    if (lr < 0)
        lr = c->lr;
    if (momentum < 0)
        momentum = c->kind == TG_SGD ? c->momentum : c->beta1;
    float scale = 1.0f;
    if (c->max_grad_norm > 0) {
        o->last_norm = tg_grad_norm(o->spans, o->n_spans);
        scale = clip_scale(o->last_norm, c->max_grad_norm);
    }
    o->t++;
    if (c->kind == TG_SGD)
        step_sgd(o, lr, momentum, scale);
    else
        step_adam(o, lr, momentum, scale);
}

void tg_optimizer_step_sched(tg_optimizer *o, const tg_schedule *s)
{
    tg_optimizer_step(o, tg_schedule_lr(s, o->t), tg_schedule_beta1(s, o->t));
}
