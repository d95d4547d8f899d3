/* test_trainer.c - the RSRAE training loop on a small model: it learns,
 * it is reproducible, it reports where its steps' time went, and its spans
 * cover exactly the parameters.
 *
 * The data lie near a 3-dimensional subspace, so a model with latent
 * dimension 3 and a linear output can fit them. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tg_trainer.h"
#include "check_util.h"

enum { DIM = 20, N = 256, BATCH = 16 };

static float *subspace_data(void)
{
    tg_rng r;
    tg_rng_seed(&r, 5);
    float basis[3][DIM], *x = malloc(sizeof(float) * N * DIM);
    for (int k = 0; k < 3; k++)
        for (int j = 0; j < DIM; j++)
            basis[k][j] = tg_rng_uniform_range(&r, -1.0f, 1.0f);
    for (int i = 0; i < N; i++) {
        float c[3];
        for (int k = 0; k < 3; k++)
            c[k] = tg_rng_uniform_range(&r, -1, 1);
        for (int j = 0; j < DIM; j++) {
            float v = tg_rng_uniform_range(&r, -0.01f, 0.01f);
            for (int k = 0; k < 3; k++)
                v += c[k] * basis[k][j];
            x[i * DIM + j] = v;
        }
    }
    return x;
}

static void build(tg_rsrae *m, tg_train_mode mode)
{
    tg_rsrae_config c = tg_rsrae_defaults(DIM);
    c.enc_hidden[0] = 16, c.enc_hidden[1] = 12;
    c.dec_hidden[0] = 12, c.dec_hidden[1] = 16;
    c.embed_dim = 8;
    c.latent_dim = 3;
    c.batch = BATCH;
    c.out_act = TG_ACT_NONE;
    c.mode = mode;
    tg_error err = {{0}};
    tg_rng r;
    tg_rng_seed(&r, 1);
    ck_assert_msg(tg_rsrae_build(m, &c, &err) == 0, "%s", err.msg);
    ck_assert_msg(tg_rsrae_init(m, &r, TG_A_ORTHOGONAL, &err) == 0, "%s", err.msg);
}

static tg_train_config train_config(int epochs, uint64_t seed)
{
    return (tg_train_config){.epochs = epochs, .optimizer = TG_ADAMW, .lr = 1e-2, .lr_ortho = 1e-2,
                             .lr_rsr = 1e-2, .weight_decay = -1, .schedule = TG_SCHED_CONSTANT,
                             .seed = seed, .threads = 1};
}

typedef struct epochs_seen {
    double recon[64];
    int n;
} epochs_seen;

static void record_epoch(void *ctx, const tg_epoch_stats *e)
{
    epochs_seen *s = ctx;
    ck_assert_int_lt(s->n, (int)(sizeof s->recon / sizeof *s->recon));
    ck_assert_int_eq(e->epoch, s->n + 1);
    ck_assert(isfinite(e->loss_recon) && isfinite(e->loss_rsr) && isfinite(e->loss_ortho));
    s->recon[s->n++] = e->loss_recon;
}

/* Trains a fresh model; returns its parameters (caller frees). */
static float *train(tg_train_mode mode, int epochs, uint64_t seed, epochs_seen *seen, tg_step_times *times,
                    double *wall)
{
    float *x = subspace_data();
    tg_rsrae m;
    build(&m, mode);
    tg_train_config tc = train_config(epochs, seed);
    tg_error err = {{0}};
    tg_trainer *t = tg_trainer_new(&m, &tc, &err);
    ck_assert_msg(t != NULL, "%s", err.msg);
    tg_train_callbacks cb = {NULL, record_epoch, seen};
    double t0 = tg_seconds();
    ck_assert_msg(tg_trainer_fit(t, x, N, &cb, &err) == 0, "%s", err.msg);
    if (wall)
        *wall = tg_seconds() - t0;
    if (times)
        *times = tg_trainer_step_times(t);
    size_t bytes = tg_params_floats(m.g) * sizeof(float);
    float *params = malloc(bytes);
    memcpy(params, tg_params(m.g), bytes);
    tg_trainer_free(t);
    tg_rsrae_free(&m);
    free(x);
    return params;
}

START_TEST(joint_training_fits_the_subspace_and_times_its_steps)
{
    epochs_seen seen = {.n = 0};
    tg_step_times st;
    double wall;
    free(train(TG_TRAIN_JOINT, 30, 7, &seen, &st, &wall));
    ck_assert_int_eq(seen.n, 30);
    ck_assert_msg(seen.recon[29] < 0.5 * seen.recon[0], "reconstruction loss %g -> %g", seen.recon[0],
                  seen.recon[29]);
    ck_assert(st.gather > 0 && st.plans > 0 && st.update > 0);
    double steps = 30.0 * (N / BATCH);
    ck_assert_msg((st.gather + st.plans + st.update) * steps <= wall, "step times %g s over a %g s fit",
                  (st.gather + st.plans + st.update) * steps, wall);
    ck_assert(st.plans > st.gather); /* forward and backward outweigh a copy */
}
END_TEST

START_TEST(alternating_training_lowers_the_reconstruction_loss)
{
    epochs_seen seen = {.n = 0};
    free(train(TG_TRAIN_ALTERNATING, 10, 7, &seen, NULL, NULL));
    ck_assert_int_eq(seen.n, 10);
    ck_assert_msg(seen.recon[9] < seen.recon[0], "reconstruction loss %g -> %g", seen.recon[0], seen.recon[9]);
}
END_TEST

START_TEST(same_seed_same_bits_other_seed_differs)
{
    epochs_seen a = {.n = 0}, b = {.n = 0}, c = {.n = 0};
    float *pa = train(TG_TRAIN_JOINT, 3, 11, &a, NULL, NULL);
    float *pb = train(TG_TRAIN_JOINT, 3, 11, &b, NULL, NULL);
    float *pc = train(TG_TRAIN_JOINT, 3, 12, &c, NULL, NULL);
    tg_rsrae m;
    build(&m, TG_TRAIN_JOINT);
    size_t bytes = tg_params_floats(m.g) * sizeof(float);
    ck_assert_mem_eq(pa, pb, bytes);
    ck_assert(memcmp(pa, pc, bytes) != 0); /* another shuffle of the batches */
    tg_rsrae_free(&m);
    free(pa);
    free(pb);
    free(pc);
}
END_TEST

START_TEST(spans_cover_each_parameter_once)
{
    tg_rsrae m;
    build(&m, TG_TRAIN_JOINT);
    const tg_param_set *set = &m.sets[0];
    tg_span spans[TG_RSRAE_MAX_PARAMS];
    ck_assert_int_eq(tg_spans_of(m.g, set->params, set->n, spans, TG_RSRAE_MAX_PARAMS), set->n);
    size_t total = 0;
    for (int i = 0; i < set->n; i++) {
        ck_assert_ptr_eq(spans[i].param, tg_param_data(m.g, set->params[i]));
        ck_assert_ptr_eq(spans[i].grad, tg_grad_data(m.g, set->params[i]));
        ck_assert_uint_eq(spans[i].n, (size_t)tg_shape_numel(tg_shape_of(m.g, set->params[i])));
        total += spans[i].n;
    }
    ck_assert_uint_eq(total, tg_params_count(m.g));
    ck_assert_int_eq(tg_spans_of(m.g, set->params, set->n, spans, set->n - 1), -1);
    tg_rsrae_free(&m);
}
END_TEST

START_TEST(fewer_samples_than_a_batch_is_an_error)
{
    float *x = subspace_data();
    tg_rsrae m;
    build(&m, TG_TRAIN_JOINT);
    tg_train_config tc = train_config(1, 1);
    tg_error err = {{0}};
    tg_trainer *t = tg_trainer_new(&m, &tc, &err);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(tg_trainer_fit(t, x, BATCH - 1, NULL, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "fewer than one batch"));
    tg_trainer_free(t);
    tg_rsrae_free(&m);
    free(x);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("trainer");
    TCase *tc = tcase_create("fit");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, joint_training_fits_the_subspace_and_times_its_steps);
    tcase_add_test(tc, alternating_training_lowers_the_reconstruction_loss);
    tcase_add_test(tc, same_seed_same_bits_other_seed_differs);
    tcase_add_test(tc, spans_cover_each_parameter_once);
    tcase_add_test(tc, fewer_samples_than_a_batch_is_an_error);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
