/* Test helpers: real images made with real libvips, scratch folders, and the
 * real shardpix binary run as a user would run it. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <vips/vips.h>

#include "shardpix/job.h"

G_BEGIN_DECLS

/* Initialises libvips for the test process (not a supervisor: tests may). */
void fixtures_init (int *argc, char ***argv);

/* A fresh empty folder under the system temp dir, removed by
 * fixtures_rmtree(). */
char *fixtures_mkdtemp (void);
void fixtures_rmtree (const char *path);

/* Writes one textured image of @width x @height at @path; the format is
 * picked from @kind: "jpeg", "jpeg-progressive", "png", "png-alpha", "png16",
 * "png-grey", "png-palette", "webp", "webp-lossless", "webp-alpha", "tiff",
 * "gif", "heic", "avif", "jxl". Aborts the test on failure. */
void fixtures_write_image (const char *path, const char *kind, int width, int height);

/* The mixed folder of the end-to-end tests: one image of every kind above
 * with different aspect ratios, named so that they sort in a known order. */
void fixtures_write_mixed_folder (const char *dir);

/* Writes @len bytes of @data at @path. */
void fixtures_write_bytes (const char *path, const void *data, gsize len);

/* Copies the first @keep bytes of @src to @dst (a truncated image). */
void fixtures_write_truncated (const char *src, const char *dst, gsize keep);

/* Runs the shardpix binary ($SHARDPIX_BIN) with @args (NULL-terminated);
 * returns its exit code (128+N for a death by signal N) and its output. */
int fixtures_run_shardpix (const char *const *args, char **out_stdout, char **out_stderr);

/* As fixtures_run_shardpix(), with the exit status and both outputs in
 * the test log; @out_stdout and @out_stderr may be NULL. */
int fixtures_run_logged (const char *const *args, char **out_stdout, char **out_stderr);

/* How many lines of @text contain @needle. */
guint fixtures_count_lines_containing (const char *text, const char *needle);

/* The scratch folders of a test that runs the binary: ROOT, ROOT/in
 * (created) and ROOT/out (not created), for g_test_add(). */
typedef struct {
  char *root;
  char *in;
  char *out;
} FixturesDirs;

void fixtures_dirs_setup (FixturesDirs *fx, gconstpointer data);
void fixtures_dirs_teardown (FixturesDirs *fx, gconstpointer data);

/* An input and an output folder (both created) and a default job pointed at
 * them, for tests that run the pipeline in their own process. */
typedef struct {
  char *in;
  char *out;
  ShardpixJob job;
} FixturesJob;

void fixtures_job_setup (FixturesJob *fx, gconstpointer data);
void fixtures_job_teardown (FixturesJob *fx, gconstpointer data);

/* Sorted relative paths of the regular files below @dir, hidden ones
 * included (so that a left-over temporary file is seen). */
GPtrArray *fixtures_list_files (const char *dir);

/* TRUE when the two folders hold the same relative paths with the same
 * bytes; on FALSE, @why says the first difference. */
gboolean fixtures_same_tree (const char *a, const char *b, char **why);

/* The luminance quantisation table of the JPEG at DIR/REL, read by libjpeg,
 * and the one libjpeg itself makes for @quality: what a JPEG saved at that
 * quality must carry. */
void fixtures_read_luma_table (const char *dir, const char *rel, guint16 table[64]);
void fixtures_expected_luma_table (int quality, guint16 table[64]);

/* @text parsed as JSON (asserted), its root object; unref it. */
JsonObject *fixtures_json_object (const char *text);

/* A random byte, 0 and 255 over-represented (a quarter each). */
guint8 fixtures_random_byte (GRand *rand);

/* A memory image of fixtures_random_byte()s, 8-bit, B_W under 3 bands and
 * sRGB from 3. */
VipsImage *fixtures_noise_image (GRand *rand, int width, int height, int bands);

/* Up to @max paths of images ending in one of @suffixes (NULL-terminated)
 * under the Debian package folders of this machine (icons, pixmaps,
 * backgrounds, documentation, games), sorted, links skipped. */
GPtrArray *fixtures_debian_images (const char *const *suffixes, guint max);

/* Asserts that @ours is @theirs: size, bands, format, interpretation and
 * every byte of the pixels; a difference names @what and the first pixel
 * and band that differ. */
void fixtures_assert_same_pixels (VipsImage *ours, VipsImage *theirs, const char *what);

G_END_DECLS
