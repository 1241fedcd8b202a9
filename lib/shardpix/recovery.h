/* What becomes of a worker's files when it ends: the recovery policy, as
 * pure functions of what the worker was given, how far it got and how it
 * ended, so that it is tested without processes.
 *
 * A worker that dies, hangs past the timeout or garbles its records
 * mid-range costs no other file: the file it was on is retried alone in a
 * fresh worker, and the rest of its range goes to another fresh worker,
 * both ahead of the work not started yet. A grant sent ahead and not begun
 * goes back to the queue whole. A retry that dies too makes its file a
 * poison file: failed, with the death as its reason. A worker that exits
 * with a usage, protocol or start-up error would fail the same way for any
 * file: its files are left undone and the run takes no more work
 * (child_failed); so are they when the run is stopping. Positions are in
 * the run's processing order (see run-record.h). */
#pragma once

#include <glib.h>

#include "shardpix/workqueue.h"

G_BEGIN_DECLS

typedef struct {
  ShardpixRange range; /* the grant it was on */
  guint shard;         /* the shard that grant came from */
  guint next;          /* position of its first file without a result */
  ShardpixWork ahead;  /* the grant sent ahead, not begun; count 0: none */
  gboolean retry;      /* it was a retry of a single file */
  gboolean finished;   /* it sent DONE */
  gboolean stopping;   /* the run takes no more work */
  int status;          /* its wait status */
} ShardpixEnding;

typedef enum {
  SHARDPIX_RECOVERY_NONE,    /* every file it was given has its result */
  SHARDPIX_RECOVERY_UNDONE,  /* its files without a result stay undone */
  SHARDPIX_RECOVERY_REQUEUE, /* the grant ahead requeued; nothing else was left */
  SHARDPIX_RECOVERY_RETRY,   /* the file it was on alone, then the rest */
  SHARDPIX_RECOVERY_POISON,  /* a retry died too: its file is poison */
} ShardpixRecoveryKind;

typedef struct {
  ShardpixRecoveryKind kind;
  gboolean child_failed;  /* not the file's fault: the worker cannot work */
  guint n_undone;         /* the child record's n_undone */
  ShardpixRange undone[2]; /* UNDONE: positions left without a result (the
                              rest of its grant, the grant ahead) */
  guint n_requeue;
  ShardpixWork requeue[3]; /* to push in front of the queue in this order
                              (so the last pushed is popped first) */
  guint poison;           /* POISON: position of the poison file */
} ShardpixRecovery;

/* Exit statuses of `shardpix worker` that say it could not work at all. */
gboolean shardpix_recovery_is_hopeless (int status);

/* The policy above, for one worker that ended. */
void shardpix_recovery_decide (const ShardpixEnding *ending, ShardpixRecovery *recovery);

/* The failure reason of a poison file whose retry ended with @last. */
char *shardpix_recovery_poison_reason (const char *last);

G_END_DECLS
