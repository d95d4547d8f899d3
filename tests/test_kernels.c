/* test_kernels.c - the transcendental activations against libm.
 *
 * exp, sigmoid and tanh run on branch-free approximations (ops/tg_fastmath.h)
 * instead of libm, for speed. Each op is run through a graph, so the kernel
 * clone the machine picks at load time (AVX2 or not) is the one measured,
 * over a dense grid of its useful range, against libm in double precision.
 * An approximation that drifts past the stated error fails here.
 */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "tg.h"
#include "tg_ops.h"
#include "check_util.h"

typedef tg_tensor (*unary_fn)(tg_graph *g, tg_tensor x);

/* Distance from y to the exact value in units of the last place of the
 * float nearest to it; below `floor` in magnitude the ulp is that of floor,
 * so results that underflow towards zero are judged by absolute error. */
static double ulps(float y, double exact, double floor)
{
    float e = (float)exact;
    double mag = fabs((double)e) > floor ? fabs((double)e) : floor;
    double ulp = nextafterf((float)mag, INFINITY) - (float)mag;
    return fabs((double)y - exact) / ulp;
}

/* Runs op over n points spread evenly on [lo, hi]; returns the largest
 * error in ulps. */
static double max_ulps(unary_fn op, double (*exact)(double), double lo, double hi, double floor)
{
    enum { N = 1 << 18 };
    float *x = malloc(N * sizeof *x);
    ck_assert_ptr_nonnull(x);
    for (int i = 0; i < N; i++)
        x[i] = (float)(lo + (hi - lo) * i / (N - 1));
    tg_graph *g = tg_graph_new();
    tg_tensor in = tg_input(g, "x", tg_shape1(N));
    tg_tensor out = op(g, in);
    ck_assert_int_ge(out, 0);
    tg_plan *p = tg_plan_new(g, &out, 1, NULL);
    ck_assert_ptr_nonnull(p);
    tg_plan_bind(p, in, x);
    tg_plan_run(p);
    const float *y = tg_plan_data(p, out);
    double worst = 0.0;
    for (int i = 0; i < N; i++) {
        double u = ulps(y[i], exact((double)x[i]), floor);
        ck_assert_msg(isfinite(y[i]), "non-finite result %g at x = %.9g", y[i], x[i]);
        if (u > worst)
            worst = u;
    }
    tg_plan_free(p);
    tg_graph_free(g);
    free(x);
    return worst;
}

static double sigmoid_exact(double x) { return 1.0 / (1.0 + exp(-x)); }

#define CHECK_ULPS(op, exact, lo, hi, floor, limit)                                                   \
    do {                                                                                              \
        double u = max_ulps(op, exact, lo, hi, floor);                                                \
        printf("%-8s on [%g, %g]: max error %.2f ulp (limit %g)\n", #op, (double)(lo), (double)(hi), u, \
               (double)(limit));                                                                      \
        ck_assert_msg(u <= (limit), #op " on [%g, %g]: %.2f ulp > %g", (double)(lo), (double)(hi), u,  \
                      (double)(limit));                                                               \
    } while (0)

START_TEST(exp_matches_libm)
{
    CHECK_ULPS(tg_exp, exp, -87.0, 88.0, FLT_MIN, 2);
    CHECK_ULPS(tg_exp, exp, -1.0, 1.0, FLT_MIN, 2);
}
END_TEST

START_TEST(sigmoid_matches_libm)
{
    /* Far left, sigmoid is e^x and the floor takes over: absolute error
     * below 1e-30 there. */
    CHECK_ULPS(tg_sigmoid, sigmoid_exact, -30.0, 30.0, 1e-30, 3);
    CHECK_ULPS(tg_sigmoid, sigmoid_exact, -2.0, 2.0, 1e-30, 3);
}
END_TEST

START_TEST(tanh_matches_libm)
{
    /* The rational fit is exact to 0.1 ulp in double; evaluating it in
     * float costs up to about 5.5 ulp just below 1 (ops/fit_tanh.py). */
    CHECK_ULPS(tg_tanh, tanh, -12.0, 12.0, FLT_MIN, 6);
    CHECK_ULPS(tg_tanh, tanh, -1.0, 1.0, FLT_MIN, 6);
    CHECK_ULPS(tg_tanh, tanh, -1e-3, 1e-3, FLT_MIN, 6);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("kernels");
    TCase *tc = tcase_create("accuracy");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, exp_matches_libm);
    tcase_add_test(tc, sigmoid_matches_libm);
    tcase_add_test(tc, tanh_matches_libm);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
