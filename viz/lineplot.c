/* lineplot.c - series against epoch (training loss curves). */
#include "plot.h"

#include <math.h>
#include <stdlib.h>

int tg_viz_line_plot(const char *path, const float *ys, int n_series, int n_points,
                     const char *const *series_names, const char *title,
                     const char *xlabel, const char *ylabel, tg_error *err)
{
    if (n_series < 1 || n_series > TG_VIZ_MAX_CLASSES || n_points < 1)
        return tg_fail(err, "%s: line plot: %d series of %d points, expected 1 to %d "
                       "series of at least 1 point", path, n_series, n_points,
                       TG_VIZ_MAX_CLASSES);
    double lo = ys[0], hi = ys[0];
    for (int s = 0; s < n_series; s++) {
        if (!series_names || !series_names[s])
            return tg_fail(err, "%s: line plot: series %d has no name", path, s);
        for (int i = 0; i < n_points; i++) {
            double v = ys[(size_t)s * (size_t)n_points + (size_t)i];
            if (!isfinite(v))
                return tg_fail(err, "%s: line plot: series %s point %d is %g, "
                               "expected a finite number", path, series_names[s], i + 1, v);
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
    }
    double span = hi - lo > 1e-12 * fmax(1, fabs(hi)) ? hi - lo : fmax(1, fabs(hi));
    double xpad = n_points > 1 ? (n_points - 1) * 0.02 : 0.5;  /* markers not cut */
    plot_frame f = { .xmin = 1 - xpad, .xmax = n_points + xpad,
                     .ymin = lo - span * 0.05, .ymax = hi + span * 0.05,
                     .integer_x = 1 };
    size_t total = (size_t)n_series * (size_t)n_points;
    int *pix = malloc(2 * total * sizeof *pix);  // [series * points, 2]
    if (!pix)
        return tg_fail(err, "%s: line plot: out of memory", path);
    if (plot_begin(&f, 800, 500, title, xlabel, ylabel, err) != 0) {
        free(pix);
        return -1;
    }
    for (size_t i = 0; i < total; i++) {
        pix[2 * i] = plot_px(&f, (double)(i % (size_t)n_points + 1));
        pix[2 * i + 1] = plot_py(&f, ys[i]);
    }
    for (int s = 0; s < n_series; s++) {
        tg_color col = tg_viz_palette(s);
        const int *p = pix + 2 * (size_t)s * (size_t)n_points;
        for (int i = 0; i + 1 < n_points; i++)
            for (int t = 0; t < 2; t++)  /* two pixels thick */
                tg_canvas_line(&f.c, p[2 * i], p[2 * i + 1] + t, p[2 * i + 2],
                               p[2 * i + 3] + t, col);
        if (n_points <= 60)
            for (int i = 0; i < n_points; i++)
                tg_canvas_disc(&f.c, p[2 * i], p[2 * i + 1], 3, col);
    }
    plot_legend lg = { series_names, NULL, n_series };
    int rc = plot_finish(&f, &lg, pix, total, path, err);
    free(pix);
    return rc;
}
