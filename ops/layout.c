/* layout.c - reshape and 2-D transpose. */
#include "tg_kernels.h"

#include <string.h>

int tg_shape_reshape(const tg_graph *g, const tg_node *n, tg_shape *out, char *err, size_t len)
{
    const tg_node *x = tg_nd(g, n->in[0]);
    if (tg_shape_numel(&x->shape) != tg_shape_numel(&n->attr.shape)) {
        char s1[64], s2[64];
        snprintf(err, len, "reshape: '%s' %s (%lld elements) cannot become %s (%lld elements)", x->name,
                 tg_shape_str(&x->shape, s1, sizeof s1), (long long)tg_shape_numel(&x->shape),
                 tg_shape_str(&n->attr.shape, s2, sizeof s2), (long long)tg_shape_numel(&n->attr.shape));
        return -1;
    }
    *out = n->attr.shape;
    return 0;
}

void tg_grad_reshape(tg_graph *g, tg_tensor y, tg_tensor dy, tg_tensor *dx)
{
    dx[0] = tg_reshape(g, dy, tg_nd(g, tg_nd(g, y)->in[0])->shape);
}

int tg_shape_transpose(const tg_graph *g, const tg_node *n, tg_shape *out, char *err, size_t len)
{
    const tg_node *x = tg_nd(g, n->in[0]);
    if (x->shape.ndim != 2) {
        char s1[64];
        snprintf(err, len, "transpose: '%s' %s must be 2-D", x->name, tg_shape_str(&x->shape, s1, sizeof s1));
        return -1;
    }
    *out = tg_shape2(x->shape.d[1], x->shape.d[0]);
    return 0;
}

void tg_fwd_transpose(const tg_kernel_args *k)
{
    int64_t rows = k->in_nodes[0]->shape.d[0], cols = k->in_nodes[0]->shape.d[1];
    for (int64_t r = 0; r < rows; r++)
        for (int64_t c = 0; c < cols; c++)
            k->out[c * rows + r] = k->in[0][r * cols + c];
}

void tg_grad_transpose(tg_graph *g, tg_tensor y, tg_tensor dy, tg_tensor *dx)
{
    (void)y;
    dx[0] = tg_transpose(g, dy);
}

tg_tensor tg_transpose(tg_graph *g, tg_tensor x)
{
    if (x == TG_NONE)
        return tg_graph_fail(g, "transpose: input is TG_NONE");
    return tg_apply(g, TG_OP_TRANSPOSE, &x, 1, NULL);
}
