/* interp.c - runs a plan's schedule over its arena. */
#include "tg_plan_internal.h"

#include <cblas.h>

static float *node_memory(const tg_plan *p, int pos)
{
    const tg_graph *g = p->g;
    const tg_slot *s = &p->slots[pos];
    const tg_node *n = &g->nodes[s->node];
    switch (n->storage) {
    case TG_STORE_ARENA: return (float *)(p->arena + s->offset);
    case TG_STORE_INPUT: return (float *)p->bound[s->node];
    case TG_STORE_PARAM: return g->params + n->param_offset;
    case TG_STORE_GRAD:  return g->grads + g->nodes[n->grad_of].param_offset;
    }
    return NULL;
}

int tg_plan_bind(tg_plan *p, tg_tensor input, const float *data)
{
    if (input < 0 || input >= p->g->n_nodes || p->g->nodes[input].storage != TG_STORE_INPUT)
        return tg_graph_fail(p->g, "bind: node %d is not an input", input), -1;
    p->bound[input] = data;
    return 0;
}

int tg_plan_run(tg_plan *p)
{
    const tg_graph *g = p->g;
    for (int pos = 0; pos < p->n_slots; pos++) {
        const tg_node *n = &g->nodes[p->slots[pos].node];
        if (n->storage == TG_STORE_INPUT && !p->bound[p->slots[pos].node])
            return tg_graph_fail(p->g, "run: input '%s' is not bound", n->name), -1;
    }
    for (int pos = 0; pos < p->n_slots; pos++) {
        const tg_node *n = &g->nodes[p->slots[pos].node];
        if (n->op == TG_OP_LEAF)
            continue;
        tg_kernel_args a = {.node = n, .out = node_memory(p, pos)};
        for (int k = 0; k < n->n_in; k++) {
            a.in_nodes[k] = &g->nodes[n->in[k]];
            a.in[k] = node_memory(p, p->position[n->in[k]]);
        }
        tg_registry[n->op].forward(&a);
    }
    return 0;
}

const float *tg_plan_data(const tg_plan *p, tg_tensor t)
{
    int pos = tg_plan_position(p, t);
    return pos < 0 ? NULL : node_memory(p, pos);
}

float tg_plan_scalar(const tg_plan *p, tg_tensor t)
{
    const float *d = tg_plan_data(p, t);
    return d ? d[0] : 0.0f;
}

void tg_set_threads(int n)
{
    openblas_set_num_threads(n > 0 ? n : 1);
}
