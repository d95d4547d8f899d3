/* interp.c - runs a plan's schedule over its arena. */
#include "tg_plan_internal.h"

#include <cblas.h>
#include <stdlib.h>
#include <time.h>

#include "tg_parallel.h"

double tg_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

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

/* ---- row blocks over threads ------------------------------------------ */

/* Below this many output elements a kernel runs whole: a hand-off to the
 * other threads costs about as much as a few thousand elements. */
#define ROW_SPLIT_MIN_ELEMENTS (1 << 14)

static int64_t row_floats(const tg_shape *s)
{
    return s->d[0] ? tg_shape_numel(s) / s->d[0] : 0;
}

/* Runs the kernel on rows [begin, end) of its output: the node and every
 * row-aligned input are narrowed copies; broadcast inputs stay whole. */
static void run_rows(void *ctx, size_t begin, size_t end)
{
    const tg_kernel_args *whole = ctx;
    const tg_node *n = whole->node;
    tg_node out = *n, in[TG_MAX_INPUTS];
    tg_kernel_args a = *whole;
    out.shape.d[0] = (int64_t)(end - begin);
    a.node = &out;
    a.out += (int64_t)begin * row_floats(&n->shape);
    for (int k = 0; k < n->n_in; k++) {
        const tg_shape *s = &whole->in_nodes[k]->shape;
        if (s->ndim != n->shape.ndim || s->d[0] != n->shape.d[0])
            continue;
        in[k] = *whole->in_nodes[k];
        in[k].shape.d[0] = (int64_t)(end - begin);
        a.in_nodes[k] = &in[k];
        a.in[k] += (int64_t)begin * row_floats(s);
    }
    tg_registry[n->op].forward(&a);
}

static void run_kernel(const tg_kernel_args *a)
{
    const tg_node *n = a->node;
    int64_t rows = n->shape.ndim ? n->shape.d[0] : 1, numel = tg_shape_numel(&n->shape);
    if (!tg_registry[n->op].rows || rows < 2 || numel < ROW_SPLIT_MIN_ELEMENTS) {
        tg_registry[n->op].forward(a);
        return;
    }
    size_t min_rows = (size_t)((ROW_SPLIT_MIN_ELEMENTS / 2 + row_floats(&n->shape) - 1) / row_floats(&n->shape));
    tg_parallel_for((size_t)rows, 1, min_rows, run_rows, (void *)a);
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
        if (p->slot_seconds) {
            double t0 = tg_seconds();
            run_kernel(&a);
            p->slot_seconds[pos] += tg_seconds() - t0;
        } else {
            run_kernel(&a);
        }
    }
    p->profiled_runs += p->slot_seconds != NULL;
    return 0;
}

int tg_plan_profile(tg_plan *p, int on)
{
    free(p->slot_seconds);
    p->slot_seconds = NULL;
    p->profiled_runs = 0;
    if (on && !(p->slot_seconds = calloc((size_t)p->n_slots, sizeof(double))))
        return tg_graph_fail(p->g, "profile: out of memory"), -1;
    return 0;
}

double tg_plan_node_seconds(const tg_plan *p, tg_tensor t)
{
    int pos = tg_plan_position(p, t);
    if (!p->slot_seconds || p->profiled_runs == 0 || pos < 0)
        return 0.0;
    return p->slot_seconds[pos] / (double)p->profiled_runs;
}

void tg_plan_profile_print(const tg_plan *p, FILE *out)
{
    if (!p->slot_seconds || p->profiled_runs == 0)
        return;
    double total = 0.0, op_seconds[TG_OP_COUNT] = {0};
    for (int pos = 0; pos < p->n_slots; pos++) {
        op_seconds[p->g->nodes[p->slots[pos].node].op] += p->slot_seconds[pos];
        total += p->slot_seconds[pos];
    }
    int order[TG_OP_COUNT], n = 0;
    for (int op = 0; op < TG_OP_COUNT; op++)
        if (op_seconds[op] > 0)
            order[n++] = op;
    for (int i = 1; i < n; i++) /* insertion sort, by time descending */
        for (int j = i; j > 0 && op_seconds[order[j]] > op_seconds[order[j - 1]]; j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    fprintf(out, "profile over %ld runs: %.3f ms per run\n", p->profiled_runs, 1e3 * total / p->profiled_runs);
    for (int i = 0; i < n; i++)
        fprintf(out, "  %-16s %8.3f ms/run  %5.1f%%\n", tg_registry[order[i]].name,
                1e3 * op_seconds[order[i]] / p->profiled_runs, 100.0 * op_seconds[order[i]] / total);
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

/* One owner of the cores: OpenBLAS runs each call on the calling thread and
 * the library splits the work itself (tg_parallel.h). */
void tg_set_threads(int n)
{
    openblas_set_num_threads(1);
    tg_parallel_set_threads(n);
}
