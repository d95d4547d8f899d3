/* metrics.c - ROC AUC and average precision, as scikit-learn computes them.
 *
 * Both walk the curve sklearn's _binary_clf_curve builds: samples sorted by
 * descending score, one point per distinct score (ties enter together), with
 * cumulative true and false positive counts at each point.
 */
#include "tg_eval.h"

#include <math.h>
#include <stdlib.h>

typedef struct curve {
    size_t  points;  /* number of distinct thresholds */
    size_t *tp;      /* [points] positives scoring >= threshold */
    size_t *fp;      /* [points] negatives scoring >= threshold */
} curve;

static int check_inputs(const char *what, const float *scores, const int *is_pos,
                        size_t n, tg_error *err)
{
    if (n == 0)
        return tg_fail(err, "%s: no samples", what);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(scores[i]))
            return tg_fail(err, "%s: score %zu is %g, expected a finite number",
                           what, i, (double)scores[i]);
        if (is_pos[i] != 0 && is_pos[i] != 1)
            return tg_fail(err, "%s: label %zu is %d, expected 0 or 1",
                           what, i, is_pos[i]);
    }
    return 0;
}

static void curve_free(curve *c)
{
    free(c->tp);
    free(c->fp);
}

static int curve_build(const char *what, const float *scores, const int *is_pos,
                       size_t n, curve *c, tg_error *err)
{
    size_t *order = malloc(n * sizeof *order);
    c->points = 0;
    c->tp = malloc(n * sizeof *c->tp);
    c->fp = malloc(n * sizeof *c->fp);
    if (!order || !c->tp || !c->fp) {
        free(order);
        curve_free(c);
        return tg_fail(err, "%s: out of memory for %zu samples", what, n);
    }
    if (tg_argsort(scores, n, 1, order, err) != 0) {
        free(order);
        curve_free(c);
        return -1;
    }
    size_t tp = 0, fp = 0;
    for (size_t r = 0; r < n; r++) {
        size_t i = order[r];
        tp += (size_t)is_pos[i];
        fp += (size_t)!is_pos[i];
        int last_of_tie = r + 1 == n || scores[order[r + 1]] != scores[i];
        if (last_of_tie) {
            c->tp[c->points] = tp;
            c->fp[c->points] = fp;
            c->points++;
        }
    }
    free(order);
    return 0;
}

int tg_roc_auc(const float *scores, const int *is_pos, size_t n, double *auc,
               tg_error *err)
{
    curve c;
    if (check_inputs("roc_auc", scores, is_pos, n, err) != 0 ||
        curve_build("roc_auc", scores, is_pos, n, &c, err) != 0)
        return -1;
    size_t pos = c.tp[c.points - 1], neg = c.fp[c.points - 1];
    if (pos == 0 || neg == 0) {
        curve_free(&c);
        return tg_fail(err, "roc_auc: only one class present (%zu positives, "
                       "%zu negatives); AUC is undefined", pos, neg);
    }
    /* Trapezoids in count units, scaled once at the end: exact sums of
     * integers until the final division. */
    double area = 0;
    size_t tp_prev = 0, fp_prev = 0;
    for (size_t k = 0; k < c.points; k++) {
        area += (double)(c.fp[k] - fp_prev) * (double)(c.tp[k] + tp_prev) / 2;
        tp_prev = c.tp[k];
        fp_prev = c.fp[k];
    }
    *auc = area / ((double)pos * (double)neg);
    curve_free(&c);
    return 0;
}

int tg_average_precision(const float *scores, const int *is_pos, size_t n,
                         double *ap, tg_error *err)
{
    curve c;
    if (check_inputs("average_precision", scores, is_pos, n, err) != 0 ||
        curve_build("average_precision", scores, is_pos, n, &c, err) != 0)
        return -1;
    size_t pos = c.tp[c.points - 1];
    if (pos == 0) {
        curve_free(&c);
        return tg_fail(err, "average_precision: no positive sample; "
                       "precision-recall is undefined");
    }
    double sum = 0;
    size_t tp_prev = 0;
    for (size_t k = 0; k < c.points; k++) {
        double recall_step = (double)(c.tp[k] - tp_prev) / (double)pos;
        double precision = (double)c.tp[k] / (double)(c.tp[k] + c.fp[k]);
        sum += recall_step * precision;
        tp_prev = c.tp[k];
    }
    *ap = sum;
    curve_free(&c);
    return 0;
}
