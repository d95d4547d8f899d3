/* test_parallel.c - the library's threads: the fork-join pool, GEMMs split
 * into blocks, the optimizer's split pass, and plans run on several threads.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tg.h"
#include "tg_internal.h"
#include "tg_ops.h"
#include "tg_optim.h"
#include "tg_parallel.h"
#include "tg_rng.h"
#include "check_util.h"

/* ---- the pool ---------------------------------------------------------------- */

typedef struct coverage {
    int *hits;
    size_t align, n;
    int misaligned;
    size_t longest; /* longest chunk */
} coverage;

static void count_range(void *ctx, size_t begin, size_t end)
{
    coverage *c = ctx;
    if (begin % c->align != 0 || end > c->n)
        __atomic_fetch_add(&c->misaligned, 1, __ATOMIC_RELAXED);
    size_t len = end - begin, seen = __atomic_load_n(&c->longest, __ATOMIC_RELAXED);
    while (len > seen && !__atomic_compare_exchange_n(&c->longest, &seen, len, 0, __ATOMIC_RELAXED,
                                                      __ATOMIC_RELAXED))
        ;
    for (size_t i = begin; i < end; i++)
        c->hits[i]++; /* chunks are disjoint: no two threads touch one element */
}

START_TEST(parallel_for_covers_each_index_once_in_aligned_chunks)
{
    static const size_t sizes[] = {0, 1, 15, 16, 17, 100, 1000, 4097, 100003};
    static const size_t aligns[] = {1, 4, 16};
    static const size_t mins[] = {0, 1, 64, 5000};
    for (int threads = 1; threads <= 4; threads++) {
        tg_set_threads(threads);
        ck_assert_int_eq(tg_parallel_threads(), threads);
        for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
            for (size_t a = 0; a < sizeof aligns / sizeof *aligns; a++)
                for (size_t m = 0; m < sizeof mins / sizeof *mins; m++) {
                    coverage c = {calloc(sizes[s] + 1, sizeof(int)), aligns[a], sizes[s], 0, 0};
                    tg_parallel_for(sizes[s], aligns[a], mins[m], count_range, &c);
                    for (size_t i = 0; i < sizes[s]; i++)
                        ck_assert_msg(c.hits[i] == 1, "threads %d n %zu align %zu: index %zu run %d times",
                                      threads, sizes[s], aligns[a], i, c.hits[i]);
                    ck_assert_int_eq(c.misaligned, 0);
                    /* with work for two, it is shared, and no chunk is much
                     * longer than an even share */
                    size_t least = mins[m] > aligns[a] ? mins[m] : aligns[a];
                    if (threads > 1 && sizes[s] >= 2 * least)
                        ck_assert_msg(c.longest <= sizes[s] / 2 + aligns[a],
                                      "threads %d n %zu align %zu min %zu: a chunk of %zu", threads, sizes[s],
                                      aligns[a], mins[m], c.longest);
                    free(c.hits);
                }
    }
    tg_set_threads(1);
}
END_TEST

/* ---- GEMMs split into blocks ------------------------------------------------ */

static void random_fill(float *x, size_t n, tg_rng *r)
{
    for (size_t i = 0; i < n; i++)
        x[i] = tg_rng_uniform_range(r, -1, 1);
}

#define PLAIN_MATMUL (-1)

/* The activation act (an op id, or 0 for none) in double. */
static double activate_ref(int act, double v)
{
    switch (act) {
    case TG_OP_RELU: return v > 0 ? v : 0;
    case TG_OP_LEAKY_RELU: return v > 0 ? v : 0.01 * v;
    case TG_OP_SIGMOID: return 1 / (1 + exp(-v));
    case TG_OP_TANH: return tanh(v);
    }
    return v;
}

/* C = op(A) op(B) through a graph on `threads` threads, against a double
 * loop. A is [m, k] or [k, m]; B is [k, n] or [n, k]. With act other than
 * PLAIN_MATMUL (then ta = 0, tb = 1), the fused act(A B^T + bias) instead. */
static void check_product(int m, int n, int k, int ta, int tb, int act, int threads)
{
    tg_rng r;
    tg_rng_seed(&r, (uint64_t)(m * 131 + n * 7 + k));
    tg_graph *g = tg_graph_new();
    tg_tensor a = tg_input(g, "a", ta ? tg_shape2(k, m) : tg_shape2(m, k));
    tg_tensor b = tg_input(g, "b", tb ? tg_shape2(n, k) : tg_shape2(k, n));
    tg_tensor bias = tg_input(g, "bias", tg_shape1(n));
    tg_tensor c = act == PLAIN_MATMUL ? tg_matmul(g, a, b, ta, tb) : tg_linear_act(g, a, b, bias, act, 0.01f);
    ck_assert_int_ge(c, 0);
    ck_assert_int_eq(tg_op_of(g, c), act == PLAIN_MATMUL ? TG_OP_MATMUL : TG_OP_LINEAR);
    float *av = malloc((size_t)m * k * sizeof(float)), *bv = malloc((size_t)n * k * sizeof(float));
    float *biasv = malloc((size_t)n * sizeof(float));
    random_fill(av, (size_t)m * k, &r);
    random_fill(bv, (size_t)n * k, &r);
    random_fill(biasv, (size_t)n, &r);
    tg_set_threads(threads);
    tg_plan *p = tg_plan_new(g, &c, 1, NULL);
    ck_assert_ptr_nonnull(p);
    tg_plan_bind(p, a, av);
    tg_plan_bind(p, b, bv);
    tg_plan_bind(p, bias, biasv);
    ck_assert_int_eq(tg_plan_run(p), 0);
    const float *cv = tg_plan_data(p, c);
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            double acc = 0.0;
            for (int q = 0; q < k; q++)
                acc += (double)(ta ? av[q * m + i] : av[i * k + q]) * (tb ? bv[j * k + q] : bv[q * n + j]);
            if (act != PLAIN_MATMUL)
                acc = activate_ref(act, acc + biasv[j]);
            ck_assert_msg(fabs(cv[i * n + j] - acc) <= 1e-4 * (1.0 + fabs(acc)),
                          "%dx%dx%d ta %d tb %d act %d threads %d: C[%d,%d] = %g, expected %g", m, n, k, ta, tb,
                          act, threads, i, j, cv[i * n + j], acc);
        }
    tg_plan_free(p);
    tg_graph_free(g);
    free(av);
    free(bv);
    free(biasv);
    tg_set_threads(1);
}

/* wide C (split by columns), tall C (split by rows), odd sizes so blocks do
 * not divide evenly, and one too small to split */
static const int product_shapes[][3] = {{64, 392, 784}, {392, 67, 64}, {67, 131, 45}, {5, 7, 3}};

START_TEST(split_gemms_match_a_reference_product)
{
    for (int s = 0; s < 4; s++)
        for (int t = 0; t < 4; t++)
            for (int threads = 1; threads <= 3; threads++)
                check_product(product_shapes[s][0], product_shapes[s][1], product_shapes[s][2], t & 1, t >> 1,
                              PLAIN_MATMUL, threads);
}
END_TEST

START_TEST(split_linear_layers_match_a_reference)
{
    static const int acts[] = {0, TG_OP_RELU, TG_OP_LEAKY_RELU, TG_OP_SIGMOID, TG_OP_TANH};
    for (int s = 0; s < 4; s++)
        for (int a = 0; a < 5; a++)
            for (int threads = 1; threads <= 3; threads++)
                check_product(product_shapes[s][0], product_shapes[s][1], product_shapes[s][2], 0, 1, acts[a],
                              threads);
}
END_TEST

/* ---- the optimizer's split pass ------------------------------------------------- */

/* Three optimizer steps on n parameters, as one long span or cut into
 * spans long and short; returns the parameters. */
static float *optimizer_steps(tg_optim_config c, int threads, size_t n, int cut)
{
    tg_rng r;
    tg_rng_seed(&r, 11);
    float *p = malloc(n * sizeof(float)), *g = malloc(n * sizeof(float));
    random_fill(p, n, &r);
    tg_set_threads(threads);
    static const size_t lengths[] = {7, 5000, 40000, 1}; /* the fifth span is the rest */
    tg_span spans[5] = {{p, g, n}};
    int n_spans = 1;
    if (cut) {
        size_t at = 0;
        for (n_spans = 0; n_spans < 5; n_spans++) {
            size_t len = n_spans < 4 ? lengths[n_spans] : n - at;
            spans[n_spans] = (tg_span){p + at, g + at, len};
            at += len;
        }
    }
    tg_error err = {{0}};
    tg_optimizer *o = tg_optimizer_new(&c, spans, n_spans, &err);
    ck_assert_msg(o != NULL, "%s", err.msg);
    for (int step = 0; step < 3; step++) {
        random_fill(g, n, &r);
        tg_optimizer_step(o, 0.01, -1);
    }
    tg_optimizer_free(o);
    free(g);
    tg_set_threads(1);
    return p;
}

START_TEST(optimizer_passes_split_over_threads_are_bitwise_the_same)
{
    size_t n = 100003; /* not a multiple of the vector width or of the chunk */
    tg_optim_config sgd = tg_optim_defaults(TG_SGD);
    sgd.momentum = 0.9;
    sgd.nesterov = 1;
    tg_optim_config configs[] = {tg_optim_defaults(TG_ADAMW), sgd};
    for (int c = 0; c < 2; c++) {
        float *one = optimizer_steps(configs[c], 1, n, 0);
        for (int threads = 1; threads <= 3; threads++)
            for (int cut = threads == 1; cut <= 1; cut++) {
                float *many = optimizer_steps(configs[c], threads, n, cut);
                ck_assert_msg(memcmp(one, many, n * sizeof(float)) == 0, "optimizer %d, %d threads, %s differs", c,
                              threads, cut ? "5 spans" : "one span");
                free(many);
            }
        free(one);
    }
}
END_TEST

/* ---- row ops split over threads ------------------------------------------------- */

/* Every op the registry marks `rows`, with its inputs row-aligned and
 * broadcast along rows, big enough to be split. */
static int row_op_graph(tg_graph *g, tg_tensor *outs, tg_tensor *leaves)
{
    enum { R = 257, C = 100 };
    tg_tensor x = tg_param(g, "x", tg_shape2(R, C)), b = tg_param(g, "b", tg_shape1(C));
    tg_tensor c = tg_param(g, "c", tg_shape2(R, 1)), r = tg_param(g, "r", tg_shape2(1, C));
    tg_tensor p = tg_add_scalar(g, tg_abs(g, x), 0.5f);                  // [R, C], > 0
    tg_tensor t[] = {
        tg_relu(g, tg_add(g, x, b)), tg_leaky_relu(g, tg_sub(g, c, x), 0.1f), tg_sigmoid(g, tg_mul(g, x, r)),
        tg_tanh(g, tg_div(g, x, p)), tg_rownorm(g, tg_scale(g, tg_neg(g, x), 0.7f)), tg_exp(g, x),
        tg_log(g, p), tg_sqrt(g, p), tg_square(g, x), tg_pow(g, p, 1.5f), tg_copy(g, x),
        tg_rowdist(g, x, tg_mul(g, x, r)),
    };
    int n = 0;
    outs[n++] = tg_sign(g, x); /* not differentiable: kept out of the loss */
    tg_tensor loss = TG_NONE;
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        outs[n++] = t[i];
        tg_tensor s = tg_sum(g, t[i]);
        loss = loss == TG_NONE ? s : tg_add(g, loss, s);
    }
    leaves[0] = x, leaves[1] = b, leaves[2] = c, leaves[3] = r;
    ck_assert_msg(tg_gradients(g, loss, leaves, 4, outs + n) == 0, "%s", tg_graph_error(g));
    return n + 4;
}

START_TEST(row_ops_split_over_threads_are_bitwise_the_same)
{
    tg_graph *g = tg_graph_new();
    tg_tensor outs[32], leaves[4];
    int n = row_op_graph(g, outs, leaves);
    ck_assert_msg(!tg_graph_failed(g), "%s", tg_graph_error(g));
    for (int op = 0; op < TG_OP_COUNT; op++) {
        int used = 0;
        for (int i = 0; i < tg_graph_size(g); i++)
            used |= tg_op_of(g, i) == op;
        ck_assert_msg(!tg_registry[op].rows || used, "row op %s is not in the test graph", tg_registry[op].name);
    }
    tg_rng r;
    tg_rng_seed(&r, 9);
    random_fill(tg_params(g), tg_params_floats(g), &r);
    tg_plan *p = tg_plan_new(g, outs, n, NULL);
    ck_assert_ptr_nonnull(p);
    float *one[32];
    size_t bytes[32];
    tg_set_threads(1);
    ck_assert_int_eq(tg_plan_run(p), 0);
    for (int i = 0; i < n; i++) {
        bytes[i] = (size_t)tg_shape_numel(tg_shape_of(g, outs[i])) * sizeof(float);
        one[i] = malloc(bytes[i]);
        memcpy(one[i], tg_plan_data(p, outs[i]), bytes[i]);
    }
    for (int threads = 2; threads <= 3; threads++) {
        tg_set_threads(threads);
        memset(tg_grads(g), 0, tg_params_floats(g) * sizeof(float));
        ck_assert_int_eq(tg_plan_run(p), 0);
        for (int i = 0; i < n; i++)
            ck_assert_msg(memcmp(one[i], tg_plan_data(p, outs[i]), bytes[i]) == 0, "threads %d: '%s' differs",
                          threads, tg_name_of(g, outs[i]));
    }
    tg_set_threads(1);
    for (int i = 0; i < n; i++)
        free(one[i]);
    tg_plan_free(p);
    tg_graph_free(g);
}
END_TEST

/* ---- a training plan on two threads ---------------------------------------------- */

START_TEST(planned_and_linear_runs_agree_bitwise_on_two_threads)
{
    enum { B = 64, IN = 300, H = 300, OUT = 40 }; /* [B, H] is big enough to split */
    tg_graph *g = tg_graph_new();
    tg_tensor x = tg_input(g, "x", tg_shape2(B, IN));                         // [B, IN]
    tg_tensor w1 = tg_param(g, "w1", tg_shape2(H, IN)), b1 = tg_param(g, "b1", tg_shape1(H));
    tg_tensor w2 = tg_param(g, "w2", tg_shape2(OUT, H)), b2 = tg_param(g, "b2", tg_shape1(OUT));
    tg_tensor h = tg_sigmoid(g, tg_linear(g, x, w1, b1));                    // [B, H]
    tg_tensor y = tg_tanh(g, tg_linear(g, h, w2, b2));                       // [B, OUT]
    tg_tensor loss = tg_sum(g, tg_rownorm(g, y));
    tg_tensor params[4] = {w1, b1, w2, b2}, outs[5] = {loss};
    ck_assert_int_eq(tg_gradients(g, loss, params, 4, outs + 1), 0);
    tg_rng r;
    tg_rng_seed(&r, 5);
    float *xv = malloc(B * IN * sizeof(float));
    random_fill(xv, B * IN, &r);
    random_fill(tg_params(g), tg_params_floats(g), &r);

    tg_set_threads(2);
    tg_plan_opts linear = {TG_PLAN_LINEAR};
    tg_plan *pl = tg_plan_new(g, outs, 5, &linear), *pg = tg_plan_new(g, outs, 5, NULL);
    ck_assert_ptr_nonnull(pl);
    ck_assert_ptr_nonnull(pg);
    float loss_linear = assert_plans_agree(g, pl, pg, x, xv, loss);

    /* and one thread computes the same up to the GEMMs' rounding */
    tg_set_threads(1);
    ck_assert_int_eq(tg_plan_run(pg), 0);
    ck_assert_float_eq_tol(tg_plan_scalar(pg, loss), loss_linear, 1e-4 * fabsf(loss_linear));
    tg_plan_free(pl);
    tg_plan_free(pg);
    tg_graph_free(g);
    free(xv);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("parallel");
    TCase *tc = tcase_create("threads");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, parallel_for_covers_each_index_once_in_aligned_chunks);
    tcase_add_test(tc, split_gemms_match_a_reference_product);
    tcase_add_test(tc, split_linear_layers_match_a_reference);
    tcase_add_test(tc, optimizer_passes_split_over_threads_are_bitwise_the_same);
    tcase_add_test(tc, row_ops_split_over_threads_are_bitwise_the_same);
    tcase_add_test(tc, planned_and_linear_runs_agree_bitwise_on_two_threads);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
