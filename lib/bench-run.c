/* Running `shardpix bench` (see shardpix/bench-run.h). */
#include "shardpix/bench-run.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "shardpix/error.h"
#include "shardpix/spawn.h"

typedef struct {
  const ShardpixBenchPlan *plan;
  char *scratch;         /* temporary folder the passes write into */
  guint n_passes;
  guint total_passes;
  GHashTable *failures;  /* of the pass running now */
} Bench;


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
bench_on_result (const ShardpixRecord *result, gpointer data)
{
  Bench *bench = data;

  if (!result->ok && bench->failures != NULL)
    g_hash_table_insert (bench->failures, GUINT_TO_POINTER (result->index),
                         g_strdup (result->text ? result->text : "failed"));
}

/* The baseline and the in-process modes: `shardpix run --mode M -j N --quiet`
 * as a child, so that libvips starts in it and not here; wall time around
 * spawn and reap, CPU and peak RSS from wait4(). Its output is read and
 * dropped: the totals line is all it prints. */
static ShardpixBenchPass *
bench_child_pass (Bench *bench, const ShardpixBenchConfig *config, const char *out_dir,
                  GError **error)
{
  const ShardpixBenchPlan *options = bench->plan;
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (ShardpixBenchPass) pass = g_new0 (ShardpixBenchPass, 1);
  ShardpixSpawnLimits limits = { .quiet_stderr = TRUE };
  ShardpixChild child;
  struct rusage usage;
  gboolean reaped;
  int status;
  gint64 started_us;

  g_ptr_array_add (argv, g_strdup (bench->plan->self));
  g_ptr_array_add (argv, g_strdup ("run"));
  g_ptr_array_add (argv, g_strdup ("--mode"));
  g_ptr_array_add (argv, g_strdup (shardpix_mode_name (config->mode)));
  g_ptr_array_add (argv, g_strdup_printf ("--jobs=%u", config->processes));
  g_ptr_array_add (argv, g_strdup ("--quiet"));
  if (options->recursive)
    g_ptr_array_add (argv, g_strdup ("--recursive"));
  if (options->slice != NULL)
    {
      g_ptr_array_add (argv, g_strdup_printf ("--slice=%u/%u", options->slice->index,
                                              options->slice->count));
      g_ptr_array_add (argv, g_strdup_printf (
                               "--slice-balance=%s",
                               shardpix_slice_balance_name (options->slice_balance)));
    }
  shardpix_job_finish_argv (options->job, out_dir, argv);

  started_us = g_get_monotonic_time ();
  if (!shardpix_spawn_start ((const char *const *) argv->pdata, &limits, &child, error))
    return NULL;
  close (child.to_child);
  shardpix_spawn_drain (child.from_child);
  close (child.from_child);
  if (!shardpix_spawn_reap (child.pid, TRUE, &reaped, &status, &usage, error))
    return NULL;
  pass->wall_s = (g_get_monotonic_time () - started_us) / 1e6;
  pass->user_s = shardpix_spawn_seconds (&usage.ru_utime);
  pass->sys_s = shardpix_spawn_seconds (&usage.ru_stime);
  pass->max_rss_kb = usage.ru_maxrss;
  pass->exit_code = shardpix_spawn_exit_code (status);
  if (pass->exit_code != SHARDPIX_EXIT_OK && pass->exit_code != SHARDPIX_EXIT_IMAGES)
    {
      g_autofree char *how = shardpix_spawn_describe_status (status);
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_WORKER,
                   "the %s pass (%s run --mode %s) failed: %s", config->name, bench->plan->self,
                   shardpix_mode_name (config->mode), how);
      return NULL;
    }
  return g_steal_pointer (&pass);
}

/* The plan of `run` for one pass: measured as `run` cuts by default. */
static ShardpixRunPlan
bench_plan (Bench *bench, ShardpixJob *job, guint jobs)
{
  const ShardpixBenchPlan *options = bench->plan;
  ShardpixRunPlan plan = {
    .job = job,
    .recursive = options->recursive,
    .slice = options->slice,
    .slice_balance = options->slice_balance,
    .mode = SHARDPIX_MODE_PROCESSES,
    .jobs = jobs,
    .shards = options->shards,
    .balance = SHARDPIX_BALANCE_DEFAULT,
    .worker_exe = bench->plan->self,
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
  ShardpixJob job = *bench->plan->job;
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
  pass->user_s = shardpix_spawn_seconds (&after.ru_utime) - shardpix_spawn_seconds (&before.ru_utime);
  pass->sys_s = shardpix_spawn_seconds (&after.ru_stime) - shardpix_spawn_seconds (&before.ru_stime);
  for (guint i = 0; i < pass->run->children->len; i++)
    {
      const ShardpixChildRecord *child = g_ptr_array_index (pass->run->children, i);

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

  bench->n_passes++;
  if (bench->plan->on_pass != NULL)
    bench->plan->on_pass (timed ? config->name : "warm-up", bench->n_passes,
                          bench->total_passes, round, bench->plan->user_data);
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
  for (guint round = 0; round < bench->plan->repeat; round++)
    for (guint i = 0; i < results->configs->len; i++)
      if (!bench_pass (bench, g_ptr_array_index (results->configs, i), round, TRUE, error))
        return FALSE;
  return TRUE;
}

gboolean
shardpix_bench_images_failed (const ShardpixBenchResults *results)
{
  for (guint i = 0; i < results->configs->len; i++)
    {
      const ShardpixBenchConfig *config = g_ptr_array_index (results->configs, i);

      for (guint k = 0; k < config->passes->len; k++)
        if (((const ShardpixBenchPass *) g_ptr_array_index (config->passes, k))->exit_code
            != SHARDPIX_EXIT_OK)
          return TRUE;
    }
  return FALSE;
}


/* Every configuration's results, the serial baseline first. */
static ShardpixBenchResults *
bench_configs (const ShardpixBenchPlan *plan)
{
  ShardpixBenchResults *results = shardpix_bench_results_new ();

  shardpix_bench_add_config (results, SHARDPIX_MODE_SERIAL, 1);
  for (guint i = 0; i < plan->jobs_list->len; i++)
    for (ShardpixMode mode = SHARDPIX_MODE_PROCESSES; mode <= SHARDPIX_MODE_VIPS_THREADS; mode++)
      if (plan->modes & (1u << mode))
        shardpix_bench_add_config (results, mode, g_array_index (plan->jobs_list, guint, i));
  return results;
}

/* The listing as `run` makes it, with every folder rule: the passes'
 * OUTPUT_DIR is under TMPDIR, so that is where it may not lie. */
static ShardpixRun *
bench_list (Bench *bench, const char *out_dir, GError **error)
{
  g_autoptr (ShardpixRun) run = NULL;
  g_autoptr (GError) local = NULL;
  ShardpixJob job = *bench->plan->job;
  ShardpixRunPlan plan = bench_plan (bench, &job, 1);

  job.output_dir = (char *) out_dir;
  run = shardpix_run_new (&plan, &local);
  if (run != NULL && shardpix_run_check (&plan, run, &local))
    return g_steal_pointer (&run);
  g_set_error (error, local->domain, local->code, "%s%s", local->message,
               g_error_matches (local, SHARDPIX_ERROR, SHARDPIX_ERROR_LAYOUT)
                 ? " (bench writes under TMPDIR)"
                 : "");
  return NULL;
}

ShardpixBenchResults *
shardpix_bench_run (const ShardpixBenchPlan *plan, ShardpixRun **listed, GError **error)
{
  g_autoptr (ShardpixBenchResults) results = bench_configs (plan);
  g_autoptr (GError) local = NULL;
  g_autofree char *out_dir = NULL;
  Bench bench = { .plan = plan };
  gboolean ok;

  bench.scratch = g_dir_make_tmp ("shardpix-bench-XXXXXX", &local);
  if (bench.scratch == NULL)
    {
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_WORKER,
                   "cannot make a temporary folder: %s", local->message);
      return NULL;
    }
  out_dir = g_build_filename (bench.scratch, "out", NULL);
  /* Every pass checks again; this says it once, before the warm-up. */
  *listed = bench_list (&bench, out_dir, error);
  ok = *listed != NULL;
  if (ok)
    {
      results->n_images = (*listed)->listing->paths->len;
      bench.total_passes = 1 + results->configs->len * plan->repeat;
      ok = bench_run (&bench, results, error);
    }
  bench_rmtree (bench.scratch);
  g_free (bench.scratch);
  if (!ok)
    return NULL;
  shardpix_bench_summarise (results);
  return g_steal_pointer (&results);
}
