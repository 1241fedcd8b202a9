/* `run --mode`: processes, threads and libvips threads give the same bytes
 * as the serial baseline, through the real binary. */
#include <string.h>

#include "fixtures.h"

/* A mixed folder, some JPEGs to share between threads, and one file that
 * fails: a failing image must not disturb the others' outputs. */
static void
modes_write_folder (const char *dir)
{
  g_autofree char *bad = g_build_filename (dir, "zz-bad.jpg", NULL);

  fixtures_write_mixed_folder (dir);
  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *name = g_strdup_printf ("extra-%u.jpg", i);
      g_autofree char *path = g_build_filename (dir, name, NULL);

      fixtures_write_image (path, i % 2 ? "jpeg-progressive" : "jpeg", 300 + 37 * i, 200);
    }
  fixtures_write_bytes (bad, "not a jpeg", 10);
}

static void
test_identical_outputs (FixturesDirs *fx, gconstpointer data)
{
  static const char *const modes[][4] = {
    { "--mode", "processes", "-j", "2" },   { "--mode", "threads", "-j", "2" },
    { "--mode", "threads", "-j", "3" },     { "--mode", "vips-threads", "-j", "2" },
    { "--mode", "serial", "-j", "1" },
  };
  g_autofree char *serial = g_build_filename (fx->root, "serial", NULL);
  const char *base[] = { "run", fx->in, serial, "--serial", "--size", "100", "--quiet", NULL };

  modes_write_folder (fx->in);
  /* 1: images failed. */
  g_assert_cmpint (fixtures_run_logged (base, NULL, NULL), ==, 1);

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autofree char *dir = g_strdup_printf ("%s/%s-j%s", fx->root, modes[i][1], modes[i][3]);
      g_autofree char *why = NULL;
      g_autofree char *out = NULL;
      const char *args[] = { "run",      fx->in,      dir,    modes[i][0], modes[i][1],
                             modes[i][2], modes[i][3], "--size", "100",   "--quiet",
                             NULL };

      g_assert_cmpint (fixtures_run_logged (args, &out, NULL), ==, 1);
      g_assert_nonnull (strstr (out, "failed 1"));
      if (!fixtures_same_tree (serial, dir, &why))
        g_error ("%s -j %s differs from --serial: %s", modes[i][1], modes[i][3], why);
    }
}

static void
test_usage_errors (FixturesDirs *fx, gconstpointer data)
{
  const char *bogus[] = { "run", fx->in, fx->out, "--mode", "fibers", NULL };
  const char *both[] = { "run", fx->in, fx->out, "--mode", "threads", "--serial", NULL };
  const char *report[] = { "run", fx->in, fx->out, "--mode", "threads", "--report", "r.json",
                           NULL };
  const char *many[] = { "run", fx->in, fx->out, "--mode", "threads", "-j", "4000", NULL };
  g_autofree char *err = NULL;

  g_assert_cmpint (fixtures_run_logged (bogus, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "--mode"));
  g_assert_cmpint (fixtures_run_logged (both, NULL, NULL), ==, 2);
  g_assert_cmpint (fixtures_run_logged (report, NULL, NULL), ==, 2);
  g_assert_cmpint (fixtures_run_logged (many, NULL, NULL), ==, 2);
}

#define ADD(path, func) \
  g_test_add (path, FixturesDirs, NULL, fixtures_dirs_setup, func, fixtures_dirs_teardown)

int
main (int argc, char **argv)
{
  fixtures_init (&argc, &argv);
  ADD ("/shardpix/modes/identical-outputs", test_identical_outputs);
  ADD ("/shardpix/modes/usage-errors", test_usage_errors);
  return g_test_run ();
}
