/* preprocess.c - feature scaling applied after loading. */
#include "data_internal.h"

#include <math.h>
#include <stdlib.h>

void tg_data_scale_pm1_l2(tg_dataset *ds)
{
    for (size_t i = 0; i < ds->n; i++) {
        float *row = ds->x + i * ds->dim; // [dim]
        double ss = 0.0;
        for (size_t j = 0; j < ds->dim; j++) {
            row[j] = 2.0f * row[j] - 1.0f;
            ss += (double)row[j] * row[j];
        }
        if (ss > 0.0) {
            float inv = (float)(1.0 / sqrt(ss));
            for (size_t j = 0; j < ds->dim; j++)
                row[j] *= inv;
        }
    }
}

int tg_data_standardize(tg_dataset *ds, float *mean_out, float *std_out, tg_error *err)
{
    size_t d = ds->dim;
    double *sum = calloc(d + 1, sizeof *sum);   // [dim]
    double *sq = calloc(d + 1, sizeof *sq);     // [dim]
    float *mean = calloc(d + 1, sizeof *mean);
    float *std = calloc(d + 1, sizeof *std);
    unsigned char *varies = calloc(d + 1, 1);   // [dim] 1 = not constant
    if (!sum || !sq || !mean || !std || !varies) {
        free(sum), free(sq), free(mean), free(std), free(varies);
        return tg_fail(err, "standardize: out of memory for %zu features", d);
    }
    for (size_t i = 0; i < ds->n; i++)
        for (size_t j = 0; j < d; j++) {
            float v = ds->x[i * d + j];
            sum[j] += v;
            varies[j] |= v != ds->x[j];
        }
    for (size_t j = 0; j < d; j++)
        sum[j] = ds->n ? sum[j] / (double)ds->n : 0.0;
    /* Two passes: the variance around the mean, free of cancellation. */
    for (size_t i = 0; i < ds->n; i++)
        for (size_t j = 0; j < d; j++) {
            double c = ds->x[i * d + j] - sum[j];
            sq[j] += c * c;
        }
    for (size_t j = 0; j < d; j++) {
        mean[j] = (float)sum[j];
        /* An exactly constant column has std 0 even if rounding says not. */
        std[j] = varies[j] ? (float)sqrt(sq[j] / (double)ds->n) : 0.0f;
    }
    tg_data_apply_standardize(ds, mean, std);
    for (size_t j = 0; j < d; j++) {
        if (mean_out)
            mean_out[j] = mean[j];
        if (std_out)
            std_out[j] = std[j];
    }
    free(sum), free(sq), free(mean), free(std), free(varies);
    return 0;
}

void tg_data_apply_standardize(tg_dataset *ds, const float *mean, const float *std)
{
    for (size_t i = 0; i < ds->n; i++) {
        float *row = ds->x + i * ds->dim; // [dim]
        for (size_t j = 0; j < ds->dim; j++)
            row[j] = std[j] > 0.0f ? (row[j] - mean[j]) / std[j] : 0.0f;
    }
}
