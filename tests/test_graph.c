/* test_graph.c - build-time shape errors, the memory planner's invariants on
 * random graphs, planned vs linear execution, and a small MLP trained with
 * plain SGD. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tg.h"
#include "tg_ops.h"
#include "tg_rng.h"
#include "check_util.h"

/* ---- shape errors: returned, naming op, nodes and shapes ----------------- */

static void assert_error_mentions(tg_graph *g, const char *const *words)
{
    ck_assert(tg_graph_failed(g));
    for (int i = 0; words[i]; i++)
        ck_assert_msg(strstr(tg_graph_error(g), words[i]), "error \"%s\" lacks \"%s\"",
                      tg_graph_error(g), words[i]);
}

START_TEST(matmul_mismatch_is_a_returned_error)
{
    tg_graph *g = tg_graph_new();
    tg_tensor x = tg_input(g, "x", tg_shape2(64, 784));
    tg_tensor w = tg_param(g, "w", tg_shape2(392, 196));
    int before = tg_graph_size(g);
    tg_tensor y = tg_matmul(g, x, w, 0, 0);
    ck_assert_int_eq(y, TG_NONE);
    ck_assert_int_eq(tg_graph_size(g), before); /* nothing appended */
    const char *words[] = {"matmul", "'x'", "[64, 784]", "'w'", "[392, 196]", NULL};
    assert_error_mentions(g, words);
    /* The first error sticks: later builders return TG_NONE silently. */
    ck_assert_int_eq(tg_relu(g, y), TG_NONE);
    ck_assert_int_eq(tg_add(g, x, x), TG_NONE);
    assert_error_mentions(g, words);
    tg_graph_free(g);
}
END_TEST

typedef struct bad_case {
    const char *words[6];
} bad_case;

START_TEST(every_shape_rule_reports_misfits)
{
    for (int c = 0; c < 10; c++) {
        tg_graph *g = tg_graph_new();
        tg_tensor a = tg_input(g, "a", tg_shape2(3, 4));
        tg_tensor b = tg_input(g, "b", tg_shape2(5, 6));
        tg_tensor v = tg_input(g, "v", tg_shape1(5));
        tg_tensor r = TG_NONE;
        const char *w0 = NULL;
        switch (c) {
        case 0: r = tg_add(g, a, v); w0 = "add"; break;
        case 1: r = tg_mul(g, a, b); w0 = "mul"; break;
        case 2: r = tg_reshape(g, a, tg_shape2(5, 3)); w0 = "reshape"; break;
        case 3: r = tg_rownorm(g, v); w0 = "rownorm"; break;
        case 4: r = tg_transpose(g, v); w0 = "transpose"; break;
        case 5: r = tg_sum_axis(g, a, 2); w0 = "sum"; break;
        case 6: r = tg_sum_to(g, a, tg_shape1(3)); w0 = "sum_to"; break;
        case 7: r = tg_broadcast_to(g, v, tg_shape2(3, 4)); w0 = "broadcast_to"; break;
        case 8: r = tg_matmul(g, a, a, 0, 0); w0 = "matmul"; break;
        case 9: r = tg_linear_act(g, a, b, v, TG_OP_TANH, 0.0f); w0 = "linear"; break;
        }
        ck_assert_int_eq(r, TG_NONE);
        const char *words[] = {w0, "[", NULL};
        assert_error_mentions(g, words);
        tg_graph_free(g);
    }
}
END_TEST

START_TEST(invalid_leaves_and_losses_are_errors)
{
    tg_graph *g = tg_graph_new();
    ck_assert_int_eq(tg_input(g, "bad", tg_shape2(0, 3)), TG_NONE);
    ck_assert_ptr_nonnull(strstr(tg_graph_error(g), "bad"));
    tg_graph_clear_error(g);
    tg_tensor p = tg_param(g, "p", tg_shape2(2, 2));
    tg_tensor gp;
    ck_assert_int_eq(tg_gradients(g, tg_relu(g, p), &p, 1, &gp), -1);
    ck_assert_ptr_nonnull(strstr(tg_graph_error(g), "scalar"));
    tg_graph_free(g);
}
END_TEST

/* ---- random graphs: the planner's invariants ------------------------------ */

/* A random DAG over [R, C] tensors: binary ops between earlier nodes, unary
 * maps, matmuls with square parameters, row reductions broadcast back. */
static tg_tensor random_graph(tg_graph *g, tg_rng *r, int n_ops, tg_tensor *params, int *n_params,
                              tg_tensor *x_out)
{
    const int R = 5, C = 7;
    tg_tensor pool[256];
    int n = 0;
    tg_tensor x = tg_input(g, "x", tg_shape2(R, C));
    *x_out = x;
    pool[n++] = x;
    *n_params = 0;
    for (int i = 0; i < 3; i++) {
        char name[16];
        snprintf(name, sizeof name, "w%d", i);
        params[(*n_params)++] = pool[n++] = tg_param(g, name, tg_shape2(R, C));
    }
    tg_tensor sq = params[(*n_params)++] = tg_param(g, "m", tg_shape2(C, C));
    for (int i = 0; i < n_ops; i++) {
        tg_tensor a = pool[tg_rng_below(r, (uint64_t)n)];
        tg_tensor b = pool[tg_rng_below(r, (uint64_t)n)];
        tg_tensor y;
        switch (tg_rng_below(r, 7)) {
        case 0: y = tg_add(g, a, b); break;
        case 1: y = tg_mul(g, a, b); break;
        case 2: y = tg_tanh(g, a); break;
        case 3: y = tg_scale(g, tg_sub(g, a, b), 0.5f); break;
        case 4: y = tg_matmul(g, a, sq, 0, 0); break;
        case 5: y = tg_add(g, a, tg_mean_axis(g, b, 1)); break;
        default: y = tg_leaky_relu(g, tg_add_scalar(g, a, 0.1f), 0.2f); break;
        }
        pool[n++] = y;
    }
    tg_tensor loss = tg_mean(g, tg_square(g, pool[n - 1]));
    for (int i = 1; i < 4; i++)
        loss = tg_add(g, loss, tg_mean(g, pool[n - 1 - (int)tg_rng_below(r, 8)]));
    return loss;
}

/* Two arena tensors whose lifetimes overlap may share memory only when one
 * hands its buffer to the other in place (its last use is the other's birth). */
static void assert_no_live_overlap(const tg_graph *g, const tg_plan *p)
{
    int n = tg_graph_size(g);
    for (int a = 0; a < n; a++) {
        int fa, la, fb, lb;
        size_t oa, ob;
        if (tg_plan_lifetime(p, a, &fa, &la, &oa) || oa == (size_t)-1)
            continue;
        size_t ea = oa + (size_t)tg_shape_numel(tg_shape_of(g, a)) * sizeof(float);
        for (int b = a + 1; b < n; b++) {
            if (tg_plan_lifetime(p, b, &fb, &lb, &ob) || ob == (size_t)-1)
                continue;
            size_t eb = ob + (size_t)tg_shape_numel(tg_shape_of(g, b)) * sizeof(float);
            int live_together = fa <= lb && fb <= la;
            int share = oa < eb && ob < ea;
            if (!live_together || !share)
                continue;
            int handoff = oa == ob && la == fb && tg_input_of(g, b, 0) == a;
            ck_assert_msg(handoff, "'%s' [%d,%d]@%zu and '%s' [%d,%d]@%zu overlap while both live",
                          tg_name_of(g, a), fa, la, oa, tg_name_of(g, b), fb, lb, ob);
        }
    }
}

static int run_random_case(uint64_t seed, int check_identity)
{
    tg_rng r;
    tg_rng_seed(&r, seed);
    tg_graph *g = tg_graph_new();
    tg_tensor params[8], grads[8], x;
    int np;
    tg_tensor loss = random_graph(g, &r, 10 + (int)tg_rng_below(&r, 30), params, &np, &x);
    ck_assert_msg(!tg_graph_failed(g), "%s", tg_graph_error(g));
    ck_assert_int_eq(tg_gradients(g, loss, params, np, grads), 0);
    tg_tensor outs[9] = {loss};
    memcpy(outs + 1, grads, sizeof(tg_tensor) * (size_t)np);

    tg_plan_opts linear = {TG_PLAN_LINEAR};
    tg_plan *pg = tg_plan_new(g, outs, np + 1, NULL);
    tg_plan *pl = tg_plan_new(g, outs, np + 1, &linear);
    ck_assert_ptr_nonnull(pg);
    ck_assert_ptr_nonnull(pl);
    assert_no_live_overlap(g, pg);
    assert_no_live_overlap(g, pl);
    tg_mem_report mg = tg_plan_memory(pg), ml = tg_plan_memory(pl);
    ck_assert_uint_ge(mg.planned_bytes, mg.lower_bound_bytes);
    ck_assert_uint_le(mg.planned_bytes, ml.planned_bytes);
    ck_assert_uint_eq(ml.planned_bytes, ml.naive_bytes);

    if (check_identity) {
        float xin[35];
        for (int i = 0; i < 35; i++)
            xin[i] = tg_rng_uniform_range(&r, -1, 1);
        float *pd = tg_params(g);
        for (size_t i = 0; i < tg_params_floats(g); i++)
            pd[i] = tg_rng_uniform_range(&r, -0.5f, 0.5f);
        assert_plans_agree(g, pl, pg, x, xin, loss);
    }
    int reused = mg.planned_bytes < ml.planned_bytes;
    tg_plan_free(pg);
    tg_plan_free(pl);
    tg_graph_free(g);
    return reused;
}

START_TEST(random_graphs_plan_without_live_overlap_and_bitwise_equal)
{
    int reused = 0;
    for (uint64_t seed = 1; seed <= 60; seed++)
        reused += run_random_case(seed, 1);
    ck_assert_int_gt(reused, 50); /* the greedy planner does reuse memory */
}
END_TEST

/* An inference plan of the same graph needs no backward memory. */
START_TEST(forward_plan_is_smaller_than_training_plan)
{
    tg_graph *g = tg_graph_new();
    tg_tensor x = tg_input(g, "x", tg_shape2(16, 32));
    tg_tensor w1 = tg_param(g, "w1", tg_shape2(64, 32)), b1 = tg_param(g, "b1", tg_shape1(64));
    tg_tensor w2 = tg_param(g, "w2", tg_shape2(32, 64)), b2 = tg_param(g, "b2", tg_shape1(32));
    tg_tensor y = tg_linear(g, tg_tanh(g, tg_linear(g, x, w1, b1)), w2, b2);
    tg_tensor err = tg_rownorm(g, tg_sub(g, x, y));
    tg_tensor loss = tg_sum(g, err);
    tg_tensor ps[4] = {w1, b1, w2, b2}, gs[5];
    tg_gradients(g, loss, ps, 4, gs);
    gs[4] = loss;
    tg_plan *train = tg_plan_new(g, gs, 5, NULL), *infer = tg_plan_new(g, &err, 1, NULL);
    tg_mem_report mt = tg_plan_memory(train), mi = tg_plan_memory(infer);
    ck_assert_int_lt(mi.n_nodes, mt.n_nodes);
    ck_assert_uint_lt(mi.planned_bytes, mt.planned_bytes);
    ck_assert_int_eq(tg_plan_position(infer, gs[0]), -1);
    /* The listing names every scheduled node with its offset. */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    tg_plan_dump(train, f);
    tg_graph_dot(g, train, f);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(buf, "grad_w1"));
    ck_assert_ptr_nonnull(strstr(buf, "lower bound"));
    ck_assert_ptr_nonnull(strstr(buf, "digraph"));
    free(buf);
    tg_plan_free(train);
    tg_plan_free(infer);
    tg_graph_free(g);
}
END_TEST

START_TEST(profile_times_each_scheduled_node)
{
    tg_graph *g = tg_graph_new();
    tg_tensor x = tg_input(g, "x", tg_shape2(64, 256));
    tg_tensor w = tg_param(g, "w", tg_shape2(128, 256)), b = tg_param(g, "b", tg_shape1(128));
    tg_tensor h = tg_linear_act(g, x, w, b, TG_OP_SIGMOID, 0.0f);
    tg_tensor s = tg_sum(g, tg_rownorm(g, h));
    tg_tensor unused = tg_exp(g, x);
    float *xv = calloc(64 * 256, sizeof(float));
    tg_plan *p = tg_plan_new(g, &s, 1, NULL);
    tg_plan_bind(p, x, xv);
    ck_assert_int_eq(tg_plan_profile(p, 1), 0);
    for (int i = 0; i < 3; i++)
        tg_plan_run(p);
    ck_assert(tg_plan_node_seconds(p, h) > 0.0);
    ck_assert(tg_plan_node_seconds(p, unused) == 0.0);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    tg_plan_profile_print(p, f);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(buf, "over 3 runs"));
    ck_assert_ptr_nonnull(strstr(buf, "linear"));
    ck_assert_ptr_nonnull(strstr(buf, "rownorm"));
    free(buf);
    tg_plan_profile(p, 0); /* off: nothing timed any more */
    ck_assert(tg_plan_node_seconds(p, h) == 0.0);
    tg_plan_free(p);
    free(xv);
    tg_graph_free(g);
}
END_TEST

START_TEST(unbound_input_is_an_error)
{
    tg_graph *g = tg_graph_new();
    tg_tensor x = tg_input(g, "pixels", tg_shape2(2, 2));
    tg_tensor s = tg_sum(g, x);
    tg_plan *p = tg_plan_new(g, &s, 1, NULL);
    ck_assert_int_eq(tg_plan_run(p), -1);
    ck_assert_ptr_nonnull(strstr(tg_graph_error(g), "pixels"));
    tg_plan_free(p);
    tg_graph_free(g);
}
END_TEST

/* ---- end to end: a two-layer MLP fits a teacher with plain SGD ----------- */

START_TEST(mlp_trained_with_sgd_fits_its_teacher)
{
    enum { B = 32, IN = 4, H = 16 };
    tg_rng r;
    tg_rng_seed(&r, 3);
    float xs[B * IN], ys[B];
    for (int i = 0; i < B; i++) {
        double t = 0;
        for (int j = 0; j < IN; j++) {
            xs[i * IN + j] = tg_rng_uniform_range(&r, -1, 1);
            t += sin(1.5 * xs[i * IN + j] * (j + 1));
        }
        ys[i] = (float)(0.3 * t);
    }
    tg_graph *g = tg_graph_new();
    tg_tensor x = tg_input(g, "x", tg_shape2(B, IN)), y = tg_input(g, "y", tg_shape2(B, 1));
    tg_tensor w1 = tg_param(g, "w1", tg_shape2(H, IN)), b1 = tg_param(g, "b1", tg_shape1(H));
    tg_tensor w2 = tg_param(g, "w2", tg_shape2(1, H)), b2 = tg_param(g, "b2", tg_shape1(1));
    tg_tensor pred = tg_linear(g, tg_tanh(g, tg_linear(g, x, w1, b1)), w2, b2); // [B, 1]
    tg_tensor loss = tg_mean(g, tg_square(g, tg_sub(g, pred, y)));
    tg_tensor ps[4] = {w1, b1, w2, b2}, gs[4];
    ck_assert_int_eq(tg_gradients(g, loss, ps, 4, gs), 0);
    tg_tensor outs[5] = {loss, gs[0], gs[1], gs[2], gs[3]};
    tg_plan *p = tg_plan_new(g, outs, 5, NULL);
    float *params = tg_params(g), *grads = tg_grads(g);
    size_t n = tg_params_floats(g);
    for (size_t i = 0; i < n; i++)
        params[i] = tg_rng_uniform_range(&r, -0.5f, 0.5f);
    tg_plan_bind(p, x, xs);
    tg_plan_bind(p, y, ys);
    tg_plan_run(p);
    float first = tg_plan_scalar(p, loss), last = first;
    for (int step = 0; step < 20000; step++) {
        for (size_t i = 0; i < n; i++)
            params[i] -= 0.5f * grads[i];
        tg_plan_run(p);
        last = tg_plan_scalar(p, loss);
    }
    ck_assert_msg(last < 0.01f * first && last < 2e-3f, "loss %g -> %g", first, last);
    tg_plan_free(p);
    tg_graph_free(g);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("graph");
    TCase *shapes = tcase_create("shapes");
    tcase_add_test(shapes, matmul_mismatch_is_a_returned_error);
    tcase_add_test(shapes, every_shape_rule_reports_misfits);
    tcase_add_test(shapes, invalid_leaves_and_losses_are_errors);
    suite_add_tcase(s, shapes);
    TCase *plan = tcase_create("planner");
    tcase_set_timeout(plan, 60);
    tcase_add_test(plan, random_graphs_plan_without_live_overlap_and_bitwise_equal);
    tcase_add_test(plan, forward_plan_is_smaller_than_training_plan);
    tcase_add_test(plan, unbound_input_is_an_error);
    tcase_add_test(plan, profile_times_each_scheduled_node);
    suite_add_tcase(s, plan);
    TCase *train = tcase_create("train");
    tcase_set_timeout(train, 60);
    tcase_add_test(train, mlp_trained_with_sgd_fits_its_teacher);
    suite_add_tcase(s, train);
    return run_suite(s);
}
