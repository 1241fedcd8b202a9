/* Human-readable summaries of a run. Returns text; printing is cmd/'s job. */
#pragma once

#include <glib.h>

#include "shardpix/supervisor.h"

G_BEGIN_DECLS

typedef struct {
  guint n_images;  /* images in the listing */
  guint n_ok;
  guint n_failed;
  guint n_undone;  /* never processed: a worker died or the run was stopped */
  guint n_skipped; /* entries of the folder that are not images */
  guint n_resumed; /* images skipped by --resume: their output was current */
  gint64 wall_us;
} ShardpixTotals;

/* One row per worker: shard, pid, files ok/failed, wall, user, sys, max RSS
 * and how it exited. */
char *shardpix_report_children_table (const ShardpixRunRecord *report);

/* "images 200  ok 199  failed 1  skipped 3  wall 4.12 s  48.5 images/s" */
char *shardpix_report_totals (const ShardpixTotals *totals);

/* Why each failed worker failed, and which of @paths it left undone. */
char *shardpix_report_child_failures (const ShardpixRunRecord *report, GPtrArray *paths);

/* Text made safe for one line of a terminal: file names, and every text
 * that may quote one or a file's bytes (error reasons, messages). Names are
 * bytes, and a newline or an escape sequence in one must not forge output
 * or drive the terminal. Text that is valid UTF-8 without control
 * characters (C0, DEL, C1, bidirectional overrides) or backslashes comes
 * back as is; any other is escaped whole with g_strescape(). The one
 * escaping function of every terminal output. */
char *shardpix_report_display_name (const char *name);

G_END_DECLS
