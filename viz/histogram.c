/* histogram.c - overlaid per-class histograms (e.g. reconstruction error of
 * inliers vs outliers). */
#include "plot.h"

#include <math.h>
#include <stdlib.h>

static void value_range(const float *v, size_t n, double *lo, double *hi)
{
    *lo = *hi = v[0];
    for (size_t i = 1; i < n; i++) {
        if (v[i] < *lo) *lo = v[i];
        if (v[i] > *hi) *hi = v[i];
    }
    if (*hi - *lo < 1e-12 * fmax(1, fabs(*hi))) {  /* one value: a unit-wide bin */
        *lo -= 0.5;
        *hi += 0.5;
    }
}

/* Translucent bars, then an opaque 2-pixel outline of the histogram's
 * silhouette so overlapping classes stay distinguishable. */
static void draw_class(plot_frame *f, const double *counts, double lo, double width,
                       tg_color col)
{
    int base = plot_py(f, 0);
    for (int b = 0; b < TG_HIST_BINS; b++) {
        int xa = plot_px(f, lo + b * width), xb = plot_px(f, lo + (b + 1) * width);
        int top = plot_py(f, counts[b]);
        if (counts[b] > 0)
            tg_canvas_rect_blend(&f->c, xa, top, xb - xa, base - top + 1, col, 0.3f);
    }
    int prev_top = base;
    for (int b = 0; b <= TG_HIST_BINS; b++) {
        int xa = plot_px(f, lo + b * width);
        int top = b < TG_HIST_BINS ? plot_py(f, counts[b]) : base;
        int y0 = top < prev_top ? top : prev_top, y1 = top < prev_top ? prev_top : top;
        if (y0 != y1)
            tg_canvas_rect(&f->c, xa - 1, y0 - 1, 2, y1 - y0 + 2, col);
        if (b < TG_HIST_BINS && counts[b] > 0) {
            int xb = plot_px(f, lo + (b + 1) * width);
            tg_canvas_rect(&f->c, xa - 1, top - 1, xb - xa + 2, 2, col);
        }
        prev_top = top;
    }
}

/* Bar heights: counts, or each class's share of its own members. */
static double bin_heights(const float *values, const int *class_of_each, size_t n, int n_classes,
                          const size_t *members, int density, double lo, double width,
                          double (*h)[TG_HIST_BINS])
{
    for (size_t i = 0; i < n; i++) {
        int b = (int)((values[i] - lo) / width);
        b = b < 0 ? 0 : b >= TG_HIST_BINS ? TG_HIST_BINS - 1 : b;
        h[class_of_each[i]][b] += 1.0;
    }
    double peak = density ? 1e-12 : 1.0;
    for (int k = 0; k < n_classes; k++)
        for (int b = 0; b < TG_HIST_BINS; b++) {
            if (density && members[k])
                h[k][b] /= (double)members[k];
            peak = h[k][b] > peak ? h[k][b] : peak;
        }
    return peak;
}

static int histogram(const char *path, const float *values, const int *class_of_each, size_t n,
                     const char *const *class_names, int n_classes, const char *title,
                     const char *xlabel, int density, tg_error *err)
{
    size_t members[TG_VIZ_MAX_CLASSES];
    if (n == 0)
        return tg_fail(err, "%s: histogram: no values", path);
    if (plot_count_classes(path, class_of_each, n, class_names, n_classes, members,
                           err) != 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(values[i]))
            return tg_fail(err, "%s: histogram: value %zu is %g, expected a finite number",
                           path, i, (double)values[i]);
    double lo, hi;
    value_range(values, n, &lo, &hi);
    double width = (hi - lo) / TG_HIST_BINS;
    double (*heights)[TG_HIST_BINS] = calloc((size_t)n_classes, sizeof *heights);
    if (!heights)
        return tg_fail(err, "%s: histogram: out of memory", path);
    double peak = bin_heights(values, class_of_each, n, n_classes, members, density, lo, width,
                              heights);

    enum { W = 800, H = 500 };
    const char *ylabel = density ? "share of class" : "count";
    plot_legend lg = { class_names, members, n_classes };
    int lw, lh;
    plot_legend_size(&lg, &lw, &lh);
    plot_frame f = { .xmin = lo - (hi - lo) * 0.02, .xmax = hi + (hi - lo) * 0.02,
                     .ymin = 0, .ymax = peak * 1.05, .integer_y = !density };
    if (plot_begin(&f, W, H, title, xlabel, ylabel, err) != 0) {
        free(heights);
        return -1;
    }
    /* Headroom so the tallest bar stays below the top-right legend; the
     * layout depends on the y range only through tick label widths, which
     * this cannot change by more than a digit, so one re-layout suffices. */
    int plot_h = f.y1 - f.y0, free_h = plot_h - lh - 16;
    if (free_h > plot_h / 3 && peak * plot_h / free_h > f.ymax) {
        f.ymax = peak * plot_h / free_h;
        tg_canvas_free(&f.c);
        if (plot_begin(&f, W, H, title, xlabel, ylabel, err) != 0) {
            free(heights);
            return -1;
        }
    }
    for (int k = 0; k < n_classes; k++)
        draw_class(&f, heights[k], lo, width, tg_viz_palette(k));
    free(heights);
    return plot_finish(&f, &lg, NULL, 0, path, err);
}

int tg_viz_histogram(const char *path, const float *values, const int *class_of_each,
                     size_t n, const char *const *class_names, int n_classes,
                     const char *title, const char *xlabel, tg_error *err)
{
    return histogram(path, values, class_of_each, n, class_names, n_classes, title, xlabel, 0, err);
}

int tg_viz_histogram_density(const char *path, const float *values, const int *class_of_each,
                             size_t n, const char *const *class_names, int n_classes,
                             const char *title, const char *xlabel, tg_error *err)
{
    return histogram(path, values, class_of_each, n, class_names, n_classes, title, xlabel, 1, err);
}
