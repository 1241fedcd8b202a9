#include "shardpix/slot.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#define T(act, state) { SHARDPIX_SLOT_ACT_##act, SHARDPIX_SLOT_##state }
#define EV(name) [SHARDPIX_SLOT_EV_##name]

/* The slot's life in one place; documented in slot.h. Entries left out are
 * zero: SHARDPIX_SLOT_ACT_INVALID. */
static const ShardpixSlotTransition slot_transitions[SHARDPIX_SLOT_N_STATES]
                                                    [SHARDPIX_SLOT_N_EVENTS] = {
  [SHARDPIX_SLOT_FREE] = {
    EV (SPAWNED_OPEN) = T (START, OPEN),
    EV (SPAWNED_LAST) = T (START, LAST),
    EV (SPAWN_FAILED) = T (FAILED, FREE),
  },
  [SHARDPIX_SLOT_OPEN] = {
    EV (RESULT) = T (RESULT, OPEN),
    EV (GRANT_NEXT) = T (NEXT, OPEN),
    EV (GRANT_LAST) = T (END, LAST),
    EV (DONE) = T (UNEXPECTED, KILLED),
    EV (BAD_RECORD) = T (UNEXPECTED, KILLED),
    EV (GARBLED) = T (GARBLED, DRAINING),
    EV (EOF) = T (EOF, DRAINING),
    EV (EXITED) = T (FINISH, FREE),
    EV (TIMEOUT) = T (TIMEOUT, KILLED),
    EV (STOP) = T (TERM, OPEN),
    EV (KILL) = T (KILL, KILLED),
  },
  [SHARDPIX_SLOT_LAST] = {
    EV (RESULT) = T (RESULT, LAST),
    EV (DONE) = T (DONE, DONE),
    EV (BAD_RECORD) = T (UNEXPECTED, KILLED),
    EV (GARBLED) = T (GARBLED, DRAINING),
    EV (EOF) = T (EOF, DRAINING),
    EV (EXITED) = T (FINISH, FREE),
    EV (TIMEOUT) = T (TIMEOUT, KILLED),
    EV (STOP) = T (TERM, LAST),
    EV (KILL) = T (KILL, KILLED),
  },
  [SHARDPIX_SLOT_DONE] = {
    EV (RESULT) = T (UNEXPECTED, KILLED),
    EV (DONE) = T (UNEXPECTED, KILLED),
    EV (BAD_RECORD) = T (UNEXPECTED, KILLED),
    EV (GARBLED) = T (GARBLED, DRAINING),
    EV (EOF) = T (EOF, DRAINING),
    EV (EXITED) = T (FINISH, FREE),
    EV (TIMEOUT) = T (TIMEOUT, KILLED),
    EV (STOP) = T (TERM, DONE),
    EV (KILL) = T (KILL, KILLED),
  },
  [SHARDPIX_SLOT_KILLED] = {
    EV (RESULT) = T (RESULT, KILLED),
    EV (DONE) = T (DONE, KILLED),
    EV (BAD_RECORD) = T (UNEXPECTED, KILLED),
    EV (GARBLED) = T (GARBLED, DRAINING),
    EV (EOF) = T (EOF, DRAINING),
    EV (EXITED) = T (FINISH, FREE),
    EV (STOP) = T (NONE, KILLED),
    EV (KILL) = T (NONE, KILLED),
  },
  [SHARDPIX_SLOT_DRAINING] = {
    EV (EXITED) = T (FINISH, FREE),
    EV (STOP) = T (TERM, DRAINING),
    EV (KILL) = T (KILL, DRAINING),
  },
};

#undef T
#undef EV

const ShardpixSlotTransition *
shardpix_slot_transition (ShardpixSlotState state, ShardpixSlotEvent event)
{
  const ShardpixSlotTransition *transition;

  if ((guint) state >= SHARDPIX_SLOT_N_STATES || (guint) event >= SHARDPIX_SLOT_N_EVENTS)
    return NULL;
  transition = &slot_transitions[state][event];
  return transition->action == SHARDPIX_SLOT_ACT_INVALID ? NULL : transition;
}

const char *
shardpix_slot_state_name (ShardpixSlotState state)
{
  static const char *const names[] = { "free", "open", "last", "done", "killed", "draining" };

  G_STATIC_ASSERT (G_N_ELEMENTS (names) == SHARDPIX_SLOT_N_STATES);
  return (guint) state < G_N_ELEMENTS (names) ? names[state] : "?";
}

const char *
shardpix_slot_event_name (ShardpixSlotEvent event)
{
  static const char *const names[] = {
    "spawned-open", "spawned-last", "spawn-failed", "result", "grant-next",
    "grant-last", "done", "bad-record", "garbled", "eof", "exited", "timeout",
    "stop", "kill",
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (names) == SHARDPIX_SLOT_N_EVENTS);
  return (guint) event < G_N_ELEMENTS (names) ? names[event] : "?";
}

const char *
shardpix_slot_action_name (ShardpixSlotAction action)
{
  static const char *const names[] = {
    "invalid", "none", "start", "failed", "result", "next", "end", "done",
    "unexpected", "garbled", "eof", "finish", "timeout", "term", "kill",
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (names) == SHARDPIX_SLOT_ACT_KILL + 1);
  return (guint) action < G_N_ELEMENTS (names) ? names[action] : "?";
}

gboolean
shardpix_slot_state_reads (ShardpixSlotState state)
{
  return state == SHARDPIX_SLOT_OPEN || state == SHARDPIX_SLOT_LAST
         || state == SHARDPIX_SLOT_DONE || state == SHARDPIX_SLOT_KILLED;
}

gboolean
shardpix_slot_state_has_timeout (ShardpixSlotState state)
{
  return shardpix_slot_state_reads (state) && state != SHARDPIX_SLOT_KILLED;
}

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
slot_send_list (ShardpixSlot *slot, const ShardpixSlotSource *source,
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
      guint index = source->order != NULL ? g_array_index (source->order, guint, i) : i;
      const char *rel = g_ptr_array_index (source->paths, index);
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
shardpix_slot_begin (ShardpixSlot *slot, const ShardpixSlotSource *source,
                     const ShardpixWork *work, gboolean more)
{
  slot->decoder = shardpix_decoder_new ();
  slot->next = work->range.start;
  slot->last_heard_us = g_get_monotonic_time ();
  slot->files = slot_send_list (slot, source, &work->range, more);
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
shardpix_slot_grant_next (ShardpixSlot *slot, const ShardpixSlotSource *source,
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
      slot_go_on_with (slot, &work, slot_send_list (slot, source, &work.range, TRUE));
    }
}

void
shardpix_slot_grant_end (ShardpixSlot *slot, const ShardpixSlotSource *source)
{
  /* END alone leaves the record on the last grant: an empty range would
   * point past the listing. */
  ShardpixRange none = { slot->next, 0 };

  g_array_unref (slot_send_list (slot, source, &none, FALSE));
}

void
shardpix_slot_grant_ahead (ShardpixSlot *slot, const ShardpixSlotSource *source,
                           ShardpixWorkQueue *queue, gboolean stopping)
{
  const ShardpixRange *range = &slot->record->range;
  const ShardpixWork *front = stopping ? NULL : shardpix_work_queue_peek (queue);

  g_return_if_fail (slot->state == SHARDPIX_SLOT_OPEN);
  if (slot->ahead.range.count > 0 || source->grant_ahead == 0
      || range->start + range->count - slot->next > source->grant_ahead || front == NULL
      || front->retry)
    return;
  slot->ahead = shardpix_work_queue_pop (queue);
  slot->ahead_files = slot_send_list (slot, source, &slot->ahead.range, TRUE);
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
