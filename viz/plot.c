/* plot.c - margins, ticks, frame and legend shared by the plots. */
#include "plot.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const tg_color WHITE = { 255, 255, 255 };
static const tg_color INK = { 30, 30, 30 };
static const tg_color FRAME = { 90, 90, 90 };
static const tg_color GRID = { 228, 228, 228 };

#define MARGIN 10
#define TICK_LEN 5
#define MAX_TICKS 32

typedef struct ticks {
    double step;
    int n;
    double at[MAX_TICKS];
    char label[MAX_TICKS][32];
} ticks;

/* Step 1, 2 or 5 times a power of ten giving about `target` intervals. */
static double nice_step(double span, int target, int integer_only)
{
    double raw = span / target;
    double p = pow(10, floor(log10(raw)));
    double m = raw / p;
    double step = (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
    return integer_only && step < 1 ? 1 : step;
}

/* Fixed decimals for ordinary steps; for very large or small ones the same
 * mantissa precision on every tick ("2.0e-5", "1.0e-4"), never mixing
 * notations along one axis. */
static void format_tick(char *out, size_t size, double v, double step, double max_abs)
{
    int scientific = step >= 1e5 || step < 1e-4;
    if (fabs(v) < step * 1e-9)
        v = 0;  /* no "-0.0" */
    if (!scientific) {
        int decimals = (int)ceil(-log10(step) - 1e-9);
        snprintf(out, size, "%.*f", decimals > 0 ? decimals : 0, v);
        return;
    }
    if (v == 0) {
        snprintf(out, size, "0");
        return;
    }
    int digits = (int)floor(log10(max_abs)) - (int)floor(log10(step) + 1e-9);
    char buf[32];
    snprintf(buf, sizeof buf, "%.*e", digits < 0 ? 0 : digits > 6 ? 6 : digits, v);
    char *o = strchr(buf, 'e') + 1;  /* "e-05" -> "e-5", "e+06" -> "e6" */
    const char *i = o;
    if (*i == '+')
        i++;
    else if (*i == '-')
        *o++ = *i++;
    while (*i == '0' && i[1])
        i++;
    memmove(o, i, strlen(i) + 1);
    snprintf(out, size, "%s", buf);
}

static void make_ticks(ticks *t, double lo, double hi, int target, int integer_only)
{
    t->step = nice_step(hi - lo, target, integer_only);
    t->n = 0;
    for (double k = ceil(lo / t->step - 1e-9); t->n < MAX_TICKS; k++) {
        double v = k * t->step;
        if (v > hi + t->step * 1e-9)
            break;
        t->at[t->n++] = v;
    }
    double max_abs = 0;
    for (int i = 0; i < t->n; i++)
        max_abs = fmax(max_abs, fabs(t->at[i]));
    for (int i = 0; i < t->n; i++)
        format_tick(t->label[i], sizeof t->label[i], t->at[i], t->step, max_abs);
}

static int widest_label(const ticks *t)
{
    int widest = 0;
    for (int i = 0; i < t->n; i++) {
        int w = tg_text_width(t->label[i], PLOT_TEXT_SCALE);
        widest = w > widest ? w : widest;
    }
    return widest;
}

int plot_px(const plot_frame *f, double x)
{
    return f->x0 + (int)lround((x - f->xmin) / (f->xmax - f->xmin) * (f->x1 - 1 - f->x0));
}

int plot_py(const plot_frame *f, double y)
{
    return f->y1 - 1 - (int)lround((y - f->ymin) / (f->ymax - f->ymin) * (f->y1 - 1 - f->y0));
}

static void draw_centered(tg_canvas *c, int cx, int y, const char *s, tg_color col)
{
    tg_canvas_text(c, cx - tg_text_width(s, PLOT_TEXT_SCALE) / 2, y, s,
                   PLOT_TEXT_SCALE, col);
}

int plot_begin(plot_frame *f, int width, int height, const char *title,
               const char *xlabel, const char *ylabel, tg_error *err)
{
    if (tg_canvas_init(&f->c, width, height, WHITE, err) != 0)
        return -1;
    int th = tg_text_height(PLOT_TEXT_SCALE);
    ticks xt, yt;
    make_ticks(&yt, f->ymin, f->ymax, 6, f->integer_y);
    f->x0 = MARGIN + widest_label(&yt) + TICK_LEN + 6;
    f->x1 = width - 2 * MARGIN;
    f->y0 = MARGIN + (title ? th + 12 : 0) + (ylabel ? th + 16 : 0) + 4;
    f->y1 = height - MARGIN - th - 8 - (xlabel ? th + 12 : 0);
    /* Fewer x ticks until their labels no longer touch. */
    for (int target = 7;; target--) {
        make_ticks(&xt, f->xmin, f->xmax, target, f->integer_x);
        double spacing = xt.step / (f->xmax - f->xmin) * (f->x1 - f->x0);
        if (target == 2 || widest_label(&xt) + 16 <= spacing)
            break;
    }

    if (title)
        draw_centered(&f->c, width / 2, MARGIN, title, INK);
    if (ylabel)
        tg_canvas_text(&f->c, MARGIN, f->y0 - th - 16, ylabel, PLOT_TEXT_SCALE, INK);
    if (xlabel)
        draw_centered(&f->c, (f->x0 + f->x1) / 2, height - MARGIN - th, xlabel, INK);
    for (int i = 0; i < xt.n; i++) {
        int x = plot_px(f, xt.at[i]);
        tg_canvas_rect(&f->c, x, f->y0, 1, f->y1 - f->y0, GRID);
        tg_canvas_rect(&f->c, x, f->y1, 1, TICK_LEN, FRAME);
        draw_centered(&f->c, x, f->y1 + TICK_LEN + 4, xt.label[i], INK);
    }
    for (int i = 0; i < yt.n; i++) {
        int y = plot_py(f, yt.at[i]);
        tg_canvas_rect(&f->c, f->x0, y, f->x1 - f->x0, 1, GRID);
        tg_canvas_rect(&f->c, f->x0 - TICK_LEN, y, TICK_LEN, 1, FRAME);
        int w = tg_text_width(yt.label[i], PLOT_TEXT_SCALE);
        tg_canvas_text(&f->c, f->x0 - TICK_LEN - 4 - w, y - th / 2, yt.label[i],
                       PLOT_TEXT_SCALE, INK);
    }
    return 0;
}

#define LEGEND_PAD 8
#define SWATCH 14

static void legend_row_text(const plot_legend *lg, int i, char *out, size_t size)
{
    if (lg->counts)
        snprintf(out, size, "%s (n=%zu)", lg->names[i], lg->counts[i]);
    else
        snprintf(out, size, "%s", lg->names[i]);
}

static int legend_row_h(void)
{
    return tg_text_height(PLOT_TEXT_SCALE) + 10;
}

void plot_legend_size(const plot_legend *lg, int *w, int *h)
{
    int text_w = 0;
    for (int i = 0; i < lg->n; i++) {
        char s[160];
        legend_row_text(lg, i, s, sizeof s);
        int tw = tg_text_width(s, PLOT_TEXT_SCALE);
        text_w = tw > text_w ? tw : text_w;
    }
    *w = 2 * LEGEND_PAD + SWATCH + 8 + text_w;
    *h = 2 * LEGEND_PAD + lg->n * legend_row_h() - 10;
}

static size_t points_inside(const int *pts, size_t n, int x, int y, int w, int h)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += pts[2 * i] >= x && pts[2 * i] < x + w && pts[2 * i + 1] >= y &&
             pts[2 * i + 1] < y + h;
    return k;
}

static void draw_legend(plot_frame *f, const plot_legend *lg, const int *pts, size_t n)
{
    int w, h;
    plot_legend_size(lg, &w, &h);
    const int inset = 8;
    int xs[4] = { f->x1 - inset - w, f->x0 + inset, f->x1 - inset - w, f->x0 + inset };
    int ys[4] = { f->y0 + inset, f->y0 + inset, f->y1 - inset - h, f->y1 - inset - h };
    int best = 0;
    size_t best_k = (size_t)-1;
    for (int corner = 0; corner < (pts ? 4 : 1); corner++) {
        size_t k = points_inside(pts, n, xs[corner], ys[corner], w, h);
        if (k < best_k) {
            best_k = k;
            best = corner;
        }
    }
    int x = xs[best], y = ys[best];
    tg_canvas_rect(&f->c, x, y, w, h, WHITE);
    tg_canvas_rect_outline(&f->c, x, y, w, h, FRAME);
    for (int i = 0; i < lg->n; i++) {
        char s[160];
        legend_row_text(lg, i, s, sizeof s);
        int ry = y + LEGEND_PAD + i * legend_row_h();
        tg_canvas_rect(&f->c, x + LEGEND_PAD, ry, SWATCH, SWATCH, tg_viz_palette(i));
        tg_canvas_text(&f->c, x + LEGEND_PAD + SWATCH + 8, ry, s, PLOT_TEXT_SCALE, INK);
    }
}

int plot_finish(plot_frame *f, const plot_legend *lg, const int *points,
                size_t n_points, const char *path, tg_error *err)
{
    tg_canvas_rect_outline(&f->c, f->x0 - 1, f->y0 - 1, f->x1 - f->x0 + 2,
                           f->y1 - f->y0 + 2, FRAME);
    if (lg && lg->n > 0)
        draw_legend(f, lg, points, n_points);
    int rc = tg_canvas_save_png(&f->c, path, err);
    tg_canvas_free(&f->c);
    return rc;
}

int plot_count_classes(const char *what, const int *class_of_each, size_t n,
                       const char *const *class_names, int n_classes,
                       size_t *counts, tg_error *err)
{
    if (n_classes < 1 || n_classes > TG_VIZ_MAX_CLASSES)
        return tg_fail(err, "%s: %d classes, expected 1 to %d", what, n_classes,
                       TG_VIZ_MAX_CLASSES);
    for (int k = 0; k < n_classes; k++) {
        if (!class_names || !class_names[k])
            return tg_fail(err, "%s: class %d has no name", what, k);
        counts[k] = 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (class_of_each[i] < 0 || class_of_each[i] >= n_classes)
            return tg_fail(err, "%s: sample %zu has class %d, expected 0 to %d",
                           what, i, class_of_each[i], n_classes - 1);
        counts[class_of_each[i]]++;
    }
    return 0;
}
