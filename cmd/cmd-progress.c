#include "cmd-progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include "cmd.h"
#include "shardpix/report.h"

/* At most ~10 redraws a second: a terminal redrawn per image would cost
 * more than small images do. */
#define PROGRESS_INTERVAL_US (G_USEC_PER_SEC / 10)

struct _CmdProgress {
  FILE *stream;
  guint total;
  guint done;
  guint failed;
  gboolean live;
  gboolean verbose;
  gboolean drawn;     /* the bar is on screen */
  guint columns;      /* of the terminal; 0 when unknown */
  gint64 started_us;
  gint64 drawn_us;
};

CmdProgress *
cmd_progress_new (FILE *stream, guint total, gboolean live, gboolean verbose)
{
  CmdProgress *progress = g_new0 (CmdProgress, 1);

  progress->stream = stream;
  progress->total = total;
  progress->live = live;
  progress->verbose = verbose;
  progress->started_us = g_get_monotonic_time ();
  if (live)
    {
      struct winsize size = { 0 };

      if (ioctl (fileno (stream), TIOCGWINSZ, &size) == 0)
        progress->columns = size.ws_col;
    }
  return progress;
}

static void
progress_clock (GString *out, double seconds)
{
  guint s = (guint) (seconds + 0.5);

  if (s >= 3600)
    g_string_append_printf (out, "%u:%02u:%02u", s / 3600, s / 60 % 60, s % 60);
  else
    g_string_append_printf (out, "%u:%02u", s / 60, s % 60);
}

static void
progress_erase (CmdProgress *progress)
{
  if (!progress->drawn)
    return;
  fputs ("\r\033[K", progress->stream);
  progress->drawn = FALSE;
}

static void
progress_draw (CmdProgress *progress, gint64 now_us)
{
  g_autoptr (GString) out = g_string_new ("\r\033[K");
  double elapsed = (now_us - progress->started_us) / 1e6;
  double rate = elapsed > 0 ? progress->done / elapsed : 0;

  g_string_append_printf (out, "%u/%u images  %.1f/s  elapsed ", progress->done,
                          progress->total, rate);
  progress_clock (out, elapsed);
  g_string_append (out, "  eta ");
  if (rate > 0)
    progress_clock (out, (progress->total - progress->done) / rate);
  else
    g_string_append (out, "-");
  if (progress->failed > 0)
    g_string_append_printf (out, "  failed %u", progress->failed);
  /* A line that wraps cannot be redrawn in place: keep it one column
   * short of the terminal's width ("\r\033[K" takes 4 bytes, no column). */
  if (progress->columns > 1 && out->len - 4 >= progress->columns)
    g_string_truncate (out, progress->columns - 1 + 4);
  fputs (out->str, progress->stream);
  fflush (progress->stream);
  progress->drawn = TRUE;
  progress->drawn_us = now_us;
}

void
cmd_progress_image (CmdProgress *progress, const char *name, guint64 wall_us,
                    const char *error)
{
  gint64 now_us = g_get_monotonic_time ();
  /* The reason too: a library's message can quote the file's bytes. */
  g_autofree char *line = error ? g_strdup_printf ("%s: %s", name, error)
                                : g_strdup (name);
  g_autofree char *shown = shardpix_report_display_name (line);

  progress->done++;
  if (error != NULL)
    progress->failed++;
  if (error != NULL || progress->verbose)
    {
      progress_erase (progress);
      if (error != NULL)
        fprintf (progress->stream, "shardpix: %s\n", shown);
      else
        fprintf (progress->stream, "shardpix: %s: ok, %.1f ms\n", shown, wall_us / 1e3);
    }
  if (progress->live
      && (!progress->drawn || now_us - progress->drawn_us >= PROGRESS_INTERVAL_US
          || progress->done == progress->total))
    progress_draw (progress, now_us);
}

void
cmd_progress_finish (CmdProgress *progress)
{
  progress_erase (progress);
  fflush (progress->stream);
}

void
cmd_progress_free (CmdProgress *progress)
{
  g_free (progress);
}
