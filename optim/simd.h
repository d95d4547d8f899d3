/* simd.h - the few vector operations the optimizer kernels need.
 *
 * The kernels are written once against vf, a vector of TG_VW floats:
 * AVX-512 (16 lanes) or AVX (8) when the compiler targets them (-march=...),
 * SSE2 (4 lanes, every x86-64) otherwise, and plain float (1 lane) elsewhere. Explicit vectors because
 * compilers at -O2 do not vectorize these loops by themselves (sqrtf's errno
 * and GCC's -O2 cost model both stand in the way). Only exactly rounded
 * operations are used, so every lane computes what the scalar code would.
 */
#ifndef TG_OPTIM_SIMD_H
#define TG_OPTIM_SIMD_H

#include <math.h>

#if defined(__AVX512F__)
#include <immintrin.h>
#define TG_VW 16
typedef __m512 vf;
#define vload(p) _mm512_loadu_ps(p)
#define vstore(p, x) _mm512_storeu_ps((p), (x))
#define vset(x) _mm512_set1_ps(x)
#define vadd(a, b) _mm512_add_ps((a), (b))
#define vmul(a, b) _mm512_mul_ps((a), (b))
#define vdiv(a, b) _mm512_div_ps((a), (b))
#define vsqrt(a) _mm512_sqrt_ps(a)
#elif defined(__AVX__)
#include <immintrin.h>
#define TG_VW 8
typedef __m256 vf;
#define vload(p) _mm256_loadu_ps(p)
#define vstore(p, x) _mm256_storeu_ps((p), (x))
#define vset(x) _mm256_set1_ps(x)
#define vadd(a, b) _mm256_add_ps((a), (b))
#define vmul(a, b) _mm256_mul_ps((a), (b))
#define vdiv(a, b) _mm256_div_ps((a), (b))
#define vsqrt(a) _mm256_sqrt_ps(a)
#elif defined(__SSE2__)
#include <emmintrin.h>
#define TG_VW 4
typedef __m128 vf;
#define vload(p) _mm_loadu_ps(p)
#define vstore(p, x) _mm_storeu_ps((p), (x))
#define vset(x) _mm_set1_ps(x)
#define vadd(a, b) _mm_add_ps((a), (b))
#define vmul(a, b) _mm_mul_ps((a), (b))
#define vdiv(a, b) _mm_div_ps((a), (b))
#define vsqrt(a) _mm_sqrt_ps(a)
#else
#define TG_VW 1
typedef float vf;
#define vload(p) (*(p))
#define vstore(p, x) (*(p) = (x))
#define vset(x) (x)
#define vadd(a, b) ((a) + (b))
#define vmul(a, b) ((a) * (b))
#define vdiv(a, b) ((a) / (b))
#define vsqrt(a) sqrtf(a)
#endif

#endif
