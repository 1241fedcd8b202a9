/* One worker slot of the supervisor: its pipes and the work it is granted.
 * Its life cycle is the table in slot-table.h; the supervisor moves
 * slot->state through it. */
#pragma once

#include <glib.h>

#include "shardpix/job.h"
#include "shardpix/protocol.h"
#include "shardpix/run-record.h"
#include "shardpix/slot-table.h"
#include "shardpix/spawn.h"
#include "shardpix/workqueue.h"

G_BEGIN_DECLS

/* What every slot of a run shares: the job, the listing and its processing
 * order, the limits. */
typedef struct {
  const ShardpixJob *job;
  GPtrArray *paths;  /* the listing's relative paths */
  const ShardpixRunRecord *record; /* for its processing order */
  guint grant_ahead; /* see ShardpixSupervisorConfig */
  guint timeout_s;
  gint64 started_us; /* the run's start, g_get_monotonic_time() */
} ShardpixSlotContext;

/* What came with an event, as far as its action needs it. */
typedef struct {
  const ShardpixWork *work;     /* SPAWNED_*, SPAWN_FAILED */
  const GError *error;          /* SPAWN_FAILED, GARBLED */
  const ShardpixRecord *record; /* RESULT, DONE, BAD_RECORD */
  int status;                   /* EXITED */
  const struct rusage *usage;   /* EXITED */
} ShardpixSlotEventData;

typedef struct {
  ShardpixSlotState state;
  ShardpixChild child;
  ShardpixChildRecord *record; /* owned by the run record */
  GByteArray *input;           /* file lists still to write */
  gsize input_sent;
  ShardpixDecoder *decoder;
  GArray *files;               /* listing indexes of its grant (record->range) */
  guint next;                  /* position of the next RESULT owed */
  ShardpixWork ahead;          /* granted ahead (sent, not begun); count 0: none */
  GArray *ahead_files;         /* its listing indexes */
  gint64 last_heard_us;
} ShardpixSlot;

void shardpix_slot_init (ShardpixSlot *slot);

/* Frees what the slot holds and closes its pipes: FREE again. */
void shardpix_slot_clear (ShardpixSlot *slot);

/* The listing index of the file at position @position of its grant, which
 * must lie in record->range. */
guint shardpix_slot_file (const ShardpixSlot *slot, guint position);

/* START: the worker in slot->child was just spawned on @work; notes it in
 * its record and sends its first list, ending with MORE when the slot is
 * OPEN. */
void shardpix_slot_begin (ShardpixSlot *slot, const ShardpixSlotContext *context,
                          const ShardpixWork *work);

/* Writes what it can of the pending lists; when all is written, closes the
 * worker's input unless the slot is OPEN. */
void shardpix_slot_write (ShardpixSlot *slot);

/* Closes the worker's input and drops what was not written. */
void shardpix_slot_close_input (ShardpixSlot *slot);
void shardpix_slot_close_results (ShardpixSlot *slot);

/* A worker that died mid-image leaves its temporary file: removes the one
 * of the file it owed a result for next. */
void shardpix_slot_remove_temp (const ShardpixSlot *slot, const ShardpixSlotContext *context);

/* Whether an OPEN slot has a next grant: the one sent ahead, or work in
 * @queue that is not a retry (a retry waits for a fresh worker of its own,
 * so that its death is pinned on its one file), unless @stopping. */
gboolean shardpix_slot_has_next (const ShardpixSlot *slot, const ShardpixWorkQueue *queue,
                                 gboolean stopping);

/* After a RESULT: when the slot is OPEN and has the results of its whole
 * grant, sets *@event to GRANT_NEXT when it has a next grant, else
 * GRANT_LAST, and returns TRUE; FALSE when its grant goes on. */
gboolean shardpix_slot_grant_event (const ShardpixSlot *slot, const ShardpixWorkQueue *queue,
                                    gboolean stopping, ShardpixSlotEvent *event);

/* GRANT_NEXT: goes on with the grant sent ahead, or sends the next one. */
void shardpix_slot_grant_next (ShardpixSlot *slot, const ShardpixSlotContext *context,
                               ShardpixWorkQueue *queue);

/* GRANT_LAST: sends END. */
void shardpix_slot_grant_end (ShardpixSlot *slot, const ShardpixSlotContext *context);

/* Prefetch across grants: sends the next grant while context->grant_ahead
 * files of the current one remain, so that the worker reads ahead across
 * the boundary instead of waiting for the first of each grant. At most one
 * grant ahead. */
void shardpix_slot_grant_ahead (ShardpixSlot *slot, const ShardpixSlotContext *context,
                                ShardpixWorkQueue *queue, gboolean stopping);

/* Runs @action, just looked up for the slot's event, when it concerns the
 * slot alone (all but three), and returns TRUE; FALSE for those that touch
 * the run (FAILED, RESULT, FINISH), which are the supervisor's. @stopping:
 * the run takes no more work. */
gboolean shardpix_slot_act (ShardpixSlot *slot, ShardpixSlotAction action,
                            const ShardpixSlotEventData *data,
                            const ShardpixSlotContext *context, ShardpixWorkQueue *queue,
                            gboolean stopping);

/* When the worker's --timeout runs out if it stays silent; G_MAXINT64
 * when no timeout applies (none set, or not in its state). */
gint64 shardpix_slot_deadline (const ShardpixSlot *slot, const ShardpixSlotContext *context);

/* How a read of the results pipe ended. */
typedef enum {
  SHARDPIX_SLOT_READ_DATA,  /* a chunk went into the decoder */
  SHARDPIX_SLOT_READ_AGAIN, /* nothing more for now */
  SHARDPIX_SLOT_READ_EOF,   /* the pipe closed */
} ShardpixSlotRead;

/* Reads one chunk of what the worker sent into the slot's decoder: a chunk
 * at a time, so that a worker sending garbage fast is stopped at its first
 * bad record rather than buffered. */
ShardpixSlotRead shardpix_slot_read (ShardpixSlot *slot);

/* Classifies the next record the worker sent, in *@record: RESULT, DONE,
 * BAD_RECORD or GARBLED (then @error is set); returns FALSE when no whole
 * record is pending. */
gboolean shardpix_slot_next_event (ShardpixSlot *slot, ShardpixRecord *record,
                                   ShardpixSlotEvent *event, GError **error);

G_END_DECLS
