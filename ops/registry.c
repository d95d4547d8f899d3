/* registry.c - the op table: one row per op.
 *
 * Adding an op: an id in tg_ops.h, a row here, and its shape rule, forward
 * kernel, gradient rule and builder in the file of its family. A row without
 * a gradient rule must say `no_grad`; the registry test walks this table and
 * checks every gradient rule against finite differences. `rows` marks ops
 * whose output rows are independent (see tg_op_def), which the interpreter
 * splits over threads.
 */
#include "tg_kernels.h"

#define SAME tg_shape_same_as_input
#define BCAST tg_shape_broadcast

const tg_op_def tg_registry[TG_OP_COUNT] = {
    /*                  name               arity shape              forward              gradient */
    [TG_OP_LEAF]        = {"leaf",            0, NULL,              NULL,                NULL, .no_grad = 1},
    [TG_OP_FILL]        = {"fill",            0, tg_shape_fill,     tg_fwd_fill,         NULL, .no_grad = 1},
    [TG_OP_EYE]         = {"eye",             0, tg_shape_eye,      tg_fwd_eye,          NULL, .no_grad = 1},
    [TG_OP_ADD]         = {"add",             2, BCAST,             tg_fwd_add,          tg_grad_add,  .inplace = 1, .rows = 1},
    [TG_OP_SUB]         = {"sub",             2, BCAST,             tg_fwd_sub,          tg_grad_sub,  .inplace = 1, .rows = 1},
    [TG_OP_MUL]         = {"mul",             2, BCAST,             tg_fwd_mul,          tg_grad_mul,  .inplace = 1, .rows = 1},
    [TG_OP_DIV]         = {"div",             2, BCAST,             tg_fwd_div,          tg_grad_div,  .inplace = 1, .rows = 1},
    [TG_OP_SCALE]       = {"scale",           1, SAME,              tg_fwd_scale,        tg_grad_scale, .inplace = 1, .rows = 1},
    [TG_OP_ADD_SCALAR]  = {"add_scalar",      1, SAME,              tg_fwd_add_scalar,   tg_grad_identity, .inplace = 1, .rows = 1},
    [TG_OP_NEG]         = {"neg",             1, SAME,              tg_fwd_neg,          tg_grad_neg,  .inplace = 1, .rows = 1},
    [TG_OP_EXP]         = {"exp",             1, SAME,              tg_fwd_exp,          tg_grad_exp,  .inplace = 1, .rows = 1},
    [TG_OP_LOG]         = {"log",             1, SAME,              tg_fwd_log,          tg_grad_log,  .inplace = 1, .rows = 1},
    [TG_OP_SQRT]        = {"sqrt",            1, SAME,              tg_fwd_sqrt,         tg_grad_sqrt, .inplace = 1, .rows = 1},
    [TG_OP_SQUARE]      = {"square",          1, SAME,              tg_fwd_square,       tg_grad_square, .inplace = 1, .rows = 1},
    [TG_OP_POW]         = {"pow",             1, SAME,              tg_fwd_pow,          tg_grad_pow,  .inplace = 1, .rows = 1},
    [TG_OP_ABS]         = {"abs",             1, SAME,              tg_fwd_abs,          tg_grad_abs,  .inplace = 1, .rows = 1},
    [TG_OP_COPY]        = {"copy",            1, SAME,              tg_fwd_copy,         tg_grad_identity, .rows = 1},
    [TG_OP_SIGN]        = {"sign",            1, SAME,              tg_fwd_sign,         NULL, .no_grad = 1, .inplace = 1, .rows = 1},
    [TG_OP_RELU]        = {"relu",            1, SAME,              tg_fwd_relu,         tg_grad_relu, .inplace = 1, .rows = 1},
    [TG_OP_LEAKY_RELU]  = {"leaky_relu",      1, SAME,              tg_fwd_leaky_relu,   tg_grad_leaky_relu, .inplace = 1, .rows = 1},
    [TG_OP_SIGMOID]     = {"sigmoid",         1, SAME,              tg_fwd_sigmoid,      tg_grad_sigmoid, .inplace = 1, .rows = 1},
    [TG_OP_TANH]        = {"tanh",            1, SAME,              tg_fwd_tanh,         tg_grad_tanh, .inplace = 1, .rows = 1},
    [TG_OP_RELU_GRAD]   = {"relu_grad",       2, tg_shape_pair,     tg_fwd_relu_grad,    NULL, .no_grad = 1, .inplace = 1, .rows = 1},
    [TG_OP_LEAKY_RELU_GRAD] = {"leaky_relu_grad", 2, tg_shape_pair, tg_fwd_leaky_relu_grad, NULL, .no_grad = 1, .inplace = 1, .rows = 1},
    [TG_OP_SIGMOID_GRAD]= {"sigmoid_grad",    2, tg_shape_pair,     tg_fwd_sigmoid_grad, NULL, .no_grad = 1, .inplace = 1, .rows = 1},
    [TG_OP_TANH_GRAD]   = {"tanh_grad",       2, tg_shape_pair,     tg_fwd_tanh_grad,    NULL, .no_grad = 1, .inplace = 1, .rows = 1},
    [TG_OP_MATMUL]      = {"matmul",          2, tg_shape_matmul,   tg_fwd_matmul,       tg_grad_matmul},
    [TG_OP_LINEAR]      = {"linear",          3, tg_shape_linear,   tg_fwd_linear,       tg_grad_linear},
    [TG_OP_SUM]         = {"sum",             1, tg_shape_reduce,   tg_fwd_sum,          tg_grad_sum},
    [TG_OP_MEAN]        = {"mean",            1, tg_shape_reduce,   tg_fwd_mean,         tg_grad_mean},
    [TG_OP_SUM_TO]      = {"sum_to",          1, tg_shape_sum_to,   tg_fwd_sum_to,       tg_grad_sum_to},
    [TG_OP_BROADCAST_TO]= {"broadcast_to",    1, tg_shape_broadcast_to, tg_fwd_broadcast_to, tg_grad_broadcast_to},
    [TG_OP_ROWNORM]     = {"rownorm",         1, tg_shape_rownorm,  tg_fwd_rownorm,      tg_grad_rownorm, .rows = 1},
    [TG_OP_ROWNORM_GRAD]= {"rownorm_grad",    3, SAME,              tg_fwd_rownorm_grad, NULL, .no_grad = 1, .rows = 1},
    [TG_OP_ROWDIST]     = {"rowdist",         2, tg_shape_rowdist,  tg_fwd_rowdist,      tg_grad_rowdist, .rows = 1},
    [TG_OP_ROWDIST_GRAD]= {"rowdist_grad",    4, SAME,              tg_fwd_rowdist_grad, NULL, .no_grad = 1, .rows = 1},
    [TG_OP_RESHAPE]     = {"reshape",         1, tg_shape_reshape,  tg_fwd_copy,         tg_grad_reshape, .inplace = 1},
    [TG_OP_TRANSPOSE]   = {"transpose",       1, tg_shape_transpose, tg_fwd_transpose,   tg_grad_transpose},
};

const char *tg_op_name(int op) { return op >= 0 && op < TG_OP_COUNT ? tg_registry[op].name : "?"; }
int tg_op_arity(int op) { return op >= 0 && op < TG_OP_COUNT ? tg_registry[op].arity : -1; }
int tg_op_has_grad(int op) { return op > 0 && op < TG_OP_COUNT && tg_registry[op].grad != NULL; }
