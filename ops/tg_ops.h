/* tg_ops.h - the op builders.
 *
 * Every function here appends one node (or a few) through tg_apply(), so the
 * op's shape rule runs immediately and a misfit returns TG_NONE with a
 * message in the graph. The ops themselves (name, arity, shape rule, forward
 * kernel, gradient rule, in-place permission) are rows of the registry table
 * in ops/registry.c; their functions live in the file of their family.
 *
 * Broadcasting of binary ops follows NumPy: shapes are aligned on the right
 * and a dimension of 1 stretches (so [B, N] + [N] adds a row vector to every
 * row and [B, N] * [B, 1] scales each row).
 */
#ifndef TG_OPS_H
#define TG_OPS_H

#include "tg.h"

/* Op identifiers: rows of the registry. */
enum tg_op_id {
    TG_OP_LEAF = 0,      /* input or parameter: no computation */
    /* constants (ops/const.c) */
    TG_OP_FILL,          /* attr.shape, f[0] = value */
    TG_OP_EYE,           /* i[0] = n */
    /* elementwise binary with broadcasting (ops/elementwise.c) */
    TG_OP_ADD, TG_OP_SUB, TG_OP_MUL, TG_OP_DIV,
    /* elementwise unary (ops/elementwise.c) */
    TG_OP_SCALE,         /* f[0] * x */
    TG_OP_ADD_SCALAR,    /* x + f[0] */
    TG_OP_NEG, TG_OP_EXP, TG_OP_LOG, TG_OP_SQRT, TG_OP_SQUARE,
    TG_OP_POW,           /* x ^ f[0] */
    TG_OP_ABS,
    TG_OP_COPY,
    TG_OP_SIGN,          /* backward helper, no gradient */
    /* activations (ops/activation.c) */
    TG_OP_RELU, TG_OP_LEAKY_RELU /* f[0] = slope */, TG_OP_SIGMOID, TG_OP_TANH,
    TG_OP_RELU_GRAD, TG_OP_LEAKY_RELU_GRAD, TG_OP_SIGMOID_GRAD, TG_OP_TANH_GRAD,
    /* matrix products (ops/matmul.c) */
    TG_OP_MATMUL,        /* i[0] = transpose a, i[1] = transpose b */
    TG_OP_LINEAR,        /* act(x w^T + bias): i[0] = activation op or 0, f[0] = slope */
    /* reductions (ops/reduce.c) */
    TG_OP_SUM,           /* i[0] = axis, -1 = all elements */
    TG_OP_MEAN,          /* i[0] = axis, -1 = all elements */
    TG_OP_SUM_TO,        /* sum over the broadcast axes down to attr.shape */
    TG_OP_BROADCAST_TO,  /* stretch to attr.shape */
    TG_OP_ROWNORM,       /* [M, N] -> [M, 1]: sqrt(sum_j x_ij^2) */
    TG_OP_ROWNORM_GRAD,  /* backward helper, no gradient */
    TG_OP_ROWDIST,       /* [M, N], [M, N] -> [M, 1]: ||a_i - b_i|| */
    TG_OP_ROWDIST_GRAD,  /* backward helper, f[0] = +1 (for a) or -1 (for b) */
    /* layout (ops/layout.c) */
    TG_OP_RESHAPE,       /* attr.shape */
    TG_OP_TRANSPOSE,     /* 2-D */
    TG_OP_COUNT
};

/* constants */
tg_tensor tg_fill(tg_graph *g, tg_shape shape, float value);
tg_tensor tg_zeros(tg_graph *g, tg_shape shape);
tg_tensor tg_eye(tg_graph *g, int64_t n);

/* elementwise */
tg_tensor tg_add(tg_graph *g, tg_tensor a, tg_tensor b);
tg_tensor tg_sub(tg_graph *g, tg_tensor a, tg_tensor b);
tg_tensor tg_mul(tg_graph *g, tg_tensor a, tg_tensor b);
tg_tensor tg_div(tg_graph *g, tg_tensor a, tg_tensor b);
tg_tensor tg_scale(tg_graph *g, tg_tensor x, float c);
tg_tensor tg_add_scalar(tg_graph *g, tg_tensor x, float c);
tg_tensor tg_neg(tg_graph *g, tg_tensor x);
tg_tensor tg_exp(tg_graph *g, tg_tensor x);
tg_tensor tg_log(tg_graph *g, tg_tensor x);
tg_tensor tg_sqrt(tg_graph *g, tg_tensor x);
tg_tensor tg_square(tg_graph *g, tg_tensor x);
tg_tensor tg_pow(tg_graph *g, tg_tensor x, float c);
tg_tensor tg_abs(tg_graph *g, tg_tensor x);
tg_tensor tg_copy(tg_graph *g, tg_tensor x);
tg_tensor tg_sign(tg_graph *g, tg_tensor x);

/* activations */
tg_tensor tg_relu(tg_graph *g, tg_tensor x);
tg_tensor tg_leaky_relu(tg_graph *g, tg_tensor x, float slope);
tg_tensor tg_sigmoid(tg_graph *g, tg_tensor x);
tg_tensor tg_tanh(tg_graph *g, tg_tensor x);

/* matrix products: op(a) @ op(b), op = transpose when the flag is set */
tg_tensor tg_matmul(tg_graph *g, tg_tensor a, tg_tensor b, int trans_a, int trans_b);
/* x [B, in] @ w[out, in]^T + bias [out] (PyTorch's nn.Linear layout);
 * bias may be TG_NONE. */
tg_tensor tg_linear(tg_graph *g, tg_tensor x, tg_tensor w, tg_tensor bias);
/* act(x w^T + bias) as one op: the bias and the activation are applied to
 * each block of the product while it is in cache. act is TG_OP_RELU,
 * TG_OP_LEAKY_RELU (slope = f), TG_OP_SIGMOID, TG_OP_TANH or 0 for none.
 * Without a bias, or for a leaky_relu with a negative slope, it builds the
 * separate ops instead. */
tg_tensor tg_linear_act(tg_graph *g, tg_tensor x, tg_tensor w, tg_tensor bias, int act, float slope);

/* reductions: an axis reduction keeps the axis with size 1 */
tg_tensor tg_sum(tg_graph *g, tg_tensor x);
tg_tensor tg_sum_axis(tg_graph *g, tg_tensor x, int axis);
tg_tensor tg_mean(tg_graph *g, tg_tensor x);
tg_tensor tg_mean_axis(tg_graph *g, tg_tensor x, int axis);
tg_tensor tg_sum_to(tg_graph *g, tg_tensor x, tg_shape shape);
tg_tensor tg_broadcast_to(tg_graph *g, tg_tensor x, tg_shape shape);
/* Row-wise L2 norm [M, N] -> [M, 1]; its gradient at a zero row is 0. */
tg_tensor tg_rownorm(tg_graph *g, tg_tensor x);
/* Row-wise distance ||a_i - b_i|| [M, N], [M, N] -> [M, 1]: rownorm(a - b)
 * bit for bit, without the difference in memory; its gradient at a zero
 * distance is 0. */
tg_tensor tg_rowdist(tg_graph *g, tg_tensor a, tg_tensor b);

/* layout */
tg_tensor tg_reshape(tg_graph *g, tg_tensor x, tg_shape shape);
tg_tensor tg_transpose(tg_graph *g, tg_tensor x);

/* ---- the registry ---------------------------------------------------- */

/* Registry lookups for tools and tests. */
const char *tg_op_name(int op);
int         tg_op_arity(int op);
int         tg_op_has_grad(int op);

#endif
