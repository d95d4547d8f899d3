/* test_data.c - loaders, preprocessing and corrupted-set selection.
 *
 * Every input file is written by the test itself into a fresh mkdtemp
 * folder, from bytes and pixel values chosen here, so the expected values
 * are known independently of the loaders. The Fashion-MNIST case runs only
 * when /usr/share/datasets/fashion-mnist is installed and checks the loader
 * against the raw bytes read here with zlib, and the two-phase row loader
 * against the whole-set path: same bytes, and (each path in a forked child)
 * its peak RSS.
 */
#define _GNU_SOURCE
#include <check.h>
#include <ftw.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include <stb_image_write.h>

#include "tg_data.h"
#include "tg_rng.h"
#include "check_util.h"

#ifndef FASHION_DIR /* -D to point elsewhere */
#define FASHION_DIR "/usr/share/datasets/fashion-mnist"
#endif

static char tmpdir[256];

/* ---- fixture helpers -------------------------------------------------- */

static const char *tmp_path(const char *name)
{
    static char buf[8][512];
    static int next;
    char *p = buf[next++ % 8];
    snprintf(p, 512, "%s/%s", tmpdir, name);
    return p;
}

static void write_bytes(const char *path, const void *data, size_t len)
{
    FILE *fp = fopen(path, "wb");
    ck_assert_msg(fp != NULL, "cannot create %s", path);
    ck_assert_uint_eq(fwrite(data, 1, len, fp), len);
    fclose(fp);
}

static void write_gz(const char *path, const void *data, size_t len)
{
    gzFile f = gzopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot create %s", path);
    ck_assert_int_eq(gzwrite(f, data, (unsigned)len), (int)len);
    gzclose(f);
}

static void write_text(const char *path, const char *text)
{
    write_bytes(path, text, strlen(text));
}

static void make_dir(const char *path)
{
    ck_assert_msg(mkdir(path, 0755) == 0, "mkdir %s", path);
}

static void put_be32(unsigned char *b, uint32_t v)
{
    b[0] = (unsigned char)(v >> 24);
    b[1] = (unsigned char)(v >> 16);
    b[2] = (unsigned char)(v >> 8);
    b[3] = (unsigned char)v;
}

/* An IDX image file: 3 images of 2 rows x 4 cols, pixel j of image i =
 * (i * 97 + j * 31) mod 256, except that the last pixel is 255, so both
 * ends of the byte range occur. */
enum { IMG_N = 3, IMG_ROWS = 2, IMG_COLS = 4, IMG_DIM = IMG_ROWS * IMG_COLS };
static const unsigned char LABELS[IMG_N] = {7, 0, 3};

static unsigned char pixel(int i, int j)
{
    if (i == IMG_N - 1 && j == IMG_DIM - 1)
        return 255;
    return (unsigned char)((i * 97 + j * 31) % 256);
}

static size_t idx_images(unsigned char *b, uint32_t magic, uint32_t n)
{
    put_be32(b, magic);
    put_be32(b + 4, n);
    put_be32(b + 8, IMG_ROWS);
    put_be32(b + 12, IMG_COLS);
    for (int i = 0; i < IMG_N; i++)
        for (int j = 0; j < IMG_DIM; j++)
            b[16 + i * IMG_DIM + j] = pixel(i, j);
    return 16 + IMG_N * IMG_DIM;
}

static size_t idx_labels(unsigned char *b, uint32_t n)
{
    put_be32(b, 2049);
    put_be32(b + 4, n);
    memcpy(b + 8, LABELS, n);
    return 8 + n;
}

/* Writes images and labels files raw or gzipped under the given names. */
static void write_idx_pair(const char *images, const char *labels, int gz)
{
    unsigned char b[256];
    size_t len = idx_images(b, 2051, IMG_N);
    (gz ? write_gz : write_bytes)(images, b, len);
    len = idx_labels(b, IMG_N);
    (gz ? write_gz : write_bytes)(labels, b, len);
}

static void check_idx_content(const tg_dataset *ds, int with_labels)
{
    ck_assert_uint_eq(ds->n, IMG_N);
    ck_assert_uint_eq(ds->dim, IMG_DIM);
    ck_assert_int_eq(ds->height, IMG_ROWS);
    ck_assert_int_eq(ds->width, IMG_COLS);
    ck_assert_int_eq(ds->channels, 1);
    for (int i = 0; i < IMG_N; i++)
        for (int j = 0; j < IMG_DIM; j++)
            ck_assert_float_eq(ds->x[i * IMG_DIM + j], (float)pixel(i, j) / 255.0f);
    if (!with_labels) {
        ck_assert_ptr_null(ds->labels);
        return;
    }
    ck_assert_ptr_nonnull(ds->labels);
    for (int i = 0; i < IMG_N; i++)
        ck_assert_int_eq(ds->labels[i], LABELS[i]);
    ck_assert_int_eq(ds->n_classes, 8);
    ck_assert_ptr_null(ds->class_names);
}

#define ck_assert_has(msg, part) \
    ck_assert_msg(strstr((msg), (part)) != NULL, "message \"%s\" lacks \"%s\"", (msg), (part))

/* A failed load must leave nothing behind. */
static void check_empty(const tg_dataset *ds)
{
    ck_assert_ptr_null(ds->x);
    ck_assert_ptr_null(ds->labels);
    ck_assert_uint_eq(ds->n, 0);
}

/* ---- IDX -------------------------------------------------------------- */

START_TEST(idx_round_trip_raw)
{
    write_idx_pair(tmp_path("raw-images"), tmp_path("raw-labels"), 0);
    tg_dataset ds;
    tg_error e = {{0}};
    ck_assert_int_eq(tg_load_idx(tmp_path("raw-images"), tmp_path("raw-labels"), &ds, &e), 0);
    check_idx_content(&ds, 1);
    tg_dataset_free(&ds);
    ck_assert_int_eq(tg_load_idx(tmp_path("raw-images"), NULL, &ds, &e), 0);
    check_idx_content(&ds, 0);
    tg_dataset_free(&ds);
}
END_TEST

START_TEST(idx_round_trip_gz_any_name)
{
    /* gzip found by its magic bytes, not by a .gz name */
    write_idx_pair(tmp_path("gz-images.bin"), tmp_path("gz-labels.bin"), 1);
    FILE *fp = fopen(tmp_path("gz-images.bin"), "rb");
    ck_assert_int_eq(fgetc(fp), 0x1f);
    ck_assert_int_eq(fgetc(fp), 0x8b);
    fclose(fp);
    tg_dataset ds;
    tg_error e = {{0}};
    ck_assert_int_eq(tg_load_idx(tmp_path("gz-images.bin"), tmp_path("gz-labels.bin"), &ds, &e), 0);
    check_idx_content(&ds, 1);
    tg_dataset_free(&ds);
}
END_TEST

START_TEST(idx_missing_file)
{
    tg_dataset ds;
    tg_error e = {{0}};
    const char *p = tmp_path("no-such-images");
    ck_assert_int_eq(tg_load_idx(p, NULL, &ds, &e), -1);
    ck_assert_has(e.msg, p);
    ck_assert_has(e.msg, "No such file");
    check_empty(&ds);
    write_idx_pair(tmp_path("ok-images"), tmp_path("ok-labels"), 0);
    p = tmp_path("no-such-labels");
    ck_assert_int_eq(tg_load_idx(tmp_path("ok-images"), p, &ds, &e), -1);
    ck_assert_has(e.msg, p);
    check_empty(&ds);
}
END_TEST

START_TEST(idx_wrong_magic)
{
    unsigned char b[256];
    size_t len = idx_images(b, 2049, IMG_N);
    const char *p = tmp_path("magic-images");
    write_bytes(p, b, len);
    tg_dataset ds;
    tg_error e = {{0}};
    ck_assert_int_eq(tg_load_idx(p, NULL, &ds, &e), -1);
    ck_assert_has(e.msg, p);
    ck_assert_has(e.msg, "offset 0");
    ck_assert_has(e.msg, "expected 2051");
    ck_assert_has(e.msg, "found 2049");
    check_empty(&ds);
    /* an images file given as the labels file */
    const char *q = tmp_path("magic-labels");
    len = idx_images(b, 2051, IMG_N);
    write_bytes(q, b, len);
    write_bytes(p, b, len);
    ck_assert_int_eq(tg_load_idx(p, q, &ds, &e), -1);
    ck_assert_has(e.msg, q);
    ck_assert_has(e.msg, "expected 2049");
}
END_TEST

START_TEST(idx_unsupported_dtype)
{
    unsigned char b[256];
    size_t len = idx_images(b, 0x00000D03, IMG_N); /* float32 images */
    const char *p = tmp_path("f32-images");
    write_bytes(p, b, len);
    tg_dataset ds;
    tg_error e = {{0}};
    ck_assert_int_eq(tg_load_idx(p, NULL, &ds, &e), -1);
    ck_assert_has(e.msg, p);
    ck_assert_has(e.msg, "0x0D");
    ck_assert_has(e.msg, "float32");
    check_empty(&ds);
}
END_TEST

START_TEST(idx_truncated)
{
    unsigned char b[256];
    size_t len = idx_images(b, 2051, IMG_N); /* 16 + 24 bytes */
    const char *p = tmp_path("cut-images");
    const char *q = tmp_path("cut-images.gz");
    write_bytes(p, b, len - 4);
    write_gz(q, b, len - 4);
    tg_dataset ds;
    tg_error e = {{0}};
    for (int gz = 0; gz < 2; gz++) {
        const char *f = gz ? q : p;
        ck_assert_int_eq(tg_load_idx(f, NULL, &ds, &e), -1);
        ck_assert_has(e.msg, f);
        ck_assert_has(e.msg, "truncated");
        ck_assert_has(e.msg, "offset 36");
        ck_assert_has(e.msg, "expected 40 bytes");
        check_empty(&ds);
    }
    /* cut inside the header */
    write_bytes(p, b, 10);
    ck_assert_int_eq(tg_load_idx(p, NULL, &ds, &e), -1);
    ck_assert_has(e.msg, p);
    ck_assert_has(e.msg, "offset 10");
    ck_assert_has(e.msg, "expected 16");
    /* a gzip stream cut in the middle of its compressed data */
    unsigned char big[16 + 4096];
    put_be32(big, 2051);
    put_be32(big + 4, 64);
    put_be32(big + 8, 8);
    put_be32(big + 12, 8);
    for (int i = 16; i < (int)sizeof big; i++)
        big[i] = (unsigned char)((i * 2654435761u) >> 13);
    write_gz(q, big, sizeof big);
    struct stat st;
    ck_assert_int_eq(stat(q, &st), 0);
    ck_assert_int_eq(truncate(q, st.st_size / 2), 0);
    ck_assert_int_eq(tg_load_idx(q, NULL, &ds, &e), -1);
    ck_assert_has(e.msg, q);
    ck_assert_has(e.msg, "offset");
    check_empty(&ds);
}
END_TEST

START_TEST(idx_counts_disagree)
{
    unsigned char b[256];
    const char *p = tmp_path("n3-images"), *q = tmp_path("n2-labels");
    write_bytes(p, b, idx_images(b, 2051, IMG_N));
    write_bytes(q, b, idx_labels(b, 2));
    tg_dataset ds;
    tg_error e = {{0}};
    ck_assert_int_eq(tg_load_idx(p, q, &ds, &e), -1);
    ck_assert_has(e.msg, p);
    ck_assert_has(e.msg, q);
    ck_assert_has(e.msg, "3 images");
    ck_assert_has(e.msg, "2 labels");
    check_empty(&ds);
}
END_TEST

START_TEST(data_load_idx_dir_and_file)
{
    const char *dir = tmp_path("mnistlike");
    make_dir(dir);
    char img[512], lab[512];
    snprintf(img, sizeof img, "%s/train-images-idx3-ubyte.gz", dir);
    snprintf(lab, sizeof lab, "%s/train-labels-idx1-ubyte.gz", dir);
    write_idx_pair(img, lab, 1);
    /* the test split: one image only, so the two are told apart */
    unsigned char b[256];
    idx_images(b, 2051, 1);
    snprintf(img, sizeof img, "%s/t10k-images-idx3-ubyte", dir);
    write_bytes(img, b, 16 + IMG_DIM);
    snprintf(lab, sizeof lab, "%s/t10k-labels-idx1-ubyte", dir);
    write_bytes(lab, b, idx_labels(b, 1));

    tg_dataset ds;
    tg_error e = {{0}};
    ck_assert_int_eq(tg_data_load(dir, NULL, NULL, &ds, &e), 0);
    check_idx_content(&ds, 1);
    tg_dataset_free(&ds);

    tg_load_opts o = {.split = "test"};
    ck_assert_int_eq(tg_data_load(dir, NULL, &o, &ds, &e), 0);
    ck_assert_uint_eq(ds.n, 1);
    ck_assert_int_eq(ds.labels[0], LABELS[0]);
    tg_dataset_free(&ds);

    /* a single images file finds its labels sibling */
    snprintf(img, sizeof img, "%s/train-images-idx3-ubyte.gz", dir);
    ck_assert_int_eq(tg_data_load(img, NULL, NULL, &ds, &e), 0);
    check_idx_content(&ds, 1);
    tg_dataset_free(&ds);

    o.split = "validation";
    ck_assert_int_eq(tg_data_load(dir, NULL, &o, &ds, &e), -1);
    ck_assert_has(e.msg, "validation");
    ck_assert_int_eq(tg_data_load(tmp_path("nothing-here"), NULL, NULL, &ds, &e), -1);
    ck_assert_has(e.msg, "nothing-here");
}
END_TEST

/* ---- selected rows: tg_data_open + tg_data_load_rows ------------------ */

/* A larger IDX set for the row loader: n images of h x w, pixel j of image
 * i a hash of (i, j), label i * 7 mod 10. Small images make many rows per
 * 64 KiB read batch; 300 x 300 ones are larger than a batch. */
static unsigned char big_pixel(size_t i, size_t j)
{
    uint32_t v = (uint32_t)i * 2654435761u ^ ((uint32_t)j * 40503u + 0x9E37u);
    v ^= v >> 15;
    v *= 0x2C1B3C6Du;
    v ^= v >> 12;
    return (unsigned char)v;
}

static int big_label(size_t i)
{
    return (int)(i * 7 % 10);
}

/* The images file's bytes (header and pixels); *len receives the size. */
static unsigned char *big_images(uint32_t n, uint32_t h, uint32_t w, size_t *len)
{
    size_t dim = (size_t)h * w;
    unsigned char *b = malloc(16 + n * dim);
    ck_assert_ptr_nonnull(b);
    put_be32(b, 2051);
    put_be32(b + 4, n);
    put_be32(b + 8, h);
    put_be32(b + 12, w);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < dim; j++)
            b[16 + i * dim + j] = big_pixel(i, j);
    *len = 16 + n * dim;
    return b;
}

/* Writes images (first keep bytes of them, all when keep = 0) and, when
 * labels is not NULL, its labels file; raw or gzipped. */
static void write_big(const char *images, const char *labels, uint32_t n, uint32_t h,
                      uint32_t w, size_t keep, int gz)
{
    size_t len;
    unsigned char *b = big_images(n, h, w, &len);
    (gz ? write_gz : write_bytes)(images, b, keep ? keep : len);
    free(b);
    if (!labels)
        return;
    unsigned char *l = malloc(8 + n);
    ck_assert_ptr_nonnull(l);
    put_be32(l, 2049);
    put_be32(l + 4, n);
    for (size_t i = 0; i < n; i++)
        l[8 + i] = (unsigned char)big_label(i);
    (gz ? write_gz : write_bytes)(labels, l, 8 + n);
    free(l);
}

/* n_rows rows drawn with replacement, so unsorted and with repeats; the
 * first and last rows of the file and an explicit repeat are forced in. */
static size_t *random_rows(size_t n_rows, size_t n, uint64_t seed)
{
    tg_rng r;
    tg_rng_seed(&r, seed);
    size_t *rows = malloc(n_rows * sizeof *rows);
    ck_assert_ptr_nonnull(rows);
    for (size_t k = 0; k < n_rows; k++)
        rows[k] = (size_t)tg_rng_below(&r, n);
    ck_assert_uint_ge(n_rows, 4);
    rows[0] = n - 1;
    rows[1] = rows[3];
    rows[2] = 0;
    rows[n_rows - 1] = n - 1;
    return rows;
}

/* open + load_rows equals tg_load_idx + tg_dataset_subset bit for bit, and
 * the pixels and labels are those written. */
static void check_rows(const char *images, const char *labels, const size_t *rows, size_t n_rows)
{
    tg_dataset full, head, want, got;
    tg_error e = {{0}};
    ck_assert_msg(tg_load_idx(images, labels, &full, &e) == 0, "%s", e.msg);
    ck_assert_msg(tg_dataset_subset(&full, rows, n_rows, &want, &e) == 0, "%s", e.msg);
    ck_assert_msg(tg_data_open(images, labels, NULL, &head, &e) == 0, "%s", e.msg);
    ck_assert_ptr_null(head.x);
    ck_assert_uint_eq(head.n, full.n);
    ck_assert_uint_eq(head.dim, full.dim);
    ck_assert_int_eq(head.width, full.width);
    ck_assert_int_eq(head.height, full.height);
    ck_assert_int_eq(head.channels, 1);
    ck_assert_int_eq(head.n_classes, full.n_classes);
    ck_assert_int_eq(!head.labels, !full.labels);
    if (full.labels)
        ck_assert_int_eq(memcmp(head.labels, full.labels, full.n * sizeof *full.labels), 0);

    ck_assert_msg(tg_data_load_rows(images, labels, NULL, &head, rows, n_rows, &got, &e) == 0,
                  "%s", e.msg);
    ck_assert_uint_eq(got.n, n_rows);
    ck_assert_uint_eq(got.dim, want.dim);
    ck_assert_int_eq(got.width, want.width);
    ck_assert_int_eq(got.height, want.height);
    ck_assert_int_eq(got.channels, want.channels);
    ck_assert_int_eq(got.n_classes, want.n_classes);
    ck_assert_ptr_null(got.class_names);
    ck_assert_ptr_nonnull(got.x);
    ck_assert_int_eq(memcmp(got.x, want.x, n_rows * want.dim * sizeof *got.x), 0);
    ck_assert_int_eq(!got.labels, !want.labels);
    if (want.labels)
        ck_assert_int_eq(memcmp(got.labels, want.labels, n_rows * sizeof *got.labels), 0);
    for (size_t k = 0; k < n_rows; k++) {
        for (size_t j = 0; j < got.dim; j++)
            ck_assert_float_eq(got.x[k * got.dim + j], (float)big_pixel(rows[k], j) / 255.0f);
        if (got.labels)
            ck_assert_int_eq(got.labels[k], big_label(rows[k]));
    }
    tg_dataset_free(&got);
    tg_dataset_free(&head);
    tg_dataset_free(&want);
    tg_dataset_free(&full);
}

START_TEST(rows_match_subset)
{
    for (int gz = 0; gz < 2; gz++) {
        /* 5000 images of 7 x 5: several 64 KiB batches, rows across their edges */
        const char *img = tmp_path(gz ? "many-images.gz" : "many-images");
        const char *lab = tmp_path(gz ? "many-labels.gz" : "many-labels");
        write_big(img, lab, 5000, 7, 5, 0, gz);
        size_t *rows = random_rows(3000, 5000, 42 + (uint64_t)gz);
        check_rows(img, lab, rows, 3000);
        check_rows(img, lab, rows, 0);
        /* no labels: a name without "images", so no sibling is found */
        img = tmp_path(gz ? "many-pixels.gz" : "many-pixels");
        write_big(img, NULL, 5000, 7, 5, 0, gz);
        check_rows(img, NULL, rows, 3000);
        free(rows);
        /* 5 images of 300 x 300: each row larger than a batch; no labels */
        img = tmp_path(gz ? "wide-pixels.gz" : "wide-pixels");
        write_big(img, NULL, 5, 300, 300, 0, gz);
        check_rows(img, NULL, (const size_t[]){4, 0, 4, 2, 4}, 5);
    }
}
END_TEST

START_TEST(rows_truncated)
{
    const size_t dim = 35, cut = 16 + 3000 * dim + 10; /* inside row 3000 */
    char offset[64];
    snprintf(offset, sizeof offset, "offset %zu,", cut);
    tg_dataset head, ds;
    tg_error e = {{0}};
    for (int gz = 0; gz < 2; gz++) {
        const char *img = tmp_path(gz ? "cut-many-images.gz" : "cut-many-images");
        const char *lab = tmp_path(gz ? "cut-many-labels.gz" : "cut-many-labels");
        write_big(img, lab, 5000, 7, 5, cut, gz);
        /* phase one reads only the header: truncation is not its business */
        ck_assert_msg(tg_data_open(img, NULL, NULL, &head, &e) == 0, "%s", e.msg);
        ck_assert_ptr_nonnull(head.labels); /* the sibling labels file */
        ck_assert_uint_eq(head.n, 5000);
        size_t rows[] = {3000, 5, 3000};
        memset(&ds, 0xAB, sizeof ds);
        ck_assert_int_eq(tg_data_load_rows(img, NULL, NULL, &head, rows, 3, &ds, &e), -1);
        ck_assert_has(e.msg, img);
        ck_assert_has(e.msg, "truncated");
        ck_assert_has(e.msg, offset);
        ck_assert_has(e.msg, "expected 175016 bytes");
        check_empty(&ds);
        /* the wanted rows end before the cut: the file is still read whole */
        memset(&ds, 0xAB, sizeof ds);
        ck_assert_int_eq(tg_data_load_rows(img, NULL, NULL, &head, rows + 1, 1, &ds, &e), -1);
        ck_assert_has(e.msg, offset);
        check_empty(&ds);
        tg_dataset_free(&head);
    }
    /* only the header: open works, loading any row fails at byte 16 */
    const char *img = tmp_path("header-only-images");
    write_big(img, NULL, 5000, 7, 5, 16, 0);
    ck_assert_msg(tg_data_open(img, NULL, NULL, &head, &e) == 0, "%s", e.msg);
    ck_assert_int_eq(tg_data_load_rows(img, NULL, NULL, &head, (const size_t[]){0}, 1, &ds, &e), -1);
    ck_assert_has(e.msg, "offset 16,");
    check_empty(&ds);
    tg_dataset_free(&head);
}
END_TEST

START_TEST(rows_errors)
{
    const char *img = tmp_path("err-images"), *lab = tmp_path("err-labels");
    write_big(img, lab, 50, 4, 4, 0, 0);
    tg_dataset head, ds;
    tg_error e = {{0}};
    ck_assert_msg(tg_data_open(img, lab, NULL, &head, &e) == 0, "%s", e.msg);
    /* a row out of range */
    ck_assert_int_eq(tg_data_load_rows(img, lab, NULL, &head, (const size_t[]){3, 50}, 2, &ds, &e), -1);
    ck_assert_has(e.msg, "rows[1] = 50");
    ck_assert_has(e.msg, "out of range");
    check_empty(&ds);
    /* the file changed between the phases */
    write_big(img, NULL, 40, 4, 4, 0, 0);
    ck_assert_int_eq(tg_data_load_rows(img, lab, NULL, &head, (const size_t[]){3}, 1, &ds, &e), -1);
    ck_assert_has(e.msg, img);
    ck_assert_has(e.msg, "changed");
    check_empty(&ds);
    tg_dataset_free(&head);
    /* phase one still checks what it reads: label count, magic, missing files */
    ck_assert_int_eq(tg_data_open(img, lab, NULL, &head, &e), -1);
    ck_assert_has(e.msg, "40 images");
    ck_assert_has(e.msg, "50 labels");
    check_empty(&head);
    unsigned char b[256];
    const char *bad = tmp_path("bad-magic-images");
    size_t len = idx_images(b, 2051, IMG_N);
    b[3] = 0x04; /* 0x0804: a 4-dimensional u8 array */
    write_bytes(bad, b, len);
    ck_assert_int_eq(tg_data_open(bad, NULL, NULL, &head, &e), -1);
    ck_assert_has(e.msg, bad);
    check_empty(&head);
    write_bytes(bad, b, idx_images(b, 2051, IMG_N));
    ck_assert_int_eq(tg_data_open(bad, lab, NULL, &head, &e), -1); /* 3 images, 50 labels */
    ck_assert_has(e.msg, "3 images");
    check_empty(&head);
    ck_assert_int_eq(tg_data_open(tmp_path("absent-images"), NULL, NULL, &head, &e), -1);
    ck_assert_has(e.msg, "absent-images");
    check_empty(&head);
}
END_TEST

START_TEST(rows_header_only_set)
{
    const char *img = tmp_path("ho-images"), *lab = tmp_path("ho-labels");
    write_big(img, lab, 30, 3, 3, 0, 0);
    tg_dataset head, ds;
    tg_error e = {{0}};
    ck_assert_msg(tg_data_open(img, lab, NULL, &head, &e) == 0, "%s", e.msg);
    ck_assert_ptr_null(head.x);
    /* selection needs only the labels */
    tg_select_opts o;
    tg_select_opts_default(&o);
    o.inlier_class = 3;
    o.mode = TG_SAMPLE_FIRST;
    tg_selection s;
    ck_assert_msg(tg_select(&head, &o, &s, &e) == 0, "%s", e.msg);
    ck_assert_uint_eq(s.n, 3); /* rows 9, 19, 29 have label 3 */
    for (size_t k = 0; k < s.n; k++)
        ck_assert_uint_eq(s.index[k], 9 + 10 * k);
    tg_selection_free(&s);
    /* tg_dataset_subset has no pixels to copy */
    ck_assert_int_eq(tg_dataset_subset(&head, (const size_t[]){1}, 1, &ds, &e), -1);
    ck_assert_has(e.msg, "header-only");
    check_empty(&ds);
    tg_dataset_free(&head);
    ck_assert_ptr_null(head.labels);
    ck_assert_uint_eq(head.n, 0);
    tg_dataset_free(&head); /* a second free is harmless */
}
END_TEST

START_TEST(rows_other_sources)
{
    /* CSV: phase one loads everything, phase two is tg_dataset_subset */
    const char *p = tmp_path("rows.csv");
    write_text(p, "a,b,y\n1,2,cat\n3,4,dog\n5,6,cat\n");
    tg_load_opts lo = {.label_column = "y"};
    tg_dataset head, ds;
    tg_error e = {{0}};
    ck_assert_msg(tg_data_open(p, NULL, &lo, &head, &e) == 0, "%s", e.msg);
    ck_assert_ptr_nonnull(head.x);
    ck_assert_msg(tg_data_load_rows(p, NULL, &lo, &head, (const size_t[]){2, 0, 2}, 3, &ds, &e) == 0,
                  "%s", e.msg);
    static const float want[] = {5, 6, 1, 2, 5, 6};
    ck_assert_uint_eq(ds.n, 3);
    for (int i = 0; i < 6; i++)
        ck_assert_float_eq(ds.x[i], want[i]);
    ck_assert_int_eq(ds.labels[1], tg_dataset_class_index(&ds, "cat"));
    ck_assert_str_eq(ds.feature_names[1], "b");
    tg_dataset_free(&ds);
    tg_dataset_free(&head);

    /* an MNIST-like folder, split "test", resolves to its IDX files */
    const char *dir = tmp_path("rowsdir");
    make_dir(dir);
    char img[512], lab[512];
    snprintf(img, sizeof img, "%s/t10k-images-idx3-ubyte.gz", dir);
    snprintf(lab, sizeof lab, "%s/t10k-labels-idx1-ubyte.gz", dir);
    write_big(img, lab, 20, 2, 3, 0, 1);
    tg_load_opts to = {.split = "test"};
    ck_assert_msg(tg_data_open(dir, NULL, &to, &head, &e) == 0, "%s", e.msg);
    ck_assert_ptr_null(head.x);
    ck_assert_uint_eq(head.n, 20);
    ck_assert_msg(tg_data_load_rows(dir, NULL, &to, &head, (const size_t[]){19, 7}, 2, &ds, &e) == 0,
                  "%s", e.msg);
    for (size_t j = 0; j < 6; j++) {
        ck_assert_float_eq(ds.x[j], (float)big_pixel(19, j) / 255.0f);
        ck_assert_float_eq(ds.x[6 + j], (float)big_pixel(7, j) / 255.0f);
    }
    ck_assert_int_eq(ds.labels[0], big_label(19));
    tg_dataset_free(&ds);
    tg_dataset_free(&head);
    /* the train split is absent: the same error as tg_data_load */
    ck_assert_int_eq(tg_data_open(dir, NULL, NULL, &head, &e), -1);
    ck_assert_has(e.msg, "train-images");
    check_empty(&head);
}
END_TEST

/* ---- CSV -------------------------------------------------------------- */

START_TEST(csv_header_and_int_labels)
{
    const char *p = tmp_path("h.csv");
    write_text(p, "a, b ,label\n1,2.5,0\r\n\n-3,4e-1,2\n");
    tg_dataset ds;
    tg_error e = {{0}};
    ck_assert_int_eq(tg_load_csv(p, "label", TG_CSV_HEADER_AUTO, &ds, &e), 0);
    ck_assert_uint_eq(ds.n, 2);
    ck_assert_uint_eq(ds.dim, 2);
    const float want[] = {1.0f, 2.5f, -3.0f, 0.4f};
    for (int i = 0; i < 4; i++)
        ck_assert_float_eq(ds.x[i], want[i]);
    ck_assert_int_eq(ds.labels[0], 0);
    ck_assert_int_eq(ds.labels[1], 2);
    ck_assert_int_eq(ds.n_classes, 3);
    ck_assert_ptr_null(ds.class_names);
    ck_assert_str_eq(ds.feature_names[0], "a");
    ck_assert_str_eq(ds.feature_names[1], "b");
    ck_assert_int_eq(ds.width, 0);
    tg_dataset_free(&ds);

    /* same file through tg_data_load */
    tg_load_opts o = {.label_column = "label"};
    ck_assert_int_eq(tg_data_load(p, NULL, &o, &ds, &e), 0);
    ck_assert_uint_eq(ds.n, 2);
    tg_dataset_free(&ds);
}
END_TEST

START_TEST(csv_without_header)
{
    const char *p = tmp_path("nh.csv");
    write_text(p, "1,2,3\n4,5,6");  /* no final newline */
    tg_dataset ds;
    tg_error e = {{0}};
    ck_assert_int_eq(tg_load_csv(p, NULL, TG_CSV_HEADER_AUTO, &ds, &e), 0);
    ck_assert_uint_eq(ds.n, 2);
    ck_assert_uint_eq(ds.dim, 3);
    for (int i = 0; i < 6; i++)
        ck_assert_float_eq(ds.x[i], (float)(i + 1));
    ck_assert_ptr_null(ds.labels);
    ck_assert_ptr_null(ds.feature_names);
    tg_dataset_free(&ds);
    /* label by column number when there is no header */
    ck_assert_int_eq(tg_load_csv(p, "1", TG_CSV_HEADER_AUTO, &ds, &e), 0);
    ck_assert_uint_eq(ds.dim, 2);
    ck_assert_float_eq(ds.x[0], 1.0f);
    ck_assert_float_eq(ds.x[1], 3.0f);
    ck_assert_int_eq(ds.labels[0], 2);
    ck_assert_int_eq(ds.labels[1], 5);
    tg_dataset_free(&ds);
    /* word labels in a file without header, label column by number */
    const char *w = tmp_path("nhw.csv");
    write_text(w, "1.5,setosa,2\n3,virginica,4\n");
    ck_assert_int_eq(tg_load_csv(w, "1", TG_CSV_HEADER_AUTO, &ds, &e), 0);
    ck_assert_uint_eq(ds.n, 2);
    ck_assert_float_eq(ds.x[0], 1.5f);
    ck_assert_float_eq(ds.x[3], 4.0f);
    ck_assert_str_eq(ds.class_names[ds.labels[1]], "virginica");
    ck_assert_ptr_null(ds.feature_names);
    tg_dataset_free(&ds);
    /* forcing a header makes the first row names */
    ck_assert_int_eq(tg_load_csv(p, NULL, TG_CSV_HEADER_YES, &ds, &e), 0);
    ck_assert_uint_eq(ds.n, 1);
    ck_assert_str_eq(ds.feature_names[2], "3");
    tg_dataset_free(&ds);
}
END_TEST

START_TEST(csv_string_labels)
{
    const char *p = tmp_path("s.csv");
    write_text(p, "x,\"kind\",y\n1,dog,2\n3,cat,4\n5,\"dog\",6\n7,,8\n9, bird ,10\n");
    tg_dataset ds;
    tg_error e = {{0}};
    ck_assert_int_eq(tg_load_csv(p, "kind", TG_CSV_HEADER_AUTO, &ds, &e), 0);
    ck_assert_uint_eq(ds.n, 5);
    ck_assert_uint_eq(ds.dim, 2);
    ck_assert_int_eq(ds.n_classes, 3);
    ck_assert_str_eq(ds.class_names[0], "bird");
    ck_assert_str_eq(ds.class_names[1], "cat");
    ck_assert_str_eq(ds.class_names[2], "dog");
    const int want[] = {2, 1, 2, -1, 0};
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(ds.labels[i], want[i]);
    ck_assert_float_eq(ds.x[2 * 4 + 1], 10.0f);
    ck_assert_str_eq(ds.feature_names[1], "y");
    ck_assert_int_eq(tg_dataset_class_index(&ds, "cat"), 1);
    ck_assert_int_eq(tg_dataset_class_index(&ds, "2"), 2);
    ck_assert_int_eq(tg_dataset_class_index(&ds, "cow"), -1);
    tg_dataset_free(&ds);
}
END_TEST

START_TEST(csv_ragged)
{
    const char *p = tmp_path("ragged.csv");
    write_text(p, "a,b,c\n1,2,3\n4,5\n");
    tg_dataset ds;
    tg_error e = {{0}};
    ck_assert_int_eq(tg_load_csv(p, NULL, TG_CSV_HEADER_AUTO, &ds, &e), -1);
    char where[600];
    snprintf(where, sizeof where, "%s:3:", p);
    ck_assert_has(e.msg, where);
    ck_assert_has(e.msg, "expected 3 fields, found 2");
    check_empty(&ds);
}
END_TEST

START_TEST(csv_non_numeric)
{
    const char *p = tmp_path("text.csv");
    write_text(p, "a,b\n1,2\n3,x7\n");
    tg_dataset ds;
    tg_error e = {{0}};
    ck_assert_int_eq(tg_load_csv(p, NULL, TG_CSV_HEADER_AUTO, &ds, &e), -1);
    char where[600];
    snprintf(where, sizeof where, "%s:3:2", p);
    ck_assert_has(e.msg, where);
    ck_assert_has(e.msg, "x7");
    check_empty(&ds);
    /* an empty feature field is not a number either */
    write_text(p, "1,2\n,3\n");
    ck_assert_int_eq(tg_load_csv(p, NULL, TG_CSV_HEADER_AUTO, &ds, &e), -1);
    snprintf(where, sizeof where, "%s:2:1", p);
    ck_assert_has(e.msg, where);
}
END_TEST

START_TEST(csv_nan_and_inf)
{
    const char *p = tmp_path("nan.csv");
    tg_dataset ds;
    tg_error e = {{0}};
    char where[600];
    const char *bad[] = {"1,2\n3,nan\n", "1,2\n3,-inf\n", "1,2\n3,1e39\n"};
    for (int i = 0; i < 3; i++) {
        write_text(p, bad[i]);
        ck_assert_int_eq(tg_load_csv(p, NULL, TG_CSV_HEADER_AUTO, &ds, &e), -1);
        snprintf(where, sizeof where, "%s:2:2", p);
        ck_assert_has(e.msg, where);
        ck_assert_has(e.msg, "NaN/inf");
        check_empty(&ds);
    }
}
END_TEST

START_TEST(csv_empty_and_header_only)
{
    const char *p = tmp_path("empty.csv");
    tg_dataset ds;
    tg_error e = {{0}};
    write_text(p, "");
    ck_assert_int_eq(tg_load_csv(p, NULL, TG_CSV_HEADER_AUTO, &ds, &e), -1);
    ck_assert_has(e.msg, p);
    ck_assert_has(e.msg, "empty");
    write_text(p, "\n  \n");
    ck_assert_int_eq(tg_load_csv(p, NULL, TG_CSV_HEADER_AUTO, &ds, &e), -1);
    ck_assert_has(e.msg, "empty");
    write_text(p, "a,b\n");
    ck_assert_int_eq(tg_load_csv(p, NULL, TG_CSV_HEADER_AUTO, &ds, &e), -1);
    ck_assert_has(e.msg, p);
    ck_assert_has(e.msg, "no data rows");
    check_empty(&ds);
    ck_assert_int_eq(tg_load_csv(tmp_path("absent.csv"), NULL, TG_CSV_HEADER_AUTO, &ds, &e), -1);
    ck_assert_has(e.msg, "absent.csv");
}
END_TEST

START_TEST(csv_label_column_missing)
{
    const char *p = tmp_path("nolabel.csv");
    write_text(p, "alpha,beta,gamma\n1,2,3\n");
    tg_dataset ds;
    tg_error e = {{0}};
    ck_assert_int_eq(tg_load_csv(p, "class", TG_CSV_HEADER_AUTO, &ds, &e), -1);
    ck_assert_has(e.msg, p);
    ck_assert_has(e.msg, "'class'");
    ck_assert_has(e.msg, "alpha, beta, gamma");
    check_empty(&ds);
}
END_TEST

START_TEST(csv_quotes)
{
    const char *p = tmp_path("q.csv");
    write_text(p, "\"a,1\",\"say \"\"hi\"\"\"\n\"1\", 2 \n");
    tg_dataset ds;
    tg_error e = {{0}};
    ck_assert_int_eq(tg_load_csv(p, NULL, TG_CSV_HEADER_AUTO, &ds, &e), 0);
    ck_assert_uint_eq(ds.dim, 2);
    ck_assert_str_eq(ds.feature_names[0], "a,1");
    ck_assert_str_eq(ds.feature_names[1], "say \"hi\"");
    ck_assert_float_eq(ds.x[1], 2.0f);
    tg_dataset_free(&ds);
    write_text(p, "a,b\n1,\"2\n");
    ck_assert_int_eq(tg_load_csv(p, NULL, TG_CSV_HEADER_AUTO, &ds, &e), -1);
    ck_assert_has(e.msg, ":2:2");
    ck_assert_has(e.msg, "unterminated");
}
END_TEST

/* ---- preprocessing ---------------------------------------------------- */

START_TEST(standardize_columns)
{
    /* columns: 1,2,3 (mean 2, std sqrt(2/3)); constant 5; 0,0,6 (mean 2, std sqrt(8)) */
    float x[] = {1, 5, 0, 2, 5, 0, 3, 5, 6};
    tg_dataset ds = {.n = 3, .dim = 3, .x = x};
    float mean[3], sd[3];
    tg_error e = {{0}};
    ck_assert_int_eq(tg_data_standardize(&ds, mean, sd, &e), 0);
    const double s0 = sqrt(2.0 / 3.0), s2 = sqrt(8.0);
    const double want[] = {-1 / s0, 0, -2 / s2, 0, 0, -2 / s2, 1 / s0, 0, 4 / s2};
    for (int i = 0; i < 9; i++)
        ck_assert_float_eq_tol(x[i], (float)want[i], 1e-6f);
    ck_assert_float_eq_tol(mean[0], 2.0f, 1e-7f);
    ck_assert_float_eq_tol(sd[0], (float)s0, 1e-7f);
    ck_assert_float_eq(sd[1], 0.0f);
    ck_assert_float_eq_tol(sd[2], (float)s2, 1e-6f);
    /* other data transformed with the same statistics */
    float y[] = {2, 7, 2};
    tg_dataset t = {.n = 1, .dim = 3, .x = y};
    tg_data_apply_standardize(&t, mean, sd);
    ck_assert_float_eq_tol(y[0], 0.0f, 1e-7f);
    ck_assert_float_eq(y[1], 0.0f);
    ck_assert_float_eq_tol(y[2], 0.0f, 1e-7f);
}
END_TEST

START_TEST(standardize_constant_fraction)
{
    /* 0.1 is not exact in binary: rounding must not invent a tiny std */
    float x[] = {0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f};
    tg_dataset ds = {.n = 7, .dim = 1, .x = x};
    tg_error e = {{0}};
    ck_assert_int_eq(tg_data_standardize(&ds, NULL, NULL, &e), 0);
    for (int i = 0; i < 7; i++)
        ck_assert_float_eq(x[i], 0.0f);
}
END_TEST

START_TEST(scale_pm1_l2_rows)
{
    float x[] = {0, 1, 1, 0.5f, 0.5f, 0.5f, 1, 1, 1, 0, 0, 0};
    tg_dataset ds = {.n = 4, .dim = 3, .x = x};
    tg_data_scale_pm1_l2(&ds);
    const float r = 1.0f / sqrtf(3.0f);
    const float want[] = {-r, r, r, 0, 0, 0, r, r, r, -r, -r, -r};
    for (int i = 0; i < 12; i++)
        ck_assert_float_eq_tol(x[i], want[i], 1e-6f);
}
END_TEST

/* ---- image folder ----------------------------------------------------- */

/* A w x h image with c channels; value of (y, x, ch) = seed + 10 y + 3 x + 50 ch. */
static void write_png(const char *path, int w, int h, int c, int seed)
{
    unsigned char px[64 * 3];
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int k = 0; k < c; k++)
                px[(y * w + x) * c + k] = (unsigned char)(seed + 10 * y + 3 * x + 50 * k);
    ck_assert_msg(stbi_write_png(path, w, h, c, px, w * c) != 0, "write %s", path);
}

START_TEST(image_folder_classes)
{
    const char *dir = tmp_path("imgs");
    char p[600];
    make_dir(dir);
    snprintf(p, sizeof p, "%s/dogs", dir), make_dir(p);
    snprintf(p, sizeof p, "%s/cats", dir), make_dir(p);
    snprintf(p, sizeof p, "%s/empty", dir), make_dir(p);
    snprintf(p, sizeof p, "%s/dogs/b.png", dir), write_png(p, 3, 2, 1, 40);
    snprintf(p, sizeof p, "%s/cats/z.PNG", dir), write_png(p, 3, 2, 1, 20);
    snprintf(p, sizeof p, "%s/cats/a.png", dir), write_png(p, 3, 2, 1, 10);
    snprintf(p, sizeof p, "%s/loose.png", dir), write_png(p, 3, 2, 1, 90);
    snprintf(p, sizeof p, "%s/notes.txt", dir), write_text(p, "not an image");

    tg_dataset ds;
    tg_error e = {{0}};
    ck_assert_int_eq(tg_load_image_dir(dir, &ds, &e), 0);
    ck_assert_uint_eq(ds.n, 4);
    ck_assert_uint_eq(ds.dim, 6);
    ck_assert_int_eq(ds.width, 3);
    ck_assert_int_eq(ds.height, 2);
    ck_assert_int_eq(ds.channels, 1);
    ck_assert_int_eq(ds.n_classes, 2);
    ck_assert_str_eq(ds.class_names[0], "cats");
    ck_assert_str_eq(ds.class_names[1], "dogs");
    /* sorted paths: cats/a, cats/z, dogs/b, loose */
    const int seed[] = {10, 20, 40, 90}, label[] = {0, 0, 1, -1};
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(ds.labels[i], label[i]);
        for (int y = 0; y < 2; y++)
            for (int x = 0; x < 3; x++)
                ck_assert_float_eq(ds.x[i * 6 + y * 3 + x],
                                   (float)(seed[i] + 10 * y + 3 * x) / 255.0f);
    }
    tg_dataset_free(&ds);
    ck_assert_int_eq(tg_data_load(dir, NULL, NULL, &ds, &e), 0);
    ck_assert_uint_eq(ds.n, 4);
    tg_dataset_free(&ds);
}
END_TEST

START_TEST(image_folder_rgb_and_no_classes)
{
    const char *dir = tmp_path("mixed");
    char p[600];
    make_dir(dir);
    snprintf(p, sizeof p, "%s/1.png", dir), write_png(p, 2, 2, 1, 5);
    snprintf(p, sizeof p, "%s/2.png", dir), write_png(p, 2, 2, 3, 7);
    tg_dataset ds;
    tg_error e = {{0}};
    ck_assert_int_eq(tg_load_image_dir(dir, &ds, &e), 0);
    ck_assert_ptr_null(ds.labels); /* no sub-folders: no labels */
    ck_assert_int_eq(ds.channels, 3);
    ck_assert_uint_eq(ds.dim, 12);
    for (int y = 0; y < 2; y++)
        for (int x = 0; x < 2; x++)
            for (int k = 0; k < 3; k++) {
                /* the grey image repeats its value in R, G and B */
                float grey = (float)(5 + 10 * y + 3 * x) / 255.0f;
                float rgb = (float)(7 + 10 * y + 3 * x + 50 * k) / 255.0f;
                ck_assert_float_eq(ds.x[(y * 2 + x) * 3 + k], grey);
                ck_assert_float_eq(ds.x[12 + (y * 2 + x) * 3 + k], rgb);
            }
    tg_dataset_free(&ds);
}
END_TEST

START_TEST(image_folder_sizes_differ)
{
    const char *dir = tmp_path("sizes");
    char p[600], q[600];
    make_dir(dir);
    snprintf(p, sizeof p, "%s/a.png", dir), write_png(p, 3, 2, 1, 0);
    snprintf(q, sizeof q, "%s/b.png", dir), write_png(q, 4, 2, 1, 0);
    tg_dataset ds;
    tg_error e = {{0}};
    ck_assert_int_eq(tg_load_image_dir(dir, &ds, &e), -1);
    ck_assert_has(e.msg, p);
    ck_assert_has(e.msg, q);
    ck_assert_has(e.msg, "3x2");
    ck_assert_has(e.msg, "4x2");
    check_empty(&ds);

    /* a file named .png that is not one */
    snprintf(q, sizeof q, "%s/b.png", dir), write_text(q, "garbage");
    ck_assert_int_eq(tg_load_image_dir(dir, &ds, &e), -1);
    ck_assert_has(e.msg, q);
    check_empty(&ds);

    const char *none = tmp_path("noimages");
    make_dir(none);
    ck_assert_int_eq(tg_load_image_dir(none, &ds, &e), -1);
    ck_assert_has(e.msg, none);
    ck_assert_has(e.msg, "no PNG");
}
END_TEST

/* ---- selection -------------------------------------------------------- */

/* 5 classes with sizes 40, 12, 30, 5, 25 (class c at rows where the
 * pattern puts it); feature 0 of row i is i, so rows can be traced. */
enum { SYN_CLASSES = 5 };
static const int SYN_SIZE[SYN_CLASSES] = {40, 12, 30, 5, 25};

static void make_synthetic(tg_dataset *ds, int with_labels)
{
    size_t n = 0;
    for (int c = 0; c < SYN_CLASSES; c++)
        n += (size_t)SYN_SIZE[c];
    memset(ds, 0, sizeof *ds);
    ds->n = n;
    ds->dim = 2;
    ds->x = malloc(n * 2 * sizeof *ds->x);
    ds->labels = with_labels ? malloc(n * sizeof *ds->labels) : NULL;
    ds->n_classes = with_labels ? SYN_CLASSES : 0;
    int left[SYN_CLASSES];
    memcpy(left, SYN_SIZE, sizeof left);
    /* interleave the classes: walk c = 0,1,2,... skipping exhausted ones */
    for (size_t i = 0, c = 0; i < n; c = (c + 3) % SYN_CLASSES) {
        if (!left[c])
            continue;
        left[c]--;
        ds->x[2 * i] = (float)i;
        ds->x[2 * i + 1] = (float)c;
        if (ds->labels)
            ds->labels[i] = (int)c;
        i++;
    }
}

/* Row numbers of class c in file order (reference, independent of tg_select). */
static size_t class_rows(const tg_dataset *ds, int c, size_t *rows)
{
    size_t k = 0;
    for (size_t i = 0; i < ds->n; i++)
        if ((int)ds->x[2 * i + 1] == c)
            rows[k++] = i;
    return k;
}

static size_t count_class(const tg_dataset *ds, const tg_selection *s, int c, int outlier)
{
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++)
        if ((int)ds->x[2 * s->index[i] + 1] == c && s->is_outlier[i] == outlier)
            k++;
    return k;
}

START_TEST(select_first_per_class)
{
    tg_dataset ds;
    make_synthetic(&ds, 1);
    tg_select_opts o;
    tg_select_opts_default(&o);
    o.inlier_class = 2;
    o.outlier_classes = (const int[]){4, 0};
    o.n_outlier_classes = 2;
    o.outliers_per_class = 5;
    o.mode = TG_SAMPLE_FIRST;
    tg_selection s;
    tg_error e = {{0}};
    ck_assert_int_eq(tg_select(&ds, &o, &s, &e), 0);
    ck_assert_uint_eq(s.n_inliers, 30);
    ck_assert_uint_eq(s.n_outliers, 10);
    ck_assert_uint_eq(s.n, 40);
    size_t rows[64];
    ck_assert_uint_eq(class_rows(&ds, 2, rows), 30);
    for (size_t i = 0; i < 30; i++) {
        ck_assert_uint_eq(s.index[i], rows[i]);
        ck_assert_int_eq(s.is_outlier[i], 0);
    }
    class_rows(&ds, 4, rows);
    for (size_t i = 0; i < 5; i++) {
        ck_assert_uint_eq(s.index[30 + i], rows[i]);
        ck_assert_int_eq(s.is_outlier[30 + i], 1);
    }
    class_rows(&ds, 0, rows);
    for (size_t i = 0; i < 5; i++)
        ck_assert_uint_eq(s.index[35 + i], rows[i]);

    /* materialised as a dense dataset */
    tg_dataset sub;
    ck_assert_int_eq(tg_dataset_subset(&ds, s.index, s.n, &sub, &e), 0);
    ck_assert_uint_eq(sub.n, 40);
    for (size_t i = 0; i < sub.n; i++) {
        ck_assert_float_eq(sub.x[2 * i], (float)s.index[i]);
        ck_assert_int_eq(sub.labels[i], ds.labels[s.index[i]]);
    }
    tg_dataset_free(&sub);
    tg_selection_free(&s);

    /* every other class when none are listed: 1, 3, 4, 0 -> 5 each but class 3 has 5 */
    o.n_outlier_classes = 0;
    ck_assert_int_eq(tg_select(&ds, &o, &s, &e), 0);
    ck_assert_uint_eq(s.n_outliers, 20);
    for (int c = 0; c < SYN_CLASSES; c++)
        ck_assert_uint_eq(count_class(&ds, &s, c, 1), c == 2 ? 0 : 5);
    /* ascending class order among the outliers */
    for (size_t i = 31; i < s.n; i++)
        ck_assert_int_le(ds.labels[s.index[i - 1]], ds.labels[s.index[i]]);
    tg_selection_free(&s);
    tg_dataset_free(&ds);
}
END_TEST

START_TEST(select_ratio_even)
{
    tg_dataset ds;
    make_synthetic(&ds, 1);
    tg_select_opts o;
    tg_select_opts_default(&o);
    o.inlier_class = 0;                /* 40 inliers */
    o.outlier_classes = (const int[]){1, 2, 4};
    o.n_outlier_classes = 3;
    o.outlier_ratio = 0.35;            /* round(14) = 14 -> 5, 5, 4 */
    o.mode = TG_SAMPLE_FIRST;
    tg_selection s;
    tg_error e = {{0}};
    ck_assert_int_eq(tg_select(&ds, &o, &s, &e), 0);
    ck_assert_uint_eq(s.n_inliers, 40);
    ck_assert_uint_eq(s.n_outliers, 14);
    ck_assert_uint_eq(count_class(&ds, &s, 1, 1), 5);
    ck_assert_uint_eq(count_class(&ds, &s, 2, 1), 5);
    ck_assert_uint_eq(count_class(&ds, &s, 4, 1), 4);
    tg_selection_free(&s);

    /* a class too small for an even share gives all it has: class 3 has 5,
     * so 1.0 * 40 = 40 over {3, 1, 4} -> 5, then 35 over {1, 4}: 12 and 23 */
    o.outlier_classes = (const int[]){3, 1, 4};
    o.outlier_ratio = 1.0;
    ck_assert_int_eq(tg_select(&ds, &o, &s, &e), 0);
    ck_assert_uint_eq(s.n_outliers, 40);
    ck_assert_uint_eq(count_class(&ds, &s, 3, 1), 5);
    ck_assert_uint_eq(count_class(&ds, &s, 1, 1), 12);
    ck_assert_uint_eq(count_class(&ds, &s, 4, 1), 23);
    tg_selection_free(&s);

    /* asking for more than all of them have */
    o.outlier_ratio = 1.2; /* 48 > 42 */
    ck_assert_int_eq(tg_select(&ds, &o, &s, &e), -1);
    ck_assert_has(e.msg, "48");
    ck_assert_has(e.msg, "42");
    tg_dataset_free(&ds);
}
END_TEST

static int selection_eq(const tg_selection *a, const tg_selection *b)
{
    return a->n == b->n && memcmp(a->index, b->index, a->n * sizeof *a->index) == 0 &&
           memcmp(a->is_outlier, b->is_outlier, a->n * sizeof *a->is_outlier) == 0;
}

START_TEST(select_random_seeded)
{
    tg_dataset ds;
    make_synthetic(&ds, 1);
    tg_select_opts o;
    tg_select_opts_default(&o);
    o.inlier_class = 0;
    o.max_inliers = 20;
    o.outliers_per_class = 4;
    o.seed = 42;
    tg_selection a, b, c;
    tg_error e = {{0}};
    ck_assert_int_eq(tg_select(&ds, &o, &a, &e), 0);
    ck_assert_int_eq(tg_select(&ds, &o, &b, &e), 0);
    o.seed = 43;
    ck_assert_int_eq(tg_select(&ds, &o, &c, &e), 0);
    ck_assert(selection_eq(&a, &b));
    ck_assert(!selection_eq(&a, &c));
    ck_assert_uint_eq(a.n_inliers, 20);
    ck_assert_uint_eq(a.n_outliers, 16);
    /* right classes, no repeats, file order within each class */
    size_t first[64];
    class_rows(&ds, 0, first);
    int differs_from_first = 0;
    for (size_t i = 0; i < a.n; i++) {
        int cls = ds.labels[a.index[i]];
        ck_assert_int_eq(cls == 0, !a.is_outlier[i]);
        if (i > 0 && ds.labels[a.index[i - 1]] == cls)
            ck_assert_uint_lt(a.index[i - 1], a.index[i]);
        if (i < 20 && a.index[i] != first[i])
            differs_from_first = 1;
    }
    ck_assert_msg(differs_from_first, "random mode returned the first rows");
    tg_selection_free(&a);
    tg_selection_free(&b);
    tg_selection_free(&c);
    tg_dataset_free(&ds);
}
END_TEST

START_TEST(select_errors)
{
    tg_dataset ds;
    make_synthetic(&ds, 1);
    tg_select_opts o;
    tg_select_opts_default(&o);
    tg_selection s;
    tg_error e = {{0}};

    o.inlier_class = 0;
    o.outliers_per_class = 6;                  /* class 3 has 5 */
    ck_assert_int_eq(tg_select(&ds, &o, &s, &e), -1);
    ck_assert_has(e.msg, "6 outliers");
    ck_assert_has(e.msg, "class 3");
    ck_assert_has(e.msg, "only 5 rows");
    ck_assert_ptr_null(s.index);

    o.outliers_per_class = 1;
    o.inlier_class = 7;
    ck_assert_int_eq(tg_select(&ds, &o, &s, &e), -1);
    ck_assert_has(e.msg, "inlier class 7 is not present");

    o.inlier_class = 0;
    o.outlier_classes = (const int[]){1, 9};
    o.n_outlier_classes = 2;
    ck_assert_int_eq(tg_select(&ds, &o, &s, &e), -1);
    ck_assert_has(e.msg, "outlier class 9 is not present");
    o.outlier_classes = (const int[]){1, 0};
    ck_assert_int_eq(tg_select(&ds, &o, &s, &e), -1);
    ck_assert_has(e.msg, "is the inlier class");

    o.n_outlier_classes = 0;
    o.outlier_ratio = 0.1;
    ck_assert_int_eq(tg_select(&ds, &o, &s, &e), -1);
    ck_assert_has(e.msg, "not both");
    tg_dataset_free(&ds);

    make_synthetic(&ds, 0);
    tg_select_opts_default(&o);
    o.inlier_class = 1;
    ck_assert_int_eq(tg_select(&ds, &o, &s, &e), -1);
    ck_assert_has(e.msg, "needs labels");
    /* without a class, every row is an inlier and labels are not needed */
    o.inlier_class = -1;
    ck_assert_int_eq(tg_select(&ds, &o, &s, &e), 0);
    ck_assert_uint_eq(s.n, ds.n);
    ck_assert_uint_eq(s.n_outliers, 0);
    for (size_t i = 0; i < s.n; i++)
        ck_assert_uint_eq(s.index[i], i);
    tg_selection_free(&s);
    tg_dataset_free(&ds);

    tg_sample_mode m;
    ck_assert_int_eq(tg_sample_mode_parse("first", &m, &e), 0);
    ck_assert_int_eq(m, TG_SAMPLE_FIRST);
    ck_assert_int_eq(tg_sample_mode_parse("random", &m, &e), 0);
    ck_assert_int_eq(m, TG_SAMPLE_RANDOM);
    ck_assert_int_eq(tg_sample_mode_parse("best", &m, &e), -1);
    ck_assert_has(e.msg, "best");
}
END_TEST

/* ---- Fashion-MNIST ---------------------------------------------------- */

/* The raw bytes of a gzip file from offset on, read here with zlib only. */
static unsigned char *gz_bytes(const char *path, size_t offset, size_t len)
{
    gzFile f = gzopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    unsigned char *b = malloc(offset + len);
    ck_assert_int_eq(gzread(f, b, (unsigned)(offset + len)), (int)(offset + len));
    gzclose(f);
    memmove(b, b + offset, len);
    return b;
}

/* The reference selection: class 4 inliers, the first 100 of 0, 1, 2, 8. */
static void reference_opts(tg_select_opts *o)
{
    static const int outliers[] = {0, 1, 2, 8};
    tg_select_opts_default(o);
    o->inlier_class = 4;
    o->outlier_classes = outliers;
    o->n_outlier_classes = 4;
    o->outliers_per_class = 100;
    o->mode = TG_SAMPLE_FIRST;
}

/* Load everything, select, copy the rows (the old path). */
static int fm_whole_path(tg_dataset *out, tg_error *e)
{
    tg_dataset all;
    tg_selection s = {0};
    tg_select_opts o;
    reference_opts(&o);
    if (tg_data_load(FASHION_DIR, NULL, NULL, &all, e) != 0)
        return -1;
    int rc = tg_select(&all, &o, &s, e);
    if (rc == 0)
        rc = tg_dataset_subset(&all, s.index, s.n, out, e);
    tg_selection_free(&s);
    tg_dataset_free(&all);
    return rc;
}

/* Header and labels, select, stream the chosen rows (the two-phase path). */
static int fm_rows_path(tg_dataset *out, tg_error *e)
{
    tg_dataset head;
    tg_selection s = {0};
    tg_select_opts o;
    reference_opts(&o);
    if (tg_data_open(FASHION_DIR, NULL, NULL, &head, e) != 0)
        return -1;
    int rc = tg_select(&head, &o, &s, e);
    if (rc == 0)
        rc = tg_data_load_rows(FASHION_DIR, NULL, NULL, &head, s.index, s.n, out, e);
    tg_selection_free(&s);
    tg_dataset_free(&head);
    return rc;
}

START_TEST(fashion_mnist_reference_selection)
{
    if (access(FASHION_DIR "/train-images-idx3-ubyte.gz", R_OK) != 0) {
        fprintf(stderr, "SKIP fashion_mnist_reference_selection: %s is absent\n", FASHION_DIR);
        return;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    tg_dataset ds;
    tg_error e = {{0}};
    ck_assert_msg(tg_data_load(FASHION_DIR, NULL, NULL, &ds, &e) == 0, "%s", e.msg);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    fprintf(stderr, "fashion-mnist train (gz) loaded in %.3f s\n",
            (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
    ck_assert_uint_eq(ds.n, 60000);
    ck_assert_uint_eq(ds.dim, 784);
    ck_assert_int_eq(ds.width, 28);
    ck_assert_int_eq(ds.height, 28);

    unsigned char *labels = gz_bytes(FASHION_DIR "/train-labels-idx1-ubyte.gz", 8, 60000);
    unsigned char *first = gz_bytes(FASHION_DIR "/train-images-idx3-ubyte.gz", 16, 784);
    ck_assert_int_eq(labels[0], 9); /* the first training image is an ankle boot */
    for (size_t i = 0; i < 60000; i++)
        ck_assert_int_eq(ds.labels[i], labels[i]);
    for (int j = 0; j < 784; j++)
        ck_assert_float_eq(ds.x[j], (float)first[j] / 255.0f);

    tg_select_opts o;
    tg_select_opts_default(&o);
    o.inlier_class = 4;
    o.outlier_classes = (const int[]){0, 1, 2, 8};
    o.n_outlier_classes = 4;
    o.outliers_per_class = 100;
    o.mode = TG_SAMPLE_FIRST;
    tg_selection s;
    ck_assert_int_eq(tg_select(&ds, &o, &s, &e), 0);
    ck_assert_uint_eq(s.n_inliers, 6000);
    ck_assert_uint_eq(s.n_outliers, 400);
    /* the first 100 rows of each outlier class, found from the raw labels */
    size_t at = 6000;
    for (int k = 0; k < 4; k++) {
        size_t seen = 0;
        for (size_t i = 0; i < 60000 && seen < 100; i++)
            if (labels[i] == o.outlier_classes[k]) {
                ck_assert_uint_eq(s.index[at], i);
                ck_assert_int_eq(s.is_outlier[at], 1);
                at++, seen++;
            }
    }
    ck_assert_uint_eq(at, 6400);
    for (size_t i = 0, k = 0; i < 60000; i++)
        if (labels[i] == 4)
            ck_assert_uint_eq(s.index[k++], i);

    /* the two-phase path gives the same rows, bit for bit */
    tg_dataset old_rows, new_rows;
    ck_assert_msg(tg_dataset_subset(&ds, s.index, s.n, &old_rows, &e) == 0, "%s", e.msg);
    ck_assert_msg(fm_rows_path(&new_rows, &e) == 0, "%s", e.msg);
    ck_assert_uint_eq(new_rows.n, 6400);
    ck_assert_uint_eq(new_rows.dim, 784);
    ck_assert_int_eq(memcmp(new_rows.x, old_rows.x, 6400 * 784 * sizeof(float)), 0);
    ck_assert_int_eq(memcmp(new_rows.labels, old_rows.labels, 6400 * sizeof(int)), 0);
    ck_assert_int_eq(new_rows.n_classes, old_rows.n_classes);
    tg_dataset_free(&new_rows);
    tg_dataset_free(&old_rows);

    /* the paper's ratio protocol: c = 0.1 of 6000 -> 600 outliers, 150 each */
    tg_selection r;
    o.outliers_per_class = 0;
    o.outlier_ratio = 0.1;
    o.mode = TG_SAMPLE_RANDOM;
    ck_assert_int_eq(tg_select(&ds, &o, &r, &e), 0);
    ck_assert_uint_eq(r.n_outliers, 600);
    tg_selection_free(&r);
    tg_selection_free(&s);
    free(labels);
    free(first);
    tg_dataset_free(&ds);
}
END_TEST

typedef struct path_report {
    int    ok;
    double seconds;
    long   base_kib, peak_kib; /* VmRSS when the child starts, ru_maxrss at the end */
    size_t n;
    unsigned long crc;         /* crc32 of the x bytes */
    char   msg[512];
} path_report;

static long vm_rss_kib(void)
{
    FILE *fp = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    while (fp && fgets(line, sizeof line, fp))
        if (sscanf(line, "VmRSS: %ld", &v) == 1)
            break;
    if (fp)
        fclose(fp);
    return v;
}

/* Runs path in a forked child, so each path's peak RSS is its own. */
static path_report measure_path(int (*path)(tg_dataset *, tg_error *))
{
    int fd[2];
    ck_assert_int_eq(pipe(fd), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(fd[0]);
        path_report r = {0};
        r.base_kib = vm_rss_kib();
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        tg_dataset ds = {0};
        tg_error e = {{0}};
        r.ok = path(&ds, &e) == 0;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        r.peak_kib = ru.ru_maxrss;
        r.seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
        r.n = ds.n;
        if (r.ok)
            r.crc = crc32_z(0, (const Bytef *)ds.x, ds.n * ds.dim * sizeof *ds.x);
        memcpy(r.msg, e.msg, sizeof r.msg);
        tg_dataset_free(&ds);
        ssize_t w = write(fd[1], &r, sizeof r);
        _exit(w == (ssize_t)sizeof r ? 0 : 1);
    }
    close(fd[1]);
    path_report r;
    size_t got = 0;
    while (got < sizeof r) {
        ssize_t k = read(fd[0], (char *)&r + got, sizeof r - got);
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    close(fd[0]);
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(got == sizeof r && WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "measuring child failed");
    ck_assert_msg(r.ok, "%s", r.msg);
    return r;
}

START_TEST(fashion_mnist_rows_memory)
{
    if (access(FASHION_DIR "/train-images-idx3-ubyte.gz", R_OK) != 0) {
        fprintf(stderr, "SKIP fashion_mnist_rows_memory: %s is absent\n", FASHION_DIR);
        return;
    }
    path_report whole = measure_path(fm_whole_path);
    path_report rows = measure_path(fm_rows_path);
    long whole_kib = whole.peak_kib - whole.base_kib, rows_kib = rows.peak_kib - rows.base_kib;
    fprintf(stderr, "reference selection, load+select+subset: %.3f s, peak RSS +%.1f MiB "
            "(%.1f MiB in all)\n", whole.seconds, whole_kib / 1024.0, whole.peak_kib / 1024.0);
    fprintf(stderr, "reference selection, open+select+load_rows: %.3f s, peak RSS +%.1f MiB "
            "(%.1f MiB in all)\n", rows.seconds, rows_kib / 1024.0, rows.peak_kib / 1024.0);
    ck_assert_uint_eq(whole.n, 6400);
    ck_assert_uint_eq(rows.n, 6400);
    ck_assert_uint_eq(rows.crc, whole.crc);
    /* the whole set alone is 60000 x 784 floats = 179 MiB; the rows are 19 MiB */
    ck_assert_msg(rows_kib * 4 < whole_kib, "two-phase peak +%ld KiB is not well below +%ld KiB",
                  rows_kib, whole_kib);
}
END_TEST

/* ---- runner ----------------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static Suite *data_suite(void)
{
    Suite *s = suite_create("data");
    TCase *idx = tcase_create("idx");
    tcase_add_test(idx, idx_round_trip_raw);
    tcase_add_test(idx, idx_round_trip_gz_any_name);
    tcase_add_test(idx, idx_missing_file);
    tcase_add_test(idx, idx_wrong_magic);
    tcase_add_test(idx, idx_unsupported_dtype);
    tcase_add_test(idx, idx_truncated);
    tcase_add_test(idx, idx_counts_disagree);
    tcase_add_test(idx, data_load_idx_dir_and_file);
    suite_add_tcase(s, idx);

    TCase *rows = tcase_create("rows");
    tcase_add_test(rows, rows_match_subset);
    tcase_add_test(rows, rows_truncated);
    tcase_add_test(rows, rows_errors);
    tcase_add_test(rows, rows_header_only_set);
    tcase_add_test(rows, rows_other_sources);
    suite_add_tcase(s, rows);

    TCase *csv = tcase_create("csv");
    tcase_add_test(csv, csv_header_and_int_labels);
    tcase_add_test(csv, csv_without_header);
    tcase_add_test(csv, csv_string_labels);
    tcase_add_test(csv, csv_ragged);
    tcase_add_test(csv, csv_non_numeric);
    tcase_add_test(csv, csv_nan_and_inf);
    tcase_add_test(csv, csv_empty_and_header_only);
    tcase_add_test(csv, csv_label_column_missing);
    tcase_add_test(csv, csv_quotes);
    suite_add_tcase(s, csv);

    TCase *pre = tcase_create("preprocess");
    tcase_add_test(pre, standardize_columns);
    tcase_add_test(pre, standardize_constant_fraction);
    tcase_add_test(pre, scale_pm1_l2_rows);
    suite_add_tcase(s, pre);

    TCase *img = tcase_create("image_folder");
    tcase_add_test(img, image_folder_classes);
    tcase_add_test(img, image_folder_rgb_and_no_classes);
    tcase_add_test(img, image_folder_sizes_differ);
    suite_add_tcase(s, img);

    TCase *sel = tcase_create("select");
    tcase_add_test(sel, select_first_per_class);
    tcase_add_test(sel, select_ratio_even);
    tcase_add_test(sel, select_random_seeded);
    tcase_add_test(sel, select_errors);
    suite_add_tcase(s, sel);

    TCase *fm = tcase_create("fashion_mnist");
    tcase_set_timeout(fm, 300); /* seconds: generous for valgrind */
    tcase_add_test(fm, fashion_mnist_reference_selection);
    tcase_add_test(fm, fashion_mnist_rows_memory);
    suite_add_tcase(s, fm);
    return s;
}

int main(void)
{
    const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(tmpdir, sizeof tmpdir, "%s/tg_test_data.XXXXXX", base);
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    int status = run_suite(data_suite());
    nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return status;
}
