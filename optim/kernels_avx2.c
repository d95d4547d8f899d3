/* kernels_avx2.c - the optimizer kernels built again for AVX2; dispatch.c
 * uses them when the CPU has it, so an SSE2-baseline build still updates at
 * the machine's full width. */
#if defined(__x86_64__) && defined(__GNUC__)
#pragma GCC target("avx2")
#define TG_KERNEL_SUFFIX _avx2
#include "kernels.c"
#else
typedef int tg_no_avx2_kernels; /* ISO C wants a declaration per file */
#endif
