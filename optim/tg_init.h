/* tg_init.h - parameter initialisers (PyTorch's torch.nn.init semantics).
 *
 * A weight is a row-major [fan_out, fan_in] float array, as PyTorch stores a
 * Linear weight ([out_features, in_features]); a bias is [fan_out]. Every
 * random draw comes from the caller's tg_rng, in array order, so one seed
 * gives one initialisation (not PyTorch's numbers: its generator differs).
 *
 *   tg_init_linear            nn.Linear's default: weight and bias uniform in
 *                             +-1/sqrt(fan_in) (kaiming_uniform_(a=sqrt(5)))
 *   tg_init_xavier_uniform    U(+-gain sqrt(6 / (fan_in + fan_out)))
 *   tg_init_xavier_normal     N(0, gain^2 2 / (fan_in + fan_out))
 *   tg_init_orthogonal        nn.init.orthogonal_: QR (LAPACK sgeqrf_ and
 *                             sorgqr_) of a standard normal matrix, columns of
 *                             Q multiplied by the signs of diag(R); a wide
 *                             matrix is factored transposed, so rows < cols
 *                             gives orthonormal rows (W W^T = gain^2 I) and
 *                             rows >= cols orthonormal columns (W^T W = gain^2 I)
 */
#ifndef TG_INIT_H
#define TG_INIT_H

#include <stddef.h>
#include <stdint.h>

#include "tg_error.h"
#include "tg_rng.h"

/* x[0..n) uniform in [-bound, bound] (lo + (hi - lo) u, u in [0, 1)). */
void tg_init_uniform(float *x, size_t n, float bound, tg_rng *r);

/* x[0..n) normal with mean 0 and standard deviation std. */
void tg_init_normal(float *x, size_t n, float std, tg_rng *r);

/* w [fan_out, fan_in] and bias [fan_out] (may be NULL), both uniform in
 * +-1/sqrt(fan_in); fan_in 0 leaves the bias zero as PyTorch does. */
void tg_init_linear(float *w, float *bias, int64_t fan_out, int64_t fan_in, tg_rng *r);

void tg_init_xavier_uniform(float *w, int64_t fan_out, int64_t fan_in, float gain,
                            tg_rng *r);
void tg_init_xavier_normal(float *w, int64_t fan_out, int64_t fan_in, float gain,
                           tg_rng *r);

/* w [rows, cols] := gain * orthogonal factor of a standard normal matrix.
 * Returns 0, or -1 when LAPACK fails or memory runs out. */
int tg_init_orthogonal(float *w, int64_t rows, int64_t cols, float gain, tg_rng *r,
                       tg_error *err);

/* The deterministic half of tg_init_orthogonal: replaces w [rows, cols] by
 * gain times the sign-corrected orthogonal factor of w itself, exactly the
 * steps orthogonal_ applies to its normal matrix. */
int tg_orthogonalize(float *w, int64_t rows, int64_t cols, float gain, tg_error *err);

#endif
