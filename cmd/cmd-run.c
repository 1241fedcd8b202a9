#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shardpix/balance.h"
#include "cmd.h"
#include "cmd-progress.h"
#include "shardpix/error.h"
#include "shardpix/folders.h"
#include "shardpix/inputs.h"
#include "shardpix/job.h"
#include "shardpix/listing.h"
#include "shardpix/output.h"
#include "shardpix/memguard.h"
#include "shardpix/pipeline.h"
#include "shardpix/report.h"
#include "shardpix/resume.h"
#include "shardpix/shard.h"
#include "shardpix/supervisor.h"
#include "shardpix/threads.h"
#include "shardpix/worker.h"

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

/* Before any work: two inputs renamed onto one output would have one
 * silently replace the other. */
static gboolean
run_check_outputs (const ShardpixJob *job, GPtrArray *paths)
{
  g_autofree char *path = NULL;
  guint first, second;

  if (shardpix_job_outputs_distinct (job, paths, &first, &second))
    return TRUE;
  path = shardpix_job_output_path (job, g_ptr_array_index (paths, first));
  cmd_fail (CMD_EXIT_USAGE, "%s and %s would both be saved as %s: change --output-name",
            (const char *) g_ptr_array_index (paths, first),
            (const char *) g_ptr_array_index (paths, second), path);
  return FALSE;
}

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

/* --serial and the modes that never fork: libvips is started here, in this
 * process, so nothing may fork after it. */
static int
run_in_process (const RunOptions *options, ShardpixListing *listing, ShardpixTotals *totals)
{
  g_autoptr (GError) error = NULL;
  g_autofree guint *indexes = g_new (guint, MAX (listing->paths->len, 1));
  g_autoptr (CmdProgress) progress = run_progress_new (options, listing->paths->len);
  RunContext context = { options, listing->paths, progress };
  g_auto (ShardpixRecord) done = { 0 };
  gint64 started_us = g_get_monotonic_time ();
  const char *const *rels = (const char *const *) listing->paths->pdata;
  int vips_threads = options->mode == SHARDPIX_MODE_VIPS_THREADS ? options->jobs
                     : options->mode == SHARDPIX_MODE_THREADS   ? 1
                                                                 : options->job.threads;

  if (!shardpix_pipeline_init ("shardpix", vips_threads, &error))
    return cmd_fail (CMD_EXIT_WORKER, "%s", error->message);
  cmd_quiet_vips_warnings ();
  shardpix_worker_install_signal_handlers ();
  for (guint i = 0; i < listing->paths->len; i++)
    indexes[i] = i;
  if (options->mode == SHARDPIX_MODE_THREADS)
    shardpix_threads_process (&options->job, indexes, rels, listing->paths->len,
                              (guint) options->jobs, started_us, run_on_result, &context,
                              &done);
  else
    shardpix_worker_process (&options->job, indexes, rels, listing->paths->len, started_us,
                             run_on_result, &context, &done);
  cmd_progress_finish (progress);
  totals->n_ok = done.n_ok;
  totals->n_failed = done.n_failed;
  return done.n_failed > 0 ? CMD_EXIT_IMAGES : CMD_EXIT_OK;
}

/* Under --max-memory, glibc's per-thread arenas and libjpeg's progressive
 * buffers would hit the limit first: fewer arenas, and a libjpeg budget of
 * half the limit. A value the user set is kept. */
static GStrv
run_worker_environment (const RunOptions *options)
{
  GStrv envp = g_get_environ ();
  g_autofree char *jpegmem = NULL;

  if (options->max_memory_mb == 0)
    return envp;
  jpegmem = g_strdup_printf ("%" G_GINT64_FORMAT "M", MAX (options->max_memory_mb / 2, 1));
  envp = g_environ_setenv (envp, "MALLOC_ARENA_MAX", "2", FALSE);
  envp = g_environ_setenv (envp, "JPEGMEM", jpegmem, FALSE);
  return envp;
}

static int
run_parallel (const RunOptions *options, ShardpixListing *listing, ShardpixTotals *totals)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ShardpixRunReport) report = NULL;
  g_autoptr (GArray) order = NULL;
  g_autoptr (GArray) shards = shardpix_balance_cut (listing, options->balance,
                                                    (guint) options->shards,
                                                    (guint) options->jobs, &order, &error);
  g_autofree char *self = NULL;
  g_autofree char *table = NULL;
  g_autofree char *failures = NULL;
  g_auto (GStrv) envp = run_worker_environment (options);
  g_autoptr (CmdProgress) progress = run_progress_new (options, listing->paths->len);
  g_autoptr (GHashTable) reasons = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  RunContext context = { options, listing->paths, progress, reasons };
  ShardpixReportSettings settings = { &options->job, options->jobs, shards ? shards->len : 0,
                                      options->recursive,
                                      options->slice.set ? &options->slice.info : NULL,
                                      listing->skipped };
  ShardpixSupervisorConfig config = {
    .job = &options->job,
    .paths = listing->paths,
    .shards = shards,
    .jobs = options->jobs,
    .timeout_s = options->timeout_s,
    .envp = (const char *const *) envp,
    .max_memory_mb = (guint64) options->max_memory_mb,
    .on_result = run_on_result,
    .user_data = &context,
  };

  if (shards == NULL)
    return cmd_fail (CMD_EXIT_USAGE, "%s", error->message);
  config.paths = listing->paths;
  config.order = order;
  context.paths = listing->paths;
  config.dynamic = options->balance == SHARDPIX_BALANCE_DYNAMIC;
  config.grant_ahead = config.dynamic ? (guint) options->job.prefetch : 0;
  if (options->worker_exe == NULL)
    {
      self = g_file_read_link ("/proc/self/exe", &error);
      if (self == NULL)
        return cmd_fail (CMD_EXIT_WORKER, "cannot find own executable: %s", error->message);
    }
  config.worker_exe = options->worker_exe ? options->worker_exe : self;

  if (!shardpix_supervisor_run (&config, &report, &error))
    {
      cmd_progress_finish (progress);
      return cmd_fail (CMD_EXIT_WORKER, "%s", error->message);
    }
  cmd_progress_finish (progress);

  table = shardpix_report_children_table (report);
  if (!options->quiet)
    fputs (table, stdout);
  failures = shardpix_report_child_failures (report, listing->paths);
  fputs (failures, stderr);
  if (!cmd_report_write_run (options->report_path, options->timeline_path, &settings, report,
                             listing->paths, reasons))
    return CMD_EXIT_WORKER;
  totals->n_ok = report->n_ok;
  totals->n_failed = report->n_failed;
  totals->n_undone = report->undone->len;
  if (report->stop_signal != 0)
    {
      cmd_fail (0, "stopped by signal %d: %u image(s) not processed", report->stop_signal,
                report->undone->len);
      return 128 + report->stop_signal;
    }
  if (report->output_stop != NULL)
    {
      cmd_fail (0, "stopped early: outputs cannot be written (%s); %u image(s) not processed",
                report->output_stop, report->undone->len);
      return CMD_EXIT_IMAGES;
    }
  /* A worker that died on a file cost only that file (retried, then
   * failed as poison); only workers that cannot run at all are exit 3. */
  if (report->child_failed)
    return CMD_EXIT_WORKER;
  return report->n_failed > 0 ? CMD_EXIT_IMAGES : CMD_EXIT_OK;
}

int
cmd_run (int argc, char **argv)
{
  RunOptions options = { .jobs = (int) g_get_num_processors (), .shards = 0,
                         .timeout_s = 120 };
  const GOptionEntry entries[] = {
    { "jobs", 'j', 0, G_OPTION_ARG_INT, &options.jobs,
      "Worker processes at once (default: the number of CPUs)", "N" },
    { "shards", 0, 0, G_OPTION_ARG_INT, &options.shards,
      "Cut the listing into M shards (default: N; with --balance dynamic, "
      "shrinking chunks)", "M" },
    { "balance", 0, 0, G_OPTION_ARG_STRING, &options.balance_text,
      "count: equal-count shards; bytes: shards of equal bytes; dynamic: workers "
      "take the next files as they finish, costliest first (default)", "HOW" },
    { "serial", 0, 0, G_OPTION_ARG_NONE, &options.serial,
      "Process everything in this process, no workers: the baseline (--mode serial)", NULL },
    { "mode", 0, 0, G_OPTION_ARG_STRING, &options.mode_name,
      "processes (default): N worker processes; threads: N threads in this process; "
      "vips-threads: one image at a time, N libvips threads; serial", "MODE" },
    { "recursive", 'r', 0, G_OPTION_ARG_NONE, &options.recursive,
      "Walk subfolders and mirror them under OUTPUT_DIR", NULL },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &options.timeout_s,
      "Kill a worker that reports nothing for this long; its file is retried once "
      "(default 120, 0: never)", "SECONDS" },
    { "max-memory", 0, 0, G_OPTION_ARG_INT64, &options.max_memory_mb,
      "Address-space limit of each worker (default 0: none)", "MB" },
    { "resume", 0, 0, G_OPTION_ARG_NONE, &options.resume,
      "Skip images whose output exists and is not older than the input", NULL },
    { "quiet", 0, 0, G_OPTION_ARG_NONE, &options.quiet,
      "Print only errors and the totals: no progress, no worker table", NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &options.verbose,
      "Print a line for each image", NULL },
    { "report", 0, 0, G_OPTION_ARG_FILENAME, &options.report_path,
      "Write the run as JSON: settings, every worker, every image's timing", "FILE" },
    { "timeline", 0, 0, G_OPTION_ARG_FILENAME, &options.timeline_path,
      "Write an SVG timeline: one row per worker, one bar per image", "FILE" },
    { "worker-exe", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &options.worker_exe,
      "Executable to run as worker (tests)", "PATH" },
    { NULL },
  };
  g_autoptr (GOptionContext) context =
    g_option_context_new ("INPUT_DIR OUTPUT_DIR - grayscale and resize a folder of images");
  g_autoptr (GError) error = NULL;
  g_autoptr (ShardpixListing) listing = NULL;
  g_autofree char *totals_text = NULL;
  ShardpixTotals totals = { 0 };
  gint64 started_us;
  int status;

  shardpix_job_init (&options.job);
  /* One list in --help: the image options are what users look for. */
  g_option_context_set_main_group (context, shardpix_job_option_group (&options.job));
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (
      context,
      "Reads jpg jpeg png webp tif tiff gif heic heif avif jxl, any case; other entries\n"
      "are skipped and counted by kind (\"skipped 12: 9 .psd, 2 .txt, 1 broken link\").\n"
      "A folder with no image is an error (exit 2). An image whose colour profile is\n"
      "not sRGB (Display P3, Adobe RGB, CMYK) is converted to sRGB before the grey step.");
  cmd_slice_add_options (&options.slice, context);
  cmd_input_add_options (&options.input, context);
  if (!cmd_parse (context, &argc, &argv))
    goto usage;
  if (argc != 3)
    {
      cmd_fail (CMD_EXIT_USAGE, "run needs INPUT_DIR and OUTPUT_DIR (try --help)");
      goto usage;
    }
  if (options.jobs < 1 || options.jobs > 4096 || options.shards < 0
      || options.shards > CMD_MAX_SHARDS || options.timeout_s < 0
      || options.max_memory_mb < 0 || options.max_memory_mb > G_MAXINT64 / (1 << 20))
    {
      cmd_fail (CMD_EXIT_USAGE,
                "--jobs must be 1 to 4096, --shards 0 to %d, --timeout and --max-memory "
                "positive", CMD_MAX_SHARDS);
      goto usage;
    }
  options.mode = options.serial ? SHARDPIX_MODE_SERIAL : SHARDPIX_MODE_PROCESSES;
  if (options.mode_name != NULL
      && (options.serial || !shardpix_mode_parse (options.mode_name, &options.mode)))
    {
      cmd_fail (CMD_EXIT_USAGE, "--mode must be processes, threads, vips-threads or serial, "
                                "without --serial");
      goto usage;
    }
  if (options.mode == SHARDPIX_MODE_THREADS && options.jobs >= SHARDPIX_OUTPUT_MAX_SLOTS)
    {
      cmd_fail (CMD_EXIT_USAGE, "--mode threads takes at most %d --jobs",
                SHARDPIX_OUTPUT_MAX_SLOTS - 1);
      goto usage;
    }
  if ((options.mode == SHARDPIX_MODE_THREADS || options.mode == SHARDPIX_MODE_VIPS_THREADS)
      && options.max_memory_mb > 0)
    {
      cmd_fail (CMD_EXIT_USAGE, "--max-memory limits each worker process: not with --mode %s",
                options.mode_name);
      goto usage;
    }
  if (options.mode != SHARDPIX_MODE_PROCESSES && (options.report_path || options.timeline_path))
    {
      cmd_fail (CMD_EXIT_USAGE,
                "--report and --timeline record worker processes: only with --mode processes");
      goto usage;
    }
  options.balance = SHARDPIX_BALANCE_DEFAULT;
  if (options.balance_text != NULL
      && !shardpix_balance_parse (options.balance_text, &options.balance, &error))
    {
      cmd_fail (CMD_EXIT_USAGE, "%s", error->message);
      goto usage;
    }
  options.job.input_dir = g_strdup (argv[1]);
  options.job.output_dir = g_strdup (argv[2]);
  if (!shardpix_job_finish_options (&options.job, &error)
      || !cmd_slice_resolve (&options.slice, &error)
      || !cmd_input_check (&options.input, &error)
      || !shardpix_folders_prepare (&options.job, &error))
    {
      cmd_fail (CMD_EXIT_USAGE, "%s", error->message);
      goto usage;
    }
  /* The images decoded at once share half of physical memory. */
  if (options.job.max_buffer_mb == SHARDPIX_JOB_AUTO_MAX_BUFFER)
    options.job.max_buffer_mb = shardpix_memguard_default_mb (
        options.mode == SHARDPIX_MODE_PROCESSES || options.mode == SHARDPIX_MODE_THREADS
            ? (guint) options.jobs
            : 1);

  started_us = g_get_monotonic_time ();
  listing = options.input.files_from != NULL
              ? cmd_input_read (&options.input, options.job.input_dir, &error)
              : shardpix_folders_list_inputs (&options.job, options.recursive, &error);
  if (listing == NULL)
    {
      cmd_fail (CMD_EXIT_USAGE, "%s", error->message);
      goto usage;
    }
  run_report_refused (listing);
  if (listing->paths->len == 0)
    {
      g_autofree char *display = g_filename_display_name (options.job.input_dir);
      g_autofree char *why = shardpix_listing_skipped_text (listing);

      cmd_fail (CMD_EXIT_USAGE, "no image in “%s”%s%s%s", display,
                *why ? " (skipped: " : "", why, *why ? ")" : "");
      goto usage;
    }
  if (!run_check_outputs (&options.job, listing->paths))
    goto usage;
  /* After the collision check (it is about the whole folder), before
   * --resume (which looks only at this slice's files). */
  if (!cmd_slice_apply (&options.slice, listing, &error))
    {
      cmd_fail (CMD_EXIT_USAGE, "%s", error->message);
      goto usage;
    }
  if (options.slice.set && !options.quiet)
    {
      g_autofree char *line = cmd_slice_describe (&options.slice);
      fputs (line, stdout);
    }
  totals.n_images = listing->paths->len;
  totals.n_skipped = listing->n_skipped;
  if (options.resume)
    totals.n_resumed = shardpix_resume_filter (&options.job, listing->paths);
  status = options.mode == SHARDPIX_MODE_PROCESSES ? run_parallel (&options, listing, &totals)
                                                  : run_in_process (&options, listing, &totals);
  totals.wall_us = g_get_monotonic_time () - started_us;
  totals_text = shardpix_report_totals (&totals);
  fputs (totals_text, stdout);
  if (listing->n_skipped > 0)
    {
      g_autofree char *why = shardpix_listing_skipped_text (listing);

      printf ("skipped %u: %s\n", listing->n_skipped, why);
    }
  shardpix_job_clear (&options.job);
  g_free (options.worker_exe);
  g_free (options.mode_name);
  g_free (options.report_path);
  g_free (options.timeline_path);
  cmd_slice_clear (&options.slice);
  cmd_input_clear (&options.input);
  g_free (options.balance_text);
  return status;

usage:
  shardpix_job_clear (&options.job);
  g_free (options.worker_exe);
  g_free (options.mode_name);
  g_free (options.report_path);
  g_free (options.timeline_path);
  cmd_slice_clear (&options.slice);
  cmd_input_clear (&options.input);
  g_free (options.balance_text);
  return CMD_EXIT_USAGE;
}
