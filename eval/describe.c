/* describe.c - pandas-style summary of a score column. */
#include "tg_eval.h"

#include <math.h>
#include <stdlib.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* numpy.percentile's default "linear" method on sorted v[0..n). */
static double percentile_sorted(const double *v, size_t n, double q)
{
    double pos = q * (double)(n - 1);
    size_t lo = (size_t)floor(pos);
    if (lo + 1 >= n)
        return v[n - 1];
    double t = pos - (double)lo;
    return v[lo] + t * (v[lo + 1] - v[lo]);
}

int tg_describe(const float *x, size_t n, tg_stats *out, tg_error *err)
{
    *out = (tg_stats){ 0, NAN, NAN, NAN, NAN, NAN, NAN, NAN };
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return tg_fail(err, "describe: out of memory for %zu values", n);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i]))
            v[m++] = x[i];
    out->count = m;
    if (m == 0) {
        free(v);
        return 0;
    }
    qsort(v, m, sizeof *v, cmp_double);
    double sum = 0;
    for (size_t i = 0; i < m; i++)
        sum += v[i];
    out->mean = sum / (double)m;
    if (m > 1) {
        double ss = 0;  /* two-pass: no cancellation from sum of squares */
        for (size_t i = 0; i < m; i++)
            ss += (v[i] - out->mean) * (v[i] - out->mean);
        out->std = sqrt(ss / (double)(m - 1));
    }
    out->min = v[0];
    out->p25 = percentile_sorted(v, m, 0.25);
    out->p50 = percentile_sorted(v, m, 0.50);
    out->p75 = percentile_sorted(v, m, 0.75);
    out->max = v[m - 1];
    free(v);
    return 0;
}
