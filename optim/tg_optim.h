/* tg_optim.h - optimizers (SGD, Adam, AdamW) over spans of parameters.
 *
 * An optimizer updates a set of spans: (parameter, gradient, length)
 * triples. A model whose parameters all live in the graph's contiguous
 * parameter block (gradients in the parallel block) has one span; a model
 * that trains different parameter subsets with different optimizers gives
 * each optimizer the few spans of its subset. The optimizer owns its state
 * (Adam's m and v, SGD's momentum buffer) as one 64-byte-aligned block laid
 * out parallel to the spans, and one step is one fused pass over each span:
 * parameter, gradient and state are read and written together.
 *
 * Semantics are PyTorch 1.13's single-tensor implementations:
 *   SGD    d = g + wd p; buf = momentum buf + (1 - dampening) d (buf = d on
 *          the first step); d = nesterov ? d + momentum buf : buf; p -= lr d
 *   Adam   g += wd p (L2 in the gradient); m, v moving averages;
 *          p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 *   AdamW  as Adam without the L2 term, but p *= 1 - lr wd first (decoupled)
 * Scalars (step size, bias corrections) are computed in double and rounded
 * to float as PyTorch does; the per-element math is float.
 *
 * Gradient clipping (max_grad_norm > 0) scales the gradients by
 * max_norm / (norm + 1e-6) when that is below 1, where norm is the L2 norm
 * over all the optimizer's spans (torch.nn.utils.clip_grad_norm_). The
 * scale is applied inside the update pass: the gradient block itself is left
 * untouched.
 *
 * Typical use with a schedule (see tg_sched.h):
 *
 *     tg_span all = { tg_params(g), tg_grads(g), tg_params_floats(g) };
 *     tg_optim_config c = tg_optim_defaults(TG_ADAMW);
 *     c.lr = 0.01;
 *     tg_optimizer *opt = tg_optimizer_new(&c, &all, 1, &err);
 *     tg_schedule s = tg_schedule_onecycle(c.lr, total_steps);
 *     for (...) { run forward/backward; tg_optimizer_step_sched(opt, &s); }
 *
 * The fused pass is split over the library's threads (tg_set_threads), and
 * every element is updated alike wherever its chunk starts; no reduction's
 * order depends on anything but the span lengths. So a run is reproducible
 * bit for bit, whatever the thread count.
 */
#ifndef TG_OPTIM_H
#define TG_OPTIM_H

#include <stddef.h>
#include <stdint.h>

#include "tg_error.h"
#include "tg_sched.h"

typedef struct tg_span {
    float *param;
    float *grad;
    size_t n;
} tg_span;

typedef enum tg_optim_kind { TG_SGD = 0, TG_ADAM, TG_ADAMW } tg_optim_kind;

typedef struct tg_optim_config {
    tg_optim_kind kind;
    double lr;            /* SGD 0.01 (PyTorch has no default), Adam(W) 1e-3 */
    double weight_decay;  /* SGD/Adam 0 (L2 in the gradient); AdamW 0.01 (decoupled) */
    double momentum;      /* SGD: 0 = no momentum buffer */
    double dampening;     /* SGD: 0 */
    int nesterov;         /* SGD: 0; needs momentum > 0 and dampening 0 */
    double beta1, beta2;  /* Adam(W): 0.9, 0.999 */
    double eps;           /* Adam(W): 1e-8 */
    double max_grad_norm; /* > 0: clip the global gradient norm; 0: off */
} tg_optim_config;

typedef struct tg_optimizer tg_optimizer;

/* PyTorch's defaults for the kind. */
tg_optim_config tg_optim_defaults(tg_optim_kind kind);

/* Checks the configuration (ranges as PyTorch checks them). */
int tg_optim_check(const tg_optim_config *cfg, tg_error *err);

/* Creates an optimizer over spans[0..n_spans) (copied; the memory they
 * point to must outlive the optimizer) with zeroed state. NULL on error. */
tg_optimizer *tg_optimizer_new(const tg_optim_config *cfg, const tg_span *spans,
                               int n_spans, tg_error *err);
void tg_optimizer_free(tg_optimizer *opt);

/* One update from the current gradients. lr < 0 uses cfg.lr; momentum < 0
 * uses the configured momentum (Adam's beta1 / SGD's momentum). A momentum
 * given to an SGD optimizer configured without momentum is ignored. */
void tg_optimizer_step(tg_optimizer *opt, double lr, double momentum);

/* One update with the lr and momentum that s gives for the optimizer's
 * current step count (tg_optimizer_steps). */
void tg_optimizer_step_sched(tg_optimizer *opt, const tg_schedule *s);

/* Number of steps taken (PyTorch's state["step"]). */
int64_t tg_optimizer_steps(const tg_optimizer *opt);

/* Gradient norm before clipping, measured by the last step; -1 when the
 * optimizer does not clip or has not stepped. */
double tg_optimizer_last_grad_norm(const tg_optimizer *opt);

/* The state block (m then v for Adam(W), the momentum buffer for SGD; each
 * span's part starts on a 64-byte boundary) and its length in floats, plus
 * the step count: together, what a checkpoint must save and restore. */
float *tg_optimizer_state(tg_optimizer *opt, size_t *n_floats);
void tg_optimizer_set_steps(tg_optimizer *opt, int64_t steps);

/* L2 norm of all gradients of the spans (accumulated in double). */
double tg_grad_norm(const tg_span *spans, int n_spans);

/* torch.nn.utils.clip_grad_norm_ on the spans: scales the gradients in
 * place when needed and returns the norm before clipping. */
double tg_clip_grad_norm(const tg_span *spans, int n_spans, double max_norm);

#endif
