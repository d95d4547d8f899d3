/* cli.h - the rsrae tool's options, data preparation and reports. */
#ifndef RSRAE_CLI_H
#define RSRAE_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "tg_data.h"
#include "tg_error.h"
#include "tg_model_io.h"
#include "tg_trainer.h"

#define RSRAE_DEFAULT_DATA "/usr/share/datasets/fashion-mnist"

typedef struct rsrae_opts {
    /* data */
    const char *data, *labels, *split, *label_column;
    const char *inlier_class;     /* class name or number; NULL: none */
    const char *outlier_classes;  /* "0,1,2,8" */
    long  outliers_per_class;     /* -1: not given */
    double outlier_ratio;         /* < 0: not given */
    const char *sample;           /* random | first */
    const char *preprocess;       /* NULL: preset / data kind decides */
    /* model */
    const char *preset;
    const char *hidden, *decoder_hidden; /* "392,196" */
    int   embed_dim, latent_dim;
    const char *activation, *embed_activation, *output_activation;
    int   renorm;
    const char *a_init;           /* orthogonal | normal */
    double p, lambda1, lambda2;
    const char *reduction;        /* sum | mean */
    const char *mode;             /* joint | alternating */
    const char *score;            /* l2 | cosine */
    /* training */
    int   epochs, batch_size;
    double lr, lr_ortho, lr_rsr, weight_decay;
    const char *optimizer;        /* adam | adamw | sgd */
    const char *schedule;         /* constant | cosine | onecycle | step */
    long  seed;
    int   threads;
    int   eval_every;             /* 0: off */
    /* output */
    const char *out, *model;
    int   quiet;
    int   help;
} rsrae_opts;

/* Fills o with the defaults, then the preset named on the command line,
 * then every option given. Returns 0, or -1 with a message. */
int  opts_parse(rsrae_opts *o, int argc, char **argv, int first, tg_error *err);
void opts_print_help(const char *command, FILE *out);
/* Model and training configuration from the options, for input_dim. */
int  opts_model_config(const rsrae_opts *o, int input_dim, tg_preprocess prep, tg_rsrae_config *c,
                       tg_error *err);
int  opts_a_init(const rsrae_opts *o, tg_a_init *a, tg_error *err);
int  opts_train_config(const rsrae_opts *o, tg_train_config *t, tg_error *err);
/* Preprocessing mode the options ask for, given what the data is. */
int  opts_tg_preprocess(const rsrae_opts *o, int is_image, tg_preprocess *mode, tg_error *err);

/* The data one run works on: the selected rows, preprocessed. */
typedef struct prepared_data {
    tg_dataset x;          /* selected rows, preprocessed: what the model sees
                              (labels, names and geometry as loaded) */
    float     *norms;      /* [n] ||2 r - 1|| of each raw row r under
                              TG_PREPROCESS_PM1_L2, to show originals again */
    size_t    *source_row; /* [n] row in the input file */
    int       *is_outlier; /* [n] ground truth; NULL when unknown */
    size_t     n_inliers, n_outliers;
    tg_preprocess  prep;
    float     *mean, *std; /* TG_PREPROCESS_STANDARDIZE statistics [dim] */
} prepared_data;

/* Loads, selects and preprocesses. With mean/std != NULL the
 * standardisation statistics are taken from them and with prep_override >= 0
 * the preprocessing too (scoring with a model's record). */
int  data_prepare(const rsrae_opts *o, const float *mean, const float *std, int prep_override,
                  prepared_data *d, tg_error *err);
void data_release(prepared_data *d);

#endif
