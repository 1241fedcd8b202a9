#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "cmd-progress.h"
#include "shardpix/error.h"
#include "shardpix/options.h"
#include "shardpix/report.h"
#include "shardpix/run.h"

typedef struct {
  ShardpixJob job;
  int jobs;
  int shards;
  char *balance_text;
  ShardpixBalance balance;
  int timeout_s;
  gint64 max_memory_mb;
  gboolean resume;
  gboolean serial;
  char *mode_name;
  ShardpixMode mode;
  gboolean recursive;
  gboolean quiet;
  gboolean verbose;
  char *worker_exe;
  char *report_path;
  char *timeline_path;
  CmdSlice slice;
  CmdInput input;
} RunOptions;

typedef struct {
  const RunOptions *options;
  GPtrArray *paths;
  CmdProgress *progress;
  GHashTable *failures; /* listing index -> reason, for --report */
} RunContext;

/* The links the listing would not follow, each named with why. */
static void
run_report_refused (const ShardpixListing *listing)
{
  for (guint i = 0; i < listing->refused->len; i++)
    {
      const ShardpixListingRefusal *refusal = g_ptr_array_index (listing->refused, i);

      cmd_fail (0, "%s: skipped: %s", refusal->rel, refusal->reason);
    }
}

static void
run_on_result (const ShardpixRecord *result, gpointer data)
{
  RunContext *context = data;

  cmd_report_note_failure (context->failures, result);
  cmd_progress_image (context->progress, g_ptr_array_index (context->paths, result->index),
                      result->wall_us,
                      result->ok ? NULL : result->text ? result->text : "failed");
}

static CmdProgress *
run_progress_new (const RunOptions *options, guint total)
{
  return cmd_progress_new (stderr, total, !options->quiet && isatty (STDERR_FILENO),
                           options->verbose);
}

/* What the workers' record says besides the totals: the worker table, the
 * files each dead worker cost, the JSON report and the SVG timeline. */
static gboolean
run_print_record (const RunOptions *options, const ShardpixRun *run, GHashTable *reasons)
{
  const ShardpixRunRecord *record = run->record;
  GPtrArray *paths = run->listing->paths;
  g_autofree char *table = shardpix_report_children_table (record);
  g_autofree char *failures = shardpix_report_child_failures (record, paths);
  ShardpixReportSettings settings = { &options->job, options->jobs, run->n_shards,
                                      options->recursive,
                                      run->sliced ? &run->slice_info : NULL,
                                      run->listing->skipped };

  if (!options->quiet)
    fputs (table, stdout);
  fputs (failures, stderr);
  return cmd_report_write_run (options->report_path, options->timeline_path, &settings, record,
                               paths, reasons);
}

/* Why a run that went through stopped early, in the user's words. */
static void
run_print_stop (const ShardpixRun *run)
{
  const ShardpixRunRecord *record = run->record;

  if (record == NULL)
    return;
  if (record->stop_signal != 0)
    cmd_fail (0, "stopped by signal %d: %u image(s) not processed", record->stop_signal,
              record->undone->len);
  else if (record->output_stop != NULL)
    cmd_fail (0, "stopped early: outputs cannot be written (%s); %u image(s) not processed",
              record->output_stop, record->undone->len);
}

static int
run_main (RunOptions *options)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ShardpixRun) run = NULL;
  g_autoptr (CmdProgress) progress = NULL;
  g_autoptr (GHashTable) reasons = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  g_autofree char *totals_text = NULL;
  RunContext context = { options, NULL, NULL, reasons };
  ShardpixTotals totals = { 0 };
  gint64 started_us = g_get_monotonic_time ();
  ShardpixRunPlan plan = {
    .job = &options->job,
    .recursive = options->recursive,
    .files_from = options->input.files_from,
    .files_from_nul = options->input.nul,
    .slice = options->slice.set ? &options->slice.slice : NULL,
    .slice_balance = options->slice.balance,
    .resume = options->resume,
    .mode = options->mode,
    .jobs = (guint) options->jobs,
    .shards = (guint) options->shards,
    .balance = options->balance,
    .timeout_s = (guint) options->timeout_s,
    .max_memory_mb = (guint64) options->max_memory_mb,
    .worker_exe = options->worker_exe,
    .on_result = run_on_result,
    .user_data = &context,
  };
  int status;

  run = shardpix_run_new (&plan, &error);
  if (run == NULL)
    return cmd_fail (shardpix_error_exit_status (error), "%s", error->message);
  run_report_refused (run->listing);
  if (!shardpix_run_check (&plan, run, &error))
    return cmd_fail (shardpix_error_exit_status (error), "%s", error->message);
  if (run->sliced && !options->quiet)
    {
      g_autofree char *line = shardpix_slice_describe (&run->slice_info);
      fputs (line, stdout);
    }
  context.paths = run->listing->paths;
  progress = run_progress_new (options, run->listing->paths->len);
  context.progress = progress;
  /* In this process libvips would print its warnings: the error that names
   * the file is the line users need. */
  if (options->mode != SHARDPIX_MODE_PROCESSES)
    cmd_quiet_vips_warnings ();
  if (!shardpix_run_execute (&plan, run, &error))
    {
      cmd_progress_finish (progress);
      return cmd_fail (shardpix_error_exit_status (error), "%s", error->message);
    }
  cmd_progress_finish (progress);
  status = shardpix_run_exit_status (run);
  if (run->record != NULL && !run_print_record (options, run, reasons))
    status = CMD_EXIT_WORKER;
  else
    run_print_stop (run);

  totals.n_images = run->n_listed;
  totals.n_skipped = run->listing->n_skipped;
  totals.n_resumed = run->n_resumed;
  totals.n_ok = run->n_ok;
  totals.n_failed = run->n_failed;
  totals.n_undone = run->n_undone;
  totals.wall_us = g_get_monotonic_time () - started_us;
  totals_text = shardpix_report_totals (&totals);
  fputs (totals_text, stdout);
  if (run->listing->n_skipped > 0)
    {
      g_autofree char *why = shardpix_listing_skipped_text (run->listing);

      printf ("skipped %u: %s\n", run->listing->n_skipped, why);
    }
  return status;
}

int
cmd_run (int argc, char **argv)
{
  RunOptions options = { .jobs = (int) g_get_num_processors (), .shards = 0,
                         .timeout_s = 120 };
  const ShardpixOptionField fields[] = {
    SHARDPIX_OPTION_FIELD ("jobs", options.jobs),
    SHARDPIX_OPTION_FIELD ("shards", options.shards),
    SHARDPIX_OPTION_FIELD ("balance", options.balance_text),
    SHARDPIX_OPTION_FIELD ("serial", options.serial),
    SHARDPIX_OPTION_FIELD ("mode", options.mode_name),
    SHARDPIX_OPTION_FIELD ("recursive", options.recursive),
    SHARDPIX_OPTION_FIELD ("timeout", options.timeout_s),
    SHARDPIX_OPTION_FIELD ("max-memory", options.max_memory_mb),
    SHARDPIX_OPTION_FIELD ("resume", options.resume),
    SHARDPIX_OPTION_FIELD ("quiet", options.quiet),
    SHARDPIX_OPTION_FIELD ("verbose", options.verbose),
    SHARDPIX_OPTION_FIELD ("report", options.report_path),
    SHARDPIX_OPTION_FIELD ("timeline", options.timeline_path),
    SHARDPIX_OPTION_FIELD ("worker-exe", options.worker_exe),
    { NULL },
  };
  g_autoptr (GOptionContext) context =
    g_option_context_new ("INPUT_DIR OUTPUT_DIR - grayscale and resize a folder of images");
  g_autoptr (GError) error = NULL;
  int status = CMD_EXIT_USAGE;

  shardpix_job_init (&options.job);
  /* One list in --help: the image options are what users look for. */
  g_option_context_set_main_group (context, shardpix_job_option_group (&options.job));
  shardpix_options_add_fields (context, SHARDPIX_COMMAND_RUN, fields);
  g_option_context_set_description (
      context,
      "Reads jpg jpeg png webp tif tiff gif heic heif avif jxl, any case; other entries\n"
      "are skipped and counted by kind (\"skipped 12: 9 .psd, 2 .txt, 1 broken link\").\n"
      "A folder with no image is an error (exit 2). An image whose colour profile is\n"
      "not sRGB (Display P3, Adobe RGB, CMYK) is converted to sRGB before the grey step.");
  cmd_slice_add_options (&options.slice, context);
  cmd_input_add_options (&options.input, context);
  if (!cmd_parse (context, &argc, &argv))
    goto out;
  if (argc != 3)
    {
      cmd_fail (CMD_EXIT_USAGE, "run needs INPUT_DIR and OUTPUT_DIR (try --help)");
      goto out;
    }
  if (options.jobs < 1 || options.jobs > 4096 || options.shards < 0
      || options.shards > CMD_MAX_SHARDS || options.timeout_s < 0
      || options.max_memory_mb < 0 || options.max_memory_mb > G_MAXINT64 / (1 << 20))
    {
      cmd_fail (CMD_EXIT_USAGE,
                "--jobs must be 1 to 4096, --shards 0 to %d, --timeout and --max-memory "
                "positive", CMD_MAX_SHARDS);
      goto out;
    }
  options.mode = options.serial ? SHARDPIX_MODE_SERIAL : SHARDPIX_MODE_PROCESSES;
  if (options.mode_name != NULL
      && (options.serial || !shardpix_mode_parse (options.mode_name, &options.mode)))
    {
      cmd_fail (CMD_EXIT_USAGE, "--mode must be processes, threads, vips-threads or serial, "
                                "without --serial");
      goto out;
    }
  if (options.mode != SHARDPIX_MODE_PROCESSES && (options.report_path || options.timeline_path))
    {
      cmd_fail (CMD_EXIT_USAGE,
                "--report and --timeline record worker processes: only with --mode processes");
      goto out;
    }
  options.balance = SHARDPIX_BALANCE_DEFAULT;
  if (options.balance_text != NULL
      && !shardpix_balance_parse (options.balance_text, &options.balance, &error))
    {
      cmd_fail (CMD_EXIT_USAGE, "%s", error->message);
      goto out;
    }
  options.job.input_dir = g_strdup (argv[1]);
  options.job.output_dir = g_strdup (argv[2]);
  if (!shardpix_job_finish_options (&options.job, &error)
      || !cmd_slice_resolve (&options.slice, &error)
      || !cmd_input_check (&options.input, &error))
    {
      cmd_fail (CMD_EXIT_USAGE, "%s", error->message);
      goto out;
    }
  status = run_main (&options);

out:
  shardpix_job_clear (&options.job);
  g_free (options.worker_exe);
  g_free (options.mode_name);
  g_free (options.report_path);
  g_free (options.timeline_path);
  cmd_slice_clear (&options.slice);
  cmd_input_clear (&options.input);
  g_free (options.balance_text);
  return status;
}
