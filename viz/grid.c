/* grid.c - reconstructions beside their originals, for eyeballing what the
 * autoencoder keeps and what it throws away. Layout in tg_viz.h. */
#include "tg_viz.h"

#include <math.h>

static unsigned char to_byte(float v)
{
    if (!(v > 0))  /* also NaN */
        return 0;
    if (v >= 1)
        return 255;
    return (unsigned char)lrintf(v * 255);
}

/* Draws one [height, width, channels] image at (x, y), each pixel a
 * scale x scale block. */
static void draw_image(tg_canvas *c, int x, int y, const float *img, int width,
                       int height, int channels, int scale)
{
    for (int j = 0; j < height; j++)
        for (int i = 0; i < width; i++) {
            const float *p = img + ((size_t)j * (size_t)width + (size_t)i) * (size_t)channels;
            tg_color col;
            col.r = to_byte(p[0]);
            col.g = channels == 3 ? to_byte(p[1]) : col.r;
            col.b = channels == 3 ? to_byte(p[2]) : col.r;
            tg_canvas_rect(c, x + i * scale, y + j * scale, scale, scale, col);
        }
}

int tg_viz_recon_grid(const char *path, const float *originals, const float *recons,
                      size_t n, int width, int height, int channels, int per_row,
                      int scale, const char *title, tg_error *err)
{
    if (n == 0)
        return tg_fail(err, "%s: recon grid: no samples to draw", path);
    if (channels != 1 && channels != 3)
        return tg_fail(err, "%s: recon grid: %d channels, expected 1 or 3", path,
                       channels);
    if (width < 1 || height < 1 || per_row < 1 || scale < 1 ||
        width > TG_CANVAS_MAX || height > TG_CANVAS_MAX || scale > TG_CANVAS_MAX ||
        per_row > TG_CANVAS_MAX || n > TG_CANVAS_MAX)
        return tg_fail(err, "%s: recon grid: bad geometry (image %d x %d, "
                       "%d per row, scale %d)", path, width, height, per_row, scale);
    long cw = (long)width * scale, ch = (long)height * scale;
    long pair_w = 2 * cw + TG_GRID_GAP;
    long rows = ((long)n + per_row - 1) / per_row;
    long title_w = title ? tg_text_width(title, 2) + 2 * TG_GRID_PAD : 0;
    long cw_total = TG_GRID_PAD + (long)per_row * (pair_w + TG_GRID_PAD);
    long W = cw_total > title_w ? cw_total : title_w;
    long H = TG_GRID_TITLE_H + TG_GRID_PAD + rows * (ch + TG_GRID_PAD);
    if (W > TG_CANVAS_MAX || H > TG_CANVAS_MAX)
        return tg_fail(err, "%s: recon grid: %ld x %ld pixels is larger than %d a side "
                       "(fewer samples, more per row or a smaller scale)", path, W, H,
                       TG_CANVAS_MAX);
    tg_canvas c;
    if (tg_canvas_init(&c, (int)W, (int)H, TG_GRID_GREY, err) != 0)
        return -1;
    tg_canvas_rect(&c, 0, 0, c.width, TG_GRID_TITLE_H, (tg_color){ 255, 255, 255 });
    if (title)
        tg_canvas_text(&c, TG_GRID_PAD, (TG_GRID_TITLE_H - tg_text_height(2)) / 2,
                       title, 2, (tg_color){ 0, 0, 0 });
    size_t stride = (size_t)width * (size_t)height * (size_t)channels;
    for (size_t k = 0; k < n; k++) {
        int x = TG_GRID_PAD + (int)(k % (size_t)per_row) * (int)(pair_w + TG_GRID_PAD);
        int y = TG_GRID_TITLE_H + TG_GRID_PAD + (int)(k / (size_t)per_row) * (int)(ch + TG_GRID_PAD);
        draw_image(&c, x, y, recons + k * stride, width, height, channels, scale);
        draw_image(&c, x + (int)cw + TG_GRID_GAP, y, originals + k * stride, width,
                   height, channels, scale);
    }
    int rc = tg_canvas_save_png(&c, path, err);
    tg_canvas_free(&c);
    return rc;
}
