/* load.c - tg_data_load, tg_data_open, tg_data_load_rows: choose a loader
 * from what the path is. */
#include "data_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* dir/name or dir/name.gz, whichever exists first, into buf; 0 if neither. */
static int find_idx(const char *dir, const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s", dir, name);
    if (is_file(buf))
        return 1;
    snprintf(buf, len, "%s/%s.gz", dir, name);
    return is_file(buf);
}

/* First 4 (uncompressed) bytes as a big-endian number; 0 if unreadable. */
static unsigned long peek_magic(const char *path)
{
    unsigned char b[4];
    gzFile f = gzopen(path, "rb");
    if (!f)
        return 0;
    int n = gzread(f, b, 4);
    gzclose(f);
    return n == 4 ? (unsigned long)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3] : 0;
}

/* Replaces the first `from` in the file-name part of s by `to` (same length). */
static void swap_in_name(char *s, const char *from, const char *to)
{
    char *base = strrchr(s, '/');
    char *hit = strstr(base ? base + 1 : s, from);
    if (hit)
        memcpy(hit, to, strlen(to));
}

/* The labels file beside an images file, if there is one, into buf. */
static int sibling_labels(const char *images, char *buf, size_t len)
{
    if (strlen(images) >= len)
        return 0;
    strcpy(buf, images);
    swap_in_name(buf, "images", "labels");
    swap_in_name(buf, "idx3", "idx1");
    return strcmp(buf, images) != 0 && is_file(buf);
}

typedef enum source_kind { SOURCE_IDX, SOURCE_IMAGE_DIR, SOURCE_CSV } source_kind;

typedef struct source {
    source_kind kind;
    const char *images;  /* SOURCE_IDX: the images file */
    const char *labels;  /* SOURCE_IDX: its labels file or NULL */
    char images_buf[4096], labels_buf[4096]; /* names built here */
} source;

/* A directory: IDX files of the split, or else a folder of images. */
static int resolve_dir(const char *dir, const char *split, source *s, tg_error *err)
{
    const char *prefix = strcmp(split, "test") == 0 ? "t10k" : "train";
    const char *other = strcmp(split, "test") == 0 ? "train" : "t10k";
    char name[64];
    snprintf(name, sizeof name, "%s-images-idx3-ubyte", prefix);
    if (find_idx(dir, name, s->images_buf, sizeof s->images_buf)) {
        s->kind = SOURCE_IDX;
        s->images = s->images_buf;
        snprintf(name, sizeof name, "%s-labels-idx1-ubyte", prefix);
        if (find_idx(dir, name, s->labels_buf, sizeof s->labels_buf))
            s->labels = s->labels_buf;
        return 0;
    }
    snprintf(name, sizeof name, "%s-images-idx3-ubyte", other);
    if (find_idx(dir, name, s->images_buf, sizeof s->images_buf))
        return tg_fail(err, "%s: no %s-images-idx3-ubyte[.gz] for split '%s' (found %s)",
                       dir, prefix, split, s->images_buf);
    s->kind = SOURCE_IMAGE_DIR;
    return 0;
}

/* Works out what path is (see tg_data_load) without reading its data. */
static int resolve(const char *path, const char *labels_path, const tg_load_opts *o,
                   source *s, tg_error *err)
{
    memset(s, 0, sizeof *s);
    const char *split = o->split ? o->split : "train";
    if (strcmp(split, "train") != 0 && strcmp(split, "test") != 0)
        return tg_fail(err, "split '%s': expected 'train' or 'test'", split);

    struct stat st;
    if (stat(path, &st) != 0)
        return tg_fail(err, "%s: cannot open: %s", path, strerror(errno));
    int is_dir = S_ISDIR(st.st_mode), is_csv = !is_dir && tg_data_ends_with_ci(path, ".csv");
    if (labels_path && (is_dir || is_csv))
        return tg_fail(err, "%s: a separate labels file only goes with IDX images", path);
    if (is_dir)
        return resolve_dir(path, split, s, err);
    if (is_csv) {
        s->kind = SOURCE_CSV;
        return 0;
    }

    unsigned long magic = peek_magic(path);
    if (magic == 0x00000803) {
        s->kind = SOURCE_IDX;
        s->images = path;
        s->labels = labels_path;
        if (!labels_path && sibling_labels(path, s->labels_buf, sizeof s->labels_buf))
            s->labels = s->labels_buf;
        return 0;
    }
    if (magic == 0x00000801)
        return tg_fail(err, "%s: this is an IDX labels file (magic 2049); give the images file "
                       "and this one as its labels", path);
    return tg_fail(err, "%s: unknown format: not a folder, a .csv file or IDX images "
                   "(magic 2051, found 0x%08lX)", path, magic);
}

static const tg_load_opts *or_defaults(const tg_load_opts *opts)
{
    static const tg_load_opts dflt = {0};
    return opts ? opts : &dflt;
}

/* Everything but SOURCE_IDX is loaded whole. */
static int load_whole(const source *s, const char *path, const tg_load_opts *o,
                      tg_dataset *out, tg_error *err)
{
    switch (s->kind) {
    case SOURCE_IDX:
        return tg_load_idx(s->images, s->labels, out, err);
    case SOURCE_IMAGE_DIR:
        return tg_load_image_dir(path, out, err);
    case SOURCE_CSV:
        return tg_load_csv(path, o->label_column, o->csv_header, out, err);
    }
    return tg_fail(err, "%s: unknown source kind %d", path, (int)s->kind);
}

int tg_data_load(const char *path, const char *labels_path,
                 const tg_load_opts *opts, tg_dataset *out, tg_error *err)
{
    memset(out, 0, sizeof *out);
    const tg_load_opts *o = or_defaults(opts);
    source s;
    if (resolve(path, labels_path, o, &s, err) != 0)
        return -1;
    return load_whole(&s, path, o, out, err);
}

int tg_data_open(const char *path, const char *labels_path,
                 const tg_load_opts *opts, tg_dataset *out, tg_error *err)
{
    memset(out, 0, sizeof *out);
    const tg_load_opts *o = or_defaults(opts);
    source s;
    if (resolve(path, labels_path, o, &s, err) != 0)
        return -1;
    if (s.kind == SOURCE_IDX)
        return tg_data_idx_open(s.images, s.labels, out, err);
    return load_whole(&s, path, o, out, err);
}

int tg_data_load_rows(const char *path, const char *labels_path, const tg_load_opts *opts,
                      const tg_dataset *opened, const size_t *rows, size_t n_rows,
                      tg_dataset *out, tg_error *err)
{
    memset(out, 0, sizeof *out);
    if (opened->x)
        return tg_dataset_subset(opened, rows, n_rows, out, err);
    source s;
    if (resolve(path, labels_path, or_defaults(opts), &s, err) != 0)
        return -1;
    if (s.kind == SOURCE_IDX)
        return tg_data_idx_rows(s.images, opened, rows, n_rows, out, err);
    return tg_dataset_subset(opened, rows, n_rows, out, err); /* an empty set */
}
