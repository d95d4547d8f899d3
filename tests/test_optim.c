/* test_optim.c - optimizers, schedules, initialisers and the RNG against
 * PyTorch reference values (tests/fixtures/optim_*.txt, written by
 * optim/make_fixtures.py; see that script for the training problem).
 *
 * Tolerances: parameters and schedule values must match PyTorch within
 * 1e-6 relative; values smaller than FLOOR in magnitude are compared with the
 * absolute tolerance 1e-6 * FLOOR instead. A parameter that drifts through 0
 * carries the absolute rounding error of the updates that moved it, which
 * are sized like the parameters (0.1 to 1.5 here), so its error is ~1e-8 to
 * 1e-7 absolute whatever its current value. The largest error seen is 0.41
 * of the tolerance (AdamW + OneCycle; PyTorch fuses some multiply-adds and
 * divides by sqrt(1 - beta2^t) where the kernel multiplies by its inverse). */
#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tg_init.h"
#include "tg_optim.h"
#include "tg_rng.h"
#include "tg_sched.h"
#include "check_util.h"

#ifndef TG_SRCDIR
#define TG_SRCDIR "."
#endif
#define FIXTURES TG_SRCDIR "/tests/fixtures/"

#define REL 1e-6
#define FLOOR 0.1        /* parameters: |x| < 0.1 compared with 1e-7 absolute */
#define SCHED_FLOOR 1e-9 /* schedule values go down to 4e-8 (OneCycle's end) */

/* ---- fixture reader: records "name count" followed by count numbers ---- */

#define MAX_RECORDS 256

typedef struct record {
    char name[64];
    int n;
    double *v;
} record;

typedef struct fixture {
    record r[MAX_RECORDS];
    int n;
} fixture;

static void fixture_load(fixture *f, const char *file)
{
    char path[512];
    snprintf(path, sizeof path, FIXTURES "%s", file);
    FILE *fp = fopen(path, "r");
    ck_assert_msg(fp != NULL, "cannot open %s", path);
    memset(f, 0, sizeof *f);
    char tok[64];
    while (fscanf(fp, "%63s", tok) == 1) {
        if (tok[0] == '#') {
            int c;
            while ((c = fgetc(fp)) != EOF && c != '\n')
                ;
            continue;
        }
        ck_assert_int_lt(f->n, MAX_RECORDS);
        record *r = &f->r[f->n++];
        strcpy(r->name, tok);
        ck_assert_int_eq(fscanf(fp, "%d", &r->n), 1);
        r->v = malloc((size_t)r->n * sizeof *r->v);
        for (int i = 0; i < r->n; i++)
            ck_assert_msg(fscanf(fp, "%lf", &r->v[i]) == 1, "%s: bad value %d of %s", path,
                          i, r->name);
    }
    fclose(fp);
}

static void fixture_free(fixture *f)
{
    for (int i = 0; i < f->n; i++)
        free(f->r[i].v);
}

static const double *fx(const fixture *f, int n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The values of record fmt..., which must have n entries. */
static const double *fx(const fixture *f, int n, const char *fmt, ...)
{
    char name[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    for (int i = 0; i < f->n; i++)
        if (!strcmp(f->r[i].name, name)) {
            ck_assert_msg(f->r[i].n == n, "record %s has %d values, expected %d", name,
                          f->r[i].n, n);
            return f->r[i].v;
        }
    ck_abort_msg("fixture record %s missing", name);
    return NULL;
}

static void to_float(float *dst, const double *src, int n)
{
    for (int i = 0; i < n; i++)
        dst[i] = (float)src[i];
}

static void expect_close(const char *what, int step, const float *got, const double *want,
                         int n, double floor)
{
    for (int i = 0; i < n; i++) {
        double tol = REL * fmax(fabs(want[i]), floor);
        ck_assert_msg(fabs(got[i] - want[i]) <= tol,
                      "%s step %d [%d]: got %.9g, PyTorch %.9g (|diff| %.3g > %.3g)", what,
                      step, i, got[i], want[i], fabs(got[i] - want[i]), tol);
    }
}

/* ---- the training problem: loss = mean((X W^T + b - Y)^2) -------------- */

enum { NS = 8, NI = 4, NO = 3, NW = NO * NI }; /* X [NS, NI], W [NO, NI], b [NO] */

typedef struct problem {
    double x[NS * NI], y[NS * NO];
} problem;

/* dW [NO, NI], db [NO] in double, rounded once. */
static void loss_grad(const problem *p, const float *w, const float *b, float *gw, float *gb)
{
    double dw[NW] = { 0 }, db[NO] = { 0 };
    for (int s = 0; s < NS; s++)
        for (int o = 0; o < NO; o++) {
            double r = b[o] - p->y[s * NO + o];
            for (int i = 0; i < NI; i++)
                r += p->x[s * NI + i] * w[o * NI + i];
            double dr = 2.0 * r / (NS * NO);
            db[o] += dr;
            for (int i = 0; i < NI; i++)
                dw[o * NI + i] += dr * p->x[s * NI + i];
        }
    for (int k = 0; k < NW; k++)
        gw[k] = (float)dw[k];
    for (int o = 0; o < NO; o++)
        gb[o] = (float)db[o];
}

/* How one fixture was produced (see optim/make_fixtures.py). */
typedef struct optim_case {
    const char *file;
    tg_optim_config cfg;
    int onecycle;      /* OneCycleLR(max_lr = cfg.lr, total_steps = steps) */
} optim_case;

enum { N_CASES = 5 };
static optim_case cases[N_CASES];

static void setup_cases(void)
{
    tg_optim_config sgd = tg_optim_defaults(TG_SGD);
    sgd.lr = 0.05;
    sgd.momentum = 0.9;
    sgd.weight_decay = 0.01;
    cases[0] = (optim_case){ "optim_sgd.txt", sgd, 0 };

    tg_optim_config damp = tg_optim_defaults(TG_SGD);
    damp.lr = 0.05;
    damp.momentum = 0.9;
    damp.dampening = 0.3;
    cases[4] = (optim_case){ "optim_sgd_dampening.txt", damp, 0 };

    tg_optim_config nes = sgd;
    nes.nesterov = 1;
    nes.max_grad_norm = 1.0;
    cases[1] = (optim_case){ "optim_nesterov.txt", nes, 0 };

    tg_optim_config adam = tg_optim_defaults(TG_ADAM);
    adam.lr = 0.02;
    adam.weight_decay = 0.01;
    adam.max_grad_norm = 2.2;
    cases[2] = (optim_case){ "optim_adam.txt", adam, 0 };

    tg_optim_config adamw = tg_optim_defaults(TG_ADAMW);
    adamw.lr = 0.05;
    cases[3] = (optim_case){ "optim_adamw_onecycle.txt", adamw, 1 };
}

typedef enum { REPLAY, CLOSED_LOOP } grad_source;

/* Runs the case's steps with W and b as two spans, gradients either taken
 * from the fixture (torch's) or computed here; checks every step. Leaves the
 * final parameters in w_out, b_out. */
static void run_case(const optim_case *c, grad_source src, float *w_out, float *b_out)
{
    fixture f;
    fixture_load(&f, c->file);
    int steps = (int)fx(&f, 1, "steps")[0];
    problem p;
    memcpy(p.x, fx(&f, NS * NI, "x"), sizeof p.x);
    memcpy(p.y, fx(&f, NS * NO, "y"), sizeof p.y);
    float w[NW], b[NO], gw[NW], gb[NO];
    to_float(w, fx(&f, NW, "w0"), NW);
    to_float(b, fx(&f, NO, "b0"), NO);
    tg_span spans[2] = { { w, gw, NW }, { b, gb, NO } };
    tg_error err = { { 0 } };
    tg_optimizer *opt = tg_optimizer_new(&c->cfg, spans, 2, &err);
    ck_assert_msg(opt != NULL, "%s", err.msg);
    tg_schedule s = c->onecycle ? tg_schedule_onecycle(c->cfg.lr, steps)
                                : tg_schedule_constant(c->cfg.lr);
    const double *lrs = fx(&f, steps, "lr"), *moms = fx(&f, steps, "momentum");
    for (int k = 0; k < steps; k++) {
        if (src == REPLAY) {
            to_float(gw, fx(&f, NW, "gw%d", k), NW);
            to_float(gb, fx(&f, NO, "gb%d", k), NO);
        } else {
            loss_grad(&p, w, b, gw, gb);
        }
        /* the lr and momentum torch used at this step */
        double lr = tg_schedule_lr(&s, k), mom = tg_schedule_beta1(&s, k);
        ck_assert_double_eq_tol(lr, lrs[k], REL * fabs(lrs[k]));
        if (c->onecycle)
            ck_assert_double_eq_tol(mom, moms[k], REL * moms[k]);
        ck_assert_int_eq(tg_optimizer_steps(opt), k);
        tg_optimizer_step_sched(opt, &s);
        char what[96];
        snprintf(what, sizeof what, "%s (%s) W", c->file, src == REPLAY ? "replay" : "closed loop");
        expect_close(what, k + 1, w, fx(&f, NW, "w%d", k + 1), NW, FLOOR);
        what[strlen(what) - 1] = 'b';
        expect_close(what, k + 1, b, fx(&f, NO, "b%d", k + 1), NO, FLOOR);
    }
    memcpy(w_out, w, sizeof w);
    memcpy(b_out, b, sizeof b);
    tg_optimizer_free(opt);
    fixture_free(&f);
}

START_TEST(test_trajectory_replay)
{
    float w[NW], b[NO];
    run_case(&cases[_i], REPLAY, w, b);
}
END_TEST

START_TEST(test_trajectory_closed_loop)
{
    float w[NW], b[NO];
    run_case(&cases[_i], CLOSED_LOOP, w, b);
}
END_TEST

/* The C closed-form gradient is the gradient torch took (checks the
 * description of the problem the closed-loop test relies on). */
START_TEST(test_problem_gradient)
{
    fixture f;
    fixture_load(&f, cases[_i].file);
    int steps = (int)fx(&f, 1, "steps")[0];
    problem p;
    memcpy(p.x, fx(&f, NS * NI, "x"), sizeof p.x);
    memcpy(p.y, fx(&f, NS * NO, "y"), sizeof p.y);
    for (int k = 0; k < steps; k++) {
        float w[NW], b[NO], gw[NW], gb[NO];
        to_float(w, fx(&f, NW, "w%d", k), NW);
        to_float(b, fx(&f, NO, "b%d", k), NO);
        loss_grad(&p, w, b, gw, gb);
        const double *tw = fx(&f, NW, "gw%d", k), *tb = fx(&f, NO, "gb%d", k);
        for (int i = 0; i < NW; i++)
            ck_assert_double_eq_tol(gw[i], tw[i], 1e-5 * fmax(fabs(tw[i]), 0.1));
        for (int i = 0; i < NO; i++)
            ck_assert_double_eq_tol(gb[i], tb[i], 1e-5 * fmax(fabs(tb[i]), 0.1));
    }
    fixture_free(&f);
}
END_TEST

/* The layout of the spans does not change a single bit: [W | b] as one
 * span, as two spans, and W and b under two separate optimizers (without
 * clipping, whose norm is global) give the same parameters. */
START_TEST(test_span_layouts_agree)
{
    const optim_case *c = &cases[_i];
    fixture f;
    fixture_load(&f, c->file);
    int steps = (int)fx(&f, 1, "steps")[0];
    tg_optim_config cfg = c->cfg;
    cfg.max_grad_norm = 0;
    tg_schedule s = tg_schedule_onecycle(cfg.lr, steps);

    float *block = aligned_alloc(64, 64 * sizeof(float)); /* [W | b] params */
    float *gblock = aligned_alloc(64, 64 * sizeof(float));
    float w2[NW], b2[NO], gw2[NW], gb2[NO], w3[NW], b3[NO], gw3[NW], gb3[NO];
    to_float(block, fx(&f, NW, "w0"), NW);
    to_float(block + NW, fx(&f, NO, "b0"), NO);
    memcpy(w2, block, sizeof w2);
    memcpy(b2, block + NW, sizeof b2);
    memcpy(w3, w2, sizeof w3);
    memcpy(b3, b2, sizeof b3);

    tg_span one = { block, gblock, NW + NO };
    tg_span two[2] = { { w2, gw2, NW }, { b2, gb2, NO } };
    tg_span sw = { w3, gw3, NW }, sb = { b3, gb3, NO };
    tg_optimizer *o1 = tg_optimizer_new(&cfg, &one, 1, NULL);
    tg_optimizer *o2 = tg_optimizer_new(&cfg, two, 2, NULL);
    tg_optimizer *ow = tg_optimizer_new(&cfg, &sw, 1, NULL);
    tg_optimizer *ob = tg_optimizer_new(&cfg, &sb, 1, NULL);
    ck_assert(o1 && o2 && ow && ob);
    for (int k = 0; k < steps; k++) {
        to_float(gblock, fx(&f, NW, "gw%d", k), NW);
        to_float(gblock + NW, fx(&f, NO, "gb%d", k), NO);
        memcpy(gw2, gblock, sizeof gw2);
        memcpy(gb2, gblock + NW, sizeof gb2);
        memcpy(gw3, gw2, sizeof gw3);
        memcpy(gb3, gb2, sizeof gb3);
        tg_optimizer_step_sched(o1, &s);
        tg_optimizer_step_sched(o2, &s);
        tg_optimizer_step_sched(ow, &s);
        tg_optimizer_step_sched(ob, &s);
    }
    ck_assert(memcmp(block, w2, sizeof w2) == 0 && memcmp(block + NW, b2, sizeof b2) == 0);
    ck_assert(memcmp(w2, w3, sizeof w2) == 0 && memcmp(b2, b3, sizeof b2) == 0);
    tg_optimizer_free(o1);
    tg_optimizer_free(o2);
    tg_optimizer_free(ow);
    tg_optimizer_free(ob);
    free(block);
    free(gblock);
    fixture_free(&f);
}
END_TEST

/* Clipping inside the step equals tg_clip_grad_norm before an unclipped
 * step, and clip_grad_norm_ leaves the gradient norm at max_norm. */
START_TEST(test_clipping)
{
    float g[5] = { 3, -4, 0, 12, 0 }; /* norm 13 */
    float p[5] = { 0 };
    tg_span sp = { p, g, 5 };
    double norm = tg_clip_grad_norm(&sp, 1, 6.5);
    ck_assert_double_eq_tol(norm, 13.0, 1e-12);
    ck_assert_double_eq_tol(tg_grad_norm(&sp, 1), 6.5, 1e-5);
    ck_assert_float_eq_tol(g[0], 1.5f, 1e-6f);
    float before[5];
    memcpy(before, g, sizeof g);
    tg_clip_grad_norm(&sp, 1, 100.0); /* under the limit: untouched */
    ck_assert(memcmp(before, g, sizeof g) == 0);

    tg_optim_config cfg = tg_optim_defaults(TG_ADAMW);
    float pa[7], pb[7], ga[7], gb[7];
    for (int i = 0; i < 7; i++) {
        pa[i] = pb[i] = 0.1f * (float)(i - 3);
        ga[i] = gb[i] = (float)(i * i) - 5.0f;
    }
    tg_span a = { pa, ga, 7 }, bsp = { pb, gb, 7 };
    cfg.max_grad_norm = 1.0;
    tg_optimizer *oa = tg_optimizer_new(&cfg, &a, 1, NULL);
    cfg.max_grad_norm = 0;
    tg_optimizer *ob = tg_optimizer_new(&cfg, &bsp, 1, NULL);
    ck_assert(oa && ob);
    ck_assert_double_eq(tg_optimizer_last_grad_norm(oa), -1);
    for (int k = 0; k < 3; k++) {
        tg_optimizer_step(oa, -1, -1);
        memcpy(gb, ga, sizeof gb);
        tg_clip_grad_norm(&bsp, 1, 1.0);
        tg_optimizer_step(ob, -1, -1);
    }
    ck_assert(memcmp(pa, pb, sizeof pa) == 0);
    ck_assert_double_gt(tg_optimizer_last_grad_norm(oa), 1.0);
    tg_optimizer_free(oa);
    tg_optimizer_free(ob);
}
END_TEST

/* ---- schedules ---------------------------------------------------------- */

static void expect_schedule(const fixture *f, const char *name, const tg_schedule *s, int n,
                            int check_momentum)
{
    tg_error err = { { 0 } };
    ck_assert_msg(tg_schedule_check(s, &err) == 0, "%s", err.msg);
    const double *lr = fx(f, n, "%s_lr", name), *mom = fx(f, n, "%s_mom", name);
    for (int t = 0; t < n; t++) {
        double got = tg_schedule_lr(s, t);
        ck_assert_msg(fabs(got - lr[t]) <= REL * fmax(fabs(lr[t]), SCHED_FLOOR),
                      "%s lr at step %d: got %.17g, PyTorch %.17g", name, t, got, lr[t]);
        double b = tg_schedule_beta1(s, t);
        if (check_momentum)
            ck_assert_msg(fabs(b - mom[t]) <= REL * mom[t],
                          "%s momentum at step %d: got %.17g, PyTorch %.17g", name, t, b,
                          mom[t]);
        else
            ck_assert_double_eq(b, -1);
    }
}

START_TEST(test_schedules)
{
    fixture f;
    fixture_load(&f, "optim_schedules.txt");
    tg_schedule oc = tg_schedule_onecycle(0.01, 1000);
    expect_schedule(&f, "onecycle", &oc, 1000, 1);

    tg_schedule odd = tg_schedule_onecycle(0.003, 37);
    odd.pct_start = 0.25;
    odd.div_factor = 10;
    odd.final_div_factor = 100;
    odd.base_momentum = 0.8;
    odd.max_momentum = 0.9;
    expect_schedule(&f, "onecycle_odd", &odd, 37, 1);

    tg_schedule cos = tg_schedule_cosine(0.1, 50, 1e-4);
    expect_schedule(&f, "cosine", &cos, 76, 0);
    tg_schedule step = tg_schedule_step(0.1, 7, 0.5);
    expect_schedule(&f, "step", &step, 31, 0);
    fixture_free(&f);

    tg_schedule c = tg_schedule_constant(0.25);
    ck_assert_double_eq(tg_schedule_lr(&c, 12345), 0.25);
    /* past the end OneCycle holds its final value; before 0 its first */
    ck_assert_double_eq(tg_schedule_lr(&oc, 5000), tg_schedule_lr(&oc, 999));
    ck_assert_double_eq(tg_schedule_lr(&oc, -3), tg_schedule_lr(&oc, 0));
    oc.cycle_momentum = 0;
    ck_assert_double_eq(tg_schedule_beta1(&oc, 10), -1);
}
END_TEST

START_TEST(test_schedule_check)
{
    tg_error err = { { 0 } };
    tg_schedule s = tg_schedule_step(0.1, 0, 0.5);
    ck_assert_int_eq(tg_schedule_check(&s, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "step_size"));
    s = tg_schedule_cosine(0.1, -1, 0);
    ck_assert_int_eq(tg_schedule_check(&s, &err), -1);
    s = tg_schedule_onecycle(0.1, 0);
    ck_assert_int_eq(tg_schedule_check(&s, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "total_steps"));
    s = tg_schedule_onecycle(0.1, 100);
    s.pct_start = 1.5;
    ck_assert_int_eq(tg_schedule_check(&s, &err), -1);
    s = tg_schedule_constant(-1);
    ck_assert_int_eq(tg_schedule_check(&s, &err), -1);
    /* degenerate but valid: a one-step cycle */
    s = tg_schedule_onecycle(0.1, 1);
    ck_assert_int_eq(tg_schedule_check(&s, NULL), 0);
    ck_assert(isfinite(tg_schedule_lr(&s, 0)) && isfinite(tg_schedule_beta1(&s, 0)));
}
END_TEST

/* ---- configuration ---------------------------------------------------- */

START_TEST(test_defaults_and_checks)
{
    tg_optim_config c = tg_optim_defaults(TG_ADAMW);
    ck_assert(c.lr == 1e-3 && c.beta1 == 0.9 && c.beta2 == 0.999 && c.eps == 1e-8 &&
              c.weight_decay == 0.01 && c.max_grad_norm == 0);
    c = tg_optim_defaults(TG_ADAM);
    ck_assert(c.weight_decay == 0 && c.beta1 == 0.9);
    c = tg_optim_defaults(TG_SGD);
    ck_assert(c.momentum == 0 && c.dampening == 0 && !c.nesterov && c.weight_decay == 0);

    tg_error err = { { 0 } };
    float p[4] = { 0 }, g[4] = { 0 };
    tg_span sp = { p, g, 4 };
    c.nesterov = 1; /* without momentum */
    ck_assert_ptr_null(tg_optimizer_new(&c, &sp, 1, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "nesterov"));
    c = tg_optim_defaults(TG_ADAM);
    c.beta1 = 1.0;
    ck_assert_ptr_null(tg_optimizer_new(&c, &sp, 1, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "beta1"));
    c = tg_optim_defaults(TG_ADAMW);
    c.lr = -0.1;
    ck_assert_int_eq(tg_optim_check(&c, &err), -1);
    c.lr = 0.1;
    ck_assert_ptr_null(tg_optimizer_new(&c, &sp, 0, &err));
    tg_span bad = { NULL, g, 4 };
    ck_assert_ptr_null(tg_optimizer_new(&c, &bad, 1, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "span 0"));

    /* state: m and v, each span's part 64-byte aligned */
    float q[20], h[20];
    tg_span two[2] = { { p, g, 4 }, { q, h, 20 } };
    tg_optimizer *o = tg_optimizer_new(&c, two, 2, &err);
    size_t n;
    float *st = tg_optimizer_state(o, &n);
    ck_assert_uint_eq(n, 2 * (16 + 32));
    ck_assert_uint_eq((uintptr_t)st % 64, 0);
    tg_optimizer_free(o);
    c = tg_optim_defaults(TG_SGD);
    o = tg_optimizer_new(&c, two, 2, &err);
    tg_optimizer_state(o, &n);
    ck_assert_uint_eq(n, 0); /* plain SGD keeps no state */
    tg_optimizer_free(o);
}
END_TEST

/* ---- initialisers ------------------------------------------------------- */

START_TEST(test_orthogonal_matches_torch)
{
    fixture f;
    fixture_load(&f, "optim_orthogonal.txt");
    const char *names[] = { "wide", "tall", "square" };
    for (int c = 0; c < 3; c++) {
        const double *shape = fx(&f, 3, "%s_shape", names[c]);
        int rows = (int)shape[0], cols = (int)shape[1];
        float w[64];
        to_float(w, fx(&f, rows * cols, "%s_in", names[c]), rows * cols);
        tg_error err = { { 0 } };
        ck_assert_msg(tg_orthogonalize(w, rows, cols, (float)shape[2], &err) == 0, "%s",
                      err.msg);
        const double *want = fx(&f, rows * cols, "%s_out", names[c]);
        for (int i = 0; i < rows * cols; i++)
            ck_assert_msg(fabs(w[i] - want[i]) <= 1e-5, "%s [%d]: got %.7g, PyTorch %.7g",
                          names[c], i, w[i], want[i]);
    }
    fixture_free(&f);
}
END_TEST

/* max |W W^T - gain^2 I| (rows orthonormal) or |W^T W - gain^2 I|. */
static double gram_error(const float *w, int rows, int cols, float gain, int by_rows)
{
    int k = by_rows ? rows : cols, len = by_rows ? cols : rows;
    double worst = 0;
    for (int a = 0; a < k; a++)
        for (int b = 0; b < k; b++) {
            double s = 0;
            for (int i = 0; i < len; i++)
                s += by_rows ? (double)w[a * cols + i] * w[b * cols + i]
                             : (double)w[i * cols + a] * w[i * cols + b];
            worst = fmax(worst, fabs(s - (a == b ? gain * gain : 0)));
        }
    return worst;
}

START_TEST(test_orthogonal_random)
{
    tg_rng r;
    tg_rng_seed(&r, 5);
    static float w[128 * 16];
    tg_error err = { { 0 } };
    /* RSRAE's A: [16, 128], A A^T = I */
    ck_assert_int_eq(tg_init_orthogonal(w, 16, 128, 1.0f, &r, &err), 0);
    ck_assert_double_le(gram_error(w, 16, 128, 1.0f, 1), 1e-5);
    /* the transpose case: [128, 16], W^T W = I */
    ck_assert_int_eq(tg_init_orthogonal(w, 128, 16, 1.0f, &r, &err), 0);
    ck_assert_double_le(gram_error(w, 128, 16, 1.0f, 0), 1e-5);
    /* square with a gain */
    ck_assert_int_eq(tg_init_orthogonal(w, 40, 40, 2.0f, &r, &err), 0);
    ck_assert_double_le(gram_error(w, 40, 40, 2.0f, 1), 4e-5);
    ck_assert_double_le(gram_error(w, 40, 40, 2.0f, 0), 4e-5);
    /* one row, one column */
    ck_assert_int_eq(tg_init_orthogonal(w, 1, 7, 1.0f, &r, &err), 0);
    ck_assert_double_le(gram_error(w, 1, 7, 1.0f, 1), 1e-6);
    ck_assert_int_eq(tg_init_orthogonal(w, 7, 1, 1.0f, &r, &err), 0);
    ck_assert_double_le(gram_error(w, 7, 1, 1.0f, 0), 1e-6);
}
END_TEST

typedef struct moments {
    double mean, var, min, max;
} moments;

static moments moments_of(const float *x, size_t n)
{
    moments m = { 0, 0, INFINITY, -INFINITY };
    for (size_t i = 0; i < n; i++) {
        m.mean += x[i];
        m.min = fmin(m.min, x[i]);
        m.max = fmax(m.max, x[i]);
    }
    m.mean /= (double)n;
    for (size_t i = 0; i < n; i++)
        m.var += (x[i] - m.mean) * (x[i] - m.mean);
    m.var /= (double)(n - 1);
    return m;
}

START_TEST(test_linear_and_xavier)
{
    enum { OUT = 392, IN = 784 };
    static float w[OUT * IN];
    float bias[OUT];
    tg_rng r;
    tg_rng_seed(&r, 11);

    tg_init_linear(w, bias, OUT, IN, &r);
    double bound = 1 / sqrt((double)IN);
    moments m = moments_of(w, OUT * IN);
    ck_assert_double_le(m.max, bound);
    ck_assert_double_ge(m.min, -bound);
    ck_assert_double_gt(m.max, 0.999 * bound); /* the whole range is used */
    ck_assert_double_lt(m.min, -0.999 * bound);
    ck_assert_double_lt(fabs(m.mean), 0.01 * bound);
    ck_assert_double_eq_tol(m.var, bound * bound / 3, 0.01 * bound * bound / 3);
    moments mb = moments_of(bias, OUT);
    ck_assert_double_le(mb.max, bound);
    ck_assert_double_ge(mb.min, -bound);
    ck_assert_double_gt(mb.max - mb.min, bound); /* not all zero */

    tg_init_xavier_uniform(w, OUT, IN, 2.0f, &r);
    double xb = 2.0 * sqrt(6.0 / (IN + OUT));
    m = moments_of(w, OUT * IN);
    ck_assert_double_le(m.max, xb * (1 + 1e-7));
    ck_assert_double_ge(m.min, -xb * (1 + 1e-7));
    ck_assert_double_eq_tol(m.var, xb * xb / 3, 0.01 * xb * xb / 3);

    tg_init_xavier_normal(w, OUT, IN, 1.0f, &r);
    double var = 2.0 / (IN + OUT);
    m = moments_of(w, OUT * IN);
    ck_assert_double_eq_tol(m.var, var, 0.01 * var);
    ck_assert_double_lt(fabs(m.mean), 0.01 * sqrt(var));
}
END_TEST

/* ---- the RNG ----------------------------------------------------------- */

START_TEST(test_rng_reference)
{
    char path[512];
    snprintf(path, sizeof path, FIXTURES "optim_rng.txt");
    FILE *fp = fopen(path, "r");
    ck_assert_msg(fp != NULL, "cannot open %s", path);
    char tok[64];
    int seeds = 0;
    while (fscanf(fp, "%63s", tok) == 1) {
        if (tok[0] == '#') {
            int c;
            while ((c = fgetc(fp)) != EOF && c != '\n')
                ;
            continue;
        }
        ck_assert(strncmp(tok, "seed_", 5) == 0);
        uint64_t seed = strtoull(tok + 5, NULL, 10);
        int n;
        ck_assert_int_eq(fscanf(fp, "%d", &n), 1);
        tg_rng r;
        tg_rng_seed(&r, seed);
        for (int i = 0; i < n; i++) {
            unsigned long long want;
            ck_assert_int_eq(fscanf(fp, "%llx", &want), 1);
            ck_assert_uint_eq(tg_rng_next(&r), want);
        }
        seeds++;
    }
    fclose(fp);
    ck_assert_int_eq(seeds, 3);
}
END_TEST

START_TEST(test_rng_ranges)
{
    tg_rng r;
    tg_rng_seed(&r, 3);
    enum { N = 200000 };
    int hist[10] = { 0 };
    double sum = 0, sum2 = 0;
    for (int i = 0; i < N; i++) {
        float u = tg_rng_uniform(&r);
        ck_assert(u >= 0.0f && u < 1.0f);
        uint64_t k = tg_rng_below(&r, 10);
        ck_assert_uint_lt(k, 10);
        hist[k]++;
        double z = tg_rng_normal(&r);
        sum += z;
        sum2 += z * z;
    }
    for (int k = 0; k < 10; k++) /* expected 20000, sd ~134 */
        ck_assert_int_lt(abs(hist[k] - N / 10), 800);
    ck_assert_double_lt(fabs(sum / N), 0.01);
    ck_assert_double_eq_tol(sum2 / N, 1.0, 0.02);

    size_t idx[100];
    int seen[100] = { 0 };
    for (size_t i = 0; i < 100; i++)
        idx[i] = i;
    tg_rng_shuffle(&r, idx, 100);
    int moved = 0;
    for (size_t i = 0; i < 100; i++) {
        seen[idx[i]]++;
        moved += idx[i] != i;
    }
    for (int i = 0; i < 100; i++)
        ck_assert_int_eq(seen[i], 1);
    ck_assert_int_gt(moved, 50);
}
END_TEST

/* ---- bitwise reproducibility ------------------------------------------- */

/* A small training run where the seed drives everything: data, init
 * (linear + orthogonal), shuffling; AdamW + OneCycle with clipping. */
static void train(uint64_t seed, float *w_out, float *b_out)
{
    enum { N = 64, BATCH = 8, EPOCHS = 5 };
    tg_rng r;
    tg_rng_seed(&r, seed);
    static double data_x[N * NI], data_y[N * NO];
    for (int i = 0; i < N * NI; i++)
        data_x[i] = tg_rng_normal(&r);
    for (int s = 0; s < N; s++)
        for (int o = 0; o < NO; o++)
            data_y[s * NO + o] = data_x[s * NI + o] - 0.5 * data_x[s * NI + o + 1];
    float w[NW], b[NO], gw[NW], gb[NO];
    tg_init_linear(w, b, NO, NI, &r);
    ck_assert_int_eq(tg_init_orthogonal(w, NO, NI, 1.0f, &r, NULL), 0);
    tg_span spans[2] = { { w, gw, NW }, { b, gb, NO } };
    tg_optim_config c = tg_optim_defaults(TG_ADAMW);
    c.lr = 0.05;
    c.max_grad_norm = 1.0;
    tg_optimizer *opt = tg_optimizer_new(&c, spans, 2, NULL);
    tg_schedule s = tg_schedule_onecycle(c.lr, EPOCHS * N / BATCH);
    size_t idx[N];
    for (size_t i = 0; i < N; i++)
        idx[i] = i;
    problem batch;
    for (int e = 0; e < EPOCHS; e++) {
        tg_rng_shuffle(&r, idx, N);
        for (int k = 0; k < N / BATCH; k++) {
            for (int j = 0; j < BATCH; j++) {
                memcpy(&batch.x[j * NI], &data_x[idx[k * BATCH + j] * NI], NI * sizeof(double));
                memcpy(&batch.y[j * NO], &data_y[idx[k * BATCH + j] * NO], NO * sizeof(double));
            }
            loss_grad(&batch, w, b, gw, gb);
            tg_optimizer_step_sched(opt, &s);
        }
    }
    tg_optimizer_free(opt);
    memcpy(w_out, w, sizeof w);
    memcpy(b_out, b, sizeof b);
}

START_TEST(test_reproducible)
{
    float w1[NW], b1[NO], w2[NW], b2[NO], w3[NW], b3[NO];
    train(2024, w1, b1);
    train(2024, w2, b2);
    train(2025, w3, b3);
    ck_assert(memcmp(w1, w2, sizeof w1) == 0 && memcmp(b1, b2, sizeof b1) == 0);
    ck_assert(memcmp(w1, w3, sizeof w1) != 0);
    ck_assert(memcmp(b1, b3, sizeof b1) != 0);
}
END_TEST

static Suite *optim_suite(void)
{
    setup_cases();
    Suite *s = suite_create("optim");
    TCase *t = tcase_create("pytorch");
    tcase_add_loop_test(t, test_trajectory_replay, 0, N_CASES);
    tcase_add_loop_test(t, test_trajectory_closed_loop, 0, N_CASES);
    tcase_add_loop_test(t, test_problem_gradient, 0, N_CASES);
    tcase_add_test(t, test_schedules);
    tcase_add_test(t, test_orthogonal_matches_torch);
    tcase_add_test(t, test_rng_reference);
    suite_add_tcase(s, t);
    TCase *p = tcase_create("properties");
    tcase_add_loop_test(p, test_span_layouts_agree, 0, N_CASES);
    tcase_add_test(p, test_clipping);
    tcase_add_test(p, test_schedule_check);
    tcase_add_test(p, test_defaults_and_checks);
    tcase_add_test(p, test_orthogonal_random);
    tcase_add_test(p, test_linear_and_xavier);
    tcase_add_test(p, test_rng_ranges);
    tcase_add_test(p, test_reproducible);
    suite_add_tcase(s, p);
    return s;
}

int main(void)
{
    return run_suite(optim_suite());
}
