/* One image's output plan: names, folder, saver format and options, and
 * the collision check over a whole listing (moved here from test-job.c with
 * the code). */
#include <glib.h>

#include "shardpix/job.h"
#include "shardpix/output-plan.h"

static void
test_output_names (void)
{
  g_auto (ShardpixJob) job = { 0 };
  g_autoptr (GPtrArray) paths = g_ptr_array_new ();
  g_auto (ShardpixOutputPlan) plain = { 0 };
  g_auto (ShardpixOutputPlan) renamed = { 0 };
  guint first = 0, second = 0;

  shardpix_job_init (&job);
  job.output_dir = g_strdup ("/out");
  shardpix_output_plan_init (&plain, &job, "sub/a.b.PNG");
  g_assert_cmpstr (plain.format, ==, ".PNG");
  g_assert_null (plain.user_options);
  g_assert_cmpstr (plain.rel, ==, "sub/a.b.PNG");
  g_ptr_array_add (paths, "a.jpg");
  g_ptr_array_add (paths, "sub/a.jpg");
  g_ptr_array_add (paths, "a.png");
  g_assert_true (shardpix_output_plan_distinct (&job, paths, &first, &second));

  job.output_name = g_strdup ("tn_%s.webp[Q=80]");
  shardpix_output_plan_init (&renamed, &job, "sub/a.b.jpg");
  g_assert_cmpstr (renamed.path, ==, "/out/sub/tn_a.b.webp");
  g_assert_cmpstr (renamed.rel, ==, "sub/tn_a.b.webp");
  g_assert_cmpstr (renamed.dir, ==, "sub");
  g_assert_cmpstr (renamed.name, ==, "tn_a.b.webp");
  g_assert_cmpstr (renamed.where, ==, "/out/sub");
  /* The saver's format and the user's options, kept apart. */
  g_assert_cmpstr (renamed.format, ==, ".webp");
  g_assert_cmpstr (renamed.user_options, ==, "Q=80");
  g_assert_false (shardpix_output_plan_distinct (&job, paths, &first, &second));
  g_assert_cmpuint (first, ==, 0);
  g_assert_cmpuint (second, ==, 2);
}

static void
test_paths (void)
{
  g_auto (ShardpixJob) job = { 0 };
  g_auto (ShardpixOutputPlan) top_plan = { 0 };
  g_auto (ShardpixOutputPlan) nested_plan = { 0 };
  g_autofree char *top = NULL;
  g_autofree char *nested = NULL;

  shardpix_job_init (&job);
  job.output_dir = g_strdup ("/out");
  job.run_token = g_strdup ("host-0123456789abcdef");
  shardpix_output_plan_init (&top_plan, &job, "a.jpg");
  shardpix_output_plan_init (&nested_plan, &job, "sub/dir/a.jpg");
  top = shardpix_output_plan_temp_path (&top_plan, &job, 42, 7);
  nested = shardpix_output_plan_temp_path (&nested_plan, &job, 42, 7);
  g_assert_cmpstr (top, ==, "/out/.shardpix-host-0123456789abcdef-42-7.tmp");
  g_assert_cmpstr (nested, ==, "/out/sub/dir/.shardpix-host-0123456789abcdef-42-7.tmp");
  g_assert_cmpstr (nested_plan.path, ==, "/out/sub/dir/a.jpg");
  g_assert_cmpstr (top_plan.where, ==, "/out");
  g_assert_cmpstr (top_plan.dir, ==, ".");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/shardpix/output-plan/output-names", test_output_names);
  g_test_add_func ("/shardpix/output-plan/paths", test_paths);
  return g_test_run ();
}
