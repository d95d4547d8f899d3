/* autoencoder.c - a new model with the graph API, start to finish.
 *
 * An MLP autoencoder 784-392-196-128-16-128-392-784 (the RSRAE shape without
 * the RSR layer) trained with plain SGD on synthetic data that lies near a
 * 16-dimensional subspace. Prints the memory plan of the training and the
 * inference graphs, then the loss as it falls.
 *
 *   examples/autoencoder [steps]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "tg.h"
#include "tg_ops.h"
#include "tg_rng.h"

enum { BATCH = 64, N_LAYERS = 7 };
static const int sizes[N_LAYERS + 1] = {784, 392, 196, 128, 16, 128, 392, 784};

/* Appends one MLP; every layer but the last is followed by leaky_relu. */
static tg_tensor mlp(tg_graph *g, tg_tensor h, tg_tensor *params)
{
    for (int l = 0; l < N_LAYERS; l++) {
        char wname[16], bname[16];
        snprintf(wname, sizeof wname, "w%d", l);
        snprintf(bname, sizeof bname, "b%d", l);
        params[2 * l] = tg_param(g, wname, tg_shape2(sizes[l + 1], sizes[l]));
        params[2 * l + 1] = tg_param(g, bname, tg_shape1(sizes[l + 1]));
        int act = l + 1 < N_LAYERS ? TG_OP_LEAKY_RELU : 0;
        h = tg_linear_act(g, h, params[2 * l], params[2 * l + 1], act, 0.01f); // [B, sizes[l+1]]
    }
    return h;
}

int main(int argc, char **argv)
{
    int steps = argc > 1 ? atoi(argv[1]) : 300;
    tg_graph *g = tg_graph_new();
    tg_tensor params[2 * N_LAYERS], grads[2 * N_LAYERS];
    tg_tensor x = tg_input(g, "x", tg_shape2(BATCH, 784));
    tg_tensor recon = mlp(g, x, params);
    tg_tensor err = tg_rownorm(g, tg_sub(g, x, recon));   // [B, 1] per-sample error
    tg_tensor loss = tg_mean(g, tg_square(g, err));
    if (tg_gradients(g, loss, params, 2 * N_LAYERS, grads) != 0) {
        fprintf(stderr, "autoencoder: %s\n", tg_graph_error(g));
        return 1;
    }
    tg_tensor outs[2 * N_LAYERS + 1] = {loss};
    for (int i = 0; i < 2 * N_LAYERS; i++)
        outs[i + 1] = grads[i];
    tg_plan *train = tg_plan_new(g, outs, 2 * N_LAYERS + 1, NULL);
    tg_plan *infer = tg_plan_new(g, &err, 1, NULL);
    if (!train || !infer) {
        fprintf(stderr, "autoencoder: %s\n", tg_graph_error(g));
        return 1;
    }
    printf("graph: %d nodes, %zu parameters\ntraining ", tg_graph_size(g), tg_params_count(g));
    tg_mem_report mt = tg_plan_memory(train), mi = tg_plan_memory(infer);
    tg_mem_report_print(&mt, stdout);
    printf("inference ");
    tg_mem_report_print(&mi, stdout);

    /* Synthetic data: 16 random directions, mixed per sample, plus noise. */
    tg_rng r;
    tg_rng_seed(&r, 1);
    float *basis = malloc(16 * 784 * sizeof(float)), *batch = malloc(BATCH * 784 * sizeof(float));
    for (int i = 0; i < 16 * 784; i++)
        basis[i] = tg_rng_normal(&r) / 28.0f;
    for (int l = 0; l < N_LAYERS; l++) {
        float bound = 1.0f / sqrtf((float)sizes[l]);
        float *w = tg_param_data(g, params[2 * l]);
        for (int i = 0; i < sizes[l] * sizes[l + 1]; i++)
            w[i] = tg_rng_uniform_range(&r, -bound, bound);
    }
    tg_plan_bind(train, x, batch);
    float *p = tg_params(g), *gr = tg_grads(g);
    for (int step = 1; step <= steps; step++) {
        for (int i = 0; i < BATCH; i++)
            for (int k = 0; k < 784; k++) {
                float v = 0.02f * tg_rng_normal(&r);
                for (int c = 0; c < 16; c++)
                    v += basis[c * 784 + k] * (float)((i * 7 + c * 3 + step) % 5 - 2);
                batch[i * 784 + k] = v;
            }
        tg_plan_run(train);
        for (size_t i = 0; i < tg_params_floats(g); i++)
            p[i] -= 0.01f * gr[i];
        if (step == 1 || step % 50 == 0)
            printf("step %4d  loss %.5f\n", step, tg_plan_scalar(train, loss));
    }
    free(basis);
    free(batch);
    tg_plan_free(train);
    tg_plan_free(infer);
    tg_graph_free(g);
    return 0;
}
