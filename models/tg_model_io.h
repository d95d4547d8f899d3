/* tg_model_io.h - a trained RSRAE in one versioned file (model.bin).
 *
 * The file holds everything needed to score new data exactly as the model
 * saw its training data: the full tg_rsrae_config (the graph is rebuilt from
 * it), the preprocessing and its statistics, the input geometry, and every
 * parameter tensor by name and shape. Integers and floats are little-endian
 * whatever the host; nothing is written as a raw C struct, so files move
 * between compilers and machines. A CRC-32 (zlib's) over all preceding
 * bytes ends the file. The byte-level layout is in docs/model-format.md.
 *
 * Saving goes through a temporary file renamed into place (tg_atomic.h):
 * the destination holds the old file or the whole new one, never a part.
 * Loading checks, in order: magic, version, structure (every length against
 * the file size), checksum, then values (enum codes, the config via
 * tg_rsrae_config_check, the geometry), and finally every stored tensor's
 * name and shape against the graph built from the stored config. Each
 * failure returns -1 with a message naming the file and the byte offset.
 */
#ifndef TG_MODEL_IO_H
#define TG_MODEL_IO_H

#include "tg_error.h"
#include "tg_rsrae.h"

#define TG_MODEL_MAGIC "RSRAEMDL" /* 8 bytes, no terminator in the file */
#define TG_MODEL_VERSION 1        /* the only version this build reads */

/* How raw data (as the loaders return it) becomes model input. */
typedef enum tg_preprocess {
    TG_PREPROCESS_UNIT = 0,        /* none: [0, 1] pixels / values as loaded */
    TG_PREPROCESS_PM1_L2 = 1,      /* 2x - 1, then each row to unit L2 norm
                                      (tg_data_scale_pm1_l2) */
    TG_PREPROCESS_STANDARDIZE = 2, /* (x - mean) / std per feature with the
                                      training statistics
                                      (tg_data_apply_standardize) */
} tg_preprocess;

typedef struct tg_model_meta {
    tg_preprocess preprocess;
    int    width, height, channels; /* image geometry; all 0 for tabular data.
                                       Otherwise width*height*channels must
                                       equal the config's input_dim. */
    float *mean, *std;              /* [input_dim] each with STANDARDIZE,
                                       else NULL. On save they are read; on
                                       load they are allocated (free with
                                       tg_model_meta_free). */
} tg_model_meta;

/* "unit", "pm1-l2", "standardize" (and the parse accepts exactly those). */
const char *tg_preprocess_name(tg_preprocess p);
int         tg_preprocess_parse(const char *s, tg_preprocess *out);

/* Writes m's config and parameters and meta (NULL = unit preprocessing,
 * tabular) to path atomically. Fails without touching path when meta is
 * inconsistent with the config. */
int tg_model_save(const char *path, const tg_rsrae *m, const tg_model_meta *meta,
                  tg_error *err);

/* Reads path, builds *m_out from the stored config (tg_rsrae_build) and
 * fills its parameters; *meta_out (may be NULL) receives the preprocessing
 * record. On failure both are left zeroed: nothing to free. On success the
 * caller releases them with tg_rsrae_free and tg_model_meta_free. */
int tg_model_load(const char *path, tg_rsrae *m_out, tg_model_meta *meta_out, tg_error *err);

/* Frees the arrays a load allocated and zeroes meta. Safe on a zeroed one. */
void tg_model_meta_free(tg_model_meta *meta);

#endif
