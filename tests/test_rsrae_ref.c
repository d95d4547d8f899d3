/* test_rsrae_ref.c - the RSRAE graph of models/rsrae.c against PyTorch.
 *
 * Each fixture tests/fixtures/rsrae_ref_<name>.txt (written by
 * models/make_reference.py, which documents the format and the model) holds
 * a configuration, fixed weights, a fixed batch and PyTorch's float64
 * losses, per-sample values and the gradient of every parameter in every
 * gradient set. The test builds the model with tg_rsrae_build, copies the
 * weights in by tensor name, compiles one plan for the forward pass and one
 * per gradient set, runs them and compares.
 *
 * Tolerance: |C - PyTorch| <= REL * max(|PyTorch|, FLOOR). REL = 1e-4 is the
 * requirement; values below FLOOR = 1e-3 in magnitude (gradient entries that
 * cancel over the batch) are held to the absolute 1e-7 instead, since float32
 * rounding there is proportional to the terms summed, not to the result.
 * The largest error seen is about 3e-5 of that scale.
 */
#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tg.h"
#include "tg_ops.h"
#include "tg_rsrae.h"
#include "check_util.h"

#ifndef TG_SRCDIR
#define TG_SRCDIR "."
#endif
#define FIXTURES TG_SRCDIR "/tests/fixtures/"

#define REL 1e-4
#define FLOOR 1e-3

static const char *fixture_names[] = {"reference", "paper", "p2_relu"};
#define N_FIXTURES ((int)(sizeof fixture_names / sizeof fixture_names[0]))

/* ---- fixture reader ------------------------------------------------------ */

#define MAX_RECORDS 128

typedef struct record {
    char name[64];
    int n;
    double *v;
} record;

typedef struct fixture {
    char path[512];
    tg_rsrae_config cfg;
    record r[MAX_RECORDS];
    int n;
} fixture;

static tg_act parse_act(const char *path, const char *key, const char *s)
{
    tg_act a = TG_ACT_NONE;
    ck_assert_msg(s && tg_act_parse(s, &a) == 0, "%s: config %s: unknown activation '%s'", path,
                  key, s ? s : "");
    return a;
}

static int parse_int(const char *path, const char *key, const char *s)
{
    char *end;
    long v = s ? strtol(s, &end, 10) : 0;
    ck_assert_msg(s && *end == '\0', "%s: config %s: expected an integer, got '%s'", path, key,
                  s ? s : "");
    return (int)v;
}

static float parse_float(const char *path, const char *key, const char *s)
{
    char *end;
    double v = s ? strtod(s, &end) : 0.0;
    ck_assert_msg(s && *end == '\0', "%s: config %s: expected a number, got '%s'", path, key,
                  s ? s : "");
    return (float)v;
}

/* Hidden sizes: the rest of the line, possibly empty. */
static int parse_sizes(const char *path, const char *key, char **save, int *sizes)
{
    int n = 0;
    for (char *t; (t = strtok_r(NULL, " \t\n", save)) != NULL; n++) {
        ck_assert_msg(n < TG_RSRAE_MAX_LAYERS, "%s: config %s: too many layers", path, key);
        sizes[n] = parse_int(path, key, t);
    }
    return n;
}

/* One "config <key> <value>..." line (without "config"). */
static void parse_config(fixture *f, char *line)
{
    tg_rsrae_config *c = &f->cfg;
    char *save = NULL;
    const char *key = strtok_r(line, " \t\n", &save);
    ck_assert_msg(key != NULL, "%s: empty config line", f->path);
    if (!strcmp(key, "enc_hidden")) {
        c->n_enc_hidden = parse_sizes(f->path, key, &save, c->enc_hidden);
        return;
    }
    if (!strcmp(key, "dec_hidden")) {
        c->n_dec_hidden = parse_sizes(f->path, key, &save, c->dec_hidden);
        return;
    }
    const char *v = strtok_r(NULL, " \t\n", &save);
    if (!strcmp(key, "input_dim")) c->input_dim = parse_int(f->path, key, v);
    else if (!strcmp(key, "embed_dim")) c->embed_dim = parse_int(f->path, key, v);
    else if (!strcmp(key, "latent_dim")) c->latent_dim = parse_int(f->path, key, v);
    else if (!strcmp(key, "batch")) c->batch = parse_int(f->path, key, v);
    else if (!strcmp(key, "renorm")) c->renorm = parse_int(f->path, key, v);
    else if (!strcmp(key, "mean_reduction")) c->mean_reduction = parse_int(f->path, key, v);
    else if (!strcmp(key, "act")) c->act = parse_act(f->path, key, v);
    else if (!strcmp(key, "embed_act")) c->embed_act = parse_act(f->path, key, v);
    else if (!strcmp(key, "out_act")) c->out_act = parse_act(f->path, key, v);
    else if (!strcmp(key, "p")) c->p = parse_float(f->path, key, v);
    else if (!strcmp(key, "lambda1")) c->lambda1 = parse_float(f->path, key, v);
    else if (!strcmp(key, "lambda2")) c->lambda2 = parse_float(f->path, key, v);
    else if (!strcmp(key, "mode")) {
        ck_assert_msg(v && (!strcmp(v, "joint") || !strcmp(v, "alternating")),
                      "%s: config mode: expected joint or alternating", f->path);
        c->mode = !strcmp(v, "joint") ? TG_TRAIN_JOINT : TG_TRAIN_ALTERNATING;
    } else if (!strcmp(key, "score")) {
        ck_assert_msg(v && (!strcmp(v, "l2") || !strcmp(v, "cosine")),
                      "%s: config score: expected l2 or cosine", f->path);
        c->score = !strcmp(v, "l2") ? TG_SCORE_L2 : TG_SCORE_COSINE;
    } else
        ck_abort_msg("%s: unknown config key '%s'", f->path, key);
}

static void read_record(fixture *f, FILE *fp, const char *name)
{
    ck_assert_msg(f->n < MAX_RECORDS, "%s: more than %d records", f->path, MAX_RECORDS);
    record *r = &f->r[f->n++];
    ck_assert_msg(strlen(name) < sizeof r->name, "%s: record name %s too long", f->path, name);
    strcpy(r->name, name);
    ck_assert_msg(fscanf(fp, "%d", &r->n) == 1 && r->n > 0, "%s: record %s: bad count", f->path,
                  name);
    r->v = malloc((size_t)r->n * sizeof *r->v);
    ck_assert_ptr_nonnull(r->v);
    for (int i = 0; i < r->n; i++)
        ck_assert_msg(fscanf(fp, "%lf", &r->v[i]) == 1, "%s: record %s: bad value %d", f->path,
                      name, i);
}

static void fixture_load(fixture *f, const char *name)
{
    memset(f, 0, sizeof *f);
    snprintf(f->path, sizeof f->path, FIXTURES "rsrae_ref_%s.txt", name);
    FILE *fp = fopen(f->path, "r");
    ck_assert_msg(fp != NULL, "cannot open %s", f->path);
    char tok[64], line[512];
    while (fscanf(fp, "%63s", tok) == 1) {
        if (tok[0] == '#' || !strcmp(tok, "config")) {
            ck_assert_msg(fgets(line, sizeof line, fp) != NULL || tok[0] == '#',
                          "%s: truncated config line", f->path);
            if (tok[0] != '#')
                parse_config(f, line);
            continue;
        }
        read_record(f, fp, tok);
    }
    fclose(fp);
}

static void fixture_free(fixture *f)
{
    for (int i = 0; i < f->n; i++)
        free(f->r[i].v);
}

static const record *find_record(const fixture *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The record named fmt..., or NULL. */
static const record *find_record(const fixture *f, const char *fmt, ...)
{
    char name[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    for (int i = 0; i < f->n; i++)
        if (!strcmp(f->r[i].name, name))
            return &f->r[i];
    return NULL;
}

/* ---- comparisons --------------------------------------------------------- */

typedef struct stats {
    double max_rel; /* max |C - ref| / max(|ref|, FLOOR) */
    char where[160];
    int n;          /* values compared */
} stats;

static void expect_close(stats *st, const fixture *f, const char *what, const float *got,
                         const record *want, int n)
{
    ck_assert_msg(want != NULL, "%s: no record for %s", f->path, what);
    ck_assert_msg(want->n == n, "%s: %s has %d values in the fixture, %d in the graph", f->path,
                  what, want->n, n);
    for (int i = 0; i < n; i++) {
        double ref = want->v[i], diff = fabs((double)got[i] - ref);
        double scale = fmax(fabs(ref), FLOOR);
        ck_assert_msg(diff <= REL * scale, "%s: %s[%d]: C %.9g, PyTorch %.9g (|diff| %.3g > %.3g)",
                      f->path, what, i, got[i], ref, diff, REL * scale);
        if (!(diff / scale <= st->max_rel)) {
            st->max_rel = diff / scale;
            snprintf(st->where, sizeof st->where, "%s[%d]", what, i);
        }
        st->n++;
    }
}

static void report(const fixture *f, const char *what, const stats *st)
{
    printf("%s %s: %d values, max rel err %.3g at %s\n", f->path + strlen(FIXTURES), what, st->n,
           st->max_rel, st->where);
}

/* ---- the model ----------------------------------------------------------- */

static int64_t numel(const tg_graph *g, tg_tensor t) { return tg_shape_numel(tg_shape_of(g, t)); }

/* Builds the fixture's model and copies every parameter in by name. */
static void build_model(tg_rsrae *m, const fixture *f, const tg_rsrae_config *cfg)
{
    tg_error err = {{0}};
    ck_assert_msg(tg_rsrae_build(m, cfg, &err) == 0, "%s: build: %s", f->path, err.msg);
    tg_tensor params[TG_RSRAE_MAX_PARAMS];
    int n = tg_param_list(m->g, params, TG_RSRAE_MAX_PARAMS);
    ck_assert_int_gt(n, 0);
    for (int i = 0; i < n; i++) {
        const char *name = tg_name_of(m->g, params[i]);
        const record *r = find_record(f, "param.%s", name);
        ck_assert_msg(r != NULL, "%s: no weights for parameter %s", f->path, name);
        ck_assert_msg(tg_find(m->g, name) == params[i], "%s: tg_find(%s) is not the parameter",
                      f->path, name);
        ck_assert_msg(r->n == numel(m->g, params[i]), "%s: %s has %d values, the graph %lld",
                      f->path, name, r->n, (long long)numel(m->g, params[i]));
        float *dst = tg_param_data(m->g, params[i]);
        for (int k = 0; k < r->n; k++)
            dst[k] = (float)r->v[k];
    }
    int n_fixture = 0;
    for (int i = 0; i < f->n; i++)
        n_fixture += !strncmp(f->r[i].name, "param.", 6);
    ck_assert_msg(n_fixture == n, "%s: %d parameters in the fixture, %d in the graph", f->path,
                  n_fixture, n);
}

/* The batch as float32 (the fixture holds float32 values exactly). */
static float *batch_of(const fixture *f)
{
    const record *x = find_record(f, "x");
    ck_assert_msg(x && x->n == f->cfg.batch * f->cfg.input_dim, "%s: bad record x", f->path);
    float *data = malloc((size_t)x->n * sizeof *data);
    ck_assert_ptr_nonnull(data);
    for (int i = 0; i < x->n; i++)
        data[i] = (float)x->v[i];
    return data;
}

static tg_plan *plan_bound(tg_rsrae *m, const tg_tensor *outs, int n, const float *x)
{
    tg_plan *p = tg_plan_new(m->g, outs, n, NULL);
    ck_assert_msg(p != NULL, "plan: %s", tg_graph_error(m->g));
    ck_assert_msg(tg_plan_bind(p, m->x, x) == 0, "bind: %s", tg_graph_error(m->g));
    return p;
}

static void expect_scalar(stats *st, const fixture *f, const tg_plan *p, tg_tensor t,
                          const char *name)
{
    float v = tg_plan_scalar(p, t);
    expect_close(st, f, name, &v, find_record(f, "%s", name), 1);
}

/* ---- tests --------------------------------------------------------------- */

/* Losses, recon_err, residual and both scores; the score kind only changes
 * the score node, so the model is built once per kind. */
START_TEST(forward_matches)
{
    fixture f;
    fixture_load(&f, fixture_names[_i]);
    float *x = batch_of(&f);
    stats st = {0};
    for (int kind = TG_SCORE_L2; kind <= TG_SCORE_COSINE; kind++) {
        tg_rsrae_config cfg = f.cfg;
        cfg.score = (tg_score_kind)kind;
        tg_rsrae m;
        build_model(&m, &f, &cfg);
        tg_tensor outs[] = {m.loss_recon, m.loss_rsr, m.loss_ortho, m.loss,
                            m.recon_err, m.residual, m.score};
        tg_plan *p = plan_bound(&m, outs, (int)(sizeof outs / sizeof outs[0]), x);
        ck_assert_msg(tg_plan_run(p) == 0, "run: %s", tg_graph_error(m.g));
        const char *losses[] = {"loss_recon", "loss_rsr", "loss_ortho", "loss"};
        for (int i = 0; i < 4; i++)
            expect_scalar(&st, &f, p, outs[i], losses[i]);
        int B = cfg.batch;
        expect_close(&st, &f, "recon_err", tg_plan_data(p, m.recon_err),
                     find_record(&f, "recon_err"), B);
        expect_close(&st, &f, "residual", tg_plan_data(p, m.residual),
                     find_record(&f, "residual"), B);
        const char *score = kind == TG_SCORE_L2 ? "score_l2" : "score_cosine";
        expect_close(&st, &f, score, tg_plan_data(p, m.score), find_record(&f, "%s", score), B);
        tg_plan_free(p);
        tg_rsrae_free(&m);
    }
    report(&f, "forward", &st);
    free(x);
    fixture_free(&f);
}
END_TEST

/* "encoder.0.weight encoder.0.bias ..." for a failure message. */
static const char *names_of(const tg_rsrae *m, const tg_param_set *set)
{
    static char buf[1024];
    buf[0] = '\0';
    for (int i = 0; i < set->n; i++) {
        size_t len = strlen(buf);
        snprintf(buf + len, sizeof buf - len, "%s%s", i ? " " : "",
                 tg_name_of(m->g, set->params[i]));
    }
    return buf;
}

/* Every gradient set: one plan each, gradients read from the gradient block
 * (poisoned with NaN before each run, so a gradient the plan does
 * not write fails). The set's parameters must be exactly the fixture's. */
START_TEST(gradients_match)
{
    fixture f;
    fixture_load(&f, fixture_names[_i]);
    float *x = batch_of(&f);
    tg_rsrae m;
    build_model(&m, &f, &f.cfg);
    ck_assert_int_eq(m.n_sets, f.cfg.mode == TG_TRAIN_JOINT ? 1 : 3);
    stats st = {0};
    for (int s = 0; s < m.n_sets; s++) {
        const tg_param_set *set = &m.sets[s];
        tg_tensor outs[TG_RSRAE_MAX_PARAMS + 1];
        memcpy(outs, set->grads, (size_t)set->n * sizeof *outs);
        outs[set->n] = set->loss;
        tg_plan *p = plan_bound(&m, outs, set->n + 1, x);
        float *grads = tg_grads(m.g);
        for (size_t k = 0; k < tg_params_floats(m.g); k++)
            grads[k] = NAN;
        ck_assert_msg(tg_plan_run(p) == 0, "run: %s", tg_graph_error(m.g));

        char prefix[16];
        int n_fixture = 0;
        snprintf(prefix, sizeof prefix, "grad%d.", s);
        for (int i = 0; i < f.n; i++)
            n_fixture += !strncmp(f.r[i].name, prefix, strlen(prefix));
        ck_assert_msg(n_fixture == set->n, "%s: set %d has %d parameters (%s), the fixture %d",
                      f.path, s, set->n, names_of(&m, set), n_fixture);
        for (int i = 0; i < set->n; i++) {
            const char *name = tg_name_of(m.g, set->params[i]);
            char what[96];
            snprintf(what, sizeof what, "%s%s", prefix, name);
            expect_close(&st, &f, what, tg_grad_data(m.g, set->params[i]),
                         find_record(&f, "%s", what), (int)numel(m.g, set->params[i]));
        }
        tg_plan_free(p);
    }
    report(&f, "gradients", &st);
    tg_rsrae_free(&m);
    free(x);
    fixture_free(&f);
}
END_TEST

static Suite *rsrae_ref_suite(void)
{
    Suite *s = suite_create("rsrae_ref");
    TCase *tc = tcase_create("pytorch");
    tcase_add_loop_test(tc, forward_matches, 0, N_FIXTURES);
    tcase_add_loop_test(tc, gradients_match, 0, N_FIXTURES);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(rsrae_ref_suite());
}
