/* scatter.c - 2-D points coloured by class (latent codes after PCA). */
#include "plot.h"

#include <math.h>
#include <stdlib.h>

static void axis_range(const float *xy, size_t n, int axis, double *lo, double *hi)
{
    *lo = *hi = xy[axis];
    for (size_t i = 1; i < n; i++) {
        double v = xy[2 * i + axis];
        if (v < *lo) *lo = v;
        if (v > *hi) *hi = v;
    }
    double span = *hi - *lo;
    if (span < 1e-12 * fmax(1, fabs(*hi)))
        span = fmax(1, fabs(*hi));  /* all equal: centre them */
    *lo -= span * 0.05;
    *hi += span * 0.05;
}

int tg_viz_scatter(const char *path, const float *xy, const int *class_of_each,
                   size_t n, const char *const *class_names, int n_classes,
                   const char *title, tg_error *err)
{
    size_t members[TG_VIZ_MAX_CLASSES];
    if (n == 0)
        return tg_fail(err, "%s: scatter: no points", path);
    if (plot_count_classes(path, class_of_each, n, class_names, n_classes, members,
                           err) != 0)
        return -1;
    for (size_t i = 0; i < 2 * n; i++)
        if (!isfinite(xy[i]))
            return tg_fail(err, "%s: scatter: point %zu has coordinate %g, "
                           "expected a finite number", path, i / 2, (double)xy[i]);
    int *pix = malloc(2 * n * sizeof *pix);  // [n, 2] pixel positions
    if (!pix)
        return tg_fail(err, "%s: scatter: out of memory for %zu points", path, n);
    plot_frame f = { 0 };
    axis_range(xy, n, 0, &f.xmin, &f.xmax);
    axis_range(xy, n, 1, &f.ymin, &f.ymax);
    if (plot_begin(&f, 700, 600, title, "PC 1", "PC 2", err) != 0) {
        free(pix);
        return -1;
    }
    int radius = n > 5000 ? 1 : n > 1000 ? 2 : 3;
    for (size_t i = 0; i < n; i++) {
        pix[2 * i] = plot_px(&f, xy[2 * i]);
        pix[2 * i + 1] = plot_py(&f, xy[2 * i + 1]);
    }
    for (int k = 0; k < n_classes; k++)
        for (size_t i = 0; i < n; i++)
            if (class_of_each[i] == k)
                tg_canvas_disc(&f.c, pix[2 * i], pix[2 * i + 1], radius,
                               tg_viz_palette(k));
    plot_legend lg = { class_names, members, n_classes };
    int rc = plot_finish(&f, &lg, pix, n, path, err);
    free(pix);
    return rc;
}
