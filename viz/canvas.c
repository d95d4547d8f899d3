/* canvas.c - an RGB pixel buffer and clipped drawing primitives. */
#include "tg_viz.h"

#include <stdlib.h>

int tg_canvas_init(tg_canvas *c, int width, int height, tg_color background,
                   tg_error *err)
{
    c->width = c->height = 0;
    c->rgb = NULL;
    if (width < 1 || height < 1 || width > TG_CANVAS_MAX || height > TG_CANVAS_MAX)
        return tg_fail(err, "canvas: %d x %d pixels, expected 1 to %d a side",
                       width, height, TG_CANVAS_MAX);
    c->rgb = malloc((size_t)width * (size_t)height * 3);
    if (!c->rgb)
        return tg_fail(err, "canvas: out of memory for %d x %d pixels", width, height);
    c->width = width;
    c->height = height;
    tg_canvas_fill(c, background);
    return 0;
}

void tg_canvas_free(tg_canvas *c)
{
    free(c->rgb);
    c->rgb = NULL;
    c->width = c->height = 0;
}

void tg_canvas_fill(tg_canvas *c, tg_color col)
{
    tg_canvas_rect(c, 0, 0, c->width, c->height, col);
}

void tg_canvas_pixel(tg_canvas *c, int x, int y, tg_color col)
{
    if (x < 0 || y < 0 || x >= c->width || y >= c->height)
        return;
    unsigned char *p = c->rgb + ((size_t)y * (size_t)c->width + (size_t)x) * 3;
    p[0] = col.r;
    p[1] = col.g;
    p[2] = col.b;
}

/* Intersects [x, x+w) x [y, y+h) with the canvas; 0 if empty. */
static int clip(const tg_canvas *c, int *x, int *y, int *w, int *h)
{
    long x0 = *x, y0 = *y, x1 = (long)*x + *w, y1 = (long)*y + *h;
    if (x0 < 0) x0 = 0;
    if (y0 < 0) y0 = 0;
    if (x1 > c->width) x1 = c->width;
    if (y1 > c->height) y1 = c->height;
    if (x0 >= x1 || y0 >= y1)
        return 0;
    *x = (int)x0;
    *y = (int)y0;
    *w = (int)(x1 - x0);
    *h = (int)(y1 - y0);
    return 1;
}

void tg_canvas_rect(tg_canvas *c, int x, int y, int w, int h, tg_color col)
{
    if (!clip(c, &x, &y, &w, &h))
        return;
    for (int j = y; j < y + h; j++)
        for (int i = x; i < x + w; i++)
            tg_canvas_pixel(c, i, j, col);
}

void tg_canvas_rect_blend(tg_canvas *c, int x, int y, int w, int h, tg_color col,
                          float alpha)
{
    if (!clip(c, &x, &y, &w, &h))
        return;
    alpha = alpha < 0 ? 0 : alpha > 1 ? 1 : alpha;
    const unsigned char src[3] = { col.r, col.g, col.b };
    for (int j = y; j < y + h; j++) {
        unsigned char *p = c->rgb + ((size_t)j * (size_t)c->width + (size_t)x) * 3;
        for (int i = 0; i < w * 3; i++)
            p[i] = (unsigned char)(p[i] + alpha * (src[i % 3] - p[i]) + 0.5f);
    }
}

void tg_canvas_rect_outline(tg_canvas *c, int x, int y, int w, int h, tg_color col)
{
    if (w < 1 || h < 1)
        return;
    tg_canvas_rect(c, x, y, w, 1, col);
    tg_canvas_rect(c, x, y + h - 1, w, 1, col);
    tg_canvas_rect(c, x, y, 1, h, col);
    tg_canvas_rect(c, x + w - 1, y, 1, h, col);
}

/* Bresenham; clipping happens per pixel, so keep endpoints sane. */
void tg_canvas_line(tg_canvas *c, int x0, int y0, int x1, int y1, tg_color col)
{
    int dx = abs(x1 - x0), sx = x0 < x1 ? 1 : -1;
    int dy = -abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
    int e = dx + dy;
    for (;;) {
        tg_canvas_pixel(c, x0, y0, col);
        if (x0 == x1 && y0 == y1)
            break;
        int e2 = 2 * e;
        if (e2 >= dy) {
            e += dy;
            x0 += sx;
        }
        if (e2 <= dx) {
            e += dx;
            y0 += sy;
        }
    }
}

void tg_canvas_disc(tg_canvas *c, int cx, int cy, int radius, tg_color col)
{
    for (int dy = -radius; dy <= radius; dy++)
        for (int dx = -radius; dx <= radius; dx++)
            if (dx * dx + dy * dy <= radius * radius + radius)
                tg_canvas_pixel(c, cx + dx, cy + dy, col);
}

tg_color tg_viz_palette(int i)
{
    static const tg_color tab10[10] = {
        { 31, 119, 180 }, { 255, 127, 14 }, { 44, 160, 44 }, { 214, 39, 40 },
        { 148, 103, 189 }, { 140, 86, 75 }, { 227, 119, 194 }, { 127, 127, 127 },
        { 188, 189, 34 }, { 23, 190, 207 },
    };
    return tab10[(i % 10 + 10) % 10];
}
