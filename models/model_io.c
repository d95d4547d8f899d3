/* model_io.c - model.bin: an RSRAE's config, preprocessing record and
 * parameters in a versioned little-endian file ending in a CRC-32.
 * The layout is documented byte by byte in docs/model-format.md; the
 * functions below follow it record by record, in file order. */
#include "tg_model_io.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "tg_atomic.h"

#define MAGIC_LEN 8
#define HEADER_START 16 /* magic, version, header length */
#define MIN_TENSOR_RECORD 3 /* u16 name length + u8 ndim */

static const char *preprocess_names[] = {"unit", "pm1-l2", "standardize"};

const char *tg_preprocess_name(tg_preprocess p)
{
    return (unsigned)p <= TG_PREPROCESS_STANDARDIZE ? preprocess_names[p] : "?";
}

int tg_preprocess_parse(const char *s, tg_preprocess *out)
{
    for (int i = 0; i <= TG_PREPROCESS_STANDARDIZE; i++)
        if (strcmp(s, preprocess_names[i]) == 0) {
            *out = (tg_preprocess)i;
            return 0;
        }
    return -1;
}

void tg_model_meta_free(tg_model_meta *meta)
{
    if (!meta)
        return;
    free(meta->mean);
    free(meta->std);
    memset(meta, 0, sizeof *meta);
}

/* zlib's crc32 takes a uInt length; feed it in pieces that fit. */
static uLong crc_update(uLong crc, const uint8_t *p, size_t n)
{
    while (n > 0) {
        uInt piece = n > (1u << 30) ? (1u << 30) : (uInt)n;
        crc = crc32(crc, p, piece);
        p += piece;
        n -= piece;
    }
    return crc;
}

/* ---- little-endian encoding ------------------------------------------- */

static void enc_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t dec_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t f32_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static float bits_f32(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static void dec_f32s(float *dst, const uint8_t *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = bits_f32(dec_u32(src + 4 * i));
}

/* ---- writing ---------------------------------------------------------- */

/* Where bytes go: a growable memory buffer (fp == NULL) or a file. Tracks
 * the running CRC and the byte count; the first failure sticks. */
typedef struct sink {
    FILE    *fp;
    uint8_t *buf;
    size_t   len, cap;
    uLong    crc;
    int      failed;
} sink;

static void put(sink *s, const void *data, size_t n)
{
    if (s->failed || n == 0)
        return;
    if (s->fp) {
        if (fwrite(data, 1, n, s->fp) != n) {
            s->failed = 1;
            return;
        }
    } else {
        if (s->len + n > s->cap) {
            size_t cap = s->cap ? s->cap : 256;
            while (cap < s->len + n)
                cap *= 2;
            uint8_t *b = realloc(s->buf, cap);
            if (!b) {
                s->failed = 1;
                return;
            }
            s->buf = b;
            s->cap = cap;
        }
        memcpy(s->buf + s->len, data, n);
    }
    s->crc = crc_update(s->crc, data, n);
    s->len += n;
}

static void put_u8(sink *s, unsigned v)
{
    uint8_t b = (uint8_t)v;
    put(s, &b, 1);
}

static void put_u16(sink *s, unsigned v)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    put(s, b, 2);
}

static void put_u32(sink *s, uint32_t v)
{
    uint8_t b[4];
    enc_u32(b, v);
    put(s, b, 4);
}

static void put_i32(sink *s, int v) { put_u32(s, (uint32_t)v); }

static void put_u64(sink *s, uint64_t v)
{
    put_u32(s, (uint32_t)v);
    put_u32(s, (uint32_t)(v >> 32));
}

static void put_f32(sink *s, float f) { put_u32(s, f32_bits(f)); }

static void put_f32s(sink *s, const float *x, size_t n)
{
    uint8_t chunk[4096];
    for (size_t i = 0; i < n;) {
        size_t k = 0;
        for (; k < sizeof chunk / 4 && i < n; k++, i++)
            enc_u32(chunk + 4 * k, f32_bits(x[i]));
        put(s, chunk, 4 * k);
    }
}

static void write_config(sink *s, const tg_rsrae_config *c)
{
    put_i32(s, c->input_dim);
    put_u32(s, (uint32_t)c->n_enc_hidden);
    for (int i = 0; i < c->n_enc_hidden; i++)
        put_i32(s, c->enc_hidden[i]);
    put_u32(s, (uint32_t)c->n_dec_hidden);
    for (int i = 0; i < c->n_dec_hidden; i++)
        put_i32(s, c->dec_hidden[i]);
    put_i32(s, c->embed_dim);
    put_i32(s, c->latent_dim);
    put_u8(s, c->act);
    put_u8(s, c->embed_act);
    put_u8(s, c->out_act);
    put_u8(s, c->renorm != 0);
    put_f32(s, c->p);
    put_f32(s, c->lambda1);
    put_f32(s, c->lambda2);
    put_u8(s, c->mean_reduction != 0);
    put_u8(s, c->mode);
    put_u8(s, c->score);
    put_i32(s, c->batch);
}

static void write_meta(sink *s, const tg_model_meta *meta, int input_dim)
{
    uint32_t n_stats = meta->preprocess == TG_PREPROCESS_STANDARDIZE ? (uint32_t)input_dim : 0;
    put_u8(s, meta->preprocess);
    put_u32(s, (uint32_t)meta->width);
    put_u32(s, (uint32_t)meta->height);
    put_u32(s, (uint32_t)meta->channels);
    put_u32(s, n_stats);
    if (n_stats) {
        put_f32s(s, meta->mean, n_stats);
        put_f32s(s, meta->std, n_stats);
    }
}

static int write_params(sink *s, tg_graph *g, const char *path, tg_error *err)
{
    int n = tg_param_list(g, NULL, 0);
    tg_tensor *ts = malloc(sizeof *ts * (size_t)(n > 0 ? n : 1));
    if (!ts)
        return tg_fail(err, "%s: out of memory", path);
    tg_param_list(g, ts, n);
    put_u32(s, (uint32_t)n);
    for (int i = 0; i < n; i++) {
        const char *name = tg_name_of(g, ts[i]);
        const tg_shape *sh = tg_shape_of(g, ts[i]);
        const float *data = tg_param_data(g, ts[i]);
        if (!data) {
            free(ts);
            return tg_fail(err, "%s: parameter '%s' has no data: %s", path, name, tg_graph_error(g));
        }
        put_u16(s, (unsigned)strlen(name));
        put(s, name, strlen(name));
        put_u8(s, (unsigned)sh->ndim);
        for (int k = 0; k < sh->ndim; k++)
            put_u64(s, (uint64_t)sh->d[k]);
        put_f32s(s, data, (size_t)tg_shape_numel(sh));
    }
    free(ts);
    return 0;
}

/* All-zero geometry (tabular) or width*height*channels == input_dim. */
static int geometry_ok(uint64_t w, uint64_t h, uint64_t c, int input_dim)
{
    if (w == 0 && h == 0 && c == 0)
        return 1;
    if (w == 0 || h == 0 || c == 0 || w > INT_MAX || h > INT_MAX || c > INT_MAX)
        return 0;
    uint64_t wh = w * h; /* < 2^62 */
    return wh <= (uint64_t)input_dim && wh * c == (uint64_t)input_dim;
}

static int check_meta(const char *path, const tg_model_meta *meta, const tg_rsrae_config *c,
                      tg_error *err)
{
    if ((unsigned)meta->preprocess > TG_PREPROCESS_STANDARDIZE)
        return tg_fail(err, "%s: unknown preprocessing mode %d", path, (int)meta->preprocess);
    if (meta->preprocess == TG_PREPROCESS_STANDARDIZE && (!meta->mean || !meta->std))
        return tg_fail(err, "%s: standardisation needs the per-feature mean and std (%d each)",
                       path, c->input_dim);
    if (meta->width < 0 || meta->height < 0 || meta->channels < 0 ||
        !geometry_ok((uint64_t)meta->width, (uint64_t)meta->height, (uint64_t)meta->channels,
                     c->input_dim))
        return tg_fail(err, "%s: geometry %dx%dx%d (width x height x channels) does not match "
                       "input_dim %d (use 0x0x0 for tabular data)",
                       path, meta->width, meta->height, meta->channels, c->input_dim);
    return 0;
}

int tg_model_save(const char *path, const tg_rsrae *m, const tg_model_meta *meta, tg_error *err)
{
    static const tg_model_meta tabular = {.preprocess = TG_PREPROCESS_UNIT};
    if (!meta)
        meta = &tabular;
    if (!m->g)
        return tg_fail(err, "%s: the model has no graph (not built)", path);
    if (tg_rsrae_config_check(&m->cfg, err) != 0 || check_meta(path, meta, &m->cfg, err) != 0)
        return -1;

    /* The header is assembled in memory first: its length precedes it. */
    sink header = {0};
    write_config(&header, &m->cfg);
    write_meta(&header, meta, m->cfg.input_dim);
    if (header.failed) {
        free(header.buf);
        return tg_fail(err, "%s: out of memory", path);
    }

    tg_atomic_file f;
    if (tg_atomic_open(&f, path, err) != 0) {
        free(header.buf);
        return -1;
    }
    sink out = {.fp = f.fp, .crc = crc32(0L, Z_NULL, 0)};
    put(&out, TG_MODEL_MAGIC, MAGIC_LEN);
    put_u32(&out, TG_MODEL_VERSION);
    put_u32(&out, (uint32_t)header.len);
    put(&out, header.buf, header.len);
    free(header.buf);
    if (write_params(&out, m->g, path, err) != 0) {
        tg_atomic_abort(&f);
        return -1;
    }
    put_u32(&out, (uint32_t)out.crc); /* the CRC of everything before it */
    if (out.failed) {
        int saved = errno;
        tg_atomic_abort(&f);
        return tg_fail(err, "%s: write failed at byte %zu: %s", path, out.len, strerror(saved));
    }
    return tg_atomic_commit(&f, err);
}

/* ---- reading ---------------------------------------------------------- */

/* A bounds-checked cursor over the whole file in memory. */
typedef struct reader {
    const char    *path;
    const uint8_t *p;
    size_t         size, pos;
    tg_error      *err;
} reader;

static int truncated(reader *r, const char *what, size_t need)
{
    return tg_fail(r->err, "%s: truncated at byte %zu: %s needs %zu bytes, the file ends at byte %zu",
                   r->path, r->pos, what, need, r->size);
}

static int need(reader *r, size_t n, const char *what)
{
    return r->size - r->pos >= n ? 0 : truncated(r, what, n);
}

/* need() for count elements of elem bytes, without overflowing. */
static int need_array(reader *r, uint64_t count, size_t elem, const char *what)
{
    if (count > (r->size - r->pos) / elem)
        return tg_fail(r->err, "%s: truncated at byte %zu: %s needs %llu x %zu bytes, the file "
                       "ends at byte %zu", r->path, r->pos, what, (unsigned long long)count, elem,
                       r->size);
    return 0;
}

static int get_u8(reader *r, const char *what, unsigned *v)
{
    if (need(r, 1, what) != 0)
        return -1;
    *v = r->p[r->pos++];
    return 0;
}

static int get_u16(reader *r, const char *what, unsigned *v)
{
    if (need(r, 2, what) != 0)
        return -1;
    *v = (unsigned)r->p[r->pos] | (unsigned)r->p[r->pos + 1] << 8;
    r->pos += 2;
    return 0;
}

static int get_u32(reader *r, const char *what, uint32_t *v)
{
    if (need(r, 4, what) != 0)
        return -1;
    *v = dec_u32(r->p + r->pos);
    r->pos += 4;
    return 0;
}

static int get_i32(reader *r, const char *what, int *v)
{
    uint32_t u;
    if (get_u32(r, what, &u) != 0)
        return -1;
    *v = (int)(int32_t)u;
    return 0;
}

static int get_u64(reader *r, const char *what, uint64_t *v)
{
    uint32_t lo, hi;
    if (get_u32(r, what, &lo) != 0 || get_u32(r, what, &hi) != 0)
        return -1;
    *v = (uint64_t)hi << 32 | lo;
    return 0;
}

static int get_f32(reader *r, const char *what, float *v)
{
    uint32_t u;
    if (get_u32(r, what, &u) != 0)
        return -1;
    *v = bits_f32(u);
    return 0;
}

/* A one-byte code in 0..max. Values are only judged when `check` is set:
 * the first pass over a file checks structure only, so that a corrupt
 * byte is reported as a checksum mismatch rather than a strange value. */
static int get_code(reader *r, const char *what, unsigned max, int check, unsigned *v)
{
    size_t at = r->pos;
    if (get_u8(r, what, v) != 0)
        return -1;
    if (check && *v > max)
        return tg_fail(r->err, "%s: byte %zu: %s code %u is not one of 0..%u", r->path, at, what,
                       *v, max);
    return 0;
}

static int get_layers(reader *r, const char *what, int *n, int *sizes)
{
    uint32_t count;
    size_t at = r->pos;
    if (get_u32(r, what, &count) != 0)
        return -1;
    if (count > TG_RSRAE_MAX_LAYERS)
        return tg_fail(r->err, "%s: byte %zu: %u %s, at most %d supported", r->path, at, count,
                       what, TG_RSRAE_MAX_LAYERS);
    *n = (int)count;
    for (int i = 0; i < *n; i++)
        if (get_i32(r, "a hidden layer size", &sizes[i]) != 0)
            return -1;
    return 0;
}

/* What the walk over a file found; pointers are into the file's bytes. */
typedef struct stored_tensor {
    size_t         offset; /* of the record */
    const uint8_t *name;
    size_t         name_len;
    tg_shape       shape;
    const uint8_t *data;   /* numel little-endian floats */
} stored_tensor;

typedef struct parsed {
    tg_rsrae_config cfg;
    tg_model_meta   meta;   /* mean/std unset: see stats */
    const uint8_t  *stats;  /* n_stats means, then n_stats stds */
    uint32_t        n_stats;
    size_t          params_offset;
    uint32_t        n_tensors;
    stored_tensor  *tensors;
} parsed;

static int read_config(reader *r, tg_rsrae_config *c, int check)
{
    unsigned act, embed_act, out_act, renorm, mean_red, mode, score;
    memset(c, 0, sizeof *c);
    if (get_i32(r, "input_dim", &c->input_dim) != 0 ||
        get_layers(r, "encoder hidden layers", &c->n_enc_hidden, c->enc_hidden) != 0 ||
        get_layers(r, "decoder hidden layers", &c->n_dec_hidden, c->dec_hidden) != 0 ||
        get_i32(r, "embed_dim", &c->embed_dim) != 0 ||
        get_i32(r, "latent_dim", &c->latent_dim) != 0 ||
        get_code(r, "activation", TG_ACT_NONE, check, &act) != 0 ||
        get_code(r, "embedding activation", TG_ACT_NONE, check, &embed_act) != 0 ||
        get_code(r, "output activation", TG_ACT_NONE, check, &out_act) != 0 ||
        get_code(r, "renorm flag", 1, check, &renorm) != 0 ||
        get_f32(r, "p", &c->p) != 0 || get_f32(r, "lambda1", &c->lambda1) != 0 ||
        get_f32(r, "lambda2", &c->lambda2) != 0 ||
        get_code(r, "mean_reduction flag", 1, check, &mean_red) != 0 ||
        get_code(r, "training mode", TG_TRAIN_ALTERNATING, check, &mode) != 0 ||
        get_code(r, "score kind", TG_SCORE_COSINE, check, &score) != 0 ||
        get_i32(r, "batch", &c->batch) != 0)
        return -1;
    c->act = (tg_act)act;
    c->embed_act = (tg_act)embed_act;
    c->out_act = (tg_act)out_act;
    c->renorm = (int)renorm;
    c->mean_reduction = (int)mean_red;
    c->mode = (tg_train_mode)mode;
    c->score = (tg_score_kind)score;
    return 0;
}

static int read_meta(reader *r, parsed *ps, int check)
{
    unsigned pre;
    uint32_t w, h, c;
    size_t geometry_at, stats_at;
    if (get_code(r, "preprocessing mode", TG_PREPROCESS_STANDARDIZE, check, &pre) != 0)
        return -1;
    geometry_at = r->pos;
    if (get_u32(r, "width", &w) != 0 || get_u32(r, "height", &h) != 0 ||
        get_u32(r, "channels", &c) != 0)
        return -1;
    stats_at = r->pos;
    if (get_u32(r, "statistics count", &ps->n_stats) != 0 ||
        need_array(r, 2 * (uint64_t)ps->n_stats, 4, "the mean and std arrays") != 0)
        return -1;
    ps->stats = r->p + r->pos;
    r->pos += 8 * (size_t)ps->n_stats;
    ps->meta.preprocess = (tg_preprocess)pre;
    if (!check)
        return 0;
    int input_dim = ps->cfg.input_dim;
    if (!geometry_ok(w, h, c, input_dim))
        return tg_fail(r->err, "%s: byte %zu: geometry %ux%ux%u (width x height x channels) does "
                       "not match input_dim %d", r->path, geometry_at, w, h, c, input_dim);
    ps->meta.width = (int)w;
    ps->meta.height = (int)h;
    ps->meta.channels = (int)c;
    uint32_t expected = pre == TG_PREPROCESS_STANDARDIZE ? (uint32_t)input_dim : 0;
    if (ps->n_stats != expected)
        return tg_fail(r->err, "%s: byte %zu: %u per-feature statistics stored, expected %u "
                       "(preprocessing '%s', input_dim %d)", r->path, stats_at, ps->n_stats,
                       expected, tg_preprocess_name((tg_preprocess)pre), input_dim);
    return 0;
}

/* Header length, config record and preprocessing record (from byte 12). */
static int read_header(reader *r, parsed *ps, int check)
{
    uint32_t header_len;
    r->pos = 12;
    if (get_u32(r, "the header length", &header_len) != 0 || read_config(r, &ps->cfg, check) != 0)
        return -1;
    if (check) {
        tg_error e;
        if (tg_rsrae_config_check(&ps->cfg, &e) != 0)
            return tg_fail(r->err, "%s: config record at byte %d: %s", r->path, HEADER_START, e.msg);
    }
    if (read_meta(r, ps, check) != 0)
        return -1;
    ps->params_offset = r->pos;
    if (check && header_len != r->pos - HEADER_START)
        return tg_fail(r->err, "%s: byte 12: header length %u, but the config and preprocessing "
                       "records take %zu bytes", r->path, header_len, r->pos - HEADER_START);
    return 0;
}

/* A name from the file, made printable for a message. */
static const char *printable(const uint8_t *s, size_t n, char *buf, size_t cap)
{
    size_t k = 0;
    for (; k < n && k + 1 < cap; k++)
        buf[k] = s[k] >= 0x20 && s[k] < 0x7f ? (char)s[k] : '?';
    buf[k] = '\0';
    return buf;
}

static int read_tensor(reader *r, stored_tensor *t)
{
    unsigned name_len, ndim;
    t->offset = r->pos;
    if (get_u16(r, "a tensor name length", &name_len) != 0 || need(r, name_len, "a tensor name") != 0)
        return -1;
    t->name = r->p + r->pos;
    t->name_len = name_len;
    r->pos += name_len;
    char nb[64];
    printable(t->name, t->name_len, nb, sizeof nb);
    size_t ndim_at = r->pos;
    if (get_u8(r, "a tensor rank", &ndim) != 0)
        return -1;
    if (ndim > TG_MAX_DIMS)
        return tg_fail(r->err, "%s: byte %zu: tensor '%s' has %u dimensions, at most %d supported",
                       r->path, ndim_at, nb, ndim, TG_MAX_DIMS);
    t->shape.ndim = (int)ndim;
    uint64_t dims[TG_MAX_DIMS];
    for (unsigned k = 0; k < ndim; k++)
        if (get_u64(r, "a tensor dimension", &dims[k]) != 0)
            return -1;
    for (unsigned k = 0; k < ndim; k++) {
        if (dims[k] > (uint64_t)INT64_MAX)
            return tg_fail(r->err, "%s: byte %zu: tensor '%s' dimension %u is %llu, too large",
                           r->path, ndim_at + 1 + 8 * k, nb, k, (unsigned long long)dims[k]);
        t->shape.d[k] = (int64_t)dims[k];
    }
    /* numel, capped by what the file can still hold so nothing overflows */
    uint64_t cap = (r->size - r->pos) / 4, numel = 1;
    for (unsigned k = 0; k < ndim; k++)
        if (dims[k] == 0)
            numel = 0;
    for (unsigned k = 0; k < ndim && numel; k++) {
        if (numel > cap / dims[k]) {
            char sb[96];
            return tg_fail(r->err, "%s: truncated at byte %zu: the data of tensor '%s' %s does not "
                           "fit before the end of the file at byte %zu", r->path, r->pos, nb,
                           tg_shape_str(&t->shape, sb, sizeof sb), r->size);
        }
        numel *= dims[k];
    }
    t->data = r->p + r->pos;
    r->pos += 4 * (size_t)numel;
    return 0;
}

static int read_tensors(reader *r, parsed *ps)
{
    r->pos = ps->params_offset;
    if (get_u32(r, "the tensor count", &ps->n_tensors) != 0 ||
        need_array(r, ps->n_tensors, MIN_TENSOR_RECORD, "the tensor records") != 0)
        return -1;
    ps->tensors = calloc(ps->n_tensors ? ps->n_tensors : 1, sizeof *ps->tensors);
    if (!ps->tensors)
        return tg_fail(r->err, "%s: out of memory", r->path);
    for (uint32_t i = 0; i < ps->n_tensors; i++)
        if (read_tensor(r, &ps->tensors[i]) != 0)
            return -1;
    return 0;
}

static int check_magic_version(reader *r)
{
    size_t have = r->size < MAGIC_LEN ? r->size : MAGIC_LEN;
    if (memcmp(r->p, TG_MODEL_MAGIC, have) != 0) {
        char shown[4 * MAGIC_LEN + 1] = "", hex[3 * MAGIC_LEN + 1] = "";
        size_t k = 0, h = 0;
        for (size_t i = 0; i < have; i++) {
            uint8_t c = r->p[i];
            int plain = c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
            k += (size_t)snprintf(shown + k, sizeof shown - k, plain ? "%c" : "\\x%02x", c);
            h += (size_t)snprintf(hex + h, sizeof hex - h, i ? " %02x" : "%02x", c);
        }
        return tg_fail(r->err, "%s: byte 0: not an RSRAE model file: it starts with \"%s\" (%s), "
                       "expected \"%s\"", r->path, shown, hex, TG_MODEL_MAGIC);
    }
    if (have < MAGIC_LEN)
        return truncated(r, "the magic", MAGIC_LEN);
    uint32_t version;
    r->pos = MAGIC_LEN;
    if (get_u32(r, "the format version", &version) != 0)
        return -1;
    if (version != TG_MODEL_VERSION)
        return tg_fail(r->err, "%s: byte %d: unsupported format version %u (this build reads "
                       "version %d only)", r->path, MAGIC_LEN, version, TG_MODEL_VERSION);
    return 0;
}

static int check_crc(reader *r)
{
    size_t at = r->pos;
    if (need(r, 4, "the CRC-32") != 0)
        return -1;
    if (r->size - at > 4)
        return tg_fail(r->err, "%s: byte %zu: %zu unexpected bytes after the parameters (the file "
                       "should end with the 4-byte CRC-32 here)", r->path, at, r->size - at - 4);
    uint32_t stored = dec_u32(r->p + at);
    uint32_t computed = (uint32_t)crc_update(crc32(0L, Z_NULL, 0), r->p, at);
    if (stored != computed)
        return tg_fail(r->err, "%s: byte %zu: checksum mismatch: the file says CRC-32 %08x, bytes "
                       "0..%zu give %08x (the file is corrupt)", r->path, at, stored, at, computed);
    return 0;
}

static int read_file(const char *path, uint8_t **data, size_t *size, tg_error *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return tg_fail(err, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 1 << 16, len = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            fclose(fp);
            return tg_fail(err, "%s: out of memory", path);
        }
        len += fread(buf + len, 1, cap - len, fp);
        if (len < cap)
            break;
        uint8_t *bigger = realloc(buf, cap * 2);
        if (!bigger)
            free(buf);
        buf = bigger;
        cap *= 2;
    }
    int bad = ferror(fp);
    fclose(fp);
    if (bad) {
        free(buf);
        return tg_fail(err, "%s: read error", path);
    }
    *data = buf;
    *size = len;
    return 0;
}

/* Every stored tensor against the graph's parameters, in order, by name and
 * shape; only then the copy. Checking all shapes before the first
 * tg_param_data (which allocates the whole block) bounds the allocation by
 * the file's size, whatever dimensions a forged config asks for. */
static int check_params(const char *path, const parsed *ps, tg_graph *g, const tg_tensor *ts,
                        int n, tg_error *err)
{
    if ((uint32_t)n != ps->n_tensors)
        return tg_fail(err, "%s: byte %zu: %u tensors stored, the model built from the stored "
                       "config has %d", path, ps->params_offset, ps->n_tensors, n);
    for (int i = 0; i < n; i++) {
        const stored_tensor *t = &ps->tensors[i];
        const char *name = tg_name_of(g, ts[i]);
        const tg_shape *shape = tg_shape_of(g, ts[i]);
        char nb[64], fs[96], ms[96];
        if (strlen(name) != t->name_len || memcmp(name, t->name, t->name_len) != 0 ||
            !tg_shape_equal(&t->shape, shape))
            return tg_fail(err, "%s: byte %zu: tensor %d is '%s' %s in the file, the model "
                           "expects '%s' %s", path, t->offset, i,
                           printable(t->name, t->name_len, nb, sizeof nb),
                           tg_shape_str(&t->shape, fs, sizeof fs), name,
                           tg_shape_str(shape, ms, sizeof ms));
    }
    return 0;
}

static int fill_params(const char *path, const parsed *ps, tg_graph *g, tg_error *err)
{
    int n = tg_param_list(g, NULL, 0);
    tg_tensor *ts = malloc(sizeof *ts * (size_t)(n > 0 ? n : 1));
    if (!ts)
        return tg_fail(err, "%s: out of memory", path);
    tg_param_list(g, ts, n);
    int rc = check_params(path, ps, g, ts, n, err);
    for (int i = 0; i < n && rc == 0; i++) {
        float *dst = tg_param_data(g, ts[i]);
        if (!dst)
            rc = tg_fail(err, "%s: %s", path, tg_graph_error(g));
        else
            dec_f32s(dst, ps->tensors[i].data, (size_t)tg_shape_numel(tg_shape_of(g, ts[i])));
    }
    free(ts);
    return rc;
}

static int take_meta(const char *path, const parsed *ps, tg_model_meta *out, tg_error *err)
{
    *out = ps->meta;
    out->mean = out->std = NULL;
    size_t n = ps->n_stats;
    if (n == 0)
        return 0;
    out->mean = malloc(n * sizeof(float));
    out->std = malloc(n * sizeof(float));
    if (!out->mean || !out->std) {
        tg_model_meta_free(out);
        return tg_fail(err, "%s: out of memory", path);
    }
    dec_f32s(out->mean, ps->stats, n);
    dec_f32s(out->std, ps->stats + 4 * n, n);
    return 0;
}

/* Structure and checksum first, values second (see get_code). */
static int parse(reader *r, parsed *ps)
{
    if (check_magic_version(r) != 0 || read_header(r, ps, 0) != 0 || read_tensors(r, ps) != 0 ||
        check_crc(r) != 0)
        return -1;
    return read_header(r, ps, 1);
}

int tg_model_load(const char *path, tg_rsrae *m_out, tg_model_meta *meta_out, tg_error *err)
{
    memset(m_out, 0, sizeof *m_out);
    if (meta_out)
        memset(meta_out, 0, sizeof *meta_out);
    uint8_t *data = NULL;
    size_t size = 0;
    if (read_file(path, &data, &size, err) != 0)
        return -1;
    reader r = {.path = path, .p = data, .size = size, .err = err};
    parsed ps = {0};
    int rc = parse(&r, &ps);
    if (rc == 0) {
        tg_error e;
        rc = tg_rsrae_build(m_out, &ps.cfg, &e);
        if (rc != 0)
            tg_fail(err, "%s: building the stored model: %s", path, e.msg);
    }
    if (rc == 0)
        rc = fill_params(path, &ps, m_out->g, err);
    if (rc == 0 && meta_out)
        rc = take_meta(path, &ps, meta_out, err);
    if (rc != 0 && m_out->g) {
        tg_rsrae_free(m_out);
        memset(m_out, 0, sizeof *m_out);
    }
    free(ps.tensors);
    free(data);
    return rc;
}
