/* select.c - the corrupted training set: one inlier class plus outliers.
 *
 * The RSRAE protocol takes every row of one class as inliers and adds
 * c * n_inliers rows drawn as evenly as possible from the other classes.
 * A fixed number per outlier class is offered too. Sampling is either the
 * first rows of each class in file order or a seeded random draw.
 */
#include "data_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tg_rng.h"

void tg_select_opts_default(tg_select_opts *o)
{
    memset(o, 0, sizeof *o);
    o->inlier_class = -1;
    o->mode = TG_SAMPLE_RANDOM;
}

int tg_sample_mode_parse(const char *s, tg_sample_mode *mode, tg_error *err)
{
    if (s && strcmp(s, "random") == 0)
        *mode = TG_SAMPLE_RANDOM;
    else if (s && strcmp(s, "first") == 0)
        *mode = TG_SAMPLE_FIRST;
    else
        return tg_fail(err, "sample mode '%s': expected 'random' or 'first'", s ? s : "(null)");
    return 0;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* Moves k of rows[0..n) to the front, in ascending (file) order: the first
 * k as they are, or k drawn uniformly by a partial Fisher-Yates shuffle. */
static void pick(size_t *rows, size_t n, size_t k, tg_sample_mode mode, tg_rng *rng)
{
    if (mode == TG_SAMPLE_FIRST || k >= n)
        return;
    for (size_t i = 0; i < k; i++) {
        size_t j = i + (size_t)tg_rng_below(rng, n - i);
        size_t t = rows[i];
        rows[i] = rows[j];
        rows[j] = t;
    }
    qsort(rows, k, sizeof *rows, cmp_size);
}

/* "3" or "3 ('Dress')" for messages. */
static const char *class_desc(const tg_dataset *ds, int c, char *buf, size_t len)
{
    if (ds->class_names && c >= 0 && c < ds->n_classes)
        snprintf(buf, len, "%d ('%s')", c, ds->class_names[c]);
    else
        snprintf(buf, len, "%d", c);
    return buf;
}

/* Lists the classes that have rows, with their counts, for messages. */
static void present_classes(const tg_dataset *ds, const size_t *count, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int c = 0; c < ds->n_classes && used < len; c++)
        if (count[c])
            used += (size_t)snprintf(buf + used, len - used, "%s%d:%zu", used ? " " : "", c, count[c]);
}

typedef struct class_plan {
    int     n;        /* outlier classes */
    int    *cls;      /* [n] */
    size_t *take;     /* [n] rows to draw from each */
    int    *full;     /* [n] scratch for spread: 1 = gives all its rows */
} class_plan;

/* Picks the outlier classes: the given list, checked, or every labelled
 * class but K in ascending order. */
static int plan_classes(const tg_dataset *ds, const tg_select_opts *o, const size_t *count,
                        class_plan *p, tg_error *err)
{
    char a[96], b[300];
    int k = o->inlier_class;
    int n = o->n_outlier_classes > 0 ? o->n_outlier_classes : ds->n_classes;
    p->cls = malloc((size_t)(n + 1) * sizeof *p->cls);
    p->take = calloc((size_t)n + 1, sizeof *p->take);
    p->full = calloc((size_t)n + 1, sizeof *p->full);
    if (!p->cls || !p->take || !p->full)
        return tg_fail(err, "select: out of memory");
    p->n = 0;
    if (o->n_outlier_classes <= 0) {
        for (int c = 0; c < ds->n_classes; c++)
            if (c != k && count[c])
                p->cls[p->n++] = c;
        return 0;
    }
    for (int i = 0; i < o->n_outlier_classes; i++) {
        int c = o->outlier_classes[i];
        if (c == k)
            return tg_fail(err, "select: outlier class %s is the inlier class",
                           class_desc(ds, c, a, sizeof a));
        if (c < 0 || c >= ds->n_classes || count[c] == 0) {
            present_classes(ds, count, b, sizeof b);
            return tg_fail(err, "select: outlier class %s is not present (class:rows %s)",
                           class_desc(ds, c, a, sizeof a), b);
        }
        for (int j = 0; j < p->n; j++)
            if (p->cls[j] == c)
                return tg_fail(err, "select: outlier class %d is listed twice", c);
        p->cls[p->n++] = c;
    }
    return 0;
}

/* Spreads total outliers over the classes as evenly as their sizes allow:
 * classes smaller than an even share give all their rows, and the rest
 * split what remains, earlier classes taking the remainder one by one. */
static void spread(class_plan *p, const size_t *count, size_t total)
{
    int active = p->n, *done = p->full;
    for (int changed = 1; changed && active > 0;) {
        changed = 0;
        size_t share = total / (size_t)active;
        for (int i = 0; i < p->n; i++)
            if (!done[i] && count[p->cls[i]] <= share) {
                p->take[i] = count[p->cls[i]];
                total -= p->take[i];
                done[i] = 1;
                active--;
                changed = 1;
            }
    }
    size_t base = active ? total / (size_t)active : 0, extra = active ? total % (size_t)active : 0;
    for (int i = 0; i < p->n; i++)
        if (!done[i])
            p->take[i] = base + (extra ? (extra--, 1) : 0);
}

static int plan_counts(const tg_dataset *ds, const tg_select_opts *o, const size_t *count,
                       size_t n_inliers, class_plan *p, tg_error *err)
{
    char a[96];
    if (o->outliers_per_class > 0) {
        for (int i = 0; i < p->n; i++) {
            if (count[p->cls[i]] < o->outliers_per_class)
                return tg_fail(err, "select: %zu outliers requested from class %s, which has "
                               "only %zu rows", o->outliers_per_class,
                               class_desc(ds, p->cls[i], a, sizeof a), count[p->cls[i]]);
            p->take[i] = o->outliers_per_class;
        }
        return 0;
    }
    size_t total = (size_t)llround(o->outlier_ratio * (double)n_inliers), avail = 0;
    for (int i = 0; i < p->n; i++)
        avail += count[p->cls[i]];
    if (total > avail)
        return tg_fail(err, "select: outlier ratio %g of %zu inliers needs %zu outliers, but the "
                       "%d outlier classes have only %zu rows", o->outlier_ratio, n_inliers,
                       total, p->n, avail);
    spread(p, count, total);
    return 0;
}

/* Row numbers of class c, in file order. */
static size_t *rows_of(const tg_dataset *ds, int c, size_t n)
{
    size_t *rows = malloc((n + 1) * sizeof *rows), k = 0;
    if (!rows)
        return NULL;
    for (size_t i = 0; i < ds->n; i++)
        if (c < 0 || ds->labels[i] == c)
            rows[k++] = i;
    return rows;
}

static int check_opts(const tg_dataset *ds, const tg_select_opts *o, tg_error *err)
{
    int wants_outliers = o->outliers_per_class > 0 || o->outlier_ratio > 0.0 ||
                         o->n_outlier_classes > 0;
    if (!(o->outlier_ratio >= 0.0) || !isfinite(o->outlier_ratio))
        return tg_fail(err, "select: outlier ratio %g must be a finite number >= 0", o->outlier_ratio);
    if (o->outliers_per_class > 0 && o->outlier_ratio > 0.0)
        return tg_fail(err, "select: give outliers per class (%zu) or an outlier ratio (%g), not both",
                       o->outliers_per_class, o->outlier_ratio);
    if (o->inlier_class < -1)
        return tg_fail(err, "select: inlier class %d: expected a class index or -1", o->inlier_class);
    if (o->inlier_class == -1 && wants_outliers)
        return tg_fail(err, "select: outliers are drawn from classes other than the inlier class; "
                       "give an inlier class");
    if (o->inlier_class >= 0 && !ds->labels)
        return tg_fail(err, "select: choosing inlier class %d needs labels, but the dataset has none",
                       o->inlier_class);
    return 0;
}

/* Appends k picked rows of class c (-1 = every row) to s. */
static int add_rows(const tg_dataset *ds, int c, size_t n, size_t k, int outlier,
                    const tg_select_opts *o, tg_rng *rng, tg_selection *s, tg_error *err)
{
    size_t *rows = rows_of(ds, c, n);
    if (!rows)
        return tg_fail(err, "select: out of memory");
    pick(rows, n, k, o->mode, rng);
    for (size_t i = 0; i < k; i++) {
        s->index[s->n] = rows[i];
        s->is_outlier[s->n++] = outlier;
    }
    free(rows);
    return 0;
}

int tg_select(const tg_dataset *ds, const tg_select_opts *opts, tg_selection *out, tg_error *err)
{
    memset(out, 0, sizeof *out);
    tg_select_opts dflt;
    tg_select_opts_default(&dflt);
    const tg_select_opts *o = opts ? opts : &dflt;
    if (check_opts(ds, o, err) != 0)
        return -1;

    int k = o->inlier_class, rc = -1;
    char a[96], b[300];
    size_t *count = calloc((size_t)ds->n_classes + 1, sizeof *count); // [n_classes]
    class_plan p = {0};
    tg_selection s = {0};
    if (!count) {
        tg_fail(err, "select: out of memory");
        goto done;
    }
    for (size_t i = 0; ds->labels && i < ds->n; i++)
        if (ds->labels[i] >= 0 && ds->labels[i] < ds->n_classes)
            count[ds->labels[i]]++;
    size_t k_rows = ds->n;
    if (k >= 0) {
        if (k >= ds->n_classes || count[k] == 0) {
            present_classes(ds, count, b, sizeof b);
            tg_fail(err, "select: inlier class %s is not present (class:rows %s)",
                    class_desc(ds, k, a, sizeof a), b);
            goto done;
        }
        k_rows = count[k];
    }
    size_t n_in = o->max_inliers && o->max_inliers < k_rows ? o->max_inliers : k_rows;
    if (k >= 0 && plan_classes(ds, o, count, &p, err) != 0)
        goto done;
    if (o->outliers_per_class > 0 || o->outlier_ratio > 0.0) {
        if (p.n == 0) {
            tg_fail(err, "select: no class other than the inlier class %d to draw outliers from", k);
            goto done;
        }
        if (plan_counts(ds, o, count, n_in, &p, err) != 0)
            goto done;
    }
    size_t total = n_in;
    for (int i = 0; i < p.n; i++)
        total += p.take[i];
    s.index = malloc((total + 1) * sizeof *s.index);
    s.is_outlier = malloc((total + 1) * sizeof *s.is_outlier);
    if (!s.index || !s.is_outlier) {
        tg_fail(err, "select: out of memory for %zu rows", total);
        goto done;
    }
    tg_rng rng;
    tg_rng_seed(&rng, o->seed);
    if (add_rows(ds, k, k_rows, n_in, 0, o, &rng, &s, err) != 0)
        goto done;
    s.n_inliers = s.n;
    for (int i = 0; i < p.n; i++)
        if (add_rows(ds, p.cls[i], count[p.cls[i]], p.take[i], 1, o, &rng, &s, err) != 0)
            goto done;
    s.n_outliers = s.n - s.n_inliers;
    *out = s;
    s = (tg_selection){0};
    rc = 0;
done:
    tg_selection_free(&s);
    free(p.cls);
    free(p.take);
    free(p.full);
    free(count);
    return rc;
}

void tg_selection_free(tg_selection *s)
{
    if (!s)
        return;
    free(s->index);
    free(s->is_outlier);
    memset(s, 0, sizeof *s);
}
