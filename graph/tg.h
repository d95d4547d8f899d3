/* tg.h - tinygraph: a static computation graph with autodiff, a memory
 * planner and an interpreter.
 *
 * The pipeline, one file per stage:
 *
 *   build  (graph/graph.c, ops/)      tensors and ops; every op's shape rule
 *                                    runs when the node is added
 *   grad   (graph/autodiff.c)        reverse pass appending backward nodes
 *                                    built with the same builder API
 *   plan   (graph/planner.c)         schedule, lifetimes, arena offsets
 *   run    (graph/interp.c)          kernels over the arena
 *
 * Tensors are handles (tg_tensor, an index into the graph). A builder call
 * whose inputs do not fit returns TG_NONE and records a message naming the
 * op, the nodes and their shapes; the first such message sticks and later
 * calls that receive TG_NONE return TG_NONE silently, so a whole model can be
 * built and checked once:
 *
 *     tg_tensor h = tg_relu(g, tg_linear(g, x, w1, b1));
 *     if (tg_graph_failed(g)) fprintf(stderr, "%s\n", tg_graph_error(g));
 *
 * Nothing in the library aborts or prints on a user error.
 */
#ifndef TG_H
#define TG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tg_error.h"

#define TG_MAX_DIMS 4
#define TG_MAX_INPUTS 4
#define TG_NAME_LEN 48
#define TG_ALIGN 64 /* bytes; every arena offset and parameter block */

typedef int32_t tg_tensor; /* handle: index of the node in its graph */
#define TG_NONE ((tg_tensor)-1)

typedef enum tg_dtype { TG_F32 = 0 } tg_dtype;

typedef enum tg_role {
    TG_ROLE_INPUT,        /* bound by the caller before each run */
    TG_ROLE_PARAM,        /* lives in the graph's contiguous parameter block */
    TG_ROLE_CONST,        /* produced by an op without inputs (fill, eye) */
    TG_ROLE_INTERMEDIATE, /* produced by an op; lives in a plan's arena */
} tg_role;

typedef struct tg_shape {
    int ndim;                   /* 0 = scalar */
    int64_t d[TG_MAX_DIMS];
} tg_shape;

/* Op attributes: a few scalars, interpreted by the op (see ops/tg_ops.h). */
typedef struct tg_attr {
    float f[2];
    int32_t i[4];
    tg_shape shape; /* target shape of reshape / broadcast_to / sum_to / fill */
} tg_attr;

typedef struct tg_graph tg_graph;
typedef struct tg_plan tg_plan;

/* ---- shapes ---------------------------------------------------------- */

tg_shape tg_shape1(int64_t d0);
tg_shape tg_shape2(int64_t d0, int64_t d1);
int64_t  tg_shape_numel(const tg_shape *s);
int      tg_shape_equal(const tg_shape *a, const tg_shape *b);
/* "[64, 784]" into buf; returns buf. */
char    *tg_shape_str(const tg_shape *s, char *buf, size_t len);

/* ---- graph ----------------------------------------------------------- */

tg_graph   *tg_graph_new(void);
void        tg_graph_free(tg_graph *g);
int         tg_graph_failed(const tg_graph *g);
const char *tg_graph_error(const tg_graph *g); /* "" when none */
void        tg_graph_clear_error(tg_graph *g);
int         tg_graph_size(const tg_graph *g);   /* number of nodes */

/* Leaves. */
tg_tensor tg_input(tg_graph *g, const char *name, tg_shape shape);
tg_tensor tg_param(tg_graph *g, const char *name, tg_shape shape);

/* Generic node constructor used by every op builder: checks the inputs,
 * runs the op's shape rule and appends the node. */
tg_tensor tg_apply(tg_graph *g, int op, const tg_tensor *inputs, int n_inputs,
                  const tg_attr *attr);

/* Renames a node (names appear in errors, dumps and DOT). Returns t. */
tg_tensor tg_name(tg_graph *g, tg_tensor t, const char *name);

/* Node introspection. */
const tg_shape *tg_shape_of(const tg_graph *g, tg_tensor t);
const char     *tg_name_of(const tg_graph *g, tg_tensor t);
tg_role         tg_role_of(const tg_graph *g, tg_tensor t);
int             tg_op_of(const tg_graph *g, tg_tensor t);
int             tg_input_of(const tg_graph *g, tg_tensor t, int i);
const tg_attr  *tg_attr_of(const tg_graph *g, tg_tensor t);
tg_tensor       tg_find(const tg_graph *g, const char *name);

/* ---- parameters and gradients (llm.c style contiguous blocks) --------- */

/* Parameters are laid out in creation order, each 64-byte aligned, in one
 * block; their gradients in a second block with the same layout. The blocks
 * are allocated (zeroed) on first use of any function below; no parameter can
 * be added after that. */
float  *tg_params(tg_graph *g);            /* whole parameter block */
float  *tg_grads(tg_graph *g);             /* whole gradient block */
size_t  tg_params_floats(tg_graph *g);     /* block length in floats (with padding) */
size_t  tg_params_count(const tg_graph *g);/* number of scalar parameters */
int     tg_param_list(const tg_graph *g, tg_tensor *out, int cap); /* returns count */
float  *tg_param_data(tg_graph *g, tg_tensor p);
float  *tg_grad_data(tg_graph *g, tg_tensor p);
size_t  tg_param_offset(tg_graph *g, tg_tensor p); /* in floats within the block */

/* ---- autodiff (graph/autodiff.c) -------------------------------------- */

/* Appends the backward graph of scalar `loss` with respect to params[0..n)
 * and writes the gradient node of params[i] into grads[i]. Each gradient
 * node writes straight into the gradient block. A parameter the loss does
 * not depend on gets a zero gradient. Several calls on one graph build
 * several gradient sets (one per loss); a plan may contain only one of them,
 * since they share the gradient block. Returns 0 or -1 (message in graph). */
int tg_gradients(tg_graph *g, tg_tensor loss, const tg_tensor *params, int n,
                 tg_tensor *grads);

/* ---- planning (graph/planner.c) --------------------------------------- */

typedef enum tg_planner {
    TG_PLAN_GREEDY = 0, /* best-fit by size with in-place reuse (default) */
    TG_PLAN_LINEAR = 1, /* every intermediate at its own offset: debugging */
} tg_planner;

typedef struct tg_plan_opts {
    tg_planner planner;
} tg_plan_opts;

typedef struct tg_mem_report {
    size_t naive_bytes;       /* sum of all intermediates */
    size_t planned_bytes;     /* arena size */
    size_t lower_bound_bytes; /* largest total of simultaneously live bytes */
    int    n_nodes;           /* nodes scheduled */
} tg_mem_report;

/* Compiles the nodes needed for outputs[0..n) into a schedule with an arena.
 * Outputs stay alive until the end of a run. opts may be NULL. Returns NULL
 * on error (message in graph). */
tg_plan *tg_plan_new(tg_graph *g, const tg_tensor *outputs, int n_outputs,
                     const tg_plan_opts *opts);
void     tg_plan_free(tg_plan *p);
tg_mem_report tg_plan_memory(const tg_plan *p);
/* Scheduled position of t in p, or -1 when t is not in the plan. */
int      tg_plan_position(const tg_plan *p, tg_tensor t);
/* Lifetime [first, last] in schedule positions and arena offset of t; an
 * offset of (size_t)-1 means t does not live in the arena. */
int      tg_plan_lifetime(const tg_plan *p, tg_tensor t, int *first, int *last,
                          size_t *offset);

/* ---- running (graph/interp.c) ----------------------------------------- */

/* Binds the memory of an input node for the following runs (not copied). */
int          tg_plan_bind(tg_plan *p, tg_tensor input, const float *data);
/* Runs the schedule. Returns -1 when an input is unbound (message in graph). */
int          tg_plan_run(tg_plan *p);
/* Memory of any scheduled node after a run (arena, parameter, gradient or
 * bound input). Valid until the next run. */
const float *tg_plan_data(const tg_plan *p, tg_tensor t);
/* Convenience: first element of a node (the value of a scalar loss). */
float        tg_plan_scalar(const tg_plan *p, tg_tensor t);

/* Profiling: with it on (again: from zero), every run adds each kernel's
 * wall time to its node; the print lists ops by total time, with their
 * share and time per run. */
int    tg_plan_profile(tg_plan *p, int on);
void   tg_plan_profile_print(const tg_plan *p, FILE *out);
/* Mean seconds per run of node t while profiling (0 when not scheduled). */
double tg_plan_node_seconds(const tg_plan *p, tg_tensor t);

/* Monotonic clock in seconds (profiling, trainers, tools). */
double tg_seconds(void);

/* Threads for everything the library computes: GEMMs (split into blocks,
 * each an OpenBLAS call on one thread: this sets OpenBLAS's own pool to one
 * thread), the larger elementwise kernels and the optimizer's pass. Results are bit-identical from run to run for one
 * thread count; another count may round GEMMs differently. */
void tg_set_threads(int n);

/* ---- listing (graph/dump.c) ------------------------------------------- */

/* One line per scheduled node: position, name, op, shape, lifetime, offset. */
void tg_plan_dump(const tg_plan *p, FILE *out);
void tg_mem_report_print(const tg_mem_report *m, FILE *out);
/* Graphviz DOT of the whole graph (plan may be NULL; with a plan, nodes
 * outside it are greyed and arena offsets shown). */
void tg_graph_dot(const tg_graph *g, const tg_plan *p, FILE *out);

#endif
