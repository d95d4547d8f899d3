/* text.c - stb_easy_font's quads rasterised into a canvas.
 *
 * The only file that includes stb_easy_font.h (its functions are static).
 * Glyphs are drawn one at a time so a small fixed vertex buffer suffices
 * for any string length.
 */
#include "tg_viz.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wmissing-braces"
#include <stb_easy_font.h>
#pragma GCC diagnostic pop

/* The font's advance for printable ASCII, '?' for anything else. */
static char printable(char ch)
{
    return ch >= 32 && ch < 127 ? ch : '?';
}

static int glyph_advance(char ch)
{
    char s[2] = { printable(ch), 0 };
    return stb_easy_font_width(s);
}

int tg_text_width(const char *text, int scale)
{
    int w = 0;
    for (const char *p = text; *p; p++)
        w += glyph_advance(*p);
    return w * scale;
}

int tg_text_height(int scale)
{
    return 7 * scale;
}

int tg_canvas_text(tg_canvas *c, int x, int y, const char *text, int scale,
                   tg_color col)
{
    /* A glyph has at most 14 segments; each quad is 4 vertices of 16 bytes. */
    float quads[64 * 16];  // [quads, 4 vertices, x y z rgba]
    if (scale < 1)
        scale = 1;
    int pen = 0;
    for (const char *p = text; *p; p++) {
        char s[2] = { printable(*p), 0 };
        int nq = stb_easy_font_print(0, 0, s, NULL, quads, sizeof quads);
        for (int q = 0; q < nq; q++) {
            const float *v = quads + q * 16;  /* vertex 0 and vertex 2: corners */
            int x0 = (int)v[0], y0 = (int)v[1], x1 = (int)v[8], y1 = (int)v[9];
            tg_canvas_rect(c, x + (pen + x0) * scale, y + y0 * scale,
                           (x1 - x0) * scale, (y1 - y0) * scale, col);
        }
        pen += glyph_advance(*p);
    }
    return pen * scale;
}
