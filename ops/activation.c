/* activation.c - relu, leaky_relu, sigmoid, tanh and their backward helpers.
 *
 * Each backward helper takes (dy, x) or (dy, y), whichever its formula
 * needs, so the forward output is kept alive only where it is cheaper than
 * recomputing. The helpers have no gradient of their own (no second order). */
#include "tg_kernels.h"

#include "tg_fastmath.h"

/* Backward helpers: out = f(dy, v) with v = x or y. */
#define ACT_GRAD_KERNEL(NAME, EXPR)                                   \
    TG_VECTOR_CLONES void tg_fwd_##NAME(const tg_kernel_args *k)                        \
    {                                                                  \
        int64_t n = tg_shape_numel(&k->node->shape);                   \
        const float *dys = k->in[0], *vs = k->in[1];                   \
        float slope = k->node->attr.f[0];                              \
        float *out = k->out;                                           \
        (void)slope;                                                   \
        _Pragma("GCC ivdep")                                           \
        for (int64_t i = 0; i < n; i++) {                              \
            float dy = dys[i], v = vs[i];                              \
            out[i] = (EXPR);                                           \
        }                                                              \
    }

UNARY_KERNEL(relu, x > 0.0f ? x : 0.0f)
UNARY_KERNEL(leaky_relu, x > 0.0f ? x : c * x) /* c = slope */
UNARY_KERNEL(sigmoid, 1.0f / (1.0f + tg_expf(-x)))
UNARY_KERNEL(tanh, tg_tanhf(x))

ACT_GRAD_KERNEL(relu_grad, v > 0.0f ? dy : 0.0f)
ACT_GRAD_KERNEL(leaky_relu_grad, v > 0.0f ? dy : slope * dy)
ACT_GRAD_KERNEL(sigmoid_grad, dy * v * (1.0f - v))
ACT_GRAD_KERNEL(tanh_grad, dy * (1.0f - v * v))

static tg_tensor backward(tg_graph *g, int op, tg_tensor dy, tg_tensor v, float slope)
{
    tg_tensor in[2] = {dy, v};
    tg_attr at = {.f = {slope}};
    return tg_apply(g, op, in, 2, &at);
}

/* The backward helper that takes `act`'s derivative from its output y, or 0
 * when y does not determine it. sigmoid and tanh are written in y; relu and
 * leaky_relu (slope >= 0) qualify since y > 0 exactly when x > 0. The fused
 * linear op keeps only y, so it fuses exactly these. */
int tg_act_grad_from_output(int act, float slope)
{
    switch (act) {
    case TG_OP_RELU: return TG_OP_RELU_GRAD;
    case TG_OP_LEAKY_RELU: return slope >= 0.0f ? TG_OP_LEAKY_RELU_GRAD : 0;
    case TG_OP_SIGMOID: return TG_OP_SIGMOID_GRAD;
    case TG_OP_TANH: return TG_OP_TANH_GRAD;
    }
    return 0;
}

/* dx of `act` from its output y (tg_act_grad_from_output must allow it). */
tg_tensor tg_act_backward(tg_graph *g, int act, tg_tensor dy, tg_tensor y, float slope)
{
    return backward(g, tg_act_grad_from_output(act, slope), dy, y, slope);
}

void tg_grad_relu(tg_graph *g, tg_tensor y, tg_tensor dy, tg_tensor *dx)
{
    dx[0] = backward(g, TG_OP_RELU_GRAD, dy, tg_nd(g, y)->in[0], 0.0f);
}

void tg_grad_leaky_relu(tg_graph *g, tg_tensor y, tg_tensor dy, tg_tensor *dx)
{
    const tg_node *n = tg_nd(g, y);
    dx[0] = backward(g, TG_OP_LEAKY_RELU_GRAD, dy, n->in[0], n->attr.f[0]);
}

void tg_grad_sigmoid(tg_graph *g, tg_tensor y, tg_tensor dy, tg_tensor *dx)
{
    dx[0] = tg_act_backward(g, TG_OP_SIGMOID, dy, y, 0.0f);
}

void tg_grad_tanh(tg_graph *g, tg_tensor y, tg_tensor dy, tg_tensor *dx)
{
    dx[0] = tg_act_backward(g, TG_OP_TANH, dy, y, 0.0f);
}

int tg_shape_pair(const tg_graph *g, const tg_node *n, tg_shape *out, char *err, size_t len)
{
    const tg_node *a = tg_nd(g, n->in[0]), *b = tg_nd(g, n->in[1]);
    if (tg_shape_equal(&a->shape, &b->shape)) {
        *out = a->shape;
        return 0;
    }
    char sa[64], sb[64];
    snprintf(err, len, "%s: '%s' %s and '%s' %s must have the same shape", tg_registry[n->op].name,
             a->name, tg_shape_str(&a->shape, sa, sizeof sa), b->name,
             tg_shape_str(&b->shape, sb, sizeof sb));
    return -1;
}

tg_tensor tg_relu(tg_graph *g, tg_tensor x) { return tg_unary(g, TG_OP_RELU, x, 0.0f); }
tg_tensor tg_leaky_relu(tg_graph *g, tg_tensor x, float slope) { return tg_unary(g, TG_OP_LEAKY_RELU, x, slope); }
tg_tensor tg_sigmoid(tg_graph *g, tg_tensor x) { return tg_unary(g, TG_OP_SIGMOID, x, 0.0f); }
tg_tensor tg_tanh(tg_graph *g, tg_tensor x) { return tg_unary(g, TG_OP_TANH, x, 0.0f); }
