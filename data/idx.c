/* idx.c - IDX files (the MNIST format), raw or gzip-compressed.
 *
 * Layout: a 4-byte magic (0, 0, dtype, ndim), ndim big-endian u32 sizes,
 * then the data. Images are 0x00000803 (u8, [n, rows, cols]), labels
 * 0x00000801 (u8, [n]). gzopen reads plain files transparently, so a file
 * is decompressed exactly when it starts with the gzip magic 1f 8b.
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

int tg_load_idx(const char *images_path, const char *labels_path,
                tg_dataset *out, tg_error *err)
{
    memset(out, 0, sizeof *out);
    tg_dataset ds = {0};
    size_t n_labels = 0;
    if (labels_path &&
        load_labels(labels_path, &ds.labels, &n_labels, &ds.n_classes, err) != 0)
        return -1;

    idx_file f;
    uint32_t dims[3] = {0};
    if (idx_open(&f, images_path, err) != 0)
        goto fail;
    if (idx_header(&f, 3, "images", dims, err) != 0)
        goto fail_close;
    if (dims[1] == 0 || dims[2] == 0 || dims[1] > INT32_MAX || dims[2] > INT32_MAX) {
        tg_fail(err, "%s: image size %u x %u at byte offset 8 is not usable", images_path,
                dims[1], dims[2]);
        goto fail_close;
    }
    if (labels_path && n_labels != dims[0]) {
        tg_fail(err, "%s has %u images but %s has %zu labels", images_path, dims[0],
                labels_path, n_labels);
        goto fail_close;
    }
    ds.n = dims[0];
    ds.dim = (size_t)dims[1] * dims[2];
    if (!tg_data_mul_ok(ds.n, ds.dim) || !tg_data_mul_ok(ds.n * ds.dim, sizeof(float))) {
        tg_fail(err, "%s: %u images of %u x %u do not fit in memory", images_path,
                dims[0], dims[1], dims[2]);
        goto fail_close;
    }
    if (idx_read_u8(&f, ds.n * ds.dim, 255.0f, &ds.x, err) != 0)
        goto fail_close;
    gzclose(f.gz);
    ds.height = (int)dims[1];
    ds.width = (int)dims[2];
    ds.channels = 1;
    *out = ds;
    return 0;

fail_close:
    gzclose(f.gz);
fail:
    tg_dataset_free(&ds);
    return -1;
}
