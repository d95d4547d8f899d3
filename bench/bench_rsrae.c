/* bench_rsrae.c - RSRAE training and inference speed against the sgemm bound
 * measured in the same process, plus the memory plan.
 *
 *   bench/bench_rsrae [--threads T] [--epochs E] [--preset reference|default]
 *                     [--full] [--data DIR]
 *
 * The bound is derived from the compiled plans themselves: every matmul node
 * scheduled in a training step is timed alone with cblas_sgemm at its
 * shape and transpose flags (median of several runs), and their sum times
 * the steps per epoch is the time an epoch cannot beat. The same for the
 * forward products of the inference plan.
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench_util.h"
#include "tg_data.h"
#include "tg_ops.h"
#include "tg_trainer.h"

typedef struct bench_opts {
    int threads, epochs, full;
    const char *preset, *data;
} bench_opts;

/* Seconds for one cblas_sgemm of node t (median of 7 timed batches). */
static double time_matmul(tg_graph *g, tg_tensor t, double *flop)
{
    tg_tensor a = tg_input_of(g, t, 0), b = tg_input_of(g, t, 1);
    const tg_shape *sa = tg_shape_of(g, a), *sb = tg_shape_of(g, b), *so = tg_shape_of(g, t);
    int ta = tg_attr_of(g, t)->i[0], tb = tg_attr_of(g, t)->i[1];
    int m = (int)so->d[0], n = (int)so->d[1], k = (int)(ta ? sa->d[0] : sa->d[1]);
    size_t na = (size_t)tg_shape_numel(sa), nb = (size_t)tg_shape_numel(sb), nc = (size_t)m * (size_t)n;
    float *A = aligned_alloc(64, (na * 4 + 63) / 64 * 64), *B = aligned_alloc(64, (nb * 4 + 63) / 64 * 64);
    float *C = aligned_alloc(64, (nc * 4 + 63) / 64 * 64);
    for (size_t i = 0; i < na; i++) A[i] = (float)(i % 7) * 0.1f;
    for (size_t i = 0; i < nb; i++) B[i] = (float)(i % 5) * 0.1f;
    int reps = 1;
    for (;;) {
        double t0 = tg_seconds();
        for (int r = 0; r < reps; r++)
            cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k,
                        1.0f, A, (int)sa->d[1], B, (int)sb->d[1], 0.0f, C, n);
        if (tg_seconds() - t0 > 0.02)
            break;
        reps *= 2;
    }
    double runs[7];
    for (int i = 0; i < 7; i++) {
        double t0 = tg_seconds();
        for (int r = 0; r < reps; r++)
            cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k,
                        1.0f, A, (int)sa->d[1], B, (int)sb->d[1], 0.0f, C, n);
        runs[i] = (tg_seconds() - t0) / reps;
    }
    free(A);
    free(B);
    free(C);
    *flop = 2.0 * m * n * k;
    return bench_median(runs, 7);
}

/* Sum of sgemm times over the matmuls a plan schedules. */
static double plan_bound(tg_graph *g, const tg_plan *p, double *flop)
{
    double total = 0.0;
    *flop = 0.0;
    for (int t = 0; t < tg_graph_size(g); t++)
        if (tg_plan_position(p, t) >= 0 && tg_op_of(g, t) == TG_OP_MATMUL) {
            double f;
            total += time_matmul(g, t, &f);
            *flop += f;
        }
    return total;
}

/* The reference selection (or every row with --full), reading only the
 * selected rows as rsrae does. */
static int load(const bench_opts *o, tg_dataset *out, tg_error *err)
{
    static const int outliers[] = {0, 1, 2, 8};
    tg_dataset head = {0};
    tg_load_opts lo = {"train", NULL, TG_CSV_HEADER_AUTO};
    tg_select_opts so;
    tg_select_opts_default(&so);
    if (!o->full) {
        so.inlier_class = 4;
        so.outlier_classes = outliers;
        so.n_outlier_classes = 4;
        so.outliers_per_class = 100;
        so.mode = TG_SAMPLE_FIRST;
    }
    tg_selection sel = {0};
    int rc = tg_data_open(o->data, NULL, &lo, &head, err);
    if (rc == 0)
        rc = tg_select(&head, &so, &sel, err);
    if (rc == 0)
        rc = tg_data_load_rows(o->data, NULL, &lo, &head, sel.index, sel.n, out, err);
    tg_selection_free(&sel);
    tg_dataset_free(&head);
    return rc;
}

static void configure(const bench_opts *o, tg_rsrae_config *mc, tg_train_config *tc)
{
    *mc = tg_rsrae_defaults(784); /* the reference shape */
    *tc = (tg_train_config){.epochs = 1, .optimizer = TG_ADAMW, .lr = 0.01, .lr_ortho = 0.01, .lr_rsr = 0.01,
                            .weight_decay = -1, .schedule = TG_SCHED_ONECYCLE, .seed = 0, .threads = o->threads};
    if (strcmp(o->preset, "default") == 0) {
        mc->latent_dim = 10;
        mc->act = mc->embed_act = mc->out_act = TG_ACT_TANH;
        mc->mean_reduction = 1;
        mc->score = TG_SCORE_COSINE;
        mc->batch = 128;
        tc->optimizer = TG_ADAM;
        tc->lr = 2.5e-4;
        tc->schedule = TG_SCHED_COSINE;
    }
}

static void parse(int argc, char **argv, bench_opts *o)
{
    *o = (bench_opts){1, 5, 0, "reference", "/usr/share/datasets/fashion-mnist"};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc) o->threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--epochs") && i + 1 < argc) o->epochs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--preset") && i + 1 < argc) o->preset = argv[++i];
        else if (!strcmp(argv[i], "--data") && i + 1 < argc) o->data = argv[++i];
        else if (!strcmp(argv[i], "--full")) o->full = 1;
    }
}

static void on_epoch(void *ctx, const tg_epoch_stats *e)
{
    double *seconds = ctx;
    seconds[e->epoch - 1] = e->seconds;
}

int main(int argc, char **argv)
{
    bench_opts o;
    parse(argc, argv, &o);
    tg_error err = {{0}};
    tg_dataset d = {0};
    if (load(&o, &d, &err) != 0) {
        fprintf(stderr, "bench_rsrae: %s\n", err.msg);
        return 1;
    }
    tg_rsrae_config mc;
    tg_train_config tc;
    configure(&o, &mc, &tc);
    tg_rsrae m;
    tg_rng r;
    tg_rng_seed(&r, 0);
    if (tg_rsrae_build(&m, &mc, &err) || tg_rsrae_init(&m, &r, TG_A_ORTHOGONAL, &err)) {
        fprintf(stderr, "bench_rsrae: %s\n", err.msg);
        return 1;
    }
    tc.epochs = 1 + o.epochs; /* the first is the warm-up */
    tg_trainer *t = tg_trainer_new(&m, &tc, &err);
    tg_scorer *s = tg_scorer_new(&m, &err);
    if (!t || !s) {
        fprintf(stderr, "bench_rsrae: %s\n", err.msg);
        return 1;
    }
    tg_set_threads(o.threads);
    size_t steps = d.n / (size_t)mc.batch;
    double step_flop, step_bound = 0.0;
    tg_plan *plans[3];
    int n_plans = tg_trainer_plans(t, plans, 3);
    double flop_sum = 0.0;
    for (int i = 0; i < n_plans; i++) {
        step_bound += plan_bound(m.g, plans[i], &step_flop);
        flop_sum += step_flop;
    }
    double *seconds = calloc((size_t)tc.epochs, sizeof *seconds);
    tg_train_callbacks cb = {NULL, on_epoch, seconds};
    tg_trainer_fit(t, d.x, d.n, &cb, &err);
    double epoch = bench_median(seconds + 1, o.epochs), bound = step_bound * (double)steps;

    /* One more epoch with per-op timing, to show where a step's time goes. */
    for (int i = 0; i < n_plans; i++)
        tg_plan_profile(plans[i], 1);
    tc.epochs = 1;
    tg_trainer_free(t);
    t = tg_trainer_new(&m, &tc, &err);
    n_plans = tg_trainer_plans(t, plans, 3);
    for (int i = 0; i < n_plans; i++)
        tg_plan_profile(plans[i], 1);
    double p0 = tg_seconds();
    tg_trainer_fit(t, d.x, d.n, NULL, &err);
    double profiled_epoch = tg_seconds() - p0;

    double infer_flop, infer_bound = plan_bound(m.g, tg_scorer_plan(s), &infer_flop);
    size_t batches = (d.n + (size_t)mc.batch - 1) / (size_t)mc.batch;
    float *score = malloc(d.n * sizeof *score);
    double t0 = tg_seconds();
    tg_scorer_run(s, d.x, d.n, score, NULL, NULL, NULL, &err);
    double infer = tg_seconds() - t0;

    tg_plan_profile(tg_scorer_plan(s), 1);
    tg_scorer_run(s, d.x, d.n, score, NULL, NULL, NULL, &err);

    tg_mem_report mt = tg_trainer_train_memory(t), mi = tg_scorer_memory(s);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double mib = 1024.0 * 1024.0;
    size_t params = tg_params_floats(m.g) * sizeof(float);
    printf("preset %s  threads %d  samples %zu  batch %d  steps/epoch %zu  (%s)\n", o.preset, o.threads, d.n,
           mc.batch, steps, openblas_get_corename());
    printf("train  epoch %.4f s (median of %d)  sgemm bound %.4f s (%.1f GFLOP/s at %.2f GFLOP/epoch)  ratio %.3f\n",
           epoch, o.epochs, bound, flop_sum * (double)steps / bound * 1e-9, flop_sum * (double)steps * 1e-9,
           epoch / bound);
    printf("infer  %.0f samples/s  %.4f s  sgemm bound %.4f s  ratio %.3f\n", (double)d.n / infer, infer,
           infer_bound * (double)batches, infer / (infer_bound * (double)batches));
    printf("memory train: naive %.2f MiB planned %.2f MiB lower bound %.2f MiB (planned/bound %.3f)\n",
           mt.naive_bytes / mib, mt.planned_bytes / mib, mt.lower_bound_bytes / mib,
           (double)mt.planned_bytes / (double)mt.lower_bound_bytes);
    printf("memory infer: naive %.2f MiB planned %.2f MiB lower bound %.2f MiB (planned/bound %.3f)\n",
           mi.naive_bytes / mib, mi.planned_bytes / mib, mi.lower_bound_bytes / mib,
           (double)mi.planned_bytes / (double)mi.lower_bound_bytes);
    printf("memory budget: data %.1f MiB + params/grads/AdamW state %.1f MiB + arenas %.1f MiB; peak RSS %.1f MiB\n",
           d.n * d.dim * 4 / mib, 4.0 * params / mib, (mt.planned_bytes + mi.planned_bytes) / mib,
           ru.ru_maxrss / 1024.0);
    printf("profiled epoch %.4f s; per training step:\n", profiled_epoch);
    for (int i = 0; i < n_plans; i++)
        tg_plan_profile_print(plans[i], stdout);
    printf("inference, per batch:\n");
    tg_plan_profile_print(tg_scorer_plan(s), stdout);
    free(score);
    free(seconds);
    tg_scorer_free(s);
    tg_trainer_free(t);
    tg_rsrae_free(&m);
    tg_dataset_free(&d);
    return 0;
}
