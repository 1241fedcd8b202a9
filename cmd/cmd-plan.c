/* `shardpix plan`: what `run` would do with a folder, without opening any
 * image: the shards, their files and bytes. */
#include <stdio.h>

#include "cmd.h"
#include "shardpix/report.h"
#include "shardpix/listing.h"
#include "shardpix/plan.h"

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
plan_json_string (GString *out, const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);

  g_string_append_c (out, '"');
  for (const char *p = valid; *p; p++)
    {
      unsigned char c = (unsigned char) *p;

      if (c == '"' || c == '\\')
        g_string_append_printf (out, "\\%c", c);
      else if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\t')
        g_string_append (out, "\\t");
      else if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, (char) c);
    }
  g_string_append_c (out, '"');
}

/* The labels sorted, as in the run report. */
static void
plan_json_skipped (GString *out, GHashTable *skipped)
{
  guint n;
  g_autofree const char **labels = shardpix_listing_skipped_labels (skipped, &n);

  for (guint i = 0; i < n; i++)
    {
      g_string_append (out, i ? ", " : "");
      plan_json_string (out, labels[i]);
      g_string_append_printf (out, ": %u",
                              GPOINTER_TO_UINT (g_hash_table_lookup (skipped, labels[i])));
    }
}

static char *
plan_json (const PlanOptions *options, const ShardpixListing *listing,
           const ShardpixPlan *plan)
{
  GString *out = g_string_new ("{\n  \"input\": ");

  plan_json_string (out, listing->root);
  if (options->slice->set)
    {
      const ShardpixSliceInfo *info = &options->slice->info;

      g_string_append_printf (out,
                              ",\n  \"slice\": {\"index\": %u, \"count\": %u, \"balance\": \"%s\", "
                              "\"start\": %u, \"files\": %u, \"listing_images\": %u, "
                              "\"listing_sha256\": \"%s\"}",
                              info->slice.index, info->slice.count,
                              shardpix_slice_balance_name (info->balance), info->range.start,
                              info->range.count, info->listing_images, info->listing_sha256);
    }
  g_string_append_printf (out, ",\n  \"recursive\": %s,\n  \"jobs\": %d,\n  \"shards\": [",
                          options->recursive ? "true" : "false", options->jobs);
  for (guint s = 0; s < plan->shards->len; s++)
    {
      const ShardpixPlanShard *shard = &g_array_index (plan->shards, ShardpixPlanShard, s);

      g_string_append_printf (out, "%s\n    {\"index\": %u, \"files\": %u, \"bytes\": %" G_GUINT64_FORMAT,
                              s ? "," : "", s, shard->count, shard->bytes);
      if (shard->count == 0)
        g_string_append (out, ", \"first\": null, \"last\": null}");
      else
        {
          g_string_append (out, ", \"first\": ");
          plan_json_string (out, g_ptr_array_index (listing->paths, shard->start));
          g_string_append (out, ", \"last\": ");
          plan_json_string (out, g_ptr_array_index (listing->paths,
                                                    shard->start + shard->count - 1));
          g_string_append_c (out, '}');
        }
    }
  g_string_append_printf (out,
                          "\n  ],\n  \"files\": %u,\n  \"bytes\": %" G_GUINT64_FORMAT
                          ",\n  \"skipped\": %u,\n  \"skipped_reasons\": {",
                          listing->paths->len, plan->bytes, listing->n_skipped);
  plan_json_skipped (out, listing->skipped);
  g_string_append_printf (out, "},\n  \"unreadable\": %u\n}\n", plan->n_unreadable);
  return g_string_free (out, FALSE);
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
  const GOptionEntry entries[] = {
    { "jobs", 'j', 0, G_OPTION_ARG_INT, &options.jobs,
      "Worker processes at once (default: the number of CPUs)", "N" },
    { "shards", 0, 0, G_OPTION_ARG_INT, &options.shards,
      "Cut the listing into M shards (default: N)", "M" },
    { "recursive", 'r', 0, G_OPTION_ARG_NONE, &options.recursive,
      "Walk subfolders too", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &options.json, "Print JSON, for machines", NULL },
    { "follow-symlinks", 0, 0, G_OPTION_ARG_NONE, &options.follow_symlinks,
      "Count input symlinks that lead outside INPUT_DIR, as run --follow-symlinks reads them",
      NULL },
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
  g_auto (ShardpixInputs) inputs = { 0 };

  options.slice = &slice;
  g_option_context_add_main_entries (context, entries, NULL);
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

  /* The links `run` would skip are skipped here too. */
  shardpix_inputs_init (&inputs, argv[1], NULL, options.follow_symlinks);
  listing = input.files_from != NULL
              ? cmd_input_read (&input, argv[1], &error)
              : shardpix_listing_new_checked (argv[1],
                                              options.recursive ? SHARDPIX_LISTING_RECURSIVE
                                                                : SHARDPIX_LISTING_NONE,
                                              &inputs, &error);
  if (listing == NULL || !cmd_slice_apply (&slice, listing, &error))
    return cmd_fail (CMD_EXIT_USAGE, "%s", error->message);
  plan = shardpix_plan_new (listing, (guint) options.shards, &error);
  if (plan == NULL)
    return cmd_fail (CMD_EXIT_USAGE, "%s", error->message);
  text = options.json ? plan_json (&options, listing, plan)
                      : plan_text (&options, listing, plan);
  if (!options.json)
    {
      g_autofree char *line = cmd_slice_describe (&slice);
      fputs (line, stdout);
    }
  fputs (text, stdout);
  return CMD_EXIT_OK;
}
