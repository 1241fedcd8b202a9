#include <string.h>

#include <glib.h>

#include "shardpix/error.h"
#include "shardpix/job.h"
#include "shardpix/options.h"

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

/* Turns @job into worker arguments and parses them back into @parsed, as
 * the worker does. */
static void
round_trip (const ShardpixJob *job, ShardpixJob *parsed)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char **argv = NULL;
  int argc;

  g_ptr_array_add (args, g_strdup ("worker"));
  shardpix_job_append_args (job, args);
  g_ptr_array_add (args, NULL);
  shardpix_job_init (parsed);
  g_option_context_add_group (context, shardpix_job_option_group (parsed));
  argc = (int) args->len - 1;
  /* Parsing drops the options it consumed from argv; the array still owns
   * them through a copy of the pointers. */
  argv = g_memdup2 (args->pdata, args->len * sizeof (char *));
  g_assert_true (g_option_context_parse (context, &argc, &argv, &error));
  g_assert_true (shardpix_job_finish_options (parsed, &error));
  g_assert_no_error (error);
  g_assert_cmpint (argc, ==, 1);
}

/* What the supervisor passes a worker must parse back to the same job. */
static void
test_args_round_trip (void)
{
  g_auto (ShardpixJob) job = { 0 };
  g_auto (ShardpixJob) parsed = { 0 };

  shardpix_job_init (&job);
  job.width = 640;
  job.height = 480;
  job.quality = 42;
  job.threads = 3;
  job.fail_on = SHARDPIX_FAIL_ON_WARNING;
  job.force = TRUE;
  job.enlarge = TRUE;
  job.no_rotate = TRUE;
  job.keep_metadata = TRUE;
  job.color = TRUE;
  job.follow_symlinks = TRUE;
  job.run_token = g_strdup ("host-00ff");
  job.output_name = g_strdup ("-tn_%s.webp[Q=80,strip]");
  round_trip (&job, &parsed);
  g_assert_cmpint (parsed.width, ==, 640);
  g_assert_cmpint (parsed.height, ==, 480);
  g_assert_cmpint (parsed.quality, ==, 42);
  g_assert_cmpint (parsed.threads, ==, 3);
  g_assert_cmpint (parsed.fail_on, ==, SHARDPIX_FAIL_ON_WARNING);
  g_assert_true (parsed.force);
  g_assert_cmpint (parsed.crop, ==, SHARDPIX_CROP_NONE);
  g_assert_true (parsed.enlarge);
  g_assert_true (parsed.no_rotate);
  g_assert_true (parsed.keep_metadata);
  g_assert_true (parsed.color);
  g_assert_cmpstr (parsed.output_name, ==, "-tn_%s.webp[Q=80,strip]");
  g_assert_true (parsed.follow_symlinks);
  g_assert_cmpstr (parsed.run_token, ==, "host-00ff");
}

/* The defaults travel as no option at all, and each crop by name. */
static void
test_args_round_trip_crop (void)
{
  for (ShardpixCrop crop = SHARDPIX_CROP_NONE; crop <= SHARDPIX_CROP_ENTROPY; crop++)
    {
      g_auto (ShardpixJob) job = { 0 };
      g_auto (ShardpixJob) parsed = { 0 };

      shardpix_job_init (&job);
      job.crop = crop;
      round_trip (&job, &parsed);
      g_assert_cmpint (parsed.crop, ==, crop);
      g_assert_false (parsed.force);
      g_assert_false (parsed.enlarge || parsed.no_rotate || parsed.keep_metadata
                      || parsed.color);
      g_assert_null (parsed.output_name);
    }
}

/* Each option at most once in a worker's argv (--size used to come twice
 * with WxH!), every value with "=", and nothing a worker does not take. */
static void
test_args_once (void)
{
  g_auto (ShardpixJob) job = { 0 };
  g_autoptr (GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  shardpix_job_init (&job);
  job.force = TRUE;
  job.enlarge = job.no_rotate = job.keep_metadata = job.color = TRUE;
  job.no_fast_paths = job.follow_symlinks = TRUE;
  job.output_name = g_strdup ("tn_%s.png");
  job.run_token = g_strdup ("host-00ff");
  shardpix_job_append_args (&job, args);
  for (guint i = 0; i < args->len; i++)
    {
      const char *arg = g_ptr_array_index (args, i);
      const char *eq = strchr (arg, '=');
      char *name = eq ? g_strndup (arg + 2, eq - arg - 2) : g_strdup (arg + 2);
      const ShardpixOption *option = shardpix_options_find (name);

      g_test_message ("%s", arg);
      g_assert_true (g_str_has_prefix (arg, "--"));
      g_assert_nonnull (option);
      g_assert_true (option->commands & SHARDPIX_COMMAND_WORKER);
      g_assert_true ((eq == NULL) == (option->kind == SHARDPIX_OPTION_FLAG));
      g_assert_false (g_hash_table_contains (seen, name));
      g_hash_table_add (seen, name);
    }
  g_assert_true (g_ptr_array_find_with_equal_func (args, "--size=256x256!", g_str_equal, NULL));
  /* Every option that travels is there, set as above. */
  for (const ShardpixOption *option = shardpix_options_job (); option->long_name != NULL;
       option++)
    g_assert_true (g_hash_table_contains (seen, option->long_name)
                   == ((option->commands & SHARDPIX_COMMAND_WORKER) != 0));
}

static void
test_box_and_crop (void)
{
  int w = 0, h = 0;
  gboolean force = FALSE;
  ShardpixCrop crop;
  g_autoptr (GError) error = NULL;

  g_assert_true (shardpix_job_parse_box ("300x200!", &w, &h, &force, NULL));
  g_assert_true (force);
  g_assert_cmpint (w, ==, 300);
  g_assert_cmpint (h, ==, 200);
  g_assert_true (shardpix_job_parse_box ("64", &w, &h, &force, NULL));
  g_assert_false (force);
  g_assert_cmpint (h, ==, 64);
  g_assert_false (shardpix_job_parse_box ("64!!", &w, &h, &force, NULL));
  g_assert_false (shardpix_job_parse_box ("!", &w, &h, &force, NULL));
  g_assert_true (shardpix_job_parse_crop ("center", &crop, NULL));
  g_assert_cmpint (crop, ==, SHARDPIX_CROP_CENTRE);
  g_assert_false (shardpix_job_parse_crop ("smart", &crop, &error));
  g_assert_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE);
}

static void
test_finish_options (void)
{
  g_auto (ShardpixJob) job = { 0 };
  g_autoptr (GError) error = NULL;

  shardpix_job_init (&job);
  job.format = g_strdup ("jpeg");
  g_assert_true (shardpix_job_finish_options (&job, NULL));
  g_assert_cmpstr (job.output_name, ==, "%s.jpg");
  g_assert_null (job.format);
  job.format = g_strdup ("webp");
  g_assert_false (shardpix_job_finish_options (&job, &error));
  g_assert_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE);
  g_clear_error (&error);
  g_clear_pointer (&job.format, g_free);
  g_clear_pointer (&job.output_name, g_free);
  job.format = g_strdup ("bmp");
  g_assert_false (shardpix_job_finish_options (&job, &error));
  g_assert_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE);
  g_clear_error (&error);
  g_clear_pointer (&job.format, g_free);
  job.force = TRUE;
  job.crop = SHARDPIX_CROP_CENTRE;
  g_assert_false (shardpix_job_finish_options (&job, &error));
  g_assert_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE);
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

/* Two runs never draw one token, and a token is only what a file name may
 * hold: the host (made safe) and 64 random bits. */
static void
test_run_token (void)
{
  g_auto (ShardpixJob) a = { 0 };
  g_auto (ShardpixJob) b = { 0 };
  g_autoptr (GError) error = NULL;

  shardpix_job_init (&a);
  shardpix_job_init (&b);
  g_assert_true (shardpix_job_finish_options (&a, NULL));
  g_assert_true (shardpix_job_finish_options (&b, NULL));
  g_assert_nonnull (a.run_token);
  g_assert_cmpstr (a.run_token, !=, b.run_token);
  g_assert_true (shardpix_job_validate (&a, NULL));
  g_assert_cmpuint (strlen (strrchr (a.run_token, '-') + 1), ==, 16);
  g_free (a.run_token);
  a.run_token = g_strdup ("../x");
  g_assert_false (shardpix_job_validate (&a, &error));
  g_assert_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/shardpix/job/size-forms", test_size_forms);
  g_test_add_func ("/shardpix/job/size-refused", test_size_refused);
  g_test_add_func ("/shardpix/job/fail-on-names", test_fail_on_names);
  g_test_add_func ("/shardpix/job/args-round-trip", test_args_round_trip);
  g_test_add_func ("/shardpix/job/args-round-trip-crop", test_args_round_trip_crop);
  g_test_add_func ("/shardpix/job/args-once", test_args_once);
  g_test_add_func ("/shardpix/job/box-and-crop", test_box_and_crop);
  g_test_add_func ("/shardpix/job/finish-options", test_finish_options);
  g_test_add_func ("/shardpix/job/run-token", test_run_token);
  g_test_add_func ("/shardpix/job/validate", test_validate);
  return g_test_run ();
}
