/* test_model_io.c - model.bin: round trips, the documented layout, and
 * every kind of bad file.
 *
 * The reference for the format is docs/model-format.md: a small decoder
 * written here from that table (doc_decode) reads the saved file on its own,
 * so the test checks the bytes, not just that save and load agree with each
 * other. The corrupted files are made by patching a saved file at offsets
 * that decoder found, re-sealing it with zlib's crc32 where the point is to
 * get past the checksum.
 */
#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "tg_model_io.h"
#include "tg_trainer.h"
#include "check_util.h"

static char tmpdir[256];

static const char *tmp_path(const char *name)
{
    static char buf[8][512];
    static int next;
    char *p = buf[next++ % 8];
    snprintf(p, 512, "%s/%s", tmpdir, name);
    return p;
}

/* ---- fixtures ---------------------------------------------------------- */

/* Every field away from its default, so a field dropped on the way shows. */
static tg_rsrae_config small_config(void)
{
    tg_rsrae_config c = {
        .input_dim = 12,
        .n_enc_hidden = 2, .enc_hidden = {6, 3},
        .n_dec_hidden = 2, .dec_hidden = {3, 6},
        .embed_dim = 5, .latent_dim = 2,
        .act = TG_ACT_TANH, .embed_act = TG_ACT_RELU, .out_act = TG_ACT_SIGMOID,
        .renorm = 1, .p = 1.5f, .lambda1 = 0.1f, .lambda2 = 0.25f,
        .mean_reduction = 1, .mode = TG_TRAIN_ALTERNATING, .score = TG_SCORE_COSINE,
        .batch = 4,
    };
    return c;
}

static void build_model(tg_rsrae *m, const tg_rsrae_config *c, uint64_t seed)
{
    tg_error err = {{0}};
    ck_assert_msg(tg_rsrae_build(m, c, &err) == 0, "%s", err.msg);
    tg_rng r;
    tg_rng_seed(&r, seed);
    ck_assert_msg(tg_rsrae_init(m, &r, TG_A_ORTHOGONAL, &err) == 0, "%s", err.msg);
}

static float stats_mean[12], stats_std[12];

static tg_model_meta standardize_meta(void)
{
    for (int i = 0; i < 12; i++) {
        stats_mean[i] = 0.1f * (float)i - 0.37f;
        stats_std[i] = 1.0f / (float)(i + 3);
    }
    tg_model_meta meta = {.preprocess = TG_PREPROCESS_STANDARDIZE,
                          .mean = stats_mean, .std = stats_std};
    return meta;
}

/* Saves the small model (seed 7, standardisation) to path. */
static void save_small(const char *path, tg_rsrae *m)
{
    tg_rsrae_config c = small_config();
    tg_model_meta meta = standardize_meta();
    tg_error err = {{0}};
    build_model(m, &c, 7);
    ck_assert_msg(tg_model_save(path, m, &meta, &err) == 0, "%s", err.msg);
}

static uint8_t *slurp(const char *path, size_t *size)
{
    FILE *fp = fopen(path, "rb");
    ck_assert_msg(fp != NULL, "cannot open %s", path);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n + 1);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    *size = (size_t)n;
    return buf;
}

static void spit(const char *path, const uint8_t *data, size_t size)
{
    FILE *fp = fopen(path, "wb");
    ck_assert_msg(fp != NULL, "cannot create %s", path);
    ck_assert_uint_eq(fwrite(data, 1, size, fp), size);
    fclose(fp);
}

/* ---- the documented layout, decoded independently ---------------------- */

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

static uint64_t le64(const uint8_t *p) { return (uint64_t)le32(p + 4) << 32 | le32(p); }

static float lef32(const uint8_t *p)
{
    uint32_t u = le32(p);
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* Byte offsets of the fields the tests patch, per docs/model-format.md. */
typedef struct layout {
    size_t header_len_at, cfg_at, enc_hidden_at, latent_dim_at, act_at, lambda1_at;
    size_t pre_at, mean_at, params_at, n_tensors;
    size_t tensor_at[TG_RSRAE_MAX_PARAMS], data_at[TG_RSRAE_MAX_PARAMS];
    size_t crc_at;
} layout;

/* Decodes the whole file by the documented table, checking every field
 * against the model and meta that were saved. */
static layout doc_decode(const uint8_t *f, size_t size, tg_rsrae *m, const tg_model_meta *meta)
{
    layout L = {0};
    const tg_rsrae_config *c = &m->cfg;
    ck_assert_mem_eq(f, "RSRAEMDL", 8);
    ck_assert_uint_eq(le32(f + 8), 1);
    L.header_len_at = 12;
    L.cfg_at = 16;
    const uint8_t *p = f + 16;
    ck_assert_int_eq((int32_t)le32(p), c->input_dim);
    ck_assert_uint_eq(le32(p + 4), (uint32_t)c->n_enc_hidden);
    L.enc_hidden_at = 24;
    size_t E = le32(p + 4);
    for (size_t i = 0; i < E; i++)
        ck_assert_int_eq((int32_t)le32(p + 8 + 4 * i), c->enc_hidden[i]);
    size_t K = le32(p + 8 + 4 * E);
    ck_assert_uint_eq(K, (uint32_t)c->n_dec_hidden);
    for (size_t i = 0; i < K; i++)
        ck_assert_int_eq((int32_t)le32(p + 12 + 4 * E + 4 * i), c->dec_hidden[i]);
    const uint8_t *b = p + 12 + 4 * E + 4 * K;
    ck_assert_int_eq((int32_t)le32(b), c->embed_dim);
    ck_assert_int_eq((int32_t)le32(b + 4), c->latent_dim);
    L.latent_dim_at = (size_t)(b + 4 - f);
    L.act_at = (size_t)(b + 8 - f);
    ck_assert_uint_eq(b[8], c->act);
    ck_assert_uint_eq(b[9], c->embed_act);
    ck_assert_uint_eq(b[10], c->out_act);
    ck_assert_uint_eq(b[11], c->renorm != 0);
    ck_assert(lef32(b + 12) == c->p);
    ck_assert(lef32(b + 16) == c->lambda1);
    ck_assert(lef32(b + 20) == c->lambda2);
    L.lambda1_at = (size_t)(b + 16 - f);
    ck_assert_uint_eq(b[24], c->mean_reduction != 0);
    ck_assert_uint_eq(b[25], c->mode);
    ck_assert_uint_eq(b[26], c->score);
    ck_assert_int_eq((int32_t)le32(b + 27), c->batch);
    ck_assert_uint_eq((size_t)(b + 31 - p), 43 + 4 * (E + K));

    const uint8_t *q = b + 31;
    L.pre_at = (size_t)(q - f);
    ck_assert_uint_eq(q[0], meta->preprocess);
    ck_assert_uint_eq(le32(q + 1), (uint32_t)meta->width);
    ck_assert_uint_eq(le32(q + 5), (uint32_t)meta->height);
    ck_assert_uint_eq(le32(q + 9), (uint32_t)meta->channels);
    size_t S = le32(q + 13);
    ck_assert_uint_eq(S, meta->preprocess == TG_PREPROCESS_STANDARDIZE ? (size_t)c->input_dim : 0);
    L.mean_at = (size_t)(q + 17 - f);
    for (size_t i = 0; i < S; i++) {
        ck_assert(lef32(q + 17 + 4 * i) == meta->mean[i]);
        ck_assert(lef32(q + 17 + 4 * S + 4 * i) == meta->std[i]);
    }
    L.params_at = (size_t)(q + 17 + 8 * S - f);
    ck_assert_uint_eq(le32(f + 12), L.params_at - 16);

    tg_tensor ps[TG_RSRAE_MAX_PARAMS];
    int n = tg_param_list(m->g, ps, TG_RSRAE_MAX_PARAMS);
    const uint8_t *t = f + L.params_at;
    L.n_tensors = le32(t);
    ck_assert_uint_eq(L.n_tensors, (size_t)n);
    t += 4;
    for (int i = 0; i < n; i++) {
        L.tensor_at[i] = (size_t)(t - f);
        const char *name = tg_name_of(m->g, ps[i]);
        const tg_shape *s = tg_shape_of(m->g, ps[i]);
        size_t len = (size_t)t[0] | (size_t)t[1] << 8;
        ck_assert_uint_eq(len, strlen(name));
        ck_assert_mem_eq(t + 2, name, len);
        t += 2 + len;
        ck_assert_uint_eq(t[0], (unsigned)s->ndim);
        size_t numel = 1;
        for (int k = 0; k < s->ndim; k++) {
            ck_assert_uint_eq(le64(t + 1 + 8 * k), (uint64_t)s->d[k]);
            numel *= (size_t)s->d[k];
        }
        t += 1 + 8 * (size_t)s->ndim;
        L.data_at[i] = (size_t)(t - f);
        const float *x = tg_param_data(m->g, ps[i]);
        for (size_t j = 0; j < numel; j++) {
            float v = lef32(t + 4 * j);
            ck_assert_mem_eq(&v, &x[j], 4); /* bit for bit */
        }
        t += 4 * numel;
    }
    L.crc_at = (size_t)(t - f);
    ck_assert_uint_eq(L.crc_at + 4, size);
    ck_assert_uint_eq(le32(t), (uint32_t)crc32(0L, f, (uInt)L.crc_at));
    return L;
}

/* Recomputes the trailing CRC after a patch. */
static void reseal(uint8_t *f, size_t size)
{
    put_le32(f + size - 4, (uint32_t)crc32(0L, f, (uInt)(size - 4)));
}

/* ---- comparisons -------------------------------------------------------- */

static void assert_same_config(const tg_rsrae_config *a, const tg_rsrae_config *b)
{
    ck_assert_int_eq(a->input_dim, b->input_dim);
    ck_assert_int_eq(a->n_enc_hidden, b->n_enc_hidden);
    for (int i = 0; i < a->n_enc_hidden; i++)
        ck_assert_int_eq(a->enc_hidden[i], b->enc_hidden[i]);
    ck_assert_int_eq(a->n_dec_hidden, b->n_dec_hidden);
    for (int i = 0; i < a->n_dec_hidden; i++)
        ck_assert_int_eq(a->dec_hidden[i], b->dec_hidden[i]);
    ck_assert_int_eq(a->embed_dim, b->embed_dim);
    ck_assert_int_eq(a->latent_dim, b->latent_dim);
    ck_assert_int_eq(a->act, b->act);
    ck_assert_int_eq(a->embed_act, b->embed_act);
    ck_assert_int_eq(a->out_act, b->out_act);
    ck_assert_int_eq(a->renorm, b->renorm);
    ck_assert_mem_eq(&a->p, &b->p, sizeof a->p);
    ck_assert_mem_eq(&a->lambda1, &b->lambda1, sizeof a->lambda1);
    ck_assert_mem_eq(&a->lambda2, &b->lambda2, sizeof a->lambda2);
    ck_assert_int_eq(a->mean_reduction, b->mean_reduction);
    ck_assert_int_eq(a->mode, b->mode);
    ck_assert_int_eq(a->score, b->score);
    ck_assert_int_eq(a->batch, b->batch);
}

static void assert_same_params(tg_rsrae *a, tg_rsrae *b)
{
    tg_tensor pa[TG_RSRAE_MAX_PARAMS], pb[TG_RSRAE_MAX_PARAMS];
    int na = tg_param_list(a->g, pa, TG_RSRAE_MAX_PARAMS);
    int nb = tg_param_list(b->g, pb, TG_RSRAE_MAX_PARAMS);
    ck_assert_int_eq(na, nb);
    ck_assert_int_gt(na, 0);
    for (int i = 0; i < na; i++) {
        ck_assert_str_eq(tg_name_of(a->g, pa[i]), tg_name_of(b->g, pb[i]));
        const tg_shape *sa = tg_shape_of(a->g, pa[i]);
        ck_assert(tg_shape_equal(sa, tg_shape_of(b->g, pb[i])));
        ck_assert_mem_eq(tg_param_data(a->g, pa[i]), tg_param_data(b->g, pb[i]),
                         (size_t)tg_shape_numel(sa) * sizeof(float));
    }
}

static void assert_same_meta(const tg_model_meta *a, const tg_model_meta *b, int dim)
{
    ck_assert_int_eq(a->preprocess, b->preprocess);
    ck_assert_int_eq(a->width, b->width);
    ck_assert_int_eq(a->height, b->height);
    ck_assert_int_eq(a->channels, b->channels);
    if (a->preprocess == TG_PREPROCESS_STANDARDIZE) {
        ck_assert_mem_eq(a->mean, b->mean, (size_t)dim * sizeof(float));
        ck_assert_mem_eq(a->std, b->std, (size_t)dim * sizeof(float));
    } else {
        ck_assert_ptr_null(b->mean);
        ck_assert_ptr_null(b->std);
    }
}

/* ---- round trips --------------------------------------------------------- */

START_TEST(roundtrip_config_params_meta)
{
    tg_rsrae m, back;
    tg_model_meta meta = standardize_meta(), got;
    tg_error err = {{0}};
    const char *path = tmp_path("roundtrip.bin");
    save_small(path, &m);
    ck_assert_msg(tg_model_load(path, &back, &got, &err) == 0, "%s", err.msg);
    assert_same_config(&m.cfg, &back.cfg);
    assert_same_params(&m, &back);
    assert_same_meta(&meta, &got, 12);
    tg_model_meta_free(&got);
    ck_assert_ptr_null(got.mean);
    tg_rsrae_free(&back);
    tg_rsrae_free(&m);
}
END_TEST

START_TEST(file_follows_documented_layout)
{
    tg_rsrae m;
    tg_model_meta meta = standardize_meta();
    const char *path = tmp_path("layout.bin");
    save_small(path, &m);
    size_t size;
    uint8_t *f = slurp(path, &size);
    layout L = doc_decode(f, size, &m, &meta);
    /* the worked example at the end of the doc, plus 2 * 12 statistics */
    ck_assert_uint_eq(L.params_at, 92 + 8 * 12);
    free(f);
    tg_rsrae_free(&m);
}
END_TEST

/* Other shapes of config and meta: no hidden layers, image geometry,
 * default meta, the reference defaults. */
START_TEST(roundtrip_variants)
{
    tg_rsrae_config plain = small_config();
    plain.n_enc_hidden = plain.n_dec_hidden = 0;
    plain.act = TG_ACT_LEAKY_RELU;
    plain.renorm = plain.mean_reduction = 0;
    plain.mode = TG_TRAIN_JOINT;
    plain.score = TG_SCORE_L2;
    tg_rsrae_config defaults = tg_rsrae_defaults(12);
    tg_model_meta image = {.preprocess = TG_PREPROCESS_PM1_L2, .width = 4, .height = 3, .channels = 1};
    tg_model_meta tabular = {0};
    const struct { const tg_rsrae_config *cfg; const tg_model_meta *meta; } cases[] = {
        {&plain, &image}, {&plain, NULL}, {&defaults, &tabular},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        tg_rsrae m, back;
        tg_model_meta got;
        tg_error err = {{0}};
        const char *path = tmp_path("variant.bin");
        build_model(&m, cases[k].cfg, 100 + k);
        ck_assert_msg(tg_model_save(path, &m, cases[k].meta, &err) == 0, "%s", err.msg);
        size_t size;
        uint8_t *f = slurp(path, &size);
        doc_decode(f, size, &m, cases[k].meta ? cases[k].meta : &tabular);
        free(f);
        ck_assert_msg(tg_model_load(path, &back, &got, &err) == 0, "%s", err.msg);
        assert_same_config(&m.cfg, &back.cfg);
        assert_same_params(&m, &back);
        assert_same_meta(cases[k].meta ? cases[k].meta : &tabular, &got, 12);
        tg_model_meta_free(&got);
        tg_rsrae_free(&back);
        /* meta_out may be NULL */
        ck_assert_msg(tg_model_load(path, &back, NULL, &err) == 0, "%s", err.msg);
        tg_rsrae_free(&back);
        tg_rsrae_free(&m);
    }
}
END_TEST

START_TEST(loaded_model_scores_identically)
{
    enum { N = 10 }; /* not a multiple of the batch: a padded last batch */
    tg_rsrae m, back;
    tg_error err = {{0}};
    const char *path = tmp_path("score.bin");
    save_small(path, &m);
    ck_assert_msg(tg_model_load(path, &back, NULL, &err) == 0, "%s", err.msg);
    float x[N * 12];
    tg_rng r;
    tg_rng_seed(&r, 99);
    for (int i = 0; i < N * 12; i++)
        x[i] = (float)tg_rng_uniform(&r);
    float s1[N], s2[N], e1[N], e2[N], rec1[N * 12], rec2[N * 12], lat1[N * 2], lat2[N * 2];
    tg_scorer *a = tg_scorer_new(&m, &err);
    ck_assert_msg(a != NULL, "%s", err.msg);
    tg_scorer *b = tg_scorer_new(&back, &err);
    ck_assert_msg(b != NULL, "%s", err.msg);
    ck_assert_msg(tg_scorer_run(a, x, N, s1, e1, rec1, lat1, &err) == 0, "%s", err.msg);
    ck_assert_msg(tg_scorer_run(b, x, N, s2, e2, rec2, lat2, &err) == 0, "%s", err.msg);
    ck_assert_mem_eq(s1, s2, sizeof s1);
    ck_assert_mem_eq(e1, e2, sizeof e1);
    ck_assert_mem_eq(rec1, rec2, sizeof rec1);
    ck_assert_mem_eq(lat1, lat2, sizeof lat1);
    /* and the scores are real: cosine distances in [0, 2], not all equal */
    for (int i = 0; i < N; i++)
        ck_assert(s1[i] >= 0.0f && s1[i] <= 2.0f);
    ck_assert(s1[0] != s1[1]);
    tg_scorer_free(a);
    tg_scorer_free(b);
    tg_rsrae_free(&back);
    tg_rsrae_free(&m);
}
END_TEST

START_TEST(save_replaces_existing_file)
{
    tg_rsrae m1, m2, back;
    tg_error err = {{0}};
    const char *path = tmp_path("replace.bin");
    save_small(path, &m1);
    tg_rsrae_config c = small_config();
    build_model(&m2, &c, 8);
    ck_assert_msg(tg_model_save(path, &m2, NULL, &err) == 0, "%s", err.msg);
    ck_assert_msg(tg_model_load(path, &back, NULL, &err) == 0, "%s", err.msg);
    assert_same_params(&m2, &back);
    tg_rsrae_free(&back);
    tg_rsrae_free(&m1);
    tg_rsrae_free(&m2);
}
END_TEST

/* ---- bad files ----------------------------------------------------------- */

/* Loads path expecting failure; the message must name the file and contain
 * `want`; the outputs must be left zeroed. */
static void expect_load_error(const char *path, const char *want)
{
    tg_rsrae m;
    tg_model_meta meta;
    tg_error err = {{0}};
    ck_assert_int_eq(tg_model_load(path, &m, &meta, &err), -1);
    ck_assert_msg(strstr(err.msg, path) != NULL, "no file name in: %s", err.msg);
    ck_assert_msg(strstr(err.msg, want) != NULL, "expected \"%s\" in: %s", want, err.msg);
    ck_assert_ptr_null(m.g);
    ck_assert_ptr_null(meta.mean);
    ck_assert_ptr_null(meta.std);
}

/* A saved small model's bytes and layout, for patching. */
typedef struct saved {
    uint8_t *f;
    size_t size;
    layout L;
} saved;

static saved saved_small(void)
{
    tg_rsrae m;
    tg_model_meta meta = standardize_meta();
    const char *path = tmp_path("base.bin");
    save_small(path, &m);
    saved s;
    s.f = slurp(path, &s.size);
    s.L = doc_decode(s.f, s.size, &m, &meta);
    tg_rsrae_free(&m);
    return s;
}

START_TEST(error_missing_file)
{
    expect_load_error(tmp_path("no-such-model.bin"), "cannot open");
}
END_TEST

START_TEST(error_wrong_magic)
{
    saved s = saved_small();
    const char *path = tmp_path("magic.bin");
    memcpy(s.f, "PK\x03\x04zzzz", 8);
    spit(path, s.f, s.size);
    expect_load_error(path, "not an RSRAE model file");
    expect_load_error(path, "PK\\x03\\x04zzzz");
    expect_load_error(path, "50 4b 03 04");
    expect_load_error(path, "RSRAEMDL");
    spit(path, (const uint8_t *)"hello", 5); /* short and wrong */
    expect_load_error(path, "\"hello\"");
    free(s.f);
}
END_TEST

START_TEST(error_unsupported_version)
{
    saved s = saved_small();
    const char *path = tmp_path("version.bin");
    put_le32(s.f + 8, 999);
    reseal(s.f, s.size); /* so only the version is wrong */
    spit(path, s.f, s.size);
    expect_load_error(path, "unsupported format version 999");
    expect_load_error(path, "version 1");
    free(s.f);
}
END_TEST

/* Every proper prefix of a valid file is reported as truncated. */
START_TEST(error_truncated_everywhere)
{
    saved s = saved_small();
    const char *path = tmp_path("truncated.bin");
    for (size_t len = 0; len < s.size; len++) {
        spit(path, s.f, len);
        expect_load_error(path, "truncated");
    }
    /* the offset is where the missing field starts */
    spit(path, s.f, s.L.data_at[3] + 5);
    expect_load_error(path, "truncated at byte");
    char want[64];
    spit(path, s.f, s.L.crc_at + 2);
    snprintf(want, sizeof want, "truncated at byte %zu: the CRC-32", s.L.crc_at);
    expect_load_error(path, want);
    spit(path, s.f, 30);
    expect_load_error(path, "the file ends at byte 30");
    free(s.f);
}
END_TEST

/* Any single flipped byte is caught; where the byte is a value (not a
 * length the walk depends on) the checksum is what catches it. */
START_TEST(error_flipped_bytes)
{
    saved s = saved_small();
    const char *path = tmp_path("flipped.bin");
    for (size_t i = 0; i < s.size; i++) {
        s.f[i] ^= 0x20;
        spit(path, s.f, s.size);
        expect_load_error(path, "");
        s.f[i] ^= 0x20;
    }
    size_t values[] = {s.L.latent_dim_at, s.L.act_at, s.L.lambda1_at, s.L.mean_at + 7,
                       s.L.data_at[0], s.L.data_at[4] + 2, s.size - 5, s.size - 1};
    for (size_t k = 0; k < sizeof values / sizeof values[0]; k++) {
        s.f[values[k]] ^= 0x01;
        spit(path, s.f, s.size);
        expect_load_error(path, "checksum mismatch");
        s.f[values[k]] ^= 0x01;
    }
    /* expected and found both appear */
    char want[64];
    uint32_t good = le32(s.f + s.size - 4);
    put_le32(s.f + s.size - 4, 0xdeadbeef);
    spit(path, s.f, s.size);
    expect_load_error(path, "deadbeef");
    snprintf(want, sizeof want, "%08x", good);
    expect_load_error(path, want);
    free(s.f);
}
END_TEST

/* The checksum is no defence against a forged file: with every single-byte
 * change resealed, loading must still either succeed (a changed weight) or
 * fail cleanly, never crash or allocate what the file cannot back. */
START_TEST(resealed_flips_fail_cleanly)
{
    saved s = saved_small();
    const char *path = tmp_path("forged.bin");
    const uint8_t masks[] = {0x01, 0x80};
    int loaded = 0, refused = 0;
    for (size_t k = 0; k < sizeof masks; k++)
        for (size_t i = 12; i < s.size - 4; i++) {
            s.f[i] ^= masks[k];
            reseal(s.f, s.size);
            spit(path, s.f, s.size);
            tg_rsrae m;
            tg_model_meta meta;
            tg_error err = {{0}};
            if (tg_model_load(path, &m, &meta, &err) == 0) {
                loaded++;
                tg_model_meta_free(&meta);
                tg_rsrae_free(&m);
            } else {
                refused++;
                ck_assert_msg(strstr(err.msg, path) != NULL, "no file name in: %s", err.msg);
                ck_assert_ptr_null(m.g);
            }
            s.f[i] ^= masks[k];
        }
    /* weights and statistics load; lengths, names and codes do not */
    ck_assert_int_gt(loaded, 0);
    ck_assert_int_gt(refused, 0);
    free(s.f);
}
END_TEST

START_TEST(error_trailing_bytes)
{
    saved s = saved_small();
    const char *path = tmp_path("trailing.bin");
    uint8_t *g = malloc(s.size + 3);
    memcpy(g, s.f, s.size);
    memcpy(g + s.size, "xyz", 3);
    spit(path, g, s.size + 3);
    expect_load_error(path, "3 unexpected bytes");
    free(g);
    free(s.f);
}
END_TEST

/* Resealed patches: valid checksum, bad value. */
START_TEST(error_bad_values)
{
    saved s = saved_small();
    const char *path = tmp_path("values.bin");
    uint8_t *g = malloc(s.size);

    memcpy(g, s.f, s.size);
    put_le32(g + s.L.latent_dim_at, 6); /* d > D = 5 */
    reseal(g, s.size);
    spit(path, g, s.size);
    expect_load_error(path, "config record at byte 16");
    expect_load_error(path, "latent dimension d = 6 exceeds embedding dimension D = 5");

    memcpy(g, s.f, s.size);
    g[s.L.act_at] = 9;
    reseal(g, s.size);
    spit(path, g, s.size);
    char want[64];
    snprintf(want, sizeof want, "byte %zu: activation code 9", s.L.act_at);
    expect_load_error(path, want);

    memcpy(g, s.f, s.size);
    g[s.L.pre_at] = 3;
    reseal(g, s.size);
    spit(path, g, s.size);
    expect_load_error(path, "preprocessing mode code 3");

    memcpy(g, s.f, s.size);
    put_le32(g + s.L.pre_at + 1, 5); /* width 5, height 0 */
    reseal(g, s.size);
    spit(path, g, s.size);
    expect_load_error(path, "geometry 5x0x0");

    memcpy(g, s.f, s.size);
    put_le32(g + s.L.header_len_at, le32(s.f + 12) + 1);
    reseal(g, s.size);
    spit(path, g, s.size);
    expect_load_error(path, "header length");

    memcpy(g, s.f, s.size);
    put_le32(g + s.L.cfg_at + 4, 9); /* 9 encoder layers: structural */
    spit(path, g, s.size);
    expect_load_error(path, "9 encoder hidden layers, at most 8");
    free(g);
    free(s.f);
}
END_TEST

START_TEST(error_tensor_mismatch)
{
    saved s = saved_small();
    const char *path = tmp_path("mismatch.bin");
    uint8_t *g = malloc(s.size);

    /* the config says 7 hidden units where the tensors hold 6 */
    memcpy(g, s.f, s.size);
    put_le32(g + s.L.enc_hidden_at, 7);
    reseal(g, s.size);
    spit(path, g, s.size);
    char want[128];
    snprintf(want, sizeof want, "byte %zu: tensor 0 is 'encoder.0.weight' [6, 12] in the file",
             s.L.tensor_at[0]);
    expect_load_error(path, want);
    expect_load_error(path, "the model expects 'encoder.0.weight' [7, 12]");

    /* "A" renamed "Z" (tensor 6: three encoder layers' weights and biases) */
    memcpy(g, s.f, s.size);
    ck_assert_uint_eq(g[s.L.tensor_at[6] + 2], 'A');
    g[s.L.tensor_at[6] + 2] = 'Z';
    reseal(g, s.size);
    spit(path, g, s.size);
    expect_load_error(path, "tensor 6 is 'Z' [2, 5] in the file, the model expects 'A' [2, 5]");
    free(g);
    free(s.f);
}
END_TEST

/* ---- save failures ------------------------------------------------------- */

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

START_TEST(save_unwritable_leaves_nothing)
{
    tg_rsrae m;
    tg_rsrae_config c = small_config();
    tg_error err = {{0}};
    build_model(&m, &c, 3);

    /* a directory where the file should go: the rename fails */
    char dir[512];
    snprintf(dir, sizeof dir, "%s", tmp_path("unwritable"));
    ck_assert_int_eq(mkdir(dir, 0755), 0);
    char dest[600];
    snprintf(dest, sizeof dest, "%s/model.bin", dir);
    ck_assert_int_eq(mkdir(dest, 0755), 0);
    ck_assert_int_eq(tg_model_save(dest, &m, NULL, &err), -1);
    ck_assert_msg(strstr(err.msg, dest) != NULL, "%s", err.msg);
    ck_assert_int_eq(count_entries(dir), 1); /* only the directory itself */

    /* a missing folder */
    snprintf(dest, sizeof dest, "%s/missing/model.bin", dir);
    ck_assert_int_eq(tg_model_save(dest, &m, NULL, &err), -1);
    ck_assert_msg(strstr(err.msg, dest) != NULL, "%s", err.msg);

    /* meta inconsistent with the config: refused before any file exists */
    snprintf(dest, sizeof dest, "%s/bad-meta.bin", dir);
    tg_model_meta no_stats = {.preprocess = TG_PREPROCESS_STANDARDIZE};
    ck_assert_int_eq(tg_model_save(dest, &m, &no_stats, &err), -1);
    ck_assert_msg(strstr(err.msg, "mean and std") != NULL, "%s", err.msg);
    tg_model_meta geometry = {.width = 5, .height = 5, .channels = 1};
    ck_assert_int_eq(tg_model_save(dest, &m, &geometry, &err), -1);
    ck_assert_msg(strstr(err.msg, "input_dim 12") != NULL, "%s", err.msg);
    ck_assert_int_eq(count_entries(dir), 1);
    tg_rsrae_free(&m);
}
END_TEST

START_TEST(preprocess_names)
{
    tg_preprocess p;
    for (int i = 0; i <= TG_PREPROCESS_STANDARDIZE; i++) {
        ck_assert_int_eq(tg_preprocess_parse(tg_preprocess_name((tg_preprocess)i), &p), 0);
        ck_assert_int_eq(p, i);
    }
    ck_assert_str_eq(tg_preprocess_name(TG_PREPROCESS_PM1_L2), "pm1-l2");
    ck_assert_int_eq(tg_preprocess_parse("zscore", &p), -1);
}
END_TEST

static Suite *model_io_suite(void)
{
    Suite *s = suite_create("model_io");
    TCase *rt = tcase_create("roundtrip");
    tcase_set_timeout(rt, 120); /* seconds: generous for valgrind */
    tcase_add_test(rt, roundtrip_config_params_meta);
    tcase_add_test(rt, file_follows_documented_layout);
    tcase_add_test(rt, roundtrip_variants);
    tcase_add_test(rt, loaded_model_scores_identically);
    tcase_add_test(rt, save_replaces_existing_file);
    tcase_add_test(rt, preprocess_names);
    suite_add_tcase(s, rt);

    TCase *bad = tcase_create("bad_files");
    tcase_set_timeout(bad, 300);
    tcase_add_test(bad, error_missing_file);
    tcase_add_test(bad, error_wrong_magic);
    tcase_add_test(bad, error_unsupported_version);
    tcase_add_test(bad, error_truncated_everywhere);
    tcase_add_test(bad, error_flipped_bytes);
    tcase_add_test(bad, resealed_flips_fail_cleanly);
    tcase_add_test(bad, error_trailing_bytes);
    tcase_add_test(bad, error_bad_values);
    tcase_add_test(bad, error_tensor_mismatch);
    tcase_add_test(bad, save_unwritable_leaves_nothing);
    suite_add_tcase(s, bad);
    return s;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

int main(void)
{
    const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(tmpdir, sizeof tmpdir, "%s/tg_test_model_io.XXXXXX", base);
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    int status = run_suite(model_io_suite());
    nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return status;
}
