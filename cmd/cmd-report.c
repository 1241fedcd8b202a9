/* The files `run --report` and `run --timeline` write, and `report merge`
 * that reads them back. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "shardpix/report.h"
#include "shardpix/report-merge.h"
#include "shardpix/svg.h"

static gboolean
cmd_report_write (const char *path, const char *text, const char *what)
{
  g_autoptr (GError) error = NULL;

  if (g_file_set_contents (path, text, -1, &error))
    return TRUE;
  cmd_fail (CMD_EXIT_WORKER, "cannot write %s: %s", what, error->message);
  return FALSE;
}

void
cmd_report_note_failure (GHashTable *failures, const ShardpixRecord *result)
{
  if (!result->ok && failures != NULL)
    g_hash_table_insert (failures, GUINT_TO_POINTER (result->index),
                         g_strdup (result->text ? result->text : "failed"));
}

gboolean
cmd_report_write_run (const char *json_path, const char *svg_path,
                      const ShardpixReportSettings *settings, const ShardpixRunRecord *report,
                      GPtrArray *paths, GHashTable *failures)
{
  gboolean ok = TRUE;

  if (json_path != NULL)
    {
      g_autofree char *json = shardpix_report_json_run (settings, report, paths, failures);
      ok = cmd_report_write (json_path, json, "the report") && ok;
    }
  if (svg_path != NULL)
    {
      g_autofree char *title = g_strdup_printf ("shardpix run: %u images, %u workers, %.2f s",
                                                paths->len, settings->jobs,
                                                report->wall_us / 1e6);
      g_autofree char *svg = shardpix_svg_timeline (report, paths, title);
      ok = cmd_report_write (svg_path, svg, "the timeline") && ok;
    }
  return ok;
}

gboolean
cmd_report_write_bench (const char *json_path, const char *svg_path,
                        const ShardpixReportSettings *settings,
                        const ShardpixBenchResults *results, GPtrArray *paths, guint repeat,
                        guint cpus)
{
  gboolean ok = TRUE;

  if (json_path != NULL)
    {
      g_autofree char *json =
        shardpix_report_json_bench (settings, results, paths, repeat, cpus);
      ok = cmd_report_write (json_path, json, "the JSON report") && ok;
    }
  if (svg_path != NULL)
    {
      g_autofree char *title =
        g_strdup_printf ("shardpix bench: %u images, %u CPUs, %u pass%s per configuration",
                         results->n_images, cpus, repeat, repeat == 1 ? "" : "es");
      g_autofree char *svg = shardpix_svg_bench (results, paths, title);
      ok = cmd_report_write (svg_path, svg, "the SVG chart") && ok;
    }
  return ok;
}

/* `shardpix report merge REPORT...`: exit 2 when the reports do not cover
 * one listing exactly once (or cannot be read), else as `run` would have:
 * 3 if a worker could not run, 1 if images failed or were left undone. */
static int
cmd_report_merge (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new (
    "REPORT... - combine the --report files of the slices of one listing");
  g_autoptr (ShardpixReportMerge) merge = shardpix_report_merge_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  ShardpixReportMergeTotals totals;

  if (!cmd_parse (context, &argc, &argv))
    return CMD_EXIT_USAGE;
  if (argc < 2)
    return cmd_fail (CMD_EXIT_USAGE, "report merge needs at least one REPORT (try --help)");
  for (int i = 1; i < argc; i++)
    if (!shardpix_report_merge_add_file (merge, argv[i], &error))
      return cmd_fail (CMD_EXIT_USAGE, "%s", error->message);
  if (!shardpix_report_merge_check (merge, &error))
    return cmd_fail (CMD_EXIT_USAGE, "%s", error->message);
  text = shardpix_report_merge_text (merge);
  fputs (text, stdout);
  shardpix_report_merge_totals (merge, &totals);
  if (totals.child_failed)
    return CMD_EXIT_WORKER;
  return totals.failed + totals.undone > 0 ? CMD_EXIT_IMAGES : CMD_EXIT_OK;
}

int
cmd_report (int argc, char **argv)
{
  if (argc > 1 && strcmp (argv[1], "merge") == 0)
    {
      g_set_prgname ("shardpix report merge");
      return cmd_report_merge (argc - 1, argv + 1);
    }
  if (argc > 1 && (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0))
    {
      fputs ("Usage:\n  shardpix report merge REPORT...   combine the run --report files of "
             "the slices of one listing\n", stdout);
      return CMD_EXIT_OK;
    }
  return cmd_fail (CMD_EXIT_USAGE, "report needs a subcommand: merge (try --help)");
}
