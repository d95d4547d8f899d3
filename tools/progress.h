/* progress.h - training progress reporting for the rsrae tool. */
#ifndef RSRAE_PROGRESS_H
#define RSRAE_PROGRESS_H

#include "tg_trainer.h"

#define PROGRESS_MAX_EPOCHS 10000

typedef struct progress_state {
    int    quiet, tty, epochs, batch;
    double last_print, total_seconds;
    int    n_epochs_done;
    double seconds[PROGRESS_MAX_EPOCHS];
    float  losses[3][PROGRESS_MAX_EPOCHS]; /* recon, rsr, ortho per epoch */
} progress_state;

void progress_init(progress_state *p, int quiet, int epochs, int batch);
void progress_step(void *ctx, const tg_progress *p);
void progress_epoch(void *ctx, const tg_epoch_stats *e);

#endif
