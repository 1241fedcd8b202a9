/* What `run` says while it works: a progress line redrawn in place on a
 * terminal, and the lines for single images (failures always, successes
 * with --verbose) printed above it so that they never mix. */
#pragma once

#include <stdio.h>

#include <glib.h>

typedef struct _CmdProgress CmdProgress;

/* Draws on @stream (stderr), only when @live: a terminal and not --quiet.
 * @verbose prints a line per image whether or not the bar is drawn. */
CmdProgress *cmd_progress_new (FILE *stream, guint total, gboolean live, gboolean verbose);

/* One image finished: @name for display, @error its failure or NULL. */
void cmd_progress_image (CmdProgress *progress, const char *name, guint64 wall_us,
                         const char *error);

/* Erases the bar, before the tables are printed. */
void cmd_progress_finish (CmdProgress *progress);
void cmd_progress_free (CmdProgress *progress);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CmdProgress, cmd_progress_free)
