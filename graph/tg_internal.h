/* tg_internal.h - the structures shared by graph/ and ops/ (not installed). */
#ifndef TG_INTERNAL_H
#define TG_INTERNAL_H

#include "tg.h"
#include "tg_ops.h"

/* Where a node's memory comes from. */
typedef enum tg_storage {
    TG_STORE_ARENA,  /* intermediate: offset assigned by the planner */
    TG_STORE_INPUT,  /* bound by the caller */
    TG_STORE_PARAM,  /* parameter block at param_offset */
    TG_STORE_GRAD,   /* gradient block at the offset of parameter grad_of */
} tg_storage;

typedef struct tg_node {
    char      name[TG_NAME_LEN];
    int       op;
    tg_role   role;
    tg_dtype  dtype;
    tg_shape  shape;
    int       n_in;
    tg_tensor in[TG_MAX_INPUTS];
    tg_attr   attr;
    tg_storage storage;
    size_t    param_offset; /* TG_STORE_PARAM: offset in floats */
    tg_tensor grad_of;      /* TG_STORE_GRAD: the parameter */
} tg_node;

struct tg_graph {
    tg_node *nodes;
    int      n_nodes, cap_nodes;
    size_t   param_floats; /* running size of the parameter block (padded) */
    size_t   param_count;  /* scalars, without padding */
    float   *params;       /* allocated on first use, then frozen */
    float   *grads;
    int      failed;
    char     error[TG_ERROR_LEN];
};

/* Records the first error of a graph (later ones are dropped: the first is
 * the cause). Returns TG_NONE so builders can `return tg_graph_fail(...)`. */
tg_tensor tg_graph_fail(tg_graph *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static inline tg_node *tg_nd(const tg_graph *g, tg_tensor t) { return &g->nodes[t]; }

/* ---- the op registry ---------------------------------------------------
 *
 * One row per op. The shape rule writes the output shape or returns -1 with
 * a message (it sees the node with its inputs and attributes filled in). The
 * forward kernel reads its inputs and writes its output; when `inplace` is
 * set the planner may give the output the memory of input 0 (only when input
 * 0 has the output's size and dies at this node), so such kernels must be
 * correct when out == in[0]. The gradient rule receives the node and the
 * gradient of its output, and writes into dx[i] the gradient node of input i
 * (TG_NONE for none), building nodes with the ordinary builders. An op with
 * no gradient rule must say so with `no_grad` (backward helpers, constants)
 * so that a missing rule is never silent: the registry test fails on it.
 */
typedef struct tg_kernel_args {
    const tg_node *node;
    const tg_node *in_nodes[TG_MAX_INPUTS];
    const float   *in[TG_MAX_INPUTS];
    float         *out;
} tg_kernel_args;

typedef int  (*tg_shape_fn)(const tg_graph *g, const tg_node *n, tg_shape *out,
                            char *err, size_t errlen);
typedef void (*tg_forward_fn)(const tg_kernel_args *a);
typedef void (*tg_grad_fn)(tg_graph *g, tg_tensor y, tg_tensor dy, tg_tensor *dx);

typedef struct tg_op_def {
    const char   *name;
    int           arity;
    tg_shape_fn   shape;
    tg_forward_fn forward;
    tg_grad_fn    grad;
    unsigned      no_grad : 1;  /* declared non-differentiable */
    unsigned      inplace : 1;  /* output may reuse input 0's memory */
    /* Rows of the output are independent: rows [r0, r1) need only rows
     * [r0, r1) of each input that has the output's rank and row count, and
     * all of any other input (broadcast along rows). The interpreter may
     * then run the kernel on blocks of rows over the library's threads. */
    unsigned      rows : 1;
} tg_op_def;

extern const tg_op_def tg_registry[TG_OP_COUNT];

/* Shared helpers for ops. */
int  tg_broadcast_shape(const tg_shape *a, const tg_shape *b, tg_shape *out);
/* Reduces dy to the shape of x (sum over broadcast axes) when they differ. */
tg_tensor tg_unbroadcast(tg_graph *g, tg_tensor dy, tg_tensor x);

/* Shape rules used by several ops. */
int tg_shape_same_as_input(const tg_graph *g, const tg_node *n, tg_shape *out,
                           char *err, size_t errlen);
int tg_shape_broadcast(const tg_graph *g, const tg_node *n, tg_shape *out,
                       char *err, size_t errlen);

#endif
