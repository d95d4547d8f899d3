/* data_internal.h - helpers shared by the loaders (not installed). */
#ifndef TG_DATA_INTERNAL_H
#define TG_DATA_INTERNAL_H

#include <stddef.h>

#include "tg_data.h"

/* strdup that returns NULL on NULL or out of memory. */
char  *tg_data_strdup(const char *s);
/* Frees n strings and the array; NULL-safe. */
void   tg_data_strv_free(char **v, size_t n);
/* Deep copy of n strings; NULL when v is NULL or on out of memory. */
char **tg_data_strv_dup(char *const *v, size_t n);
/* qsort comparator for an array of char *. */
int    tg_data_strcmp_p(const void *a, const void *b);
/* 1 if s ends with suffix, ignoring ASCII case. */
int    tg_data_ends_with_ci(const char *s, const char *suffix);
/* 1 if n * size fits in size_t. */
int    tg_data_mul_ok(size_t n, size_t size);


/* tg_data_open for IDX: labels (if any) and the images header only; out
 * gets everything tg_load_idx gives except x, which stays NULL. */
int    tg_data_idx_open(const char *images_path, const char *labels_path,
                        tg_dataset *out, tg_error *err);
/* tg_data_load_rows for IDX: rows[0..n_rows) of the images file that
 * tg_data_idx_open described as opened, streamed in one pass. */
int    tg_data_idx_rows(const char *images_path, const tg_dataset *opened,
                        const size_t *rows, size_t n_rows, tg_dataset *out, tg_error *err);

#endif
