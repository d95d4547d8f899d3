/* progress.c - training progress on stderr: one updating line on a
 * terminal, plain periodic lines otherwise, and a summary per epoch. */
#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tg_eval.h"

int progress_init(progress_state *p, int quiet, int epochs, int batch)
{
    p->seconds = calloc((size_t)epochs, sizeof *p->seconds);
    p->losses = calloc(3 * (size_t)epochs, sizeof *p->losses);
    p->quiet = quiet;
    p->tty = isatty(STDERR_FILENO);
    p->epochs = epochs;
    p->batch = batch;
    p->last_print = -1e9;
    p->n_epochs_done = 0;
    p->total_seconds = 0;
    return p->seconds && p->losses ? 0 : -1;
}

void progress_free(progress_state *p)
{
    free(p->seconds);
    free(p->losses);
}

static void eta_text(double seconds, char *buf, size_t len)
{
    long s = (long)(seconds + 0.5);
    if (s >= 3600)
        snprintf(buf, len, "%ldh%02ldm", s / 3600, s / 60 % 60);
    else
        snprintf(buf, len, "%ldm%02lds", s / 60, s % 60);
}

void progress_step(void *ctx, const tg_progress *pr)
{
    progress_state *p = ctx;
    if (p->quiet)
        return;
    double since = p->total_seconds + pr->seconds;
    /* A terminal redraws ~10 times a second; a log gets a line every 10 s. */
    double period = p->tty ? 0.1 : 10.0;
    if (since - p->last_print < period && pr->step != pr->steps)
        return;
    p->last_print = since;
    double per_step = pr->seconds / pr->step;
    double left = per_step * ((double)(pr->steps - pr->step) +
                              (double)(pr->epochs - pr->epoch) * pr->steps);
    char eta[32];
    eta_text(left, eta, sizeof eta);
    fprintf(stderr, "%sepoch %d/%d  step %d/%d  recon %.5g  rsr %.5g  lr %.3g  %.0f samples/s  ETA %s%s",
            p->tty ? "\r\033[K" : "", pr->epoch, pr->epochs, pr->step, pr->steps, pr->loss_recon,
            pr->loss_rsr, pr->lr, per_step > 0 ? p->batch / per_step : 0.0, eta, p->tty ? "" : "\n");
    fflush(stderr);
}

static void evaluate(progress_state *p, int epoch)
{
    progress_eval *ev = &p->eval;
    if (!ev->every || (epoch % ev->every && epoch != p->epochs))
        return;
    tg_error err;
    eval_point pt = {epoch, 0, 0};
    if (tg_scorer_run(ev->scorer, ev->x, ev->n, ev->scores, NULL, NULL, NULL, &err) != 0 ||
        tg_roc_auc(ev->scores, ev->is_outlier, ev->n, &pt.auc, &err) != 0 ||
        tg_average_precision(ev->scores, ev->is_outlier, ev->n, &pt.average_precision, &err) != 0) {
        fprintf(stderr, "epoch %d: evaluation failed: %s\n", epoch, err.msg);
        return;
    }
    ev->points[ev->n_points++] = pt;
    if (!p->quiet)
        fprintf(stderr, "epoch %d/%d: ROC AUC %.4f  average precision %.4f\n", epoch, p->epochs, pt.auc,
                pt.average_precision);
}

void progress_epoch(void *ctx, const tg_epoch_stats *e)
{
    progress_state *p = ctx;
    p->total_seconds += e->seconds;
    int k = p->n_epochs_done;
    if (k < p->epochs) {
        p->seconds[k] = e->seconds;
        p->losses[k] = (float)e->loss_recon;
        p->losses[p->epochs + k] = (float)e->loss_rsr;
        p->losses[2 * p->epochs + k] = (float)e->loss_ortho;
        p->n_epochs_done++;
    }
    if (!p->quiet)
        fprintf(stderr, "%sepoch %d/%d done in %.2f s: recon %.5g  rsr %.5g  ortho %.3g\n",
                p->tty ? "\r\033[K" : "", e->epoch, p->epochs, e->seconds, e->loss_recon, e->loss_rsr,
                e->loss_ortho);
    evaluate(p, e->epoch);
    p->last_print = -1e9;
}
