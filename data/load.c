/* load.c - tg_data_load: choose a loader from what the path is. */
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

static int load_dir(const char *dir, const char *split, tg_dataset *out, tg_error *err)
{
    const char *prefix = strcmp(split, "test") == 0 ? "t10k" : "train";
    const char *other = strcmp(split, "test") == 0 ? "train" : "t10k";
    char name[64], images[4096], labels[4096];
    snprintf(name, sizeof name, "%s-images-idx3-ubyte", prefix);
    if (find_idx(dir, name, images, sizeof images)) {
        snprintf(name, sizeof name, "%s-labels-idx1-ubyte", prefix);
        int has_labels = find_idx(dir, name, labels, sizeof labels);
        return tg_load_idx(images, has_labels ? labels : NULL, out, err);
    }
    snprintf(name, sizeof name, "%s-images-idx3-ubyte", other);
    if (find_idx(dir, name, labels, sizeof labels))
        return tg_fail(err, "%s: no %s-images-idx3-ubyte[.gz] for split '%s' (found %s)",
                       dir, prefix, split, labels);
    return tg_load_image_dir(dir, out, err);
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

int tg_data_load(const char *path, const char *labels_path,
                 const tg_load_opts *opts, tg_dataset *out, tg_error *err)
{
    memset(out, 0, sizeof *out);
    tg_load_opts dflt = {0};
    const tg_load_opts *o = opts ? opts : &dflt;
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
        return load_dir(path, split, out, err);
    if (is_csv)
        return tg_load_csv(path, o->label_column, o->csv_header, out, err);

    unsigned long magic = peek_magic(path);
    if (magic == 0x00000803) {
        char sibling[4096];
        if (!labels_path && sibling_labels(path, sibling, sizeof sibling))
            labels_path = sibling;
        return tg_load_idx(path, labels_path, out, err);
    }
    if (magic == 0x00000801)
        return tg_fail(err, "%s: this is an IDX labels file (magic 2049); give the images file "
                       "and this one as its labels", path);
    return tg_fail(err, "%s: unknown format: not a folder, a .csv file or IDX images "
                   "(magic 2051, found 0x%08lX)", path, magic);
}
