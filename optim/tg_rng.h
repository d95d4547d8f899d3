/* tg_rng.h - the library's one random number generator.
 *
 * xoshiro256** (Blackman & Vigna), seeded through splitmix64 so that any
 * 64-bit seed, including 0, gives a well-mixed state. Every random choice in
 * the library (initialisation, shuffling, sampling) draws from a tg_rng the
 * caller owns, so one seed reproduces a run bit for bit.
 */
#ifndef TG_RNG_H
#define TG_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct tg_rng {
    uint64_t s[4];
} tg_rng;

void     tg_rng_seed(tg_rng *r, uint64_t seed);
uint64_t tg_rng_next(tg_rng *r);
/* Uniform in [0, 1) with 24 random bits (exactly representable as float). */
float    tg_rng_uniform(tg_rng *r);
/* Uniform in [lo, hi). */
float    tg_rng_uniform_range(tg_rng *r, float lo, float hi);
/* Standard normal (Box-Muller in double precision). */
float    tg_rng_normal(tg_rng *r);
/* Unbiased integer in [0, n), n > 0 (Lemire's method with rejection). */
uint64_t tg_rng_below(tg_rng *r, uint64_t n);
/* Fisher-Yates shuffle of idx[0..n). */
void     tg_rng_shuffle(tg_rng *r, size_t *idx, size_t n);

#endif
