/* --files-from: the manifest read into a listing (lib/manifest), and the
 * real binary run over one: bad lines refused by number, a missing file
 * failing that file alone, standard input and NUL-separated names, and
 * slices cut by cost over a manifest covering it exactly once. */
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "shardpix/error.h"
#include "shardpix/manifest.h"
#include "shardpix/vips-autoptr.h"

#include "fixtures.h"

typedef FixturesDirs Fixture;

static char *
write_manifest (const char *root, const char *text, gsize len)
{
  char *path = g_build_filename (root, "manifest.txt", NULL);

  fixtures_write_bytes (path, text, len);
  return path;
}

/* Normalised, sorted like a listing, non-images counted as skipped, and
 * no file looked at: the names need not exist. */
static void
test_manifest_read (Fixture *fx, gconstpointer data)
{
  const char text[] = "b.png\n./a.jpg\nsub//c.webp\n\nnotes.txt\nsub/./d.JPG";
  g_autofree char *path = write_manifest (fx->root, text, sizeof text - 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (ShardpixListing) listing =
    shardpix_manifest_read (fx->in, path, SHARDPIX_MANIFEST_LINES, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (listing->paths->len, ==, 4);
  g_assert_cmpstr (listing->paths->pdata[0], ==, "a.jpg");
  g_assert_cmpstr (listing->paths->pdata[1], ==, "b.png");
  g_assert_cmpstr (listing->paths->pdata[2], ==, "sub/c.webp");
  g_assert_cmpstr (listing->paths->pdata[3], ==, "sub/d.JPG");
  g_assert_cmpuint (listing->n_skipped, ==, 1);
  g_assert_cmpstr (listing->root, ==, fx->in);
}

/* NUL-separated: a name may hold a newline. */
static void
test_manifest_nul (Fixture *fx, gconstpointer data)
{
  const char text[] = "new\nline.jpg\0a.png\0";
  g_autofree char *path = write_manifest (fx->root, text, sizeof text - 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (ShardpixListing) listing =
    shardpix_manifest_read (fx->in, path, SHARDPIX_MANIFEST_NUL, &error);
  g_autoptr (ShardpixListing) as_lines = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (listing->paths->len, ==, 2);
  g_assert_cmpstr (listing->paths->pdata[0], ==, "a.png");
  g_assert_cmpstr (listing->paths->pdata[1], ==, "new\nline.jpg");
  /* Read as lines, the NUL bytes are refused rather than cut at. */
  as_lines = shardpix_manifest_read (fx->in, path, SHARDPIX_MANIFEST_LINES, &error);
  g_assert_null (as_lines);
  g_assert_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_INPUT);
  g_assert_nonnull (strstr (error->message, "NUL"));
}

/* Every line that could leave INPUT_DIR or name a file twice is refused,
 * each named; nothing of such a manifest is used. */
static void
test_manifest_refusals (Fixture *fx, gconstpointer data)
{
  const char text[] = "ok.jpg\n/etc/passwd.jpg\n../out.jpg\nsub/../../x.png\n.hidden.jpg\n"
                      "sub/.git/y.png\nok.jpg\n./ok.jpg\n.\n";
  const char *expected[] = { "line 2: /etc/passwd.jpg: absolute", "line 3: ../out.jpg",
                             "line 4: sub/../../x.png", "line 5: .hidden.jpg: hidden",
                             "line 6: sub/.git/y.png: hidden", "line 9: .: names INPUT_DIR",
                             "ok.jpg: named 3 times" };
  g_autofree char *path = write_manifest (fx->root, text, sizeof text - 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (ShardpixListing) listing =
    shardpix_manifest_read (fx->in, path, SHARDPIX_MANIFEST_LINES, &error);

  g_assert_null (listing);
  g_assert_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_INPUT);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    if (strstr (error->message, expected[i]) == NULL)
      g_error ("\"%s\" not in: %s", expected[i], error->message);
  g_assert_nonnull (strstr (error->message, "7 refused"));
}

static void
test_manifest_missing_file (Fixture *fx, gconstpointer data)
{
  g_autofree char *path = g_build_filename (fx->root, "no-such-manifest", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (ShardpixListing) listing =
    shardpix_manifest_read (fx->in, path, SHARDPIX_MANIFEST_LINES, &error);

  g_assert_null (listing);
  g_assert_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_INPUT);
  g_assert_nonnull (strstr (error->message, "no-such-manifest"));
}

/* Through the binary: the named files only (not the rest of the folder),
 * a named file that is missing fails alone, outputs as a listing run's. */
static void
test_manifest_run (Fixture *fx, gconstpointer data)
{
  g_autofree char *sub = g_build_filename (fx->in, "sub", NULL);
  g_autofree char *a = g_build_filename (fx->in, "a.jpg", NULL);
  g_autofree char *b = g_build_filename (sub, "b.png", NULL);
  g_autofree char *c = g_build_filename (fx->in, "c.webp", NULL);
  g_autofree char *secret = g_build_filename (fx->root, "secret.jpg", NULL);
  g_autofree char *link = g_build_filename (fx->in, "link.jpg", NULL);
  const char text[] = "sub/b.png\na.jpg\ngone.jpg\nlink.jpg\n";
  g_autofree char *manifest = write_manifest (fx->root, text, sizeof text - 1);
  const char *args[] = { "run", fx->in, fx->out, "-j", "2", "--files-from", manifest, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GPtrArray) outputs = NULL;

  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  fixtures_write_image (a, "jpeg", 300, 200);
  fixtures_write_image (b, "png", 200, 300);
  fixtures_write_image (c, "webp", 200, 200);
  /* A name in a manifest gets the input link rule too, when it is opened. */
  fixtures_write_image (secret, "jpeg", 100, 100);
  g_assert_cmpint (symlink (secret, link), ==, 0);
  g_assert_cmpint (fixtures_run_logged (args, &out, &err), ==, 1);
  outputs = fixtures_list_files (fx->out);
  g_assert_cmpuint (outputs->len, ==, 2);
  g_assert_cmpstr (outputs->pdata[0], ==, "a.jpg");
  g_assert_cmpstr (outputs->pdata[1], ==, "sub/b.png");
  g_assert_cmpuint (fixtures_count_lines_containing (err, "gone.jpg"), >=, 1);
  g_assert_cmpuint (fixtures_count_lines_containing (err, "link.jpg"), >=, 1);
  for (guint i = 0; i < outputs->len; i++)
    {
      g_autofree char *path = g_build_filename (fx->out, outputs->pdata[i], NULL);
      g_autoptr (VipsImage) image = vips_image_new_from_file (path, NULL);

      g_assert_nonnull (image);
      g_assert_cmpint (image->Type, ==, VIPS_INTERPRETATION_B_W);
      g_assert_cmpint (MAX (image->Xsize, image->Ysize), ==, 256);
    }
}

/* "-" reads standard input; -0 NUL-separated names; plan takes it too. */
static void
test_manifest_stdin (Fixture *fx, gconstpointer data)
{
  g_autofree char *a = g_build_filename (fx->in, "a b.jpg", NULL);
  g_autofree char *b = g_build_filename (fx->in, "b.png", NULL);
  g_autofree char *script = g_strdup_printf (
    "printf 'a b.jpg\\0b.png\\0' | \"$0\" run \"$1\" \"$2\" --files-from - -0 --quiet && "
    "printf 'b.png\\n' | \"$0\" plan \"$1\" --files-from - --json");
  const char *bin = g_getenv ("SHARDPIX_BIN");
  const char *argv[] = { "/bin/sh", "-c", script, bin, fx->in, fx->out, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) outputs = NULL;
  int status = 0;

  fixtures_write_image (a, "jpeg", 120, 80);
  fixtures_write_image (b, "png", 80, 120);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                               &err, &status, &error));
  g_test_message ("stdout: %s\nstderr: %s", out, err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  outputs = fixtures_list_files (fx->out);
  g_assert_cmpuint (outputs->len, ==, 2);
  g_assert_cmpstr (outputs->pdata[0], ==, "a b.jpg");
  g_assert_cmpstr (outputs->pdata[1], ==, "b.png");
  /* plan's JSON: one image, from the manifest. */
  g_assert_nonnull (strstr (out, "\"files\" : 1,\n"));
}

/* A refused manifest is a usage error before any work. */
static void
test_manifest_run_refused (Fixture *fx, gconstpointer data)
{
  const char text[] = "../secret.jpg\n";
  g_autofree char *manifest = write_manifest (fx->root, text, sizeof text - 1);
  g_autofree char *secret = g_build_filename (fx->root, "secret.jpg", NULL);
  const char *args[] = { "run", fx->in, fx->out, "--files-from", manifest, NULL };
  g_autofree char *err = NULL;

  fixtures_write_image (secret, "jpeg", 64, 64);
  g_assert_cmpint (fixtures_run_logged (args, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "line 1: ../secret.jpg"));
  if (g_file_test (fx->out, G_FILE_TEST_EXISTS))
    {
      g_autoptr (GPtrArray) outputs = fixtures_list_files (fx->out);

      g_assert_cmpuint (outputs->len, ==, 0);
    }
}

/* Four slices by bytes over a manifest of an uneven folder: together they
 * write every output once, and `report merge` accepts their reports. */
static void
test_manifest_cost_slices (Fixture *fx, gconstpointer data)
{
  g_autoptr (GString) text = g_string_new (NULL);
  g_autofree char *manifest = NULL;
  g_autoptr (GPtrArray) reports = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) outputs = NULL;
  const char *merge[8] = { "report", "merge" };
  g_autofree char *merged = NULL;

  for (guint i = 0; i < 24; i++)
    {
      g_autofree char *name = g_strdup_printf ("img-%02u.jpg", i);
      g_autofree char *path = g_build_filename (fx->in, name, NULL);

      /* The big ones last: a count cut puts them all in slice 3. */
      fixtures_write_image (path, "jpeg", i < 20 ? 64 : 900, i < 20 ? 48 : 700);
      g_string_append_printf (text, "%s\n", name);
    }
  manifest = write_manifest (fx->root, text->str, text->len);
  for (guint k = 0; k < 4; k++)
    {
      g_autofree char *slice = g_strdup_printf ("%u/4", k);
      char *report = g_strdup_printf ("%s/slice-%u.json", fx->root, k);
      const char *args[] = { "run", fx->in, fx->out, "--files-from", manifest, "--slice", slice,
                             "--slice-balance", "bytes", "--report", report, "--quiet", NULL };

      g_ptr_array_add (reports, report);
      g_assert_cmpint (fixtures_run_logged (args, NULL, NULL), ==, 0);
      merge[2 + k] = report;
    }
  outputs = fixtures_list_files (fx->out);
  g_assert_cmpuint (outputs->len, ==, 24);
  g_assert_cmpint (fixtures_run_logged (merge, &merged, NULL), ==, 0);
  /* Dropping a slice is seen. */
  merge[5] = NULL;
  g_assert_cmpint (fixtures_run_logged (merge, NULL, NULL), ==, 2);
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixtures_dirs_setup, func, fixtures_dirs_teardown)

int
main (int argc, char **argv)
{
  fixtures_init (&argc, &argv);
  ADD ("/shardpix/manifest/read", test_manifest_read);
  ADD ("/shardpix/manifest/nul", test_manifest_nul);
  ADD ("/shardpix/manifest/refusals", test_manifest_refusals);
  ADD ("/shardpix/manifest/missing-manifest", test_manifest_missing_file);
  ADD ("/shardpix/manifest/run", test_manifest_run);
  ADD ("/shardpix/manifest/stdin", test_manifest_stdin);
  ADD ("/shardpix/manifest/run-refused", test_manifest_run_refused);
  ADD ("/shardpix/manifest/cost-slices", test_manifest_cost_slices);
  return g_test_run ();
}
