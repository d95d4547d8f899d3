/* tg_sched.h - learning-rate schedules as pure functions of the step.
 *
 * A schedule is a small value (no allocation, no hidden state): fill one with
 * a constructor, adjust fields if needed, and ask it for the learning rate of
 * step t, t = 0 for the first optimizer step:
 *
 *     tg_schedule s = tg_schedule_onecycle(0.01, epochs * steps_per_epoch);
 *     double lr = tg_schedule_lr(&s, t), beta1 = tg_schedule_beta1(&s, t);
 *
 * Values follow PyTorch's schedulers in double precision: step t here is the
 * value the optimizer sees after t calls of scheduler.step().
 *
 *   constant   lr
 *   step       StepLR:      lr * gamma^floor(t / step_size)
 *   cosine     CosineAnnealingLR (closed form): eta_min + (lr - eta_min) *
 *              (1 + cos(pi t / t_max)) / 2; like PyTorch it keeps following the
 *              cosine past t_max
 *   onecycle   OneCycleLR, two phases, cosine annealing: from lr/div_factor up
 *              to lr over pct_start of total_steps, then down to
 *              lr/div_factor/final_div_factor; with cycle_momentum the
 *              momentum (Adam's beta1, SGD's momentum) goes the other way,
 *              max_momentum -> base_momentum -> max_momentum. Steps outside
 *              [0, total_steps) are clamped to it (PyTorch raises there).
 */
#ifndef TG_SCHED_H
#define TG_SCHED_H

#include <stdint.h>

#include "tg_error.h"

typedef enum tg_sched_kind {
    TG_SCHED_CONSTANT = 0,
    TG_SCHED_STEP,
    TG_SCHED_COSINE,
    TG_SCHED_ONECYCLE,
} tg_sched_kind;

typedef struct tg_schedule {
    tg_sched_kind kind;
    double lr;                /* base lr; OneCycle: max_lr */
    /* step */
    int64_t step_size;
    double gamma;
    /* cosine */
    int64_t t_max;
    double eta_min;
    /* onecycle (PyTorch defaults from the constructor) */
    int64_t total_steps;
    double pct_start;         /* 0.3 */
    double div_factor;        /* 25: initial lr = lr / div_factor */
    double final_div_factor;  /* 1e4: final lr = initial lr / final_div_factor */
    int cycle_momentum;       /* 1 */
    double base_momentum;     /* 0.85 */
    double max_momentum;      /* 0.95 */
} tg_schedule;

tg_schedule tg_schedule_constant(double lr);
tg_schedule tg_schedule_step(double lr, int64_t step_size, double gamma);
tg_schedule tg_schedule_cosine(double lr, int64_t t_max, double eta_min);
tg_schedule tg_schedule_onecycle(double max_lr, int64_t total_steps);

/* Checks the fields (positive sizes, pct_start in [0, 1], ...). The query
 * functions never fail; on a schedule that does not pass this check their
 * value is unspecified. */
int tg_schedule_check(const tg_schedule *s, tg_error *err);

/* Learning rate for step t (t = 0 is the first optimizer step). */
double tg_schedule_lr(const tg_schedule *s, int64_t t);

/* Momentum for step t when the schedule cycles it (OneCycle with
 * cycle_momentum): Adam's beta1 or SGD's momentum. Otherwise -1, which
 * tg_optimizer_step reads as "keep the configured value". */
double tg_schedule_beta1(const tg_schedule *s, int64_t t);

#endif
