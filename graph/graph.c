/* graph.c - the graph IR: nodes, leaves, the generic node constructor and the
 * parameter / gradient blocks. */
#include "tg_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- shapes ---------------------------------------------------------- */

tg_shape tg_shape1(int64_t d0) { return (tg_shape){1, {d0, 0, 0, 0}}; }
tg_shape tg_shape2(int64_t d0, int64_t d1) { return (tg_shape){2, {d0, d1, 0, 0}}; }

int64_t tg_shape_numel(const tg_shape *s)
{
    int64_t n = 1;
    for (int i = 0; i < s->ndim; i++)
        n *= s->d[i];
    return n;
}

int tg_shape_equal(const tg_shape *a, const tg_shape *b)
{
    if (a->ndim != b->ndim)
        return 0;
    for (int i = 0; i < a->ndim; i++)
        if (a->d[i] != b->d[i])
            return 0;
    return 1;
}

char *tg_shape_str(const tg_shape *s, char *buf, size_t len)
{
    size_t used = (size_t)snprintf(buf, len, "[");
    for (int i = 0; i < s->ndim && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, i ? ", %lld" : "%lld", (long long)s->d[i]);
    if (used < len)
        snprintf(buf + used, len - used, "]");
    return buf;
}

static int shape_valid(const tg_shape *s)
{
    if (s->ndim < 0 || s->ndim > TG_MAX_DIMS)
        return 0;
    for (int i = 0; i < s->ndim; i++)
        if (s->d[i] <= 0)
            return 0;
    return 1;
}

/* ---- graph ----------------------------------------------------------- */

tg_graph *tg_graph_new(void)
{
    return calloc(1, sizeof(tg_graph));
}

void tg_graph_free(tg_graph *g)
{
    if (!g)
        return;
    free(g->nodes);
    free(g->params);
    free(g->grads);
    free(g);
}

int tg_graph_failed(const tg_graph *g) { return g->failed; }
const char *tg_graph_error(const tg_graph *g) { return g->error; }
int tg_graph_size(const tg_graph *g) { return g->n_nodes; }

void tg_graph_clear_error(tg_graph *g)
{
    g->failed = 0;
    g->error[0] = '\0';
}

tg_tensor tg_graph_fail(tg_graph *g, const char *fmt, ...)
{
    if (!g->failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(g->error, sizeof g->error, fmt, ap);
        va_end(ap);
        g->failed = 1;
    }
    return TG_NONE;
}

static tg_node *append_node(tg_graph *g)
{
    if (g->n_nodes == g->cap_nodes) {
        int cap = g->cap_nodes ? 2 * g->cap_nodes : 64;
        tg_node *nodes = realloc(g->nodes, (size_t)cap * sizeof *nodes);
        if (!nodes)
            return NULL;
        g->nodes = nodes;
        g->cap_nodes = cap;
    }
    tg_node *n = &g->nodes[g->n_nodes];
    memset(n, 0, sizeof *n);
    n->grad_of = TG_NONE;
    return n;
}

static tg_tensor add_leaf(tg_graph *g, const char *name, tg_shape shape, tg_role role)
{
    char sb[64];
    if (!shape_valid(&shape))
        return tg_graph_fail(g, "%s '%s': invalid shape %s (1 to %d positive dimensions)",
                             role == TG_ROLE_PARAM ? "param" : "input", name,
                             tg_shape_str(&shape, sb, sizeof sb), TG_MAX_DIMS);
    if (role == TG_ROLE_PARAM && g->params)
        return tg_graph_fail(g, "param '%s': added after the parameter block was allocated", name);
    tg_node *n = append_node(g);
    if (!n)
        return tg_graph_fail(g, "out of memory adding '%s'", name);
    snprintf(n->name, sizeof n->name, "%s", name);
    n->op = TG_OP_LEAF;
    n->role = role;
    n->shape = shape;
    if (role == TG_ROLE_PARAM) {
        size_t numel = (size_t)tg_shape_numel(&shape);
        size_t align = TG_ALIGN / sizeof(float);
        n->storage = TG_STORE_PARAM;
        n->param_offset = g->param_floats;
        g->param_floats += (numel + align - 1) / align * align;
        g->param_count += numel;
    } else {
        n->storage = TG_STORE_INPUT;
    }
    return g->n_nodes++;
}

tg_tensor tg_input(tg_graph *g, const char *name, tg_shape shape)
{
    if (g->failed)
        return TG_NONE;
    return add_leaf(g, name, shape, TG_ROLE_INPUT);
}

tg_tensor tg_param(tg_graph *g, const char *name, tg_shape shape)
{
    if (g->failed)
        return TG_NONE;
    return add_leaf(g, name, shape, TG_ROLE_PARAM);
}

static int valid_handle(const tg_graph *g, tg_tensor t)
{
    return t >= 0 && t < g->n_nodes;
}

tg_tensor tg_apply(tg_graph *g, int op, const tg_tensor *inputs, int n_inputs,
                  const tg_attr *attr)
{
    if (g->failed)
        return TG_NONE;
    if (op <= TG_OP_LEAF || op >= TG_OP_COUNT)
        return tg_graph_fail(g, "unknown op id %d", op);
    const tg_op_def *def = &tg_registry[op];
    if (n_inputs != def->arity)
        return tg_graph_fail(g, "%s: takes %d inputs, got %d", def->name, def->arity, n_inputs);
    for (int i = 0; i < n_inputs; i++)
        if (!valid_handle(g, inputs[i]))
            return tg_graph_fail(g, "%s: input %d is not a node of this graph (%d)",
                                 def->name, i, inputs[i]);

    tg_node *n = append_node(g);
    if (!n)
        return tg_graph_fail(g, "%s: out of memory", def->name);
    n->op = op;
    n->role = n_inputs ? TG_ROLE_INTERMEDIATE : TG_ROLE_CONST;
    n->storage = TG_STORE_ARENA;
    n->n_in = n_inputs;
    for (int i = 0; i < n_inputs; i++)
        n->in[i] = inputs[i];
    if (attr)
        n->attr = *attr;
    snprintf(n->name, sizeof n->name, "%s_%d", def->name, g->n_nodes);

    char why[TG_ERROR_LEN];
    why[0] = '\0';
    if (def->shape(g, n, &n->shape, why, sizeof why) != 0)
        return tg_graph_fail(g, "%s", why); /* node not committed */
    if (!shape_valid(&n->shape))
        return tg_graph_fail(g, "%s: produced an invalid shape", def->name);
    return g->n_nodes++;
}

tg_tensor tg_name(tg_graph *g, tg_tensor t, const char *name)
{
    if (valid_handle(g, t))
        snprintf(g->nodes[t].name, sizeof g->nodes[t].name, "%s", name);
    return t;
}

const tg_shape *tg_shape_of(const tg_graph *g, tg_tensor t) { return &g->nodes[t].shape; }
const char *tg_name_of(const tg_graph *g, tg_tensor t) { return g->nodes[t].name; }
tg_role tg_role_of(const tg_graph *g, tg_tensor t) { return g->nodes[t].role; }
int tg_op_of(const tg_graph *g, tg_tensor t) { return g->nodes[t].op; }
const tg_attr *tg_attr_of(const tg_graph *g, tg_tensor t) { return &g->nodes[t].attr; }

int tg_input_of(const tg_graph *g, tg_tensor t, int i)
{
    return i < g->nodes[t].n_in ? g->nodes[t].in[i] : TG_NONE;
}

tg_tensor tg_find(const tg_graph *g, const char *name)
{
    for (int i = 0; i < g->n_nodes; i++)
        if (strcmp(g->nodes[i].name, name) == 0)
            return i;
    return TG_NONE;
}

/* ---- parameter and gradient blocks ------------------------------------ */

static int ensure_blocks(tg_graph *g)
{
    if (g->params)
        return 0;
    size_t bytes = (g->param_floats ? g->param_floats : 1) * sizeof(float);
    bytes = (bytes + TG_ALIGN - 1) / TG_ALIGN * TG_ALIGN;
    g->params = aligned_alloc(TG_ALIGN, bytes);
    g->grads = aligned_alloc(TG_ALIGN, bytes);
    if (!g->params || !g->grads) {
        free(g->params);
        free(g->grads);
        g->params = g->grads = NULL;
        tg_graph_fail(g, "out of memory allocating %zu bytes of parameters", bytes);
        return -1;
    }
    memset(g->params, 0, bytes);
    memset(g->grads, 0, bytes);
    return 0;
}

float *tg_params(tg_graph *g) { return ensure_blocks(g) ? NULL : g->params; }
float *tg_grads(tg_graph *g) { return ensure_blocks(g) ? NULL : g->grads; }
size_t tg_params_floats(tg_graph *g) { return g->param_floats; }
size_t tg_params_count(const tg_graph *g) { return g->param_count; }
size_t tg_param_offset(tg_graph *g, tg_tensor p) { return g->nodes[p].param_offset; }

int tg_param_list(const tg_graph *g, tg_tensor *out, int cap)
{
    int count = 0;
    for (int i = 0; i < g->n_nodes; i++)
        if (g->nodes[i].role == TG_ROLE_PARAM) {
            if (count < cap)
                out[count] = i;
            count++;
        }
    return count;
}

float *tg_param_data(tg_graph *g, tg_tensor p)
{
    if (!valid_handle(g, p) || g->nodes[p].role != TG_ROLE_PARAM || ensure_blocks(g))
        return NULL;
    return g->params + g->nodes[p].param_offset;
}

float *tg_grad_data(tg_graph *g, tg_tensor p)
{
    if (!valid_handle(g, p) || g->nodes[p].role != TG_ROLE_PARAM || ensure_blocks(g))
        return NULL;
    return g->grads + g->nodes[p].param_offset;
}
