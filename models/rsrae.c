/* rsrae.c - RSRAE as graph definitions: MLPs, the RSR layer, the losses, the
 * anomaly score and the gradient sets of both training modes. */
#include "tg_rsrae.h"

#include <math.h>
#include <string.h>

#include "tg_init.h"
#include "tg_ops.h"

static const char *act_names[] = {"leaky_relu", "tanh", "relu", "sigmoid", "none"};

const char *tg_act_name(tg_act a) { return a <= TG_ACT_NONE ? act_names[a] : "?"; }

int tg_act_parse(const char *s, tg_act *out)
{
    for (int i = 0; i <= TG_ACT_NONE; i++)
        if (strcmp(s, act_names[i]) == 0 || (i == TG_ACT_LEAKY_RELU && strcmp(s, "leaky") == 0) ||
            (i == TG_ACT_NONE && strcmp(s, "linear") == 0)) {
            *out = (tg_act)i;
            return 0;
        }
    return -1;
}

tg_rsrae_config tg_rsrae_defaults(int input_dim)
{
    tg_rsrae_config c = {
        .input_dim = input_dim,
        .n_enc_hidden = 2, .enc_hidden = {input_dim / 2, input_dim / 4},
        .n_dec_hidden = 2, .dec_hidden = {128, input_dim / 2},
        .embed_dim = 128, .latent_dim = 16,
        .act = TG_ACT_LEAKY_RELU, .embed_act = TG_ACT_NONE, .out_act = TG_ACT_SIGMOID,
        .renorm = 0, .p = 1.0f, .lambda1 = 1.0f, .lambda2 = 1.0f,
        .mean_reduction = 0, .mode = TG_TRAIN_JOINT, .score = TG_SCORE_L2, .batch = 64,
    };
    return c;
}

int tg_rsrae_config_check(const tg_rsrae_config *c, tg_error *err)
{
    if (c->input_dim <= 0 || c->embed_dim <= 0 || c->latent_dim <= 0 || c->batch <= 0)
        return tg_fail(err, "rsrae: input %d, embedding D %d, latent d %d and batch %d must be positive",
                       c->input_dim, c->embed_dim, c->latent_dim, c->batch);
    if (c->latent_dim > c->embed_dim)
        return tg_fail(err, "rsrae: latent dimension d = %d exceeds embedding dimension D = %d",
                       c->latent_dim, c->embed_dim);
    if (c->n_enc_hidden < 0 || c->n_enc_hidden > TG_RSRAE_MAX_LAYERS ||
        c->n_dec_hidden < 0 || c->n_dec_hidden > TG_RSRAE_MAX_LAYERS)
        return tg_fail(err, "rsrae: at most %d hidden layers per MLP", TG_RSRAE_MAX_LAYERS);
    for (int i = 0; i < c->n_enc_hidden; i++)
        if (c->enc_hidden[i] <= 0)
            return tg_fail(err, "rsrae: encoder hidden size %d is %d", i, c->enc_hidden[i]);
    for (int i = 0; i < c->n_dec_hidden; i++)
        if (c->dec_hidden[i] <= 0)
            return tg_fail(err, "rsrae: decoder hidden size %d is %d", i, c->dec_hidden[i]);
    if (!(c->p > 0.0f))
        return tg_fail(err, "rsrae: the reconstruction exponent p must be positive, got %g", c->p);
    return 0;
}

#define LEAKY_SLOPE 0.01f /* PyTorch's default */

/* The activation's op id for tg_linear_act (0: none). */
static int act_op(tg_act a)
{
    switch (a) {
    case TG_ACT_LEAKY_RELU: return TG_OP_LEAKY_RELU;
    case TG_ACT_TANH: return TG_OP_TANH;
    case TG_ACT_RELU: return TG_OP_RELU;
    case TG_ACT_SIGMOID: return TG_OP_SIGMOID;
    case TG_ACT_NONE: break;
    }
    return 0;
}

/* An MLP through sizes[0] -> ... -> sizes[n]; `act` after every hidden layer,
 * `last_act` after the last. Appends its weights and biases to m. */
static tg_tensor mlp(tg_rsrae *m, const char *prefix, tg_tensor h, const int *sizes, int n,
                     tg_act act, tg_act last_act, int *n_layers)
{
    tg_graph *g = m->g;
    for (int l = 0; l < n; l++) {
        char wn[32], bn[32];
        snprintf(wn, sizeof wn, "%s%d.weight", prefix, l);
        snprintf(bn, sizeof bn, "%s%d.bias", prefix, l);
        int k = (*n_layers)++;
        m->weights[k] = tg_param(g, wn, tg_shape2(sizes[l + 1], sizes[l]));
        m->biases[k] = tg_param(g, bn, tg_shape1(sizes[l + 1]));
        h = tg_linear_act(g, h, m->weights[k], m->biases[k], act_op(l + 1 < n ? act : last_act),
                          LEAKY_SLOPE); // [B, sizes[l+1]]
    }
    return h;
}

/* sum or mean over the batch of a per-sample column [B, 1]. */
static tg_tensor reduce_batch(const tg_rsrae *m, tg_tensor per_sample)
{
    return m->cfg.mean_reduction ? tg_mean(m->g, per_sample) : tg_sum(m->g, per_sample);
}

static tg_tensor weighted(tg_graph *g, tg_tensor t, float w)
{
    return w == 1.0f ? t : tg_scale(g, t, w);
}

/* 1 - <x, y> / (||x|| ||y||), per row; a zero row scores 1. */
static tg_tensor cosine_distance(tg_graph *g, tg_tensor x, tg_tensor y)
{
    tg_tensor dot = tg_sum_axis(g, tg_mul(g, x, y), 1);                       // [B, 1]
    tg_tensor norms = tg_add_scalar(g, tg_mul(g, tg_rownorm(g, x), tg_rownorm(g, y)), 1e-12f);
    return tg_add_scalar(g, tg_neg(g, tg_div(g, dot, norms)), 1.0f);
}

static void build_forward(tg_rsrae *m)
{
    const tg_rsrae_config *c = &m->cfg;
    tg_graph *g = m->g;
    int enc[TG_RSRAE_MAX_LAYERS + 2], dec[TG_RSRAE_MAX_LAYERS + 2];
    enc[0] = c->input_dim;
    memcpy(enc + 1, c->enc_hidden, sizeof(int) * (size_t)c->n_enc_hidden);
    enc[c->n_enc_hidden + 1] = c->embed_dim;
    dec[0] = c->latent_dim;
    memcpy(dec + 1, c->dec_hidden, sizeof(int) * (size_t)c->n_dec_hidden);
    dec[c->n_dec_hidden + 1] = c->input_dim;

    m->x = tg_input(g, "x", tg_shape2(c->batch, c->input_dim));
    m->z = tg_name(g, mlp(m, "encoder.", m->x, enc, c->n_enc_hidden + 1, c->act, c->embed_act,
                          &m->n_enc_layers), "z");                             // [B, D]
    m->A = tg_param(g, "A", tg_shape2(c->latent_dim, c->embed_dim));           // [d, D]
    tg_tensor az = tg_matmul(g, m->z, m->A, 0, 1);                             // [B, d] = z A^T
    m->latent = c->renorm ? tg_div(g, az, tg_add_scalar(g, tg_rownorm(g, az), 1e-12f)) : az;
    tg_name(g, m->latent, "latent");
    int n_dec = m->n_enc_layers; /* the decoder's layers follow the encoder's */
    m->recon = tg_name(g, mlp(m, "decoder.", m->latent, dec, c->n_dec_hidden + 1, c->act,
                              c->out_act, &n_dec), "recon");                   // [B, in]
    m->n_dec_layers = n_dec - m->n_enc_layers;
    m->recon_err = tg_name(g, tg_rowdist(g, m->x, m->recon), "recon_err");    // [B, 1]
    tg_tensor proj = tg_matmul(g, az, m->A, 0, 0);                             // [B, D] = A^T A z
    m->residual = tg_name(g, tg_rowdist(g, m->z, proj), "residual");          // [B, 1]
    m->score = c->score == TG_SCORE_COSINE
                   ? tg_name(g, cosine_distance(g, m->x, m->recon), "score")     // [B, 1]
                   : m->recon_err;
}

static void build_losses(tg_rsrae *m)
{
    const tg_rsrae_config *c = &m->cfg;
    tg_graph *g = m->g;
    tg_tensor err_p = c->p == 1.0f ? m->recon_err : tg_pow(g, m->recon_err, c->p);
    m->loss_recon = tg_name(g, reduce_batch(m, err_p), "loss_recon");
    m->loss_rsr = tg_name(g, weighted(g, reduce_batch(m, m->residual), c->lambda1), "loss_rsr");
    tg_tensor gram = tg_sub(g, tg_matmul(g, m->A, m->A, 0, 1), tg_eye(g, c->latent_dim)); // [d, d]
    tg_tensor sq = tg_square(g, gram);
    tg_tensor ortho = c->mean_reduction ? tg_mean(g, sq) : tg_sum(g, sq);
    m->loss_ortho = tg_name(g, weighted(g, ortho, c->lambda2), "loss_ortho");
    m->loss = tg_name(g, tg_add(g, tg_add(g, m->loss_recon, m->loss_rsr), m->loss_ortho), "loss");
}

static void add_params(tg_param_set *s, const tg_tensor *p, int n)
{
    for (int i = 0; i < n; i++)
        s->params[s->n++] = p[i];
}

/* Parameters in block order: encoder layers, A, decoder layers. */
static void collect(const tg_rsrae *m, tg_param_set *s, int encoder, int a, int decoder)
{
    int first = encoder ? 0 : m->n_enc_layers;
    int last = decoder ? m->n_enc_layers + m->n_dec_layers : m->n_enc_layers;
    for (int k = first; k < last; k++) {
        if (k == m->n_enc_layers && a)
            add_params(s, &m->A, 1);
        add_params(s, &m->weights[k], 1);
        add_params(s, &m->biases[k], 1);
    }
    if (a && last == m->n_enc_layers)
        add_params(s, &m->A, 1);
}

static void build_gradient_sets(tg_rsrae *m)
{
    memset(m->sets, 0, sizeof m->sets);
    if (m->cfg.mode == TG_TRAIN_JOINT) {
        m->n_sets = 1;
        collect(m, &m->sets[0], 1, 1, 1);
        m->sets[0].loss = m->loss;
    } else {
        m->n_sets = 3;
        collect(m, &m->sets[0], 1, 1, 1);
        m->sets[0].loss = m->loss_recon;
        collect(m, &m->sets[1], 0, 1, 0);
        m->sets[1].loss = m->loss_ortho;
        collect(m, &m->sets[2], 1, 1, 0);
        m->sets[2].loss = m->loss_rsr;
    }
    for (int s = 0; s < m->n_sets; s++)
        tg_gradients(m->g, m->sets[s].loss, m->sets[s].params, m->sets[s].n, m->sets[s].grads);
}

int tg_rsrae_build(tg_rsrae *m, const tg_rsrae_config *cfg, tg_error *err)
{
    memset(m, 0, sizeof *m);
    if (tg_rsrae_config_check(cfg, err) != 0)
        return -1;
    m->cfg = *cfg;
    m->g = tg_graph_new();
    if (!m->g)
        return tg_fail(err, "rsrae: out of memory");
    build_forward(m);
    build_losses(m);
    if (!tg_graph_failed(m->g))
        build_gradient_sets(m);
    if (tg_graph_failed(m->g)) {
        tg_fail(err, "rsrae: %s", tg_graph_error(m->g));
        tg_rsrae_free(m);
        return -1;
    }
    return 0;
}

void tg_rsrae_free(tg_rsrae *m)
{
    tg_graph_free(m->g);
    m->g = NULL;
}

int tg_rsrae_init(tg_rsrae *m, tg_rng *r, tg_a_init a_init, tg_error *err)
{
    tg_graph *g = m->g;
    int n = m->n_enc_layers + m->n_dec_layers;
    for (int k = 0; k < n; k++) {
        const tg_shape *s = tg_shape_of(g, m->weights[k]);
        tg_init_linear(tg_param_data(g, m->weights[k]), tg_param_data(g, m->biases[k]), s->d[0], s->d[1], r);
    }
    const tg_shape *sa = tg_shape_of(g, m->A);
    if (a_init == TG_A_NORMAL) {
        tg_init_normal(tg_param_data(g, m->A), (size_t)tg_shape_numel(sa), 1.0f, r);
        return 0;
    }
    return tg_init_orthogonal(tg_param_data(g, m->A), sa->d[0], sa->d[1], 1.0f, r, err);
}
