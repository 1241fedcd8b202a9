/* The parent: keeps up to N workers busy, one shard each, feeds them their
 * file lists and collects their records, exit statuses and rusage into the
 * run's record (run-record.h). It never touches libvips: workers are
 * exec'd, so each starts its own.
 *
 * The pieces: slot.h (one worker's state machine, pipes and grants),
 * recovery.h (what becomes of the files of a worker that died), and here
 * the loop that turns the world into slot events. It sleeps in one poll()
 * on the workers' pipes and the signal self-pipe (signals.h), with the
 * nearest real deadline as its timeout (a worker's --timeout, a stop's
 * grace period) and none when there is none; it reaps only after SIGCHLD. */
#pragma once

#include <sys/types.h>

#include <glib.h>

#include "shardpix/job.h"
#include "shardpix/run-record.h"
#include "shardpix/shard.h"
#include "shardpix/worker.h"

G_BEGIN_DECLS

typedef struct {
  const ShardpixJob *job;
  const char *worker_exe;   /* the binary exec'd for each worker */
  GPtrArray *paths;         /* the listing's relative paths */
  GArray *order;            /* guint: the processing order, a permutation of
                               listing indexes (position -> index); NULL:
                               listing order. Shards are ranges of positions;
                               records and the run record use listing indexes. */
  GArray *shards;           /* ShardpixRange; empty ranges are skipped */
  guint jobs;               /* workers alive at once */
  guint timeout_s;          /* kill a worker silent this long; 0: never */
  gboolean dynamic;         /* a worker that finishes a shard is granted the
                               next over its pipe (MORE records), instead of
                               exiting and a fresh worker taking it */
  guint grant_ahead;        /* dynamic: the next grant is sent while this many
                               files of the current one remain (the workers'
                               --prefetch), so that they read ahead across
                               grants; 0: when the current one is done */
  const char *const *envp;  /* the workers' environment; NULL: ours */
  guint64 max_memory_mb;    /* RLIMIT_AS of each worker; 0: unlimited */
  ShardpixResultFunc on_result;
  gpointer user_data;
} ShardpixSupervisorConfig;

/* Runs the shards to completion, or until SIGINT/SIGTERM/SIGHUP, which stop
 * the workers (SIGTERM, then SIGKILL after a grace period; a second signal
 * kills at once). Returns FALSE only when the run could not be carried out
 * at all; dead or failing workers are recorded in the run record.
 *
 * A worker that dies, hangs past the timeout or garbles its records costs
 * no other file; a file that kills its retry too fails as poison, reported
 * through on_result like any failed image (recovery.h). A worker that
 * cannot be exec'd, or exits with a usage or start-up error, would fail the
 * same way for every file: the run stops (child_failed). Several
 * unwritable outputs in a row (disk full) stop it too (output_stop). */
gboolean shardpix_supervisor_run (const ShardpixSupervisorConfig *config,
                                  ShardpixRunRecord **record, GError **error);

G_END_DECLS
