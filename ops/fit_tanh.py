#!/usr/bin/python3
"""fit_tanh.py - the rational approximation behind tg_tanhf (ops/tg_fastmath.h).

tanh(x) ~ x P(x^2) / Q(x^2) on [0, 9], P of degree 6 and Q of degree 3 in
x^2, Q(0) = 1, fitted for the least largest *relative* error by Lawson's
iteratively reweighted least squares on the linearised residual
(P - f Q) / (f Q_prev), f = tanh(x) / x. Beyond 9, tanh rounds to 1 in
float. Prints the coefficients as C float literals, lowest degree first,
and the largest error of the float evaluation (no FMA) in ulps.

    /usr/bin/python3 ops/fit_tanh.py       (numpy only)
"""
import numpy as np

CLAMP, DEG_P, DEG_Q = 9.0, 6, 3

x = np.unique(np.concatenate([np.linspace(0, CLAMP, 20000), np.linspace(0, 1, 5000)]))
f = np.where(x > 0, np.tanh(x) / np.where(x > 0, x, 1), 1.0)
s = x * x / CLAMP**2  # fit in [0, 1] for conditioning
w, q_prev = np.ones_like(s), np.ones_like(s)
for _ in range(200):
    basis = np.hstack([s[:, None] ** np.arange(DEG_P + 1), -f[:, None] * s[:, None] ** np.arange(1, DEG_Q + 1)])
    row = np.sqrt(w) / (f * q_prev)
    c, *_ = np.linalg.lstsq(basis * row[:, None], f * row, rcond=None)
    p, q = c[: DEG_P + 1], np.concatenate([[1.0], c[DEG_P + 1 :]])
    q_prev = np.polyval(q[::-1], s)
    rel = (np.polyval(p[::-1], s) / q_prev - f) / f
    w = w * np.abs(rel)
    w /= w.sum()
print("largest relative error of the fit: %.3g" % np.abs(rel).max())
p = (p / CLAMP ** (2 * np.arange(DEG_P + 1))).astype(np.float32)
q = (q / CLAMP ** (2 * np.arange(DEG_Q + 1))).astype(np.float32)
print("P:", ", ".join("%.9ef" % v for v in p))
print("Q:", ", ".join("%.9ef" % v for v in q))

xs = np.linspace(-12, 12, 2_000_001).astype(np.float32)
xc = np.clip(xs, np.float32(-CLAMP), np.float32(CLAMP))
u = xc * xc
P, Q = np.full_like(u, p[-1]), np.full_like(u, q[-1])
for k in p[-2::-1]:
    P = P * u + k
for k in q[-2::-1]:
    Q = Q * u + k
exact = np.tanh(xs.astype(np.float64))
ulp = np.maximum(np.spacing(np.abs(exact.astype(np.float32))), np.spacing(np.float32(1.18e-38)))
print("largest error in float: %.2f ulp" % (np.abs(xc * P / Q - exact) / ulp).max())
