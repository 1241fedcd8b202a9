/* --slice and `report merge` through the real binary: four slices of one
 * folder, run apart, give the outputs of one plain run, and their reports
 * merge only when they cover the listing exactly once. */
#include <string.h>

#include "fixtures.h"

#define N_IMAGES 11

static void
merge_write_folder (const char *dir)
{
  for (guint i = 0; i < N_IMAGES; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/img-%02u.png", dir, i);
      fixtures_write_image (path, "png", 40 + i, 30);
    }
}

static char *
merge_report_path (FixturesDirs *fx, guint k, guint m)
{
  return g_strdup_printf ("%s/slice-%u-of-%u.json", fx->root, k, m);
}

/* Runs slice k of m into fx->out and returns its report's path. */
static char *
merge_run_slice (FixturesDirs *fx, guint k, guint m)
{
  g_autofree char *slice = g_strdup_printf ("--slice=%u/%u", k, m);
  g_autofree char *report = merge_report_path (fx, k, m);
  const char *args[] = { "run", "--jobs", "2", slice, "--report", report, fx->in, fx->out, NULL };

  g_assert_cmpint (fixtures_run_logged (args, NULL, NULL), ==, 0);
  return g_steal_pointer (&report);
}

/* Writes the folder and runs its m slices but @skip (m: none), the last
 * first: merge must not depend on the order slices ran or are given. */
static GPtrArray *
merge_run_slices (FixturesDirs *fx, guint m, guint skip)
{
  GPtrArray *reports = g_ptr_array_new_with_free_func (g_free);

  merge_write_folder (fx->in);
  for (guint k = m; k-- > 0;)
    if (k != skip)
      g_ptr_array_add (reports, merge_run_slice (fx, k, m));
  return reports;
}

static int
merge_reports (GPtrArray *reports, char **out, char **err)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();

  g_ptr_array_add (args, "report");
  g_ptr_array_add (args, "merge");
  for (guint i = 0; i < reports->len; i++)
    g_ptr_array_add (args, g_ptr_array_index (reports, i));
  g_ptr_array_add (args, NULL);
  return fixtures_run_logged ((const char *const *) args->pdata, out, err);
}

static void
test_merge_four_slices (FixturesDirs *fx, gconstpointer data)
{
  g_autoptr (GPtrArray) reports = merge_run_slices (fx, 4, 4);
  g_autofree char *whole = g_build_filename (fx->root, "whole", NULL);
  g_autofree char *out = NULL;
  g_autofree char *why = NULL;
  const char *plain[] = { "run", "--quiet", fx->in, whole, NULL };

  g_assert_cmpint (fixtures_run_logged (plain, NULL, NULL), ==, 0);
  g_assert_true (fixtures_same_tree (whole, fx->out, &why));

  g_assert_cmpint (merge_reports (reports, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "listing 11 images"));
  g_assert_nonnull (strstr (out, "ok 11  failed 0  undone 0"));
  for (guint k = 0; k < 4; k++)
    {
      g_autofree char *row = g_strdup_printf ("%u/4", k);
      g_assert_cmpuint (fixtures_count_lines_containing (out, row), >=, 2);
    }
}

static void
test_merge_missing (FixturesDirs *fx, gconstpointer data)
{
  g_autoptr (GPtrArray) reports = merge_run_slices (fx, 4, 2);
  g_autofree char *err = NULL;

  g_assert_cmpint (merge_reports (reports, NULL, &err), !=, 0);
  g_assert_nonnull (strstr (err, "slice 2/4 missing"));
  g_assert_null (strstr (err, "slice 1/4 missing"));
}

static void
test_merge_duplicate (FixturesDirs *fx, gconstpointer data)
{
  g_autoptr (GPtrArray) reports = merge_run_slices (fx, 3, 3);
  g_autofree char *copy = g_build_filename (fx->root, "copy.json", NULL);
  g_autofree char *one = merge_report_path (fx, 1, 3);
  g_autofree char *text = NULL;
  g_autofree char *err = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (one, &text, &len, NULL));
  fixtures_write_bytes (copy, text, len);
  g_ptr_array_add (reports, g_strdup (copy));
  g_assert_cmpint (merge_reports (reports, NULL, &err), !=, 0);
  g_assert_nonnull (strstr (err, "slice 1/3 twice"));
  g_assert_nonnull (strstr (err, "copy.json"));
}

/* A slice of another cut or of a folder that changed between runs. */
static void
test_merge_other_listing (FixturesDirs *fx, gconstpointer data)
{
  g_autoptr (GPtrArray) reports = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *extra = g_build_filename (fx->in, "zz-late.png", NULL);
  g_autofree char *err = NULL;

  merge_write_folder (fx->in);
  g_ptr_array_add (reports, merge_run_slice (fx, 0, 2));
  fixtures_write_image (extra, "png", 20, 20);
  g_ptr_array_add (reports, merge_run_slice (fx, 1, 2));
  g_assert_cmpint (merge_reports (reports, NULL, &err), !=, 0);
  g_assert_nonnull (strstr (err, "another listing"));
  g_clear_pointer (&err, g_free);

  g_ptr_array_set_size (reports, 1);
  g_ptr_array_add (reports, merge_run_slice (fx, 1, 3));
  g_assert_cmpint (merge_reports (reports, NULL, &err), !=, 0);
  g_assert_nonnull (strstr (err, "different numbers of slices"));
}

static void
test_merge_auto_without_scheduler (FixturesDirs *fx, gconstpointer data)
{
  g_autofree char *err = NULL;
  const char *args[] = { "run", "--slice", "auto", fx->in, fx->out, NULL };

  g_unsetenv ("SLURM_ARRAY_TASK_ID");
  g_unsetenv ("JOB_COMPLETION_INDEX");
  merge_write_folder (fx->in);
  g_assert_cmpint (fixtures_run_logged (args, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "SLURM_ARRAY_TASK_ID"));
  /* Refused before anything is created. */
  g_assert_false (g_file_test (fx->out, G_FILE_TEST_EXISTS));
}

int
main (int argc, char **argv)
{
  fixtures_init (&argc, &argv);
#define ADD(path, fn) \
  g_test_add (path, FixturesDirs, NULL, fixtures_dirs_setup, fn, fixtures_dirs_teardown)
  ADD ("/shardpix/merge/four-slices", test_merge_four_slices);
  ADD ("/shardpix/merge/missing", test_merge_missing);
  ADD ("/shardpix/merge/duplicate", test_merge_duplicate);
  ADD ("/shardpix/merge/other-listing", test_merge_other_listing);
  ADD ("/shardpix/merge/auto-without-scheduler", test_merge_auto_without_scheduler);
#undef ADD
  return g_test_run ();
}
