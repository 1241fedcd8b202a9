#include "shardpix/threads.h"

#include <string.h>

#include "shardpix/choice.h"
#include "shardpix/output.h"
#include "shardpix/pipeline.h"

typedef struct {
  const ShardpixJob *job;
  const guint *indexes;
  const char *const *rels;
  guint n;
  gint64 started_us;
  ShardpixResultFunc func;
  gpointer user_data;
  gint next;           /* the next position in rels[], atomically */
  GMutex lock;         /* serialises func and done */
  ShardpixRecord *done;
} Threads;

typedef struct {
  Threads *threads;
  guint slot;
} ThreadsWorker;

static gpointer
threads_run (gpointer data)
{
  ThreadsWorker *worker = data;
  Threads *threads = worker->threads;

  shardpix_output_set_slot (worker->slot);
  for (;;)
    {
      g_autoptr (GError) error = NULL;
      guint i = (guint) g_atomic_int_add (&threads->next, 1);
      ShardpixRecord result = { .type = SHARDPIX_RECORD_RESULT };
      gint64 start;

      if (i >= threads->n)
        break;
      result.index = threads->indexes[i];
      start = g_get_monotonic_time ();
      shardpix_pipeline_process (threads->job, threads->rels[i], result.index, &error);
      shardpix_record_set_outcome (&result, error);
      result.start_us = start - threads->started_us;
      result.wall_us = g_get_monotonic_time () - start;
      g_mutex_lock (&threads->lock);
      if (result.ok)
        threads->done->n_ok++;
      else
        threads->done->n_failed++;
      threads->done->count++;
      threads->func (&result, threads->user_data);
      g_mutex_unlock (&threads->lock);
    }
  return NULL;
}

void
shardpix_threads_process (const ShardpixJob *job, const guint *indexes,
                          const char *const *rels, guint n, guint n_threads,
                          gint64 started_us, ShardpixResultFunc func, gpointer user_data,
                          ShardpixRecord *done)
{
  Threads threads = { job, indexes, rels, n, started_us, func, user_data, 0, { 0 }, done };
  g_autofree ThreadsWorker *workers = NULL;
  g_autofree GThread **running = NULL;

  g_return_if_fail (n_threads >= 1 && n_threads < SHARDPIX_OUTPUT_MAX_SLOTS);
  memset (done, 0, sizeof *done);
  done->type = SHARDPIX_RECORD_DONE;
  g_mutex_init (&threads.lock);
  workers = g_new0 (ThreadsWorker, n_threads);
  running = g_new0 (GThread *, n_threads);
  shardpix_pipeline_set_concurrent (n_threads > 1);
  /* Slot 0 stays the calling thread's. */
  for (guint t = 0; t < n_threads; t++)
    {
      workers[t] = (ThreadsWorker) { &threads, t + 1 };
      running[t] = g_thread_new ("shardpix-image", threads_run, &workers[t]);
    }
  for (guint t = 0; t < n_threads; t++)
    g_thread_join (running[t]);
  shardpix_pipeline_set_concurrent (FALSE);
  g_mutex_clear (&threads.lock);
  done->wall_us = g_get_monotonic_time () - started_us;
}

static const char *const threads_mode_names[] = {
  [SHARDPIX_MODE_SERIAL] = "serial",
  [SHARDPIX_MODE_PROCESSES] = "processes",
  [SHARDPIX_MODE_THREADS] = "threads",
  [SHARDPIX_MODE_VIPS_THREADS] = "vips-threads",
};

gboolean
shardpix_mode_parse (const char *name, ShardpixMode *mode)
{
  int value = shardpix_choice_find (threads_mode_names, G_N_ELEMENTS (threads_mode_names), name);

  if (value < 0)
    return FALSE;
  *mode = (ShardpixMode) value;
  return TRUE;
}

const char *
shardpix_mode_name (ShardpixMode mode)
{
  g_return_val_if_fail ((guint) mode < G_N_ELEMENTS (threads_mode_names), "?");
  return threads_mode_names[mode];
}
