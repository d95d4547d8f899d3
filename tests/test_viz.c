/* test_viz.c - pictures written, read back with stb_image, checked by pixel. */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stb_image.h>

#include "tg_viz.h"
#include "check_util.h"

static char dir[64];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/tg_test_viz_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char p[512];
            snprintf(p, sizeof p, "%s/%s", path, e->d_name);
            remove_tree(p);
        }
        closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static void remove_dir(void)
{
    if (getenv("TG_TEST_KEEP"))  /* to look at the pictures */
        return;
    remove_tree(dir);
}

static const char *in_dir(const char *name)
{
    static char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

typedef struct image {
    int w, h;
    unsigned char *px;
} image;

static image load(const char *path)
{
    image im;
    int comp;
    im.px = stbi_load(path, &im.w, &im.h, &comp, 3);
    ck_assert_msg(im.px != NULL, "cannot read back %s", path);
    return im;
}

static int is(const image *im, int x, int y, int r, int g, int b)
{
    const unsigned char *p = im->px + ((size_t)y * im->w + x) * 3;
    return p[0] == r && p[1] == g && p[2] == b;
}

static void assert_px(const image *im, int x, int y, int r, int g, int b)
{
    const unsigned char *p = im->px + ((size_t)y * im->w + x) * 3;
    ck_assert_msg(p[0] == r && p[1] == g && p[2] == b,
                  "pixel (%d, %d) is (%d, %d, %d), expected (%d, %d, %d)", x, y,
                  p[0], p[1], p[2], r, g, b);
}

/* Pixels of exactly colour c inside [x0, x1) x [y0, y1). */
static int count_color(const image *im, tg_color c, int x0, int y0, int x1, int y1)
{
    int k = 0;
    x0 = x0 < 0 ? 0 : x0;
    y0 = y0 < 0 ? 0 : y0;
    x1 = x1 > im->w ? im->w : x1;
    y1 = y1 > im->h ? im->h : y1;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            k += is(im, x, y, c.r, c.g, c.b);
    return k;
}

static int dir_entries(void)
{
    int k = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        k += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return k;
}

/* ---- reconstruction grid ---- */

enum { IW = 4, IH = 3, N = 7, PER_ROW = 3, SCALE = 2 };

/* Distinct grey per (sample, pixel), written as 8-bit values / 255. */
static float orig_value(int k, int i, int j) { return (float)(10 + 30 * k + 5 * j + i) / 255; }
static float recon_value(int k, int i, int j) { return (float)(240 - 30 * k - 5 * j - i) / 255; }

START_TEST(grid_layout_follows_header)
{
    float orig[N * IH * IW], recon[N * IH * IW];
    for (int k = 0; k < N; k++)
        for (int j = 0; j < IH; j++)
            for (int i = 0; i < IW; i++) {
                orig[(k * IH + j) * IW + i] = orig_value(k, i, j);
                recon[(k * IH + j) * IW + i] = recon_value(k, i, j);
            }
    tg_error err = { "" };
    const char *path = in_dir("grid.png");
    ck_assert_msg(tg_viz_recon_grid(path, orig, recon, N, IW, IH, 1, PER_ROW, SCALE,
                                    "t", &err) == 0, "%s", err.msg);
    image im = load(path);
    /* Geometry from the formula documented in tg_viz.h, written out here. */
    int cw = IW * SCALE, ch = IH * SCALE, pair = 2 * cw + 2;
    ck_assert_int_eq(im.w, 8 + PER_ROW * (pair + 8));
    ck_assert_int_eq(im.h, 32 + 8 + 3 * (ch + 8));
    for (int k = 0; k < N; k++) {
        int x = 8 + (k % PER_ROW) * (pair + 8), y = 32 + 8 + (k / PER_ROW) * (ch + 8);
        for (int j = 0; j < IH; j++)
            for (int i = 0; i < IW; i++)
                for (int d = 0; d < SCALE * SCALE; d++) {
                    int o = (int)lrintf(orig_value(k, i, j) * 255);
                    int r = (int)lrintf(recon_value(k, i, j) * 255);
                    int px = i * SCALE + d % SCALE, py = j * SCALE + d / SCALE;
                    assert_px(&im, x + px, y + py, r, r, r);            /* left */
                    assert_px(&im, x + cw + 2 + px, y + py, o, o, o);   /* right */
                }
        assert_px(&im, x + cw, y, 128, 128, 128);       /* gap inside the pair */
        assert_px(&im, x + cw + 1, y + ch - 1, 128, 128, 128);
        assert_px(&im, x - 1, y, 128, 128, 128);        /* padding between pairs */
        assert_px(&im, x + pair, y + ch, 128, 128, 128);
    }
    /* Unused cells of the last row stay grey; the title band is white with
     * dark text in it. */
    assert_px(&im, im.w - 10, im.h - 10, 128, 128, 128);
    assert_px(&im, im.w - 1, 0, 255, 255, 255);
    ck_assert_int_gt(count_color(&im, (tg_color){ 0, 0, 0 }, 0, 0, im.w, 32), 4);
    stbi_image_free(im.px);
    ck_assert_int_eq(dir_entries(), 1);
}
END_TEST

START_TEST(grid_rgb_clamps_and_widens_for_title)
{
    /* One 2x1 RGB sample: pixel 0 out of range (clamped), pixel 1 with NaN. */
    float orig[6] = { 1.7f, -0.3f, 0.5f, NAN, 1.0f, 0.0f };
    float recon[6] = { 0.0f, 0.2f, 1.0f, 1.0f, 1.0f, 1.0f };
    const char *title = "a title much wider than the single tiny sample";
    tg_error err;
    ck_assert_int_eq(tg_viz_recon_grid(in_dir("rgb.png"), orig, recon, 1, 2, 1, 3, 6,
                                       1, title, &err), 0);
    image im = load(in_dir("rgb.png"));
    ck_assert_int_gt(im.w, 8 + 6 * (2 * 2 + 2 + 8));  /* widened for the title */
    ck_assert_int_eq(im.h, 32 + 8 + 1 + 8);
    assert_px(&im, 8, 40, 0, 51, 255);         /* recon pixel 0 */
    assert_px(&im, 9, 40, 255, 255, 255);      /* recon pixel 1 */
    assert_px(&im, 12, 40, 255, 0, 128);       /* original pixel 0, clamped */
    assert_px(&im, 13, 40, 0, 255, 0);         /* original pixel 1, NaN -> 0 */
    stbi_image_free(im.px);
}
END_TEST

START_TEST(grid_rejects_bad_arguments)
{
    float x[12] = { 0 };
    tg_error err;
    ck_assert_int_eq(tg_viz_recon_grid(in_dir("a.png"), x, x, 1, 2, 2, 2, 6, 1, NULL, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "2 channels"));
    ck_assert_int_eq(tg_viz_recon_grid(in_dir("a.png"), x, x, 0, 2, 2, 1, 6, 1, NULL, &err), -1);
    ck_assert_int_eq(tg_viz_recon_grid(in_dir("a.png"), x, x, 1, 2, 2, 1, 0, 1, NULL, &err), -1);
    ck_assert_int_eq(tg_viz_recon_grid(in_dir("a.png"), x, x, 1, 20000, 1, 1, 1, 1, NULL, &err), -1);
    ck_assert_int_eq(dir_entries(), 0);
}
END_TEST

START_TEST(unwritable_paths_fail_cleanly)
{
    float x[4] = { 0.5f, 0.5f, 0.5f, 0.5f };
    tg_error err;
    char missing[300];
    snprintf(missing, sizeof missing, "%s/no/such/dir/g.png", dir);
    ck_assert_int_eq(tg_viz_recon_grid(missing, x, x, 1, 2, 2, 1, 6, 1, NULL, &err), -1);
    ck_assert_msg(strstr(err.msg, missing) != NULL, "message '%s' lacks the path", err.msg);
    /* A directory in the way: the temporary file is written, the rename
     * fails, and the temporary must be gone. */
    const char *blocked = in_dir("blocked.png");
    ck_assert_int_eq(mkdir(blocked, 0755), 0);
    ck_assert_int_eq(tg_viz_recon_grid(blocked, x, x, 1, 2, 2, 1, 6, 1, NULL, &err), -1);
    ck_assert_msg(strstr(err.msg, blocked) != NULL, "message '%s' lacks the path", err.msg);
    ck_assert_int_eq(dir_entries(), 1);
    const char *names[1] = { "a" };
    int cls[4] = { 0, 0, 0, 0 };
    ck_assert_int_eq(tg_viz_histogram(blocked, x, cls, 4, names, 1, "t", "x", &err), -1);
    ck_assert_int_eq(tg_viz_scatter(blocked, x, cls, 2, names, 1, "t", &err), -1);
    ck_assert_int_eq(tg_viz_line_plot(blocked, x, 1, 4, names, "t", "epoch", "loss", &err), -1);
    ck_assert_int_eq(dir_entries(), 1);
}
END_TEST

/* ---- plots ---- */

static const char *const two_names[2] = { "inliers", "outliers" };

START_TEST(histogram_shows_each_class_where_its_values_are)
{
    enum { NV = 400 };
    float v[NV];
    int cls[NV];
    for (int i = 0; i < NV; i++) {
        cls[i] = i % 4 == 0;  /* 100 outliers */
        v[i] = cls[i] ? 8.0f + (float)(i % 13) / 6 : (float)(i % 17) / 5;
    }
    tg_error err = { "" };
    const char *path = in_dir("hist.png");
    ck_assert_msg(tg_viz_histogram(path, v, cls, NV, two_names, 2, "reconstruction error",
                                   "error", &err) == 0, "%s", err.msg);
    image im = load(path);
    ck_assert_int_eq(im.w, 800);
    ck_assert_int_eq(im.h, 500);
    assert_px(&im, 0, 0, 255, 255, 255);
    tg_color c0 = tg_viz_palette(0), c1 = tg_viz_palette(1), c2 = tg_viz_palette(2);
    /* Inliers live in the left 40%, outliers (and the legend) to the right. */
    ck_assert_int_gt(count_color(&im, c0, 0, 0, 320, 500), 100);
    ck_assert_int_eq(count_color(&im, c1, 0, 0, 320, 500), 0);
    ck_assert_int_gt(count_color(&im, c1, 480, 0, 800, 500), 100);
    ck_assert_int_eq(count_color(&im, c2, 0, 0, 800, 500), 0);
    stbi_image_free(im.px);

    cls[3] = 5;
    ck_assert_int_eq(tg_viz_histogram(path, v, cls, NV, two_names, 2, "t", "x", &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "sample 3 has class 5"));
    cls[3] = 0;
    v[7] = INFINITY;
    ck_assert_int_eq(tg_viz_histogram(path, v, cls, NV, two_names, 2, "t", "x", &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "value 7"));
}
END_TEST

/* 1000 inliers spread out, 10 outliers in one bin: counted, the outliers'
 * bar is a sliver at the baseline; as shares of their class it is the
 * tallest bar of the plot. */
START_TEST(density_histogram_shows_small_classes)
{
    enum { NV = 1010 };
    float v[NV];
    int cls[NV];
    for (int i = 0; i < NV; i++) {
        cls[i] = i >= 1000;
        v[i] = cls[i] ? 9.5f : (float)(i % 100) / 10;
    }
    tg_error err = { "" };
    tg_color c1 = tg_viz_palette(1);
    const char *path = in_dir("hist_density.png");
    ck_assert_msg(tg_viz_histogram(path, v, cls, NV, two_names, 2, "t", "x", &err) == 0, "%s", err.msg);
    image counted = load(path);
    int tall_counted = count_color(&counted, c1, 600, 60, 800, 300);
    stbi_image_free(counted.px);
    ck_assert_msg(tg_viz_histogram_density(path, v, cls, NV, two_names, 2, "t", "x", &err) == 0, "%s",
                  err.msg);
    image dens = load(path);
    int tall_density = count_color(&dens, c1, 600, 60, 800, 300);
    stbi_image_free(dens.px);
    ck_assert_int_eq(tall_counted, 0);
    ck_assert_int_gt(tall_density, 50);
}
END_TEST

START_TEST(histogram_of_one_value)
{
    float v[3] = { 2.5f, 2.5f, 2.5f };
    int cls[3] = { 0, 0, 0 };
    tg_error err = { "" };
    ck_assert_msg(tg_viz_histogram(in_dir("h1.png"), v, cls, 3, two_names, 1, NULL, NULL,
                                   &err) == 0, "%s", err.msg);
    image im = load(in_dir("h1.png"));
    ck_assert_int_gt(count_color(&im, tg_viz_palette(0), 0, 0, im.w, im.h), 50);
    stbi_image_free(im.px);
}
END_TEST

START_TEST(scatter_puts_classes_in_their_quadrants)
{
    enum { NP = 200 };
    float xy[2 * NP];
    int cls[NP];
    for (int i = 0; i < NP; i++) {
        cls[i] = i % 5 == 0;
        float base = cls[i] ? 10.0f : 0.0f;
        xy[2 * i] = base + (float)(i % 7) * 0.2f;
        xy[2 * i + 1] = base + (float)(i % 11) * 0.15f;
    }
    tg_error err = { "" };
    const char *path = in_dir("scatter.png");
    ck_assert_msg(tg_viz_scatter(path, xy, cls, NP, two_names, 2, "latent space (PCA)",
                                 &err) == 0, "%s", err.msg);
    image im = load(path);
    ck_assert_int_eq(im.w, 700);
    ck_assert_int_eq(im.h, 600);
    tg_color c0 = tg_viz_palette(0), c1 = tg_viz_palette(1);
    int mx = im.w / 2, my = im.h / 2;
    ck_assert_int_gt(count_color(&im, c0, 0, my, mx, im.h), 50);      /* bottom-left */
    ck_assert_int_eq(count_color(&im, c1, 0, my, mx, im.h), 0);
    ck_assert_int_gt(count_color(&im, c1, mx, 0, im.w, my), 50);      /* top-right */
    ck_assert_int_eq(count_color(&im, c0, mx, 0, im.w, my), 0);
    stbi_image_free(im.px);

    xy[5] = NAN;
    ck_assert_int_eq(tg_viz_scatter(path, xy, cls, NP, two_names, 2, "t", &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "point 2"));
}
END_TEST

START_TEST(line_plot_draws_each_series)
{
    enum { EP = 20 };
    float ys[2 * EP];
    for (int i = 0; i < EP; i++) {
        ys[i] = 1.0f / (float)(i + 1);          /* falling */
        ys[EP + i] = 0.2f + 0.01f * (float)i;   /* rising slowly */
    }
    const char *names[2] = { "train", "validation" };
    tg_error err = { "" };
    const char *path = in_dir("loss.png");
    ck_assert_msg(tg_viz_line_plot(path, ys, 2, EP, names, "loss per epoch", "epoch",
                                   "loss", &err) == 0, "%s", err.msg);
    image im = load(path);
    ck_assert_int_eq(im.w, 800);
    ck_assert_int_eq(im.h, 500);
    tg_color c0 = tg_viz_palette(0), c1 = tg_viz_palette(1);
    /* The falling series ends low on the right: the lowest blue pixel in the
     * right fifth is well below the lowest over epochs 1-2 (the legend,
     * wherever it goes, sits higher than both). */
    int low_left = -1, low_right = -1;
    for (int y = im.h - 1; y >= 0 && (low_left < 0 || low_right < 0); y--) {
        if (low_left < 0 && count_color(&im, c0, 50, y, 100, y + 1))
            low_left = y;
        if (low_right < 0 && count_color(&im, c0, 640, y, 760, y + 1))
            low_right = y;
    }
    ck_assert_int_ge(low_left, 0);
    ck_assert_int_lt(low_left + 100, low_right);
    ck_assert_int_gt(count_color(&im, c1, 0, 0, im.w, im.h), 100);
    stbi_image_free(im.px);
}
END_TEST

/* ---- canvas ---- */

START_TEST(canvas_draws_clips_and_round_trips)
{
    tg_canvas c;
    tg_error err;
    ck_assert_int_eq(tg_canvas_init(&c, 0, 5, (tg_color){ 0, 0, 0 }, &err), -1);
    ck_assert_int_eq(tg_canvas_init(&c, 40, 30, (tg_color){ 10, 20, 30 }, &err), 0);
    tg_canvas_rect(&c, -5, -5, 10, 8, (tg_color){ 200, 0, 0 });   /* clipped */
    tg_canvas_rect(&c, 35, 25, 100, 100, (tg_color){ 0, 200, 0 });
    tg_canvas_line(&c, 0, 29, 39, 10, (tg_color){ 0, 0, 200 });
    tg_canvas_disc(&c, 20, 15, 2, (tg_color){ 1, 2, 3 });
    tg_canvas_rect_blend(&c, 30, 0, 2, 2, (tg_color){ 210, 220, 230 }, 0.5f);
    int w = tg_canvas_text(&c, 2, 10, "Hi", 2, (tg_color){ 255, 255, 255 });
    ck_assert_int_eq(w, tg_text_width("Hi", 2));
    ck_assert_int_gt(w, 8);
    ck_assert_int_eq(tg_canvas_save_png(&c, in_dir("c.png"), &err), 0);
    image im = load(in_dir("c.png"));
    ck_assert_int_eq(im.w, 40);
    ck_assert_int_eq(im.h, 30);
    assert_px(&im, 0, 0, 200, 0, 0);
    assert_px(&im, 4, 2, 200, 0, 0);
    assert_px(&im, 5, 3, 10, 20, 30);
    assert_px(&im, 39, 29, 0, 200, 0);
    assert_px(&im, 0, 29 - 0, 0, 0, 200);
    assert_px(&im, 39, 10, 0, 0, 200);
    assert_px(&im, 20, 15, 1, 2, 3);
    assert_px(&im, 22, 15, 1, 2, 3);
    assert_px(&im, 20, 18, 10, 20, 30);
    assert_px(&im, 31, 1, 110, 120, 130);
    /* Text stays within its box: [2, 2 + w) x [10, 10 + 12 * scale). */
    tg_color white = { 255, 255, 255 };
    int inside = count_color(&im, white, 2, 10, 2 + w, 34);
    ck_assert_int_gt(inside, 10);
    ck_assert_int_eq(count_color(&im, white, 0, 0, 40, 30), inside);
    stbi_image_free(im.px);
    tg_canvas_free(&c);
}
END_TEST

static Suite *viz_suite(void)
{
    Suite *s = suite_create("viz");
    TCase *tc = tcase_create("pictures");
    tcase_add_checked_fixture(tc, make_dir, remove_dir);
    tcase_add_test(tc, grid_layout_follows_header);
    tcase_add_test(tc, grid_rgb_clamps_and_widens_for_title);
    tcase_add_test(tc, grid_rejects_bad_arguments);
    tcase_add_test(tc, unwritable_paths_fail_cleanly);
    tcase_add_test(tc, histogram_shows_each_class_where_its_values_are);
    tcase_add_test(tc, histogram_of_one_value);
    tcase_add_test(tc, density_histogram_shows_small_classes);
    tcase_add_test(tc, scatter_puts_classes_in_their_quadrants);
    tcase_add_test(tc, line_plot_draws_each_series);
    tcase_add_test(tc, canvas_draws_clips_and_round_trips);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(viz_suite());
}
