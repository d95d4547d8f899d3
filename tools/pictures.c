/* pictures.c - reconstruction grids, score histogram, latent PCA, losses. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "tg_rng.h"
#include "tg_viz.h"

/* Classes shown in the plots: the labels present (at most the palette's
 * size), else inliers / outliers, else one group. */
typedef struct groups {
    int   *of;                     /* [n] group of each sample */
    int    n;
    char   names[TG_VIZ_MAX_CLASSES][64];
    const char *ptrs[TG_VIZ_MAX_CLASSES];
} groups;

static int label_groups(const prepared_data *d, groups *g)
{
    const tg_dataset *ds = &d->x;
    int present[TG_VIZ_MAX_CLASSES], n = 0;
    for (size_t i = 0; i < ds->n && ds->labels; i++) {
        int c = ds->labels[i], k = 0;
        while (k < n && present[k] != c)
            k++;
        if (k == n) {
            if (n == TG_VIZ_MAX_CLASSES || c < 0)
                return -1;
            present[n++] = c;
        }
        g->of[i] = k;
    }
    if (!ds->labels)
        return -1;
    for (int k = 0; k < n; k++) {
        int outlier = 0;
        for (size_t i = 0; i < ds->n && d->is_outlier; i++)
            if (g->of[i] == k) {
                outlier = d->is_outlier[i];
                break;
            }
        const char *tag = d->is_outlier ? (outlier ? " (outlier)" : " (inlier)") : "";
        if (ds->class_names)
            snprintf(g->names[k], sizeof g->names[k], "%s%s", ds->class_names[present[k]], tag);
        else
            snprintf(g->names[k], sizeof g->names[k], "class %d%s", present[k], tag);
    }
    g->n = n;
    return 0;
}

static void make_groups(const prepared_data *d, groups *g)
{
    if (label_groups(d, g) == 0)
        return;
    for (size_t i = 0; i < d->x.n; i++)
        g->of[i] = d->is_outlier ? d->is_outlier[i] : 0;
    g->n = d->is_outlier ? 2 : 1;
    snprintf(g->names[0], sizeof g->names[0], "%s", d->is_outlier ? "inliers" : "all samples");
    snprintf(g->names[1], sizeof g->names[1], "outliers");
}

/* Brings a model-space row back to [0, 1] pixels for display. */
static void to_pixels(const prepared_data *d, size_t row, const float *v, float *px)
{
    size_t dim = d->x.dim;
    if (d->prep == TG_PREPROCESS_PM1_L2) { /* undo the unit norm with the sample's own norm */
        double norm = d->norms[row];
        for (size_t j = 0; j < dim; j++)
            px[j] = (float)((v[j] * norm + 1.0) / 2.0);
    } else if (px != v) {
        memcpy(px, v, dim * sizeof(float));
    }
}

/* Reconstructs rows[0..n) through the scorer (only these: the full set of
 * reconstructions would cost another copy of the data) and draws them. */
static int grid(const char *dir, const char *file, const prepared_data *d, tg_scorer *scorer,
                const size_t *rows, size_t n, int per_row, const char *title, tg_error *err)
{
    size_t dim = d->x.dim;
    float *in = calloc(n * dim, sizeof(float)), *rec = malloc(n * dim * sizeof(float));
    float *orig = malloc(n * dim * sizeof(float));
    char path[4096];
    int rc = -1;
    if (!in || !rec || !orig) {
        tg_fail(err, "out of memory drawing %s", file);
        goto done;
    }
    for (size_t k = 0; k < n; k++)
        memcpy(in + k * dim, d->x.x + rows[k] * dim, dim * sizeof(float));
    if (tg_scorer_run(scorer, in, n, NULL, NULL, rec, NULL, err) != 0)
        goto done;
    for (size_t k = 0; k < n; k++) {
        to_pixels(d, rows[k], in + k * dim, orig + k * dim);
        to_pixels(d, rows[k], rec + k * dim, rec + k * dim);
    }
    snprintf(path, sizeof path, "%s/%s", dir, file);
    int scale = d->x.width < 64 ? 2 : 1;
    rc = tg_viz_recon_grid(path, orig, rec, n, d->x.width, d->x.height, d->x.channels, per_row,
                           scale, title, err);
done:
    free(in);
    free(rec);
    free(orig);
    return rc;
}

static int image_grids(const char *dir, const prepared_data *d, const float *score,
                       tg_scorer *scorer, uint64_t seed, tg_error *err)
{
    size_t n = d->x.n, rows[60], k = n < 60 ? n : 60, k8 = n < 8 ? n : 8;
    size_t *all = malloc(n * sizeof *all);
    if (!all)
        return tg_fail(err, "out of memory");
    tg_rng r;
    tg_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++)
        all[i] = i;
    tg_rng_shuffle(&r, all, n);
    int rc = grid(dir, "recon_random.png", d, scorer, all, k8, 4, "8 random samples: reconstruction | original", err);
    free(all);
    if (rc == 0 && tg_top_k(score, n, k, rows, err) == 0)
        rc = grid(dir, "recon_highest.png", d, scorer, rows, k, 6, "60 highest scores: reconstruction | original", err);
    else
        rc = -1;
    if (rc == 0 && tg_bottom_k(score, n, k, rows, err) == 0)
        rc = grid(dir, "recon_lowest.png", d, scorer, rows, k, 6, "60 lowest scores: reconstruction | original", err);
    else
        rc = -1;
    return rc;
}

static int plots(const char *dir, const prepared_data *d, const float *score, const float *latent,
                 int latent_dim, const float *losses, int epochs, tg_error *err)
{
    size_t n = d->x.n;
    groups g;
    char path[4096];
    float *xy = malloc(2 * n * sizeof(float));
    g.of = malloc(n * sizeof(int));
    int rc = -1;
    if (!xy || !g.of) {
        tg_fail(err, "out of memory");
        goto done;
    }
    make_groups(d, &g);
    for (int k = 0; k < g.n; k++)
        g.ptrs[k] = g.names[k];
    snprintf(path, sizeof path, "%s/errors_hist.png", dir);
    if (tg_viz_histogram_density(path, score, g.of, n, g.ptrs, g.n, "anomaly score per class", "score", err) != 0)
        goto done;
    snprintf(path, sizeof path, "%s/latent_pca.png", dir);
    if (tg_pca2(latent, n, (size_t)latent_dim, xy, err) != 0 ||
        tg_viz_scatter(path, xy, g.of, n, g.ptrs, g.n, "latent codes A z: first two principal components", err) != 0)
        goto done;
    if (losses && epochs > 0) {
        static const char *const series[] = {"reconstruction", "RSR residual", "orthogonality"};
        snprintf(path, sizeof path, "%s/losses.png", dir);
        if (tg_viz_line_plot(path, losses, 3, epochs, series, "training losses (epoch means)", "epoch",
                             "loss", err) != 0)
            goto done;
    }
    rc = 0;
done:
    free(xy);
    free(g.of);
    return rc;
}

int write_pictures(const char *dir, const prepared_data *d, const float *score,
                   tg_scorer *scorer, const float *latent, int latent_dim,
                   const float *losses, int epochs, uint64_t seed, tg_error *err)
{
    if (d->x.width > 0 && d->prep != TG_PREPROCESS_STANDARDIZE &&
        image_grids(dir, d, score, scorer, seed, err) != 0)
        return -1;
    return plots(dir, d, score, latent, latent_dim, losses, epochs, err);
}
