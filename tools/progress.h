/* progress.h - training progress reporting for the rsrae tool. */
#ifndef RSRAE_PROGRESS_H
#define RSRAE_PROGRESS_H

#include "tg_trainer.h"

typedef struct eval_point {
    int    epoch;
    double auc, average_precision;
} eval_point;

/* --eval-every: scoring the training data between epochs, to watch the
 * metrics move while the model trains. */
typedef struct progress_eval {
    int          every;       /* 0: off */
    tg_scorer   *scorer;
    const float *x;           // [n, dim]
    const int   *is_outlier;  // [n]
    size_t       n;
    float       *scores;      // [n]
    eval_point  *points;      // [epochs / every]
    int          n_points;
} progress_eval;

typedef struct progress_state {
    int    quiet, tty, epochs, batch;
    double last_print, total_seconds;
    int    n_epochs_done;
    double *seconds;          // [epochs]
    float  *losses;           // [3, epochs]: recon, rsr, ortho per epoch
    progress_eval eval;
} progress_state;

/* Returns -1 when out of memory for the per-epoch records. */
int  progress_init(progress_state *p, int quiet, int epochs, int batch);
void progress_free(progress_state *p);
void progress_step(void *ctx, const tg_progress *p);
void progress_epoch(void *ctx, const tg_epoch_stats *e);

#endif
