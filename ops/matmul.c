/* matmul.c - matrix products through OpenBLAS, and the linear layer. */
#include "tg_kernels.h"

#include <cblas.h>

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

void tg_fwd_matmul(const tg_kernel_args *k)
{
    const tg_shape *sa = &k->in_nodes[0]->shape, *sb = &k->in_nodes[1]->shape;
    int ta = k->node->attr.i[0], tb = k->node->attr.i[1];
    int64_t m, kk, kb, n;
    op_dims(sa, ta, &m, &kk);
    op_dims(sb, tb, &kb, &n);
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                (int)m, (int)n, (int)kk, 1.0f, k->in[0], (int)sa->d[1], k->in[1], (int)sb->d[1],
                0.0f, k->out, (int)n);
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

tg_tensor tg_linear(tg_graph *g, tg_tensor x, tg_tensor w, tg_tensor bias)
{
    tg_tensor y = tg_matmul(g, x, w, 0, 1); // [B, out] = [B, in] @ [out, in]^T
    return bias == TG_NONE ? y : tg_add(g, y, bias);
}
