/* tg_error.h - errors as values.
 *
 * The library never prints, aborts or exits on a user error. A function that
 * can fail returns an int (0 on success, -1 on failure) and, when given a
 * tg_error, writes a one-line message into it that names what failed and
 * where (file and line or byte offset, op and shapes, ...). Callers decide
 * whether to print it.
 */
#ifndef TG_ERROR_H
#define TG_ERROR_H

#include <stddef.h>

#define TG_ERROR_LEN 512

typedef struct tg_error {
    char msg[TG_ERROR_LEN];
} tg_error;

/* Formats into err (if non-NULL) and returns -1, so a failing path can read
 * `return tg_fail(err, "%s: line %d: expected ...", path, line);` */
int tg_fail(tg_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Clears err (if non-NULL). */
void tg_error_clear(tg_error *err);

#endif
