/* dataset.c - ownership of a tg_dataset: free, copy rows, class lookup. */
#include "data_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

char *tg_data_strdup(const char *s)
{
    if (!s)
        return NULL;
    size_t len = strlen(s) + 1;
    char *d = malloc(len);
    if (d)
        memcpy(d, s, len);
    return d;
}

void tg_data_strv_free(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

char **tg_data_strv_dup(char *const *v, size_t n)
{
    if (!v || n == 0)
        return NULL;
    char **d = calloc(n, sizeof *d);
    if (!d)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        d[i] = tg_data_strdup(v[i]);
        if (!d[i]) {
            tg_data_strv_free(d, i);
            return NULL;
        }
    }
    return d;
}

int tg_data_strcmp_p(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int tg_data_ends_with_ci(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    if (lx > ls)
        return 0;
    for (size_t i = 0; i < lx; i++)
        if (tolower((unsigned char)s[ls - lx + i]) != tolower((unsigned char)suffix[i]))
            return 0;
    return 1;
}

int tg_data_mul_ok(size_t n, size_t size)
{
    return size == 0 || n <= SIZE_MAX / size;
}

void tg_dataset_free(tg_dataset *ds)
{
    if (!ds)
        return;
    free(ds->x);
    free(ds->labels);
    tg_data_strv_free(ds->class_names, ds->class_names ? (size_t)ds->n_classes : 0);
    tg_data_strv_free(ds->feature_names, ds->feature_names ? ds->dim : 0);
    memset(ds, 0, sizeof *ds);
}

int tg_dataset_subset(const tg_dataset *ds, const size_t *index, size_t n,
                      tg_dataset *out, tg_error *err)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n; i++)
        if (index[i] >= ds->n)
            return tg_fail(err, "subset: index[%zu] = %zu is out of range (dataset has %zu rows)",
                           i, index[i], ds->n);
    if (!tg_data_mul_ok(n, ds->dim) || !tg_data_mul_ok(n * ds->dim, sizeof(float)))
        return tg_fail(err, "subset: %zu x %zu floats overflow", n, ds->dim);
    if (!ds->x && n > 0 && ds->dim > 0)
        return tg_fail(err, "subset: the dataset is header-only (x = NULL, from tg_data_open); "
                       "use tg_data_load_rows");

    tg_dataset s = *ds;
    s.n = n;
    s.x = malloc(n * ds->dim * sizeof *s.x + 1); /* +1: n = 0 still allocates */
    s.labels = ds->labels ? malloc(n * sizeof *s.labels + 1) : NULL;
    s.class_names = tg_data_strv_dup(ds->class_names, ds->class_names ? (size_t)ds->n_classes : 0);
    s.feature_names = tg_data_strv_dup(ds->feature_names, ds->feature_names ? ds->dim : 0);
    if (!s.x || (ds->labels && !s.labels) || (ds->class_names && !s.class_names) ||
        (ds->feature_names && !s.feature_names)) {
        tg_dataset_free(&s);
        return tg_fail(err, "subset: out of memory for %zu rows of %zu features", n, ds->dim);
    }
    for (size_t i = 0; i < n; i++) {
        memcpy(s.x + i * ds->dim, ds->x + index[i] * ds->dim, ds->dim * sizeof *s.x);
        if (s.labels)
            s.labels[i] = ds->labels[index[i]];
    }
    *out = s;
    return 0;
}

int tg_dataset_class_index(const tg_dataset *ds, const char *name)
{
    if (!name)
        return -1;
    if (ds->class_names)
        for (int c = 0; c < ds->n_classes; c++)
            if (strcmp(ds->class_names[c], name) == 0)
                return c;
    char *end;
    errno = 0;
    long v = strtol(name, &end, 10);
    if (end == name || *end != '\0' || errno != 0 || v < 0 || v >= ds->n_classes)
        return -1;
    return (int)v;
}
