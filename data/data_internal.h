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

#endif
