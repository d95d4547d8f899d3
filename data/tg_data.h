/* tg_data.h - data sets: loaders, preprocessing, corrupted-set selection.
 *
 * Every loader fills a tg_dataset: n samples of dim features each, stored
 * as one dense row-major float block, with optional integer labels. Any
 * model can consume it; the loaders know nothing about RSRAE.
 *
 *   tg_load_idx        MNIST / Fashion-MNIST IDX files, raw or gzip
 *   tg_load_image_dir  a folder of PNG/JPEG images, classes from sub-folders
 *   tg_load_csv        numeric CSV, optional header and label column
 *   tg_data_load       picks one of the above from what the path is
 *   tg_data_open       the same, but for IDX reads only labels and header,
 *   tg_data_load_rows  then converts only the rows one wants (low memory)
 *
 * Then, for anomaly-detection experiments:
 *
 *   tg_select          pick an inlier class and a number of outliers from
 *                      other classes (a "corrupted" training set)
 *   tg_dataset_subset  copy the chosen rows into a new dense tg_dataset
 *
 * For a large IDX set of which only some rows are wanted, the two-phase path
 * keeps memory to the wanted rows: tg_data_open -> tg_select on its labels
 * -> tg_data_load_rows(selection.index) gives what tg_data_load ->
 * tg_select -> tg_dataset_subset gives, without the full float copy.
 *
 * Conventions: functions that can fail return 0 or -1 and write a message
 * naming the file and the line / column / byte offset into err. On failure
 * *out is left zeroed (nothing to free); on success the caller owns it and
 * releases it with tg_dataset_free / tg_selection_free.
 */
#ifndef TG_DATA_H
#define TG_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "tg_error.h"

typedef struct tg_dataset {
    size_t n, dim;        /* samples, features per sample */
    float *x;             /* [n, dim] row-major (scaling: see each loader);
                             NULL in a header-only set (see tg_data_open) */
    int   *labels;        /* [n] class index, -1 = unknown; NULL = no labels */
    int    width, height, channels; /* image geometry; 0 for tabular data */
    char **class_names;   /* [n_classes] when labels come from strings or
                             folder names; NULL when labels are integers */
    int    n_classes;     /* 1 + largest label; 0 without labels */
    char **feature_names; /* [dim] CSV header names; NULL otherwise */
} tg_dataset;

/* Frees everything the dataset owns and zeroes it. Safe on a zeroed one
 * and on a header-only one. */
void tg_dataset_free(tg_dataset *ds);

/* ---- loaders ---------------------------------------------------------- */

/* IDX images (magic 2051, unsigned bytes, [n, rows, cols]) and optionally
 * IDX labels (magic 2049, [n]); labels_path may be NULL. Either file may be
 * gzip-compressed: zlib recognises the gzip magic bytes 1f 8b, so the name
 * need not end in .gz. Pixels are scaled to [0, 1] (byte / 255); x is
 * [n, rows*cols], width = cols, height = rows, channels = 1; labels keep
 * their byte value and class_names is NULL. Offsets in messages count
 * uncompressed bytes. */
int tg_load_idx(const char *images_path, const char *labels_path,
                tg_dataset *out, tg_error *err);

/* Every *.png / *.jpg / *.jpeg (any case) in dir, in sorted path order.
 * Images inside a sub-folder (at any depth) take that top-level sub-folder's
 * name as class; class_names lists the sub-folders that hold at least one
 * image, sorted (strcmp), and label = index in that list. Images directly
 * in dir get label -1; with no class sub-folders at all labels is NULL.
 * Hidden entries (leading '.') are skipped. All images must have the same
 * width and height. If every image is greyscale (with or without alpha) the
 * set has 1 channel; otherwise every image is converted to 3 channels (RGB,
 * alpha dropped). x is [n, height*width*channels], pixels interleaved
 * (row by row, channel fastest) and scaled to [0, 1]. */
int tg_load_image_dir(const char *dir, tg_dataset *out, tg_error *err);

typedef enum tg_csv_header {
    TG_CSV_HEADER_AUTO = 0, /* header iff the first row has a non-numeric
                               field (outside a label column given by number) */
    TG_CSV_HEADER_YES,
    TG_CSV_HEADER_NO,
} tg_csv_header;

/* Comma-separated numbers, one sample per row. Fields are trimmed of
 * spaces; double quotes around a field are removed ("" inside one is a
 * quote). Blank lines are skipped. With a header its names become
 * feature_names (the label column's name excluded).
 *
 * label_column: NULL = no labels, every column is a feature. Otherwise the
 * header name of the label column, or, when no header has that name, a
 * 0-based column number ("0", "4"). Every other column is a feature.
 * Labels that are all integers >= 0 are kept as numbers (class_names NULL);
 * otherwise each distinct value is a class name, sorted (strcmp), label =
 * index. An empty label field means unknown (-1).
 *
 * Feature values are parsed as numbers and must be finite; x holds them as
 * read (see tg_data_standardize). */
int tg_load_csv(const char *path, const char *label_column, tg_csv_header header,
                tg_dataset *out, tg_error *err);

typedef struct tg_load_opts {
    const char   *split;        /* IDX directory: "train" (NULL) or "test" */
    const char   *label_column; /* CSV: see tg_load_csv; NULL = no labels */
    tg_csv_header csv_header;   /* CSV: header detection */
} tg_load_opts;

/* Loads by what path is (opts may be NULL = defaults):
 *  - a directory holding train-images-idx3-ubyte[.gz] (split "train") or
 *    t10k-images-idx3-ubyte[.gz] (split "test"): that IDX file, with the
 *    matching *-labels-idx1-ubyte[.gz] when present;
 *  - any other directory: tg_load_image_dir;
 *  - a file whose name ends in .csv: tg_load_csv;
 *  - a file whose (possibly gzipped) content starts with the IDX image
 *    magic: tg_load_idx. When labels_path is NULL the sibling named with
 *    "images" -> "labels" and "idx3" -> "idx1" is used if it exists.
 * labels_path is only accepted for IDX images. */
int tg_data_load(const char *path, const char *labels_path,
                 const tg_load_opts *opts, tg_dataset *out, tg_error *err);

/* Phase one of loading selected rows: resolves path, labels_path and opts
 * exactly as tg_data_load does. For IDX images it reads only the labels
 * file (if any) and the images file's header, checking the magic numbers,
 * the image size and that the label count equals the image count: out
 * gets n, dim, geometry, labels, n_classes and class_names as tg_data_load
 * would, but x = NULL. Such a "header-only" set can go to tg_select,
 * tg_dataset_class_index, tg_data_load_rows and tg_dataset_free (and
 * tg_dataset_subset, which refuses it unless it copies no values); not to
 * the preprocessing functions. Whether the pixel data is all there is not
 * checked here: tg_data_load_rows finds truncation.
 * For CSV files and image folders it is tg_data_load (x present). */
int tg_data_open(const char *path, const char *labels_path,
                 const tg_load_opts *opts, tg_dataset *out, tg_error *err);

/* Phase two: rows[0..n_rows) (any order, repeats allowed) of the set that
 * tg_data_open gave as opened; path, labels_path and opts must be the ones
 * given to it. out equals what tg_dataset_subset would make of the fully
 * loaded set, bit for bit. When opened is header-only, the images file is
 * read once from start to end (decompressing as it goes) and only the wanted
 * rows are converted: memory is out plus a buffer of about one row or 64
 * KiB, never the whole set. The whole file is read even when the wanted
 * rows end early, so a truncated file fails as in tg_load_idx (with the
 * byte offset where the data ends); labels come from opened, and a header
 * that no longer matches opened is an error. When opened has x it is
 * tg_dataset_subset(opened, rows, n_rows). opened is not modified. */
int tg_data_load_rows(const char *path, const char *labels_path, const tg_load_opts *opts,
                      const tg_dataset *opened, const size_t *rows, size_t n_rows,
                      tg_dataset *out, tg_error *err);

/* ---- preprocessing ---------------------------------------------------- */

/* Maps [0, 1] pixels to [-1, 1] (2x - 1), then scales each row to unit L2
 * norm; a row that is all zero after the mapping stays zero. */
void tg_data_scale_pm1_l2(tg_dataset *ds);

/* Per feature: subtract the mean and divide by the (population) standard
 * deviation, so each column has mean 0 and std 1; a constant column becomes
 * all 0. mean and std ([dim] each) receive the statistics when non-NULL so
 * that other data can be transformed alike with tg_data_apply_standardize.
 * Returns -1 only on allocation failure. */
int  tg_data_standardize(tg_dataset *ds, float *mean, float *std, tg_error *err);
/* x = (x - mean) / std per column; columns with std == 0 become 0. */
void tg_data_apply_standardize(tg_dataset *ds, const float *mean, const float *std);

/* ---- corrupted-set selection ------------------------------------------ */

typedef enum tg_sample_mode {
    TG_SAMPLE_RANDOM = 0, /* uniformly without replacement, from seed */
    TG_SAMPLE_FIRST,      /* the first rows of each class in file order */
} tg_sample_mode;

/* Parses "random" or "first". */
int tg_sample_mode_parse(const char *s, tg_sample_mode *mode, tg_error *err);

typedef struct tg_select_opts {
    int         inlier_class;       /* K; -1 = no selection: every row, all
                                       inliers, labels not needed */
    const int  *outlier_classes;    /* classes to draw outliers from ... */
    int         n_outlier_classes;  /* ... 0 = every labelled class but K */
    size_t      outliers_per_class; /* N from each outlier class, or 0 */
    double      outlier_ratio;      /* c: round(c * n_inliers) outliers in all,
                                       spread as evenly as the classes allow;
                                       or 0. At most one of N and c is set;
                                       neither = no outliers. */
    size_t      max_inliers;        /* 0 = every row of class K */
    tg_sample_mode mode;
    uint64_t    seed;               /* for TG_SAMPLE_RANDOM */
} tg_select_opts;

/* K = -1, no outliers, random mode, seed 0. */
void tg_select_opts_default(tg_select_opts *o);

typedef struct tg_selection {
    size_t  n;           /* n_inliers + n_outliers */
    size_t  n_inliers, n_outliers;
    size_t *index;       /* [n] dataset rows: the inliers in file order, then
                            the outliers class by class (in the order of
                            outlier_classes, or ascending when that is
                            empty), each class's rows in file order */
    int    *is_outlier;  /* [n] 1 for outliers, 0 for inliers */
} tg_selection;

/* Chooses rows of ds per opts. The random mode draws, from one tg_rng
 * seeded with opts->seed, first the inliers (only if max_inliers cuts
 * them) then each outlier class in turn, so a seed reproduces the set. */
int  tg_select(const tg_dataset *ds, const tg_select_opts *opts,
               tg_selection *out, tg_error *err);
void tg_selection_free(tg_selection *s);

/* Copies rows index[0..n) of ds (features, labels, geometry and names)
 * into a new dense dataset. A header-only ds (x = NULL) fails unless no
 * value is copied: use tg_data_load_rows. */
int tg_dataset_subset(const tg_dataset *ds, const size_t *index, size_t n,
                      tg_dataset *out, tg_error *err);

/* Class index of name: a class_names entry, or else a decimal integer
 * in [0, n_classes). -1 when it names no class. */
int tg_dataset_class_index(const tg_dataset *ds, const char *name);

#endif
