/* tg_fastmath.h - exp and tanh as branch-free float code that vectorises.
 *
 * libm's expf and tanhf are calls the compiler cannot vectorise, and they
 * dominated the activations' time. These follow Cephes: exp by range
 * reduction x = n ln2 + r with a two-part ln2, a degree-6 polynomial for
 * e^r on [-ln2/2, ln2/2] and 2^n built in the exponent bits. tanh is a
 * rational function. Both within a few ulp of libm (tests/test_kernels.c
 * measures them through the ops). */
#ifndef TG_FASTMATH_H
#define TG_FASTMATH_H

#include <stdint.h>
#include <string.h>

static inline float tg_expf(float x)
{
    x = x < -87.3f ? -87.3f : x > 88.3f ? 88.3f : x;
    /* round(x / ln2) with the 1.5 * 2^23 trick: no rint call, SSE2-friendly */
    float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
    float r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    int32_t bits = ((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

/* tanh(x) = x P(x^2) / Q(x^2), a rational fit for the least relative error
 * on [-9, 9] (ops/fit_tanh.py derives it); beyond, tanh rounds to +-1. One
 * division and ten multiply-adds: no exp, no branch, no cancellation near 0. */
static inline float tg_tanhf(float x)
{
    float c = x < -9.0f ? -9.0f : x > 9.0f ? 9.0f : x;
    float u = c * c;
    float p = -8.488615897e-14f;
    p = p * u + 5.277927401e-11f;
    p = p * u - 2.022521706e-08f;
    p = p * u + 1.115431314e-05f;
    p = p * u + 3.103957046e-03f;
    p = p * u + 1.308401078e-01f;
    p = p * u + 1.0f;
    float q = 2.546146279e-04f;
    q = q * u + 2.449518256e-02f;
    q = q * u + 4.641733766e-01f;
    q = q * u + 1.0f;
    return c * p / q;
}

#endif
