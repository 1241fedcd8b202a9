/* shardpix bench: the same job as `run`, timed as a serial baseline and
 * through the supervisor for several worker counts, passes interleaved. The
 * bench process never initialises libvips: the serial baseline and the
 * in-process modes run as a child (`run --serial`, `run --mode threads`),
 * timed and measured through wait4(); process passes run the supervisor
 * here, which only forks workers. */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "shardpix/error.h"
#include "shardpix/run.h"
#include "shardpix/spawn.h"

typedef struct {
  ShardpixJob job;
  char *jobs_list;
  char *modes;
  int repeat;
  int shards;
  gboolean recursive;
  char *json_path;
  char *svg_path;
  CmdSlice slice;
} BenchOptions;

typedef struct {
  const BenchOptions *options;
  char *self;            /* /proc/self/exe, resolved */
  char *scratch;         /* temporary folder the passes write into */
  guint n_passes;
  guint total_passes;
  gboolean progress;     /* stderr is a terminal */
  GHashTable *failures;  /* of the pass running now */
} Bench;

static double
bench_seconds (const struct timeval *tv)
{
  return tv->tv_sec + tv->tv_usec / 1e6;
}

/* "1,2,4": each 1 to 4096. */
static GArray *
bench_parse_jobs_list (const char *text, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (text, ",", -1);
  g_autoptr (GArray) list = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; parts[i] != NULL; i++)
    {
      guint64 value;

      if (!g_ascii_string_to_unsigned (g_strstrip (parts[i]), 10, 1, 4096, &value, NULL))
        {
          g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
                       "invalid --jobs-list '%s': expected counts 1 to 4096 separated by commas",
                       text);
          return NULL;
        }
      g_array_append_vals (list, &(guint) { (guint) value }, 1);
    }
  if (list->len == 0)
    {
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE, "empty --jobs-list");
      return NULL;
    }
  return g_steal_pointer (&list);
}

/* 1, 2, 4, ... up to twice the CPUs (and twice the CPUs itself). */
static GArray *
bench_default_jobs_list (guint cpus)
{
  GArray *list = g_array_new (FALSE, FALSE, sizeof (guint));
  guint p;

  for (p = 1; p <= 2 * cpus; p *= 2)
    g_array_append_val (list, p);
  if (p / 2 != 2 * cpus)
    g_array_append_vals (list, &(guint) { 2 * cpus }, 1);
  return list;
}

/* "serial,processes,threads,vips-threads", as a bit set of ShardpixMode. */
static gboolean
bench_parse_modes (const char *text, guint *modes, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (text, ",", -1);

  *modes = 0;
  for (guint i = 0; parts[i] != NULL; i++)
    {
      ShardpixMode mode;

      if (!shardpix_mode_parse (g_strstrip (parts[i]), &mode))
        {
          g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
                       "invalid --modes '%s': expected serial, processes, threads, "
                       "vips-threads separated by commas", text);
          return FALSE;
        }
      *modes |= 1u << mode;
    }
  return TRUE;
}

static int
bench_rm_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  return remove (path) == 0 || errno == ENOENT ? 0 : -1;
}

static void
bench_rmtree (const char *path)
{
  nftw (path, bench_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void
bench_progress (Bench *bench, const char *name, guint round)
{
  bench->n_passes++;
  if (bench->progress)
    fprintf (stderr, "\r\033[Kbench: pass %u/%u: %s (round %u of %d)", bench->n_passes,
             bench->total_passes, name, round + 1, bench->options->repeat);
}

static void
bench_on_result (const ShardpixRecord *result, gpointer data)
{
  Bench *bench = data;

  cmd_report_note_failure (bench->failures, result);
}

/* The baseline and the in-process modes: `shardpix run --mode M -j N --quiet`
 * as a child, so that libvips starts in it and not here; wall time around
 * spawn and reap, CPU and peak RSS from wait4(). Its output is read and
 * dropped: the totals line is all it prints. */
static ShardpixBenchPass *
bench_child_pass (Bench *bench, const ShardpixBenchConfig *config, const char *out_dir,
                  GError **error)
{
  const BenchOptions *options = bench->options;
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (ShardpixBenchPass) pass = g_new0 (ShardpixBenchPass, 1);
  ShardpixSpawnLimits limits = { .quiet_stderr = TRUE };
  ShardpixChild child;
  struct rusage usage;
  gboolean reaped;
  int status;
  gint64 started_us;

  g_ptr_array_add (argv, g_strdup (bench->self));
  g_ptr_array_add (argv, g_strdup ("run"));
  g_ptr_array_add (argv, g_strdup ("--mode"));
  g_ptr_array_add (argv, g_strdup (shardpix_mode_name (config->mode)));
  g_ptr_array_add (argv, g_strdup_printf ("--jobs=%u", config->processes));
  g_ptr_array_add (argv, g_strdup ("--quiet"));
  if (options->recursive)
    g_ptr_array_add (argv, g_strdup ("--recursive"));
  if (options->slice.set)
    {
      g_ptr_array_add (argv, g_strdup_printf ("--slice=%u/%u", options->slice.slice.index,
                                              options->slice.slice.count));
      g_ptr_array_add (argv, g_strdup_printf (
                               "--slice-balance=%s",
                               shardpix_slice_balance_name (options->slice.balance)));
    }
  shardpix_job_append_args (&options->job, argv);
  g_ptr_array_add (argv, g_strdup ("--"));
  g_ptr_array_add (argv, g_strdup (options->job.input_dir));
  g_ptr_array_add (argv, g_strdup (out_dir));
  g_ptr_array_add (argv, NULL);

  started_us = g_get_monotonic_time ();
  if (!shardpix_spawn_start ((const char *const *) argv->pdata, &limits, &child, error))
    return NULL;
  close (child.to_child);
  shardpix_spawn_drain (child.from_child);
  close (child.from_child);
  if (!shardpix_spawn_reap (child.pid, TRUE, &reaped, &status, &usage, error))
    return NULL;
  pass->wall_s = (g_get_monotonic_time () - started_us) / 1e6;
  pass->user_s = bench_seconds (&usage.ru_utime);
  pass->sys_s = bench_seconds (&usage.ru_stime);
  pass->max_rss_kb = usage.ru_maxrss;
  pass->exit_code = shardpix_spawn_exit_code (status);
  if (pass->exit_code != CMD_EXIT_OK && pass->exit_code != CMD_EXIT_IMAGES)
    {
      g_autofree char *how = shardpix_spawn_describe_status (status);
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_WORKER,
                   "the %s pass (%s run --mode %s) failed: %s", config->name, bench->self,
                   shardpix_mode_name (config->mode), how);
      return NULL;
    }
  return g_steal_pointer (&pass);
}

/* The plan of `run` for one pass: measured as `run` cuts by default. */
static ShardpixRunPlan
bench_plan (Bench *bench, ShardpixJob *job, guint jobs)
{
  const BenchOptions *options = bench->options;
  ShardpixRunPlan plan = {
    .job = job,
    .recursive = options->recursive,
    .slice = options->slice.set ? &options->slice.slice : NULL,
    .slice_balance = options->slice.balance,
    .mode = SHARDPIX_MODE_PROCESSES,
    .jobs = jobs,
    .shards = options->shards > 0 ? (guint) options->shards : 0,
    .balance = SHARDPIX_BALANCE_DEFAULT,
    .worker_exe = bench->self,
    .on_result = bench_on_result,
    .user_data = bench,
  };

  return plan;
}

/* A pass through lib/run, listing included as in `run`. CPU is this
 * process's share during the pass plus every worker's. */
static ShardpixBenchPass *
bench_parallel_pass (Bench *bench, guint jobs, const char *out_dir, GError **error)
{
  g_autoptr (ShardpixBenchPass) pass = g_new0 (ShardpixBenchPass, 1);
  g_autoptr (ShardpixRun) run = NULL;
  ShardpixJob job = bench->options->job;
  ShardpixRunPlan plan = bench_plan (bench, &job, jobs);
  struct rusage before, after;
  gint64 started_us;

  job.output_dir = (char *) out_dir;
  pass->failures = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  bench->failures = pass->failures;
  getrusage (RUSAGE_SELF, &before);
  started_us = g_get_monotonic_time ();
  run = shardpix_run_new (&plan, error);
  if (run == NULL || !shardpix_run_check (&plan, run, error)
      || !shardpix_run_execute (&plan, run, error))
    return NULL;
  pass->exit_code = shardpix_run_exit_status (run);
  pass->wall_s = (g_get_monotonic_time () - started_us) / 1e6;
  getrusage (RUSAGE_SELF, &after);
  bench->failures = NULL;
  pass->run = g_steal_pointer (&run->record);
  pass->user_s = bench_seconds (&after.ru_utime) - bench_seconds (&before.ru_utime);
  pass->sys_s = bench_seconds (&after.ru_stime) - bench_seconds (&before.ru_stime);
  for (guint i = 0; i < pass->run->children->len; i++)
    {
      const ShardpixChildReport *child = g_ptr_array_index (pass->run->children, i);

      pass->user_s += child->user_s;
      pass->sys_s += child->sys_s;
      pass->max_rss_kb = MAX (pass->max_rss_kb, child->max_rss_kb);
    }
  if (pass->run->stop_signal != 0)
    {
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_WORKER, "stopped by signal %d",
                   pass->run->stop_signal);
      return NULL;
    }
  if (pass->run->child_failed)
    {
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_WORKER,
                   "a worker failed in the %u-process pass: timings would not be comparable",
                   jobs);
      return NULL;
    }
  return g_steal_pointer (&pass);
}

/* One pass of @config into a fresh folder, removed afterwards so that every
 * pass writes new files, as a first run does. */
static gboolean
bench_pass (Bench *bench, ShardpixBenchConfig *config, guint round, gboolean timed,
            GError **error)
{
  g_autofree char *out_dir = g_build_filename (bench->scratch, "out", NULL);
  ShardpixBenchPass *pass;

  bench_progress (bench, timed ? config->name : "warm-up", round);
  pass = config->mode != SHARDPIX_MODE_PROCESSES
           ? bench_child_pass (bench, config, out_dir, error)
           : bench_parallel_pass (bench, config->processes, out_dir, error);
  bench_rmtree (out_dir);
  if (pass == NULL)
    return FALSE;
  pass->round = round;
  if (timed)
    shardpix_bench_add_pass (config, pass);
  else
    shardpix_bench_pass_free (pass);
  return TRUE;
}

static gboolean
bench_run (Bench *bench, ShardpixBenchResults *results, GError **error)
{
  ShardpixBenchConfig *warm_up = g_ptr_array_index (results->configs,
                                                    results->configs->len - 1);

  /* Untimed: fills the page cache, so that the first timed pass is not the
   * only one that reads from disk. */
  if (!bench_pass (bench, warm_up, 0, FALSE, error))
    return FALSE;
  /* Interleaved, so that drift on a noisy machine hits every configuration
   * alike. */
  for (int round = 0; round < bench->options->repeat; round++)
    for (guint i = 0; i < results->configs->len; i++)
      if (!bench_pass (bench, g_ptr_array_index (results->configs, i), round, TRUE, error))
        return FALSE;
  return TRUE;
}

static gboolean
bench_images_failed (const ShardpixBenchResults *results)
{
  for (guint i = 0; i < results->configs->len; i++)
    {
      const ShardpixBenchConfig *config = g_ptr_array_index (results->configs, i);

      for (guint k = 0; k < config->passes->len; k++)
        if (((const ShardpixBenchPass *) g_ptr_array_index (config->passes, k))->exit_code
            != CMD_EXIT_OK)
          return TRUE;
    }
  return FALSE;
}

static int
bench_main (BenchOptions *options)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) jobs_list = NULL;
  g_autoptr (ShardpixRun) listed = NULL;
  g_autoptr (ShardpixBenchResults) results = shardpix_bench_results_new ();
  g_autofree char *table = NULL;
  guint cpus = g_get_num_processors ();
  Bench bench = { .options = options };
  ShardpixReportSettings settings = { &options->job, 0, (guint) options->shards,
                                      options->recursive,
                                      NULL };
  ShardpixJob job = options->job;
  ShardpixRunPlan plan;
  guint modes = 1u << SHARDPIX_MODE_PROCESSES;
  g_autofree char *bench_out = NULL; /* the passes' OUTPUT_DIR */
  gboolean ok;

  if (options->modes != NULL && !bench_parse_modes (options->modes, &modes, &error))
    return cmd_fail (CMD_EXIT_USAGE, "%s", error->message);
  jobs_list = options->jobs_list ? bench_parse_jobs_list (options->jobs_list, &error)
                                 : bench_default_jobs_list (cpus);
  if (jobs_list == NULL)
    return cmd_fail (CMD_EXIT_USAGE, "%s", error->message);
  bench.self = g_file_read_link ("/proc/self/exe", &error);
  if (bench.self == NULL)
    return cmd_fail (CMD_EXIT_WORKER, "cannot find own executable: %s", error->message);
  bench.scratch = g_dir_make_tmp ("shardpix-bench-XXXXXX", &error);
  if (bench.scratch == NULL)
    {
      g_free (bench.self);
      return cmd_fail (CMD_EXIT_WORKER, "cannot make a temporary folder: %s", error->message);
    }
  /* Every pass checks again; this says it once, before the warm-up. */
  bench_out = g_build_filename (bench.scratch, "out", NULL);
  job.output_dir = bench_out;
  plan = bench_plan (&bench, &job, 1);
  listed = shardpix_run_new (&plan, &error);
  if (listed == NULL || !shardpix_run_check (&plan, listed, &error))
    {
      bench_rmtree (bench.scratch);
      g_free (bench.scratch);
      g_free (bench.self);
      return cmd_fail (shardpix_error_exit_status (error), "%s%s", error->message,
                       g_error_matches (error, SHARDPIX_ERROR, SHARDPIX_ERROR_LAYOUT)
                         ? " (bench writes under TMPDIR)"
                         : "");
    }
  results->n_images = listed->listing->paths->len;
  settings.slice = listed->sliced ? &listed->slice_info : NULL;
  bench.progress = isatty (STDERR_FILENO);

  /* The serial baseline always: every speedup is against it. */
  shardpix_bench_add_config (results, SHARDPIX_MODE_SERIAL, 1);
  for (guint i = 0; i < jobs_list->len; i++)
    {
      guint jobs = g_array_index (jobs_list, guint, i);

      for (ShardpixMode mode = SHARDPIX_MODE_PROCESSES; mode <= SHARDPIX_MODE_VIPS_THREADS;
           mode++)
        if (modes & (1u << mode))
          shardpix_bench_add_config (results, mode, jobs);
      settings.jobs = MAX (settings.jobs, jobs);
    }
  bench.total_passes = 1 + results->configs->len * options->repeat;

  ok = bench_run (&bench, results, &error);
  if (bench.progress)
    fputs ("\r\033[K", stderr);
  bench_rmtree (bench.scratch);
  g_free (bench.scratch);
  g_free (bench.self);
  if (!ok)
    return cmd_fail (CMD_EXIT_WORKER, "%s", error->message);

  shardpix_bench_summarise (results);
  table = shardpix_bench_table (results);
  printf ("%u images in %s, %u CPUs, %d timed pass%s per configuration (median of them)\n",
          results->n_images, options->job.input_dir, cpus, options->repeat,
          options->repeat == 1 ? "" : "es");
  fputs (table, stdout);
  fflush (stdout);
  if (!cmd_report_write_bench (options->json_path, options->svg_path, &settings, results,
                               listed->listing->paths, options->repeat, cpus))
    return CMD_EXIT_WORKER;
  if (bench_images_failed (results))
    return cmd_fail (CMD_EXIT_IMAGES, "some images failed in the timed passes (--json FILE names them)");
  return CMD_EXIT_OK;
}

int
cmd_bench (int argc, char **argv)
{
  BenchOptions options = { .repeat = 3 };
  const GOptionEntry entries[] = {
    { "jobs-list", 0, 0, G_OPTION_ARG_STRING, &options.jobs_list,
      "Worker counts to time, e.g. 1,2,4 (default: 1, 2, 4, ... up to twice the CPUs)",
      "N,N,..." },
    { "modes", 0, 0, G_OPTION_ARG_STRING, &options.modes,
      "Ways to run the job, each timed for every N: serial (always), processes, threads, "
      "vips-threads (default: serial,processes)", "M,M,..." },
    { "repeat", 0, 0, G_OPTION_ARG_INT, &options.repeat,
      "Timed passes of each configuration (default 3)", "R" },
    { "shards", 0, 0, G_OPTION_ARG_INT, &options.shards,
      "Cut the listing into M shards in every parallel pass (default: one per worker)", "M" },
    { "recursive", 'r', 0, G_OPTION_ARG_NONE, &options.recursive,
      "Walk subfolders", NULL },
    { "json", 0, 0, G_OPTION_ARG_FILENAME, &options.json_path,
      "Write every pass and every worker's record as JSON", "FILE" },
    { "svg", 0, 0, G_OPTION_ARG_FILENAME, &options.svg_path,
      "Write a chart: speedup, and the timeline of the best pass", "FILE" },
    { NULL },
  };
  g_autoptr (GOptionContext) context =
    g_option_context_new ("INPUT_DIR - time serial against 1, 2, 4... worker processes");
  g_autoptr (GError) error = NULL;
  int status = CMD_EXIT_USAGE;

  shardpix_job_init (&options.job);
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, shardpix_job_option_group (&options.job));
  cmd_slice_add_options (&options.slice, context);
  if (!cmd_parse (context, &argc, &argv))
    goto out;
  if (argc != 2)
    {
      cmd_fail (CMD_EXIT_USAGE, "bench needs INPUT_DIR (try --help)");
      goto out;
    }
  if (options.repeat < 1 || options.repeat > 1000 || options.shards < 0
      || options.shards > CMD_MAX_SHARDS)
    {
      cmd_fail (CMD_EXIT_USAGE, "--repeat must be 1 to 1000 and --shards 0 to %d",
                CMD_MAX_SHARDS);
      goto out;
    }
  options.job.input_dir = g_strdup (argv[1]);
  if (!shardpix_job_finish_options (&options.job, &error)
      || !cmd_slice_resolve (&options.slice, &error))
    {
      cmd_fail (CMD_EXIT_USAGE, "%s", error->message);
      goto out;
    }
  status = bench_main (&options);

out:
  shardpix_job_clear (&options.job);
  g_free (options.jobs_list);
  g_free (options.modes);
  g_free (options.json_path);
  g_free (options.svg_path);
  cmd_slice_clear (&options.slice);
  return status;
}
