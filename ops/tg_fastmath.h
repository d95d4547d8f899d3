/* tg_fastmath.h - exp and tanh as branch-free float code that vectorises.
 *
 * libm's expf and tanhf are calls the compiler cannot vectorise, and they
 * dominated the activations' time. These follow Cephes: exp by range
 * reduction x = n ln2 + r with a two-part ln2, a degree-6 polynomial for
 * e^r on [-ln2/2, ln2/2] and 2^n built in the exponent bits; tanh by a
 * polynomial near 0 (where 1 - 2/(e^2x + 1) would cancel) and through exp
 * elsewhere. Both within a few ulp of libm (tests/test_grad.c measures). */
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

static inline float tg_tanhf(float x)
{
    float ax = x < 0.0f ? -x : x;
    float z = x * x;
    float small = ((((-5.70498872745e-3f * z + 2.06390887954e-2f) * z - 5.37397155531e-2f) * z +
                    1.33314422036e-1f) * z - 3.33332819422e-1f) * z * x + x;
    float e = tg_expf(2.0f * (ax > 9.0f ? 9.0f : ax));
    float big = 1.0f - 2.0f / (e + 1.0f);
    big = x < 0.0f ? -big : big;
    return ax < 0.625f ? small : big;
}

#endif
