/* options.c - the option table, presets, and translation into the model's
 * and trainer's configurations. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef enum opt_type { OPT_STR, OPT_INT, OPT_LONG, OPT_DOUBLE, OPT_FLAG } opt_type;

typedef struct opt_def {
    const char *name;
    opt_type    type;
    size_t      offset;
    const char *arg;   /* placeholder in --help */
    const char *help;
    int         train_only;
} opt_def;

#define F(field) offsetof(rsrae_opts, field)

static const opt_def table[] = {
    {"data", OPT_STR, F(data), "PATH", "IDX directory or image file, CSV file, or image folder (default: Fashion-MNIST, reference selection)", 0},
    {"labels", OPT_STR, F(labels), "PATH", "IDX labels file (default: beside the images)", 0},
    {"split", OPT_STR, F(split), "train|test", "IDX directory split", 0},
    {"label-column", OPT_STR, F(label_column), "NAME", "CSV column holding class labels (name or 0-based number)", 0},
    {"inlier-class", OPT_STR, F(inlier_class), "K", "rows of class K are inliers, every other labelled row an outlier", 0},
    {"outlier-classes", OPT_STR, F(outlier_classes), "a,b,..", "restrict outliers to these classes", 0},
    {"outliers-per-class", OPT_LONG, F(outliers_per_class), "N", "take N outliers from each outlier class", 0},
    {"outlier-ratio", OPT_DOUBLE, F(outlier_ratio), "C", "outliers / inliers = C, drawn evenly from the outlier classes", 0},
    {"sample", OPT_STR, F(sample), "random|first", "how outliers (and capped inliers) are drawn", 0},
    {"preprocess", OPT_STR, F(preprocess), "raw|l2|standardize", "input scaling: raw [0,1] images / CSV as read; l2: [-1,1] then unit L2 norm per sample; standardize: per-feature z-scores (default: preset for images, standardize for CSV)", 1},
    {"preset", OPT_STR, F(preset), "reference|paper", "reference: the PyTorch reference (AdamW+OneCycle, 150 epochs); paper: the official code's choices (alternating Adam)", 1},
    {"hidden", OPT_STR, F(hidden), "a,b,..", "encoder hidden sizes (default: in/2,in/4)", 1},
    {"decoder-hidden", OPT_STR, F(decoder_hidden), "a,b,..", "decoder hidden sizes (default: D, then the encoder's in reverse without its last)", 1},
    {"embed-dim", OPT_INT, F(embed_dim), "D", "dimension of the encoder output z", 1},
    {"latent-dim", OPT_INT, F(latent_dim), "d", "rows of A: dimension of the recovered subspace", 1},
    {"activation", OPT_STR, F(activation), "leaky_relu|tanh|relu", "hidden-layer activation", 1},
    {"embed-activation", OPT_STR, F(embed_activation), "none|tanh|..", "activation on z", 1},
    {"output-activation", OPT_STR, F(output_activation), "sigmoid|tanh|none", "activation on the reconstruction (default: tanh after l2, sigmoid after raw, none after standardize)", 1},
    {"a-init", OPT_STR, F(a_init), "orthogonal|normal", "initialisation of A: orthogonal rows, or N(0,1) entries as the official code", 1},
    {"renorm", OPT_INT, F(renorm), "0|1", "L2-normalise A z before the decoder", 1},
    {"p", OPT_DOUBLE, F(p), "P", "exponent of the L2,p reconstruction loss", 1},
    {"lambda1", OPT_DOUBLE, F(lambda1), "L", "weight of the RSR residual term", 1},
    {"lambda2", OPT_DOUBLE, F(lambda2), "L", "weight of the orthogonality term ||AA^T - I||_F^2", 1},
    {"reduction", OPT_STR, F(reduction), "sum|mean", "losses summed over the batch (the paper's form) or batch means", 1},
    {"mode", OPT_STR, F(mode), "joint|alternating", "one loss and optimizer, or the paper's three alternating steps", 1},
    {"score", OPT_STR, F(score), "l2|cosine", "anomaly score: ||x - x^|| or 1 - cos(x, x^) (default: cosine after l2 preprocessing, else l2)", 1},
    {"epochs", OPT_INT, F(epochs), "N", "training epochs", 1},
    {"batch-size", OPT_INT, F(batch_size), "B", "batch size (the last incomplete batch of an epoch is dropped)", 1},
    {"lr", OPT_DOUBLE, F(lr), "LR", "learning rate (alternating: of the reconstruction step)", 1},
    {"lr-ortho", OPT_DOUBLE, F(lr_ortho), "LR", "alternating: learning rate of the orthogonality step", 1},
    {"lr-rsr", OPT_DOUBLE, F(lr_rsr), "LR", "alternating: learning rate of the RSR residual step", 1},
    {"weight-decay", OPT_DOUBLE, F(weight_decay), "W", "weight decay (-1: the optimizer's default, AdamW 0.01)", 1},
    {"optimizer", OPT_STR, F(optimizer), "adam|adamw|sgd", "optimizer", 1},
    {"schedule", OPT_STR, F(schedule), "constant|cosine|onecycle|step", "learning-rate schedule of the main optimizer", 1},
    {"eval-every", OPT_INT, F(eval_every), "N", "score the training data every N epochs and print ROC AUC / AP (needs ground truth; 0 = off)", 1},
    {"seed", OPT_LONG, F(seed), "S", "seed of initialisation, shuffling and sampling", 0},
    {"threads", OPT_INT, F(threads), "T", "threads for the kernels", 0},
    {"out", OPT_STR, F(out), "DIR|FILE", "train: output folder; score: scores CSV", 0},
    {"model", OPT_STR, F(model), "FILE", "score: the model.bin written by train", 0},
    {"quiet", OPT_FLAG, F(quiet), "", "no progress on stderr", 0},
    {"help", OPT_FLAG, F(help), "", "this help", 0},
};
#define N_OPTS ((int)(sizeof table / sizeof table[0]))

/* The defaults: the most stable setting measured with the PyTorch
 * ablation (see the README). */
static void set_defaults(rsrae_opts *o)
{
    memset(o, 0, sizeof *o);
    o->split = "train";
    o->outliers_per_class = -1;
    o->outlier_ratio = -1;
    o->sample = "random";
    o->embed_dim = 128;
    o->latent_dim = 10;
    o->activation = "tanh";
    o->embed_activation = "tanh";
    o->output_activation = NULL; /* by preprocessing: see output_activation_for */
    o->renorm = 0;
    o->a_init = "normal"; /* as measured; orthogonal A lets the decoder learn the outliers */
    o->p = 1.0;
    o->lambda1 = 1.0;
    o->lambda2 = 1.0;
    o->reduction = "mean";
    o->mode = "joint";
    o->score = NULL; /* by preprocessing: cosine after l2, else l2 */
    o->epochs = 30;
    o->batch_size = 128;
    o->lr = 2.5e-4;
    o->lr_ortho = 2.5e-3;
    o->lr_rsr = 2.5e-3;
    o->weight_decay = -1;
    o->optimizer = "adam";
    o->schedule = "cosine";
    o->seed = 0;
    o->threads = 1;
}

static int apply_preset(rsrae_opts *o, const char *name, tg_error *err)
{
    if (strcmp(name, "reference") == 0) {
        o->latent_dim = 16;
        o->activation = "leaky_relu";
        o->embed_activation = "none";
        o->output_activation = "sigmoid";
        o->reduction = "sum";
        o->score = "l2";
        o->epochs = 150;
        o->batch_size = 64;
        o->lr = 0.01;
        o->optimizer = "adamw";
        o->schedule = "onecycle";
        o->preprocess = "raw";
        o->a_init = "orthogonal";
        return 0;
    }
    if (strcmp(name, "paper") == 0) {
        o->renorm = 1;
        o->mode = "alternating";
        o->schedule = "constant";
        return 0;
    }
    return tg_fail(err, "--preset: unknown preset '%s' (expected reference or paper)", name);
}

static const opt_def *find_opt(const char *name)
{
    for (int i = 0; i < N_OPTS; i++)
        if (strcmp(table[i].name, name) == 0)
            return &table[i];
    return NULL;
}

static int parse_number(const opt_def *d, const char *text, void *field, tg_error *err)
{
    char *end;
    errno = 0;
    if (d->type == OPT_DOUBLE) {
        double v = strtod(text, &end);
        if (errno || end == text || *end)
            return tg_fail(err, "--%s: expected a number, got '%s'", d->name, text);
        *(double *)field = v;
        return 0;
    }
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end)
        return tg_fail(err, "--%s: expected an integer, got '%s'", d->name, text);
    if (d->type == OPT_INT)
        *(int *)field = (int)v;
    else
        *(long *)field = v;
    return 0;
}

static int set_option(rsrae_opts *o, const opt_def *d, const char *value, tg_error *err)
{
    void *field = (char *)o + d->offset;
    if (d->type == OPT_FLAG) {
        *(int *)field = 1;
        return 0;
    }
    if (d->type == OPT_STR) {
        *(const char **)field = value;
        return 0;
    }
    return parse_number(d, value, field, err);
}

/* Walks argv; on the first pass only --preset is applied. */
static int walk(rsrae_opts *o, int argc, char **argv, int first, int preset_only, tg_error *err)
{
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0)
            return tg_fail(err, "unexpected argument '%s' (options start with --)", a);
        char name[64];
        const char *eq = strchr(a + 2, '=');
        size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
        snprintf(name, sizeof name, "%.*s", (int)len, a + 2);
        const opt_def *d = find_opt(name);
        if (!d)
            return tg_fail(err, "unknown option '--%s' (see --help)", name);
        const char *value = eq ? eq + 1 : NULL;
        if (d->type != OPT_FLAG && !value) {
            if (i + 1 >= argc)
                return tg_fail(err, "--%s needs a value (%s)", d->name, d->arg);
            value = argv[++i];
        }
        if (preset_only != (strcmp(d->name, "preset") == 0))
            continue;
        if (set_option(o, d, value, err) != 0)
            return -1;
    }
    return 0;
}

int opts_parse(rsrae_opts *o, int argc, char **argv, int first, tg_error *err)
{
    set_defaults(o);
    if (walk(o, argc, argv, first, 1, err) != 0)
        return -1;
    if (o->preset && apply_preset(o, o->preset, err) != 0)
        return -1;
    return walk(o, argc, argv, first, 0, err);
}

static void default_text(const opt_def *d, const rsrae_opts *o, char *buf, size_t len)
{
    const void *field = (const char *)o + d->offset;
    buf[0] = '\0';
    switch (d->type) {
    case OPT_STR:
        if (*(const char *const *)field)
            snprintf(buf, len, "%s", *(const char *const *)field);
        break;
    case OPT_INT: snprintf(buf, len, "%d", *(const int *)field); break;
    case OPT_LONG: snprintf(buf, len, "%ld", *(const long *)field); break;
    case OPT_DOUBLE: snprintf(buf, len, "%g", *(const double *)field); break;
    case OPT_FLAG: break;
    }
}

void opts_print_help(const char *command, FILE *out)
{
    rsrae_opts o;
    set_defaults(&o);
    int train = command && strcmp(command, "train") == 0;
    fprintf(out, "usage: rsrae train [options] --out DIR\n"
                 "       rsrae score --model DIR/model.bin [--data PATH ...] --out FILE.csv\n"
                 "       rsrae --help | rsrae train --help\n\n"
                 "RSRAE (robust subspace recovery autoencoder) anomaly detection. Scores are\n"
                 "reconstruction errors: high = outlier. Defaults (no preset) are the most stable\n"
                 "setting of the PyTorch ablation; --preset reference|paper reproduce those sources,\n"
                 "and any option given overrides the preset.\n\noptions%s:\n",
            train ? "" : " (train and score; model options are train only)");
    for (int i = 0; i < N_OPTS; i++) {
        const opt_def *d = &table[i];
        char def[64], head[64];
        default_text(d, &o, def, sizeof def);
        snprintf(head, sizeof head, "--%s %s", d->name, d->arg);
        fprintf(out, "  %-34s %s", head, d->help);
        if (def[0] && d->type != OPT_FLAG && strcmp(def, "-1") != 0)
            fprintf(out, " [default: %s]", def);
        fprintf(out, "%s\n", d->train_only && !train ? " (train)" : "");
    }
}

/* ---- translation into configurations -------------------------------------- */

static int parse_int_list(const char *s, int *out, int cap, const char *what, tg_error *err)
{
    int n = 0;
    const char *p = s;
    while (*p) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || v <= 0 || (*end && *end != ','))
            return tg_fail(err, "--%s: expected positive integers separated by commas, got '%s'", what, s);
        if (n == cap)
            return tg_fail(err, "--%s: at most %d values", what, cap);
        out[n++] = (int)v;
        p = *end ? end + 1 : end;
    }
    return n;
}

static int parse_act(const char *s, const char *what, tg_act *a, tg_error *err)
{
    if (tg_act_parse(s, a) != 0)
        return tg_fail(err, "--%s: unknown activation '%s' (leaky_relu, tanh, relu, sigmoid, none)", what, s);
    return 0;
}

static int pick(const char *value, const char *what, const char *const *names, int n, int *out,
                tg_error *err)
{
    for (int i = 0; i < n; i++)
        if (strcmp(value, names[i]) == 0) {
            *out = i;
            return 0;
        }
    char list[128] = "";
    for (int i = 0; i < n; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", names[i]);
    return tg_fail(err, "--%s: unknown value '%s' (expected %s)", what, value, list);
}

/* The output range must cover the preprocessed input's. */
static const char *output_activation_for(const rsrae_opts *o, tg_preprocess prep)
{
    if (o->output_activation)
        return o->output_activation;
    return prep == TG_PREPROCESS_PM1_L2 ? "tanh" : prep == TG_PREPROCESS_UNIT ? "sigmoid" : "none";
}

int opts_model_config(const rsrae_opts *o, int input_dim, tg_preprocess prep, tg_rsrae_config *c,
                      tg_error *err)
{
    *c = tg_rsrae_defaults(input_dim);
    c->embed_dim = o->embed_dim;
    c->latent_dim = o->latent_dim;
    c->batch = o->batch_size;
    c->p = (float)o->p;
    c->lambda1 = (float)o->lambda1;
    c->lambda2 = (float)o->lambda2;
    c->renorm = o->renorm != 0;
    if (o->hidden) {
        int n = parse_int_list(o->hidden, c->enc_hidden, TG_RSRAE_MAX_LAYERS, "hidden", err);
        if (n < 0)
            return -1;
        c->n_enc_hidden = n;
    }
    if (o->decoder_hidden) {
        int n = parse_int_list(o->decoder_hidden, c->dec_hidden, TG_RSRAE_MAX_LAYERS, "decoder-hidden", err);
        if (n < 0)
            return -1;
        c->n_dec_hidden = n;
    } else { /* the reference's shape: D, then the encoder's sizes back out */
        c->n_dec_hidden = c->n_enc_hidden > 0 ? c->n_enc_hidden : 1;
        c->dec_hidden[0] = c->embed_dim;
        for (int i = 1; i < c->n_dec_hidden; i++)
            c->dec_hidden[i] = c->enc_hidden[c->n_enc_hidden - 1 - i];
    }
    static const char *const reductions[] = {"sum", "mean"};
    static const char *const modes[] = {"joint", "alternating"};
    static const char *const scores[] = {"l2", "cosine"};
    int mean, mode, score;
    if (parse_act(o->activation, "activation", &c->act, err) ||
        parse_act(o->embed_activation, "embed-activation", &c->embed_act, err) ||
        parse_act(output_activation_for(o, prep), "output-activation", &c->out_act, err) ||
        pick(o->reduction, "reduction", reductions, 2, &mean, err) ||
        pick(o->mode, "mode", modes, 2, &mode, err) ||
        pick(o->score ? o->score : prep == TG_PREPROCESS_PM1_L2 ? "cosine" : "l2", "score", scores, 2, &score, err))
        return -1;
    c->mean_reduction = mean;
    c->mode = (tg_train_mode)mode;
    c->score = (tg_score_kind)score;
    return tg_rsrae_config_check(c, err);
}

int opts_a_init(const rsrae_opts *o, tg_a_init *a, tg_error *err)
{
    static const char *const names[] = {"orthogonal", "normal"};
    int k;
    if (pick(o->a_init, "a-init", names, 2, &k, err) != 0)
        return -1;
    *a = (tg_a_init)k;
    return 0;
}

int opts_train_config(const rsrae_opts *o, tg_train_config *t, tg_error *err)
{
    static const char *const optimizers[] = {"sgd", "adam", "adamw"};
    static const char *const schedules[] = {"constant", "step", "cosine", "onecycle"};
    int opt, sched;
    if (pick(o->optimizer, "optimizer", optimizers, 3, &opt, err) ||
        pick(o->schedule, "schedule", schedules, 4, &sched, err))
        return -1;
    if (o->epochs <= 0)
        return tg_fail(err, "--epochs: must be positive, got %d", o->epochs);
    if (!(o->lr > 0) || !(o->lr_ortho > 0) || !(o->lr_rsr > 0))
        return tg_fail(err, "--lr, --lr-ortho, --lr-rsr: must be positive");
    if (o->threads <= 0)
        return tg_fail(err, "--threads: must be positive, got %d", o->threads);
    *t = (tg_train_config){
        .epochs = o->epochs, .optimizer = (tg_optim_kind)opt, .lr = o->lr,
        .lr_ortho = o->lr_ortho, .lr_rsr = o->lr_rsr, .weight_decay = o->weight_decay,
        .schedule = (tg_sched_kind)sched, .seed = (uint64_t)o->seed, .threads = o->threads,
    };
    return 0;
}

int opts_tg_preprocess(const rsrae_opts *o, int is_image, tg_preprocess *mode, tg_error *err)
{
    static const char *const names[] = {"raw", "l2", "standardize"};
    const char *name = o->preprocess ? o->preprocess : is_image ? "l2" : "standardize";
    int m;
    if (pick(name, "preprocess", names, 3, &m, err) != 0)
        return -1;
    *mode = (tg_preprocess)m;
    return 0;
}
