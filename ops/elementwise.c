/* elementwise.c - binary ops with NumPy broadcasting, and unary maps. */
#include "tg_kernels.h"

#include <math.h>

#include "tg_fastmath.h"
#include <string.h>

/* ---- broadcasting ------------------------------------------------------ */

/* Right-aligns s into 4 dimensions (leading ones). */
static void pad4(const tg_shape *s, int64_t d[4])
{
    int lead = TG_MAX_DIMS - s->ndim;
    for (int i = 0; i < TG_MAX_DIMS; i++)
        d[i] = i < lead ? 1 : s->d[i - lead];
}

int tg_broadcast_shape(const tg_shape *a, const tg_shape *b, tg_shape *out)
{
    int nd = a->ndim > b->ndim ? a->ndim : b->ndim;
    int64_t da[4], db[4];
    pad4(a, da);
    pad4(b, db);
    out->ndim = nd;
    for (int i = 0; i < nd; i++) {
        int k = TG_MAX_DIMS - nd + i;
        if (da[k] != db[k] && da[k] != 1 && db[k] != 1)
            return -1;
        out->d[i] = da[k] > db[k] ? da[k] : db[k];
    }
    return 0;
}

int tg_shape_broadcast(const tg_graph *g, const tg_node *n, tg_shape *out, char *err, size_t len)
{
    const tg_node *a = tg_nd(g, n->in[0]), *b = tg_nd(g, n->in[1]);
    if (tg_broadcast_shape(&a->shape, &b->shape, out) == 0)
        return 0;
    char sa[64], sb[64];
    snprintf(err, len, "%s: cannot broadcast '%s' %s with '%s' %s", tg_registry[n->op].name,
             a->name, tg_shape_str(&a->shape, sa, sizeof sa), b->name,
             tg_shape_str(&b->shape, sb, sizeof sb));
    return -1;
}

int tg_shape_same_as_input(const tg_graph *g, const tg_node *n, tg_shape *out, char *err, size_t len)
{
    (void)err; (void)len;
    *out = tg_nd(g, n->in[0])->shape;
    return 0;
}

/* Strides (in elements) of x read as the 4-D output shape: 0 on the axes
 * where x is broadcast. */
void tg_broadcast_strides(const tg_shape *x, const tg_shape *out, int64_t stride[4])
{
    int64_t dx[4], dout[4];
    pad4(x, dx);
    pad4(out, dout);
    int64_t s = 1;
    for (int i = TG_MAX_DIMS - 1; i >= 0; i--) {
        stride[i] = dx[i] == 1 && dout[i] != 1 ? 0 : s;
        s *= dx[i];
    }
}

void tg_shape4(const tg_shape *s, int64_t d[4]) { pad4(s, d); }

/* One broadcasting loop nest per binary op: the innermost loop is contiguous
 * in the output and has stride 0 or 1 in each input, which the compiler
 * vectorises for the common [B, N] op [N] and same-shape cases. */
#define BINARY_KERNEL(NAME, EXPR)                                                         \
    TG_VECTOR_CLONES void tg_fwd_##NAME(const tg_kernel_args *k)                                            \
    {                                                                                      \
        int64_t d[4], sa[4], sb[4];                                                        \
        pad4(&k->node->shape, d);                                                          \
        tg_broadcast_strides(&k->in_nodes[0]->shape, &k->node->shape, sa);                 \
        tg_broadcast_strides(&k->in_nodes[1]->shape, &k->node->shape, sb);                 \
        const float *A = k->in[0], *B = k->in[1];                                          \
        float *y = k->out;                                                                 \
        for (int64_t i0 = 0; i0 < d[0]; i0++)                                              \
            for (int64_t i1 = 0; i1 < d[1]; i1++)                                          \
                for (int64_t i2 = 0; i2 < d[2]; i2++) {                                    \
                    const float *pa = A + i0 * sa[0] + i1 * sa[1] + i2 * sa[2];            \
                    const float *pb = B + i0 * sb[0] + i1 * sb[1] + i2 * sb[2];            \
                    float *py = y + ((i0 * d[1] + i1) * d[2] + i2) * d[3];                 \
                    int64_t n = d[3], ta = sa[3], tb = sb[3];                              \
                    if (ta == 1 && tb == 1)                                                \
                        _Pragma("GCC ivdep") for (int64_t j = 0; j < n; j++) { float a = pa[j], b = pb[j]; py[j] = (EXPR); } \
                    else if (ta == 1)                                                      \
                        _Pragma("GCC ivdep") for (int64_t j = 0; j < n; j++) { float a = pa[j], b = pb[0]; py[j] = (EXPR); } \
                    else if (tb == 1)                                                      \
                        _Pragma("GCC ivdep") for (int64_t j = 0; j < n; j++) { float a = pa[0], b = pb[j]; py[j] = (EXPR); } \
                    else                                                                   \
                        for (int64_t j = 0; j < n; j++) { float a = pa[0], b = pb[0]; py[j] = (EXPR); } \
                }                                                                          \
    }

BINARY_KERNEL(add, a + b)
BINARY_KERNEL(sub, a - b)
BINARY_KERNEL(mul, a * b)
BINARY_KERNEL(div, a / b)

tg_tensor tg_unbroadcast(tg_graph *g, tg_tensor dy, tg_tensor x)
{
    if (dy == TG_NONE || tg_shape_equal(tg_shape_of(g, dy), tg_shape_of(g, x)))
        return dy;
    return tg_sum_to(g, dy, *tg_shape_of(g, x));
}

/* dy already has the output's shape; each input gets it summed down to its
 * own shape. */
void tg_grad_add(tg_graph *g, tg_tensor y, tg_tensor dy, tg_tensor *dx)
{
    const tg_node *n = tg_nd(g, y);
    tg_tensor a = n->in[0], b = n->in[1];
    dx[0] = tg_unbroadcast(g, dy, a);
    dx[1] = tg_unbroadcast(g, dy, b);
}

void tg_grad_sub(tg_graph *g, tg_tensor y, tg_tensor dy, tg_tensor *dx)
{
    const tg_node *n = tg_nd(g, y);
    tg_tensor a = n->in[0], b = n->in[1];
    dx[0] = tg_unbroadcast(g, dy, a);
    dx[1] = tg_unbroadcast(g, tg_neg(g, dy), b);
}

void tg_grad_mul(tg_graph *g, tg_tensor y, tg_tensor dy, tg_tensor *dx)
{
    const tg_node *n = tg_nd(g, y);
    tg_tensor a = n->in[0], b = n->in[1];
    dx[0] = tg_unbroadcast(g, tg_mul(g, dy, b), a);
    dx[1] = tg_unbroadcast(g, tg_mul(g, dy, a), b);
}

/* y = a / b: da = dy / b, db = -dy * y / b. */
void tg_grad_div(tg_graph *g, tg_tensor y, tg_tensor dy, tg_tensor *dx)
{
    const tg_node *n = tg_nd(g, y);
    tg_tensor a = n->in[0], b = n->in[1];
    dx[0] = tg_unbroadcast(g, tg_div(g, dy, b), a);
    dx[1] = tg_unbroadcast(g, tg_neg(g, tg_div(g, tg_mul(g, dy, y), b)), b);
}

static tg_tensor binary(tg_graph *g, int op, tg_tensor a, tg_tensor b)
{
    tg_tensor in[2] = {a, b};
    if (a == TG_NONE || b == TG_NONE)
        return tg_graph_fail(g, "%s: input is TG_NONE", tg_registry[op].name);
    return tg_apply(g, op, in, 2, NULL);
}

tg_tensor tg_add(tg_graph *g, tg_tensor a, tg_tensor b) { return binary(g, TG_OP_ADD, a, b); }
tg_tensor tg_sub(tg_graph *g, tg_tensor a, tg_tensor b) { return binary(g, TG_OP_SUB, a, b); }
tg_tensor tg_mul(tg_graph *g, tg_tensor a, tg_tensor b) { return binary(g, TG_OP_MUL, a, b); }
tg_tensor tg_div(tg_graph *g, tg_tensor a, tg_tensor b) { return binary(g, TG_OP_DIV, a, b); }

/* ---- unary maps (c = attr.f[0]; UNARY_KERNEL in tg_kernels.h) ------------ */

UNARY_KERNEL(scale, c * x)
UNARY_KERNEL(add_scalar, x + c)
UNARY_KERNEL(neg, -x)
UNARY_KERNEL(exp, tg_expf(x))
UNARY_KERNEL(log, logf(x))
UNARY_KERNEL(sqrt, sqrtf(x))
UNARY_KERNEL(square, x * x)
UNARY_KERNEL(pow, powf(x, c))
UNARY_KERNEL(abs, fabsf(x))
UNARY_KERNEL(sign, (float)((x > 0.0f) - (x < 0.0f)))

void tg_fwd_copy(const tg_kernel_args *k)
{
    if (k->out != k->in[0])
        memcpy(k->out, k->in[0], (size_t)tg_shape_numel(&k->node->shape) * sizeof(float));
}

static tg_tensor input0(tg_graph *g, tg_tensor y) { return tg_nd(g, y)->in[0]; }
static float attr0(tg_graph *g, tg_tensor y) { return tg_nd(g, y)->attr.f[0]; }

void tg_grad_scale(tg_graph *g, tg_tensor y, tg_tensor dy, tg_tensor *dx)
{
    dx[0] = tg_scale(g, dy, attr0(g, y));
}

void tg_grad_identity(tg_graph *g, tg_tensor y, tg_tensor dy, tg_tensor *dx)
{
    (void)g; (void)y;
    dx[0] = dy;
}

void tg_grad_neg(tg_graph *g, tg_tensor y, tg_tensor dy, tg_tensor *dx)
{
    (void)y;
    dx[0] = tg_neg(g, dy);
}

void tg_grad_exp(tg_graph *g, tg_tensor y, tg_tensor dy, tg_tensor *dx)
{
    dx[0] = tg_mul(g, dy, y);
}

void tg_grad_log(tg_graph *g, tg_tensor y, tg_tensor dy, tg_tensor *dx)
{
    dx[0] = tg_div(g, dy, input0(g, y));
}

/* d sqrt(x) = dy / (2 y) */
void tg_grad_sqrt(tg_graph *g, tg_tensor y, tg_tensor dy, tg_tensor *dx)
{
    dx[0] = tg_div(g, tg_scale(g, dy, 0.5f), y);
}

void tg_grad_square(tg_graph *g, tg_tensor y, tg_tensor dy, tg_tensor *dx)
{
    dx[0] = tg_mul(g, dy, tg_scale(g, input0(g, y), 2.0f));
}

void tg_grad_pow(tg_graph *g, tg_tensor y, tg_tensor dy, tg_tensor *dx)
{
    float c = attr0(g, y);
    tg_tensor x = input0(g, y);
    dx[0] = tg_mul(g, dy, tg_scale(g, tg_pow(g, x, c - 1.0f), c));
}

/* The subgradient at 0 is taken as 0 (sign(0) = 0). */
void tg_grad_abs(tg_graph *g, tg_tensor y, tg_tensor dy, tg_tensor *dx)
{
    dx[0] = tg_mul(g, dy, tg_sign(g, input0(g, y)));
}

tg_tensor tg_unary(tg_graph *g, int op, tg_tensor x, float c)
{
    if (x == TG_NONE)
        return tg_graph_fail(g, "%s: input is TG_NONE", tg_registry[op].name);
    tg_attr at = {.f = {c}};
    return tg_apply(g, op, &x, 1, &at);
}

tg_tensor tg_scale(tg_graph *g, tg_tensor x, float c) { return tg_unary(g, TG_OP_SCALE, x, c); }
tg_tensor tg_add_scalar(tg_graph *g, tg_tensor x, float c) { return tg_unary(g, TG_OP_ADD_SCALAR, x, c); }
tg_tensor tg_neg(tg_graph *g, tg_tensor x) { return tg_unary(g, TG_OP_NEG, x, 0); }
tg_tensor tg_exp(tg_graph *g, tg_tensor x) { return tg_unary(g, TG_OP_EXP, x, 0); }
tg_tensor tg_log(tg_graph *g, tg_tensor x) { return tg_unary(g, TG_OP_LOG, x, 0); }
tg_tensor tg_sqrt(tg_graph *g, tg_tensor x) { return tg_unary(g, TG_OP_SQRT, x, 0); }
tg_tensor tg_square(tg_graph *g, tg_tensor x) { return tg_unary(g, TG_OP_SQUARE, x, 0); }
tg_tensor tg_pow(tg_graph *g, tg_tensor x, float c) { return tg_unary(g, TG_OP_POW, x, c); }
tg_tensor tg_abs(tg_graph *g, tg_tensor x) { return tg_unary(g, TG_OP_ABS, x, 0); }
tg_tensor tg_copy(tg_graph *g, tg_tensor x) { return tg_unary(g, TG_OP_COPY, x, 0); }
tg_tensor tg_sign(tg_graph *g, tg_tensor x) { return tg_unary(g, TG_OP_SIGN, x, 0); }
