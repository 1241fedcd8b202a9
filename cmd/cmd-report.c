/* The files `run --report` and `run --timeline` write. */
#include <stdio.h>

#include "cmd.h"
#include "svg.h"

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
                      const ShardpixReportSettings *settings, const ShardpixRunReport *report,
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
