/* kernels_avx512.c - the optimizer kernels built again for AVX512F; dispatch.c
 * uses them when the CPU has it, so an SSE2-baseline build still updates at
 * the machine's full width. */
#if defined(__x86_64__) && defined(__GNUC__)
#pragma GCC target("avx512f")
#define TG_KERNEL_SUFFIX _avx512
#include "kernels.c"
#else
typedef int tg_no_avx512_kernels; /* ISO C wants a declaration per file */
#endif
