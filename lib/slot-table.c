#include "shardpix/slot-table.h"

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
