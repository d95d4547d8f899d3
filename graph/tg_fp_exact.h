/* tg_fp_exact.h - keep a * b + c as two roundings (not installed).
 *
 * GCC and Clang fuse a * b + c into one FMA when the target has it
 * (-march=native, or an AVX-512 clone of a kernel), which changes the last
 * bit of results. Included first by the optim/ sources and the op kernels,
 * so that a training run gives the same bits whatever the build flags and
 * the machine's vector width, and matches PyTorch's separately rounded
 * operations. */
#ifndef TG_FP_EXACT_H
#define TG_FP_EXACT_H

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#endif
