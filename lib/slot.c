#include "shardpix/slot.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "shardpix/output-name.h"
#include "shardpix/output-plan.h"
#include "shardpix/output.h"

void
shardpix_slot_init (ShardpixSlot *slot)
{
  memset (slot, 0, sizeof *slot);
  slot->state = SHARDPIX_SLOT_FREE;
  slot->child.to_child = slot->child.from_child = -1;
}

void
shardpix_slot_close_input (ShardpixSlot *slot)
{
  if (slot->child.to_child >= 0)
    close (slot->child.to_child);
  slot->child.to_child = -1;
  g_clear_pointer (&slot->input, g_byte_array_unref);
}

void
shardpix_slot_close_results (ShardpixSlot *slot)
{
  if (slot->child.from_child >= 0)
    close (slot->child.from_child);
  slot->child.from_child = -1;
}

void
shardpix_slot_clear (ShardpixSlot *slot)
{
  shardpix_slot_close_input (slot);
  shardpix_slot_close_results (slot);
  g_clear_pointer (&slot->decoder, shardpix_decoder_free);
  g_clear_pointer (&slot->files, g_array_unref);
  g_clear_pointer (&slot->ahead_files, g_array_unref);
  shardpix_slot_init (slot);
}

guint
shardpix_slot_file (const ShardpixSlot *slot, guint position)
{
  guint offset = position - slot->record->range.start;

  g_return_val_if_fail (slot->files != NULL && offset < slot->files->len, 0);
  return g_array_index (slot->files, guint, offset);
}

/* The one place where positions in the processing order become files:
 * @range's FILE records and MORE or END, appended to the pending input;
 * returns their listing indexes. */
static GArray *
slot_send_list (ShardpixSlot *slot, const ShardpixSlotContext *context,
                const ShardpixRange *range, gboolean more)
{
  GArray *files = g_array_sized_new (FALSE, FALSE, sizeof (guint), range->count);
  ShardpixRecord end = { .type = more ? SHARDPIX_RECORD_MORE : SHARDPIX_RECORD_END,
                         .count = range->count };

  if (slot->input == NULL)
    {
      slot->input = g_byte_array_new ();
      slot->input_sent = 0;
    }
  for (guint i = range->start; i < range->start + range->count; i++)
    {
      guint index = shardpix_run_record_listing_index (context->record, i);
      const char *rel = g_ptr_array_index (context->paths, index);
      ShardpixRecord file = { .type = SHARDPIX_RECORD_FILE, .index = index,
                              .text = (char *) rel, .text_len = strlen (rel) };

      shardpix_protocol_encode (slot->input, &file);
      g_array_append_val (files, index);
    }
  shardpix_protocol_encode (slot->input, &end);
  shardpix_slot_write (slot);
  return files;
}

void
shardpix_slot_begin (ShardpixSlot *slot, const ShardpixSlotContext *context,
                     const ShardpixWork *work)
{
  ShardpixChildRecord *child = slot->record;

  child->pid = slot->child.pid;
  child->started_us = slot->child.started_us - context->started_us;
  child->n_files = work->range.count;
  slot->decoder = shardpix_decoder_new ();
  slot->next = work->range.start;
  slot->last_heard_us = g_get_monotonic_time ();
  slot->files = slot_send_list (slot, context, &work->range,
                                slot->state == SHARDPIX_SLOT_OPEN);
}

void
shardpix_slot_write (ShardpixSlot *slot)
{
  while (slot->input != NULL && slot->input_sent < slot->input->len)
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
          shardpix_slot_close_input (slot);
          return;
        }
      slot->input_sent += (gsize) wrote;
    }
  g_clear_pointer (&slot->input, g_byte_array_unref);
  /* An OPEN worker's list goes on: its next grant comes on the same pipe. */
  if (slot->state != SHARDPIX_SLOT_OPEN)
    shardpix_slot_close_input (slot);
}

/* Its name is derived from the run's token, the pid and the image it was
 * on, so we can remove it, in its folder opened as the worker opened it
 * (output.h). */
void
shardpix_slot_remove_temp (const ShardpixSlot *slot, const ShardpixSlotContext *context)
{
  const ShardpixJob *job = context->job;
  guint index = shardpix_slot_file (slot, slot->next);
  g_auto (ShardpixOutputPlan) plan = { 0 };
  g_autofree char *temp = shardpix_output_name_temp (job, slot->child.pid, index);
  int dir_fd;

  shardpix_output_plan_init (&plan, job, g_ptr_array_index (context->paths, index));
  dir_fd = shardpix_output_open_dir (job->output_dir, plan.dir, FALSE, NULL);
  if (dir_fd < 0)
    return;
  unlinkat (dir_fd, temp, 0);
  close (dir_fd);
}

gboolean
shardpix_slot_has_next (const ShardpixSlot *slot, const ShardpixWorkQueue *queue,
                        gboolean stopping)
{
  const ShardpixWork *front;

  if (slot->ahead.range.count > 0)
    return TRUE;
  front = stopping ? NULL : shardpix_work_queue_peek (queue);
  return front != NULL && !front->retry;
}

gboolean
shardpix_slot_grant_event (const ShardpixSlot *slot, const ShardpixWorkQueue *queue,
                           gboolean stopping, ShardpixSlotEvent *event)
{
  const ShardpixRange *range = &slot->record->range;

  if (slot->state != SHARDPIX_SLOT_OPEN || slot->next < range->start + range->count)
    return FALSE;
  *event = shardpix_slot_has_next (slot, queue, stopping) ? SHARDPIX_SLOT_EV_GRANT_NEXT
                                                          : SHARDPIX_SLOT_EV_GRANT_LAST;
  return TRUE;
}

static void
slot_go_on_with (ShardpixSlot *slot, const ShardpixWork *work, GArray *files)
{
  ShardpixChildRecord *child = slot->record;

  child->range = work->range;
  child->shard = work->shard;
  child->n_files += work->range.count;
  slot->next = work->range.start;
  g_clear_pointer (&slot->files, g_array_unref);
  slot->files = files;
}

void
shardpix_slot_grant_next (ShardpixSlot *slot, const ShardpixSlotContext *context,
                          ShardpixWorkQueue *queue)
{
  if (slot->ahead.range.count > 0)
    {
      slot_go_on_with (slot, &slot->ahead, g_steal_pointer (&slot->ahead_files));
      slot->ahead.range.count = 0;
    }
  else
    {
      ShardpixWork work = shardpix_work_queue_pop (queue);

      g_assert (!work.retry);
      slot_go_on_with (slot, &work, slot_send_list (slot, context, &work.range, TRUE));
    }
}

void
shardpix_slot_grant_end (ShardpixSlot *slot, const ShardpixSlotContext *context)
{
  /* END alone leaves the record on the last grant: an empty range would
   * point past the listing. */
  ShardpixRange none = { slot->next, 0 };

  g_array_unref (slot_send_list (slot, context, &none, FALSE));
}

void
shardpix_slot_grant_ahead (ShardpixSlot *slot, const ShardpixSlotContext *context,
                           ShardpixWorkQueue *queue, gboolean stopping)
{
  const ShardpixRange *range = &slot->record->range;
  const ShardpixWork *front = stopping ? NULL : shardpix_work_queue_peek (queue);

  g_return_if_fail (slot->state == SHARDPIX_SLOT_OPEN);
  if (slot->ahead.range.count > 0 || context->grant_ahead == 0
      || range->start + range->count - slot->next > context->grant_ahead || front == NULL
      || front->retry)
    return;
  slot->ahead = shardpix_work_queue_pop (queue);
  slot->ahead_files = slot_send_list (slot, context, &slot->ahead.range, TRUE);
}

static void
slot_kill (const ShardpixSlot *slot, int signo)
{
  /* Only live slots get here: a reaped pid may already be someone else's. */
  kill (slot->child.pid, signo);
}

gboolean
shardpix_slot_act (ShardpixSlot *slot, ShardpixSlotAction action, const ShardpixSlotEventData *data,
                   const ShardpixSlotContext *context, ShardpixWorkQueue *queue, gboolean stopping)
{
  ShardpixChildRecord *child = slot->record;
  g_autoptr (GError) error = NULL;

  switch (action)
    {
    case SHARDPIX_SLOT_ACT_INVALID:
    case SHARDPIX_SLOT_ACT_NONE:
      break;
    case SHARDPIX_SLOT_ACT_START:
      shardpix_slot_begin (slot, context, data->work);
      break;
    case SHARDPIX_SLOT_ACT_FAILED:
    case SHARDPIX_SLOT_ACT_RESULT:
    case SHARDPIX_SLOT_ACT_FINISH:
      return FALSE;
    case SHARDPIX_SLOT_ACT_NEXT:
      shardpix_slot_grant_next (slot, context, queue);
      shardpix_slot_grant_ahead (slot, context, queue, stopping);
      break;
    case SHARDPIX_SLOT_ACT_END:
      shardpix_slot_grant_end (slot, context);
      break;
    case SHARDPIX_SLOT_ACT_DONE:
      child->done = TRUE;
      child->init_us = data->record->init_us;
      break;
    case SHARDPIX_SLOT_ACT_UNEXPECTED:
      shardpix_child_record_fail (child, "sent an unexpected record (type %d, index %u)",
                                  data->record->type, data->record->index);
      slot_kill (slot, SIGKILL);
      break;
    case SHARDPIX_SLOT_ACT_GARBLED:
      shardpix_child_record_fail (child, "%s", data->error->message);
      slot_kill (slot, SIGKILL);
      shardpix_slot_close_results (slot);
      break;
    case SHARDPIX_SLOT_ACT_EOF:
      if (!shardpix_decoder_finish (slot->decoder, &error))
        shardpix_child_record_fail (child, "%s", error->message);
      shardpix_slot_close_results (slot);
      break;
    case SHARDPIX_SLOT_ACT_TIMEOUT:
      shardpix_child_record_fail (child, "sent nothing for %u s: killed", context->timeout_s);
      slot_kill (slot, SIGKILL);
      break;
    case SHARDPIX_SLOT_ACT_TERM:
      slot_kill (slot, SIGTERM);
      break;
    case SHARDPIX_SLOT_ACT_KILL:
      slot_kill (slot, SIGKILL);
      break;
    }
  return TRUE;
}

gint64
shardpix_slot_deadline (const ShardpixSlot *slot, const ShardpixSlotContext *context)
{
  if (context->timeout_s == 0 || !shardpix_slot_state_has_timeout (slot->state))
    return G_MAXINT64;
  return slot->last_heard_us + (gint64) context->timeout_s * G_USEC_PER_SEC;
}

ShardpixSlotRead
shardpix_slot_read (ShardpixSlot *slot)
{
  guint8 chunk[16384];
  ssize_t got;

  do
    got = read (slot->child.from_child, chunk, sizeof chunk);
  while (got < 0 && errno == EINTR);
  if (got < 0 && errno == EAGAIN)
    return SHARDPIX_SLOT_READ_AGAIN;
  if (got <= 0)
    return SHARDPIX_SLOT_READ_EOF;
  slot->last_heard_us = g_get_monotonic_time ();
  shardpix_decoder_feed (slot->decoder, chunk, (gsize) got);
  return SHARDPIX_SLOT_READ_DATA;
}

gboolean
shardpix_slot_next_event (ShardpixSlot *slot, ShardpixRecord *record, ShardpixSlotEvent *event,
                          GError **error)
{
  const ShardpixRange *range = &slot->record->range;
  guint end = range->start + range->count;

  if (!shardpix_decoder_next (slot->decoder, record, error))
    {
      *event = SHARDPIX_SLOT_EV_GARBLED;
      return TRUE;
    }
  if (record->type == SHARDPIX_RECORD_NONE)
    return FALSE;
  if (record->type == SHARDPIX_RECORD_RESULT && slot->next < end
      && record->index == shardpix_slot_file (slot, slot->next))
    *event = SHARDPIX_SLOT_EV_RESULT;
  else if (record->type == SHARDPIX_RECORD_DONE && slot->next == end
           && record->count == slot->record->n_files)
    *event = SHARDPIX_SLOT_EV_DONE;
  else
    *event = SHARDPIX_SLOT_EV_BAD_RECORD;
  return TRUE;
}
