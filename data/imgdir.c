/* imgdir.c - a folder of PNG/JPEG images; sub-folder names are classes.
 *
 * Two passes: the first lists the files and reads only their headers
 * (stbi_info) to check sizes and settle the channel count before any pixel
 * memory is committed; the second decodes.
 */
#include "data_internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <stb_image.h>

#define MAX_DEPTH 32 /* guards against symlink cycles */

typedef struct img_entry {
    char *path;  /* dir/relative/path.png */
    char *cls;   /* top-level sub-folder, or NULL for images directly in dir */
} img_entry;

typedef struct img_list {
    img_entry *e;
    size_t n, cap;
} img_list;

static void list_free(img_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->e[i].path);
        free(l->e[i].cls);
    }
    free(l->e);
}

static int is_image_name(const char *name)
{
    return tg_data_ends_with_ci(name, ".png") || tg_data_ends_with_ci(name, ".jpg") ||
           tg_data_ends_with_ci(name, ".jpeg");
}

static char *join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s = malloc(la + lb + 2);
    if (s) {
        memcpy(s, a, la);
        s[la] = '/';
        memcpy(s + la + 1, b, lb + 1);
    }
    return s;
}

static int list_add(img_list *l, char *path, const char *cls, tg_error *err)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        img_entry *ne = realloc(l->e, cap * sizeof *ne);
        if (!ne) {
            free(path);
            return tg_fail(err, "out of memory listing images");
        }
        l->e = ne;
        l->cap = cap;
    }
    img_entry e = {path, cls ? tg_data_strdup(cls) : NULL};
    if (cls && !e.cls) {
        free(path);
        return tg_fail(err, "out of memory listing images");
    }
    l->e[l->n++] = e;
    return 0;
}

/* Adds every image under dir; cls is the class of its files (NULL at the
 * top, where each sub-folder starts a class). */
static int walk(const char *dir, const char *cls, int depth, img_list *l, tg_error *err)
{
    if (depth > MAX_DEPTH)
        return tg_fail(err, "%s: folders nested deeper than %d (a symlink loop?)", dir, MAX_DEPTH);
    DIR *d = opendir(dir);
    if (!d)
        return tg_fail(err, "%s: cannot open folder: %s", dir, strerror(errno));
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char *path = join(dir, de->d_name);
        struct stat st;
        if (!path) {
            rc = tg_fail(err, "%s: out of memory", dir);
        } else if (stat(path, &st) != 0) {
            free(path); /* a dangling symlink: not an image */
        } else if (S_ISDIR(st.st_mode)) {
            rc = walk(path, cls ? cls : de->d_name, depth + 1, l, err);
            free(path);
        } else if (S_ISREG(st.st_mode) && is_image_name(de->d_name)) {
            rc = list_add(l, path, cls, err);
        } else {
            free(path);
        }
    }
    closedir(d);
    return rc;
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const img_entry *)a)->path, ((const img_entry *)b)->path);
}

/* Sorted distinct class names of the entries; *n_classes of them. */
static int collect_classes(const img_list *l, tg_dataset *ds, tg_error *err)
{
    char **names = malloc(l->n * sizeof *names + 1);
    if (!names)
        return tg_fail(err, "out of memory");
    size_t k = 0, m = 0;
    for (size_t i = 0; i < l->n; i++)
        if (l->e[i].cls)
            names[k++] = l->e[i].cls;
    qsort(names, k, sizeof *names, tg_data_strcmp_p);
    for (size_t i = 0; i < k; i++)
        if (m == 0 || strcmp(names[m - 1], names[i]) != 0)
            names[m++] = names[i];
    if (m > 0) {
        ds->class_names = tg_data_strv_dup(names, m);
        ds->n_classes = (int)m;
        ds->labels = malloc(l->n * sizeof *ds->labels);
        if (!ds->class_names || !ds->labels) {
            free(names);
            return tg_fail(err, "out of memory");
        }
        for (size_t i = 0; i < l->n; i++) {
            char **hit = l->e[i].cls
                ? bsearch(&l->e[i].cls, names, m, sizeof *names, tg_data_strcmp_p) : NULL;
            ds->labels[i] = hit ? (int)(hit - names) : -1;
        }
    }
    free(names);
    return 0;
}

/* Checks every image has the first one's size; picks 1 or 3 channels. */
static int probe_sizes(const img_list *l, tg_dataset *ds, tg_error *err)
{
    int grey = 1;
    for (size_t i = 0; i < l->n; i++) {
        int w, h, c;
        if (!stbi_info(l->e[i].path, &w, &h, &c))
            return tg_fail(err, "%s: cannot read image: %s", l->e[i].path, stbi_failure_reason());
        if (i == 0) {
            ds->width = w;
            ds->height = h;
        } else if (w != ds->width || h != ds->height) {
            return tg_fail(err, "%s: image is %dx%d but %s is %dx%d; all images must have "
                           "the same size", l->e[i].path, w, h, l->e[0].path, ds->width, ds->height);
        }
        if (c > 2)
            grey = 0;
    }
    ds->channels = grey ? 1 : 3;
    return 0;
}

static int decode_all(const img_list *l, tg_dataset *ds, tg_error *err)
{
    size_t dim = (size_t)ds->width * ds->height * ds->channels;
    if (!tg_data_mul_ok(l->n, dim) || !tg_data_mul_ok(l->n * dim, sizeof(float)) ||
        !(ds->x = malloc(l->n * dim * sizeof *ds->x)))
        return tg_fail(err, "out of memory for %zu images of %dx%dx%d", l->n, ds->width,
                       ds->height, ds->channels);
    ds->n = l->n;
    ds->dim = dim;
    for (size_t i = 0; i < l->n; i++) {
        int w, h, c;
        unsigned char *px = stbi_load(l->e[i].path, &w, &h, &c, ds->channels);
        if (!px)
            return tg_fail(err, "%s: cannot decode image: %s", l->e[i].path, stbi_failure_reason());
        if (w != ds->width || h != ds->height) { /* changed since probe_sizes */
            stbi_image_free(px);
            return tg_fail(err, "%s: image is %dx%d but %s is %dx%d", l->e[i].path, w, h,
                           l->e[0].path, ds->width, ds->height);
        }
        float *row = ds->x + i * dim; // [H*W*C]
        for (size_t j = 0; j < dim; j++)
            row[j] = (float)px[j] / 255.0f;
        stbi_image_free(px);
    }
    return 0;
}

int tg_load_image_dir(const char *dir, tg_dataset *out, tg_error *err)
{
    memset(out, 0, sizeof *out);
    img_list l = {0};
    tg_dataset ds = {0};
    if (walk(dir, NULL, 0, &l, err) != 0)
        goto fail;
    if (l.n == 0) {
        tg_fail(err, "%s: no PNG or JPEG images found", dir);
        goto fail;
    }
    qsort(l.e, l.n, sizeof *l.e, entry_cmp);
    if (collect_classes(&l, &ds, err) != 0 || probe_sizes(&l, &ds, err) != 0 ||
        decode_all(&l, &ds, err) != 0)
        goto fail;
    list_free(&l);
    *out = ds;
    return 0;
fail:
    list_free(&l);
    tg_dataset_free(&ds);
    return -1;
}
