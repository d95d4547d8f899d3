/* planner.c - schedule, lifetimes and arena offsets (see tg_plan_internal.h
 * for the algorithm). */
#include "tg_plan_internal.h"

#include <stdlib.h>
#include <string.h>

static size_t align_up(size_t n) { return (n + TG_ALIGN - 1) / TG_ALIGN * TG_ALIGN; }

static size_t node_bytes(const tg_node *n)
{
    return (size_t)tg_shape_numel(&n->shape) * sizeof(float);
}

/* Marks the nodes the outputs depend on; returns how many. */
static int mark_needed(const tg_graph *g, const tg_tensor *outputs, int n_out, unsigned char *needed)
{
    int top = -1;
    for (int i = 0; i < n_out; i++) {
        needed[outputs[i]] = 1;
        if (outputs[i] > top)
            top = outputs[i];
    }
    int count = 0;
    for (int i = top; i >= 0; i--) {
        if (!needed[i])
            continue;
        count++;
        for (int k = 0; k < g->nodes[i].n_in; k++)
            needed[g->nodes[i].in[k]] = 1;
    }
    return count;
}

static int build_schedule(tg_plan *p, const tg_tensor *outputs, int n_out)
{
    tg_graph *g = p->g;
    unsigned char *needed = calloc((size_t)g->n_nodes, 1);
    if (!needed)
        return -1;
    p->n_slots = mark_needed(g, outputs, n_out, needed);
    p->slots = calloc((size_t)p->n_slots, sizeof *p->slots);
    if (!p->slots) {
        free(needed);
        return -1;
    }
    int pos = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        p->position[i] = needed[i] ? pos : -1;
        if (!needed[i])
            continue;
        tg_slot *s = &p->slots[pos];
        s->node = i;
        s->first = s->last = pos;
        s->buffer = -1;
        s->offset = TG_NOT_IN_ARENA;
        s->bytes = node_bytes(&g->nodes[i]);
        for (int k = 0; k < g->nodes[i].n_in; k++)
            p->slots[p->position[g->nodes[i].in[k]]].last = pos;
        pos++;
    }
    for (int i = 0; i < n_out; i++)
        p->slots[p->position[outputs[i]]].last = p->n_slots - 1;
    free(needed);
    return 0;
}

/* Two gradient sets would write the same gradient block in one run. */
static int check_gradient_sets(tg_plan *p)
{
    tg_graph *g = p->g;
    for (int a = 0; a < p->n_slots; a++) {
        const tg_node *na = &g->nodes[p->slots[a].node];
        if (na->storage != TG_STORE_GRAD)
            continue;
        for (int b = a + 1; b < p->n_slots; b++) {
            const tg_node *nb = &g->nodes[p->slots[b].node];
            if (nb->storage == TG_STORE_GRAD && nb->grad_of == na->grad_of)
                return tg_graph_fail(g, "plan: '%s' and '%s' both write the gradient of '%s'; "
                                     "a plan may contain one gradient set",
                                     na->name, nb->name, g->nodes[na->grad_of].name), -1;
        }
    }
    return 0;
}

static int can_take_over_input(const tg_plan *p, int pos)
{
    const tg_graph *g = p->g;
    const tg_node *n = &g->nodes[p->slots[pos].node];
    if (!tg_registry[n->op].inplace || n->n_in == 0 || n->storage != TG_STORE_ARENA)
        return 0;
    const tg_slot *in = &p->slots[p->position[n->in[0]]];
    return in->buffer >= 0 && in->bytes == p->slots[pos].bytes && in->last == pos;
}

static int assign_buffers(tg_plan *p)
{
    tg_graph *g = p->g;
    p->buffers = calloc((size_t)p->n_slots + 1, sizeof *p->buffers);
    if (!p->buffers)
        return -1;
    for (int pos = 0; pos < p->n_slots; pos++) {
        tg_slot *s = &p->slots[pos];
        if (g->nodes[s->node].storage != TG_STORE_ARENA)
            continue;
        p->mem.naive_bytes += align_up(s->bytes);
        if (p->planner == TG_PLAN_GREEDY && can_take_over_input(p, pos)) {
            s->buffer = p->slots[p->position[g->nodes[s->node].in[0]]].buffer;
        } else {
            s->buffer = p->n_buffers++;
            p->buffers[s->buffer] = (tg_buffer){align_up(s->bytes), s->first, s->last, 0};
        }
        if (s->last > p->buffers[s->buffer].last)
            p->buffers[s->buffer].last = s->last;
    }
    return 0;
}

static size_t liveness_lower_bound(const tg_plan *p)
{
    size_t best = 0;
    for (int t = 0; t < p->n_slots; t++) {
        size_t live = 0;
        for (int b = 0; b < p->n_buffers; b++)
            if (p->buffers[b].first <= t && t <= p->buffers[b].last)
                live += p->buffers[b].bytes;
        if (live > best)
            best = live;
    }
    return best;
}

static const tg_buffer *sort_base;

static int by_size_desc(const void *a, const void *b)
{
    const tg_buffer *x = &sort_base[*(const int *)a], *y = &sort_base[*(const int *)b];
    if (x->bytes != y->bytes)
        return x->bytes < y->bytes ? 1 : -1;
    if (x->first != y->first)
        return x->first - y->first;
    return *(const int *)a - *(const int *)b;
}

static int by_offset(const void *a, const void *b)
{
    const tg_buffer *x = &sort_base[*(const int *)a], *y = &sort_base[*(const int *)b];
    if (x->offset != y->offset)
        return x->offset < y->offset ? -1 : 1;
    return *(const int *)a - *(const int *)b;
}

static int overlap_in_time(const tg_buffer *a, const tg_buffer *b)
{
    return a->first <= b->last && b->first <= a->last;
}

/* Best-fit offset for buffers[b] among the already placed ones. */
static size_t best_fit(tg_plan *p, int b, const int *placed, int n_placed, int *scratch)
{
    const tg_buffer *buf = &p->buffers[b];
    int n = 0;
    for (int i = 0; i < n_placed; i++)
        if (overlap_in_time(buf, &p->buffers[placed[i]]))
            scratch[n++] = placed[i];
    sort_base = p->buffers;
    qsort(scratch, (size_t)n, sizeof *scratch, by_offset);
    size_t end = 0, best = TG_NOT_IN_ARENA, best_waste = TG_NOT_IN_ARENA;
    for (int i = 0; i < n; i++) {
        const tg_buffer *o = &p->buffers[scratch[i]];
        if (o->offset >= end && o->offset - end >= buf->bytes && o->offset - end - buf->bytes < best_waste) {
            best = end;
            best_waste = o->offset - end - buf->bytes;
        }
        if (o->offset + o->bytes > end)
            end = o->offset + o->bytes;
    }
    return best != TG_NOT_IN_ARENA ? best : end;
}

static int place_buffers(tg_plan *p)
{
    int n = p->n_buffers;
    int *order = malloc((size_t)(n + 1) * sizeof *order);
    int *scratch = malloc((size_t)(n + 1) * sizeof *scratch);
    if (!order || !scratch) {
        free(order);
        free(scratch);
        return -1;
    }
    for (int i = 0; i < n; i++)
        order[i] = i;
    if (p->planner == TG_PLAN_GREEDY) {
        sort_base = p->buffers;
        qsort(order, (size_t)n, sizeof *order, by_size_desc);
    }
    size_t linear_end = 0;
    for (int i = 0; i < n; i++) {
        tg_buffer *b = &p->buffers[order[i]];
        if (p->planner == TG_PLAN_GREEDY) {
            b->offset = best_fit(p, order[i], order, i, scratch);
        } else {
            b->offset = linear_end;
            linear_end += b->bytes;
        }
        if (b->offset + b->bytes > p->arena_bytes)
            p->arena_bytes = b->offset + b->bytes;
    }
    free(order);
    free(scratch);
    for (int pos = 0; pos < p->n_slots; pos++)
        if (p->slots[pos].buffer >= 0)
            p->slots[pos].offset = p->buffers[p->slots[pos].buffer].offset;
    return 0;
}

static int check_outputs(tg_graph *g, const tg_tensor *outputs, int n_out)
{
    if (g->failed)
        return -1;
    if (n_out <= 0)
        return tg_graph_fail(g, "plan: no outputs"), -1;
    for (int i = 0; i < n_out; i++)
        if (outputs[i] < 0 || outputs[i] >= g->n_nodes)
            return tg_graph_fail(g, "plan: output %d is not a node of this graph", i), -1;
    return 0;
}

tg_plan *tg_plan_new(tg_graph *g, const tg_tensor *outputs, int n_out, const tg_plan_opts *opts)
{
    if (check_outputs(g, outputs, n_out) != 0 || !tg_params(g))
        return NULL;
    tg_plan *p = calloc(1, sizeof *p);
    if (!p) {
        tg_graph_fail(g, "plan: out of memory");
        return NULL;
    }
    p->g = g;
    p->planner = opts ? opts->planner : TG_PLAN_GREEDY;
    p->position = malloc((size_t)g->n_nodes * sizeof *p->position);
    p->bound = calloc((size_t)g->n_nodes, sizeof *p->bound);
    int ok = p->position && p->bound && build_schedule(p, outputs, n_out) == 0;
    ok = ok && check_gradient_sets(p) == 0;
    ok = ok && assign_buffers(p) == 0 && place_buffers(p) == 0;
    if (ok && p->arena_bytes) {
        p->arena = aligned_alloc(TG_ALIGN, p->arena_bytes);
        ok = p->arena != NULL;
    }
    if (!ok) {
        tg_graph_fail(g, "plan: out of memory");
        tg_plan_free(p);
        return NULL;
    }
    p->mem.planned_bytes = p->arena_bytes;
    p->mem.lower_bound_bytes = liveness_lower_bound(p);
    p->mem.n_nodes = p->n_slots;
    return p;
}

void tg_plan_free(tg_plan *p)
{
    if (!p)
        return;
    free(p->slots);
    free(p->position);
    free(p->buffers);
    free(p->arena);
    free(p->bound);
    free(p->slot_seconds);
    free(p);
}

tg_mem_report tg_plan_memory(const tg_plan *p) { return p->mem; }

int tg_plan_position(const tg_plan *p, tg_tensor t)
{
    return t >= 0 && t < p->g->n_nodes ? p->position[t] : -1;
}

int tg_plan_lifetime(const tg_plan *p, tg_tensor t, int *first, int *last, size_t *offset)
{
    int pos = tg_plan_position(p, t);
    if (pos < 0)
        return -1;
    *first = p->slots[pos].first;
    *last = p->slots[pos].last;
    *offset = p->slots[pos].offset;
    return 0;
}
