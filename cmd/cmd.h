/* The subcommands of the shardpix executable. Each parses its own options
 * and returns the process exit status; only cmd/ prints or exits. */
#pragma once

#include <glib.h>

#include "bench.h"
#include "report-json.h"
#include "supervisor.h"

/* Fixed exit codes, documented in the README and the man page. */
enum {
  CMD_EXIT_OK = 0,      /* every image done */
  CMD_EXIT_IMAGES = 1,  /* some images failed; each was named on stderr */
  CMD_EXIT_USAGE = 2,   /* bad option, missing folder, output inside input */
  CMD_EXIT_WORKER = 3,  /* a worker died or could not be started */
};

int cmd_run (int argc, char **argv);
int cmd_worker (int argc, char **argv);
int cmd_sample (int argc, char **argv);
int cmd_bench (int argc, char **argv);
int cmd_plan (int argc, char **argv);

/* Prints "shardpix: MESSAGE" on stderr and returns @code. */
int cmd_fail (int code, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* Parses @argv with @context; on error prints one line and returns FALSE. */
gboolean cmd_parse (GOptionContext *context, int *argc, char ***argv);

/* A file name made safe for one line of a terminal: names are bytes, and a
 * newline or an escape sequence in one must not forge output. */
char *cmd_display_name (const char *name);

/* Keeps libvips' own warnings off stderr: with fail_on they also become the
 * error that names the file, which is the line users need. */
void cmd_quiet_vips_warnings (void);

/* Keeps a failed @result's reason in @failures (listing index -> reason,
 * may be NULL), the table the JSON reports' "failures" come from. */
void cmd_report_note_failure (GHashTable *failures, const ShardpixRecord *result);

/* Writes the JSON report and/or the SVG timeline of a run (either path may
 * be NULL); on error prints why and returns FALSE. */
gboolean cmd_report_write_run (const char *json_path, const char *svg_path,
                               const ShardpixReportSettings *settings,
                               const ShardpixRunReport *report, GPtrArray *paths,
                               GHashTable *failures);

/* The same for `bench --json` and `bench --svg`. */
gboolean cmd_report_write_bench (const char *json_path, const char *svg_path,
                                 const ShardpixReportSettings *settings,
                                 const ShardpixBenchResults *results, GPtrArray *paths,
                                 guint repeat, guint cpus);
