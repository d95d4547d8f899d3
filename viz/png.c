/* png.c - PNG encoding in memory, then one atomic write. */
#include "tg_viz.h"

#include <stdlib.h>
#include <string.h>

#include <stb_image_write.h>

#include "tg_atomic.h"

typedef struct membuf {
    unsigned char *data;
    size_t len, cap;
    int failed;
} membuf;

static void append(void *context, void *data, int size)
{
    membuf *b = context;
    if (b->failed || size <= 0)
        return;
    if (b->len + (size_t)size > b->cap) {
        size_t cap = b->cap ? b->cap : 65536;
        while (cap < b->len + (size_t)size)
            cap *= 2;
        unsigned char *grown = realloc(b->data, cap);
        if (!grown) {
            b->failed = 1;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, (size_t)size);
    b->len += (size_t)size;
}

int tg_canvas_save_png(const tg_canvas *c, const char *path, tg_error *err)
{
    membuf b = { 0 };
    int ok = stbi_write_png_to_func(append, &b, c->width, c->height, 3, c->rgb,
                                    c->width * 3);
    if (!ok || b.failed) {
        free(b.data);
        return tg_fail(err, "%s: cannot encode %d x %d PNG (out of memory)", path,
                       c->width, c->height);
    }
    int rc = tg_write_file_atomic(path, b.data, b.len, err);
    free(b.data);
    return rc;
}
