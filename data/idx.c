/* idx.c - IDX files (the MNIST format), raw or gzip-compressed.
 *
 * Layout: a 4-byte magic (0, 0, dtype, ndim), ndim big-endian u32 sizes,
 * then the data. Images are 0x00000803 (u8, [n, rows, cols]), labels
 * 0x00000801 (u8, [n]). gzopen reads plain files transparently, so a file
 * is decompressed exactly when it starts with the gzip magic 1f 8b.
 *
 * Besides whole-file loading, the two phases behind tg_data_open and
 * tg_data_load_rows: the labels and the images header only, then one pass
 * over the pixels that converts just the wanted rows.
 */
#include "data_internal.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define IDX_U8 0x08
#define CHUNK (1u << 16)

typedef struct idx_file {
    gzFile      gz;
    const char *path;
    size_t      offset; /* uncompressed bytes consumed so far */
} idx_file;

static int idx_open(idx_file *f, const char *path, tg_error *err)
{
    f->path = path;
    f->offset = 0;
    errno = 0;
    f->gz = gzopen(path, "rb");
    if (!f->gz)
        return tg_fail(err, "%s: cannot open: %s", path,
                       errno ? strerror(errno) : "out of memory");
    gzbuffer(f->gz, 1u << 17);
    return 0;
}

/* Reads up to len bytes; *got says how many arrived. Returns -1 only on a
 * read error that is not a plain end of data. */
static int idx_read(idx_file *f, void *buf, size_t len, size_t *got, tg_error *err)
{
    size_t total = 0;
    while (total < len) {
        size_t want = len - total > (1u << 30) ? (1u << 30) : len - total;
        int r = gzread(f->gz, (unsigned char *)buf + total, (unsigned)want);
        if (r <= 0) {
            int zerr = Z_OK;
            const char *msg = gzerror(f->gz, &zerr);
            /* A cut gzip stream ends with Z_BUF_ERROR: treated as truncation. */
            if (r < 0 || (zerr != Z_OK && zerr != Z_BUF_ERROR)) {
                *got = total;
                return tg_fail(err, "%s: read error at byte offset %zu: %s", f->path,
                               f->offset + total, zerr == Z_ERRNO ? strerror(errno) : msg);
            }
            break;
        }
        total += (size_t)r;
    }
    f->offset += total;
    *got = total;
    return 0;
}

static const char *dtype_name(int code)
{
    switch (code) {
    case 0x08: return "unsigned byte";
    case 0x09: return "signed byte";
    case 0x0B: return "int16";
    case 0x0C: return "int32";
    case 0x0D: return "float32";
    case 0x0E: return "float64";
    default:   return NULL;
    }
}

static uint32_t be32(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Reads the magic and the ndim sizes; checks they describe u8 data of ndim
 * dimensions (kind names it in messages). */
static int idx_header(idx_file *f, int ndim, const char *kind, uint32_t *dims, tg_error *err)
{
    unsigned char h[4 + 4 * 3];
    size_t need = 4 + 4 * (size_t)ndim, got;
    if (idx_read(f, h, 4, &got, err) != 0)
        return -1;
    if (got < 4)
        return tg_fail(err, "%s: truncated: data ended at byte offset %zu, expected %zu header bytes",
                       f->path, got, need);
    uint32_t want = (IDX_U8 << 8) | (uint32_t)ndim, found = be32(h);
    if (found != want) {
        if (h[0] == 0 && h[1] == 0 && h[2] != IDX_U8 && dtype_name(h[2]) && h[3] == ndim)
            return tg_fail(err, "%s: unsupported IDX dtype 0x%02X (%s) at byte offset 2: "
                           "only unsigned byte (0x08) %s are supported",
                           f->path, h[2], dtype_name(h[2]), kind);
        return tg_fail(err, "%s: wrong magic number at byte offset 0: expected %u (0x%08X, "
                       "IDX u8 %s), found %u (0x%08X)", f->path, want, want, kind, found, found);
    }
    if (idx_read(f, h + 4, need - 4, &got, err) != 0)
        return -1;
    if (got < need - 4)
        return tg_fail(err, "%s: truncated: data ended at byte offset %zu, expected %zu header bytes",
                       f->path, 4 + got, need);
    for (int i = 0; i < ndim; i++)
        dims[i] = be32(h + 4 + 4 * i);
    return 0;
}

/* Reads count bytes of u8 data after the header as floats byte / divisor.
 * The buffer grows with the data read, so a header that lies about its size
 * costs no more memory than the file holds. */
static int idx_read_u8(idx_file *f, size_t count, float divisor, float **out, tg_error *err)
{
    float lut[256];
    for (int i = 0; i < 256; i++)
        lut[i] = (float)i / divisor;
    size_t header = f->offset, done = 0, cap = 0;
    float *x = NULL;
    unsigned char chunk[CHUNK];
    while (done < count) {
        size_t want = count - done < CHUNK ? count - done : CHUNK, got;
        if (idx_read(f, chunk, want, &got, err) != 0)
            goto fail;
        if (done + got > cap) {
            size_t ncap = cap ? cap : (count < CHUNK ? count : CHUNK);
            while (ncap < done + got)
                ncap = ncap > count / 2 ? count : ncap * 2;
            float *nx = realloc(x, ncap * sizeof *x);
            if (!nx) {
                tg_fail(err, "%s: out of memory for %zu values", f->path, ncap);
                goto fail;
            }
            x = nx;
            cap = ncap;
        }
        for (size_t i = 0; i < got; i++)
            x[done + i] = lut[chunk[i]];
        done += got;
        if (got < want) {
            tg_fail(err, "%s: truncated: data ended at byte offset %zu, expected %zu bytes "
                    "(%zu header + %zu data)", f->path, header + done, header + count, header, count);
            goto fail;
        }
    }
    if (!x)
        x = malloc(sizeof *x); /* count == 0: keep the non-NULL contract */
    if (!x)
        return tg_fail(err, "%s: out of memory", f->path);
    *out = x;
    return 0;
fail:
    free(x);
    return -1;
}

/* labels[n] from an IDX label file; *n_classes = 1 + largest label. */
static int load_labels(const char *path, int **labels, size_t *n, int *n_classes, tg_error *err)
{
    idx_file f;
    uint32_t dims[1] = {0};
    float *v = NULL;
    if (idx_open(&f, path, err) != 0)
        return -1;
    int rc = idx_header(&f, 1, "labels", dims, err);
    if (rc == 0)
        rc = idx_read_u8(&f, dims[0], 1.0f, &v, err);
    gzclose(f.gz);
    if (rc != 0)
        return -1;
    int *l = malloc((dims[0] ? dims[0] : 1) * sizeof *l);
    if (!l) {
        free(v);
        return tg_fail(err, "%s: out of memory for %u labels", path, dims[0]);
    }
    int max = -1;
    for (uint32_t i = 0; i < dims[0]; i++) {
        l[i] = (int)v[i];
        if (l[i] > max)
            max = l[i];
    }
    free(v);
    *labels = l;
    *n = dims[0];
    *n_classes = max + 1;
    return 0;
}

/* Opens an images file and reads its header into ds: n, dim and geometry.
 * f is left just after the header; on failure it is closed. */
static int images_begin(idx_file *f, const char *path, tg_dataset *ds, tg_error *err)
{
    uint32_t dims[3] = {0};
    if (idx_open(f, path, err) != 0)
        return -1;
    if (idx_header(f, 3, "images", dims, err) != 0)
        goto fail;
    if (dims[1] == 0 || dims[2] == 0 || dims[1] > INT32_MAX || dims[2] > INT32_MAX) {
        tg_fail(err, "%s: image size %u x %u at byte offset 8 is not usable", path,
                dims[1], dims[2]);
        goto fail;
    }
    size_t n = dims[0], dim = (size_t)dims[1] * dims[2];
    if (!tg_data_mul_ok(n, dim) || !tg_data_mul_ok(n * dim, sizeof(float))) {
        tg_fail(err, "%s: %u images of %u x %u do not fit in memory", path,
                dims[0], dims[1], dims[2]);
        goto fail;
    }
    ds->n = n;
    ds->dim = dim;
    ds->height = (int)dims[1];
    ds->width = (int)dims[2];
    ds->channels = 1;
    return 0;
fail:
    gzclose(f->gz);
    return -1;
}

/* The labels (if any) and the images header: ds gets everything but x, and
 * f is left open just after the header. On failure ds may hold labels. */
static int idx_begin(const char *images_path, const char *labels_path, idx_file *f,
                     tg_dataset *ds, tg_error *err)
{
    size_t n_labels = 0;
    if (labels_path &&
        load_labels(labels_path, &ds->labels, &n_labels, &ds->n_classes, err) != 0)
        return -1;
    if (images_begin(f, images_path, ds, err) != 0)
        return -1;
    if (labels_path && n_labels != ds->n) {
        gzclose(f->gz);
        return tg_fail(err, "%s has %zu images but %s has %zu labels", images_path, ds->n,
                       labels_path, n_labels);
    }
    return 0;
}

int tg_load_idx(const char *images_path, const char *labels_path,
                tg_dataset *out, tg_error *err)
{
    memset(out, 0, sizeof *out);
    tg_dataset ds = {0};
    idx_file f;
    int rc = idx_begin(images_path, labels_path, &f, &ds, err);
    if (rc == 0) {
        rc = idx_read_u8(&f, ds.n * ds.dim, 255.0f, &ds.x, err);
        gzclose(f.gz);
    }
    if (rc != 0) {
        tg_dataset_free(&ds);
        return -1;
    }
    *out = ds;
    return 0;
}

int tg_data_idx_open(const char *images_path, const char *labels_path,
                     tg_dataset *out, tg_error *err)
{
    memset(out, 0, sizeof *out);
    tg_dataset ds = {0};
    idx_file f;
    if (idx_begin(images_path, labels_path, &f, &ds, err) != 0) {
        tg_dataset_free(&ds);
        return -1;
    }
    gzclose(f.gz);
    *out = ds;
    return 0;
}

/* ---- selected rows ----------------------------------------------------- */

typedef struct row_dest {
    size_t row;  /* row of the file */
    size_t dest; /* row of the output */
} row_dest;

static int by_row(const void *a, const void *b)
{
    const row_dest *x = a, *y = b;
    if (x->row != y->row)
        return (x->row > y->row) - (x->row < y->row);
    return (x->dest > y->dest) - (x->dest < y->dest);
}

/* Reads the n x dim data after the header once, a batch of rows at a time,
 * and converts each wanted row (order: sorted by row) into x at its
 * destination. Rows nobody wants are read and dropped, so a truncated file
 * fails here exactly as it does in tg_load_idx. */
static int stream_rows(idx_file *f, size_t n, size_t dim, const row_dest *order, size_t n_order,
                       float *x, tg_error *err)
{
    float lut[256];
    for (int i = 0; i < 256; i++)
        lut[i] = (float)i / 255.0f; /* the same expression as tg_load_idx: same bits */
    if (n == 0)
        return 0;
    size_t batch = dim >= CHUNK ? 1 : CHUNK / dim;
    if (batch > n)
        batch = n;
    unsigned char *buf = malloc(batch * dim); // [batch, dim]
    if (!buf)
        return tg_fail(err, "%s: out of memory for a %zu-byte row buffer", f->path, batch * dim);
    size_t header = f->offset, k = 0;
    for (size_t r0 = 0; r0 < n; r0 += batch) {
        size_t rows = n - r0 < batch ? n - r0 : batch, want = rows * dim, got;
        if (idx_read(f, buf, want, &got, err) != 0)
            goto fail;
        if (got < want) {
            tg_fail(err, "%s: truncated: data ended at byte offset %zu, expected %zu bytes "
                    "(%zu header + %zu data)", f->path, header + r0 * dim + got,
                    header + n * dim, header, n * dim);
            goto fail;
        }
        for (; k < n_order && order[k].row < r0 + rows; k++) {
            float *dst = x + order[k].dest * dim; // [dim]
            if (k > 0 && order[k - 1].row == order[k].row) { /* a repeat: copy the first */
                memcpy(dst, x + order[k - 1].dest * dim, dim * sizeof *dst);
                continue;
            }
            const unsigned char *src = buf + (order[k].row - r0) * dim; // [dim]
            for (size_t j = 0; j < dim; j++)
                dst[j] = lut[src[j]];
        }
    }
    free(buf);
    return 0;
fail:
    free(buf);
    return -1;
}

/* The output's rows, sorted by file row so the file is read in order. */
static row_dest *sorted_order(const size_t *rows, size_t n_rows)
{
    row_dest *order = malloc(n_rows * sizeof *order + 1);
    if (!order)
        return NULL;
    for (size_t i = 0; i < n_rows; i++)
        order[i] = (row_dest){rows[i], i};
    qsort(order, n_rows, sizeof *order, by_row);
    return order;
}

/* Checks that the file still has the header tg_data_idx_open saw. */
static int same_header(const char *path, const tg_dataset *file, const tg_dataset *opened,
                       tg_error *err)
{
    if (file->n == opened->n && file->dim == opened->dim && file->width == opened->width &&
        file->height == opened->height)
        return 0;
    return tg_fail(err, "%s: the header now says %zu images of %d x %d, but the opened set has "
                   "%zu of %d x %d: the file changed since it was opened", path, file->n,
                   file->height, file->width, opened->n, opened->height, opened->width);
}

int tg_data_idx_rows(const char *images_path, const tg_dataset *opened, const size_t *rows,
                     size_t n_rows, tg_dataset *out, tg_error *err)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n_rows; i++)
        if (rows[i] >= opened->n)
            return tg_fail(err, "%s: rows[%zu] = %zu is out of range (the set has %zu images)",
                           images_path, i, rows[i], opened->n);
    if (!tg_data_mul_ok(n_rows, opened->dim) ||
        !tg_data_mul_ok(n_rows * opened->dim, sizeof(float)) ||
        !tg_data_mul_ok(n_rows, sizeof(row_dest)))
        return tg_fail(err, "%s: %zu rows of %zu pixels overflow", images_path, n_rows,
                       opened->dim);

    tg_dataset ds = {0}, file = {0};
    row_dest *order = NULL;
    idx_file f;
    if (images_begin(&f, images_path, &file, err) != 0)
        return -1;
    if (same_header(images_path, &file, opened, err) != 0)
        goto fail;
    ds = *opened;
    ds.n = n_rows;
    ds.x = malloc(n_rows * ds.dim * sizeof *ds.x + 1); /* +1: n_rows = 0 still allocates */
    ds.labels = opened->labels ? malloc(n_rows * sizeof *ds.labels + 1) : NULL;
    ds.class_names = tg_data_strv_dup(opened->class_names,
                                      opened->class_names ? (size_t)opened->n_classes : 0);
    ds.feature_names = tg_data_strv_dup(opened->feature_names,
                                        opened->feature_names ? opened->dim : 0);
    order = sorted_order(rows, n_rows);
    if (!ds.x || (opened->labels && !ds.labels) || (opened->class_names && !ds.class_names) ||
        (opened->feature_names && !ds.feature_names) || !order) {
        tg_fail(err, "%s: out of memory for %zu rows of %zu pixels", images_path, n_rows, ds.dim);
        goto fail;
    }
    for (size_t i = 0; i < n_rows && ds.labels; i++)
        ds.labels[i] = opened->labels[rows[i]];
    if (stream_rows(&f, file.n, file.dim, order, n_rows, ds.x, err) != 0)
        goto fail;
    gzclose(f.gz);
    free(order);
    *out = ds;
    return 0;
fail:
    gzclose(f.gz);
    free(order);
    tg_dataset_free(&ds);
    return -1;
}
