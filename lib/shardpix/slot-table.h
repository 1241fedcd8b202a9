/* The life of one worker slot of the supervisor as one table of states x
 * events, shardpix_slot_transition(), as skarnet's s6-supervise keeps its
 * own: pure data, tested alone (test-slot). The supervisor turns what it sees (a worker started, a record, end of file,
 * an exit, a deadline, a stop) into an event, looks up the action and the
 * next state, sets the state and runs the action. A pair the table does
 * not hold cannot happen; looking it up is a bug, and is refused.
 *
 * The table (test-slot checks that it is the code's, pair by pair):
 *   state     event         action      next state
 *   FREE      SPAWNED_OPEN  START       OPEN
 *   FREE      SPAWNED_LAST  START       LAST
 *   FREE      SPAWN_FAILED  FAILED      FREE
 *   OPEN      RESULT        RESULT      OPEN
 *   OPEN      GRANT_NEXT    NEXT        OPEN
 *   OPEN      GRANT_LAST    END         LAST
 *   OPEN      DONE          UNEXPECTED  KILLED
 *   OPEN      BAD_RECORD    UNEXPECTED  KILLED
 *   OPEN      GARBLED       GARBLED     DRAINING
 *   OPEN      EOF           EOF         DRAINING
 *   OPEN      EXITED        FINISH      FREE
 *   OPEN      TIMEOUT       TIMEOUT     KILLED
 *   OPEN      STOP          TERM        OPEN
 *   OPEN      KILL          KILL        KILLED
 *   LAST      RESULT        RESULT      LAST
 *   LAST      DONE          DONE        DONE
 *   LAST      BAD_RECORD    UNEXPECTED  KILLED
 *   LAST      GARBLED       GARBLED     DRAINING
 *   LAST      EOF           EOF         DRAINING
 *   LAST      EXITED        FINISH      FREE
 *   LAST      TIMEOUT       TIMEOUT     KILLED
 *   LAST      STOP          TERM        LAST
 *   LAST      KILL          KILL        KILLED
 *   DONE      RESULT        UNEXPECTED  KILLED
 *   DONE      DONE          UNEXPECTED  KILLED
 *   DONE      BAD_RECORD    UNEXPECTED  KILLED
 *   DONE      GARBLED       GARBLED     DRAINING
 *   DONE      EOF           EOF         DRAINING
 *   DONE      EXITED        FINISH      FREE
 *   DONE      TIMEOUT       TIMEOUT     KILLED
 *   DONE      STOP          TERM        DONE
 *   DONE      KILL          KILL        KILLED
 *   KILLED    RESULT        RESULT      KILLED
 *   KILLED    DONE          DONE        KILLED
 *   KILLED    BAD_RECORD    UNEXPECTED  KILLED
 *   KILLED    GARBLED       GARBLED     DRAINING
 *   KILLED    EOF           EOF         DRAINING
 *   KILLED    EXITED        FINISH      FREE
 *   KILLED    STOP          NONE        KILLED
 *   KILLED    KILL          NONE        KILLED
 *   DRAINING  EXITED        FINISH      FREE
 *   DRAINING  STOP          TERM        DRAINING
 *   DRAINING  KILL          KILL        DRAINING
 * Every other pair is refused: a FREE slot has no worker to hear from, a
 * DRAINING one no pipe, only an OPEN one is granted more, and a KILLED one
 * has no deadline left. STOP leaves the state as it is: a stopping run
 * grants nothing (GRANT_LAST sends END), so a worker that finishes its
 * image after SIGTERM can still end cleanly. Where the old supervisor kept
 * flags, the state now says it: `more` is OPEN vs LAST, `done` DONE, a
 * kill KILLED, `reaped` a FREE slot; the run's own phase (taking work,
 * closing, stopping with a grace deadline, killing) is the supervisor's.
 * States:
 *   FREE      no worker.
 *   OPEN      a worker whose list ends with MORE: as it finishes a grant it
 *             goes on with the one sent ahead or is granted the next
 *             (--balance dynamic; a retry never is OPEN).
 *   LAST      a worker whose list ends with END: it finishes and sends DONE.
 *   DONE      it sent DONE: its pipe should close and it should exit 0.
 *   KILLED    SIGKILLed (silent past --timeout, an unexpected record, a
 *             stop's grace period over): what it wrote before still counts,
 *             but it is granted nothing and has no deadline.
 *   DRAINING  its results pipe is closed: waiting for its exit.
 * Events:
 *   SPAWNED_OPEN/LAST  started on work whose list ends with MORE/END.
 *   SPAWN_FAILED       could not be started (exec failed).
 *   RESULT             the RESULT it owed next.
 *   GRANT_NEXT         OPEN, it has the results of its whole grant and a
 *                      next grant is there (sent ahead, or in the queue).
 *   GRANT_LAST         the same with nothing left to grant: END is sent.
 *   DONE               a DONE whose count is every file it was given,
 *                      after all their results.
 *   BAD_RECORD         any other record: it is out of step with us.
 *   GARBLED            bytes that are not records.
 *   EOF                its results pipe closed.
 *   EXITED             it was reaped (what it wrote was read first).
 *   TIMEOUT            it sent nothing for --timeout seconds.
 *   STOP, KILL         the run is stopping: SIGTERM; the grace period is
 *                      over (or a second signal): SIGKILL.
 * Actions: see ShardpixSlotAction. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SHARDPIX_SLOT_FREE,
  SHARDPIX_SLOT_OPEN,
  SHARDPIX_SLOT_LAST,
  SHARDPIX_SLOT_DONE,
  SHARDPIX_SLOT_KILLED,
  SHARDPIX_SLOT_DRAINING,
  SHARDPIX_SLOT_N_STATES,
} ShardpixSlotState;

typedef enum {
  SHARDPIX_SLOT_EV_SPAWNED_OPEN,
  SHARDPIX_SLOT_EV_SPAWNED_LAST,
  SHARDPIX_SLOT_EV_SPAWN_FAILED,
  SHARDPIX_SLOT_EV_RESULT,
  SHARDPIX_SLOT_EV_GRANT_NEXT,
  SHARDPIX_SLOT_EV_GRANT_LAST,
  SHARDPIX_SLOT_EV_DONE,
  SHARDPIX_SLOT_EV_BAD_RECORD,
  SHARDPIX_SLOT_EV_GARBLED,
  SHARDPIX_SLOT_EV_EOF,
  SHARDPIX_SLOT_EV_EXITED,
  SHARDPIX_SLOT_EV_TIMEOUT,
  SHARDPIX_SLOT_EV_STOP,
  SHARDPIX_SLOT_EV_KILL,
  SHARDPIX_SLOT_N_EVENTS,
} ShardpixSlotEvent;

typedef enum {
  SHARDPIX_SLOT_ACT_INVALID,  /* not a transition */
  SHARDPIX_SLOT_ACT_NONE,     /* nothing to do */
  SHARDPIX_SLOT_ACT_START,    /* note the worker in its record, send its first list */
  SHARDPIX_SLOT_ACT_FAILED,   /* its files undone; the run takes no more work */
  SHARDPIX_SLOT_ACT_RESULT,   /* count it, pass it on; OPEN: grant ahead when due */
  SHARDPIX_SLOT_ACT_NEXT,     /* go on with the grant ahead, or send the next */
  SHARDPIX_SLOT_ACT_END,      /* send END */
  SHARDPIX_SLOT_ACT_DONE,     /* note DONE and libvips' start-up time */
  SHARDPIX_SLOT_ACT_UNEXPECTED, /* its failure, SIGKILL */
  SHARDPIX_SLOT_ACT_GARBLED,  /* its failure, SIGKILL, close the pipe */
  SHARDPIX_SLOT_ACT_EOF,      /* a record cut short is a failure; close the pipe */
  SHARDPIX_SLOT_ACT_FINISH,   /* rusage, failure, its temporary file, recovery */
  SHARDPIX_SLOT_ACT_TIMEOUT,  /* its failure, SIGKILL */
  SHARDPIX_SLOT_ACT_TERM,     /* SIGTERM */
  SHARDPIX_SLOT_ACT_KILL,     /* SIGKILL */
} ShardpixSlotAction;

typedef struct {
  ShardpixSlotAction action;
  ShardpixSlotState next;
} ShardpixSlotTransition;

/* The table's entry, or NULL for a pair that is not a transition. */
const ShardpixSlotTransition *shardpix_slot_transition (ShardpixSlotState state,
                                                        ShardpixSlotEvent event);

const char *shardpix_slot_state_name (ShardpixSlotState state);
const char *shardpix_slot_event_name (ShardpixSlotEvent event);
const char *shardpix_slot_action_name (ShardpixSlotAction action);

/* Whether the worker's results pipe is still read in @state. */
gboolean shardpix_slot_state_reads (ShardpixSlotState state);

/* Whether --timeout applies to a worker in @state. */
gboolean shardpix_slot_state_has_timeout (ShardpixSlotState state);

G_END_DECLS
