#include "shardpix/report.h"

#include "shardpix/spawn.h"

static char *
report_how_exited (const ShardpixChildRecord *child)
{
  if (child->pid == 0)
    return g_strdup ("not started");
  if (!child->reaped)
    return g_strdup ("not reaped");
  return shardpix_spawn_describe_status (child->status);
}

char *
shardpix_report_children_table (const ShardpixRunRecord *report)
{
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "%5s %8s %7s %6s %6s %8s %8s %8s %9s  %s\n", "shard", "pid",
                          "files", "ok", "failed", "wall s", "user s", "sys s",
                          "maxrss MB", "exit");
  for (guint i = 0; i < report->children->len; i++)
    {
      const ShardpixChildRecord *child = g_ptr_array_index (report->children, i);
      g_autofree char *exited = report_how_exited (child);
      g_autofree char *how = shardpix_report_display_name (exited);

      g_string_append_printf (out, "%5u %8d %7u %6u %6u %8.2f %8.2f %8.2f %9.1f  %s\n",
                              child->shard, (int) child->pid, child->n_files,
                              child->n_ok, child->n_failed, child->wall_us / 1e6,
                              child->user_s, child->sys_s, child->max_rss_kb / 1024.0,
                              how);
    }
  return g_string_free (out, FALSE);
}

char *
shardpix_report_totals (const ShardpixTotals *totals)
{
  double seconds = totals->wall_us / 1e6;
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "images %u  ok %u  failed %u", totals->n_images,
                          totals->n_ok, totals->n_failed);
  if (totals->n_undone > 0)
    g_string_append_printf (out, "  undone %u", totals->n_undone);
  if (totals->n_resumed > 0)
    g_string_append_printf (out, "  skipped-resumed %u", totals->n_resumed);
  g_string_append_printf (out, "  skipped %u  wall %.2f s  %.1f images/s\n",
                          totals->n_skipped, seconds,
                          seconds > 0 ? (totals->n_ok + totals->n_failed) / seconds : 0.0);
  return g_string_free (out, FALSE);
}

/* Characters a terminal acts on: C0, DEL and C1 controls (U+009B is CSI
 * to a UTF-8 terminal, as ESC [ is), and the bidirectional overrides that
 * can make a line read differently from what it holds. */
static gboolean
report_is_control (gunichar c)
{
  return g_unichar_iscntrl (c) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

char *
shardpix_report_display_name (const char *name)
{
  if (!g_utf8_validate (name, -1, NULL))
    return g_strescape (name, NULL);
  for (const char *p = name; *p; p = g_utf8_next_char (p))
    if (*p == '\\' || report_is_control (g_utf8_get_char (p)))
      return g_strescape (name, NULL);
  return g_strdup (name);
}

/* The name of the file at @position of the run's processing order, made
 * safe for the terminal. */
static char *
report_name_at (const ShardpixRunRecord *report, GPtrArray *paths, guint position)
{
  return shardpix_report_display_name (
      g_ptr_array_index (paths, shardpix_run_record_listing_index (report, position)));
}

char *
shardpix_report_child_failures (const ShardpixRunRecord *report, GPtrArray *paths)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < report->children->len; i++)
    {
      const ShardpixChildRecord *child = g_ptr_array_index (report->children, i);
      const ShardpixRange *range = &child->range;
      guint end = range->start + range->count;
      guint first_undone = end - child->n_undone;
      g_autofree char *first = report_name_at (report, paths, range->start);
      g_autofree char *failure = child->failure ? shardpix_report_display_name (child->failure)
                                                : NULL;

      if (child->retry && child->failure == NULL)
        {
          g_string_append_printf (out, "worker %d retried %s alone: %s\n", (int) child->pid,
                                  first, child->n_ok > 0 ? "ok" : "failed");
          continue;
        }
      if (child->failure == NULL)
        continue;
      if (child->poisoned)
        {
          g_string_append_printf (out, "worker %d retried %s alone: %s; poison file, failed\n",
                                  (int) child->pid, first, failure);
          continue;
        }
      if (child->requeued)
        {
          g_autofree char *on = report_name_at (report, paths, first_undone);

          g_string_append_printf (out, "worker %d (shard %u): %s on %s; retrying it alone",
                                  (int) child->pid, child->shard, failure, on);
          if (child->n_undone > 1)
            g_string_append_printf (out, ", and its %u other unfinished file(s) in a fresh "
                                    "worker", child->n_undone - 1);
          g_string_append_c (out, '\n');
          continue;
        }
      g_string_append_printf (out, "worker %d (shard %u): %s; %u file(s) left undone\n",
                              (int) child->pid, child->shard, failure,
                              child->n_undone);
      for (guint j = first_undone; j < end; j++)
        {
          g_autofree char *undone = report_name_at (report, paths, j);

          g_string_append_printf (out, "  undone: %s\n", undone);
        }
    }
  if (report->n_retried > 0)
    g_string_append_printf (out, "%u file(s) retried after a worker died, %u poison\n",
                            report->n_retried, report->n_poison);
  return g_string_free (out, FALSE);
}
