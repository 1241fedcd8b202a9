/* The real binary, as a user runs it: real images, real workers. */
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shardpix/vips-autoptr.h"

#include "fixtures.h"

typedef FixturesDirs Fixture;

static void
assert_no_hidden_files (const char *dir)
{
  g_autoptr (GPtrArray) files = fixtures_list_files (dir);

  for (guint i = 0; i < files->len; i++)
    {
      const char *rel = g_ptr_array_index (files, i);
      g_autofree char *base = g_path_get_basename (rel);

      g_assert_cmpint (base[0], !=, '.');
    }
}

/* WebP stores no grey mode and libvips loads every GIF as RGBA: there, grey
 * means the colour bands are equal. Elsewhere the output is one B_W band,
 * plus alpha where the input had it. */
static void
assert_grey (const char *rel, VipsImage *in, VipsImage *res)
{
  int colour = res->Bands - (vips_image_hasalpha (res) ? 1 : 0);

  if (g_str_has_suffix (rel, ".webp") || g_str_has_suffix (rel, ".gif"))
    {
      for (int b = 1; b < colour; b++)
        {
          g_autoptr (VipsImage) first = NULL;
          g_autoptr (VipsImage) other = NULL;
          g_autoptr (VipsImage) diff = NULL;
          g_autoptr (VipsImage) absolute = NULL;
          double worst = 0;

          g_assert_cmpint (vips_extract_band (res, &first, 0, NULL), ==, 0);
          g_assert_cmpint (vips_extract_band (res, &other, b, NULL), ==, 0);
          g_assert_cmpint (vips_subtract (first, other, &diff, NULL), ==, 0);
          g_assert_cmpint (vips_abs (diff, &absolute, NULL), ==, 0);
          g_assert_cmpint (vips_max (absolute, &worst, NULL), ==, 0);
          g_assert_cmpfloat (worst, <=, 1.0);
        }
      return;
    }
  g_assert_cmpint (res->Type, ==, VIPS_INTERPRETATION_B_W);
  g_assert_cmpint (res->Bands, ==, vips_image_hasalpha (in) ? 2 : 1);
}

/* Every output is grey, 8-bit, fits the box with the input's aspect ratio
 * to within a pixel, and is in the input's format. */
static void
test_mixed_folder (Fixture *fx, gconstpointer data)
{
  const char *args[] = { "run", fx->in, fx->out, "-j", "2", "--size", "128x96", NULL };
  g_autofree char *out = NULL;
  g_autoptr (GPtrArray) inputs = NULL;
  g_autoptr (GPtrArray) outputs = NULL;

  fixtures_write_mixed_folder (fx->in);
  inputs = fixtures_list_files (fx->in);
  g_assert_cmpint (fixtures_run_logged (args, &out, NULL), ==, 0);
  outputs = fixtures_list_files (fx->out);
  g_assert_cmpuint (outputs->len, ==, inputs->len);

  for (guint i = 0; i < inputs->len; i++)
    {
      const char *rel = g_ptr_array_index (inputs, i);
      g_autofree char *src = g_build_filename (fx->in, rel, NULL);
      g_autofree char *dst = g_build_filename (fx->out, rel, NULL);
      g_autoptr (GError) error = NULL;
      VipsImage *in = vips_image_new_from_file (src, NULL);
      VipsImage *res = vips_image_new_from_file (dst, NULL);
      double scale, want_w, want_h;

      g_test_message ("%s: %dx%d -> %dx%d, %d bands", rel, in->Xsize, in->Ysize,
                      res->Xsize, res->Ysize, res->Bands);
      g_assert_cmpstr (g_ptr_array_index (outputs, i), ==, rel);
      g_assert_cmpint (res->BandFmt, ==, VIPS_FORMAT_UCHAR);
      assert_grey (rel, in, res);
      scale = MIN (1.0, MIN (128.0 / in->Xsize, 96.0 / in->Ysize));
      want_w = in->Xsize * scale;
      want_h = in->Ysize * scale;
      g_assert_cmpint (res->Xsize, <=, 128);
      g_assert_cmpint (res->Ysize, <=, 96);
      g_assert_cmpfloat (fabs (res->Xsize - want_w), <=, 1.0);
      g_assert_cmpfloat (fabs (res->Ysize - want_h), <=, 1.0);
      g_assert_cmpstr (vips_foreign_find_load (dst), ==, vips_foreign_find_load (src));
      g_object_unref (in);
      g_object_unref (res);
    }
  /* The per-child table: one row per worker, each with how it exited. */
  g_assert_nonnull (strstr (out, "maxrss MB"));
  g_assert_cmpuint (fixtures_count_lines_containing (out, "exit 0"), ==, 2);
  g_assert_nonnull (strstr (out, "failed 0"));
}

/* The serial baseline, every jobs x shards combination and every balance
 * write the same bytes. */
static void
test_identical_outputs (Fixture *fx, gconstpointer data)
{
  g_autofree char *serial = g_build_filename (fx->root, "serial", NULL);
  const char *base[] = { "run", fx->in, serial, "--serial", "--size", "100", NULL };

  fixtures_write_mixed_folder (fx->in);
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *name = g_strdup_printf ("extra-%u.jpg", i);
      g_autofree char *path = g_build_filename (fx->in, name, NULL);

      fixtures_write_image (path, i % 2 ? "jpeg-progressive" : "jpeg", 300 + 37 * i, 200);
    }
  g_assert_cmpint (fixtures_run_logged (base, NULL, NULL), ==, 0);

  for (int jobs = 1; jobs <= 4; jobs++)
    for (int shards = 1; shards <= 7; shards++)
      {
        g_autofree char *dir = g_strdup_printf ("%s/j%d-s%d", fx->root, jobs, shards);
        g_autofree char *j = g_strdup_printf ("%d", jobs);
        g_autofree char *s = g_strdup_printf ("%d", shards);
        g_autofree char *why = NULL;
        const char *args[] = { "run", fx->in, dir, "-j", j, "--shards", s, "--size", "100",
                               "--quiet", NULL };

        g_assert_cmpint (fixtures_run_logged (args, NULL, NULL), ==, 0);
        if (!fixtures_same_tree (serial, dir, &why))
          g_error ("-j %d --shards %d differs from --serial: %s", jobs, shards, why);
      }

  /* Every balance, with its own shards and with --shards. */
  for (guint b = 0; b < 6; b++)
    {
      const char *balance = (const char *[]){ "count", "bytes", "dynamic" }[b % 3];
      g_autofree char *dir = g_strdup_printf ("%s/%s-%u", fx->root, balance, b);
      g_autofree char *why = NULL;
      const char *args[] = { "run", fx->in, dir, "-j", "2", "--balance", balance, "--size",
                             "100", "--quiet", b < 3 ? NULL : "--shards", "5", NULL };

      g_assert_cmpint (fixtures_run_logged (args, NULL, NULL), ==, 0);
      if (!fixtures_same_tree (serial, dir, &why))
        g_error ("--balance %s (%u) differs from --serial: %s", balance, b, why);
    }
}

static void
test_bad_inputs (Fixture *fx, gconstpointer data)
{
  g_autofree char *whole = g_build_filename (fx->in, "a-baseline.jpg", NULL);
  g_autofree char *cut = g_build_filename (fx->in, "cut.jpg", NULL);
  g_autofree char *text = g_build_filename (fx->in, "notes.png", NULL);
  const char *args[] = { "run", fx->in, fx->out, "-j", "2", NULL };
  g_autofree char *err = NULL;
  g_autoptr (GPtrArray) outputs = NULL;
  struct stat st;

  fixtures_write_mixed_folder (fx->in);
  g_assert_cmpint (stat (whole, &st), ==, 0);
  fixtures_write_truncated (whole, cut, (gsize) st.st_size * 2 / 3);
  fixtures_write_bytes (text, "just some text\n", 15);

  g_assert_cmpint (fixtures_run_logged (args, NULL, &err), ==, 1);
  g_assert_cmpuint (fixtures_count_lines_containing (err, "cut.jpg: "), ==, 1);
  g_assert_cmpuint (fixtures_count_lines_containing (err, "notes.png: "), ==, 1);
  outputs = fixtures_list_files (fx->out);
  /* Seven good images of the mixed folder, nothing for the two bad ones. */
  g_assert_cmpuint (outputs->len, ==, 7);
  for (guint i = 0; i < outputs->len; i++)
    {
      g_assert_cmpstr (g_ptr_array_index (outputs, i), !=, "cut.jpg");
      g_assert_cmpstr (g_ptr_array_index (outputs, i), !=, "notes.png");
    }
  assert_no_hidden_files (fx->out);
}

static void
test_output_inside_input_refused (Fixture *fx, gconstpointer data)
{
  g_autofree char *inside = g_build_filename (fx->in, "sub", "out", NULL);
  const char *same[] = { "run", fx->in, fx->in, NULL };
  const char *nested[] = { "run", fx->in, inside, NULL };
  g_autofree char *err = NULL;
  g_autoptr (GPtrArray) files = NULL;

  fixtures_write_mixed_folder (fx->in);
  files = fixtures_list_files (fx->in);
  g_assert_cmpint (fixtures_run_logged (same, NULL, NULL), ==, 2);
  g_assert_cmpint (fixtures_run_logged (nested, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "inside"));
  /* Nothing was created in the input. */
  g_assert_false (g_file_test (inside, G_FILE_TEST_EXISTS));
  {
    g_autoptr (GPtrArray) after = fixtures_list_files (fx->in);
    g_assert_cmpuint (after->len, ==, files->len);
  }
}

static void
test_usage_errors (Fixture *fx, gconstpointer data)
{
  g_autofree char *missing = g_build_filename (fx->root, "missing", NULL);
  const char *cases[][8] = {
    { "run", missing, fx->out, NULL },
    { "run", fx->in, NULL },
    { "run", fx->in, fx->out, "--bogus", NULL },
    { "run", fx->in, fx->out, "--size", "0x10", NULL },
    { "run", fx->in, fx->out, "--jobs", "0", NULL },
    { "run", fx->in, fx->out, "--quality", "101", NULL },
    { "frobnicate", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *err = NULL;

      g_assert_cmpint (fixtures_run_logged (cases[i], NULL, &err), ==, 2);
      g_assert_nonnull (strstr (err, "shardpix: "));
    }
}

static void
test_recursive_mirrors (Fixture *fx, gconstpointer data)
{
  g_autofree char *deep = g_build_filename (fx->in, "2024", "trip", NULL);
  g_autofree char *a = g_build_filename (fx->in, "top.jpg", NULL);
  g_autofree char *b = g_build_filename (deep, "deep.png", NULL);
  const char *flat[] = { "run", fx->in, fx->out, "-j", "2", NULL };
  const char *rec[] = { "run", fx->in, fx->out, "-j", "2", "--recursive", NULL };
  g_autoptr (GPtrArray) outputs = NULL;

  g_assert_cmpint (g_mkdir_with_parents (deep, 0755), ==, 0);
  fixtures_write_image (a, "jpeg", 320, 200);
  fixtures_write_image (b, "png", 200, 320);
  g_assert_cmpint (fixtures_run_logged (flat, NULL, NULL), ==, 0);
  outputs = fixtures_list_files (fx->out);
  g_assert_cmpuint (outputs->len, ==, 1);
  g_assert_cmpint (fixtures_run_logged (rec, NULL, NULL), ==, 0);
  g_clear_pointer (&outputs, g_ptr_array_unref);
  outputs = fixtures_list_files (fx->out);
  g_assert_cmpuint (outputs->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (outputs, 0), ==, "2024/trip/deep.png");
  g_assert_cmpstr (g_ptr_array_index (outputs, 1), ==, "top.jpg");
}

/* Names travel to workers through the pipe, so any byte survives. */
static void
test_awkward_names (Fixture *fx, gconstpointer data)
{
  g_autofree char *long_name = g_strnfill (251, 'n');
  const char *names[] = { "with space.jpg", "new\nline.jpg", "caf\xc3\xa9.png",
                          "bad\xff\xfe.jpg", NULL };
  const char *args[] = { "run", fx->in, fx->out, "-j", "2", NULL };
  g_autofree char *err = NULL;
  g_autoptr (GPtrArray) outputs = NULL;
  g_autofree char *long_jpg = g_strconcat (long_name, ".jpg", NULL);

  for (guint i = 0; names[i]; i++)
    {
      g_autofree char *path = g_build_filename (fx->in, names[i], NULL);

      fixtures_write_image (path, g_str_has_suffix (names[i], ".png") ? "png" : "jpeg", 120, 80);
    }
  {
    g_autofree char *path = g_build_filename (fx->in, long_jpg, NULL);
    g_autofree char *bracket = g_build_filename (fx->in, "x.png[fail_on=none]", NULL);

    fixtures_write_image (path, "jpeg", 120, 80);
    fixtures_write_bytes (bracket, "not an image", 12);
  }
  /* "x.png[fail_on=none]" does not end in an image extension: skipped. */
  g_assert_cmpint (fixtures_run_logged (args, NULL, &err), ==, 0);
  outputs = fixtures_list_files (fx->out);
  g_assert_cmpuint (outputs->len, ==, 5);
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *dst = g_build_filename (fx->out, names[i], NULL);
      g_assert_true (g_file_test (dst, G_FILE_TEST_IS_REGULAR));
    }
}

/* A file that kills its worker is retried once alone, then failed as
 * poison; the files after it in the shard are still done: exit 1. */
static void
test_dead_worker_poison (Fixture *fx, gconstpointer data)
{
  g_autofree char *fake = g_test_build_filename (G_TEST_BUILT, "fake-worker", NULL);
  g_autofree char *exe_arg = g_strconcat ("--worker-exe=", fake, NULL);
  const char *args[] = { "run", fx->in, fx->out, "-j", "1", exe_arg, NULL };
  const char *names[] = { "a.jpg", "b-crash.jpg", "c.jpg", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  for (guint i = 0; names[i]; i++)
    {
      g_autofree char *path = g_build_filename (fx->in, names[i], NULL);
      fixtures_write_bytes (path, "x", 1);
    }
  g_assert_cmpint (fixtures_run_logged (args, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "killed by SIGKILL before finishing its shard on b-crash.jpg; "
                                 "retrying it alone"));
  g_assert_cmpuint (fixtures_count_lines_containing (err, "b-crash.jpg: poison file"), ==, 1);
  g_assert_nonnull (strstr (err, "1 file(s) retried after a worker died, 1 poison"));
  g_assert_null (strstr (err, "undone"));
  g_assert_nonnull (strstr (out, "ok 2  failed 1"));
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixtures_dirs_setup, func, fixtures_dirs_teardown)

int
main (int argc, char **argv)
{
  fixtures_init (&argc, &argv);
  ADD ("/shardpix/e2e/mixed-folder", test_mixed_folder);
  ADD ("/shardpix/e2e/identical-outputs", test_identical_outputs);
  ADD ("/shardpix/e2e/bad-inputs", test_bad_inputs);
  ADD ("/shardpix/e2e/output-inside-input", test_output_inside_input_refused);
  ADD ("/shardpix/e2e/usage-errors", test_usage_errors);
  ADD ("/shardpix/e2e/recursive", test_recursive_mirrors);
  ADD ("/shardpix/e2e/awkward-names", test_awkward_names);
  ADD ("/shardpix/e2e/dead-worker", test_dead_worker_poison);
  return g_test_run ();
}
