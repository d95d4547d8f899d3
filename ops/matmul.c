/* matmul.c - matrix products through OpenBLAS, and the fused linear layer. */
#include "tg_kernels.h"

#include <cblas.h>
#include <string.h>

#include "tg_parallel.h"

/* op(a) is [rows, cols] after the optional transpose. */
static void op_dims(const tg_shape *s, int trans, int64_t *rows, int64_t *cols)
{
    *rows = trans ? s->d[1] : s->d[0];
    *cols = trans ? s->d[0] : s->d[1];
}

int tg_shape_matmul(const tg_graph *g, const tg_node *n, tg_shape *out, char *err, size_t len)
{
    const tg_node *a = tg_nd(g, n->in[0]), *b = tg_nd(g, n->in[1]);
    char sa[64], sb[64];
    tg_shape_str(&a->shape, sa, sizeof sa);
    tg_shape_str(&b->shape, sb, sizeof sb);
    if (a->shape.ndim != 2 || b->shape.ndim != 2) {
        snprintf(err, len, "matmul: '%s' %s and '%s' %s must both be 2-D", a->name, sa, b->name, sb);
        return -1;
    }
    int64_t m, ka, kb, nn;
    op_dims(&a->shape, n->attr.i[0], &m, &ka);
    op_dims(&b->shape, n->attr.i[1], &kb, &nn);
    if (ka != kb) {
        snprintf(err, len, "matmul: '%s' %s%s x '%s' %s%s: inner dimensions differ (%lld vs %lld)",
                 a->name, sa, n->attr.i[0] ? "^T" : "", b->name, sb, n->attr.i[1] ? "^T" : "",
                 (long long)ka, (long long)kb);
        return -1;
    }
    *out = tg_shape2(m, nn);
    return 0;
}

/* One GEMM, split into blocks of C's rows or columns over the library's
 * threads; each block is an OpenBLAS call on its own thread. With a bias,
 * C starts as the bias rows and the product is added to it (beta = 1, in
 * place of OpenBLAS's own pass that zeroes C); then the activation, if
 * any, maps the block while it is still in this core's cache. */
typedef struct gemm_job {
    int ta, tb, split_rows;
    int64_t m, n, k;
    const float *a, *b;
    float *c;
    int lda, ldb;
    const float *bias; // [n] or NULL
    int act;           // activation op id, or 0
    float slope;
} gemm_job;

/* rows x cols of C, leading dimension ldc, starts as the bias row. */
static void fill_bias(float *c, int64_t rows, int64_t cols, int64_t ldc, const float *bias)
{
    for (int64_t r = 0; r < rows; r++)
        memcpy(c + r * ldc, bias, (size_t)cols * sizeof(float));
}

/* The activation's own kernel (its registry row), in place, row by row
 * unless the block is contiguous. */
static void activate_block(int act, float slope, float *c, int64_t rows, int64_t cols, int64_t ldc)
{
    int contiguous = cols == ldc;
    tg_node view = {.shape = tg_shape1(contiguous ? rows * cols : cols), .attr = {.f = {slope}}};
    tg_kernel_args k = {.node = &view};
    for (int64_t r = 0; r < (contiguous ? 1 : rows); r++) {
        k.in[0] = k.out = c + r * ldc;
        tg_registry[act].forward(&k);
    }
}

static void gemm_block(void *ctx, size_t begin, size_t end)
{
    const gemm_job *j = ctx;
    const float *a = j->a, *b = j->b;
    float *c = j->c;
    int64_t m = j->m, n = j->n;
    if (j->split_rows) { // rows [begin, end) of op(A) and of C
        a += j->ta ? (int64_t)begin : (int64_t)begin * j->lda;
        c += (int64_t)begin * n;
        m = (int64_t)(end - begin);
    } else {             // columns [begin, end) of op(B) and of C
        b += j->tb ? (int64_t)begin * j->ldb : (int64_t)begin;
        c += begin;
        n = (int64_t)(end - begin);
    }
    if (j->bias)
        fill_bias(c, m, n, j->n, j->bias + (j->split_rows ? 0 : begin));
    cblas_sgemm(CblasRowMajor, j->ta ? CblasTrans : CblasNoTrans, j->tb ? CblasTrans : CblasNoTrans, (int)m, (int)n,
                (int)j->k, 1.0f, a, j->lda, b, j->ldb, j->bias ? 1.0f : 0.0f, c, (int)j->n);
    if (j->act)
        activate_block(j->act, j->slope, c, m, n, j->n);
}

/* Row blocks of C mean each thread packs all of op(B): k n floats again
 * per thread, against m n k / threads multiply-adds, negligible from here. */
#define GEMM_ROW_SPLIT_MIN_ROWS 128

/* Below this many multiply-adds a GEMM is not worth splitting. */
#define GEMM_SPLIT_MIN (1 << 18)

static void run_gemm(gemm_job j, const tg_shape *sa, const tg_shape *sb)
{
    j.lda = (int)sa->d[1];
    j.ldb = (int)sb->d[1];
    int64_t kb;
    op_dims(sa, j.ta, &j.m, &j.k);
    op_dims(sb, j.tb, &kb, &j.n);
    /* Split C by rows when it is tall or has enough rows: each thread then
     * writes one contiguous block (for a weight's gradient, the rows the
     * optimizer's pass gives the same thread). Otherwise by columns, in
     * blocks of 16 so that each block's rows stay cache-line aligned. */
    j.split_rows = j.m > j.n || j.m >= GEMM_ROW_SPLIT_MIN_ROWS;
    size_t len = (size_t)(j.split_rows ? j.m : j.n), align = j.split_rows ? 4 : 16;
    size_t min_chunk = j.m * j.n * j.k < GEMM_SPLIT_MIN ? len : align;
    tg_parallel_for(len, align, min_chunk, gemm_block, &j);
}

void tg_fwd_matmul(const tg_kernel_args *k)
{
    gemm_job j = {.ta = k->node->attr.i[0], .tb = k->node->attr.i[1], .a = k->in[0], .b = k->in[1], .c = k->out};
    run_gemm(j, &k->in_nodes[0]->shape, &k->in_nodes[1]->shape);
}

/* C = op(A) op(B). Each case writes dA and dB as products of dC with the
 * other operand, choosing flags so that no explicit transpose is built. */
void tg_grad_matmul(tg_graph *g, tg_tensor y, tg_tensor dy, tg_tensor *dx)
{
    const tg_node *n = tg_nd(g, y);
    tg_tensor a = n->in[0], b = n->in[1];
    int ta = n->attr.i[0], tb = n->attr.i[1];
    if (!ta && !tb) {        /* C = A B */
        dx[0] = tg_matmul(g, dy, b, 0, 1);
        dx[1] = tg_matmul(g, a, dy, 1, 0);
    } else if (!ta && tb) {  /* C = A B^T */
        dx[0] = tg_matmul(g, dy, b, 0, 0);
        dx[1] = tg_matmul(g, dy, a, 1, 0);
    } else if (ta && !tb) {  /* C = A^T B */
        dx[0] = tg_matmul(g, b, dy, 0, 1);
        dx[1] = tg_matmul(g, a, dy, 0, 0);
    } else {                 /* C = A^T B^T */
        dx[0] = tg_matmul(g, b, dy, 1, 1);
        dx[1] = tg_matmul(g, dy, a, 1, 1);
    }
}

tg_tensor tg_matmul(tg_graph *g, tg_tensor a, tg_tensor b, int trans_a, int trans_b)
{
    if (a == TG_NONE || b == TG_NONE)
        return tg_graph_fail(g, "matmul: input is TG_NONE");
    tg_tensor in[2] = {a, b};
    tg_attr at = {.i = {trans_a != 0, trans_b != 0}};
    return tg_apply(g, TG_OP_MATMUL, in, 2, &at);
}

/* ---- linear: act(x w^T + bias) as one op ------------------------------- */

/* The fused op keeps no pre-activation: its activation's gradient must
 * follow from the output alone. */
static int fusable(int act, float slope)
{
    return act == 0 || tg_act_grad_from_output(act, slope) != 0;
}

int tg_shape_linear(const tg_graph *g, const tg_node *n, tg_shape *out, char *err, size_t len)
{
    const tg_node *x = tg_nd(g, n->in[0]), *w = tg_nd(g, n->in[1]), *b = tg_nd(g, n->in[2]);
    char sx[64], sw[64], sb[64];
    tg_shape_str(&x->shape, sx, sizeof sx);
    tg_shape_str(&w->shape, sw, sizeof sw);
    tg_shape_str(&b->shape, sb, sizeof sb);
    if (x->shape.ndim != 2 || w->shape.ndim != 2 || x->shape.d[1] != w->shape.d[1] || b->shape.ndim != 1 ||
        b->shape.d[0] != w->shape.d[0]) {
        snprintf(err, len, "linear: input '%s' %s, weight '%s' %s and bias '%s' %s do not fit [B, in], [out, in], [out]",
                 x->name, sx, w->name, sw, b->name, sb);
        return -1;
    }
    if (!fusable(n->attr.i[0], n->attr.f[0])) {
        snprintf(err, len, "linear: activation '%s' (slope %g) cannot be fused", tg_op_name(n->attr.i[0]),
                 (double)n->attr.f[0]);
        return -1;
    }
    *out = tg_shape2(x->shape.d[0], w->shape.d[0]);
    return 0;
}

void tg_fwd_linear(const tg_kernel_args *k)
{
    gemm_job j = {.tb = 1, .a = k->in[0], .b = k->in[1], .c = k->out, .bias = k->in[2],
                  .act = k->node->attr.i[0], .slope = k->node->attr.f[0]};
    run_gemm(j, &k->in_nodes[0]->shape, &k->in_nodes[1]->shape);
}

/* The unfused layer's backward: d = act'(y) dy, then the products and the
 * bias's row sum. */
void tg_grad_linear(tg_graph *g, tg_tensor y, tg_tensor dy, tg_tensor *dx)
{
    const tg_node *n = tg_nd(g, y);
    tg_tensor x = n->in[0], w = n->in[1], bias = n->in[2];
    tg_tensor d = n->attr.i[0] ? tg_act_backward(g, n->attr.i[0], dy, y, n->attr.f[0]) : dy; // [B, out]
    dx[0] = tg_matmul(g, d, w, 0, 0);  // [B, in]
    dx[1] = tg_matmul(g, d, x, 1, 0);  // [out, in]
    dx[2] = tg_unbroadcast(g, d, bias); // [out]
}

tg_tensor tg_linear_act(tg_graph *g, tg_tensor x, tg_tensor w, tg_tensor bias, int act, float slope)
{
    if (x == TG_NONE || w == TG_NONE)
        return tg_graph_fail(g, "linear: input is TG_NONE");
    if (bias == TG_NONE || !fusable(act, slope)) {
        tg_tensor y = tg_matmul(g, x, w, 0, 1); // [B, out] = [B, in] @ [out, in]^T
        if (bias != TG_NONE)
            y = tg_add(g, y, bias);
        return act ? tg_unary(g, act, y, slope) : y;
    }
    tg_tensor in[3] = {x, w, bias};
    tg_attr at = {.i = {act}, .f = {slope}};
    return tg_apply(g, TG_OP_LINEAR, in, 3, &at);
}

tg_tensor tg_linear(tg_graph *g, tg_tensor x, tg_tensor w, tg_tensor bias)
{
    return tg_linear_act(g, x, w, bias, 0, 0.0f);
}
