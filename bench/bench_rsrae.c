/* bench_rsrae.c - RSRAE training and inference speed against the sgemm bound
 * measured in the same process, plus the memory plan.
 *
 *   bench/bench_rsrae [--threads T] [--epochs E] [--preset reference|default]
 *                     [--full] [--data DIR]
 *
 * The bound is derived from the compiled plans themselves: every product
 * (matmul or linear node) scheduled in a training step is timed alone with cblas_sgemm at its
 * shape and transpose flags (median of several runs), and their sum times
 * the steps per epoch is the time an epoch cannot beat. The same for the
 * forward products of the inference plan.
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "tg_data.h"
#include "tg_ops.h"
#include "tg_trainer.h"

typedef struct bench_opts {
    int threads, epochs, full;
    const char *preset, *data;
} bench_opts;

/* One product a plan schedules, with buffers of its own, and how many calls
 * make one timing last about GEMM_TIMING_S. */
typedef struct gemm {
    enum CBLAS_TRANSPOSE ta, tb;
    int m, n, k, lda, ldb;
    float *a, *b, *c;
    int reps;
    int plan;       /* which plan of the set, and its node there */
    tg_tensor node;
} gemm;

/* The products of one step (or one inference batch), timed alone, each
 * with OpenBLAS's own pool of `threads`. */
typedef struct gemm_set {
    gemm *g;
    int n, threads;
    double flop; /* per step */
} gemm_set;

#define GEMM_TIMING_S 0.004

static float *filled(size_t n, int period)
{
    float *x = aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64);
    for (size_t i = 0; x && i < n; i++)
        x[i] = (float)(i % (size_t)period) * 0.1f;
    return x;
}

static double gemm_timing(const gemm *g)
{
    double t0 = tg_seconds();
    for (int r = 0; r < g->reps; r++)
        cblas_sgemm(CblasRowMajor, g->ta, g->tb, g->m, g->n, g->k, 1.0f, g->a, g->lda, g->b, g->ldb, 0.0f, g->c,
                    g->n);
    return (tg_seconds() - t0) / g->reps;
}

/* The library runs OpenBLAS on one thread and splits GEMMs itself; the
 * bound is OpenBLAS's own threading. Its workers spin for a while after a
 * call (2^28 cycles by default), so after measuring the bound wait until
 * they sleep, lest they compete with the library's threads. The wait is
 * busy: a sleeping core comes back slower and colder, which would be
 * charged to the epoch after it. */
static void openblas_threads_idle(int threads)
{
    openblas_set_num_threads(1);
    if (threads > 1)
        for (double t0 = tg_seconds(); tg_seconds() - t0 < 0.25;)
            ;
}

/* Adds every product plan p (the set's plan number `plan`) schedules to s,
 * calibrated. */
static int gemm_set_add(gemm_set *s, tg_graph *gr, const tg_plan *p, int plan)
{
    openblas_set_num_threads(s->threads);
    for (int t = 0; t < tg_graph_size(gr); t++) {
        int op = tg_op_of(gr, t);
        if (tg_plan_position(p, t) < 0 || (op != TG_OP_MATMUL && op != TG_OP_LINEAR))
            continue;
        gemm *grown = realloc(s->g, (size_t)(s->n + 1) * sizeof *grown);
        if (!grown)
            return -1;
        s->g = grown;
        const tg_shape *sa = tg_shape_of(gr, tg_input_of(gr, t, 0)), *sb = tg_shape_of(gr, tg_input_of(gr, t, 1));
        const tg_shape *so = tg_shape_of(gr, t);
        int ta = 0, tb = 1; /* linear: x w^T */
        if (op == TG_OP_MATMUL) {
            ta = tg_attr_of(gr, t)->i[0];
            tb = tg_attr_of(gr, t)->i[1];
        }
        gemm *g = &s->g[s->n++];
        *g = (gemm){ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)so->d[0], (int)so->d[1],
                    (int)(ta ? sa->d[0] : sa->d[1]), (int)sa->d[1], (int)sb->d[1],
                    filled((size_t)tg_shape_numel(sa), 7), filled((size_t)tg_shape_numel(sb), 5),
                    filled((size_t)tg_shape_numel(so), 3), 1, plan, t};
        if (!g->a || !g->b || !g->c)
            return -1;
        while (gemm_timing(g) * g->reps < GEMM_TIMING_S)
            g->reps *= 2;
        s->flop += 2.0 * g->m * g->n * g->k;
    }
    openblas_threads_idle(s->threads);
    return 0;
}

/* Seconds the set's products take, each timed alone: the least one step
 * (or batch) can cost. Measured again beside every timed epoch, so that a
 * ratio compares two figures taken under the same load. */
static double gemm_set_seconds(const gemm_set *s)
{
    openblas_set_num_threads(s->threads);
    double total = 0.0;
    for (int i = 0; i < s->n; i++)
        total += gemm_timing(&s->g[i]);
    openblas_threads_idle(s->threads);
    return total;
}

static void gemm_set_free(gemm_set *s)
{
    for (int i = 0; i < s->n; i++) {
        free(s->g[i].a);
        free(s->g[i].b);
        free(s->g[i].c);
    }
    free(s->g);
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

/* Per timed run (epoch or inference pass): its seconds, and the bound
 * measured right after it. */
typedef struct paired {
    double *run, *bound;
    int n;
    const gemm_set *set;
    double repeats; /* steps per epoch, or batches per pass */
} paired;

static void pair_bound(paired *p, int i, double seconds)
{
    p->run[i] = seconds;
    p->bound[i] = gemm_set_seconds(p->set) * p->repeats;
}

static void on_epoch(void *ctx, const tg_epoch_stats *e)
{
    pair_bound(ctx, e->epoch - 1, e->seconds);
}

/* Medians over runs [first, n): run time, bound, and the ratio of each run
 * to its own bound. */
static void paired_medians(const paired *p, int first, double *run, double *bound, double *ratio)
{
    int n = p->n - first;
    double *r = malloc((size_t)n * sizeof *r);
    for (int i = 0; i < n; i++)
        r[i] = p->run[first + i] / p->bound[first + i];
    *ratio = bench_median(r, n);
    *run = bench_median(p->run + first, n);
    *bound = bench_median(p->bound + first, n);
    free(r);
}

static paired paired_new(int n, const gemm_set *set, double repeats)
{
    return (paired){calloc((size_t)n, sizeof(double)), calloc((size_t)n, sizeof(double)), n, set, repeats};
}

static void paired_free(paired *p)
{
    free(p->run);
    free(p->bound);
}

static void die(const char *what, const tg_error *err)
{
    fprintf(stderr, "bench_rsrae: %s%s%s\n", what, err ? ": " : "", err ? err->msg : "");
    exit(1);
}

/* Where a profiled step went: the products inside the plans against the
 * same products timed alone (right now), the plans' other ops, and what
 * the trainer does outside the plans. */
static void print_step_times(const gemm_set *s, tg_plan **plans, tg_step_times st)
{
    double in_plan = 0.0, alone = 0.0;
    openblas_set_num_threads(s->threads);
    for (int i = 0; i < s->n; i++) {
        in_plan += tg_plan_node_seconds(plans[s->g[i].plan], s->g[i].node);
        alone += gemm_timing(&s->g[i]);
    }
    openblas_threads_idle(s->threads);
    printf("  %.3f ms = plans %.3f (products %.3f = %.3fx the same products alone; other ops %.3f)"
           " + optimizer %.3f + batch gather %.3f\n",
           1e3 * (st.plans + st.update + st.gather), 1e3 * st.plans, 1e3 * in_plan, in_plan / alone,
           1e3 * (st.plans - in_plan), 1e3 * st.update, 1e3 * st.gather);
}

/* Trains 1 + epochs epochs (the first is the warm-up); prints the epoch
 * time against its bound. */
static void time_training(tg_rsrae *m, tg_train_config tc, const tg_dataset *d, int epochs, const char *preset,
                          int threads, tg_mem_report *memory)
{
    tg_error err = {{0}};
    tc.epochs = 1 + epochs;
    tg_trainer *t = tg_trainer_new(m, &tc, &err);
    if (!t)
        die("trainer", &err);
    tg_plan *plans[3];
    int n_plans = tg_trainer_plans(t, plans, 3);
    gemm_set set = {.threads = threads};
    for (int i = 0; i < n_plans; i++)
        if (gemm_set_add(&set, m->g, plans[i], i) != 0)
            die("out of memory", NULL);
    size_t steps = d->n / (size_t)m->cfg.batch;
    paired p = paired_new(tc.epochs, &set, (double)steps);
    tg_train_callbacks cb = {NULL, on_epoch, &p};
    if (tg_trainer_fit(t, d->x, d->n, &cb, &err) != 0)
        die("training", &err);
    double epoch, bound, ratio;
    paired_medians(&p, 1, &epoch, &bound, &ratio);
    printf("preset %s  threads %d  samples %zu  batch %d  steps/epoch %zu  (%s)\n", preset, threads, d->n,
           m->cfg.batch, steps, openblas_get_corename());
    printf("train  epoch %.4f s  sgemm bound %.4f s (%.1f GFLOP/s at %.2f GFLOP/epoch)  ratio %.3f"
           "  (medians of %d epochs, each with its bound measured beside it)\n",
           epoch, bound, set.flop * (double)steps / bound * 1e-9, set.flop * (double)steps * 1e-9, ratio, epochs);
    *memory = tg_trainer_train_memory(t);

    /* One more epoch with per-op timing, to show where a step's time goes. */
    for (int i = 0; i < n_plans; i++)
        tg_plan_profile(plans[i], 1);
    tc.epochs = 1;
    tg_trainer_free(t);
    if (!(t = tg_trainer_new(m, &tc, &err)))
        die("trainer", &err);
    n_plans = tg_trainer_plans(t, plans, 3);
    for (int i = 0; i < n_plans; i++)
        tg_plan_profile(plans[i], 1);
    double p0 = tg_seconds();
    tg_trainer_fit(t, d->x, d->n, NULL, &err);
    printf("profiled epoch %.4f s; per training step:\n", tg_seconds() - p0);
    print_step_times(&set, plans, tg_trainer_step_times(t));
    for (int i = 0; i < n_plans; i++)
        tg_plan_profile_print(plans[i], stdout);
    paired_free(&p);
    gemm_set_free(&set);
    tg_trainer_free(t);
}

/* Scores the data set 1 + passes times (the first is the warm-up); prints
 * samples per second and the time against the forward products' bound. */
static void time_inference(tg_rsrae *m, const tg_dataset *d, int passes, int threads, tg_mem_report *memory)
{
    tg_error err = {{0}};
    tg_scorer *s = tg_scorer_new(m, &err);
    float *score = malloc(d->n * sizeof *score);
    if (!s || !score)
        die("scorer", &err);
    gemm_set set = {.threads = threads};
    if (gemm_set_add(&set, m->g, tg_scorer_plan(s), 0) != 0)
        die("out of memory", NULL);
    size_t batches = (d->n + (size_t)m->cfg.batch - 1) / (size_t)m->cfg.batch;
    paired p = paired_new(1 + passes, &set, (double)batches);
    for (int i = 0; i <= passes; i++) {
        double t0 = tg_seconds();
        if (tg_scorer_run(s, d->x, d->n, score, NULL, NULL, NULL, &err) != 0)
            die("scoring", &err);
        pair_bound(&p, i, tg_seconds() - t0);
    }
    double pass, bound, ratio;
    paired_medians(&p, 1, &pass, &bound, &ratio);
    printf("infer  %.0f samples/s  %.4f s  sgemm bound %.4f s  ratio %.3f  (medians of %d passes)\n",
           (double)d->n / pass, pass, bound, ratio, passes);
    *memory = tg_scorer_memory(s);
    tg_plan_profile(tg_scorer_plan(s), 1);
    tg_scorer_run(s, d->x, d->n, score, NULL, NULL, NULL, &err);
    printf("inference, per batch:\n");
    tg_plan_profile_print(tg_scorer_plan(s), stdout);
    paired_free(&p);
    gemm_set_free(&set);
    free(score);
    tg_scorer_free(s);
}

static void print_memory(const char *what, tg_mem_report r)
{
    double mib = 1024.0 * 1024.0;
    printf("memory %s: naive %.2f MiB planned %.2f MiB lower bound %.2f MiB (planned/bound %.3f)\n", what,
           r.naive_bytes / mib, r.planned_bytes / mib, r.lower_bound_bytes / mib,
           (double)r.planned_bytes / (double)r.lower_bound_bytes);
}

int main(int argc, char **argv)
{
    bench_opts o;
    parse(argc, argv, &o);
    tg_error err = {{0}};
    tg_dataset d = {0};
    if (load(&o, &d, &err) != 0)
        die("data", &err);
    tg_rsrae_config mc;
    tg_train_config tc;
    configure(&o, &mc, &tc);
    tg_rsrae m;
    tg_rng r;
    tg_rng_seed(&r, 0);
    if (tg_rsrae_build(&m, &mc, &err) || tg_rsrae_init(&m, &r, TG_A_ORTHOGONAL, &err))
        die("model", &err);
    tg_set_threads(o.threads);
    tg_mem_report mt, mi;
    time_training(&m, tc, &d, o.epochs, o.preset, o.threads, &mt);
    time_inference(&m, &d, o.epochs, o.threads, &mi);
    print_memory("train", mt);
    print_memory("infer", mi);
    /* What rsrae train must hold; bench/run.sh sets its peak RSS against
     * this (this process's own RSS also holds the bound's gemm buffers). */
    double mib = 1024.0 * 1024.0, data = d.n * d.dim * 4 / mib;
    double state = 4.0 * tg_params_floats(m.g) * sizeof(float) / mib;
    double arenas = (mt.planned_bytes + mi.planned_bytes) / mib;
    printf("memory budget: data %.1f MiB + params/grads/AdamW state %.1f MiB + arenas %.1f MiB = %.1f MiB\n", data,
           state, arenas, data + state + arenas);
    tg_rsrae_free(&m);
    tg_dataset_free(&d);
    return 0;
}
