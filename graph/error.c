/* error.c - formatting of returned error messages. */
#include "tg_error.h"

#include <stdarg.h>
#include <stdio.h>

int tg_fail(tg_error *err, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return -1;
}

void tg_error_clear(tg_error *err)
{
    if (err)
        err->msg[0] = '\0';
}
