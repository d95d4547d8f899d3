/* orthogonal.c - nn.init.orthogonal_ through LAPACK's Householder QR.
 *
 * LAPACK is column-major: a row-major [rows, cols] array read column-major
 * is its transpose. PyTorch factors the matrix itself when it is tall
 * (rows >= cols) and its transpose when it is wide, so the wide case can
 * hand the array to LAPACK as it is, while the tall case is transposed into
 * a work buffer first.
 */
#include "tg_fp_exact.h"

#include "tg_init.h"

#include <stdlib.h>
#include <string.h>

/* OpenBLAS exports the Fortran LAPACK routines (32-bit integers). */
void sgeqrf_(const int *m, const int *n, float *a, const int *lda, float *tau, float *work,
             const int *lwork, int *info);
void sorgqr_(const int *m, const int *n, const int *k, float *a, const int *lda,
             const float *tau, float *work, const int *lwork, int *info);

/* a [m x n] column-major, m >= n := its Q factor with column j times the sign
 * of R[j][j]. Work space from LAPACK's own size query. */
static int thin_q(float *a, int m, int n, tg_error *err)
{
    float *tau = malloc((size_t)n * sizeof *tau);
    float *diag = malloc((size_t)n * sizeof *diag);
    float *work = NULL;
    float query;
    int ask = -1, lwork = n, info = 0, rc = -1;
    if (!tau || !diag) {
        tg_fail(err, "orthogonal init: out of memory for a %d x %d matrix", m, n);
        goto done;
    }
    sgeqrf_(&m, &n, a, &m, tau, &query, &ask, &info);
    if (info == 0 && (int)query > lwork)
        lwork = (int)query;
    sorgqr_(&m, &n, &n, a, &m, tau, &query, &ask, &info);
    if (info == 0 && (int)query > lwork)
        lwork = (int)query;
    work = malloc((size_t)lwork * sizeof *work);
    if (!work) {
        tg_fail(err, "orthogonal init: out of memory for a %d x %d matrix", m, n);
        goto done;
    }
    sgeqrf_(&m, &n, a, &m, tau, work, &lwork, &info);
    if (info != 0)
        goto lapack;
    for (int j = 0; j < n; j++)
        diag[j] = a[(size_t)j * m + j]; /* R's diagonal, before Q overwrites it */
    sorgqr_(&m, &n, &n, a, &m, tau, work, &lwork, &info);
    if (info != 0)
        goto lapack;
    for (int j = 0; j < n; j++)
        if (diag[j] < 0)
            for (int i = 0; i < m; i++)
                a[(size_t)j * m + i] = -a[(size_t)j * m + i];
    rc = 0;
    goto done;
lapack:
    tg_fail(err, "orthogonal init: LAPACK QR of a %d x %d matrix failed (info %d)", m, n,
            info);
done:
    free(work);
    free(diag);
    free(tau);
    return rc;
}

int tg_orthogonalize(float *w, int64_t rows, int64_t cols, float gain, tg_error *err)
{
    if (rows <= 0 || cols <= 0)
        return 0;
    if (rows > 0x7fffffff || cols > 0x7fffffff)
        return tg_fail(err, "orthogonal init: [%lld, %lld] is too large for LAPACK",
                       (long long)rows, (long long)cols);
    size_t n = (size_t)rows * (size_t)cols;
    if (rows < cols) {
        /* w row-major [rows, cols] is w^T column-major: tall, factor in place */
        if (thin_q(w, (int)cols, (int)rows, err))
            return -1;
    } else {
        float *a = malloc(n * sizeof *a); /* column-major [rows x cols] */
        if (!a)
            return tg_fail(err, "orthogonal init: out of memory for [%lld, %lld]",
                           (long long)rows, (long long)cols);
        for (int64_t i = 0; i < rows; i++)
            for (int64_t j = 0; j < cols; j++)
                a[j * rows + i] = w[i * cols + j];
        if (thin_q(a, (int)rows, (int)cols, err)) {
            free(a);
            return -1;
        }
        for (int64_t i = 0; i < rows; i++)
            for (int64_t j = 0; j < cols; j++)
                w[i * cols + j] = a[j * rows + i];
        free(a);
    }
    for (size_t i = 0; i < n; i++)
        w[i] *= gain;
    return 0;
}

int tg_init_orthogonal(float *w, int64_t rows, int64_t cols, float gain, tg_rng *r,
                       tg_error *err)
{
    if (rows <= 0 || cols <= 0)
        return 0;
    tg_init_normal(w, (size_t)rows * (size_t)cols, 1.0f, r);
    return tg_orthogonalize(w, rows, cols, gain, err);
}
