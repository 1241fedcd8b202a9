#include "shardpix/supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shardpix/error.h"
#include "shardpix/output-name.h"
#include "shardpix/output.h"
#include "shardpix/protocol.h"
#include "shardpix/signals.h"
#include "shardpix/spawn.h"
#include "shardpix/workqueue.h"

/* How long workers get to finish after SIGTERM before SIGKILL. */
#define SUPERVISOR_GRACE_US (2 * G_USEC_PER_SEC)

/* Outputs that could not be written, in a row, before the run stops: one
 * could be a single bad name, several mean the disk is full or read-only. */
#define SUPERVISOR_MAX_OUTPUT_ERRORS 5

typedef enum {
  SLOT_FREE,     /* no worker */
  SLOT_WORKING,  /* worker alive: its pipes are polled */
  SLOT_DRAINING, /* results pipe at EOF: waiting to reap */
} SlotState;

typedef struct {
  SlotState state;
  ShardpixChild child;
  ShardpixChildReport *report; /* owned by the run report */
  GByteArray *input;           /* file list still to write */
  gsize input_sent;
  ShardpixDecoder *decoder;
  guint next;                  /* listing index of the next expected RESULT */
  gboolean more;               /* its last grant ended with MORE, not END */
  ShardpixWork ahead;          /* granted ahead (sent, not begun); count 0: none */
  gint64 last_heard_us;
} Slot;

typedef struct {
  const ShardpixSupervisorConfig *config;
  ShardpixRunReport *report;
  GPtrArray *argv;
  ShardpixSpawnLimits limits;
  Slot *slots;
  ShardpixWorkQueue *queue;
  gboolean stopping;   /* no new workers: signal, unwritable outputs, or a worker
                          that failed to start */
  gint64 kill_at_us;   /* SIGKILL the rest after this; 0: not killing */
  guint output_errors; /* consecutive results that could not write their output */
  gint64 started_us;
} Supervisor;

static void
child_report_free (gpointer data)
{
  ShardpixChildReport *child = data;

  g_free (child->failure);
  g_clear_pointer (&child->images, g_array_unref);
  g_free (child);
}

void
shardpix_run_report_free (ShardpixRunReport *report)
{
  if (report == NULL)
    return;
  g_ptr_array_unref (report->children);
  g_array_unref (report->undone);
  g_clear_pointer (&report->order, g_array_unref);
  g_free (report->output_stop);
  g_free (report);
}

guint
shardpix_run_report_listing_index (const ShardpixRunReport *report, guint position)
{
  if (report->order == NULL)
    return position;
  g_return_val_if_fail (position < report->order->len, position);
  return g_array_index (report->order, guint, position);
}

static void
supervisor_fail_child (ShardpixChildReport *child, const char *format, ...)
  G_GNUC_PRINTF (2, 3);

static void
supervisor_fail_child (ShardpixChildReport *child, const char *format, ...)
{
  va_list args;

  if (child->failure != NULL)
    return;
  va_start (args, format);
  child->failure = g_strdup_vprintf (format, args);
  va_end (args);
}

static gint
supervisor_compare_index (gconstpointer a, gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return (x > y) - (x < y);
}

static guint
supervisor_index (const Supervisor *sup, guint position)
{
  return shardpix_run_report_listing_index (sup->report, position);
}

static GByteArray *
supervisor_encode_list (Supervisor *sup, const ShardpixRange *range, gboolean more)
{
  GByteArray *list = g_byte_array_new ();
  ShardpixRecord end = { .type = more ? SHARDPIX_RECORD_MORE : SHARDPIX_RECORD_END,
                         .count = range->count };

  for (guint i = range->start; i < range->start + range->count; i++)
    {
      guint index = supervisor_index (sup, i);
      const char *rel = g_ptr_array_index (sup->config->paths, index);
      ShardpixRecord file = { .type = SHARDPIX_RECORD_FILE, .index = index,
                              .text = (char *) rel, .text_len = strlen (rel) };

      shardpix_protocol_encode (list, &file);
    }
  shardpix_protocol_encode (list, &end);
  return list;
}

static void
supervisor_mark_undone (Supervisor *sup, guint start, guint end)
{
  for (guint i = start; i < end; i++)
    {
      guint index = supervisor_index (sup, i);

      g_array_append_val (sup->report->undone, index);
    }
}

static void
supervisor_start_next (Supervisor *sup, Slot *slot)
{
  ShardpixWork work = shardpix_work_queue_pop (sup->queue);
  const ShardpixRange *range = &work.range;
  ShardpixChildReport *child = g_new0 (ShardpixChildReport, 1);
  g_autoptr (GError) error = NULL;

  child->shard = work.shard;
  child->range = *range;
  child->retry = work.retry;
  child->images = g_array_new (FALSE, FALSE, sizeof (ShardpixImageTiming));
  g_ptr_array_add (sup->report->children, child);

  if (!shardpix_spawn_start ((const char *const *) sup->argv->pdata, &sup->limits,
                             &slot->child, &error))
    {
      supervisor_fail_child (child, "%s", error->message);
      child->n_undone = range->count;
      supervisor_mark_undone (sup, range->start, range->start + range->count);
      sup->report->child_failed = TRUE;
      /* The same binary would fail the same way for every shard. */
      sup->stopping = TRUE;
      return;
    }
  child->pid = slot->child.pid;
  child->started_us = slot->child.started_us - sup->started_us;
  child->n_files = range->count;
  slot->state = SLOT_WORKING;
  slot->report = child;
  /* A retry runs alone: its death must be pinned on its one file. */
  slot->more = sup->config->dynamic && !work.retry;
  slot->input = supervisor_encode_list (sup, range, slot->more);
  slot->input_sent = 0;
  slot->decoder = shardpix_decoder_new ();
  slot->next = range->start;
  slot->last_heard_us = g_get_monotonic_time ();
}

static void
supervisor_close_input (Slot *slot)
{
  if (slot->child.to_child >= 0)
    close (slot->child.to_child);
  slot->child.to_child = -1;
  g_clear_pointer (&slot->input, g_byte_array_unref);
}

static void
supervisor_write_input (Slot *slot)
{
  while (slot->input_sent < slot->input->len)
    {
      ssize_t wrote = write (slot->child.to_child, slot->input->data + slot->input_sent,
                             slot->input->len - slot->input_sent);

      if (wrote < 0 && errno == EINTR)
        continue;
      if (wrote < 0 && errno == EAGAIN)
        return;
      if (wrote < 0)
        {
          /* EPIPE: the worker is gone; its exit status will say why. */
          break;
        }
      slot->input_sent += (gsize) wrote;
    }
  if (slot->more && slot->input_sent == slot->input->len)
    {
      g_clear_pointer (&slot->input, g_byte_array_unref);
      return;
    }
  supervisor_close_input (slot);
}

/* Dynamic balance: the worker finished its grant; give it the next shard,
 * or END when none is left (a retry waits for a fresh worker of its own). */
static void
supervisor_grant (Supervisor *sup, Slot *slot)
{
  ShardpixChildReport *child = slot->report;
  ShardpixRange none = { slot->next, 0 };
  ShardpixWork work = { none, child->shard, FALSE };

  if (!sup->stopping && !shardpix_work_queue_is_empty (sup->queue))
    {
      work = shardpix_work_queue_pop (sup->queue);
      if (work.retry)
        {
          shardpix_work_queue_push_front (sup->queue, &work);
          work = (ShardpixWork){ none, child->shard, FALSE };
        }
    }
  slot->more = work.range.count > 0;
  /* END alone leaves the report on the last grant: an empty range would
   * point past the listing. */
  if (slot->more)
    {
      child->range = work.range;
      child->shard = work.shard;
      child->n_files += work.range.count;
      slot->next = work.range.start;
    }
  slot->input = supervisor_encode_list (sup, &work.range, slot->more);
  slot->input_sent = 0;
  supervisor_write_input (slot);
}

/* Dynamic balance with prefetch: the next grant is sent while the worker
 * still has config->grant_ahead files of its current one to do, so that
 * it reads the next files ahead across the boundary instead of waiting
 * for the first of each grant. At most one grant ahead; a retry waits for
 * a fresh worker of its own. */
static void
supervisor_grant_ahead (Supervisor *sup, Slot *slot)
{
  const ShardpixRange *range = &slot->report->range;
  g_autoptr (GByteArray) list = NULL;
  ShardpixWork work;

  if (!slot->more || slot->ahead.range.count > 0 || sup->stopping
      || sup->config->grant_ahead == 0
      || range->start + range->count - slot->next > sup->config->grant_ahead
      || shardpix_work_queue_is_empty (sup->queue))
    return;
  work = shardpix_work_queue_pop (sup->queue);
  if (work.retry)
    {
      shardpix_work_queue_push_front (sup->queue, &work);
      return;
    }
  slot->ahead = work;
  list = supervisor_encode_list (sup, &work.range, TRUE);
  if (slot->input == NULL)
    {
      slot->input = g_steal_pointer (&list);
      slot->input_sent = 0;
    }
  else
    g_byte_array_append (slot->input, list->data, list->len);
  supervisor_write_input (slot);
}

/* The worker finished its grant and goes on with the one sent ahead. */
static void
supervisor_begin_ahead (Slot *slot)
{
  ShardpixChildReport *child = slot->report;

  child->range = slot->ahead.range;
  child->shard = slot->ahead.shard;
  child->n_files += slot->ahead.range.count;
  slot->next = slot->ahead.range.start;
  slot->ahead.range.count = 0;
}

static void
supervisor_kill (Slot *slot, int signo)
{
  if (slot->state != SLOT_FREE && !slot->report->reaped)
    kill (slot->child.pid, signo);
}

static void
supervisor_kill (Slot *slot, int signo);

/* Stops every worker: SIGTERM now, SIGKILL after the grace period (or at
 * once with @now). */
static void
supervisor_stop_workers (Supervisor *sup, gboolean now)
{
  sup->stopping = TRUE;
  sup->kill_at_us = g_get_monotonic_time () + (now ? 0 : SUPERVISOR_GRACE_US);
  for (guint i = 0; i < sup->config->jobs; i++)
    supervisor_kill (&sup->slots[i], now ? SIGKILL : SIGTERM);
}

/* Disk full or read-only: every remaining file would fail the same way, so
 * stop rather than fail them one by one. */
static void
supervisor_count_output_error (Supervisor *sup, const ShardpixRecord *record)
{
  if (!shardpix_protocol_is_output_error (record))
    {
      sup->output_errors = 0;
      return;
    }
  if (++sup->output_errors < SUPERVISOR_MAX_OUTPUT_ERRORS || sup->report->output_stop)
    return;
  sup->report->output_stop = g_strdup (record->text);
  supervisor_stop_workers (sup, FALSE);
}

static void
supervisor_handle_record (Supervisor *sup, Slot *slot, const ShardpixRecord *record)
{
  ShardpixChildReport *child = slot->report;
  const ShardpixRange *range = &child->range;

  if (record->type == SHARDPIX_RECORD_RESULT && !child->done
      && slot->next < range->start + range->count
      && record->index == supervisor_index (sup, slot->next))
    {
      ShardpixImageTiming timing = { record->index, record->ok, record->start_us,
                                     record->wall_us };

      g_array_append_val (child->images, timing);
      slot->next++;
      if (record->ok)
        child->n_ok++, sup->report->n_ok++;
      else
        child->n_failed++, sup->report->n_failed++;
      if (sup->config->on_result != NULL)
        sup->config->on_result (record, sup->config->user_data);
      supervisor_count_output_error (sup, record);
      if (slot->more && slot->next == range->start + range->count)
        {
          if (slot->ahead.range.count > 0)
            supervisor_begin_ahead (slot);
          else
            supervisor_grant (sup, slot);
        }
      supervisor_grant_ahead (sup, slot);
      return;
    }
  if (record->type == SHARDPIX_RECORD_DONE && !child->done && !slot->more
      && slot->next == range->start + range->count && record->count == child->n_files)
    {
      child->done = TRUE;
      child->init_us = record->init_us;
      return;
    }
  supervisor_fail_child (child, "sent an unexpected record (type %d, index %u)",
                         record->type, record->index);
  supervisor_kill (slot, SIGKILL);
}

static void
supervisor_read_results (Supervisor *sup, Slot *slot)
{
  guint8 chunk[16384];

  for (;;)
    {
      ssize_t got = read (slot->child.from_child, chunk, sizeof chunk);
      g_autoptr (GError) error = NULL;

      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0 && errno == EAGAIN)
        return;
      if (got <= 0)
        {
          if (!shardpix_decoder_finish (slot->decoder, &error))
            supervisor_fail_child (slot->report, "%s", error->message);
          close (slot->child.from_child);
          slot->child.from_child = -1;
          slot->state = SLOT_DRAINING;
          return;
        }
      slot->last_heard_us = g_get_monotonic_time ();
      shardpix_decoder_feed (slot->decoder, chunk, (gsize) got);
      for (;;)
        {
          g_auto (ShardpixRecord) record = { 0 };

          if (!shardpix_decoder_next (slot->decoder, &record, &error))
            {
              supervisor_fail_child (slot->report, "%s", error->message);
              supervisor_kill (slot, SIGKILL);
              close (slot->child.from_child);
              slot->child.from_child = -1;
              slot->state = SLOT_DRAINING;
              return;
            }
          if (record.type == SHARDPIX_RECORD_NONE)
            break;
          supervisor_handle_record (sup, slot, &record);
        }
    }
}

/* A worker that died mid-image leaves its temporary file; its name is
 * derived from the run's token, the pid and the image it was on, so we can
 * remove it, in its folder opened as the worker opened it (output.h). */
static void
supervisor_remove_temp (Supervisor *sup, Slot *slot)
{
  const ShardpixJob *job = sup->config->job;
  guint index = supervisor_index (sup, slot->next);
  g_auto (ShardpixOutputPlan) plan = { 0 };
  g_autofree char *temp = shardpix_output_name_temp (job, slot->child.pid, index);
  int dir_fd;

  shardpix_output_plan_init (&plan, job, g_ptr_array_index (sup->config->paths, index));
  dir_fd = shardpix_output_open_dir (job->output_dir, plan.dir, FALSE, NULL);
  if (dir_fd < 0)
    return;
  unlinkat (dir_fd, temp, 0);
  close (dir_fd);
}

/* Exit codes of `shardpix worker` that say it could not work at all: every
 * other worker would fail the same way, so retrying is pointless. */
static gboolean
supervisor_is_hopeless (int status)
{
  if (!WIFEXITED (status))
    return FALSE;
  switch (WEXITSTATUS (status))
    {
    case SHARDPIX_WORKER_EXIT_USAGE:
    case SHARDPIX_WORKER_EXIT_PROTOCOL:
    case SHARDPIX_WORKER_EXIT_INIT:
      return TRUE;
    default:
      return FALSE;
    }
}

/* The retry of a single file died too: that file is what kills workers. It
 * fails like any image, named with the death as its reason. */
static void
supervisor_poison (Supervisor *sup, ShardpixChildReport *child, guint index)
{
  g_autofree char *reason = g_strdup_printf ("poison file: its worker died on it twice "
                                             "(last: %s)", child->failure);
  ShardpixRecord result = { .type = SHARDPIX_RECORD_RESULT, .index = index, .ok = FALSE,
                            .text = reason, .text_len = strlen (reason) };

  child->poisoned = TRUE;
  child->n_failed++;
  sup->report->n_failed++;
  sup->report->n_poison++;
  if (sup->config->on_result != NULL)
    sup->config->on_result (&result, sup->config->user_data);
}

/* What happens to the files a worker ended without a result for. */
static void
supervisor_handle_unfinished (Supervisor *sup, Slot *slot, int status)
{
  ShardpixChildReport *child = slot->report;
  guint end = child->range.start + child->range.count;
  ShardpixWork rest, alone;

  const ShardpixWork *ahead = &slot->ahead;

  if (slot->next == end && ahead->range.count == 0)
    return;
  child->n_undone = end - slot->next + ahead->range.count;
  if (child->done || sup->stopping || supervisor_is_hopeless (status))
    {
      if (!child->done && !sup->stopping)
        {
          /* Not the file's fault: the worker cannot work. */
          sup->report->child_failed = TRUE;
          sup->stopping = TRUE;
        }
      supervisor_mark_undone (sup, slot->next, end);
      supervisor_mark_undone (sup, ahead->range.start,
                              ahead->range.start + ahead->range.count);
      return;
    }
  /* The grant sent ahead was not begun: it goes back as it was, after what
   * the worker was on. */
  if (ahead->range.count > 0)
    shardpix_work_queue_push_front (sup->queue, ahead);
  child->n_undone -= ahead->range.count;
  if (slot->next == end)
    return;
  if (child->retry)
    {
      supervisor_poison (sup, child, supervisor_index (sup, slot->next));
      child->n_undone = 0;
      return;
    }
  /* The file it was on alone, then the rest of its range, both in fresh
   * workers and ahead of the shards not started yet. */
  child->requeued = TRUE;
  sup->report->n_retried++;
  rest = (ShardpixWork){ { slot->next + 1, end - slot->next - 1 }, child->shard, FALSE };
  alone = (ShardpixWork){ { slot->next, 1 }, child->shard, TRUE };
  shardpix_work_queue_push_front (sup->queue, &rest);
  shardpix_work_queue_push_front (sup->queue, &alone);
}

static void
supervisor_finish (Supervisor *sup, Slot *slot, int status, const struct rusage *usage)
{
  ShardpixChildReport *child = slot->report;
  const ShardpixRange *range = &child->range;
  guint end = range->start + range->count;

  child->reaped = TRUE;
  child->status = status;
  child->wall_us = g_get_monotonic_time () - slot->child.started_us;
  child->user_s = usage->ru_utime.tv_sec + usage->ru_utime.tv_usec / 1e6;
  child->sys_s = usage->ru_stime.tv_sec + usage->ru_stime.tv_usec / 1e6;
  child->max_rss_kb = usage->ru_maxrss;

  if (!child->done || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      g_autofree char *how = shardpix_spawn_describe_status (status);

      if (!child->done)
        supervisor_fail_child (child, "%s before finishing its shard", how);
      else
        supervisor_fail_child (child, "%s after finishing its shard", how);
    }
  if (slot->next < end)
    supervisor_remove_temp (sup, slot);
  supervisor_handle_unfinished (sup, slot, status);

  supervisor_close_input (slot);
  if (slot->child.from_child >= 0)
    close (slot->child.from_child);
  g_clear_pointer (&slot->decoder, shardpix_decoder_free);
  memset (slot, 0, sizeof *slot);
  slot->state = SLOT_FREE;
  slot->child.to_child = slot->child.from_child = -1;
}

static gboolean
supervisor_reap (Supervisor *sup, Slot *slot, gboolean block, GError **error)
{
  struct rusage usage;
  gboolean reaped = FALSE;
  int status = 0;

  if (!shardpix_spawn_reap (slot->child.pid, block, &reaped, &status, &usage, error))
    return FALSE;
  if (!reaped)
    return TRUE;
  /* Whatever it wrote before dying is in the pipe: take it before judging. */
  if (slot->state == SLOT_WORKING)
    supervisor_read_results (sup, slot);
  supervisor_finish (sup, slot, status, &usage);
  return TRUE;
}

static void
supervisor_on_stop_signal (Supervisor *sup, int signo)
{
  gboolean again = sup->report->stop_signal != 0;

  if (!again)
    sup->report->stop_signal = signo;
  supervisor_stop_workers (sup, again);
}

static void
supervisor_drain_signals (Supervisor *sup)
{
  int signo;

  while ((signo = shardpix_signals_next ()) != 0)
    if (signo != SIGCHLD)
      supervisor_on_stop_signal (sup, signo);
}

static void
supervisor_check_deadlines (Supervisor *sup)
{
  gint64 now = g_get_monotonic_time ();
  guint timeout_s = sup->config->timeout_s;

  for (guint i = 0; i < sup->config->jobs; i++)
    {
      Slot *slot = &sup->slots[i];

      if (slot->state == SLOT_FREE)
        continue;
      if (sup->kill_at_us != 0 && now >= sup->kill_at_us)
        supervisor_kill (slot, SIGKILL);
      else if (timeout_s > 0 && slot->state == SLOT_WORKING
               && now - slot->last_heard_us > (gint64) timeout_s * G_USEC_PER_SEC)
        {
          supervisor_fail_child (slot->report, "sent nothing for %u s: killed", timeout_s);
          supervisor_kill (slot, SIGKILL);
          slot->last_heard_us = now;
        }
    }
}

static guint
supervisor_active (Supervisor *sup)
{
  guint active = 0;

  for (guint i = 0; i < sup->config->jobs; i++)
    active += sup->slots[i].state != SLOT_FREE;
  return active;
}

static gboolean
supervisor_loop (Supervisor *sup, GError **error)
{
  const guint jobs = sup->config->jobs;
  g_autofree struct pollfd *fds = g_new0 (struct pollfd, 1 + 2 * jobs);

  for (;;)
    {
      guint n = 0;

      for (guint i = 0; i < jobs && !sup->stopping; i++)
        if (sup->slots[i].state == SLOT_FREE && !shardpix_work_queue_is_empty (sup->queue))
          supervisor_start_next (sup, &sup->slots[i]);
      if (supervisor_active (sup) == 0)
        return TRUE;

      fds[n++] = (struct pollfd){ .fd = shardpix_signals_fd (), .events = POLLIN };
      for (guint i = 0; i < jobs; i++)
        {
          Slot *slot = &sup->slots[i];

          if (slot->state == SLOT_WORKING)
            fds[n++] = (struct pollfd){ .fd = slot->child.from_child, .events = POLLIN };
          if (slot->state != SLOT_FREE && slot->input != NULL)
            fds[n++] = (struct pollfd){ .fd = slot->child.to_child, .events = POLLOUT };
        }
      /* A short timeout bounds how late a deadline is noticed. */
      if (poll (fds, n, 250) < 0 && errno != EINTR)
        return shardpix_error_errno (errno, error, "poll failed");

      supervisor_drain_signals (sup);
      for (guint i = 0; i < jobs; i++)
        {
          Slot *slot = &sup->slots[i];

          if (slot->state == SLOT_WORKING)
            supervisor_read_results (sup, slot);
          if (slot->state != SLOT_FREE && slot->input != NULL)
            supervisor_write_input (slot);
          if (slot->state == SLOT_DRAINING || slot->state == SLOT_WORKING)
            if (!supervisor_reap (sup, slot, FALSE, error))
              return FALSE;
        }
      supervisor_check_deadlines (sup);
    }
}

static GPtrArray *
supervisor_worker_argv (const ShardpixSupervisorConfig *config)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (argv, g_strdup (config->worker_exe));
  g_ptr_array_add (argv, g_strdup ("worker"));
  shardpix_job_append_args (config->job, argv);
  g_ptr_array_add (argv, g_strdup ("--"));
  g_ptr_array_add (argv, g_strdup (config->job->input_dir));
  g_ptr_array_add (argv, g_strdup (config->job->output_dir));
  g_ptr_array_add (argv, NULL);
  return argv;
}

/* What no worker was given: positions in the queue, listing indexes in the
 * report. */
static void
supervisor_drain_queue (Supervisor *sup)
{
  g_autoptr (GArray) positions = g_array_new (FALSE, FALSE, sizeof (guint));

  shardpix_work_queue_drain (sup->queue, positions);
  for (guint i = 0; i < positions->len; i++)
    {
      guint index = supervisor_index (sup, g_array_index (positions, guint, i));

      g_array_append_val (sup->report->undone, index);
    }
  g_array_sort (sup->report->undone, supervisor_compare_index);
}

gboolean
shardpix_supervisor_run (const ShardpixSupervisorConfig *config, ShardpixRunReport **out,
                         GError **error)
{
  g_autoptr (ShardpixRunReport) report = g_new0 (ShardpixRunReport, 1);
  g_autoptr (ShardpixWorkQueue) queue = shardpix_work_queue_new (config->shards);
  ShardpixSignals saved;
  gint64 started_us = g_get_monotonic_time ();
  struct rusage self;
  Supervisor sup = { 0 };
  gboolean ok;

  g_return_val_if_fail (config->jobs >= 1, FALSE);

  report->children = g_ptr_array_new_with_free_func (child_report_free);
  report->undone = g_array_new (FALSE, FALSE, sizeof (guint));
  report->order = config->order != NULL ? g_array_ref (config->order) : NULL;
  sup.config = config;
  sup.report = report;
  sup.started_us = started_us;
  sup.queue = queue;
  sup.argv = supervisor_worker_argv (config);
  sup.limits.envp = config->envp;
  sup.limits.max_address_space = (rlim_t) config->max_memory_mb * 1024 * 1024;
  sup.slots = g_new0 (Slot, config->jobs);

  if (!shardpix_signals_install (&saved, error))
    {
      g_ptr_array_unref (sup.argv);
      g_free (sup.slots);
      return FALSE;
    }
  ok = supervisor_loop (&sup, error);
  if (!ok)
    for (guint i = 0; i < config->jobs; i++)
      if (sup.slots[i].state != SLOT_FREE)
        {
          supervisor_kill (&sup.slots[i], SIGKILL);
          supervisor_reap (&sup, &sup.slots[i], TRUE, NULL);
        }
  supervisor_drain_queue (&sup);
  shardpix_signals_restore (&saved);
  g_ptr_array_unref (sup.argv);
  g_free (sup.slots);
  if (!ok)
    return FALSE;

  report->wall_us = g_get_monotonic_time () - started_us;
  getrusage (RUSAGE_SELF, &self);
  report->user_s = self.ru_utime.tv_sec + self.ru_utime.tv_usec / 1e6;
  report->sys_s = self.ru_stime.tv_sec + self.ru_stime.tv_usec / 1e6;
  *out = g_steal_pointer (&report);
  return TRUE;
}
