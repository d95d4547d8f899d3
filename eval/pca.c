/* pca.c - two leading principal components, for the latent scatter plot.
 *
 * Works in double: the covariance of thousands of rows summed in float loses
 * digits that decide which of two close eigenvectors comes first.
 * Covariance via cblas_dsyrk, eigenvectors via LAPACK dsyevr (only the top
 * two are computed), both from OpenBLAS.
 */
#include "tg_eval.h"

#include <cblas.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>

/* LAPACK's Fortran entry point (32-bit integers, as Debian's libopenblas0);
 * the trailing size_t arguments are gfortran's hidden string lengths. */
void dsyevr_(const char *jobz, const char *range, const char *uplo,
             const int *n, double *a, const int *lda, const double *vl,
             const double *vu, const int *il, const int *iu,
             const double *abstol, int *m, double *w, double *z,
             const int *ldz, int *isuppz, double *work, const int *lwork,
             int *iwork, const int *liwork, int *info,
             size_t jobz_len, size_t range_len, size_t uplo_len);

/* Top two eigenvectors of the symmetric cov [d, d], largest first, into
 * vec [2, d]. */
static int top2_eigenvectors(double *cov, int d, double *vec, tg_error *err)
{
    int il = d - 1, iu = d, m = 0, info = 0, lwork = -1, liwork = -1, iwq = 0;
    double vl = 0, vu = 0, abstol = 0, wq = 0, w[2];
    double *z = malloc((size_t)d * 2 * sizeof *z);     // [2, d] column-major
    int *isuppz = malloc(4 * sizeof *isuppz);
    if (!z || !isuppz) {
        free(z);
        free(isuppz);
        return tg_fail(err, "pca2: out of memory for %d eigenvectors", d);
    }
    /* Row-major upper triangle == column-major lower triangle. */
    dsyevr_("V", "I", "L", &d, cov, &d, &vl, &vu, &il, &iu, &abstol, &m, w, z,
            &d, isuppz, &wq, &lwork, &iwq, &liwork, &info, 1, 1, 1);
    lwork = (int)wq;
    liwork = iwq;
    double *work = malloc((size_t)lwork * sizeof *work);
    int *iwork = malloc((size_t)liwork * sizeof *iwork);
    if (info == 0 && work && iwork)
        dsyevr_("V", "I", "L", &d, cov, &d, &vl, &vu, &il, &iu, &abstol, &m,
                w, z, &d, isuppz, work, &lwork, iwork, &liwork, &info, 1, 1, 1);
    int ok = info == 0 && work && iwork && m == 2;
    if (ok)
        for (int j = 0; j < d; j++) {   /* ascending order: largest is last */
            vec[j] = z[d + j];
            vec[d + j] = z[j];
        }
    free(work);
    free(iwork);
    free(z);
    free(isuppz);
    if (!ok)
        return tg_fail(err, "pca2: eigen-decomposition of the %dx%d covariance "
                       "failed (LAPACK dsyevr info %d, %d vectors)", d, d, info, m);
    return 0;
}

/* Flips v [d] so that its largest-magnitude entry is positive. */
static void fix_sign(double *v, size_t d)
{
    size_t arg = 0;
    for (size_t j = 1; j < d; j++)
        if (fabs(v[j]) > fabs(v[arg]))
            arg = j;
    if (v[arg] < 0)
        for (size_t j = 0; j < d; j++)
            v[j] = -v[j];
}

int tg_pca2(const float *x, size_t n, size_t dim, float *proj, tg_error *err)
{
    if (n < 2 || dim < 2)
        return tg_fail(err, "pca2: need at least 2 rows and 2 columns, got [%zu, %zu]",
                       n, dim);
    if (dim > 1u << 20 || n > INT_MAX)
        return tg_fail(err, "pca2: [%zu, %zu] is too large for BLAS int sizes", n, dim);
    for (size_t i = 0; i < n * dim; i++)
        if (!isfinite(x[i]))
            return tg_fail(err, "pca2: value at row %zu column %zu is %g, "
                           "expected a finite number", i / dim, i % dim, (double)x[i]);
    double *xc = malloc(n * dim * sizeof *xc);         // [n, dim]
    double *mean = calloc(dim, sizeof *mean);          // [dim]
    double *cov = malloc(dim * dim * sizeof *cov);     // [dim, dim]
    double *vec = malloc(2 * dim * sizeof *vec);       // [2, dim]
    int rc = -1;
    if (!xc || !mean || !cov || !vec) {
        tg_fail(err, "pca2: out of memory for [%zu, %zu]", n, dim);
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < dim; j++)
            mean[j] += x[i * dim + j];
    for (size_t j = 0; j < dim; j++)
        mean[j] /= (double)n;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < dim; j++)
            xc[i * dim + j] = x[i * dim + j] - mean[j];
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)dim, (int)n, 1.0,
                xc, (int)dim, 0.0, cov, (int)dim);
    if (top2_eigenvectors(cov, (int)dim, vec, err) != 0)
        goto done;
    for (int c = 0; c < 2; c++)
        fix_sign(vec + c * dim, dim);
    for (size_t i = 0; i < n; i++)
        for (int c = 0; c < 2; c++) {
            double s = 0;
            for (size_t j = 0; j < dim; j++)
                s += xc[i * dim + j] * vec[c * dim + j];
            proj[i * 2 + c] = (float)s;
        }
    rc = 0;
done:
    free(xc);
    free(mean);
    free(cov);
    free(vec);
    return rc;
}
