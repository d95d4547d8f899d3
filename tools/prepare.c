/* prepare.c - from the command line's data options to the dense,
 * preprocessed block the model trains on or scores. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_CLASSES 256

static int parse_classes(const tg_dataset *ds, const char *list, int *out, int *n, tg_error *err)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", list);
    *n = 0;
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        int c = tg_dataset_class_index(ds, tok);
        if (c < 0)
            return tg_fail(err, "--outlier-classes: '%s' is not a class of the data (%d classes)", tok, ds->n_classes);
        if (*n == MAX_CLASSES)
            return tg_fail(err, "--outlier-classes: at most %d classes", MAX_CLASSES);
        out[(*n)++] = c;
    }
    return 0;
}

static int in_list(int c, const int *list, int n)
{
    for (int i = 0; i < n; i++)
        if (list[i] == c)
            return 1;
    return 0;
}

/* --inlier-class without a count: every other labelled row (of the chosen
 * outlier classes) is an outlier. */
static int select_all_others(const tg_dataset *ds, int k, const int *classes, int n_classes,
                             tg_selection *sel, tg_error *err)
{
    memset(sel, 0, sizeof *sel);
    sel->index = malloc(ds->n * sizeof *sel->index);
    sel->is_outlier = malloc(ds->n * sizeof *sel->is_outlier);
    if (!sel->index || !sel->is_outlier) {
        tg_selection_free(sel);
        return tg_fail(err, "out of memory selecting rows");
    }
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < ds->n; i++) {
            int c = ds->labels[i];
            int take = pass == 0 ? c == k : c >= 0 && c != k && (n_classes == 0 || in_list(c, classes, n_classes));
            if (!take)
                continue;
            sel->index[sel->n] = i;
            sel->is_outlier[sel->n++] = pass;
            *(pass ? &sel->n_outliers : &sel->n_inliers) += 1;
        }
    if (sel->n_inliers == 0) {
        tg_selection_free(sel);
        return tg_fail(err, "--inlier-class %d: no row has that label", k);
    }
    return 0;
}

static int selection_requested(const rsrae_opts *o)
{
    return o->inlier_class || o->outlier_classes || o->outliers_per_class >= 0 || o->outlier_ratio >= 0;
}

static int choose_rows(const rsrae_opts *o, const tg_dataset *ds, tg_selection *sel, int *known,
                       tg_error *err)
{
    int classes[MAX_CLASSES], n_classes = 0;
    tg_select_opts so;
    tg_select_opts_default(&so);
    *known = 1;
    if (!o->data && !selection_requested(o)) { /* the reference experiment */
        static const int reference_outliers[] = {0, 1, 2, 8};
        so.inlier_class = 4;
        so.outlier_classes = reference_outliers;
        so.n_outlier_classes = 4;
        so.outliers_per_class = 100;
        so.mode = TG_SAMPLE_FIRST;
        return tg_select(ds, &so, sel, err);
    }
    if (!o->inlier_class) {
        if (selection_requested(o))
            return tg_fail(err, "--outlier-classes, --outliers-per-class and --outlier-ratio need --inlier-class");
        *known = 0;
        return tg_select(ds, &so, sel, err); /* every row */
    }
    if (!ds->labels)
        return tg_fail(err, "--inlier-class: the data has no labels (give --labels or --label-column)");
    int k = tg_dataset_class_index(ds, o->inlier_class);
    if (k < 0)
        return tg_fail(err, "--inlier-class: '%s' is not a class of the data (%d classes)", o->inlier_class,
                       ds->n_classes);
    if (o->outlier_classes && parse_classes(ds, o->outlier_classes, classes, &n_classes, err) != 0)
        return -1;
    if (o->outliers_per_class < 0 && o->outlier_ratio < 0)
        return select_all_others(ds, k, classes, n_classes, sel, err);
    if (o->outliers_per_class >= 0 && o->outlier_ratio >= 0)
        return tg_fail(err, "give either --outliers-per-class or --outlier-ratio, not both");
    so.inlier_class = k;
    so.outlier_classes = classes;
    so.n_outlier_classes = n_classes;
    so.outliers_per_class = o->outliers_per_class > 0 ? (size_t)o->outliers_per_class : 0;
    so.outlier_ratio = o->outlier_ratio > 0 ? o->outlier_ratio : 0;
    so.seed = (uint64_t)o->seed;
    if (tg_sample_mode_parse(o->sample, &so.mode, err) != 0)
        return -1;
    return tg_select(ds, &so, sel, err);
}

/* The norms that the unit-norm scaling divides by: with them the pictures
 * recover each original without keeping a second copy of the data. */
static int keep_norms(prepared_data *d, tg_error *err)
{
    size_t n = d->x.n, dim = d->x.dim;
    d->norms = malloc((n ? n : 1) * sizeof(float));
    if (!d->norms)
        return tg_fail(err, "out of memory");
    for (size_t i = 0; i < n; i++) {
        double acc = 0.0;
        for (size_t j = 0; j < dim; j++) {
            double v = 2.0 * d->x.x[i * dim + j] - 1.0;
            acc += v * v;
        }
        d->norms[i] = (float)sqrt(acc);
    }
    return 0;
}

static int preprocess(prepared_data *d, const float *mean, const float *std, tg_error *err)
{
    size_t dim = d->x.dim;
    switch (d->prep) {
    case TG_PREPROCESS_UNIT: return 0;
    case TG_PREPROCESS_PM1_L2:
        if (keep_norms(d, err) != 0)
            return -1;
        tg_data_scale_pm1_l2(&d->x);
        return 0;
    case TG_PREPROCESS_STANDARDIZE: break;
    }
    d->mean = malloc(dim * sizeof(float));
    d->std = malloc(dim * sizeof(float));
    if (!d->mean || !d->std)
        return tg_fail(err, "out of memory");
    if (mean) {
        memcpy(d->mean, mean, dim * sizeof(float));
        memcpy(d->std, std, dim * sizeof(float));
        tg_data_apply_standardize(&d->x, mean, std);
        return 0;
    }
    return tg_data_standardize(&d->x, d->mean, d->std, err);
}

/* Labels and geometry first, rows chosen from them, then only those rows
 * are read: an IDX set never exists whole in memory. */
int data_prepare(const rsrae_opts *o, const float *mean, const float *std, int prep_override,
                 prepared_data *d, tg_error *err)
{
    memset(d, 0, sizeof *d);
    tg_dataset all = {0};
    tg_selection sel = {0};
    tg_load_opts lo = {o->split, o->label_column, TG_CSV_HEADER_AUTO};
    const char *path = o->data ? o->data : RSRAE_DEFAULT_DATA;
    int known = 0, rc = -1;
    if (tg_data_open(path, o->labels, &lo, &all, err) != 0)
        return -1;
    if (choose_rows(o, &all, &sel, &known, err) != 0)
        goto done;
    if (tg_data_load_rows(path, o->labels, &lo, &all, sel.index, sel.n, &d->x, err) != 0)
        goto done;
    d->source_row = sel.index;
    sel.index = NULL;
    if (known) {
        d->is_outlier = sel.is_outlier;
        sel.is_outlier = NULL;
    }
    d->n_inliers = sel.n_inliers;
    d->n_outliers = sel.n_outliers;
    if (prep_override >= 0)
        d->prep = (tg_preprocess)prep_override;
    else if (opts_tg_preprocess(o, all.width > 0, &d->prep, err) != 0)
        goto done;
    rc = preprocess(d, mean, std, err);
done:
    tg_selection_free(&sel);
    tg_dataset_free(&all);
    if (rc != 0)
        data_release(d);
    return rc;
}

void data_release(prepared_data *d)
{
    tg_dataset_free(&d->x);
    free(d->norms);
    free(d->source_row);
    free(d->is_outlier);
    free(d->mean);
    free(d->std);
    memset(d, 0, sizeof *d);
}
