/* sched.c - learning-rate schedules (PyTorch semantics, see tg_sched.h). */
#include "tg_fp_exact.h"

#include "tg_sched.h"

#include <math.h>

static const double PI = 3.14159265358979323846;

tg_schedule tg_schedule_constant(double lr)
{
    return (tg_schedule){ .kind = TG_SCHED_CONSTANT, .lr = lr };
}

tg_schedule tg_schedule_step(double lr, int64_t step_size, double gamma)
{
    return (tg_schedule){ .kind = TG_SCHED_STEP, .lr = lr, .step_size = step_size,
                          .gamma = gamma };
}

tg_schedule tg_schedule_cosine(double lr, int64_t t_max, double eta_min)
{
    return (tg_schedule){ .kind = TG_SCHED_COSINE, .lr = lr, .t_max = t_max,
                          .eta_min = eta_min };
}

tg_schedule tg_schedule_onecycle(double max_lr, int64_t total_steps)
{
    return (tg_schedule){ .kind = TG_SCHED_ONECYCLE, .lr = max_lr,
                          .total_steps = total_steps, .pct_start = 0.3,
                          .div_factor = 25.0, .final_div_factor = 1e4,
                          .cycle_momentum = 1, .base_momentum = 0.85,
                          .max_momentum = 0.95 };
}

int tg_schedule_check(const tg_schedule *s, tg_error *err)
{
    if (!(s->lr >= 0))
        return tg_fail(err, "schedule: lr must be >= 0, got %g", s->lr);
    switch (s->kind) {
    case TG_SCHED_CONSTANT:
        return 0;
    case TG_SCHED_STEP:
        if (s->step_size <= 0)
            return tg_fail(err, "step schedule: step_size must be > 0, got %lld",
                           (long long)s->step_size);
        return 0;
    case TG_SCHED_COSINE:
        if (s->t_max <= 0)
            return tg_fail(err, "cosine schedule: t_max must be > 0, got %lld",
                           (long long)s->t_max);
        return 0;
    case TG_SCHED_ONECYCLE:
        if (s->total_steps <= 0)
            return tg_fail(err, "onecycle schedule: total_steps must be > 0, got %lld",
                           (long long)s->total_steps);
        if (!(s->pct_start >= 0 && s->pct_start <= 1))
            return tg_fail(err, "onecycle schedule: pct_start must be in [0, 1], got %g",
                           s->pct_start);
        if (!(s->div_factor > 0 && s->final_div_factor > 0))
            return tg_fail(err, "onecycle schedule: div_factor and final_div_factor "
                           "must be > 0, got %g and %g", s->div_factor, s->final_div_factor);
        return 0;
    }
    return tg_fail(err, "schedule: unknown kind %d", (int)s->kind);
}

/* PyTorch's OneCycleLR._annealing_cos, operation for operation. */
static double anneal_cos(double start, double end, double pct)
{
    double cos_out = cos(PI * pct) + 1;
    return end + (start - end) / 2.0 * cos_out;
}

/* Where step t sits in the two OneCycle phases: which phase, and the
 * fraction of it. Phase ends are PyTorch's float end steps
 * (pct_start * total - 1, total - 1); phase 2 starts at the end of phase 1. */
static int onecycle_phase(const tg_schedule *s, int64_t t, double *pct)
{
    if (t < 0)
        t = 0;
    if (t > s->total_steps - 1)
        t = s->total_steps - 1;
    double end1 = s->pct_start * (double)s->total_steps - 1;
    double end2 = (double)(s->total_steps - 1);
    double step = (double)t;
    if (step <= end1) {
        *pct = end1 > 0 ? step / end1 : 1.0;
        return 1;
    }
    *pct = end2 > end1 ? (step - end1) / (end2 - end1) : 1.0;
    return 2;
}

static double onecycle_lr(const tg_schedule *s, int64_t t)
{
    double initial = s->lr / s->div_factor;
    double min_lr = initial / s->final_div_factor;
    double pct;
    if (onecycle_phase(s, t, &pct) == 1)
        return anneal_cos(initial, s->lr, pct);
    return anneal_cos(s->lr, min_lr, pct);
}

double tg_schedule_lr(const tg_schedule *s, int64_t t)
{
    switch (s->kind) {
    case TG_SCHED_CONSTANT:
        return s->lr;
    case TG_SCHED_STEP:
        if (s->step_size <= 0 || t < 0)
            return s->lr;
        return s->lr * pow(s->gamma, (double)(t / s->step_size));
    case TG_SCHED_COSINE:
        if (s->t_max <= 0)
            return s->lr;
        return s->eta_min + (s->lr - s->eta_min) *
               (1 + cos(PI * (double)t / (double)s->t_max)) / 2;
    case TG_SCHED_ONECYCLE:
        return s->total_steps > 0 ? onecycle_lr(s, t) : s->lr;
    }
    return s->lr;
}

double tg_schedule_beta1(const tg_schedule *s, int64_t t)
{
    if (s->kind != TG_SCHED_ONECYCLE || !s->cycle_momentum || s->total_steps <= 0)
        return -1;
    double pct;
    if (onecycle_phase(s, t, &pct) == 1)
        return anneal_cos(s->max_momentum, s->base_momentum, pct);
    return anneal_cos(s->base_momentum, s->max_momentum, pct);
}
