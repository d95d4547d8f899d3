/* check_util.h - what the Check suites share. */
#ifndef CHECK_UTIL_H
#define CHECK_UTIL_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tg.h"

/* Runs every test of s; the exit status of a test program. */
static inline int run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* The linear and the greedy plan of one graph give bitwise-identical losses
 * and parameter gradients: runs both on input x = xin; returns the loss. */
static inline float assert_plans_agree(tg_graph *g, tg_plan *linear, tg_plan *greedy, tg_tensor x,
                                       const float *xin, tg_tensor loss)
{
    size_t nb = tg_params_floats(g) * sizeof(float);
    float *grad_linear = malloc(nb);
    ck_assert_ptr_nonnull(grad_linear);
    tg_plan_bind(linear, x, xin);
    tg_plan_bind(greedy, x, xin);
    ck_assert_int_eq(tg_plan_run(linear), 0);
    float loss_linear = tg_plan_scalar(linear, loss);
    memcpy(grad_linear, tg_grads(g), nb);
    memset(tg_grads(g), 0, nb);
    ck_assert_int_eq(tg_plan_run(greedy), 0);
    float loss_greedy = tg_plan_scalar(greedy, loss);
    ck_assert_int_eq(memcmp(&loss_linear, &loss_greedy, sizeof(float)), 0);
    ck_assert_int_eq(memcmp(grad_linear, tg_grads(g), nb), 0);
    free(grad_linear);
    return loss_linear;
}

#endif
