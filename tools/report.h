/* report.h - what a run writes: scores CSV, summary (JSON and human), PNGs. */
#ifndef RSRAE_REPORT_H
#define RSRAE_REPORT_H

#include <stdio.h>

#include "cli.h"
#include "progress.h"
#include "tg_eval.h"

#define TOP_SHOWN 10

typedef struct run_summary {
    const char   *command;          /* "train" or "score" */
    const char   *data;
    size_t        n, n_inliers, n_outliers;
    int           epochs;
    double        seconds_per_epoch; /* median */
    double        seconds_total;
    double        samples_per_second; /* scoring throughput */
    int           has_truth;
    double        auc, average_precision;
    tg_stats      stats;
    tg_mem_report train_memory, inference_memory;
    double        collapse_ratio;
    size_t        peak_rss_bytes;   /* of this process, at the end */
    const eval_point *evals;        /* --eval-every history */
    int           n_evals;   /* mean recon error / mean distance to the mean sample */
    size_t        top[TOP_SHOWN];
    int           n_top;
} run_summary;

/* High-water mark of this process's resident memory, in bytes. */
size_t peak_rss(void);

/* Scores, metrics, top samples. rank[] receives 1 = most anomalous. */
int  summarize(const prepared_data *d, const float *score, size_t *rank, run_summary *s,
               tg_error *err);
/* mean_i err_i / mean_i ||x_i - mean(x)||: near 1 means the decoder ignores
 * its code and outputs the mean sample. */
double collapse_ratio(const tg_dataset *x, const float *recon_err);

int  write_scores_csv(const char *path, const prepared_data *d, const float *score,
                      const size_t *rank, tg_error *err);
int  write_summary_json(const char *path, const run_summary *s, tg_error *err);
void print_summary(FILE *out, const run_summary *s, const prepared_data *d, const float *score);

/* latent [n, d] as the model produced it; the scorer reconstructs the rows
 * the grids show. Image data gets the three reconstruction grids; all data
 * gets the histogram and the latent PCA, and the loss curves when
 * losses != NULL ([3, epochs]). */
int  write_pictures(const char *dir, const prepared_data *d, const float *score,
                    tg_scorer *scorer, const float *latent, int latent_dim,
                    const float *losses, int epochs, uint64_t seed, tg_error *err);

#endif
