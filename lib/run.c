/* One run of a job over a folder (see shardpix/run.h for the steps). */
#include "shardpix/run.h"

#include "shardpix/error.h"
#include "shardpix/folders.h"
#include "shardpix/manifest.h"
#include "shardpix/memguard.h"
#include "shardpix/output.h"
#include "shardpix/pipeline.h"
#include "shardpix/resume.h"
#include "shardpix/worker.h"

void
shardpix_run_free (ShardpixRun *run)
{
  if (run == NULL)
    return;
  g_clear_pointer (&run->listing, shardpix_listing_free);
  shardpix_slice_info_clear (&run->slice_info);
  g_clear_pointer (&run->record, shardpix_run_record_free);
  g_free (run);
}

/* The limits that come from the mode, not from one option alone. */
static gboolean
run_plan_check (const ShardpixRunPlan *plan, GError **error)
{
  if (plan->jobs < 1 || plan->jobs > SHARDPIX_RUN_MAX_JOBS
      || plan->shards > SHARDPIX_RUN_MAX_SHARDS)
    {
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
                   "--jobs must be 1 to %d, --shards 0 to %d", SHARDPIX_RUN_MAX_JOBS,
                   SHARDPIX_RUN_MAX_SHARDS);
      return FALSE;
    }
  if (plan->mode == SHARDPIX_MODE_THREADS && plan->jobs >= SHARDPIX_OUTPUT_MAX_SLOTS)
    {
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
                   "--mode threads takes at most %d --jobs", SHARDPIX_OUTPUT_MAX_SLOTS - 1);
      return FALSE;
    }
  if ((plan->mode == SHARDPIX_MODE_THREADS || plan->mode == SHARDPIX_MODE_VIPS_THREADS)
      && plan->max_memory_mb > 0)
    {
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
                   "--max-memory limits each worker process: not with --mode %s",
                   shardpix_mode_name (plan->mode));
      return FALSE;
    }
  return TRUE;
}

/* A folder, manifest or file size that cannot be read is the input's
 * fault, whatever system call said so: exit 2, as for a missing folder.
 * Takes @local; returns FALSE. */
static gboolean
run_input_error (GError **error, GError *local)
{
  if (local->domain == SHARDPIX_ERROR)
    g_propagate_error (error, local);
  else
    {
      g_set_error_literal (error, SHARDPIX_ERROR, SHARDPIX_ERROR_INPUT, local->message);
      g_error_free (local);
    }
  return FALSE;
}

ShardpixListing *
shardpix_run_list (const ShardpixRunPlan *plan, GError **error)
{
  g_autoptr (GError) local = NULL;
  ShardpixListing *listing =
    plan->files_from != NULL
      ? shardpix_manifest_read (plan->job->input_dir, plan->files_from,
                                plan->files_from_nul ? SHARDPIX_MANIFEST_NUL
                                                     : SHARDPIX_MANIFEST_LINES,
                                &local)
      : shardpix_folders_list_inputs (plan->job, plan->recursive, &local);

  if (listing == NULL)
    run_input_error (error, g_steal_pointer (&local));
  return listing;
}

ShardpixRun *
shardpix_run_new (ShardpixRunPlan *plan, GError **error)
{
  g_autoptr (ShardpixRun) run = g_new0 (ShardpixRun, 1);
  ShardpixJob *job = plan->job;

  if (!run_plan_check (plan, error) || !shardpix_folders_prepare (job, error))
    return NULL;
  /* The images decoded at once share half of physical memory. */
  if (job->max_buffer_mb == SHARDPIX_JOB_AUTO_MAX_BUFFER)
    job->max_buffer_mb = shardpix_memguard_default_mb (
        plan->mode == SHARDPIX_MODE_PROCESSES || plan->mode == SHARDPIX_MODE_THREADS
            ? plan->jobs
            : 1);
  run->listing = shardpix_run_list (plan, error);
  if (run->listing == NULL)
    return NULL;
  return g_steal_pointer (&run);
}

/* Two inputs renamed onto one output would have one silently replace the
 * other. */
static gboolean
run_check_outputs (const ShardpixJob *job, GPtrArray *paths, GError **error)
{
  g_auto (ShardpixOutputPlan) plan = { 0 };
  guint first, second;

  if (shardpix_output_plan_distinct (job, paths, &first, &second))
    return TRUE;
  shardpix_output_plan_init (&plan, job, g_ptr_array_index (paths, first));
  g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
               "%s and %s would both be saved as %s: change --output-name",
               (const char *) g_ptr_array_index (paths, first),
               (const char *) g_ptr_array_index (paths, second), plan.path);
  return FALSE;
}

gboolean
shardpix_run_check (const ShardpixRunPlan *plan, ShardpixRun *run, GError **error)
{
  ShardpixListing *listing = run->listing;

  if (listing->paths->len == 0)
    {
      g_autofree char *why = shardpix_listing_skipped_text (listing);

      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_INPUT, "no image in %s%s%s%s",
                   plan->job->input_dir, *why ? " (skipped: " : "", why, *why ? ")" : "");
      return FALSE;
    }
  if (!run_check_outputs (plan->job, listing->paths, error))
    return FALSE;
  /* After the collision check (it is about the whole folder), before
   * --resume (which looks only at this slice's files). */
  if (plan->slice != NULL)
    {
      g_autoptr (GError) local = NULL;

      if (!shardpix_slice_listing (plan->slice, plan->slice_balance, listing, &run->slice_info,
                                   &local))
        return run_input_error (error, g_steal_pointer (&local));
      run->sliced = TRUE;
    }
  run->n_listed = listing->paths->len;
  if (plan->resume)
    run->n_resumed = shardpix_resume_filter (plan->job, listing->paths);
  return TRUE;
}

/* --serial and the modes that never fork: libvips starts here. */
static gboolean
run_in_process (const ShardpixRunPlan *plan, ShardpixRun *run, GError **error)
{
  g_autoptr (GError) local = NULL;
  GPtrArray *paths = run->listing->paths;
  g_autofree guint *indexes = g_new (guint, MAX (paths->len, 1));
  g_auto (ShardpixRecord) done = { 0 };
  gint64 started_us = g_get_monotonic_time ();
  const char *const *rels = (const char *const *) paths->pdata;
  int vips_threads = plan->mode == SHARDPIX_MODE_VIPS_THREADS ? (int) plan->jobs
                     : plan->mode == SHARDPIX_MODE_THREADS   ? 1
                                                             : plan->job->threads;

  if (!shardpix_pipeline_init ("shardpix", vips_threads, &local))
    {
      g_set_error_literal (error, SHARDPIX_ERROR, SHARDPIX_ERROR_WORKER, local->message);
      return FALSE;
    }
  shardpix_worker_install_signal_handlers ();
  for (guint i = 0; i < paths->len; i++)
    indexes[i] = i;
  if (plan->mode == SHARDPIX_MODE_THREADS)
    shardpix_threads_process (plan->job, indexes, rels, paths->len, plan->jobs, started_us,
                              plan->on_result, plan->user_data, &done);
  else
    shardpix_worker_process (plan->job, indexes, rels, paths->len, started_us,
                             plan->on_result, plan->user_data, &done);
  run->n_ok = done.n_ok;
  run->n_failed = done.n_failed;
  return TRUE;
}

/* Under --max-memory, glibc's per-thread arenas and libjpeg's progressive
 * buffers would hit the limit first: fewer arenas, and a libjpeg budget of
 * half the limit. A value the user set is kept. */
static GStrv
run_worker_environment (const ShardpixRunPlan *plan)
{
  GStrv envp = g_get_environ ();
  g_autofree char *jpegmem = NULL;

  if (plan->max_memory_mb == 0)
    return envp;
  jpegmem = g_strdup_printf ("%" G_GUINT64_FORMAT "M", MAX (plan->max_memory_mb / 2, 1));
  envp = g_environ_setenv (envp, "MALLOC_ARENA_MAX", "2", FALSE);
  envp = g_environ_setenv (envp, "JPEGMEM", jpegmem, FALSE);
  return envp;
}

static gboolean
run_processes (const ShardpixRunPlan *plan, ShardpixRun *run, GError **error)
{
  g_autoptr (GArray) order = NULL;
  g_autoptr (GArray) shards = NULL;
  g_autofree char *self = NULL;
  g_auto (GStrv) envp = run_worker_environment (plan);
  g_autoptr (GError) local = NULL;
  ShardpixSupervisorConfig config = {
    .job = plan->job,
    .paths = run->listing->paths,
    .jobs = (int) plan->jobs,
    .timeout_s = (int) plan->timeout_s,
    .envp = (const char *const *) envp,
    .max_memory_mb = plan->max_memory_mb,
    .dynamic = plan->balance == SHARDPIX_BALANCE_DYNAMIC,
    .on_result = plan->on_result,
    .user_data = plan->user_data,
  };

  shards = shardpix_balance_cut (run->listing, plan->balance, plan->shards, plan->jobs, &order,
                                 &local);
  if (shards == NULL)
    return run_input_error (error, g_steal_pointer (&local));
  config.shards = shards;
  run->n_shards = shards->len;
  config.order = order;
  config.grant_ahead = config.dynamic ? (guint) plan->job->prefetch : 0;
  if (plan->worker_exe == NULL)
    {
      self = g_file_read_link ("/proc/self/exe", &local);
      if (self == NULL)
        {
          g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_WORKER,
                       "cannot find own executable: %s", local->message);
          return FALSE;
        }
    }
  config.worker_exe = plan->worker_exe ? plan->worker_exe : self;
  if (!shardpix_supervisor_run (&config, &run->record, error))
    return FALSE;
  run->n_ok = run->record->n_ok;
  run->n_failed = run->record->n_failed;
  run->n_undone = run->record->undone->len;
  return TRUE;
}

gboolean
shardpix_run_execute (const ShardpixRunPlan *plan, ShardpixRun *run, GError **error)
{
  return plan->mode == SHARDPIX_MODE_PROCESSES ? run_processes (plan, run, error)
                                               : run_in_process (plan, run, error);
}

int
shardpix_run_exit_status (const ShardpixRun *run)
{
  const ShardpixRunRecord *record = run->record;

  if (record != NULL && record->stop_signal != 0)
    return 128 + record->stop_signal;
  if (record != NULL && record->output_stop != NULL)
    return SHARDPIX_EXIT_IMAGES;
  if (record != NULL && record->child_failed)
    return SHARDPIX_EXIT_WORKER;
  return run->n_failed > 0 ? SHARDPIX_EXIT_IMAGES : SHARDPIX_EXIT_OK;
}
