/* `shardpix plan`: what `run` would do with a folder, without opening any
 * image: the shards, their files and bytes. */
#include <stdio.h>

#include <json-glib/json-glib.h>

#include "cmd.h"
#include "shardpix/report.h"
#include "shardpix/listing.h"
#include "shardpix/options.h"
#include "shardpix/plan.h"
#include "shardpix/run.h"

typedef struct {
  int jobs;
  int shards;
  gboolean recursive;
  gboolean json;
  const CmdSlice *slice;
  gboolean follow_symlinks;
} PlanOptions;

/* JSON wants UTF-8; a name that is not comes out with U+FFFD in place of
 * the bad bytes, and the text output (escaped) is the exact one. */
static void
plan_json_name (JsonBuilder *builder, const char *member, const char *name)
{
  g_autofree char *valid = g_utf8_make_valid (name, -1);

  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, valid);
}

static void
plan_json_slice (JsonBuilder *builder, const ShardpixSliceInfo *info)
{
  json_builder_set_member_name (builder, "slice");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "index");
  json_builder_add_int_value (builder, info->slice.index);
  json_builder_set_member_name (builder, "count");
  json_builder_add_int_value (builder, info->slice.count);
  json_builder_set_member_name (builder, "balance");
  json_builder_add_string_value (builder, shardpix_slice_balance_name (info->balance));
  json_builder_set_member_name (builder, "start");
  json_builder_add_int_value (builder, info->range.start);
  json_builder_set_member_name (builder, "files");
  json_builder_add_int_value (builder, info->range.count);
  json_builder_set_member_name (builder, "listing_images");
  json_builder_add_int_value (builder, info->listing_images);
  json_builder_set_member_name (builder, "listing_sha256");
  json_builder_add_string_value (builder, info->listing_sha256);
  json_builder_end_object (builder);
}

static void
plan_json_shard (JsonBuilder *builder, const ShardpixListing *listing, guint index,
                 const ShardpixPlanShard *shard)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "index");
  json_builder_add_int_value (builder, index);
  json_builder_set_member_name (builder, "files");
  json_builder_add_int_value (builder, shard->count);
  json_builder_set_member_name (builder, "bytes");
  json_builder_add_int_value (builder, (gint64) shard->bytes);
  if (shard->count == 0)
    {
      json_builder_set_member_name (builder, "first");
      json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "last");
      json_builder_add_null_value (builder);
    }
  else
    {
      plan_json_name (builder, "first", g_ptr_array_index (listing->paths, shard->start));
      plan_json_name (builder, "last",
                      g_ptr_array_index (listing->paths, shard->start + shard->count - 1));
    }
  json_builder_end_object (builder);
}

static char *
plan_json (const PlanOptions *options, const ShardpixListing *listing,
           const ShardpixPlan *plan)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree const char **labels = NULL;
  g_autofree char *text = NULL;
  guint n_labels;

  json_builder_begin_object (builder);
  plan_json_name (builder, "input", listing->root);
  if (options->slice->set)
    plan_json_slice (builder, &options->slice->info);
  json_builder_set_member_name (builder, "recursive");
  json_builder_add_boolean_value (builder, options->recursive);
  json_builder_set_member_name (builder, "jobs");
  json_builder_add_int_value (builder, options->jobs);
  json_builder_set_member_name (builder, "shards");
  json_builder_begin_array (builder);
  for (guint s = 0; s < plan->shards->len; s++)
    plan_json_shard (builder, listing, s,
                     &g_array_index (plan->shards, ShardpixPlanShard, s));
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "files");
  json_builder_add_int_value (builder, listing->paths->len);
  json_builder_set_member_name (builder, "bytes");
  json_builder_add_int_value (builder, (gint64) plan->bytes);
  json_builder_set_member_name (builder, "skipped");
  json_builder_add_int_value (builder, listing->n_skipped);
  /* The labels sorted, as in the run report. */
  labels = shardpix_listing_skipped_labels (listing->skipped, &n_labels);
  json_builder_set_member_name (builder, "skipped_reasons");
  json_builder_begin_object (builder);
  for (guint i = 0; i < n_labels; i++)
    {
      g_autofree char *label = g_utf8_make_valid (labels[i], -1);

      json_builder_set_member_name (builder, label);
      json_builder_add_int_value (
          builder, GPOINTER_TO_UINT (g_hash_table_lookup (listing->skipped, labels[i])));
    }
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "unreadable");
  json_builder_add_int_value (builder, plan->n_unreadable);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  return g_strconcat (text, "\n", NULL);
}

static char *
plan_text (const PlanOptions *options, const ShardpixListing *listing,
           const ShardpixPlan *plan)
{
  GString *out = g_string_new (NULL);
  g_autofree char *total = g_format_size (plan->bytes);

  g_string_append_printf (out, "%5s %7s %10s  %s\n", "shard", "files", "bytes", "first .. last");
  for (guint s = 0; s < plan->shards->len; s++)
    {
      const ShardpixPlanShard *shard = &g_array_index (plan->shards, ShardpixPlanShard, s);
      g_autofree char *size = g_format_size (shard->bytes);
      g_autofree char *first = NULL;
      g_autofree char *last = NULL;

      if (shard->count == 0)
        {
          g_string_append_printf (out, "%5u %7u %10s  -\n", s, 0u, size);
          continue;
        }
      first = shardpix_report_display_name (g_ptr_array_index (listing->paths, shard->start));
      last = shardpix_report_display_name (
          g_ptr_array_index (listing->paths, shard->start + shard->count - 1));
      g_string_append_printf (out, "%5u %7u %10s  %s .. %s\n", s, shard->count, size, first,
                              last);
    }
  g_string_append_printf (out, "files %u  bytes %s  shards %u  jobs %d  skipped %u",
                          listing->paths->len, total, plan->shards->len, options->jobs,
                          listing->n_skipped);
  if (plan->n_unreadable > 0)
    g_string_append_printf (out, "  unreadable %u", plan->n_unreadable);
  g_string_append_c (out, '\n');
  if (listing->n_skipped > 0)
    {
      g_autofree char *why = shardpix_listing_skipped_text (listing);

      g_string_append_printf (out, "skipped %u: %s\n", listing->n_skipped, why);
    }
  return g_string_free (out, FALSE);
}

int
cmd_plan (int argc, char **argv)
{
  PlanOptions options = { .jobs = (int) g_get_num_processors () };
  const ShardpixOptionField fields[] = {
    SHARDPIX_OPTION_FIELD ("jobs", options.jobs),
    SHARDPIX_OPTION_FIELD ("shards", options.shards),
    SHARDPIX_OPTION_FIELD ("recursive", options.recursive),
    SHARDPIX_OPTION_FIELD ("json", options.json),
    SHARDPIX_OPTION_FIELD ("follow-symlinks", options.follow_symlinks),
    { NULL },
  };
  g_autoptr (GOptionContext) context =
    g_option_context_new ("INPUT_DIR - show the shards `run` would make, opening no image");
  g_autoptr (GError) error = NULL;
  g_autoptr (ShardpixListing) listing = NULL;
  g_autoptr (ShardpixPlan) plan = NULL;
  g_autofree char *text = NULL;
  g_auto (CmdSlice) slice = { 0 };
  g_auto (CmdInput) input = { 0 };
  g_auto (ShardpixJob) job = { 0 };
  ShardpixRunPlan listing_plan = { .job = &job };

  options.slice = &slice;
  shardpix_options_add_fields (context, SHARDPIX_COMMAND_PLAN, fields);
  cmd_slice_add_options (&slice, context);
  cmd_input_add_options (&input, context);
  if (!cmd_parse (context, &argc, &argv))
    return CMD_EXIT_USAGE;
  if (argc != 2)
    return cmd_fail (CMD_EXIT_USAGE, "plan needs INPUT_DIR (try --help)");
  if (options.jobs < 1 || options.jobs > 4096 || options.shards < 0
      || options.shards > CMD_MAX_SHARDS)
    return cmd_fail (CMD_EXIT_USAGE, "--jobs must be 1 to 4096, --shards 0 to %d", CMD_MAX_SHARDS);
  if (!cmd_slice_resolve (&slice, &error) || !cmd_input_check (&input, &error))
    return cmd_fail (CMD_EXIT_USAGE, "%s", error->message);
  if (options.shards == 0)
    options.shards = options.jobs;

  /* Listed as `run` lists: the links it would skip are skipped here too. */
  shardpix_job_init (&job);
  job.input_dir = g_strdup (argv[1]);
  job.follow_symlinks = options.follow_symlinks;
  listing_plan.recursive = options.recursive;
  listing_plan.files_from = input.files_from;
  listing_plan.files_from_nul = input.nul;
  listing = shardpix_run_list (&listing_plan, &error);
  if (listing == NULL || !cmd_slice_apply (&slice, listing, &error))
    return cmd_fail (CMD_EXIT_USAGE, "%s", error->message);
  plan = shardpix_plan_new (listing, (guint) options.shards, &error);
  if (plan == NULL)
    return cmd_fail (CMD_EXIT_USAGE, "%s", error->message);
  text = options.json ? plan_json (&options, listing, plan)
                      : plan_text (&options, listing, plan);
  if (!options.json)
    {
      g_autofree char *line = slice.set ? shardpix_slice_describe (&slice.info) : NULL;

      fputs (line ? line : "", stdout);
    }
  fputs (text, stdout);
  return CMD_EXIT_OK;
}
