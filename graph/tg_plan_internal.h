/* tg_plan_internal.h - a compiled plan (shared by planner.c, interp.c, dump.c).
 *
 * Planning, in order:
 *   1. schedule  the nodes the outputs need, in node order (which is already
 *                topological: inputs are created before their consumers);
 *   2. lifetime  every arena tensor lives from its producer's position to its
 *                last consumer's position (outputs: to the end), inclusive;
 *   3. in-place  an op flagged `inplace` whose input 0 lives in the arena, has
 *                the output's size and dies at this node hands its buffer on:
 *                both join one buffer whose lifetime is their union;
 *   4. offsets   buffers sorted by size (largest first, then by first use) are
 *                placed one by one at the lowest-waste gap among the buffers
 *                already placed that overlap them in time (best fit; the end
 *                of the arena when no gap fits), each offset a multiple of 64
 *                bytes. This is TensorFlow Lite Micro's greedy-by-size
 *                planner with best fit instead of first fit.
 *   The linear planner skips 3 and gives every buffer its own offset: slower
 *   to fail when a kernel writes out of bounds, and the reference that the
 *   greedy plan must reproduce bit for bit.
 */
#ifndef TG_PLAN_INTERNAL_H
#define TG_PLAN_INTERNAL_H

#include "tg_internal.h"

#define TG_NOT_IN_ARENA ((size_t)-1)

typedef struct tg_slot {       /* per scheduled node */
    tg_tensor node;
    int       first, last;     /* lifetime in schedule positions */
    int       buffer;          /* index into buffers, -1 when not in the arena */
    size_t    offset;          /* bytes into the arena, or TG_NOT_IN_ARENA */
    size_t    bytes;
} tg_slot;

typedef struct tg_buffer {
    size_t bytes;
    int    first, last;
    size_t offset;
} tg_buffer;

struct tg_plan {
    tg_graph      *g;
    tg_planner     planner;
    tg_slot       *slots;       /* [n_slots] in schedule order */
    int            n_slots;
    int           *position;    /* [g->n_nodes] schedule position or -1 */
    tg_buffer     *buffers;
    int            n_buffers;
    unsigned char *arena;
    size_t         arena_bytes;
    const float  **bound;       /* [g->n_nodes] caller memory of inputs */
    tg_mem_report  mem;
    double        *slot_seconds; /* [n_slots] when profiling, else NULL */
    long           profiled_runs;
};

#endif
