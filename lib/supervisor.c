#include "shardpix/supervisor.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shardpix/error.h"
#include "shardpix/protocol.h"
#include "shardpix/recovery.h"
#include "shardpix/signals.h"
#include "shardpix/slot.h"
#include "shardpix/spawn.h"
#include "shardpix/workqueue.h"

/* How long workers get to finish after SIGTERM before SIGKILL. */
#define SUPERVISOR_GRACE_US (2 * G_USEC_PER_SEC)

/* Outputs that could not be written, in a row, before the run stops: one
 * could be a single bad name, several mean the disk is full or read-only. */
#define SUPERVISOR_MAX_OUTPUT_ERRORS 5

/* The run as a whole; each slot has its own machine (slot.h). */
typedef enum {
  SUPERVISOR_RUNNING,  /* workers are started and granted work */
  SUPERVISOR_CLOSING,  /* no more work: a worker could not start or cannot
                          work; the others finish what they were given */
  SUPERVISOR_STOPPING, /* a stop signal or unwritable outputs: SIGTERM sent,
                          SIGKILL at kill_at_us */
  SUPERVISOR_KILLING,  /* SIGKILL sent */
} SupervisorPhase;

typedef struct {
  const ShardpixSupervisorConfig *config;
  ShardpixRunRecord *record;
  ShardpixSlotContext context;
  GPtrArray *argv;
  ShardpixSpawnLimits limits;
  ShardpixSlot *slots;
  ShardpixWorkQueue *queue;
  SupervisorPhase phase;
  gint64 kill_at_us;   /* STOPPING: when the grace period ends */
  guint output_errors; /* consecutive results that could not write their output */
} Supervisor;

static void supervisor_dispatch (Supervisor *sup, ShardpixSlot *slot, ShardpixSlotEvent event,
                                 const ShardpixSlotEventData *data);

static gboolean
supervisor_takes_work (const Supervisor *sup)
{
  return sup->phase == SUPERVISOR_RUNNING;
}

/* Stops every worker: SIGTERM now, SIGKILL after the grace period (or at
 * once with @now). */
static void
supervisor_stop_workers (Supervisor *sup, gboolean now)
{
  sup->phase = now ? SUPERVISOR_KILLING : SUPERVISOR_STOPPING;
  sup->kill_at_us = now ? 0 : g_get_monotonic_time () + SUPERVISOR_GRACE_US;
  for (guint i = 0; i < sup->config->jobs; i++)
    if (sup->slots[i].state != SHARDPIX_SLOT_FREE)
      supervisor_dispatch (sup, &sup->slots[i],
                           now ? SHARDPIX_SLOT_EV_KILL : SHARDPIX_SLOT_EV_STOP, NULL);
}

static void
supervisor_close_intake (Supervisor *sup)
{
  if (sup->phase == SUPERVISOR_RUNNING)
    sup->phase = SUPERVISOR_CLOSING;
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
  if (++sup->output_errors < SUPERVISOR_MAX_OUTPUT_ERRORS || sup->record->output_stop)
    return;
  sup->record->output_stop = g_strdup (record->text);
  supervisor_stop_workers (sup, FALSE);
}

static void
supervisor_on_spawn_failed (Supervisor *sup, ShardpixSlot *slot, const ShardpixSlotEventData *data)
{
  const ShardpixRange *range = &data->work->range;
  ShardpixChildRecord *child = slot->record;

  shardpix_child_record_fail (child, "%s", data->error->message);
  child->n_undone = range->count;
  for (guint i = range->start; i < range->start + range->count; i++)
    shardpix_run_record_add_undone_position (sup->record, i);
  sup->record->child_failed = TRUE;
  /* The same binary would fail the same way for every shard. */
  supervisor_close_intake (sup);
  shardpix_slot_clear (slot);
}

static void
supervisor_on_result (Supervisor *sup, ShardpixSlot *slot, const ShardpixRecord *record)
{
  ShardpixChildRecord *child = slot->record;

  shardpix_run_record_count_result (sup->record, child, record);
  slot->next++;
  if (sup->config->on_result != NULL)
    sup->config->on_result (record, sup->config->user_data);
  supervisor_count_output_error (sup, record);
  if (slot->state == SHARDPIX_SLOT_OPEN
      && slot->next < child->range.start + child->range.count)
    shardpix_slot_grant_ahead (slot, &sup->context, sup->queue, !supervisor_takes_work (sup));
}

/* The retry of a single file died too: that file is what kills workers. It
 * fails like any image, named with the death as its reason. */
static void
supervisor_poison (Supervisor *sup, ShardpixChildRecord *child, guint index)
{
  g_autofree char *reason = shardpix_recovery_poison_reason (child->failure);
  /* An image error like any other: the file, not the run, is at fault. */
  ShardpixRecord result = { .type = SHARDPIX_RECORD_RESULT, .index = index, .ok = FALSE,
                            .code = SHARDPIX_ERROR_IMAGE,
                            .text = reason, .text_len = strlen (reason) };

  shardpix_run_record_count_poison (sup->record, child);
  if (sup->config->on_result != NULL)
    sup->config->on_result (&result, sup->config->user_data);
}

static void
supervisor_finish (Supervisor *sup, ShardpixSlot *slot, const ShardpixSlotEventData *data)
{
  ShardpixChildRecord *child = slot->record;
  ShardpixEnding ending = { child->range, child->shard, slot->next, slot->ahead, child->retry,
                            child->done, !supervisor_takes_work (sup), data->status };
  ShardpixRecovery recovery;

  shardpix_child_record_reaped (child, data->status, data->usage,
                                g_get_monotonic_time () - slot->child.started_us);
  if (slot->next < child->range.start + child->range.count)
    shardpix_slot_remove_temp (slot, &sup->context);

  shardpix_recovery_decide (&ending, &recovery);
  child->n_undone = recovery.n_undone;
  for (guint i = 0; i < recovery.n_requeue; i++)
    shardpix_work_queue_push_front (sup->queue, &recovery.requeue[i]);
  switch (recovery.kind)
    {
    case SHARDPIX_RECOVERY_UNDONE:
      if (recovery.child_failed)
        {
          /* Not the file's fault: the worker cannot work. */
          sup->record->child_failed = TRUE;
          supervisor_close_intake (sup);
        }
      shardpix_run_record_add_undone (sup->record, slot->files,
                                      slot->next - child->range.start);
      shardpix_run_record_add_undone (sup->record, slot->ahead_files, 0);
      break;
    case SHARDPIX_RECOVERY_RETRY:
      child->requeued = TRUE;
      sup->record->n_retried++;
      break;
    case SHARDPIX_RECOVERY_POISON:
      supervisor_poison (sup, child, shardpix_slot_file (slot, recovery.poison));
      break;
    case SHARDPIX_RECOVERY_NONE:
    case SHARDPIX_RECOVERY_REQUEUE:
      break;
    }
  shardpix_slot_clear (slot);
}

/* Looks the pair up in the slot's table, moves the slot to the next state
 * and runs the action, which sees the new state. */
static void
supervisor_dispatch (Supervisor *sup, ShardpixSlot *slot, ShardpixSlotEvent event,
                     const ShardpixSlotEventData *data)
{
  const ShardpixSlotTransition *transition = shardpix_slot_transition (slot->state, event);

  if (transition == NULL)
    {
      g_critical ("worker slot: event %s in state %s", shardpix_slot_event_name (event),
                  shardpix_slot_state_name (slot->state));
      return;
    }
  slot->state = transition->next;
  if (shardpix_slot_act (slot, transition->action, data, &sup->context, sup->queue,
                         !supervisor_takes_work (sup)))
    return;
  switch (transition->action)
    {
    case SHARDPIX_SLOT_ACT_FAILED:
      supervisor_on_spawn_failed (sup, slot, data);
      break;
    case SHARDPIX_SLOT_ACT_RESULT:
      supervisor_on_result (sup, slot, data->record);
      break;
    case SHARDPIX_SLOT_ACT_FINISH:
      supervisor_finish (sup, slot, data);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Turns what the worker sent into events, a chunk at a time. */
static void
supervisor_read (Supervisor *sup, ShardpixSlot *slot)
{
  while (shardpix_slot_state_reads (slot->state))
    {
      ShardpixSlotRead how = shardpix_slot_read (slot);

      while (shardpix_slot_state_reads (slot->state))
        {
          g_auto (ShardpixRecord) record = { 0 };
          g_autoptr (GError) error = NULL;
          ShardpixSlotEvent event;
          ShardpixSlotEventData data = { .record = &record };

          if (!shardpix_slot_next_event (slot, &record, &event, &error))
            break;
          data.error = error;
          supervisor_dispatch (sup, slot, event, &data);
          if (event == SHARDPIX_SLOT_EV_RESULT
              && shardpix_slot_grant_event (slot, sup->queue, !supervisor_takes_work (sup),
                                            &event))
            supervisor_dispatch (sup, slot, event, NULL);
        }
      if (how == SHARDPIX_SLOT_READ_AGAIN)
        return;
      if (how == SHARDPIX_SLOT_READ_EOF && shardpix_slot_state_reads (slot->state))
        supervisor_dispatch (sup, slot, SHARDPIX_SLOT_EV_EOF, NULL);
      /* READ_DATA: the next chunk. */
    }
}

static gboolean
supervisor_reap (Supervisor *sup, ShardpixSlot *slot, gboolean block, GError **error)
{
  struct rusage usage;
  gboolean reaped = FALSE;
  ShardpixSlotEventData data = { .usage = &usage };

  if (!shardpix_spawn_reap (slot->child.pid, block, &reaped, &data.status, &usage, error))
    return FALSE;
  if (!reaped)
    return TRUE;
  /* Whatever it wrote before dying is in the pipe: take it before judging. */
  supervisor_read (sup, slot);
  supervisor_dispatch (sup, slot, SHARDPIX_SLOT_EV_EXITED, &data);
  return TRUE;
}

static void
supervisor_start_next (Supervisor *sup, ShardpixSlot *slot)
{
  ShardpixWork work = shardpix_work_queue_pop (sup->queue);
  g_autoptr (GError) error = NULL;
  ShardpixSlotEventData data = { .work = &work };

  slot->record = shardpix_run_record_add_child (sup->record, work.shard, &work.range,
                                                work.retry);
  if (!shardpix_spawn_start ((const char *const *) sup->argv->pdata, &sup->limits,
                             &slot->child, &error))
    {
      data.error = error;
      supervisor_dispatch (sup, slot, SHARDPIX_SLOT_EV_SPAWN_FAILED, &data);
      return;
    }
  /* A retry runs alone: its death must be pinned on its one file. */
  supervisor_dispatch (sup, slot,
                       sup->config->dynamic && !work.retry ? SHARDPIX_SLOT_EV_SPAWNED_OPEN
                                                           : SHARDPIX_SLOT_EV_SPAWNED_LAST,
                       &data);
}

static void
supervisor_on_signals (Supervisor *sup, gboolean *child_changed)
{
  int signo;

  while ((signo = shardpix_signals_next ()) != 0)
    {
      gboolean again = sup->record->stop_signal != 0;

      if (signo == SIGCHLD)
        {
          *child_changed = TRUE;
          continue;
        }
      if (!again)
        sup->record->stop_signal = signo;
      supervisor_stop_workers (sup, again);
    }
}

/* The nearest deadline (G_MAXINT64: none): a worker's --timeout, the end
 * of a stop's grace period. */
static gint64
supervisor_next_deadline (const Supervisor *sup)
{
  gint64 deadline = sup->phase == SUPERVISOR_STOPPING ? sup->kill_at_us : G_MAXINT64;

  for (guint i = 0; i < sup->config->jobs; i++)
    deadline = MIN (deadline, shardpix_slot_deadline (&sup->slots[i], &sup->context));
  return deadline;
}

static int
supervisor_poll_timeout_ms (const Supervisor *sup)
{
  gint64 deadline = supervisor_next_deadline (sup);
  gint64 left_us;

  if (deadline == G_MAXINT64)
    return -1;
  left_us = deadline - g_get_monotonic_time ();
  /* Rounded up: waking a little early would only mean sleeping again. */
  return left_us <= 0 ? 0 : (int) MIN ((left_us + 999) / 1000, G_MAXINT);
}

static void
supervisor_check_deadlines (Supervisor *sup)
{
  gint64 now = g_get_monotonic_time ();

  if (sup->phase == SUPERVISOR_STOPPING && now >= sup->kill_at_us)
    {
      supervisor_stop_workers (sup, TRUE);
      return;
    }
  for (guint i = 0; i < sup->config->jobs; i++)
    if (now >= shardpix_slot_deadline (&sup->slots[i], &sup->context))
      supervisor_dispatch (sup, &sup->slots[i], SHARDPIX_SLOT_EV_TIMEOUT, NULL);
}

static guint
supervisor_active (Supervisor *sup)
{
  guint active = 0;

  for (guint i = 0; i < sup->config->jobs; i++)
    active += sup->slots[i].state != SHARDPIX_SLOT_FREE;
  return active;
}

typedef struct {
  int results; /* index in the poll set, or -1 */
  int input;
} SupervisorPollIndex;

static gboolean
supervisor_loop (Supervisor *sup, GError **error)
{
  const guint jobs = sup->config->jobs;
  g_autofree struct pollfd *fds = g_new0 (struct pollfd, 1 + 2 * jobs);
  g_autofree SupervisorPollIndex *at = g_new0 (SupervisorPollIndex, jobs);

  for (;;)
    {
      gboolean child_changed = FALSE;
      nfds_t n = 0;
      int ready;

      for (guint i = 0; i < jobs && supervisor_takes_work (sup); i++)
        if (sup->slots[i].state == SHARDPIX_SLOT_FREE
            && !shardpix_work_queue_is_empty (sup->queue))
          supervisor_start_next (sup, &sup->slots[i]);
      if (supervisor_active (sup) == 0)
        return TRUE;

      fds[n++] = (struct pollfd){ .fd = shardpix_signals_fd (), .events = POLLIN };
      for (guint i = 0; i < jobs; i++)
        {
          ShardpixSlot *slot = &sup->slots[i];

          at[i] = (SupervisorPollIndex){ -1, -1 };
          if (shardpix_slot_state_reads (slot->state))
            {
              at[i].results = (int) n;
              fds[n++] = (struct pollfd){ .fd = slot->child.from_child, .events = POLLIN };
            }
          if (slot->input != NULL && slot->child.to_child >= 0)
            {
              at[i].input = (int) n;
              fds[n++] = (struct pollfd){ .fd = slot->child.to_child, .events = POLLOUT };
            }
        }
      ready = poll (fds, n, supervisor_poll_timeout_ms (sup));
      if (ready < 0 && errno != EINTR)
        return shardpix_error_errno (errno, error, "poll failed");
      sup->record->n_wakeups++;
      sup->record->n_empty_wakeups += ready == 0;

      supervisor_on_signals (sup, &child_changed);
      for (guint i = 0; i < jobs; i++)
        {
          ShardpixSlot *slot = &sup->slots[i];

          if (at[i].results >= 0 && fds[at[i].results].revents != 0
              && shardpix_slot_state_reads (slot->state))
            supervisor_read (sup, slot);
          if (at[i].input >= 0 && fds[at[i].input].revents != 0 && slot->input != NULL
              && slot->child.to_child >= 0)
            shardpix_slot_write (slot);
        }
      /* One SIGCHLD may stand for several children: ask each live one. */
      for (guint i = 0; i < jobs && child_changed; i++)
        if (sup->slots[i].state != SHARDPIX_SLOT_FREE)
          if (!supervisor_reap (sup, &sup->slots[i], FALSE, error))
            return FALSE;
      supervisor_check_deadlines (sup);
    }
}

/* What no worker was given: positions in the queue, listing indexes in the
 * record. */
static void
supervisor_drain_queue (Supervisor *sup)
{
  g_autoptr (GArray) positions = g_array_new (FALSE, FALSE, sizeof (guint));

  shardpix_work_queue_drain (sup->queue, positions);
  for (guint i = 0; i < positions->len; i++)
    shardpix_run_record_add_undone_position (sup->record, g_array_index (positions, guint, i));
  shardpix_run_record_sort_undone (sup->record);
}

gboolean
shardpix_supervisor_run (const ShardpixSupervisorConfig *config, ShardpixRunRecord **out,
                         GError **error)
{
  g_autoptr (ShardpixRunRecord) record = shardpix_run_record_new (config->order);
  g_autoptr (ShardpixWorkQueue) queue = shardpix_work_queue_new (config->shards);
  ShardpixSignals saved;
  gint64 started_us = g_get_monotonic_time ();
  struct rusage self;
  Supervisor sup = { 0 };
  gboolean installed, ok;

  g_return_val_if_fail (config->jobs >= 1, FALSE);

  sup.config = config;
  sup.record = record;
  sup.context = (ShardpixSlotContext){ config->job, config->paths, record,
                                       config->grant_ahead, config->timeout_s, started_us };
  sup.queue = queue;
  sup.phase = SUPERVISOR_RUNNING;
  sup.argv = shardpix_job_worker_argv (config->job, config->worker_exe);
  sup.limits.envp = config->envp;
  sup.limits.max_address_space = (rlim_t) config->max_memory_mb * 1024 * 1024;
  sup.slots = g_new0 (ShardpixSlot, config->jobs);
  for (guint i = 0; i < config->jobs; i++)
    shardpix_slot_init (&sup.slots[i]);

  installed = shardpix_signals_install (&saved, error);
  ok = installed && supervisor_loop (&sup, error);
  if (!ok)
    for (guint i = 0; i < config->jobs; i++)
      if (sup.slots[i].state != SHARDPIX_SLOT_FREE)
        {
          supervisor_dispatch (&sup, &sup.slots[i], SHARDPIX_SLOT_EV_KILL, NULL);
          supervisor_reap (&sup, &sup.slots[i], TRUE, NULL);
        }
  supervisor_drain_queue (&sup);
  if (installed)
    shardpix_signals_restore (&saved);
  g_ptr_array_unref (sup.argv);
  g_free (sup.slots);
  if (!ok)
    return FALSE;

  record->wall_us = g_get_monotonic_time () - started_us;
  getrusage (RUSAGE_SELF, &self);
  record->user_s = shardpix_spawn_seconds (&self.ru_utime);
  record->sys_s = shardpix_spawn_seconds (&self.ru_stime);
  *out = g_steal_pointer (&record);
  return TRUE;
}
