/* rsrae.c - the command-line tool: `rsrae train` and `rsrae score`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "cli.h"
#include "progress.h"
#include "report.h"
#include "tg_model_io.h"

static int fail(const char *command, const tg_error *err)
{
    fprintf(stderr, "rsrae %s: %s\n", command, err->msg);
    return 1;
}

/* The loaders' and the planner's scratch buffers are freed but stay
 * resident inside the heap (glibc returns only its top); hand those pages
 * back before training so that they do not add to the peak. */
static void release_scratch(void)
{
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

static int make_dir(const char *dir, tg_error *err)
{
    if (mkdir(dir, 0777) == 0 || errno == EEXIST) {
        struct stat st;
        if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
            return 0;
        return tg_fail(err, "%s: exists and is not a directory", dir);
    }
    return tg_fail(err, "%s: cannot create directory: %s", dir, strerror(errno));
}

/* Fails early, before hours of training, when DIR could not be made later:
 * it exists as something else, or its parent is missing or read-only. The
 * folder itself is created only when the outputs are written. */
static int check_out_dir(const char *dir, tg_error *err)
{
    struct stat st;
    if (stat(dir, &st) == 0)
        return S_ISDIR(st.st_mode) ? 0 : tg_fail(err, "%s: exists and is not a directory", dir);
    char parent[4096];
    snprintf(parent, sizeof parent, "%s", dir);
    char *slash = strrchr(parent, '/');
    if (!slash)
        snprintf(parent, sizeof parent, ".");
    else if (slash == parent)
        parent[1] = '\0';
    else
        *slash = '\0';
    if (access(parent, W_OK) != 0)
        return tg_fail(err, "%s: cannot create it in %s: %s", dir, parent, strerror(errno));
    return 0;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(const double *v, int n)
{
    if (n <= 0)
        return 0.0;
    double *c = malloc((size_t)n * sizeof *c);
    if (!c)
        return v[0];
    memcpy(c, v, (size_t)n * sizeof *c);
    qsort(c, (size_t)n, sizeof *c, compare_doubles);
    double m = n % 2 ? c[n / 2] : 0.5 * (c[n / 2 - 1] + c[n / 2]);
    free(c);
    return m;
}

/* Scores all of d through the model's inference plan. */
typedef struct scored {
    tg_scorer *scorer;
    float *score, *recon_err, *latent;
    tg_mem_report memory;
    double samples_per_second;
} scored;

static void scored_free(scored *s)
{
    tg_scorer_free(s->scorer);
    free(s->score);
    free(s->recon_err);
    free(s->latent);
}

static int score_all(tg_rsrae *m, const prepared_data *d, scored *out, tg_error *err)
{
    size_t n = d->x.n;
    memset(out, 0, sizeof *out);
    out->score = malloc(n * sizeof(float));
    out->recon_err = malloc(n * sizeof(float));
    out->latent = malloc(n * (size_t)m->cfg.latent_dim * sizeof(float));
    if (!out->score || !out->recon_err || !out->latent)
        return tg_fail(err, "out of memory for %zu scores", n);
    if (!(out->scorer = tg_scorer_new(m, err)))
        return -1;
    double t0 = tg_seconds();
    int rc = tg_scorer_run(out->scorer, d->x.x, n, out->score, out->recon_err, NULL, out->latent, err);
    out->samples_per_second = (double)n / (tg_seconds() - t0);
    out->memory = tg_scorer_memory(out->scorer);
    return rc;
}

static int eval_setup(progress_eval *ev, tg_rsrae *m, const prepared_data *d, int every,
                      int epochs, tg_error *err)
{
    if (!d->is_outlier || !d->n_outliers || !d->n_inliers)
        return tg_fail(err, "--eval-every needs inliers and outliers with known labels (--inlier-class ...)");
    ev->every = every;
    ev->x = d->x.x;
    ev->is_outlier = d->is_outlier;
    ev->n = d->x.n;
    ev->scores = malloc(d->x.n * sizeof(float));
    ev->points = calloc((size_t)(epochs / every + 1), sizeof *ev->points);
    if (!ev->scores || !ev->points)
        return tg_fail(err, "out of memory");
    ev->scorer = tg_scorer_new(m, err);
    return ev->scorer ? 0 : -1;
}

static void eval_release(progress_eval *ev)
{
    tg_scorer_free(ev->scorer);
    free(ev->scores);
    free(ev->points);
}

static void print_selection(const prepared_data *d, const char *path)
{
    fprintf(stderr, "data: %s: %zu samples x %zu features", path, d->x.n, d->x.dim);
    if (d->x.width)
        fprintf(stderr, " (%dx%dx%d images)", d->x.width, d->x.height, d->x.channels);
    fprintf(stderr, "\n");
    printf("Inliers: %zu  Outliers: %zu\n", d->n_inliers, d->n_outliers);
}

static int write_outputs(const char *dir, const prepared_data *d, const scored *sc,
                         run_summary *sum, const tg_rsrae *m, const progress_state *p,
                         uint64_t seed, tg_error *err)
{
    char path[4096];
    if (make_dir(dir, err) != 0)
        return -1;
    size_t *rank = malloc(d->x.n * sizeof *rank);
    float *losses = malloc(3 * (size_t)(p->n_epochs_done ? p->n_epochs_done : 1) * sizeof(float));
    int rc = -1;
    if (!rank || !losses) {
        tg_fail(err, "out of memory");
        goto done;
    }
    if (summarize(d, sc->score, rank, sum, err) != 0)
        goto done;
    snprintf(path, sizeof path, "%s/scores.csv", dir);
    if (write_scores_csv(path, d, sc->score, rank, err) != 0)
        goto done;
    tg_model_meta meta = {.preprocess = d->prep, .width = d->x.width, .height = d->x.height,
                          .channels = d->x.channels, .mean = d->mean, .std = d->std};
    snprintf(path, sizeof path, "%s/model.bin", dir);
    if (tg_model_save(path, m, &meta, err) != 0)
        goto done;
    int epochs = p->n_epochs_done;
    for (int k = 0; k < 3; k++)
        memcpy(losses + (size_t)k * (size_t)epochs, p->losses + (size_t)k * (size_t)p->epochs,
               (size_t)epochs * sizeof(float));
    if (write_pictures(dir, d, sc->score, sc->scorer, sc->latent, m->cfg.latent_dim, losses, epochs, seed,
                       err) != 0)
        goto done;
    sum->peak_rss_bytes = peak_rss(); /* the pictures are the last to allocate */
    snprintf(path, sizeof path, "%s/summary.json", dir);
    rc = write_summary_json(path, sum, err);
done:
    free(rank);
    free(losses);
    return rc;
}

/* Builds, initialises and trains the model on d; the trainer (optimizer
 * state, training arenas) is gone when this returns, so scoring and the
 * pictures do not stack on top of it. */
static int fit(const rsrae_opts *o, const prepared_data *d, tg_rsrae *m, progress_state *p,
               tg_mem_report *train_memory, double *seconds, tg_error *err)
{
    tg_rsrae_config mc;
    tg_train_config tc;
    tg_a_init a_init;
    tg_rng rng;
    tg_trainer *t = NULL;
    tg_rng_seed(&rng, (uint64_t)o->seed);
    if (opts_model_config(o, (int)d->x.dim, d->prep, &mc, err) != 0 ||
        opts_train_config(o, &tc, err) != 0 || opts_a_init(o, &a_init, err) != 0 ||
        check_out_dir(o->out, err) != 0 || tg_rsrae_build(m, &mc, err) != 0 ||
        tg_rsrae_init(m, &rng, a_init, err) != 0 || !(t = tg_trainer_new(m, &tc, err)))
        return -1;
    fprintf(stderr, "model: %zu parameters, mode %s, %d epochs of %zu steps (batch %d)\n",
            tg_params_count(m->g), o->mode, tc.epochs, d->x.n / (size_t)mc.batch, mc.batch);
    if (progress_init(p, o->quiet, tc.epochs, mc.batch) != 0) {
        tg_trainer_free(t);
        return tg_fail(err, "out of memory for %d epochs' records", tc.epochs);
    }
    tg_train_callbacks cb = {progress_step, progress_epoch, p};
    double t0 = tg_seconds();
    int rc = o->eval_every > 0 ? eval_setup(&p->eval, m, d, o->eval_every, tc.epochs, err) : 0;
    release_scratch();
    if (rc == 0)
        rc = tg_trainer_fit(t, d->x.x, d->x.n, &cb, err);
    *seconds = tg_seconds() - t0;
    *train_memory = tg_trainer_train_memory(t);
    tg_trainer_free(t);
    tg_scorer_free(p->eval.scorer);
    p->eval.scorer = NULL;
    return rc;
}

static int cmd_train(int argc, char **argv)
{
    rsrae_opts o;
    tg_error err = {{0}};
    if (opts_parse(&o, argc, argv, 2, &err) != 0)
        return fail("train", &err);
    if (o.help) {
        opts_print_help("train", stdout);
        return 0;
    }
    if (!o.out) {
        fprintf(stderr, "rsrae train: --out DIR is required (see rsrae train --help)\n");
        return 2;
    }
    prepared_data d;
    if (data_prepare(&o, NULL, NULL, -1, &d, &err) != 0)
        return fail("train", &err);
    print_selection(&d, o.data ? o.data : RSRAE_DEFAULT_DATA);
    tg_rsrae m = {0};
    progress_state *p = calloc(1, sizeof *p);
    scored sc = {0};
    tg_mem_report train_memory;
    double seconds = 0.0;
    int status = 1;
    if (!p) {
        tg_fail(&err, "out of memory");
        goto done;
    }
    if (fit(&o, &d, &m, p, &train_memory, &seconds, &err) != 0 || score_all(&m, &d, &sc, &err) != 0)
        goto done;
    run_summary sum = {.command = "train", .data = o.data ? o.data : RSRAE_DEFAULT_DATA,
                       .epochs = p->epochs, .seconds_total = seconds,
                       .seconds_per_epoch = median(p->seconds, p->n_epochs_done),
                       .samples_per_second = sc.samples_per_second,
                       .train_memory = train_memory, .inference_memory = sc.memory,
                       .collapse_ratio = collapse_ratio(&d.x, sc.recon_err),
                       .evals = p->eval.points, .n_evals = p->eval.n_points};
    if (write_outputs(o.out, &d, &sc, &sum, &m, p, (uint64_t)o.seed, &err) != 0)
        goto done;
    print_summary(stdout, &sum, &d, sc.score);
    printf("\nwrote %s/{scores.csv, model.bin, summary.json, *.png}\n", o.out);
    status = 0;
done:
    if (status)
        fail("train", &err);
    scored_free(&sc);
    if (p) {
        eval_release(&p->eval);
        progress_free(p);
    }
    tg_rsrae_free(&m);
    free(p);
    data_release(&d);
    return status;
}

static int cmd_score(int argc, char **argv)
{
    rsrae_opts o;
    tg_error err = {{0}};
    if (opts_parse(&o, argc, argv, 2, &err) != 0)
        return fail("score", &err);
    if (o.help) {
        opts_print_help("score", stdout);
        return 0;
    }
    if (!o.model || !o.out) {
        fprintf(stderr, "rsrae score: --model FILE and --out FILE.csv are required (see rsrae --help)\n");
        return 2;
    }
    tg_rsrae m = {0};
    tg_model_meta meta = {0};
    prepared_data d = {0};
    scored sc = {0};
    size_t *rank = NULL;
    int status = 1;
    if (tg_model_load(o.model, &m, &meta, &err) != 0)
        goto done;
    if (data_prepare(&o, meta.mean, meta.std, (int)meta.preprocess, &d, &err) != 0)
        goto done;
    if (d.x.dim != (size_t)m.cfg.input_dim) {
        tg_fail(&err, "%s: samples have %zu features, the model %s expects %d", o.data ? o.data : RSRAE_DEFAULT_DATA,
                d.x.dim, o.model, m.cfg.input_dim);
        goto done;
    }
    print_selection(&d, o.data ? o.data : RSRAE_DEFAULT_DATA);
    tg_set_threads(o.threads);
    if (score_all(&m, &d, &sc, &err) != 0)
        goto done;
    run_summary sum = {.command = "score", .data = o.data ? o.data : RSRAE_DEFAULT_DATA,
                       .samples_per_second = sc.samples_per_second, .inference_memory = sc.memory,
                       .collapse_ratio = collapse_ratio(&d.x, sc.recon_err)};
    rank = malloc(d.x.n * sizeof *rank);
    if (!rank || summarize(&d, sc.score, rank, &sum, &err) != 0 ||
        write_scores_csv(o.out, &d, sc.score, rank, &err) != 0)
        goto done;
    print_summary(stdout, &sum, &d, sc.score);
    printf("\nwrote %s\n", o.out);
    status = 0;
done:
    if (status)
        fail("score", &err);
    free(rank);
    scored_free(&sc);
    tg_rsrae_free(&m);
    tg_model_meta_free(&meta);
    data_release(&d);
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        opts_print_help(NULL, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "train") == 0)
        return cmd_train(argc, argv);
    if (strcmp(argv[1], "score") == 0)
        return cmd_score(argc, argv);
    fprintf(stderr, "rsrae: unknown command '%s' (train, score; see rsrae --help)\n", argv[1]);
    return 2;
}
