/* tg_rsrae.h - RSRAE, the Robust Subspace Recovery Autoencoder (Lai, Zou &
 * Lerman, ICLR 2020), as graph definitions.
 *
 *   x [B, in] -> encoder MLP -> z [B, D] -> RSR layer z~ = A z, A [d, D]
 *     -> (optional L2 renormalisation of z~) -> decoder MLP -> x^ [B, in]
 *
 * Losses, per sample as in the paper (sums over the batch, or batch means
 * with `mean_reduction`):
 *   reconstruction  sum_i ||x_i - x^_i||_2^p                        (p = 1)
 *   RSR residual    lambda1 * sum_i ||z_i - A^T A z_i||_2
 *   orthogonality   lambda2 * ||A A^T - I_d||_F^2   (mean of the squared
 *                   entries with mean_reduction)
 * The anomaly score of a sample is its reconstruction error: the L2 norm
 * ||x - x^|| or, with TG_SCORE_COSINE, 1 - cos(x, x^). High = outlier.
 *
 * Everything here is an ordinary graph built with the tg_ API; nothing in
 * the core knows about this model.
 */
#ifndef TG_RSRAE_H
#define TG_RSRAE_H

#include "tg.h"
#include "tg_error.h"
#include "tg_rng.h"

#define TG_RSRAE_MAX_LAYERS 8
#define TG_RSRAE_MAX_PARAMS (4 * TG_RSRAE_MAX_LAYERS + 1)

typedef enum tg_act {
    TG_ACT_LEAKY_RELU = 0, /* slope 0.01 (PyTorch's default) */
    TG_ACT_TANH,
    TG_ACT_RELU,
    TG_ACT_SIGMOID,
    TG_ACT_NONE,
} tg_act;

typedef enum tg_score_kind { TG_SCORE_L2 = 0, TG_SCORE_COSINE } tg_score_kind;
typedef enum tg_train_mode { TG_TRAIN_JOINT = 0, TG_TRAIN_ALTERNATING } tg_train_mode;

typedef struct tg_rsrae_config {
    int   input_dim;
    int   n_enc_hidden, enc_hidden[TG_RSRAE_MAX_LAYERS]; /* in -> ... -> D */
    int   n_dec_hidden, dec_hidden[TG_RSRAE_MAX_LAYERS]; /* d -> ... -> in */
    int   embed_dim;      /* D */
    int   latent_dim;     /* d */
    tg_act act;           /* hidden layers */
    tg_act embed_act;     /* on z (the official code applies `act` there too) */
    tg_act out_act;       /* on x^ */
    int   renorm;         /* L2-normalise A z before the decoder */
    float p;              /* exponent of the L2,p reconstruction loss */
    float lambda1, lambda2;
    int   mean_reduction; /* 1: batch means; 0: sums (the paper's form) */
    tg_train_mode mode;
    tg_score_kind score;
    int   batch;
} tg_rsrae_config;

/* The reference setting for an input size: hidden in/2, in/4, D = 128,
 * d = 16, LeakyReLU, sigmoid output, sum reduction, joint training. */
tg_rsrae_config tg_rsrae_defaults(int input_dim);
int tg_rsrae_config_check(const tg_rsrae_config *c, tg_error *err);
const char *tg_act_name(tg_act a);
int tg_act_parse(const char *s, tg_act *out);

/* Parameter subsets, each contiguous in the parameter block (the model
 * creates encoder parameters, then A, then the decoder's). */
typedef struct tg_param_set {
    tg_tensor params[TG_RSRAE_MAX_PARAMS];
    tg_tensor grads[TG_RSRAE_MAX_PARAMS];
    int n;
    tg_tensor loss;       /* what the gradients are of */
} tg_param_set;

typedef struct tg_rsrae {
    tg_rsrae_config cfg;
    tg_graph *g;
    tg_tensor x;          // [B, in] input
    tg_tensor z;          // [B, D] embedding
    tg_tensor latent;     // [B, d] A z (renormalised if configured)
    tg_tensor recon;      // [B, in] x^
    tg_tensor recon_err;  // [B, 1] ||x - x^||
    tg_tensor residual;   // [B, 1] ||z - A^T A z||
    tg_tensor score;      // [B, 1] anomaly score
    tg_tensor loss_recon, loss_rsr, loss_ortho, loss; // scalars, weighted
    tg_tensor A;          // [d, D]
    tg_tensor weights[2 * TG_RSRAE_MAX_LAYERS + 2], biases[2 * TG_RSRAE_MAX_LAYERS + 2];
    int n_enc_layers, n_dec_layers;
    /* Joint mode: sets[0] = everything on `loss`. Alternating mode:
     * sets[0] = reconstruction on everything, sets[1] = orthogonality on A,
     * sets[2] = RSR residual on the encoder and A. */
    tg_param_set sets[3];
    int n_sets;
} tg_rsrae;

/* Builds the whole graph (forward, losses, gradient sets). On error the
 * message names the op and shapes. */
int  tg_rsrae_build(tg_rsrae *m, const tg_rsrae_config *cfg, tg_error *err);
void tg_rsrae_free(tg_rsrae *m);

typedef enum tg_a_init {
    TG_A_ORTHOGONAL = 0, /* nn.init.orthogonal_: A A^T = I (the paper's choice) */
    TG_A_NORMAL,         /* entries N(0, 1), as the official code */
} tg_a_init;

/* PyTorch's initialisation: linear layers uniform +-1/sqrt(fan_in); A as
 * a_init says. */
int  tg_rsrae_init(tg_rsrae *m, tg_rng *r, tg_a_init a_init, tg_error *err);

#endif
