/* plot.h - shared layout of the framed plots (internal to viz/).
 *
 * A plot is drawn in three steps: plot_begin (canvas, title, data ranges ->
 * margins sized to the tick labels, light grid), the plot's own data drawn
 * through plot_px / plot_py, then plot_finish (frame on top, legend).
 */
#ifndef TG_VIZ_PLOT_H
#define TG_VIZ_PLOT_H

#include <stddef.h>

#include "tg_viz.h"

#define PLOT_TEXT_SCALE 2

typedef struct plot_frame {
    tg_canvas c;
    int x0, y0, x1, y1;             /* plot area in pixels, [x0, x1) x [y0, y1) */
    double xmin, xmax, ymin, ymax;  /* data range spanning the plot area */
    int integer_x, integer_y;       /* ticks only on whole numbers (epochs, counts) */
} plot_frame;

/* Creates the canvas and lays the plot out; f->xmin..ymax and f->integer_x,
 * f->integer_y must be set by the caller before. */
int  plot_begin(plot_frame *f, int width, int height, const char *title,
                const char *xlabel, const char *ylabel, tg_error *err);
int  plot_px(const plot_frame *f, double x);
int  plot_py(const plot_frame *f, double y);

/* Legend rows "name" or "name (n=count)" (counts may be NULL). */
typedef struct plot_legend {
    const char *const *names;
    const size_t *counts;
    int n;
} plot_legend;

/* Pixel size of the legend box. */
void plot_legend_size(const plot_legend *lg, int *w, int *h);

/* Draws the frame and the legend in the corner of the plot area that covers
 * the fewest of the given pixel points (top-right when points is NULL), then
 * saves the PNG and frees the canvas. */
int  plot_finish(plot_frame *f, const plot_legend *lg, const int *points /* [n, 2] */,
                 size_t n_points, const char *path, tg_error *err);

/* Checks class ids and counts members of each class. */
int  plot_count_classes(const char *what, const int *class_of_each, size_t n,
                        const char *const *class_names, int n_classes,
                        size_t *counts, tg_error *err);

#endif
