/* fp_exact.h - keep a * b + c as two roundings in this file (private to optim/).
 *
 * GCC and Clang fuse a * b + c into one FMA when the target has it
 * (-march=native), which changes the last bit of results. Included first by
 * the optim/ sources, so that a training run gives the same bits whatever the
 * build flags, and matches PyTorch's separately rounded operations. */
#ifndef TG_FP_EXACT_H
#define TG_FP_EXACT_H

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#endif
