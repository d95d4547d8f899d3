/* const.c - ops without inputs: fill and identity. */
#include "tg_kernels.h"

#include <string.h>

int tg_shape_fill(const tg_graph *g, const tg_node *n, tg_shape *out, char *err, size_t len)
{
    (void)g; (void)err; (void)len;
    *out = n->attr.shape;
    return 0;
}

void tg_fwd_fill(const tg_kernel_args *a)
{
    int64_t n = tg_shape_numel(&a->node->shape);
    float v = a->node->attr.f[0];
    for (int64_t i = 0; i < n; i++)
        a->out[i] = v;
}

int tg_shape_eye(const tg_graph *g, const tg_node *n, tg_shape *out, char *err, size_t len)
{
    (void)g;
    if (n->attr.i[0] <= 0) {
        snprintf(err, len, "eye: size must be positive, got %d", n->attr.i[0]);
        return -1;
    }
    *out = tg_shape2(n->attr.i[0], n->attr.i[0]);
    return 0;
}

void tg_fwd_eye(const tg_kernel_args *a)
{
    int64_t n = a->node->shape.d[0];
    memset(a->out, 0, (size_t)(n * n) * sizeof(float));
    for (int64_t i = 0; i < n; i++)
        a->out[i * n + i] = 1.0f;
}

tg_tensor tg_fill(tg_graph *g, tg_shape shape, float value)
{
    tg_attr at = {.f = {value}, .shape = shape};
    return tg_apply(g, TG_OP_FILL, NULL, 0, &at);
}

tg_tensor tg_zeros(tg_graph *g, tg_shape shape) { return tg_fill(g, shape, 0.0f); }

tg_tensor tg_eye(tg_graph *g, int64_t n)
{
    tg_attr at = {.i = {(int32_t)n}};
    return tg_apply(g, TG_OP_EYE, NULL, 0, &at);
}
