/* autodiff.c - reverse-mode differentiation by graph rewriting.
 *
 * Nodes are appended in topological order (an op's inputs always exist
 * before it), so walking node indices downward from the loss visits every
 * consumer before its producers. For each node that both depends on a
 * requested parameter and feeds the loss, the op's gradient rule (a row of
 * the registry) builds the input gradients with the ordinary builders; a
 * tensor with several consumers receives the sum of their contributions.
 * The backward nodes are plain nodes: shape-checked, planned and run like the
 * forward ones.
 */
#include "tg_internal.h"

#include <stdlib.h>
#include <string.h>

/* needed[i]: node i lies on a path from a requested parameter to the loss. */
static unsigned char *path_mask(const tg_graph *g, tg_tensor loss, const tg_tensor *params, int n)
{
    int count = loss + 1;
    unsigned char *from_param = calloc((size_t)count, 1);
    unsigned char *to_loss = calloc((size_t)count, 1);
    if (!from_param || !to_loss) {
        free(from_param);
        free(to_loss);
        return NULL;
    }
    for (int i = 0; i < n; i++)
        if (params[i] <= loss)
            from_param[params[i]] = 1;
    for (int i = 0; i < count; i++) {
        const tg_node *nd = &g->nodes[i];
        for (int k = 0; k < nd->n_in; k++)
            from_param[i] |= from_param[nd->in[k]];
    }
    to_loss[loss] = 1;
    for (int i = loss; i >= 0; i--) {
        if (!to_loss[i])
            continue;
        const tg_node *nd = &g->nodes[i];
        for (int k = 0; k < nd->n_in; k++)
            to_loss[nd->in[k]] = 1;
    }
    for (int i = 0; i < count; i++)
        from_param[i] &= to_loss[i];
    free(to_loss);
    return from_param;
}

static void accumulate(tg_graph *g, tg_tensor *grad, tg_tensor x, tg_tensor contribution)
{
    if (contribution == TG_NONE)
        return;
    grad[x] = grad[x] == TG_NONE ? contribution : tg_add(g, grad[x], contribution);
}

/* The gradient node of a parameter gets its memory in the gradient block, so
 * it must be a node made by this pass for this parameter alone. */
static tg_tensor own_gradient_node(tg_graph *g, tg_tensor grad, int first_new, tg_tensor param)
{
    if (grad == TG_NONE)
        grad = tg_zeros(g, g->nodes[param].shape);
    else if (grad < first_new || g->nodes[grad].storage != TG_STORE_ARENA)
        grad = tg_copy(g, grad);
    if (grad == TG_NONE)
        return TG_NONE;
    tg_node *n = &g->nodes[grad];
    n->storage = TG_STORE_GRAD;
    n->grad_of = param;
    snprintf(n->name, sizeof n->name, "grad_%.*s", TG_NAME_LEN - 6, g->nodes[param].name);
    return grad;
}

static int check_request(tg_graph *g, tg_tensor loss, const tg_tensor *params, int n)
{
    if (g->failed)
        return -1;
    if (loss < 0 || loss >= g->n_nodes)
        return tg_graph_fail(g, "gradients: loss is not a node of this graph"), -1;
    if (tg_shape_numel(&g->nodes[loss].shape) != 1) {
        char sb[64];
        return tg_graph_fail(g, "gradients: loss '%s' must be a scalar, has shape %s",
                             g->nodes[loss].name, tg_shape_str(&g->nodes[loss].shape, sb, sizeof sb)), -1;
    }
    for (int i = 0; i < n; i++)
        if (params[i] < 0 || params[i] >= g->n_nodes || g->nodes[params[i]].role != TG_ROLE_PARAM)
            return tg_graph_fail(g, "gradients: argument %d is not a parameter", i), -1;
    return 0;
}

int tg_gradients(tg_graph *g, tg_tensor loss, const tg_tensor *params, int n, tg_tensor *grads)
{
    if (check_request(g, loss, params, n) != 0)
        return -1;
    unsigned char *needed = path_mask(g, loss, params, n);
    tg_tensor *grad = malloc((size_t)(loss + 1) * sizeof *grad);
    if (!needed || !grad) {
        free(needed);
        free(grad);
        return tg_graph_fail(g, "gradients: out of memory"), -1;
    }
    for (int i = 0; i <= loss; i++)
        grad[i] = TG_NONE;

    int first_new = g->n_nodes;
    if (needed[loss])
        grad[loss] = tg_fill(g, g->nodes[loss].shape, 1.0f);
    for (int i = loss; i >= 0 && !g->failed; i--) {
        if (!needed[i] || grad[i] == TG_NONE || g->nodes[i].op == TG_OP_LEAF)
            continue;
        const tg_node nd = g->nodes[i]; /* copy: builders may move the array */
        const tg_op_def *def = &tg_registry[nd.op];
        if (!def->grad) {
            tg_graph_fail(g, "gradients: op %s ('%s') has no gradient rule", def->name, nd.name);
            break;
        }
        tg_tensor dx[TG_MAX_INPUTS];
        for (int k = 0; k < TG_MAX_INPUTS; k++)
            dx[k] = TG_NONE;
        def->grad(g, i, grad[i], dx);
        for (int k = 0; k < nd.n_in; k++)
            if (needed[nd.in[k]])
                accumulate(g, grad, nd.in[k], dx[k]);
    }
    for (int i = 0; i < n && !g->failed; i++)
        grads[i] = own_gradient_node(g, params[i] <= loss ? grad[params[i]] : TG_NONE,
                                     first_new, params[i]);
    free(needed);
    free(grad);
    return g->failed ? -1 : 0;
}
