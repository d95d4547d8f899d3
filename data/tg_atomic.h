/* tg_atomic.h - files that appear whole or not at all.
 *
 * A writer opens "<path>.tmp.<pid>" beside the destination, writes, and on
 * commit flushes, fsyncs and renames it over the destination. On abort (or
 * any write error) the temporary file is removed, so a failed run never leaves
 * a truncated output behind.
 */
#ifndef TG_ATOMIC_H
#define TG_ATOMIC_H

#include <stdio.h>

#include "tg_error.h"

typedef struct tg_atomic_file {
    FILE *fp;          /* write through this */
    char  path[4096];  /* destination */
    char  tmp[4200];   /* temporary beside it */
} tg_atomic_file;

int  tg_atomic_open(tg_atomic_file *f, const char *path, tg_error *err);
/* Closes and renames; on failure removes the temporary file. */
int  tg_atomic_commit(tg_atomic_file *f, tg_error *err);
void tg_atomic_abort(tg_atomic_file *f);

/* Writes len bytes to path atomically. */
int  tg_write_file_atomic(const char *path, const void *data, size_t len, tg_error *err);

#endif
