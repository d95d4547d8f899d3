/* tg_viz.h - the pictures a data scientist looks at, written as PNG.
 *
 * A tiny RGB canvas (rectangles, lines, discs, stb_easy_font text scaled by an
 * integer) and four plots built on it: a grid of reconstructions beside their
 * originals, overlaid per-class histograms, a per-class scatter (latent PCA)
 * and line plots (loss per epoch). Every file is encoded in memory and
 * written atomically, so a failed run never leaves a half-written PNG.
 * Nothing here prints; failures return -1 with a message in the tg_error.
 */
#ifndef TG_VIZ_H
#define TG_VIZ_H

#include <stddef.h>

#include "tg_error.h"

typedef struct tg_color {
    unsigned char r, g, b;
} tg_color;

typedef struct tg_canvas {
    int width, height;
    unsigned char *rgb;  /* [height, width, 3], row-major, top row first */
} tg_canvas;

/* Canvases are limited to TG_CANVAS_MAX pixels a side. */
#define TG_CANVAS_MAX 16384

int  tg_canvas_init(tg_canvas *c, int width, int height, tg_color background,
                    tg_error *err);
void tg_canvas_free(tg_canvas *c);

/* Drawing clips to the canvas; coordinates may lie outside it. */
void tg_canvas_fill(tg_canvas *c, tg_color col);
void tg_canvas_pixel(tg_canvas *c, int x, int y, tg_color col);
void tg_canvas_rect(tg_canvas *c, int x, int y, int w, int h, tg_color col);
/* Mixes col over the rect with opacity alpha in [0, 1]. */
void tg_canvas_rect_blend(tg_canvas *c, int x, int y, int w, int h, tg_color col,
                          float alpha);
void tg_canvas_rect_outline(tg_canvas *c, int x, int y, int w, int h, tg_color col);
void tg_canvas_line(tg_canvas *c, int x0, int y0, int x1, int y1, tg_color col);
void tg_canvas_disc(tg_canvas *c, int cx, int cy, int radius, tg_color col);

/* Text in stb_easy_font's bitmap font, each font pixel drawn as a
 * scale x scale block; (x, y) is the top-left corner. Characters outside
 * printable ASCII are drawn as '?'. Returns the width drawn, in pixels. */
int  tg_canvas_text(tg_canvas *c, int x, int y, const char *text, int scale,
                    tg_color col);
int  tg_text_width(const char *text, int scale);
/* Height of one line of capitals and digits (descenders go lower). */
int  tg_text_height(int scale);

/* Encodes as 8-bit RGB PNG and writes it atomically to path. */
int  tg_canvas_save_png(const tg_canvas *c, const char *path, tg_error *err);

/* Fixed categorical palette (matplotlib's tab10): class i gets colour i % 10;
 * class 0 blue, class 1 orange, class 2 green, class 3 red, ... */
tg_color tg_viz_palette(int i);

/* ---- reconstruction grid ----
 * Each sample is drawn as a pair: its reconstruction on the LEFT, the
 * original on the RIGHT, separated by TG_GRID_GAP grey pixels; pairs are
 * separated by TG_GRID_PAD grey pixels (TG_GRID_GREY), per_row pairs a row,
 * left-aligned, below a white title band of TG_GRID_TITLE_H pixels.
 * With cw = width * scale, ch = height * scale, sample k's reconstruction
 * starts at
 *   x = TG_GRID_PAD + (k % per_row) * (2 * cw + TG_GRID_GAP + TG_GRID_PAD)
 *   y = TG_GRID_TITLE_H + TG_GRID_PAD + (k / per_row) * (ch + TG_GRID_PAD)
 * and its original at x + cw + TG_GRID_GAP. The canvas is
 * max(TG_GRID_PAD + per_row * (2cw + GAP + PAD), title width + 2 PAD) wide.
 * Images are [n, height, width, channels] floats in [0, 1] (clamped, NaN as 0),
 * channels 1 (grey) or 3 (RGB, interleaved); scale >= 1 upsamples each pixel
 * to a scale x scale block. title may be NULL. */
#define TG_GRID_PAD     8
#define TG_GRID_GAP     2
#define TG_GRID_TITLE_H 32
#define TG_GRID_GREY    ((tg_color){ 128, 128, 128 })

int tg_viz_recon_grid(const char *path, const float *originals, const float *recons,
                      size_t n, int width, int height, int channels, int per_row,
                      int scale, const char *title, tg_error *err);

/* ---- plots: title on top, framed axes with "nice" ticks, legend top-right
 * inside the frame listing each class as "name (n=count)". class_of_each[i]
 * is in [0, n_classes); n_classes <= TG_VIZ_MAX_CLASSES. Values must be
 * finite. */
#define TG_VIZ_MAX_CLASSES 10
#define TG_HIST_BINS       40

/* Overlaid histograms of values, one per class, on TG_HIST_BINS shared
 * equal-width bins spanning [min, max]: translucent bars plus an opaque
 * outline in the class colour. 800 x 500 pixels. */
int tg_viz_histogram(const char *path, const float *values, const int *class_of_each,
                     size_t n, const char *const *class_names, int n_classes,
                     const char *title, const char *xlabel, tg_error *err);
/* The same with each class's bars as the share of that class's members, so
 * a class of 100 samples reads as clearly as one of 6000. */
int tg_viz_histogram_density(const char *path, const float *values, const int *class_of_each,
                             size_t n, const char *const *class_names, int n_classes,
                             const char *title, const char *xlabel, tg_error *err);

/* xy [n, 2] as discs coloured by class, classes drawn in order (later on
 * top). 700 x 600 pixels. */
int tg_viz_scatter(const char *path, const float *xy, const int *class_of_each,
                   size_t n, const char *const *class_names, int n_classes,
                   const char *title, tg_error *err);

/* ys [n_series, n_points] against x = 1 .. n_points (epochs), one coloured
 * line per series, legend with series names. 800 x 500 pixels. */
int tg_viz_line_plot(const char *path, const float *ys, int n_series, int n_points,
                     const char *const *series_names, const char *title,
                     const char *xlabel, const char *ylabel, tg_error *err);

#endif
