/* csv.c - numeric CSV: rows of features plus an optional label column.
 *
 * The whole file is read into memory and split in place: each line's
 * fields become pointers into the buffer, so nothing is copied until a
 * value is parsed. Labels are kept as strings until every row is read,
 * because only then is it known whether they are all integers.
 */
#include "data_internal.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct csv_reader {
    const char *path;
    char   *buf;            /* whole file, NUL-terminated */
    size_t  pos, len;
    size_t  line;           /* 1-based number of the current line */
    char  **field;          /* fields of the current row */
    size_t  n_fields, cap_fields;
} csv_reader;

static int read_file(const char *path, char **buf, size_t *len, tg_error *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return tg_fail(err, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    while (b) {
        n += fread(b + n, 1, cap - n - 1, fp);
        if (n < cap - 1)
            break;
        char *nb = realloc(b, cap * 2);
        if (!nb) {
            free(b);
            b = NULL;
            break;
        }
        b = nb;
        cap *= 2;
    }
    int bad = b && ferror(fp);
    int saved = errno;
    fclose(fp);
    if (!b)
        return tg_fail(err, "%s: out of memory reading the file", path);
    if (bad) {
        free(b);
        return tg_fail(err, "%s: read error at byte offset %zu: %s", path, n, strerror(saved));
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return 0;
}

static char *trim(char *s, char *end)
{
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    *end = '\0';
    return s;
}

static int push_field(csv_reader *r, char *f, tg_error *err)
{
    if (r->n_fields == r->cap_fields) {
        size_t cap = r->cap_fields ? r->cap_fields * 2 : 16;
        char **nf = realloc(r->field, cap * sizeof *nf);
        if (!nf)
            return tg_fail(err, "%s:%zu: out of memory", r->path, r->line);
        r->field = nf;
        r->cap_fields = cap;
    }
    r->field[r->n_fields++] = f;
    return 0;
}

/* Splits line [s, end) into fields in place. A quoted field loses its
 * quotes and "" becomes "; the unquoted text is compacted leftwards. */
static int split_line(csv_reader *r, char *s, char *end, tg_error *err)
{
    r->n_fields = 0;
    for (;;) {
        char *start = s;
        while (s < end && (*s == ' ' || *s == '\t'))
            s++;
        char *field, *stop;
        if (s < end && *s == '"') {
            char *w = field = ++s;
            for (;;) {
                if (s >= end)
                    return tg_fail(err, "%s:%zu:%zu: unterminated quoted field", r->path,
                                   r->line, r->n_fields + 1);
                if (*s == '"' && s + 1 < end && s[1] == '"') {
                    *w++ = '"';
                    s += 2;
                } else if (*s == '"') {
                    s++;
                    break;
                } else {
                    *w++ = *s++;
                }
            }
            while (s < end && (*s == ' ' || *s == '\t'))
                s++;
            if (s < end && *s != ',')
                return tg_fail(err, "%s:%zu:%zu: unexpected '%c' after a closing quote",
                               r->path, r->line, r->n_fields + 1, *s);
            stop = s;
            *w = '\0';
        } else {
            stop = s < end ? memchr(s, ',', (size_t)(end - s)) : NULL;
            if (!stop)
                stop = end;
            field = trim(start, stop);
        }
        int last = stop >= end;
        *stop = '\0';
        if (push_field(r, field, err) != 0)
            return -1;
        if (last)
            return 0;
        s = stop + 1;
    }
}

/* Next non-blank row into r->field: 1 = row, 0 = end of file, -1 = error. */
static int next_row(csv_reader *r, tg_error *err)
{
    while (r->pos < r->len) {
        char *s = r->buf + r->pos;
        char *nl = memchr(s, '\n', r->len - r->pos);
        char *end = nl ? nl : r->buf + r->len;
        r->pos = (size_t)(end - r->buf) + (nl ? 1 : 0);
        r->line++;
        if (end > s && end[-1] == '\r')
            end--;
        char *t = s;
        while (t < end && isspace((unsigned char)*t))
            t++;
        if (t == end)
            continue;
        return split_line(r, s, end, err) == 0 ? 1 : -1;
    }
    return 0;
}

/* 0 = finite number, 1 = not a number, 2 = NaN / inf / out of float range. */
static int parse_value(const char *s, float *v)
{
    if (*s == '\0')
        return 1;
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (end == s || *end != '\0')
        return 1;
    float f = (float)d;
    if (!isfinite(d) || !isfinite(f))
        return 2;
    *v = f;
    return 0;
}


static int parse_column_number(const char *s, size_t n_cols, size_t *col)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno || v < 0 || (size_t)v >= n_cols)
        return -1;
    *col = (size_t)v;
    return 0;
}

/* A first row with a non-numeric feature field is a header. A label column
 * given by number is skipped: its values may be words in any row. */
static int row_is_header(const csv_reader *r, const char *label_column)
{
    size_t skip = r->n_fields;
    if (label_column)
        parse_column_number(label_column, r->n_fields, &skip);
    float v;
    for (size_t i = 0; i < r->n_fields; i++)
        if (i != skip && parse_value(r->field[i], &v) == 1)
            return 1;
    return 0;
}

/* Finds the label column by header name or column number. */
static int find_label_column(const char *path, const char *name, char **header,
                             size_t n_cols, size_t *col, tg_error *err)
{
    for (size_t i = 0; header && i < n_cols; i++)
        if (strcmp(header[i], name) == 0) {
            *col = i;
            return 0;
        }
    if (parse_column_number(name, n_cols, col) == 0)
        return 0;
    if (!header)
        return tg_fail(err, "%s: label column '%s' not found: the file has no header "
                       "(give a 0-based column number below %zu)", path, name, n_cols);
    char list[300];
    size_t used = 0;
    list[0] = '\0';
    for (size_t i = 0; i < n_cols && used < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", header[i]);
    return tg_fail(err, "%s: label column '%s' not found; header: %s", path, name, list);
}

typedef struct csv_table {
    size_t  n_cols, label_col; /* label_col == n_cols: no labels */
    size_t  n, cap;            /* rows read, rows allocated */
    float  *x;                 /* [cap, dim] */
    char  **label;             /* [cap] copies of the label fields */
} csv_table;

static void table_free(csv_table *t)
{
    free(t->x);
    tg_data_strv_free(t->label, t->label ? t->n : 0);
}

static int table_add_row(csv_table *t, const csv_reader *r, char *const *names, tg_error *err)
{
    size_t dim = t->n_cols - (t->label_col < t->n_cols);
    if (r->n_fields != t->n_cols)
        return tg_fail(err, "%s:%zu: expected %zu fields, found %zu", r->path, r->line,
                       t->n_cols, r->n_fields);
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        if (!tg_data_mul_ok(cap, dim * sizeof(float)))
            return tg_fail(err, "%s:%zu: too many rows", r->path, r->line);
        float *nx = realloc(t->x, cap * dim * sizeof *nx + 1);
        if (!nx)
            return tg_fail(err, "%s:%zu: out of memory", r->path, r->line);
        t->x = nx;
        if (t->label_col < t->n_cols) {
            char **nl = realloc(t->label, cap * sizeof *nl);
            if (!nl)
                return tg_fail(err, "%s:%zu: out of memory", r->path, r->line);
            t->label = nl;
        }
        t->cap = cap;
    }
    float *row = t->x + t->n * dim; // [dim]
    for (size_t c = 0, j = 0; c < t->n_cols; c++) {
        if (c == t->label_col)
            continue;
        int bad = parse_value(r->field[c], &row[j++]);
        if (bad)
            return tg_fail(err, "%s:%zu:%zu%s%s%s: %s '%s'", r->path, r->line, c + 1,
                           names ? " (" : "", names ? names[c] : "", names ? ")" : "",
                           bad == 1 ? "not a number:" : "NaN/inf not allowed:", r->field[c]);
    }
    if (t->label) {
        t->label[t->n] = tg_data_strdup(r->field[t->label_col]);
        if (!t->label[t->n])
            return tg_fail(err, "%s:%zu: out of memory", r->path, r->line);
    }
    t->n++;
    return 0;
}

static int is_class_number(const char *s, int *v)
{
    char *end;
    errno = 0;
    long l = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno || l < 0 || l >= INT_MAX)
        return 0;
    *v = (int)l;
    return 1;
}

/* Turns the label strings into ds->labels (and class_names for strings). */
static int resolve_labels(const char *path, char **label, size_t n, tg_dataset *ds, tg_error *err)
{
    ds->labels = malloc(n * sizeof *ds->labels + 1);
    if (!ds->labels)
        return tg_fail(err, "%s: out of memory for %zu labels", path, n);
    int numeric = 1, v, max = -1;
    for (size_t i = 0; i < n && numeric; i++)
        if (label[i][0] != '\0' && !is_class_number(label[i], &v))
            numeric = 0;
    if (numeric) {
        for (size_t i = 0; i < n; i++) {
            ds->labels[i] = label[i][0] != '\0' && is_class_number(label[i], &v) ? v : -1;
            if (ds->labels[i] > max)
                max = ds->labels[i];
        }
        ds->n_classes = max + 1;
        return 0;
    }
    /* Distinct names, sorted: sort a copy of the pointers and drop repeats. */
    char **names = malloc(n * sizeof *names + 1);
    if (!names)
        return tg_fail(err, "%s: out of memory for %zu labels", path, n);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (label[i][0] != '\0')
            names[k++] = label[i];
    qsort(names, k, sizeof *names, tg_data_strcmp_p);
    size_t m = 0;
    for (size_t i = 0; i < k; i++)
        if (m == 0 || strcmp(names[m - 1], names[i]) != 0)
            names[m++] = names[i];
    for (size_t i = 0; i < n; i++) {
        char **hit = label[i][0] ? bsearch(&label[i], names, m, sizeof *names, tg_data_strcmp_p) : NULL;
        ds->labels[i] = hit ? (int)(hit - names) : -1;
    }
    ds->class_names = tg_data_strv_dup(names, m);
    free(names);
    if (m && !ds->class_names)
        return tg_fail(err, "%s: out of memory for class names", path);
    ds->n_classes = (int)m;
    return 0;
}

/* Header names of the feature columns, in order. */
static char **feature_names(char **header, size_t n_cols, size_t label_col)
{
    char **v = calloc(n_cols, sizeof *v);
    if (!v)
        return NULL;
    for (size_t c = 0, j = 0; c < n_cols; c++) {
        if (c == label_col)
            continue;
        if (!(v[j++] = tg_data_strdup(header[c]))) {
            tg_data_strv_free(v, j);
            return NULL;
        }
    }
    return v;
}

/* The loader proper, on an opened reader; frees nothing it did not make. */
static int load_rows(csv_reader *r, const char *label_column, tg_csv_header header_mode,
                     tg_dataset *ds, tg_error *err)
{
    int rc = next_row(r, err);
    if (rc <= 0)
        return rc < 0 ? -1 : tg_fail(err, "%s: empty file", r->path);
    csv_table t = {.n_cols = r->n_fields};
    char **header = NULL;
    int has_header = header_mode == TG_CSV_HEADER_YES ||
                     (header_mode == TG_CSV_HEADER_AUTO && row_is_header(r, label_column));
    if (has_header && !(header = tg_data_strv_dup(r->field, r->n_fields)))
        return tg_fail(err, "%s: out of memory", r->path);
    size_t header_line = r->line;
    t.label_col = t.n_cols;
    if (label_column &&
        find_label_column(r->path, label_column, header, t.n_cols, &t.label_col, err) != 0)
        goto fail;
    if (t.n_cols - (t.label_col < t.n_cols) == 0) {
        tg_fail(err, "%s:%zu: no feature columns besides the label column", r->path, r->line);
        goto fail;
    }
    if (!has_header && table_add_row(&t, r, NULL, err) != 0)
        goto fail;
    while ((rc = next_row(r, err)) == 1)
        if (table_add_row(&t, r, header, err) != 0)
            goto fail;
    if (rc < 0)
        goto fail;
    if (t.n == 0) {
        tg_fail(err, "%s: no data rows after the header on line %zu", r->path, header_line);
        goto fail;
    }
    ds->n = t.n;
    ds->dim = t.n_cols - (t.label_col < t.n_cols);
    ds->x = t.x;
    t.x = NULL;
    if (t.label && resolve_labels(r->path, t.label, t.n, ds, err) != 0)
        goto fail;
    if (header && !(ds->feature_names = feature_names(header, t.n_cols, t.label_col))) {
        tg_fail(err, "%s: out of memory", r->path);
        goto fail;
    }
    table_free(&t);
    tg_data_strv_free(header, header ? t.n_cols : 0);
    return 0;
fail:
    table_free(&t);
    tg_data_strv_free(header, header ? t.n_cols : 0);
    return -1;
}

int tg_load_csv(const char *path, const char *label_column, tg_csv_header header,
                tg_dataset *out, tg_error *err)
{
    memset(out, 0, sizeof *out);
    csv_reader r = {.path = path};
    if (read_file(path, &r.buf, &r.len, err) != 0)
        return -1;
    if (r.len >= 3 && memcmp(r.buf, "\xEF\xBB\xBF", 3) == 0)
        r.pos = 3; /* UTF-8 byte order mark */
    tg_dataset ds = {0};
    int rc = load_rows(&r, label_column, header, &ds, err);
    free(r.field);
    free(r.buf);
    if (rc != 0) {
        tg_dataset_free(&ds);
        return -1;
    }
    *out = ds;
    return 0;
}
