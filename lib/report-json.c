#include "shardpix/report-json.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "shardpix/listing.h"
#include "shardpix/options.h"
#include "shardpix/spawn.h"

/* JSON has no NaN: an undefined statistic is null. */
static void
json_add_double (JsonBuilder *b, const char *member, double value)
{
  json_builder_set_member_name (b, member);
  if (isfinite (value))
    json_builder_add_double_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
json_add_int (JsonBuilder *b, const char *member, gint64 value)
{
  json_builder_set_member_name (b, member);
  json_builder_add_int_value (b, value);
}

static void
json_add_bool (JsonBuilder *b, const char *member, gboolean value)
{
  json_builder_set_member_name (b, member);
  json_builder_add_boolean_value (b, value);
}

static void
json_add_string (JsonBuilder *b, const char *member, const char *value)
{
  json_builder_set_member_name (b, member);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

/* Names are bytes, JSON strings are Unicode. A name that is valid UTF-8 is
 * written as is; any other gets U+FFFD for each invalid sequence in @member
 * and its exact bytes, base64, in "@member_base64", so nothing is lost. */
static void
json_add_name (JsonBuilder *b, const char *member, const char *name)
{
  g_autofree char *valid = NULL;
  g_autofree char *encoded = NULL;
  g_autofree char *raw_member = NULL;

  if (g_utf8_validate (name, -1, NULL))
    {
      json_add_string (b, member, name);
      return;
    }
  valid = g_utf8_make_valid (name, -1);
  encoded = g_base64_encode ((const guchar *) name, strlen (name));
  raw_member = g_strconcat (member, "_base64", NULL);
  json_add_string (b, member, valid);
  json_add_string (b, raw_member, encoded);
}

/* What `report merge` needs to check that slices of several runs come
 * from one listing and cover it exactly once. */
static void
json_add_slice (JsonBuilder *b, const ShardpixSliceInfo *info)
{
  json_builder_set_member_name (b, "slice");
  json_builder_begin_object (b);
  json_add_int (b, "index", info->slice.index);
  json_add_int (b, "count", info->slice.count);
  json_add_string (b, "balance", shardpix_slice_balance_name (info->balance));
  json_add_int (b, "start", info->range.start);
  json_add_int (b, "files", info->range.count);
  json_builder_set_member_name (b, "first");
  if (info->range.count > 0)
    json_builder_add_int_value (b, info->range.start);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "last");
  if (info->range.count > 0)
    json_builder_add_int_value (b, info->range.start + info->range.count - 1);
  else
    json_builder_add_null_value (b);
  json_add_int (b, "listing_images", info->listing_images);
  json_add_string (b, "listing_sha256", info->listing_sha256);
  json_builder_end_object (b);
}

/* One option's members, by its kind unless it writes them itself. */
static void
json_add_option (JsonBuilder *b, const ShardpixOption *option, const ShardpixJob *job)
{
  g_autofree char *value = NULL;

  if (option->json != NULL)
    {
      option->json (b, job);
      return;
    }
  value = shardpix_options_value (option, job);
  switch (option->kind)
    {
    case SHARDPIX_OPTION_FLAG:
      json_add_bool (b, option->json_members, value != NULL);
      break;
    case SHARDPIX_OPTION_INT:
    case SHARDPIX_OPTION_INT64:
      json_add_int (b, option->json_members, g_ascii_strtoll (value, NULL, 10));
      break;
    case SHARDPIX_OPTION_FILENAME:
      if (value != NULL)
        json_add_name (b, option->json_members, value);
      else
        json_add_string (b, option->json_members, NULL);
      break;
    case SHARDPIX_OPTION_STRING:
    case SHARDPIX_OPTION_CUSTOM:
      json_add_string (b, option->json_members, value);
      break;
    }
}

/* The members of every image option, from the option table. */
static void
json_add_job (JsonBuilder *b, const ShardpixJob *job)
{
  for (const ShardpixOption *option = shardpix_options_job (); option->long_name != NULL;
       option++)
    if (option->json_members != NULL)
      json_add_option (b, option, job);
}

static void
json_add_settings (JsonBuilder *b, const ShardpixReportSettings *settings)
{
  const ShardpixJob *job = settings->job;

  json_builder_set_member_name (b, "settings");
  json_builder_begin_object (b);
  json_add_name (b, "input_dir", job->input_dir);
  if (job->output_dir != NULL)
    json_add_name (b, "output_dir", job->output_dir);
  json_add_job (b, job);
  json_add_int (b, "jobs", settings->jobs);
  json_add_int (b, "shards", settings->shards);
  json_add_bool (b, "recursive", settings->recursive);
  if (settings->slice != NULL)
    json_add_slice (b, settings->slice);
  json_builder_end_object (b);
}

char *
shardpix_report_json_job (const ShardpixJob *job)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_add_job (b, job);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static void
json_add_child (JsonBuilder *b, const ShardpixChildRecord *child)
{
  g_autofree char *exit_text = NULL;

  if (child->pid == 0)
    exit_text = g_strdup ("not started");
  else if (!child->reaped)
    exit_text = g_strdup ("not reaped");
  else
    exit_text = shardpix_spawn_describe_status (child->status);

  json_builder_begin_object (b);
  json_add_int (b, "pid", child->pid);
  json_add_int (b, "shard", child->shard);
  json_builder_set_member_name (b, "range");
  json_builder_begin_object (b);
  json_add_int (b, "start", child->range.start);
  json_add_int (b, "count", child->range.count);
  json_builder_end_object (b);
  json_add_int (b, "files", child->n_files);
  json_add_int (b, "ok", child->n_ok);
  json_add_int (b, "failed", child->n_failed);
  json_add_int (b, "undone", child->n_undone);
  json_add_int (b, "started_us", child->started_us);
  json_add_int (b, "wall_us", child->wall_us);
  json_add_int (b, "init_us", (gint64) child->init_us);
  json_add_double (b, "user_s", child->user_s);
  json_add_double (b, "sys_s", child->sys_s);
  json_add_int (b, "max_rss_kb", child->max_rss_kb);
  json_builder_set_member_name (b, "exit");
  json_builder_begin_object (b);
  json_add_string (b, "text", exit_text);
  json_builder_set_member_name (b, "code");
  if (child->reaped)
    json_builder_add_int_value (b, shardpix_spawn_exit_code (child->status));
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  json_add_string (b, "failure", child->failure);
  json_builder_set_member_name (b, "images");
  json_builder_begin_array (b);
  for (guint i = 0; child->images != NULL && i < child->images->len; i++)
    {
      const ShardpixImageTiming *t = &g_array_index (child->images, ShardpixImageTiming, i);

      json_builder_begin_object (b);
      json_add_int (b, "index", t->index);
      json_add_bool (b, "ok", t->ok);
      json_add_int (b, "start_us", (gint64) t->start_us);
      json_add_int (b, "wall_us", (gint64) t->wall_us);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
}

static int
json_compare_index (gconstpointer a, gconstpointer b)
{
  guint x = *(const guint *) a;
  guint y = *(const guint *) b;

  return (x > y) - (x < y);
}

static void
json_add_failures (JsonBuilder *b, GPtrArray *paths, GHashTable *failures)
{
  g_autoptr (GArray) indexes = g_array_new (FALSE, FALSE, sizeof (guint));
  GHashTableIter iter;
  gpointer key;

  if (failures != NULL)
    {
      g_hash_table_iter_init (&iter, failures);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          guint index = GPOINTER_TO_UINT (key);
          g_array_append_val (indexes, index);
        }
    }
  g_array_sort (indexes, json_compare_index);
  json_builder_set_member_name (b, "failures");
  json_builder_begin_array (b);
  for (guint i = 0; i < indexes->len; i++)
    {
      guint index = g_array_index (indexes, guint, i);

      json_builder_begin_object (b);
      json_add_int (b, "index", index);
      if (paths != NULL && index < paths->len)
        json_add_name (b, "name", g_ptr_array_index (paths, index));
      json_add_name (b, "reason",
                     g_hash_table_lookup (failures, GUINT_TO_POINTER (index)));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

/* "skipped": the total, "skipped_reasons": {".psd": 9, "broken link": 1};
 * labels are sorted so that two reports of one folder compare equal. */
static void
json_add_skipped (JsonBuilder *b, GHashTable *skipped)
{
  guint n;
  g_autofree const char **labels = shardpix_listing_skipped_labels (skipped, &n);
  gint64 total = 0;

  for (guint i = 0; i < n; i++)
    total += GPOINTER_TO_UINT (g_hash_table_lookup (skipped, labels[i]));
  json_add_int (b, "skipped", total);
  json_builder_set_member_name (b, "skipped_reasons");
  json_builder_begin_object (b);
  for (guint i = 0; i < n; i++)
    json_add_int (b, labels[i], GPOINTER_TO_UINT (g_hash_table_lookup (skipped, labels[i])));
  json_builder_end_object (b);
}

/* The members every run object has, in the run report and in each
 * parallel pass of the bench report. */
static void
json_add_run_members (JsonBuilder *b, const ShardpixRunRecord *report, GPtrArray *paths,
                      GHashTable *failures)
{
  json_add_int (b, "ok", report->n_ok);
  json_add_int (b, "failed", report->n_failed);
  json_add_int (b, "undone", report->undone->len);
  json_add_int (b, "wall_us", report->wall_us);
  json_add_int (b, "stop_signal", report->stop_signal);
  json_add_bool (b, "child_failed", report->child_failed);
  json_builder_set_member_name (b, "children");
  json_builder_begin_array (b);
  for (guint i = 0; i < report->children->len; i++)
    json_add_child (b, g_ptr_array_index (report->children, i));
  json_builder_end_array (b);
  json_add_failures (b, paths, failures);
}

static char *
json_finish (JsonBuilder *b)
{
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 1);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  return g_strconcat (text, "\n", NULL);
}

char *
shardpix_report_json_run (const ShardpixReportSettings *settings,
                          const ShardpixRunRecord *report, GPtrArray *paths,
                          GHashTable *failures)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_add_string (b, "schema", "shardpix-run/1");
  json_add_settings (b, settings);
  json_add_int (b, "images", paths != NULL ? paths->len : 0);
  if (settings->skipped != NULL)
    json_add_skipped (b, settings->skipped);
  json_add_run_members (b, report, paths, failures);
  json_builder_end_object (b);
  return json_finish (b);
}

static void
json_add_pass (JsonBuilder *b, const ShardpixBenchPass *pass, GPtrArray *paths)
{
  json_builder_begin_object (b);
  json_add_int (b, "round", pass->round);
  json_add_double (b, "wall_s", pass->wall_s);
  json_add_double (b, "user_s", pass->user_s);
  json_add_double (b, "sys_s", pass->sys_s);
  json_add_int (b, "max_rss_kb", pass->max_rss_kb);
  json_add_int (b, "exit_code", pass->exit_code);
  json_builder_set_member_name (b, "run");
  if (pass->run != NULL)
    {
      json_builder_begin_object (b);
      json_add_run_members (b, pass->run, paths, pass->failures);
      json_builder_end_object (b);
    }
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
}

char *
shardpix_report_json_bench (const ShardpixReportSettings *settings,
                            const ShardpixBenchResults *results, GPtrArray *paths,
                            guint repeat, guint cpus)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  const ShardpixBenchConfig *best = shardpix_bench_best (results);

  json_builder_begin_object (b);
  json_add_string (b, "schema", "shardpix-bench/1");
  json_add_settings (b, settings);
  json_add_int (b, "images", results->n_images);
  json_add_int (b, "repeat", repeat);
  json_add_int (b, "cpus", cpus);
  json_add_string (b, "best", best != NULL ? best->name : NULL);
  json_builder_set_member_name (b, "configurations");
  json_builder_begin_array (b);
  for (guint i = 0; i < results->configs->len; i++)
    {
      const ShardpixBenchConfig *config = g_ptr_array_index (results->configs, i);

      json_builder_begin_object (b);
      json_add_string (b, "name", config->name);
      json_add_string (b, "mode", shardpix_mode_name (config->mode));
      json_add_int (b, "processes", config->processes);
      json_add_bool (b, "serial", config->serial);
      json_add_double (b, "wall_median_s", config->wall_median_s);
      json_add_double (b, "wall_min_s", config->wall_min_s);
      json_add_double (b, "wall_max_s", config->wall_max_s);
      json_add_double (b, "cpu_median_s", config->cpu_median_s);
      json_add_double (b, "images_per_s", config->images_per_s);
      json_add_double (b, "speedup", config->speedup);
      json_add_double (b, "efficiency", config->efficiency);
      json_add_double (b, "karp_flatt", config->karp_flatt);
      json_builder_set_member_name (b, "passes");
      json_builder_begin_array (b);
      for (guint k = 0; k < config->passes->len; k++)
        json_add_pass (b, g_ptr_array_index (config->passes, k), paths);
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_finish (b);
}
