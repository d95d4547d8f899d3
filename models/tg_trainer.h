/* tg_trainer.h - training and scoring an RSRAE over a dense data block.
 *
 * Joint mode: one optimizer on the whole objective. Alternating mode (the
 * paper's): per batch three steps, each with its own Adam state and
 * learning rate: reconstruction on all parameters, orthogonality on A, RSR
 * residual on the encoder and A (recomputing z after the first step).
 *
 * Each gradient set gets its own compiled plan; all plans are built once,
 * before the first step, so the step loop does no graph work and no
 * allocation. Progress goes to a caller's callback: the library prints
 * nothing.
 */
#ifndef TG_TRAINER_H
#define TG_TRAINER_H

#include "tg_optim.h"
#include "tg_rsrae.h"

typedef struct tg_train_config {
    int    epochs;
    tg_optim_kind optimizer;   /* main optimizer (alternating: all three) */
    double lr;                 /* main (reconstruction / joint) learning rate */
    double lr_ortho, lr_rsr;   /* alternating mode */
    double weight_decay;       /* < 0: the optimizer's default */
    tg_sched_kind schedule;    /* of the main learning rate */
    uint64_t seed;
    int    threads;
} tg_train_config;

typedef struct tg_progress {
    int    epoch, epochs;      /* 1-based */
    int    step, steps;        /* within the epoch, 1-based */
    double loss_recon, loss_rsr, loss_ortho; /* this step */
    double lr;
    double seconds;            /* since the epoch began */
} tg_progress;

typedef struct tg_epoch_stats {
    int    epoch;
    double loss_recon, loss_rsr, loss_ortho; /* means over the epoch's steps */
    double seconds;
} tg_epoch_stats;

typedef struct tg_train_callbacks {
    void (*on_step)(void *ctx, const tg_progress *p);
    void (*on_epoch)(void *ctx, const tg_epoch_stats *e);
    void *ctx;
} tg_train_callbacks;

typedef struct tg_trainer tg_trainer;

/* Compiles the training plans for m and creates the optimizers. */
tg_trainer *tg_trainer_new(tg_rsrae *m, const tg_train_config *cfg, tg_error *err);
void        tg_trainer_free(tg_trainer *t);

/* Trains on x [n, input_dim] for cfg.epochs; batches are drawn from a
 * seeded shuffle each epoch, the last incomplete batch dropped. */
int tg_trainer_fit(tg_trainer *t, const float *x, size_t n, const tg_train_callbacks *cb,
                   tg_error *err);

/* Memory plans of the training graph(s) (summed) and of inference. */
tg_mem_report tg_trainer_train_memory(const tg_trainer *t);
/* Where the training steps' time went, in mean seconds per step since the
 * trainer was made: gathering the batch, running the plans (forward and
 * backward), and the optimizer updates. */
typedef struct tg_step_times {
    double gather, plans, update;
} tg_step_times;
tg_step_times tg_trainer_step_times(const tg_trainer *t);
/* The compiled training plans (one per gradient set); returns how many. */
int tg_trainer_plans(const tg_trainer *t, tg_plan **plans, int cap);

/* Forward-only scoring of x [n, input_dim] through its own memory plan.
 * Outputs (each may be NULL): score [n], recon_err [n], recon [n, in],
 * latent [n, d]. */
typedef struct tg_scorer tg_scorer;
tg_scorer    *tg_scorer_new(tg_rsrae *m, tg_error *err);
void          tg_scorer_free(tg_scorer *s);
tg_mem_report tg_scorer_memory(const tg_scorer *s);
tg_plan      *tg_scorer_plan(const tg_scorer *s);
int tg_scorer_run(tg_scorer *s, const float *x, size_t n, float *score, float *recon_err,
                  float *recon, float *latent, tg_error *err);

/* One span per parameter, in the order given: the optimizer splits each
 * long one over the threads as a row-split GEMM splits its gradient. */
int tg_spans_of(tg_graph *g, const tg_tensor *params, int n, tg_span *spans, int cap);

#endif
