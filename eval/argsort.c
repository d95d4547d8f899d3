/* argsort.c - stable orderings of scores (ranks, top-k, metric sweeps). */
#include "tg_eval.h"

#include <math.h>
#include <stdlib.h>

typedef struct keyed {
    float  score;
    size_t index;
} keyed;

/* A total order (score, then index), so qsort's instability cannot show. */
static int cmp_keyed(const keyed *a, const keyed *b, int descending)
{
    int na = isnan(a->score), nb = isnan(b->score);
    if (na != nb)
        return na - nb;  /* NaN last */
    if (!na && a->score != b->score) {
        int lower = a->score < b->score ? -1 : 1;
        return descending ? -lower : lower;
    }
    return (a->index > b->index) - (a->index < b->index);
}

static int cmp_desc(const void *a, const void *b) { return cmp_keyed(a, b, 1); }
static int cmp_asc(const void *a, const void *b)  { return cmp_keyed(a, b, 0); }

int tg_argsort(const float *scores, size_t n, int descending, size_t *order,
               tg_error *err)
{
    if (n == 0)
        return 0;
    keyed *k = malloc(n * sizeof *k);
    if (!k)
        return tg_fail(err, "argsort: out of memory for %zu scores", n);
    for (size_t i = 0; i < n; i++)
        k[i] = (keyed){ scores[i], i };
    qsort(k, n, sizeof *k, descending ? cmp_desc : cmp_asc);
    for (size_t r = 0; r < n; r++)
        order[r] = k[r].index;
    free(k);
    return 0;
}

int tg_rank_desc(const float *scores, size_t n, size_t *rank_out, tg_error *err)
{
    if (n == 0)
        return 0;
    size_t *order = malloc(n * sizeof *order);
    if (!order)
        return tg_fail(err, "rank: out of memory for %zu scores", n);
    if (tg_argsort(scores, n, 1, order, err) != 0) {
        free(order);
        return -1;
    }
    for (size_t r = 0; r < n; r++)
        rank_out[order[r]] = r + 1;
    free(order);
    return 0;
}

static int extreme_k(const float *scores, size_t n, size_t k, int descending,
                     size_t *idx_out, tg_error *err)
{
    if (k > n)
        return tg_fail(err, "%s: asked for %zu of %zu scores",
                       descending ? "top_k" : "bottom_k", k, n);
    if (k == 0)
        return 0;
    size_t *order = malloc(n * sizeof *order);
    if (!order)
        return tg_fail(err, "top/bottom k: out of memory for %zu scores", n);
    if (tg_argsort(scores, n, descending, order, err) != 0) {
        free(order);
        return -1;
    }
    for (size_t r = 0; r < k; r++)
        idx_out[r] = order[r];
    free(order);
    return 0;
}

int tg_top_k(const float *scores, size_t n, size_t k, size_t *idx_out, tg_error *err)
{
    return extreme_k(scores, n, k, 1, idx_out, err);
}

int tg_bottom_k(const float *scores, size_t n, size_t k, size_t *idx_out, tg_error *err)
{
    return extreme_k(scores, n, k, 0, idx_out, err);
}
