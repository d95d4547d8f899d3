/* trainer.c - the RSRAE training loop and the forward-only scorer. */
#include "tg_trainer.h"

#include <stdlib.h>
#include <string.h>

#include "tg_ops.h"

struct tg_trainer {
    tg_rsrae       *m;
    tg_train_config cfg;
    tg_plan        *plans[3];
    tg_optimizer   *opts[3];
    tg_schedule     sched[3];
    float          *batch;   // [B, in]
    size_t         *order;
    size_t          order_cap;
    tg_rng          rng;
    tg_step_times   spent;   // totals; divided by steps when read
    long            steps_done;
};

int tg_spans_of(tg_graph *g, const tg_tensor *params, int n, tg_span *spans, int cap)
{
    if (n > cap)
        return -1;
    float *p = tg_params(g), *gr = tg_grads(g);
    for (int i = 0; i < n; i++) {
        size_t off = tg_param_offset(g, params[i]);
        spans[i] = (tg_span){p + off, gr + off, (size_t)tg_shape_numel(tg_shape_of(g, params[i]))};
    }
    return n;
}

static tg_plan *plan_for_set(tg_rsrae *m, int s, tg_error *err)
{
    const tg_param_set *set = &m->sets[s];
    tg_tensor outs[TG_RSRAE_MAX_PARAMS + 4];
    int n = 0;
    outs[n++] = m->loss_recon;
    outs[n++] = m->loss_rsr;
    outs[n++] = m->loss_ortho;
    for (int i = 0; i < set->n; i++)
        outs[n++] = set->grads[i];
    /* Alternating sets compute only what their own loss needs. */
    if (m->n_sets > 1) {
        outs[0] = set->loss;
        memmove(outs + 1, outs + 3, sizeof(tg_tensor) * (size_t)set->n);
        n -= 2;
    }
    tg_plan *p = tg_plan_new(m->g, outs, n, NULL);
    if (!p)
        tg_fail(err, "rsrae: planning: %s", tg_graph_error(m->g));
    return p;
}

static tg_schedule make_schedule(tg_sched_kind kind, double lr, int64_t total)
{
    switch (kind) {
    case TG_SCHED_COSINE: return tg_schedule_cosine(lr, total, 0.0);
    case TG_SCHED_ONECYCLE: return tg_schedule_onecycle(lr, total);
    case TG_SCHED_STEP: return tg_schedule_step(lr, total / 3 > 0 ? total / 3 : 1, 0.1);
    case TG_SCHED_CONSTANT: break;
    }
    return tg_schedule_constant(lr);
}

static int make_optimizer(tg_trainer *t, int s, double lr, tg_error *err)
{
    tg_span spans[TG_RSRAE_MAX_PARAMS];
    const tg_param_set *set = &t->m->sets[s];
    int n = tg_spans_of(t->m->g, set->params, set->n, spans, TG_RSRAE_MAX_PARAMS);
    tg_optim_config oc = tg_optim_defaults(t->cfg.optimizer);
    oc.lr = lr;
    if (t->cfg.weight_decay >= 0)
        oc.weight_decay = t->cfg.weight_decay;
    t->opts[s] = tg_optimizer_new(&oc, spans, n, err);
    return t->opts[s] ? 0 : -1;
}

tg_trainer *tg_trainer_new(tg_rsrae *m, const tg_train_config *cfg, tg_error *err)
{
    tg_trainer *t = calloc(1, sizeof *t);
    if (!t) {
        tg_fail(err, "rsrae: out of memory");
        return NULL;
    }
    t->m = m;
    t->cfg = *cfg;
    tg_rng_seed(&t->rng, cfg->seed ^ 0x5eedULL);
    double lrs[3] = {cfg->lr, cfg->lr_ortho, cfg->lr_rsr};
    t->batch = aligned_alloc(TG_ALIGN, ((size_t)m->cfg.batch * (size_t)m->cfg.input_dim * sizeof(float) + TG_ALIGN - 1) / TG_ALIGN * TG_ALIGN);
    int ok = t->batch != NULL;
    for (int s = 0; ok && s < m->n_sets; s++) {
        t->plans[s] = plan_for_set(m, s, err);
        ok = t->plans[s] && make_optimizer(t, s, m->n_sets > 1 ? lrs[s] : cfg->lr, err) == 0;
        ok = ok && tg_plan_bind(t->plans[s], m->x, t->batch) == 0;
    }
    if (!ok) {
        if (t->batch == NULL)
            tg_fail(err, "rsrae: out of memory");
        tg_trainer_free(t);
        return NULL;
    }
    return t;
}

void tg_trainer_free(tg_trainer *t)
{
    if (!t)
        return;
    for (int s = 0; s < 3; s++) {
        tg_plan_free(t->plans[s]);
        tg_optimizer_free(t->opts[s]);
    }
    free(t->batch);
    free(t->order);
    free(t);
}

tg_mem_report tg_trainer_train_memory(const tg_trainer *t)
{
    tg_mem_report sum = {0};
    for (int s = 0; s < t->m->n_sets; s++) {
        tg_mem_report r = tg_plan_memory(t->plans[s]);
        sum.naive_bytes += r.naive_bytes;
        sum.planned_bytes += r.planned_bytes;
        sum.lower_bound_bytes += r.lower_bound_bytes;
        sum.n_nodes += r.n_nodes;
    }
    return sum;
}

tg_step_times tg_trainer_step_times(const tg_trainer *t)
{
    double n = t->steps_done ? (double)t->steps_done : 1.0;
    return (tg_step_times){t->spent.gather / n, t->spent.plans / n, t->spent.update / n};
}

int tg_trainer_plans(const tg_trainer *t, tg_plan **plans, int cap)
{
    int n = t->m->n_sets < cap ? t->m->n_sets : cap;
    for (int s = 0; s < n; s++)
        plans[s] = t->plans[s];
    return n;
}

static void gather(float *dst, const float *x, const size_t *rows, int count, int dim)
{
    for (int i = 0; i < count; i++)
        memcpy(dst + (size_t)i * (size_t)dim, x + rows[i] * (size_t)dim, (size_t)dim * sizeof(float));
}

/* One batch: every gradient set in turn, each followed by its update. */
static void train_step(tg_trainer *t, double *losses, double *lr)
{
    tg_rsrae *m = t->m;
    for (int s = 0; s < m->n_sets; s++) {
        double t0 = tg_seconds();
        tg_plan_run(t->plans[s]);
        if (s == 0)
            *lr = tg_schedule_lr(&t->sched[0], tg_optimizer_steps(t->opts[0]));
        double t1 = tg_seconds();
        tg_optimizer_step_sched(t->opts[s], &t->sched[s]);
        t->spent.plans += t1 - t0;
        t->spent.update += tg_seconds() - t1;
    }
    if (m->n_sets == 1) {
        losses[0] = tg_plan_scalar(t->plans[0], m->loss_recon);
        losses[1] = tg_plan_scalar(t->plans[0], m->loss_rsr);
        losses[2] = tg_plan_scalar(t->plans[0], m->loss_ortho);
    } else {
        losses[0] = tg_plan_scalar(t->plans[0], m->loss_recon);
        losses[1] = tg_plan_scalar(t->plans[2], m->loss_rsr);
        losses[2] = tg_plan_scalar(t->plans[1], m->loss_ortho);
    }
}

int tg_trainer_fit(tg_trainer *t, const float *x, size_t n, const tg_train_callbacks *cb,
                   tg_error *err)
{
    tg_rsrae *m = t->m;
    int B = m->cfg.batch, dim = m->cfg.input_dim;
    if (n < (size_t)B)
        return tg_fail(err, "rsrae: %zu samples are fewer than one batch of %d (lower --batch-size)", n, B);
    if (n > t->order_cap) {
        free(t->order);
        t->order = malloc(n * sizeof *t->order);
        if (!t->order)
            return tg_fail(err, "rsrae: out of memory");
        t->order_cap = n;
    }
    int steps = (int)(n / (size_t)B);
    int64_t total = (int64_t)steps * t->cfg.epochs;
    double lrs[3] = {t->cfg.lr, t->cfg.lr_ortho, t->cfg.lr_rsr};
    t->sched[0] = make_schedule(t->cfg.schedule, t->cfg.lr, total);
    for (int s = 1; s < m->n_sets; s++)
        t->sched[s] = tg_schedule_constant(lrs[s]);
    tg_set_threads(t->cfg.threads);

    for (int epoch = 1; epoch <= t->cfg.epochs; epoch++) {
        double start = tg_seconds(), sums[3] = {0, 0, 0};
        for (size_t i = 0; i < n; i++)
            t->order[i] = i;
        tg_rng_shuffle(&t->rng, t->order, n);
        for (int step = 0; step < steps; step++) {
            double losses[3], lr = 0.0, t0 = tg_seconds();
            gather(t->batch, x, t->order + (size_t)step * (size_t)B, B, dim);
            t->spent.gather += tg_seconds() - t0;
            train_step(t, losses, &lr);
            t->steps_done++;
            for (int k = 0; k < 3; k++)
                sums[k] += losses[k];
            if (cb && cb->on_step) {
                tg_progress p = {epoch, t->cfg.epochs, step + 1, steps, losses[0], losses[1],
                                 losses[2], lr, tg_seconds() - start};
                cb->on_step(cb->ctx, &p);
            }
        }
        if (cb && cb->on_epoch) {
            tg_epoch_stats e = {epoch, sums[0] / steps, sums[1] / steps, sums[2] / steps,
                                tg_seconds() - start};
            cb->on_epoch(cb->ctx, &e);
        }
    }
    return 0;
}

/* ---- forward-only scoring -------------------------------------------------- */

struct tg_scorer {
    tg_rsrae *m;
    tg_plan  *plan;
    float    *batch;
};

tg_scorer *tg_scorer_new(tg_rsrae *m, tg_error *err)
{
    tg_scorer *s = calloc(1, sizeof *s);
    tg_tensor outs[4] = {m->score, m->recon_err, m->recon, m->latent};
    if (!s || !(s->batch = calloc((size_t)m->cfg.batch * (size_t)m->cfg.input_dim, sizeof(float)))) {
        free(s);
        tg_fail(err, "rsrae: out of memory");
        return NULL;
    }
    s->m = m;
    s->plan = tg_plan_new(m->g, outs, 4, NULL);
    if (!s->plan) {
        tg_fail(err, "rsrae: planning inference: %s", tg_graph_error(m->g));
        tg_scorer_free(s);
        return NULL;
    }
    tg_plan_bind(s->plan, m->x, s->batch);
    return s;
}

void tg_scorer_free(tg_scorer *s)
{
    if (!s)
        return;
    tg_plan_free(s->plan);
    free(s->batch);
    free(s);
}

tg_mem_report tg_scorer_memory(const tg_scorer *s) { return tg_plan_memory(s->plan); }
tg_plan *tg_scorer_plan(const tg_scorer *s) { return s->plan; }

static void take(float *dst, const float *src, size_t row0, size_t rows, size_t width)
{
    if (dst)
        memcpy(dst + row0 * width, src, rows * width * sizeof(float));
}

int tg_scorer_run(tg_scorer *s, const float *x, size_t n, float *score, float *recon_err,
                  float *recon, float *latent, tg_error *err)
{
    tg_rsrae *m = s->m;
    size_t B = (size_t)m->cfg.batch, dim = (size_t)m->cfg.input_dim, d = (size_t)m->cfg.latent_dim;
    for (size_t row = 0; row < n; row += B) {
        size_t rows = n - row < B ? n - row : B;
        /* The graph's batch is static: a short last batch is zero-padded. */
        memcpy(s->batch, x + row * dim, rows * dim * sizeof(float));
        memset(s->batch + rows * dim, 0, (B - rows) * dim * sizeof(float));
        if (tg_plan_run(s->plan) != 0)
            return tg_fail(err, "rsrae: %s", tg_graph_error(m->g));
        take(score, tg_plan_data(s->plan, m->score), row, rows, 1);
        take(recon_err, tg_plan_data(s->plan, m->recon_err), row, rows, 1);
        take(recon, tg_plan_data(s->plan, m->recon), row, rows, dim);
        take(latent, tg_plan_data(s->plan, m->latent), row, rows, d);
    }
    return 0;
}
