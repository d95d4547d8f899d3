/* tg_kernels.h - the functions the registry table points to (not installed).
 * Each op family file defines its shape rules (tg_shape_*), forward kernels
 * (tg_fwd_*) and gradient rules (tg_grad_*). */
#ifndef TG_KERNELS_H
#define TG_KERNELS_H

#include "tg_fp_exact.h"
#include "tg_internal.h"

/* Elementwise kernels are also built for AVX-512 and AVX2 and chosen at load
 * time (ifunc), so an SSE2-baseline build runs them at the machine's width.
 * FMA contraction is off (tg_fp_exact.h), so every lane rounds exactly as
 * the baseline: same bits. Not under ThreadSanitizer, whose instrumented
 * ifunc resolvers run before its runtime is up and crash the loader. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__ELF__) && \
    !defined(__SANITIZE_THREAD__)
#define TG_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define TG_VECTOR_CLONES
#endif

/* y = EXPR(x, c) elementwise, c = attr.f[0]: the unary maps and the
 * activations. */
#define UNARY_KERNEL(NAME, EXPR)                                         \
    TG_VECTOR_CLONES void tg_fwd_##NAME(const tg_kernel_args *k)                           \
    {                                                                     \
        int64_t n = tg_shape_numel(&k->node->shape);                      \
        const float *xs = k->in[0];                                       \
        float c = k->node->attr.f[0];                                     \
        float *y = k->out;                                                \
        (void)c;                                                          \
        _Pragma("GCC ivdep") /* out is in or apart from it: in place is safe */ \
        for (int64_t i = 0; i < n; i++) {                                 \
            float x = xs[i];                                              \
            y[i] = (EXPR);                                                \
        }                                                                 \
    }

#define TG_SHAPE_FN(name) int tg_shape_##name(const tg_graph *g, const tg_node *n, tg_shape *out, char *err, size_t len)
#define TG_FWD_FN(name) void tg_fwd_##name(const tg_kernel_args *k)
#define TG_GRAD_FN(name) void tg_grad_##name(tg_graph *g, tg_tensor y, tg_tensor dy, tg_tensor *dx)

/* shape rules */
TG_SHAPE_FN(fill); TG_SHAPE_FN(eye); TG_SHAPE_FN(pair); TG_SHAPE_FN(matmul); TG_SHAPE_FN(linear);
TG_SHAPE_FN(reduce); TG_SHAPE_FN(broadcast_to); TG_SHAPE_FN(sum_to);
TG_SHAPE_FN(rownorm); TG_SHAPE_FN(rowdist); TG_SHAPE_FN(reshape); TG_SHAPE_FN(transpose);

/* forward kernels */
TG_FWD_FN(fill); TG_FWD_FN(eye);
TG_FWD_FN(add); TG_FWD_FN(sub); TG_FWD_FN(mul); TG_FWD_FN(div);
TG_FWD_FN(scale); TG_FWD_FN(add_scalar); TG_FWD_FN(neg); TG_FWD_FN(exp); TG_FWD_FN(log);
TG_FWD_FN(sqrt); TG_FWD_FN(square); TG_FWD_FN(pow); TG_FWD_FN(abs); TG_FWD_FN(copy);
TG_FWD_FN(sign);
TG_FWD_FN(relu); TG_FWD_FN(leaky_relu); TG_FWD_FN(sigmoid); TG_FWD_FN(tanh);
TG_FWD_FN(relu_grad); TG_FWD_FN(leaky_relu_grad); TG_FWD_FN(sigmoid_grad); TG_FWD_FN(tanh_grad);
TG_FWD_FN(matmul); TG_FWD_FN(linear);
TG_FWD_FN(sum); TG_FWD_FN(mean); TG_FWD_FN(sum_to); TG_FWD_FN(broadcast_to);
TG_FWD_FN(rownorm); TG_FWD_FN(rownorm_grad); TG_FWD_FN(rowdist); TG_FWD_FN(rowdist_grad);
TG_FWD_FN(transpose);

/* gradient rules */
TG_GRAD_FN(add); TG_GRAD_FN(sub); TG_GRAD_FN(mul); TG_GRAD_FN(div);
TG_GRAD_FN(scale); TG_GRAD_FN(identity); TG_GRAD_FN(neg); TG_GRAD_FN(exp); TG_GRAD_FN(log);
TG_GRAD_FN(sqrt); TG_GRAD_FN(square); TG_GRAD_FN(pow); TG_GRAD_FN(abs);
TG_GRAD_FN(relu); TG_GRAD_FN(leaky_relu); TG_GRAD_FN(sigmoid); TG_GRAD_FN(tanh);
TG_GRAD_FN(matmul); TG_GRAD_FN(linear);
TG_GRAD_FN(sum); TG_GRAD_FN(mean); TG_GRAD_FN(sum_to); TG_GRAD_FN(broadcast_to);
TG_GRAD_FN(rownorm); TG_GRAD_FN(rowdist); TG_GRAD_FN(reshape); TG_GRAD_FN(transpose);

/* helpers shared by the families */
void tg_broadcast_strides(const tg_shape *x, const tg_shape *out, int64_t stride[4]);
void tg_shape4(const tg_shape *s, int64_t d[4]);
tg_tensor tg_unary(tg_graph *g, int op, tg_tensor x, float c);
int       tg_act_grad_from_output(int act, float slope);
tg_tensor tg_act_backward(tg_graph *g, int act, tg_tensor dy, tg_tensor y, float slope);

#endif
