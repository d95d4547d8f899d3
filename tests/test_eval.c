/* test_eval.c - metrics against scikit-learn / numpy fixtures
 * (tests/fixtures/eval_metrics.txt, written by eval/make_fixtures.py). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tg_eval.h"
#include "tg_rng.h"
#include "check_util.h"

#ifndef TG_SRCDIR
#define TG_SRCDIR "."
#endif
#define FIXTURE TG_SRCDIR "/tests/fixtures/eval_metrics.txt"

/* ---- fixture reader: whitespace-separated tokens, keyword-led records ---- */

typedef struct metric_case {
    char     name[64];
    size_t   n;
    float   *scores;
    int     *labels;
    double   auc, ap;
    tg_stats stats;
} metric_case;

typedef struct pca_case {
    char   name[64];
    size_t n, dim;
    float  *x;
    double *proj;
} pca_case;

static metric_case metrics[32];
static size_t n_metrics;
static pca_case pcas[8];
static size_t n_pcas;

static void expect_word(FILE *f, const char *word)
{
    char tok[64];
    ck_assert_int_eq(fscanf(f, "%63s", tok), 1);
    ck_assert_str_eq(tok, word);
}

static void read_metric(FILE *f, metric_case *m)
{
    ck_assert_int_eq(fscanf(f, "%63s %zu", m->name, &m->n), 2);
    m->scores = malloc(m->n * sizeof *m->scores);
    m->labels = malloc(m->n * sizeof *m->labels);
    expect_word(f, "scores");
    for (size_t i = 0; i < m->n; i++)
        ck_assert_int_eq(fscanf(f, "%f", &m->scores[i]), 1);
    expect_word(f, "labels");
    for (size_t i = 0; i < m->n; i++)
        ck_assert_int_eq(fscanf(f, "%d", &m->labels[i]), 1);
    ck_assert_int_eq(fscanf(f, " auc %lf ap %lf", &m->auc, &m->ap), 2);
    tg_stats *s = &m->stats;
    ck_assert_int_eq(fscanf(f, " stats %zu %lf %lf %lf %lf %lf %lf %lf", &s->count,
                            &s->mean, &s->std, &s->min, &s->p25, &s->p50,
                            &s->p75, &s->max), 8);
}

static void read_pca(FILE *f, pca_case *p)
{
    ck_assert_int_eq(fscanf(f, "%63s %zu %zu", p->name, &p->n, &p->dim), 3);
    p->x = malloc(p->n * p->dim * sizeof *p->x);
    p->proj = malloc(p->n * 2 * sizeof *p->proj);
    expect_word(f, "x");
    for (size_t i = 0; i < p->n * p->dim; i++)
        ck_assert_int_eq(fscanf(f, "%f", &p->x[i]), 1);
    expect_word(f, "proj");
    for (size_t i = 0; i < p->n * 2; i++)
        ck_assert_int_eq(fscanf(f, "%lf", &p->proj[i]), 1);
}

static void load_fixtures(void)
{
    FILE *f = fopen(FIXTURE, "r");
    ck_assert_msg(f != NULL, "cannot open %s", FIXTURE);
    char tok[64];
    int c;
    while ((c = fgetc(f)) == '#')  /* header comment lines */
        while ((c = fgetc(f)) != '\n' && c != EOF) {}
    ungetc(c, f);
    n_metrics = n_pcas = 0;
    while (fscanf(f, "%63s", tok) == 1) {
        if (strcmp(tok, "metric") == 0) {
            ck_assert_uint_lt(n_metrics, 32);
            read_metric(f, &metrics[n_metrics++]);
        } else if (strcmp(tok, "pca") == 0) {
            ck_assert_uint_lt(n_pcas, 8);
            read_pca(f, &pcas[n_pcas++]);
        } else {
            ck_abort_msg("%s: unexpected token '%s'", FIXTURE, tok);
        }
    }
    fclose(f);
    ck_assert_uint_ge(n_metrics, 9);
    ck_assert_uint_ge(n_pcas, 3);
}

static void free_fixtures(void)
{
    for (size_t i = 0; i < n_metrics; i++) {
        free(metrics[i].scores);
        free(metrics[i].labels);
    }
    for (size_t i = 0; i < n_pcas; i++) {
        free(pcas[i].x);
        free(pcas[i].proj);
    }
    n_metrics = n_pcas = 0;
}

static int close_rel(double got, double want, double rel)
{
    if (isnan(want))
        return isnan(got);
    return fabs(got - want) <= rel * fabs(want) + 1e-15;
}

/* ---- metrics vs sklearn ---- */

START_TEST(auc_matches_sklearn)
{
    for (size_t c = 0; c < n_metrics; c++) {
        metric_case *m = &metrics[c];
        double auc = -1;
        tg_error err = { "" };
        ck_assert_msg(tg_roc_auc(m->scores, m->labels, m->n, &auc, &err) == 0,
                      "%s: %s", m->name, err.msg);
        ck_assert_msg(close_rel(auc, m->auc, 1e-9), "%s: auc %.17g, sklearn %.17g",
                      m->name, auc, m->auc);
    }
}
END_TEST

START_TEST(ap_matches_sklearn)
{
    for (size_t c = 0; c < n_metrics; c++) {
        metric_case *m = &metrics[c];
        double ap = -1;
        tg_error err = { "" };
        ck_assert_msg(tg_average_precision(m->scores, m->labels, m->n, &ap, &err) == 0,
                      "%s: %s", m->name, err.msg);
        ck_assert_msg(close_rel(ap, m->ap, 1e-9), "%s: ap %.17g, sklearn %.17g",
                      m->name, ap, m->ap);
    }
}
END_TEST

/* Independent definition: AUC = P(score_pos > score_neg) + P(tie) / 2. */
START_TEST(auc_is_mann_whitney_probability)
{
    tg_rng r;
    tg_rng_seed(&r, 7);
    enum { N = 300 };
    float s[N];
    int y[N];
    for (int i = 0; i < N; i++) {
        y[i] = tg_rng_uniform(&r) < 0.3f;
        s[i] = (float)(int)(tg_rng_uniform(&r) * 8) + (float)y[i];  /* ties */
    }
    double wins = 0, pairs = 0;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            if (y[i] && !y[j]) {
                pairs++;
                wins += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
            }
    double auc;
    tg_error err;
    ck_assert_int_eq(tg_roc_auc(s, y, N, &auc, &err), 0);
    ck_assert_double_eq_tol(auc, wins / pairs, 1e-12);
}
END_TEST

START_TEST(metrics_reject_bad_input)
{
    float s[4] = { 0.1f, 0.2f, 0.3f, 0.4f };
    int one_class[4] = { 1, 1, 1, 1 }, no_pos[4] = { 0 }, bad[4] = { 0, 1, 2, 0 };
    int ok[4] = { 0, 1, 0, 1 };
    double v;
    tg_error err;
    ck_assert_int_eq(tg_roc_auc(s, one_class, 4, &v, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "one class"));
    ck_assert_int_eq(tg_roc_auc(s, no_pos, 4, &v, &err), -1);
    ck_assert_int_eq(tg_average_precision(s, no_pos, 4, &v, &err), -1);
    ck_assert_int_eq(tg_roc_auc(s, bad, 4, &v, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "label 2"));
    s[3] = NAN;
    ck_assert_int_eq(tg_average_precision(s, ok, 4, &v, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "score 3"));
    ck_assert_int_eq(tg_roc_auc(s, ok, 0, &v, &err), -1);
}
END_TEST

/* ---- describe vs numpy (pandas' definitions) ---- */

START_TEST(describe_matches_numpy)
{
    for (size_t c = 0; c < n_metrics; c++) {
        metric_case *m = &metrics[c];
        tg_stats s;
        tg_error err;
        ck_assert_int_eq(tg_describe(m->scores, m->n, &s, &err), 0);
        const tg_stats *w = &m->stats;
        ck_assert_uint_eq(s.count, w->count);
        double got[7] = { s.mean, s.std, s.min, s.p25, s.p50, s.p75, s.max };
        double want[7] = { w->mean, w->std, w->min, w->p25, w->p50, w->p75, w->max };
        for (int k = 0; k < 7; k++)
            ck_assert_msg(close_rel(got[k], want[k], 1e-5),
                          "%s: field %d is %.17g, numpy %.17g", m->name, k, got[k], want[k]);
    }
}
END_TEST

START_TEST(describe_skips_nan_and_handles_tiny_inputs)
{
    float x[3] = { 1.0f, NAN, 3.0f };
    tg_stats s;
    tg_error err;
    ck_assert_int_eq(tg_describe(x, 3, &s, &err), 0);
    ck_assert_uint_eq(s.count, 2);
    ck_assert_double_eq(s.mean, 2.0);
    ck_assert_double_eq_tol(s.std, sqrt(2.0), 1e-15);
    ck_assert_double_eq(s.p25, 1.5);
    ck_assert_double_eq(s.p75, 2.5);
    ck_assert_int_eq(tg_describe(x, 1, &s, &err), 0);
    ck_assert_uint_eq(s.count, 1);
    ck_assert(isnan(s.std));
    ck_assert_double_eq(s.p50, 1.0);
    ck_assert_int_eq(tg_describe(x + 1, 1, &s, &err), 0);
    ck_assert_uint_eq(s.count, 0);
    ck_assert(isnan(s.mean) && isnan(s.max));
}
END_TEST

/* ---- ranks ---- */

START_TEST(rank_by_hand)
{
    const float s[5] = { 0.5f, 0.9f, 0.5f, 0.1f, 0.9f };
    const size_t want[5] = { 3, 1, 4, 5, 2 };
    size_t rank[5], top[2], bottom[3];
    tg_error err;
    ck_assert_int_eq(tg_rank_desc(s, 5, rank, &err), 0);
    for (int i = 0; i < 5; i++)
        ck_assert_uint_eq(rank[i], want[i]);
    ck_assert_int_eq(tg_top_k(s, 5, 2, top, &err), 0);
    ck_assert_uint_eq(top[0], 1);
    ck_assert_uint_eq(top[1], 4);
    ck_assert_int_eq(tg_bottom_k(s, 5, 3, bottom, &err), 0);
    ck_assert_uint_eq(bottom[0], 3);
    ck_assert_uint_eq(bottom[1], 0);
    ck_assert_uint_eq(bottom[2], 2);
    ck_assert_int_eq(tg_top_k(s, 5, 6, top, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "6 of 5"));
}
END_TEST

/* Independent definition: 1 + how many samples come before i. */
START_TEST(rank_matches_counting)
{
    tg_rng r;
    tg_rng_seed(&r, 11);
    enum { N = 700 };
    float s[N];
    size_t rank[N];
    for (int i = 0; i < N; i++)
        s[i] = (float)tg_rng_below(&r, 50);
    s[5] = NAN;
    tg_error err;
    ck_assert_int_eq(tg_rank_desc(s, N, rank, &err), 0);
    for (int i = 0; i < N; i++) {
        size_t before = 0;
        for (int j = 0; j < N; j++) {
            if (j == i || isnan(s[j]))
                continue;
            before += isnan(s[i]) || s[j] > s[i] || (s[j] == s[i] && j < i);
        }
        ck_assert_uint_eq(rank[i], before + 1);
    }
    ck_assert_uint_eq(rank[5], N);
}
END_TEST

/* ---- PCA vs numpy SVD ---- */

START_TEST(pca_matches_numpy_svd)
{
    for (size_t c = 0; c < n_pcas; c++) {
        pca_case *p = &pcas[c];
        float *proj = malloc(p->n * 2 * sizeof *proj);
        tg_error err = { "" };
        ck_assert_msg(tg_pca2(p->x, p->n, p->dim, proj, &err) == 0, "%s: %s",
                      p->name, err.msg);
        for (size_t i = 0; i < p->n * 2; i++)
            ck_assert_msg(fabs(proj[i] - p->proj[i]) <= 1e-3 * fmax(1, fabs(p->proj[i])),
                          "%s: proj[%zu] %g, numpy %g", p->name, i, proj[i], p->proj[i]);
        free(proj);
    }
}
END_TEST

START_TEST(pca_rejects_bad_shapes)
{
    float x[6] = { 1, 2, 3, 4, 5, 6 }, proj[6];
    tg_error err;
    ck_assert_int_eq(tg_pca2(x, 1, 6, proj, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "[1, 6]"));
    ck_assert_int_eq(tg_pca2(x, 6, 1, proj, &err), -1);
    x[4] = INFINITY;
    ck_assert_int_eq(tg_pca2(x, 3, 2, proj, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "row 2 column 0"));
}
END_TEST

static Suite *eval_suite(void)
{
    Suite *s = suite_create("eval");
    TCase *fx = tcase_create("fixtures");
    tcase_add_unchecked_fixture(fx, load_fixtures, free_fixtures);
    tcase_add_test(fx, auc_matches_sklearn);
    tcase_add_test(fx, ap_matches_sklearn);
    tcase_add_test(fx, describe_matches_numpy);
    tcase_add_test(fx, pca_matches_numpy_svd);
    suite_add_tcase(s, fx);
    TCase *tc = tcase_create("properties");
    tcase_add_test(tc, auc_is_mann_whitney_probability);
    tcase_add_test(tc, metrics_reject_bad_input);
    tcase_add_test(tc, describe_skips_nan_and_handles_tiny_inputs);
    tcase_add_test(tc, rank_by_hand);
    tcase_add_test(tc, rank_matches_counting);
    tcase_add_test(tc, pca_rejects_bad_shapes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(eval_suite());
}
