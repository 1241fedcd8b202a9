/* The subcommands of the shardpix executable. Each parses its own options
 * and returns the process exit status; only cmd/ prints or exits. */
#pragma once

#include <glib.h>

#include "shardpix/bench.h"
#include "shardpix/error.h"
#include "shardpix/listing.h"
#include "shardpix/report-json.h"
#include "shardpix/slice.h"
#include "shardpix/supervisor.h"

/* The exit statuses (lib/shardpix/error.h). */
enum {
  CMD_EXIT_OK = SHARDPIX_EXIT_OK,
  CMD_EXIT_IMAGES = SHARDPIX_EXIT_IMAGES,
  CMD_EXIT_USAGE = SHARDPIX_EXIT_USAGE,
  CMD_EXIT_WORKER = SHARDPIX_EXIT_WORKER,
};

/* More shards than this only costs memory (a range each, even empty):
 * dynamic balance already ends on single files. */
#define CMD_MAX_SHARDS 1000000

int cmd_run (int argc, char **argv);
int cmd_worker (int argc, char **argv);
int cmd_sample (int argc, char **argv);
int cmd_bench (int argc, char **argv);
int cmd_plan (int argc, char **argv);
int cmd_report (int argc, char **argv);

/* Prints "shardpix: MESSAGE" on stderr and returns @code. MESSAGE is
 * escaped whole (shardpix_report_display_name()): pass names and reasons
 * raw, never escaped beforehand. */
int cmd_fail (int code, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* Parses @argv with @context; on error prints one line and returns FALSE. */
gboolean cmd_parse (GOptionContext *context, int *argc, char ***argv);


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
                               const ShardpixRunRecord *report, GPtrArray *paths,
                               GHashTable *failures);

/* The same for `bench --json` and `bench --svg`. */
gboolean cmd_report_write_bench (const char *json_path, const char *svg_path,
                                 const ShardpixReportSettings *settings,
                                 const ShardpixBenchResults *results, GPtrArray *paths,
                                 guint repeat, guint cpus);

/* --slice K/M|auto and --slices M (see lib/shardpix/slice.h). */
typedef struct {
  char *text;             /* --slice as given, NULL: the whole listing */
  int slices;             /* --slices */
  char *balance_text;     /* --slice-balance as given */
  ShardpixSliceBalance balance;
  gboolean set;           /* resolved to a slice */
  ShardpixSlice slice;
  ShardpixSliceInfo info; /* filled by cmd_slice_apply() */
} CmdSlice;

void cmd_slice_add_options (CmdSlice *slice, GOptionContext *context);
/* After parsing: "auto" read from the environment; errors are usage errors. */
gboolean cmd_slice_resolve (CmdSlice *slice, GError **error);
/* Replaces @listing's paths with the slice's, keeping the whole listing's
 * size and fingerprint in slice->info. Does nothing without --slice. Fails
 * only when --slice-balance bytes cannot stat the input folder. */
gboolean cmd_slice_apply (CmdSlice *slice, ShardpixListing *listing, GError **error);
void cmd_slice_clear (CmdSlice *slice);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CmdSlice, cmd_slice_clear)

/* --files-from FILE|- and -0: the listing read from a manifest instead of
 * the folder (see lib/shardpix/manifest.h), for run and plan. */
typedef struct {
  char *files_from; /* NULL: list INPUT_DIR */
  gboolean nul;     /* -0: NUL-separated */
} CmdInput;

void cmd_input_add_options (CmdInput *input, GOptionContext *context);
/* After parsing: -0 only with --files-from. */
gboolean cmd_input_check (const CmdInput *input, GError **error);
void cmd_input_clear (CmdInput *input);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CmdInput, cmd_input_clear)
