#include <string.h>

#include <glib.h>

#include "error.h"
#include "job.h"

static void
test_size_forms (void)
{
  int w = 0, h = 0;

  g_assert_true (shardpix_job_parse_size ("256x192", &w, &h, NULL));
  g_assert_cmpint (w, ==, 256);
  g_assert_cmpint (h, ==, 192);
  g_assert_true (shardpix_job_parse_size ("300", &w, &h, NULL));
  g_assert_cmpint (w, ==, 300);
  g_assert_cmpint (h, ==, 300);
  g_assert_true (shardpix_job_parse_size ("1X2", &w, &h, NULL));
  g_assert_cmpint (w, ==, 1);
  g_assert_cmpint (h, ==, 2);
}

static void
test_size_refused (void)
{
  const char *bad[] = { "", "x", "0", "0x5", "5x0", "-5", "5x-5", "256x", "x256", "256x256x2",
                        "256 ", " 256", "+256", "100001", "5x100001", "99999999999999999999",
                        "256y256", "1e3", "0x10" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      int w = 7, h = 7;

      g_test_message ("size '%s'", bad[i]);
      g_assert_false (shardpix_job_parse_size (bad[i], &w, &h, &error));
      g_assert_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE);
      g_assert_nonnull (strstr (error->message, bad[i]));
      g_assert_cmpint (w, ==, 7);
      g_assert_cmpint (h, ==, 7);
    }
}

static void
test_fail_on_names (void)
{
  ShardpixFailOn level;
  g_autoptr (GError) error = NULL;

  for (ShardpixFailOn f = SHARDPIX_FAIL_ON_NONE; f <= SHARDPIX_FAIL_ON_WARNING; f++)
    {
      g_assert_true (shardpix_job_parse_fail_on (shardpix_job_fail_on_name (f), &level, NULL));
      g_assert_cmpint (level, ==, f);
    }
  g_assert_false (shardpix_job_parse_fail_on ("sometimes", &level, &error));
  g_assert_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE);
}

/* What the supervisor passes a worker must parse back to the same job. */
static void
test_args_round_trip (void)
{
  g_auto (ShardpixJob) job = { 0 };
  g_auto (ShardpixJob) parsed = { 0 };
  g_autoptr (GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char **argv = NULL;
  int argc;

  shardpix_job_init (&job);
  job.width = 640;
  job.height = 480;
  job.quality = 42;
  job.threads = 3;
  job.fail_on = SHARDPIX_FAIL_ON_WARNING;
  g_ptr_array_add (args, g_strdup ("worker"));
  shardpix_job_append_args (&job, args);
  g_ptr_array_add (args, NULL);

  shardpix_job_init (&parsed);
  g_option_context_add_group (context, shardpix_job_option_group (&parsed));
  argc = (int) args->len - 1;
  /* Parsing drops the options it consumed from argv; the array still owns
   * them through a copy of the pointers. */
  argv = g_memdup2 (args->pdata, args->len * sizeof (char *));
  g_assert_true (g_option_context_parse (context, &argc, &argv, &error));
  g_assert_no_error (error);
  g_assert_cmpint (argc, ==, 1);
  g_assert_cmpint (parsed.width, ==, 640);
  g_assert_cmpint (parsed.height, ==, 480);
  g_assert_cmpint (parsed.quality, ==, 42);
  g_assert_cmpint (parsed.threads, ==, 3);
  g_assert_cmpint (parsed.fail_on, ==, SHARDPIX_FAIL_ON_WARNING);
}

static void
test_validate (void)
{
  g_auto (ShardpixJob) job = { 0 };
  g_autoptr (GError) error = NULL;

  shardpix_job_init (&job);
  g_assert_true (shardpix_job_validate (&job, NULL));
  job.quality = 0;
  g_assert_false (shardpix_job_validate (&job, &error));
  g_assert_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE);
}

static void
test_paths (void)
{
  g_auto (ShardpixJob) job = { 0 };
  g_autofree char *top = NULL;
  g_autofree char *nested = NULL;
  g_autofree char *out = NULL;

  shardpix_job_init (&job);
  job.output_dir = g_strdup ("/out");
  top = shardpix_job_temp_path (&job, "a.jpg", 42, 7);
  nested = shardpix_job_temp_path (&job, "sub/dir/a.jpg", 42, 7);
  out = shardpix_job_output_path (&job, "sub/dir/a.jpg");
  g_assert_cmpstr (top, ==, "/out/.shardpix-42-7.tmp");
  g_assert_cmpstr (nested, ==, "/out/sub/dir/.shardpix-42-7.tmp");
  g_assert_cmpstr (out, ==, "/out/sub/dir/a.jpg");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/shardpix/job/size-forms", test_size_forms);
  g_test_add_func ("/shardpix/job/size-refused", test_size_refused);
  g_test_add_func ("/shardpix/job/fail-on-names", test_fail_on_names);
  g_test_add_func ("/shardpix/job/args-round-trip", test_args_round_trip);
  g_test_add_func ("/shardpix/job/validate", test_validate);
  g_test_add_func ("/shardpix/job/paths", test_paths);
  return g_test_run ();
}
