/* reduce.c - sums and means, broadcast / sum-to (each other's gradient) and
 * the row-wise L2 norm. Accumulation is in double: losses are sums over
 * whole batches and must not drift with the batch size. */
#include "tg_kernels.h"

#include <math.h>
#include <string.h>

/* ---- sum / mean over all elements or one axis (kept with size 1) -------- */

static int reduce_axis(const tg_node *n) { return n->attr.i[0]; }

int tg_shape_reduce(const tg_graph *g, const tg_node *n, tg_shape *out, char *err, size_t len)
{
    const tg_node *x = tg_nd(g, n->in[0]);
    int axis = reduce_axis(n);
    if (axis == -1) {
        *out = (tg_shape){0, {0}};
        return 0;
    }
    if (axis < 0 || axis >= x->shape.ndim) {
        char sx[64];
        snprintf(err, len, "%s: axis %d out of range for '%s' %s", tg_registry[n->op].name, axis,
                 x->name, tg_shape_str(&x->shape, sx, sizeof sx));
        return -1;
    }
    *out = x->shape;
    out->d[axis] = 1;
    return 0;
}

/* x viewed as [outer, len, inner] around the reduced axis. */
static void axis_split(const tg_shape *s, int axis, int64_t *outer, int64_t *len, int64_t *inner)
{
    *outer = *inner = 1;
    for (int i = 0; i < axis; i++)
        *outer *= s->d[i];
    *len = s->d[axis];
    for (int i = axis + 1; i < s->ndim; i++)
        *inner *= s->d[i];
}

/* Sum (or sum of squares) of a contiguous row: 16 float lanes that the
 * compiler vectorises, each a short partial sum, added up in double. */
enum { LANES = 16 };

enum { PLAIN = 0, SQUARES = 1, SQUARED_DIFFERENCES = 2 };

/* Sum over a row of x, of its squares, or of the squares of x - b: each
 * difference rounds to float first, as a separate sub would, so that
 * rowdist(a, b) is bitwise rownorm(a - b). `what` is a constant at every
 * call, so each inlined copy has no branch inside its loops. */
static inline __attribute__((always_inline)) double row_sum(const float *x, const float *b, int64_t n, int what)
{
    int squares = what != PLAIN;
#define TERM(i) (what == SQUARED_DIFFERENCES ? x[i] - b[i] : x[i])
    float acc[LANES] = {0};
    int64_t i = 0;
    for (; i + LANES <= n; i += LANES)
        for (int l = 0; l < LANES; l++) {
            float v = TERM(i + l);
            acc[l] += squares ? v * v : v;
        }
    double total = 0.0;
    for (; i < n; i++) {
        float v = TERM(i);
        total += squares ? (double)v * v : (double)v;
    }
#undef TERM
    for (int l = 0; l < LANES; l++)
        total += acc[l];
    return total;
}

static void reduce_sum(const tg_kernel_args *k, double factor_of_count)
{
    const tg_shape *s = &k->in_nodes[0]->shape;
    const float *x = k->in[0];
    int axis = reduce_axis(k->node);
    if (axis == -1) {
        int64_t n = tg_shape_numel(s);
        double acc = 0.0;
        for (int64_t i = 0; i < n; i++)
            acc += x[i];
        k->out[0] = (float)(factor_of_count ? acc / (double)n : acc);
        return;
    }
    int64_t outer, len, inner;
    axis_split(s, axis, &outer, &len, &inner);
    if (inner == 1) { /* rows: the per-sample sums of the losses and scores */
        for (int64_t o = 0; o < outer; o++) {
            double acc = row_sum(x + o * len, NULL, len, PLAIN);
            k->out[o] = (float)(factor_of_count ? acc / (double)len : acc);
        }
        return;
    }
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            double acc = 0.0;
            for (int64_t j = 0; j < len; j++)
                acc += x[(o * len + j) * inner + i];
            k->out[o * inner + i] = (float)(factor_of_count ? acc / (double)len : acc);
        }
}

void tg_fwd_sum(const tg_kernel_args *k) { reduce_sum(k, 0); }
void tg_fwd_mean(const tg_kernel_args *k) { reduce_sum(k, 1); }

void tg_grad_sum(tg_graph *g, tg_tensor y, tg_tensor dy, tg_tensor *dx)
{
    dx[0] = tg_broadcast_to(g, dy, tg_nd(g, tg_nd(g, y)->in[0])->shape);
}

void tg_grad_mean(tg_graph *g, tg_tensor y, tg_tensor dy, tg_tensor *dx)
{
    const tg_node *n = tg_nd(g, y);
    const tg_shape xs = tg_nd(g, n->in[0])->shape;
    int64_t count = n->attr.i[0] == -1 ? tg_shape_numel(&xs) : xs.d[n->attr.i[0]];
    dx[0] = tg_broadcast_to(g, tg_scale(g, dy, 1.0f / (float)count), xs);
}

/* ---- broadcast_to / sum_to ---------------------------------------------- */

static int check_broadcastable(const tg_graph *g, const tg_node *n, const tg_shape *small,
                               const tg_shape *big, char *err, size_t len)
{
    tg_shape joint;
    if (tg_broadcast_shape(small, big, &joint) == 0 && tg_shape_equal(&joint, big))
        return 0;
    char s1[64], s2[64];
    snprintf(err, len, "%s: '%s' %s does not broadcast to %s", tg_registry[n->op].name,
             tg_nd(g, n->in[0])->name, tg_shape_str(small, s1, sizeof s1), tg_shape_str(big, s2, sizeof s2));
    return -1;
}

int tg_shape_broadcast_to(const tg_graph *g, const tg_node *n, tg_shape *out, char *err, size_t len)
{
    if (check_broadcastable(g, n, &tg_nd(g, n->in[0])->shape, &n->attr.shape, err, len))
        return -1;
    *out = n->attr.shape;
    return 0;
}

int tg_shape_sum_to(const tg_graph *g, const tg_node *n, tg_shape *out, char *err, size_t len)
{
    if (check_broadcastable(g, n, &n->attr.shape, &tg_nd(g, n->in[0])->shape, err, len))
        return -1;
    *out = n->attr.shape;
    return 0;
}

/* Walks the big shape; `small` is addressed through broadcast strides. */
static inline void broadcast_walk(const tg_shape *small, const tg_shape *big, float *sp, float *bp, int to_big)
{
    int64_t d[4], st[4];
    tg_shape4(big, d);
    tg_broadcast_strides(small, big, st);
    int64_t idx = 0;
    for (int64_t i0 = 0; i0 < d[0]; i0++)
        for (int64_t i1 = 0; i1 < d[1]; i1++)
            for (int64_t i2 = 0; i2 < d[2]; i2++) {
                float *s = sp + i0 * st[0] + i1 * st[1] + i2 * st[2];
                float *b = bp + idx;
                /* small and big are different tensors: no dependence */
                if (to_big)
                    _Pragma("GCC ivdep") for (int64_t j = 0; j < d[3]; j++)
                        b[j] = s[j * st[3]];
                else if (st[3] == 1)
                    _Pragma("GCC ivdep") for (int64_t j = 0; j < d[3]; j++)
                        s[j] += b[j];
                else
                    for (int64_t j = 0; j < d[3]; j++)
                        s[0] += b[j];
                idx += d[3];
            }
}

TG_VECTOR_CLONES void tg_fwd_broadcast_to(const tg_kernel_args *k)
{
    broadcast_walk(&k->in_nodes[0]->shape, &k->node->shape, (float *)k->in[0], k->out, 1);
}

TG_VECTOR_CLONES void tg_fwd_sum_to(const tg_kernel_args *k)
{
    memset(k->out, 0, (size_t)tg_shape_numel(&k->node->shape) * sizeof(float));
    broadcast_walk(&k->node->shape, &k->in_nodes[0]->shape, k->out, (float *)k->in[0], 0);
}

void tg_grad_broadcast_to(tg_graph *g, tg_tensor y, tg_tensor dy, tg_tensor *dx)
{
    dx[0] = tg_sum_to(g, dy, tg_nd(g, tg_nd(g, y)->in[0])->shape);
}

void tg_grad_sum_to(tg_graph *g, tg_tensor y, tg_tensor dy, tg_tensor *dx)
{
    dx[0] = tg_broadcast_to(g, dy, tg_nd(g, tg_nd(g, y)->in[0])->shape);
}

/* ---- row-wise L2 norm --------------------------------------------------- */

int tg_shape_rownorm(const tg_graph *g, const tg_node *n, tg_shape *out, char *err, size_t len)
{
    const tg_node *x = tg_nd(g, n->in[0]);
    if (x->shape.ndim != 2) {
        char sx[64];
        snprintf(err, len, "rownorm: '%s' %s must be 2-D [rows, features]", x->name,
                 tg_shape_str(&x->shape, sx, sizeof sx));
        return -1;
    }
    *out = tg_shape2(x->shape.d[0], 1);
    return 0;
}

TG_VECTOR_CLONES void tg_fwd_rownorm(const tg_kernel_args *k)
{
    int64_t rows = k->in_nodes[0]->shape.d[0], cols = k->in_nodes[0]->shape.d[1];
    for (int64_t r = 0; r < rows; r++)
        k->out[r] = (float)sqrt(row_sum(k->in[0] + r * cols, NULL, cols, SQUARES));
}

/* dx = dy * x / ||x||, and 0 for a zero row (the minimum-norm subgradient). */
void tg_fwd_rownorm_grad(const tg_kernel_args *k)
{
    const float *x = k->in[0], *norm = k->in[1], *dy = k->in[2];
    int64_t rows = k->node->shape.d[0], cols = k->node->shape.d[1];
    for (int64_t r = 0; r < rows; r++) {
        float f = norm[r] > 0.0f ? dy[r] / norm[r] : 0.0f;
        for (int64_t j = 0; j < cols; j++)
            k->out[r * cols + j] = f * x[r * cols + j];
    }
}

void tg_grad_rownorm(tg_graph *g, tg_tensor y, tg_tensor dy, tg_tensor *dx)
{
    tg_tensor in[3] = {tg_nd(g, y)->in[0], y, dy};
    dx[0] = tg_apply(g, TG_OP_ROWNORM_GRAD, in, 3, NULL);
}

/* ---- rowdist: ||a_i - b_i|| without the difference in memory ------------ */

int tg_shape_rowdist(const tg_graph *g, const tg_node *n, tg_shape *out, char *err, size_t len)
{
    const tg_node *a = tg_nd(g, n->in[0]), *b = tg_nd(g, n->in[1]);
    if (a->shape.ndim != 2 || !tg_shape_equal(&a->shape, &b->shape)) {
        char sa[64], sb[64];
        snprintf(err, len, "rowdist: '%s' %s and '%s' %s must be 2-D [rows, features] of one shape", a->name,
                 tg_shape_str(&a->shape, sa, sizeof sa), b->name, tg_shape_str(&b->shape, sb, sizeof sb));
        return -1;
    }
    *out = tg_shape2(a->shape.d[0], 1);
    return 0;
}

TG_VECTOR_CLONES void tg_fwd_rowdist(const tg_kernel_args *k)
{
    int64_t rows = k->node->shape.d[0], cols = k->in_nodes[0]->shape.d[1];
    for (int64_t r = 0; r < rows; r++)
        k->out[r] = (float)sqrt(row_sum(k->in[0] + r * cols, k->in[1] + r * cols, cols, SQUARED_DIFFERENCES));
}

/* d = sign (a - b) dy / dist for inputs (a, b, dist, dy), sign = attr f[0]:
 * +1 for a's gradient, -1 for b's; 0 for a zero distance, as rownorm. */
TG_VECTOR_CLONES void tg_fwd_rowdist_grad(const tg_kernel_args *k)
{
    const float *a = k->in[0], *b = k->in[1], *dist = k->in[2], *dy = k->in[3];
    int64_t rows = k->node->shape.d[0], cols = k->node->shape.d[1];
    float sign = k->node->attr.f[0];
    for (int64_t r = 0; r < rows; r++) {
        float f = dist[r] > 0.0f ? sign * (dy[r] / dist[r]) : 0.0f;
        for (int64_t j = 0; j < cols; j++)
            k->out[r * cols + j] = f * (a[r * cols + j] - b[r * cols + j]);
    }
}

void tg_grad_rowdist(tg_graph *g, tg_tensor y, tg_tensor dy, tg_tensor *dx)
{
    const tg_node *n = tg_nd(g, y);
    tg_tensor in[4] = {n->in[0], n->in[1], y, dy};
    tg_attr plus = {.f = {1.0f}}, minus = {.f = {-1.0f}};
    dx[0] = tg_apply(g, TG_OP_ROWDIST_GRAD, in, 4, &plus);
    dx[1] = tg_apply(g, TG_OP_ROWDIST_GRAD, in, 4, &minus);
}

/* ---- builders ----------------------------------------------------------- */

static tg_tensor reduce(tg_graph *g, int op, tg_tensor x, int axis)
{
    if (x == TG_NONE)
        return tg_graph_fail(g, "%s: input is TG_NONE", tg_registry[op].name);
    tg_attr at = {.i = {axis}};
    return tg_apply(g, op, &x, 1, &at);
}

static tg_tensor reshape_like(tg_graph *g, int op, tg_tensor x, tg_shape shape)
{
    if (x == TG_NONE)
        return tg_graph_fail(g, "%s: input is TG_NONE", tg_registry[op].name);
    tg_attr at = {.shape = shape};
    return tg_apply(g, op, &x, 1, &at);
}

tg_tensor tg_sum(tg_graph *g, tg_tensor x) { return reduce(g, TG_OP_SUM, x, -1); }
tg_tensor tg_sum_axis(tg_graph *g, tg_tensor x, int axis) { return reduce(g, TG_OP_SUM, x, axis); }
tg_tensor tg_mean(tg_graph *g, tg_tensor x) { return reduce(g, TG_OP_MEAN, x, -1); }
tg_tensor tg_mean_axis(tg_graph *g, tg_tensor x, int axis) { return reduce(g, TG_OP_MEAN, x, axis); }
tg_tensor tg_rownorm(tg_graph *g, tg_tensor x) { return tg_unary(g, TG_OP_ROWNORM, x, 0.0f); }
tg_tensor tg_rowdist(tg_graph *g, tg_tensor a, tg_tensor b)
{
    if (a == TG_NONE || b == TG_NONE)
        return tg_graph_fail(g, "rowdist: input is TG_NONE");
    tg_tensor in[2] = {a, b};
    return tg_apply(g, TG_OP_ROWDIST, in, 2, NULL);
}
tg_tensor tg_sum_to(tg_graph *g, tg_tensor x, tg_shape s) { return reshape_like(g, TG_OP_SUM_TO, x, s); }
tg_tensor tg_broadcast_to(tg_graph *g, tg_tensor x, tg_shape s) { return reshape_like(g, TG_OP_BROADCAST_TO, x, s); }
tg_tensor tg_reshape(tg_graph *g, tg_tensor x, tg_shape s) { return reshape_like(g, TG_OP_RESHAPE, x, s); }
