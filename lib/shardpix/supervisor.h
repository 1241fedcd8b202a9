/* The parent: keeps up to N workers busy, one shard each, feeds them their
 * file lists and collects their records, exit statuses and rusage. It never
 * touches libvips: workers are exec'd, so each starts its own. */
#pragma once

#include <sys/types.h>

#include <glib.h>

#include "shardpix/job.h"
#include "shardpix/shard.h"
#include "shardpix/worker.h"

G_BEGIN_DECLS

typedef struct {
  guint index;
  gboolean ok;
  guint64 start_us; /* since the worker started */
  guint64 wall_us;
} ShardpixImageTiming;

typedef struct {
  guint shard;         /* index in the run's shard list */
  ShardpixRange range; /* positions in the processing order (see the
                          config's order) this worker was given; under
                          dynamic balance, its last grant */
  guint n_files;       /* files given to it, over all its grants */
  gboolean retry;      /* a single file retried alone after a worker died on it */
  gboolean requeued;   /* it died mid-range: its unfinished files went to fresh
                          workers (the file it was on retried alone) */
  gboolean poisoned;   /* a retry that died too: its file failed as poison */
  pid_t pid;           /* 0 when it could not be started */
  gboolean reaped;
  int status;          /* wait status, when reaped */
  gboolean done;       /* sent its DONE record */
  char *failure;       /* why it did not finish its shard, or NULL */
  guint n_ok;
  guint n_failed;
  guint n_undone;      /* images of its range with no RESULT */
  guint64 init_us;     /* from DONE: libvips start-up */
  gint64 started_us;   /* fork, since the run started: with ShardpixImageTiming's
                        * start_us (since exec) it puts children on one axis */
  gint64 wall_us;      /* fork to reap */
  double user_s;       /* wait4() rusage */
  double sys_s;
  glong max_rss_kb;
  GArray *images;      /* ShardpixImageTiming, in the order received */
} ShardpixChildReport;

typedef struct {
  GPtrArray *children; /* ShardpixChildReport *, in start order */
  GArray *undone;      /* guint: listing indexes left without a result */
  guint n_ok;
  guint n_failed;      /* poison files included */
  guint n_retried;     /* files retried alone after their worker died on them */
  guint n_poison;      /* retried files whose retry died too */
  gboolean child_failed; /* workers could not be run at all: exec failed, or a
                            worker exited with a usage or start-up error */
  int stop_signal;       /* SIGINT/SIGTERM/SIGHUP that stopped the run, or 0 */
  char *output_stop;     /* the run stopped early because outputs could not be
                            written (disk full, read-only...): the last error */
  gint64 wall_us;
  double user_s;         /* supervisor's own CPU */
  double sys_s;
  GArray *order;         /* the config's order, or NULL */
} ShardpixRunReport;

typedef struct {
  const ShardpixJob *job;
  const char *worker_exe;   /* the binary exec'd for each worker */
  GPtrArray *paths;         /* the listing's relative paths */
  GArray *order;            /* guint: the processing order, a permutation of
                               listing indexes (position -> index); NULL:
                               listing order. Shards are ranges of positions;
                               records and reports use listing indexes. */
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
 * at all; dead or failing workers are recorded in the report.
 *
 * A worker that dies, hangs past the timeout or garbles its records
 * mid-range costs no other file: the file it was on is retried alone in a
 * fresh worker, and the rest of its range goes to another fresh worker. A
 * retry that dies too makes its file a poison file: failed, with the death
 * as its reason, and reported through on_result like any failed image.
 * A worker that cannot be exec'd, or exits with a usage or start-up error,
 * would fail the same way for every file: the run stops (child_failed). */
gboolean shardpix_supervisor_run (const ShardpixSupervisorConfig *config,
                                  ShardpixRunReport **report, GError **error);

void shardpix_run_report_free (ShardpixRunReport *report);

/* The listing index of @position in the run's processing order. */
guint shardpix_run_report_listing_index (const ShardpixRunReport *report, guint position);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShardpixRunReport, shardpix_run_report_free)

G_END_DECLS
