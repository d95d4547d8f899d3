/* report.c - scores CSV, summary JSON and text. */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "tg_atomic.h"

size_t peak_rss(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? (size_t)ru.ru_maxrss * 1024 : 0;
}

int summarize(const prepared_data *d, const float *score, size_t *rank, run_summary *s,
              tg_error *err)
{
    s->peak_rss_bytes = peak_rss();
    size_t n = d->x.n;
    s->n = n;
    s->n_inliers = d->n_inliers;
    s->n_outliers = d->n_outliers;
    if (tg_describe(score, n, &s->stats, err) != 0 || tg_rank_desc(score, n, rank, err) != 0)
        return -1;
    s->n_top = n < TOP_SHOWN ? (int)n : TOP_SHOWN;
    if (tg_top_k(score, n, (size_t)s->n_top, s->top, err) != 0)
        return -1;
    s->has_truth = d->is_outlier && d->n_outliers > 0 && d->n_inliers > 0;
    if (s->has_truth &&
        (tg_roc_auc(score, d->is_outlier, n, &s->auc, err) != 0 ||
         tg_average_precision(score, d->is_outlier, n, &s->average_precision, err) != 0))
        return -1;
    return 0;
}

double collapse_ratio(const tg_dataset *x, const float *recon_err)
{
    size_t n = x->n, dim = x->dim;
    double *mean = calloc(dim, sizeof *mean);
    if (!mean || n == 0) {
        free(mean);
        return NAN;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < dim; j++)
            mean[j] += x->x[i * dim + j];
    for (size_t j = 0; j < dim; j++)
        mean[j] /= (double)n;
    double spread = 0.0, err = 0.0;
    for (size_t i = 0; i < n; i++) {
        double acc = 0.0;
        for (size_t j = 0; j < dim; j++) {
            double v = x->x[i * dim + j] - mean[j];
            acc += v * v;
        }
        spread += sqrt(acc);
        err += recon_err[i];
    }
    free(mean);
    return spread > 0 ? err / spread : NAN;
}

static void label_text(const tg_dataset *ds, size_t i, char *buf, size_t len)
{
    buf[0] = '\0';
    if (!ds->labels || ds->labels[i] < 0)
        return;
    if (ds->class_names)
        snprintf(buf, len, "%s", ds->class_names[ds->labels[i]]);
    else
        snprintf(buf, len, "%d", ds->labels[i]);
}

/* RFC 4180: quote a field holding a comma, quote or newline. */
static void csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

int write_scores_csv(const char *path, const prepared_data *d, const float *score,
                     const size_t *rank, tg_error *err)
{
    tg_atomic_file f;
    if (tg_atomic_open(&f, path, err) != 0)
        return -1;
    fprintf(f.fp, "index,label,outlier,score,rank\n");
    for (size_t i = 0; i < d->x.n; i++) {
        char label[128];
        label_text(&d->x, i, label, sizeof label);
        fprintf(f.fp, "%zu,", d->source_row[i]);
        csv_field(f.fp, label);
        if (d->is_outlier)
            fprintf(f.fp, ",%d,%.9g,%zu\n", d->is_outlier[i], score[i], rank[i]);
        else
            fprintf(f.fp, ",,%.9g,%zu\n", score[i], rank[i]);
    }
    return tg_atomic_commit(&f, err);
}

static void json_number(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.9g", v);
    else
        fprintf(f, "null");
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(f, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            fprintf(f, "\\u%04x", *s);
        else
            fputc(*s, f);
    }
    fputc('"', f);
}

static void json_memory(FILE *f, const char *key, const tg_mem_report *m)
{
    fprintf(f, "  \"%s\": {\"naive_bytes\": %zu, \"planned_bytes\": %zu, \"lower_bound_bytes\": %zu, "
               "\"nodes\": %d},\n", key, m->naive_bytes, m->planned_bytes, m->lower_bound_bytes, m->n_nodes);
}

int write_summary_json(const char *path, const run_summary *s, tg_error *err)
{
    tg_atomic_file a;
    if (tg_atomic_open(&a, path, err) != 0)
        return -1;
    FILE *f = a.fp;
    const tg_stats *st = &s->stats;
    fprintf(f, "{\n  \"command\": ");
    json_string(f, s->command);
    fprintf(f, ",\n  \"data\": ");
    json_string(f, s->data);
    fprintf(f, ",\n  \"n_samples\": %zu,\n  \"n_inliers\": %zu,\n  \"n_outliers\": %zu,\n", s->n,
            s->n_inliers, s->n_outliers);
    fprintf(f, "  \"epochs\": %d,\n  \"seconds_per_epoch\": ", s->epochs);
    json_number(f, s->seconds_per_epoch);
    fprintf(f, ",\n  \"seconds_total\": ");
    json_number(f, s->seconds_total);
    fprintf(f, ",\n  \"scoring_samples_per_second\": ");
    json_number(f, s->samples_per_second);
    fprintf(f, ",\n  \"auc\": ");
    json_number(f, s->has_truth ? s->auc : NAN);
    fprintf(f, ",\n  \"average_precision\": ");
    json_number(f, s->has_truth ? s->average_precision : NAN);
    fprintf(f, ",\n  \"score_stats\": {\"count\": %zu, \"mean\": ", st->count);
    const double v[] = {st->mean, st->std, st->min, st->p25, st->p50, st->p75, st->max};
    const char *k[] = {"mean", "std", "min", "p25", "p50", "p75", "max"};
    for (int i = 0; i < 7; i++) {
        if (i)
            fprintf(f, ", \"%s\": ", k[i]);
        json_number(f, v[i]);
    }
    fprintf(f, "},\n");
    json_memory(f, "memory", &s->train_memory);
    json_memory(f, "inference_memory", &s->inference_memory);
    fprintf(f, "  \"peak_rss_bytes\": %zu,\n  \"eval_history\": [", s->peak_rss_bytes);
    for (int i = 0; i < s->n_evals; i++) {
        fprintf(f, "%s{\"epoch\": %d, \"auc\": ", i ? ", " : "", s->evals[i].epoch);
        json_number(f, s->evals[i].auc);
        fprintf(f, ", \"average_precision\": ");
        json_number(f, s->evals[i].average_precision);
        fprintf(f, "}");
    }
    fprintf(f, "],\n");
    fprintf(f, "  \"collapse_ratio\": ");
    json_number(f, s->collapse_ratio);
    fprintf(f, "\n}\n");
    return tg_atomic_commit(&a, err);
}

static void print_memory(FILE *out, const char *what, const tg_mem_report *m)
{
    double mib = 1024.0 * 1024.0;
    fprintf(out, "  %-10s %3d nodes  naive %7.2f MiB  planned %7.2f MiB  lower bound %7.2f MiB\n", what,
            m->n_nodes, m->naive_bytes / mib, m->planned_bytes / mib, m->lower_bound_bytes / mib);
}

void print_summary(FILE *out, const run_summary *s, const prepared_data *d, const float *score)
{
    const tg_stats *st = &s->stats;
    fprintf(out, "\nscores (%s)\n", s->command);
    fprintf(out, "  count %zu  mean %.6g  std %.6g  min %.6g  25%% %.6g  50%% %.6g  75%% %.6g  max %.6g\n",
            st->count, st->mean, st->std, st->min, st->p25, st->p50, st->p75, st->max);
    if (s->has_truth)
        fprintf(out, "  ROC AUC %.4f  average precision %.4f  (outliers are the positive class: %zu of %zu)\n",
                s->auc, s->average_precision, s->n_outliers, s->n);
    else
        fprintf(out, "  no ground truth: ROC AUC and average precision not computed\n");
    fprintf(out, "\n%d highest scores\n  %6s %8s %-14s %-8s %s\n", s->n_top, "rank", "index", "label",
            "outlier", "score");
    for (int i = 0; i < s->n_top; i++) {
        size_t r = s->top[i];
        char label[128];
        label_text(&d->x, r, label, sizeof label);
        fprintf(out, "  %6d %8zu %-14s %-8s %.6g\n", i + 1, d->source_row[r], label[0] ? label : "-",
                d->is_outlier ? (d->is_outlier[r] ? "yes" : "no") : "-", score[r]);
    }
    fprintf(out, "\nmemory plan\n");
    if (s->train_memory.n_nodes)
        print_memory(out, "training", &s->train_memory);
    print_memory(out, "inference", &s->inference_memory);
    fprintf(out, "  peak RSS %.1f MiB\n", s->peak_rss_bytes / (1024.0 * 1024.0));
    if (s->n_evals) {
        fprintf(out, "\nduring training (--eval-every)\n  epoch   ROC AUC   AP\n");
        for (int i = 0; i < s->n_evals; i++)
            fprintf(out, "  %5d   %.4f    %.4f\n", s->evals[i].epoch, s->evals[i].auc,
                    s->evals[i].average_precision);
    }
    if (s->epochs)
        fprintf(out, "\ntime per epoch %.3f s (median of %d)\n", s->seconds_per_epoch, s->epochs);
    if (s->samples_per_second > 0)
        fprintf(out, "scoring %.0f samples/s\n", s->samples_per_second);
    if (isfinite(s->collapse_ratio))
        fprintf(out, "reconstruction error / mean distance to the mean sample: %.3f%s\n", s->collapse_ratio,
                s->collapse_ratio > 0.9 ? "  (near 1: the decoder ignores the latent code and outputs the mean)"
                                        : "");
}
