/* test_grad.c - every gradient rule in the registry against central finite
 * differences, and accumulation over several consumers.
 *
 * The test walks the whole registry: an op with a gradient rule and no
 * recipe below fails, and so does an op with neither a rule nor a `no_grad`
 * declaration. Each recipe builds the op on parameters drawn away from the
 * op's kinks; the loss is sum(op(...) * w) with a random w so that every
 * output element weighs differently.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tg_internal.h"
#include "tg_rng.h"
#include "check_util.h"

typedef tg_tensor (*build_fn)(tg_graph *g, const tg_tensor *x);

typedef struct recipe {
    int op;
    int n_in;
    tg_shape shape[TG_MAX_INPUTS];
    float lo, hi;     /* input magnitudes */
    int   signed_in;  /* draw a random sign too */
    build_fn build;
} recipe;

#define S1(a) {1, {a}}
#define S2(a, b) {2, {a, b}}

static tg_tensor b_add(tg_graph *g, const tg_tensor *x) { return tg_add(g, x[0], x[1]); }
static tg_tensor b_sub(tg_graph *g, const tg_tensor *x) { return tg_sub(g, x[0], x[1]); }
static tg_tensor b_mul(tg_graph *g, const tg_tensor *x) { return tg_mul(g, x[0], x[1]); }
static tg_tensor b_div(tg_graph *g, const tg_tensor *x) { return tg_div(g, x[0], x[1]); }
static tg_tensor b_scale(tg_graph *g, const tg_tensor *x) { return tg_scale(g, x[0], -1.7f); }
static tg_tensor b_add_scalar(tg_graph *g, const tg_tensor *x) { return tg_add_scalar(g, x[0], 0.3f); }
static tg_tensor b_neg(tg_graph *g, const tg_tensor *x) { return tg_neg(g, x[0]); }
static tg_tensor b_exp(tg_graph *g, const tg_tensor *x) { return tg_exp(g, x[0]); }
static tg_tensor b_log(tg_graph *g, const tg_tensor *x) { return tg_log(g, x[0]); }
static tg_tensor b_sqrt(tg_graph *g, const tg_tensor *x) { return tg_sqrt(g, x[0]); }
static tg_tensor b_square(tg_graph *g, const tg_tensor *x) { return tg_square(g, x[0]); }
static tg_tensor b_pow(tg_graph *g, const tg_tensor *x) { return tg_pow(g, x[0], 2.5f); }
static tg_tensor b_abs(tg_graph *g, const tg_tensor *x) { return tg_abs(g, x[0]); }
static tg_tensor b_copy(tg_graph *g, const tg_tensor *x) { return tg_copy(g, x[0]); }
static tg_tensor b_relu(tg_graph *g, const tg_tensor *x) { return tg_relu(g, x[0]); }
static tg_tensor b_leaky(tg_graph *g, const tg_tensor *x) { return tg_leaky_relu(g, x[0], 0.1f); }
static tg_tensor b_sigmoid(tg_graph *g, const tg_tensor *x) { return tg_sigmoid(g, x[0]); }
static tg_tensor b_tanh(tg_graph *g, const tg_tensor *x) { return tg_tanh(g, x[0]); }
static tg_tensor b_mm00(tg_graph *g, const tg_tensor *x) { return tg_matmul(g, x[0], x[1], 0, 0); }
static tg_tensor b_mm01(tg_graph *g, const tg_tensor *x) { return tg_matmul(g, x[0], x[1], 0, 1); }
static tg_tensor b_mm10(tg_graph *g, const tg_tensor *x) { return tg_matmul(g, x[0], x[1], 1, 0); }
static tg_tensor b_mm11(tg_graph *g, const tg_tensor *x) { return tg_matmul(g, x[0], x[1], 1, 1); }
static tg_tensor b_lin(tg_graph *g, const tg_tensor *x) { return tg_linear(g, x[0], x[1], x[2]); }
static tg_tensor b_lin_relu(tg_graph *g, const tg_tensor *x) { return tg_linear_act(g, x[0], x[1], x[2], TG_OP_RELU, 0.0f); }
static tg_tensor b_lin_leaky(tg_graph *g, const tg_tensor *x) { return tg_linear_act(g, x[0], x[1], x[2], TG_OP_LEAKY_RELU, 0.1f); }
static tg_tensor b_lin_sigmoid(tg_graph *g, const tg_tensor *x) { return tg_linear_act(g, x[0], x[1], x[2], TG_OP_SIGMOID, 0.0f); }
static tg_tensor b_lin_tanh(tg_graph *g, const tg_tensor *x) { return tg_linear_act(g, x[0], x[1], x[2], TG_OP_TANH, 0.0f); }
static tg_tensor b_sum(tg_graph *g, const tg_tensor *x) { return tg_sum(g, x[0]); }
static tg_tensor b_sum0(tg_graph *g, const tg_tensor *x) { return tg_sum_axis(g, x[0], 0); }
static tg_tensor b_sum1(tg_graph *g, const tg_tensor *x) { return tg_sum_axis(g, x[0], 1); }
static tg_tensor b_mean(tg_graph *g, const tg_tensor *x) { return tg_mean(g, x[0]); }
static tg_tensor b_mean1(tg_graph *g, const tg_tensor *x) { return tg_mean_axis(g, x[0], 1); }
static tg_tensor b_sum_to_row(tg_graph *g, const tg_tensor *x) { return tg_sum_to(g, x[0], tg_shape1(4)); }
static tg_tensor b_sum_to_col(tg_graph *g, const tg_tensor *x) { return tg_sum_to(g, x[0], tg_shape2(3, 1)); }
static tg_tensor b_bcast(tg_graph *g, const tg_tensor *x) { return tg_broadcast_to(g, x[0], tg_shape2(3, 4)); }
static tg_tensor b_rowdist(tg_graph *g, const tg_tensor *x) { return tg_rowdist(g, x[0], x[1]); }
static tg_tensor b_rownorm(tg_graph *g, const tg_tensor *x) { return tg_rownorm(g, x[0]); }
static tg_tensor b_reshape(tg_graph *g, const tg_tensor *x) { return tg_reshape(g, x[0], tg_shape2(2, 6)); }
static tg_tensor b_transpose(tg_graph *g, const tg_tensor *x) { return tg_transpose(g, x[0]); }

static const recipe recipes[] = {
    {TG_OP_ADD, 2, {S2(3, 4), S2(3, 4)}, 0.2f, 1.0f, 1, b_add},
    {TG_OP_ADD, 2, {S2(3, 4), S1(4)}, 0.2f, 1.0f, 1, b_add},
    {TG_OP_ADD, 2, {S2(3, 1), S2(3, 4)}, 0.2f, 1.0f, 1, b_add},
    {TG_OP_SUB, 2, {S2(3, 4), S1(4)}, 0.2f, 1.0f, 1, b_sub},
    {TG_OP_SUB, 2, {S1(4), S2(3, 4)}, 0.2f, 1.0f, 1, b_sub},
    {TG_OP_MUL, 2, {S2(3, 4), S2(3, 4)}, 0.2f, 1.0f, 1, b_mul},
    {TG_OP_MUL, 2, {S2(3, 4), S2(3, 1)}, 0.2f, 1.0f, 1, b_mul},
    {TG_OP_DIV, 2, {S2(3, 4), S2(3, 4)}, 0.5f, 1.5f, 0, b_div},
    {TG_OP_DIV, 2, {S2(3, 4), S1(1)}, 0.5f, 1.5f, 0, b_div},
    {TG_OP_SCALE, 1, {S2(3, 4)}, 0.2f, 1.0f, 1, b_scale},
    {TG_OP_ADD_SCALAR, 1, {S2(3, 4)}, 0.2f, 1.0f, 1, b_add_scalar},
    {TG_OP_NEG, 1, {S2(3, 4)}, 0.2f, 1.0f, 1, b_neg},
    {TG_OP_EXP, 1, {S2(3, 4)}, 0.2f, 1.0f, 1, b_exp},
    {TG_OP_LOG, 1, {S2(3, 4)}, 0.5f, 2.0f, 0, b_log},
    {TG_OP_SQRT, 1, {S2(3, 4)}, 0.5f, 2.0f, 0, b_sqrt},
    {TG_OP_SQUARE, 1, {S2(3, 4)}, 0.2f, 1.0f, 1, b_square},
    {TG_OP_POW, 1, {S2(3, 4)}, 0.5f, 1.5f, 0, b_pow},
    {TG_OP_ABS, 1, {S2(3, 4)}, 0.2f, 1.0f, 1, b_abs},
    {TG_OP_COPY, 1, {S2(3, 4)}, 0.2f, 1.0f, 1, b_copy},
    {TG_OP_RELU, 1, {S2(3, 4)}, 0.2f, 1.0f, 1, b_relu},
    {TG_OP_LEAKY_RELU, 1, {S2(3, 4)}, 0.2f, 1.0f, 1, b_leaky},
    {TG_OP_SIGMOID, 1, {S2(3, 4)}, 0.2f, 2.0f, 1, b_sigmoid},
    {TG_OP_TANH, 1, {S2(3, 4)}, 0.2f, 1.5f, 1, b_tanh},
    {TG_OP_MATMUL, 2, {S2(3, 4), S2(4, 5)}, 0.2f, 1.0f, 1, b_mm00},
    {TG_OP_MATMUL, 2, {S2(3, 4), S2(5, 4)}, 0.2f, 1.0f, 1, b_mm01},
    {TG_OP_MATMUL, 2, {S2(4, 3), S2(4, 5)}, 0.2f, 1.0f, 1, b_mm10},
    {TG_OP_MATMUL, 2, {S2(4, 3), S2(5, 4)}, 0.2f, 1.0f, 1, b_mm11},
    {TG_OP_LINEAR, 3, {S2(3, 4), S2(5, 4), S1(5)}, 0.2f, 1.0f, 1, b_lin},
    {TG_OP_LINEAR, 3, {S2(3, 4), S2(5, 4), S1(5)}, 0.2f, 1.0f, 1, b_lin_relu},
    {TG_OP_LINEAR, 3, {S2(3, 4), S2(5, 4), S1(5)}, 0.2f, 1.0f, 1, b_lin_leaky},
    {TG_OP_LINEAR, 3, {S2(3, 4), S2(5, 4), S1(5)}, 0.2f, 1.0f, 1, b_lin_sigmoid},
    {TG_OP_LINEAR, 3, {S2(3, 4), S2(5, 4), S1(5)}, 0.2f, 1.0f, 1, b_lin_tanh},
    {TG_OP_SUM, 1, {S2(3, 4)}, 0.2f, 1.0f, 1, b_sum},
    {TG_OP_SUM, 1, {S2(3, 4)}, 0.2f, 1.0f, 1, b_sum0},
    {TG_OP_SUM, 1, {S2(3, 4)}, 0.2f, 1.0f, 1, b_sum1},
    {TG_OP_MEAN, 1, {S2(3, 4)}, 0.2f, 1.0f, 1, b_mean},
    {TG_OP_MEAN, 1, {S2(3, 4)}, 0.2f, 1.0f, 1, b_mean1},
    {TG_OP_SUM_TO, 1, {S2(3, 4)}, 0.2f, 1.0f, 1, b_sum_to_row},
    {TG_OP_SUM_TO, 1, {S2(3, 4)}, 0.2f, 1.0f, 1, b_sum_to_col},
    {TG_OP_BROADCAST_TO, 1, {S1(4)}, 0.2f, 1.0f, 1, b_bcast},
    {TG_OP_ROWNORM, 1, {S2(3, 4)}, 0.2f, 1.0f, 1, b_rownorm},
    {TG_OP_ROWDIST, 2, {S2(3, 4), S2(3, 4)}, 0.2f, 1.0f, 1, b_rowdist},
    {TG_OP_RESHAPE, 1, {S2(3, 4)}, 0.2f, 1.0f, 1, b_reshape},
    {TG_OP_TRANSPOSE, 1, {S2(3, 4)}, 0.2f, 1.0f, 1, b_transpose},
};
#define N_RECIPES ((int)(sizeof recipes / sizeof recipes[0]))

static void fill_random(tg_rng *r, float *x, int64_t n, float lo, float hi, int signed_in)
{
    for (int64_t i = 0; i < n; i++) {
        float v = tg_rng_uniform_range(r, lo, hi);
        x[i] = signed_in && tg_rng_uniform(r) < 0.5f ? -v : v;
    }
}

/* Builds the recipe on parameters, checks autodiff against finite
 * differences; returns the largest error relative to max(1, |g|). */
static double check_recipe(const recipe *rc, tg_rng *r)
{
    tg_graph *g = tg_graph_new();
    tg_tensor x[TG_MAX_INPUTS];
    for (int i = 0; i < rc->n_in; i++)
        x[i] = tg_param(g, i ? "b" : "a", rc->shape[i]);
    tg_tensor y = rc->build(g, x);
    ck_assert_msg(y != TG_NONE, "%s: %s", tg_op_name(rc->op), tg_graph_error(g));
    ck_assert_int_eq(tg_op_of(g, y), rc->op);
    tg_tensor w = tg_input(g, "w", *tg_shape_of(g, y));
    tg_tensor loss = tg_sum(g, tg_mul(g, y, w));
    tg_tensor grads[TG_MAX_INPUTS];
    ck_assert_int_eq(tg_gradients(g, loss, x, rc->n_in, grads), 0);

    tg_plan *fwd = tg_plan_new(g, &loss, 1, NULL);
    tg_tensor outs[1 + TG_MAX_INPUTS] = {loss};
    memcpy(outs + 1, grads, sizeof(tg_tensor) * (size_t)rc->n_in);
    tg_plan *bwd = tg_plan_new(g, outs, 1 + rc->n_in, NULL);
    ck_assert_msg(fwd && bwd, "%s", tg_graph_error(g));

    int64_t nw = tg_shape_numel(tg_shape_of(g, w));
    float *wdata = malloc((size_t)nw * sizeof(float));
    fill_random(r, wdata, nw, 0.5f, 1.5f, 1);
    tg_plan_bind(fwd, w, wdata);
    tg_plan_bind(bwd, w, wdata);
    for (int i = 0; i < rc->n_in; i++)
        fill_random(r, tg_param_data(g, x[i]), tg_shape_numel(&rc->shape[i]), rc->lo, rc->hi, rc->signed_in);
    ck_assert_int_eq(tg_plan_run(bwd), 0);

    double worst = 0.0;
    const float eps = 1e-2f;
    for (int i = 0; i < rc->n_in; i++) {
        float *p = tg_param_data(g, x[i]);
        const float *an = tg_grad_data(g, x[i]);
        for (int64_t j = 0; j < tg_shape_numel(&rc->shape[i]); j++) {
            float keep = p[j];
            p[j] = keep + eps;
            tg_plan_run(fwd);
            double up = tg_plan_scalar(fwd, loss);
            p[j] = keep - eps;
            tg_plan_run(fwd);
            double down = tg_plan_scalar(fwd, loss);
            p[j] = keep;
            double num = (up - down) / (2.0 * eps);
            double err = fabs(num - an[j]) / fmax(1.0, fabs(num));
            if (err > worst)
                worst = err;
        }
    }
    free(wdata);
    tg_plan_free(fwd);
    tg_plan_free(bwd);
    tg_graph_free(g);
    return worst;
}

START_TEST(every_gradient_rule_matches_finite_differences)
{
    tg_rng r;
    tg_rng_seed(&r, 7);
    for (int i = 0; i < N_RECIPES; i++) {
        double err = check_recipe(&recipes[i], &r);
        ck_assert_msg(err < 5e-3, "op %s (recipe %d): gradient off by %.3g", tg_op_name(recipes[i].op), i, err);
    }
}
END_TEST

START_TEST(every_op_has_a_recipe_or_declares_no_gradient)
{
    for (int op = 1; op < TG_OP_COUNT; op++) {
        const tg_op_def *d = &tg_registry[op];
        ck_assert_msg(d->name && d->forward && d->shape, "op %d: incomplete registry row", op);
        if (!d->grad) {
            ck_assert_msg(d->no_grad, "op %s has no gradient rule and does not declare no_grad", d->name);
            continue;
        }
        int found = 0;
        for (int i = 0; i < N_RECIPES; i++)
            found |= recipes[i].op == op;
        ck_assert_msg(found, "op %s has a gradient rule but no gradient-check recipe", d->name);
    }
}
END_TEST

/* x used twice: d(sum(x * x))/dx = 2x needs the two contributions summed. */
START_TEST(tensor_used_twice_accumulates)
{
    tg_graph *g = tg_graph_new();
    tg_tensor x = tg_param(g, "x", tg_shape2(2, 3));
    tg_tensor loss = tg_sum(g, tg_mul(g, x, x));
    tg_tensor gx;
    ck_assert_int_eq(tg_gradients(g, loss, &x, 1, &gx), 0);
    tg_plan *p = tg_plan_new(g, &gx, 1, NULL);
    float *xd = tg_param_data(g, x);
    for (int i = 0; i < 6; i++)
        xd[i] = (float)i - 2.5f;
    ck_assert_int_eq(tg_plan_run(p), 0);
    for (int i = 0; i < 6; i++)
        ck_assert_float_eq_tol(tg_grad_data(g, x)[i], 2.0f * xd[i], 1e-6f);
    tg_plan_free(p);
    tg_graph_free(g);
}
END_TEST

/* Two losses on one graph, each with its own parameter subset; a parameter
 * the loss does not reach gets zeros, and a plan may not mix both sets. */
START_TEST(two_gradient_sets_on_one_graph)
{
    tg_graph *g = tg_graph_new();
    tg_tensor a = tg_param(g, "a", tg_shape1(3));
    tg_tensor b = tg_param(g, "b", tg_shape1(3));
    tg_tensor l1 = tg_sum(g, tg_square(g, a));             /* d/da = 2a */
    tg_tensor l2 = tg_sum(g, tg_mul(g, a, b));             /* d/db = a */
    tg_tensor both[2] = {a, b}, g1[2], g2;
    ck_assert_int_eq(tg_gradients(g, l1, both, 2, g1), 0);
    ck_assert_int_eq(tg_gradients(g, l2, &b, 1, &g2), 0);
    float *pa = tg_param_data(g, a), *pb = tg_param_data(g, b);
    for (int i = 0; i < 3; i++) {
        pa[i] = (float)i + 1.0f;
        pb[i] = 10.0f;
    }
    tg_plan *p1 = tg_plan_new(g, g1, 2, NULL);
    tg_plan *p2 = tg_plan_new(g, &g2, 1, NULL);
    ck_assert_ptr_nonnull(p1);
    ck_assert_ptr_nonnull(p2);
    tg_plan_run(p1);
    for (int i = 0; i < 3; i++) {
        ck_assert_float_eq(tg_grad_data(g, a)[i], 2.0f * pa[i]);
        ck_assert_float_eq(tg_grad_data(g, b)[i], 0.0f);
    }
    tg_plan_run(p2);
    for (int i = 0; i < 3; i++)
        ck_assert_float_eq(tg_grad_data(g, b)[i], pa[i]);
    tg_tensor mixed[2] = {g1[1], g2};
    ck_assert_ptr_null(tg_plan_new(g, mixed, 2, NULL));
    ck_assert_ptr_nonnull(strstr(tg_graph_error(g), "one gradient set"));
    tg_plan_free(p1);
    tg_plan_free(p2);
    tg_graph_free(g);
}
END_TEST

/* The row norm's gradient at a zero row is defined (0), not NaN. */
/* rowdist(a, b) is rownorm(a - b) bit for bit, values and gradients, and
 * its gradient at a zero distance is 0 for both sides. */
START_TEST(rowdist_is_rownorm_of_the_difference)
{
    tg_graph *g = tg_graph_new();
    tg_tensor a = tg_param(g, "a", tg_shape2(3, 37)), b = tg_param(g, "b", tg_shape2(3, 37));
    tg_tensor fused = tg_rowdist(g, a, b), plain = tg_rownorm(g, tg_sub(g, a, b));
    tg_tensor w = tg_input(g, "w", tg_shape2(3, 1));
    tg_tensor ab[2] = {a, b}, gf[2], gp[2];
    tg_gradients(g, tg_sum(g, tg_mul(g, fused, w)), ab, 2, gf);
    tg_gradients(g, tg_sum(g, tg_mul(g, plain, w)), ab, 2, gp);
    /* one gradient set per plan */
    tg_tensor outs_f[3] = {fused, gf[0], gf[1]}, outs_p[3] = {plain, gp[0], gp[1]};
    tg_plan *pf = tg_plan_new(g, outs_f, 3, NULL), *pp = tg_plan_new(g, outs_p, 3, NULL);
    ck_assert_msg(pf && pp, "%s", tg_graph_error(g));
    tg_rng r;
    tg_rng_seed(&r, 3);
    float *av = tg_param_data(g, a), *bv = tg_param_data(g, b), wv[3] = {0.5f, -1.5f, 2.0f};
    fill_random(&r, av, 3 * 37, 0.1f, 2.0f, 1);
    fill_random(&r, bv, 3 * 37, 0.1f, 2.0f, 1);
    memcpy(bv + 37, av + 37, 37 * sizeof(float)); /* row 1: zero distance */
    tg_plan_bind(pf, w, wv);
    tg_plan_bind(pp, w, wv);
    float grads[2][3 * 37];
    ck_assert_int_eq(tg_plan_run(pf), 0);
    memcpy(grads[0], tg_grad_data(g, a), sizeof grads[0]);
    memcpy(grads[1], tg_grad_data(g, b), sizeof grads[1]);
    ck_assert_int_eq(tg_plan_run(pp), 0);
    ck_assert_mem_eq(tg_plan_data(pf, fused), tg_plan_data(pp, plain), 3 * sizeof(float));
    ck_assert_float_eq(tg_plan_data(pf, fused)[1], 0.0f);
    for (int k = 0; k < 2; k++) {
        const float *q = tg_grad_data(g, k ? b : a);
        for (int i = 0; i < 3 * 37; i++)
            ck_assert_msg(fabsf(grads[k][i] - q[i]) <= 1e-6f * (1 + fabsf(q[i])), "grad %d [%d]: %g vs %g", k, i,
                          grads[k][i], q[i]);
        for (int i = 37; i < 74; i++)
            ck_assert_float_eq(grads[k][i], 0.0f);
    }
    tg_plan_free(pf);
    tg_plan_free(pp);
    tg_graph_free(g);
}
END_TEST

START_TEST(rownorm_gradient_at_zero_is_zero)
{
    tg_graph *g = tg_graph_new();
    tg_tensor x = tg_param(g, "x", tg_shape2(2, 3));
    tg_tensor loss = tg_sum(g, tg_rownorm(g, x));
    tg_tensor gx;
    tg_gradients(g, loss, &x, 1, &gx);
    tg_plan *p = tg_plan_new(g, &gx, 1, NULL);
    float *xd = tg_param_data(g, x);
    float vals[6] = {0, 0, 0, 3, 0, 4};
    memcpy(xd, vals, sizeof vals);
    tg_plan_run(p);
    const float *gd = tg_grad_data(g, x);
    float want[6] = {0, 0, 0, 0.6f, 0, 0.8f};
    for (int i = 0; i < 6; i++)
        ck_assert_float_eq_tol(gd[i], want[i], 1e-7f);
    tg_plan_free(p);
    tg_graph_free(g);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("grad");
    TCase *tc = tcase_create("registry");
    tcase_add_test(tc, every_op_has_a_recipe_or_declares_no_gradient);
    tcase_add_test(tc, every_gradient_rule_matches_finite_differences);
    tcase_add_test(tc, tensor_used_twice_accumulates);
    tcase_add_test(tc, two_gradient_sets_on_one_graph);
    tcase_add_test(tc, rownorm_gradient_at_zero_is_zero);
    tcase_add_test(tc, rowdist_is_rownorm_of_the_difference);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
