/* tg_eval.h - scoring an anomaly detector and summarising its outputs.
 *
 * Metrics follow scikit-learn to the last bit that double precision allows,
 * so numbers printed by the rsrae tool can be compared with Python results:
 * the positive class is the outliers (is_pos = 1), higher scores mean "more
 * anomalous", and tied scores share one point of the ROC / PR curve. Summary
 * statistics follow pandas' describe() and numpy's default (linear)
 * percentile. tg_pca2 projects rows onto their two leading principal
 * components for the latent-space scatter plot.
 *
 * Everything that can fail returns 0 or -1 and fills a tg_error.
 */
#ifndef TG_EVAL_H
#define TG_EVAL_H

#include <stddef.h>

#include "tg_error.h"

/* Area under the ROC curve, as sklearn.metrics.roc_auc_score: trapezoids over
 * the distinct score thresholds. Fails if a score is not finite, a label is
 * not 0 or 1, or only one class is present. */
int tg_roc_auc(const float *scores, const int *is_pos, size_t n, double *auc,
               tg_error *err);

/* Average precision, as sklearn.metrics.average_precision_score:
 * sum over distinct thresholds of (R_k - R_{k-1}) * P_k (no interpolation).
 * Fails on non-finite scores, labels other than 0/1, or no positive. */
int tg_average_precision(const float *scores, const int *is_pos, size_t n,
                         double *ap, tg_error *err);

/* pandas.Series.describe() of a float column, computed in double.
 * NaNs are skipped (count is the number of non-NaN values); with count 0 every
 * other field is NaN, with count 1 std is NaN (sample std, ddof = 1). */
typedef struct tg_stats {
    size_t count;
    double mean, std, min, p25, p50, p75, max;
} tg_stats;

int tg_describe(const float *x, size_t n, tg_stats *out, tg_error *err);

/* Stable argsort: order[r] is the index of the r-th highest (descending != 0)
 * or r-th lowest score; equal scores keep index order; NaN sorts last in both
 * directions. */
int tg_argsort(const float *scores, size_t n, int descending, size_t *order,
               tg_error *err);

/* rank_out[i] = 1 + position of sample i when sorted by descending score:
 * rank 1 is the highest score, ties go to the earlier index first. */
int tg_rank_desc(const float *scores, size_t n, size_t *rank_out, tg_error *err);

/* Indices of the k highest (highest first) or k lowest (lowest first) scores,
 * ties broken by index; k must be <= n. */
int tg_top_k(const float *scores, size_t n, size_t k, size_t *idx_out, tg_error *err);
int tg_bottom_k(const float *scores, size_t n, size_t k, size_t *idx_out, tg_error *err);

/* Projects the centred rows of x [n, dim] onto their first two principal
 * components: proj [n, 2]. Each component's sign is fixed so that its entry of
 * largest magnitude is positive (so results do not flip between runs or
 * LAPACK builds). Needs n >= 2, dim >= 2 and finite values. */
int tg_pca2(const float *x, size_t n, size_t dim, float *proj, tg_error *err);

#endif
