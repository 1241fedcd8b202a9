/* The record of one supervised run: what each worker was given, what it
 * did and how it ended, and the run's totals. The supervisor fills it in;
 * the tables, the JSON report and the timeline read it.
 *
 * Two kinds of numbers appear here. A child's `range` is positions in the
 * run's processing order (`order`: position -> listing index; NULL: the
 * listing's own order), because that is how work is cut and granted.
 * Every other index (images, undone, records) is a listing index.
 * shardpix_run_record_listing_index() is the one way from the first to the
 * second. */
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <glib.h>

#include "shardpix/protocol.h"
#include "shardpix/shard.h"

G_BEGIN_DECLS

typedef struct {
  guint index;      /* listing index */
  gboolean ok;
  guint64 start_us; /* since the worker started */
  guint64 wall_us;
} ShardpixImageTiming;

typedef struct {
  guint shard;         /* index in the run's shard list */
  ShardpixRange range; /* positions in the processing order this worker was
                          given; under dynamic balance, its last grant */
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
} ShardpixChildRecord;

typedef struct {
  GPtrArray *children; /* ShardpixChildRecord *, in start order */
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
  guint n_wakeups;       /* times the supervisor's poll() returned: it wakes
                            for events and deadlines only, never on a timer */
  guint n_empty_wakeups; /* of those, the ones with nothing ready: a deadline
                            reached, or a timer the supervisor must not have */
  gint64 wall_us;
  double user_s;         /* supervisor's own CPU */
  double sys_s;
  GArray *order;         /* the processing order, or NULL */
} ShardpixRunRecord;

/* An empty record for a run in @order (may be NULL; a reference is taken). */
ShardpixRunRecord *shardpix_run_record_new (GArray *order);
void shardpix_run_record_free (ShardpixRunRecord *record);

/* Appends the record of a worker started (or not) on @shard's @range. */
ShardpixChildRecord *shardpix_run_record_add_child (ShardpixRunRecord *record, guint shard,
                                                    const ShardpixRange *range,
                                                    gboolean retry);

/* The listing index of @position in the run's processing order. */
guint shardpix_run_record_listing_index (const ShardpixRunRecord *record, guint position);

/* Counts @result, the RESULT @child owed next, for it and for the run. */
void shardpix_run_record_count_result (ShardpixRunRecord *record, ShardpixChildRecord *child,
                                       const ShardpixRecord *result);

/* Counts the file @child, a retry, died on as poison: failed. */
void shardpix_run_record_count_poison (ShardpixRunRecord *record, ShardpixChildRecord *child);

/* Notes that @child was reaped @wall_us after its fork, with wait status
 * @status and @usage; an exit other than 0 after DONE is its failure. */
void shardpix_child_record_reaped (ShardpixChildRecord *child, int status,
                                   const struct rusage *usage, gint64 wall_us);

/* Notes the file at @position of the processing order as undone. */
void shardpix_run_record_add_undone_position (ShardpixRunRecord *record, guint position);

/* Notes the listing indexes @files[@from..] as undone (@files may be NULL). */
void shardpix_run_record_add_undone (ShardpixRunRecord *record, GArray *files, guint from);

/* Sorts the undone listing indexes, as readers expect them. */
void shardpix_run_record_sort_undone (ShardpixRunRecord *record);

/* Sets why @child did not finish its shard, unless a reason is set already:
 * the first cause is the one worth reporting. */
void shardpix_child_record_fail (ShardpixChildRecord *child, const char *format, ...)
  G_GNUC_PRINTF (2, 3);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShardpixRunRecord, shardpix_run_record_free)

G_END_DECLS
