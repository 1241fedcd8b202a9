/* One run of a job over a folder: the one entry point behind `shardpix run`
 * and every timed pass of `shardpix bench`. Commands parse options into a
 * ShardpixRunPlan, call these three steps and print what came back:
 *
 *  1. shardpix_run_new() fills the plan's defaults, checks it as a whole
 *     (the modes' limits), applies every safety rule about the folders
 *     (folders.h: OUTPUT_DIR may not lie in INPUT_DIR, nor the other way
 *     round) and lists the input, from the folder or a --files-from
 *     manifest. The links the listing refused are in run->listing->refused
 *     for the caller to name.
 *  2. shardpix_run_check() refuses a listing with no image or with two
 *     inputs that would be saved as one output, then cuts this node's
 *     --slice and drops what --resume finds current.
 *  3. shardpix_run_execute() runs it: serial, threads or vips-threads in
 *     this process (libvips starts here then, so nothing may fork after),
 *     or N worker processes under the supervisor (libvips never starts
 *     here). Each image's result goes to plan->on_result as it ends.
 *
 * shardpix_run_exit_status() is the one place a run's outcome becomes an
 * exit status (lib/shardpix/error.h). Errors of every step carry
 * SHARDPIX_ERROR codes, whose statuses shardpix_error_exit_status() gives. */
#pragma once

#include <glib.h>

#include "shardpix/balance.h"
#include "shardpix/job.h"
#include "shardpix/listing.h"
#include "shardpix/slice.h"
#include "shardpix/supervisor.h"
#include "shardpix/threads.h"
#include "shardpix/worker.h"

G_BEGIN_DECLS

/* More shards than this only costs memory (a range each, even empty):
 * dynamic balance already ends on single files. */
#define SHARDPIX_RUN_MAX_SHARDS 1000000
#define SHARDPIX_RUN_MAX_JOBS 4096

typedef struct {
  /* What to do with each image; input_dir and output_dir set. Its
   * automatic --max-buffer is resolved by shardpix_run_new(). */
  ShardpixJob *job;

  /* Which images. */
  gboolean recursive;
  const char *files_from;   /* a manifest to read instead of listing; "-": stdin */
  gboolean files_from_nul;  /* its names end with NUL, not newline */
  const ShardpixSlice *slice; /* NULL: the whole listing */
  ShardpixSliceBalance slice_balance;
  gboolean resume;          /* skip images whose output is current */

  /* How. */
  ShardpixMode mode;
  guint jobs;               /* workers, or threads of --mode threads/vips-threads */
  guint shards;             /* 0: as the balance decides */
  ShardpixBalance balance;
  guint timeout_s;          /* 0: never kill a silent worker */
  guint64 max_memory_mb;    /* each worker's address space; 0: no limit */
  const char *worker_exe;   /* NULL: this executable */

  /* Each image's result as it ends; record->index is its listing index. */
  ShardpixResultFunc on_result;
  gpointer user_data;
} ShardpixRunPlan;

typedef struct {
  ShardpixListing *listing;   /* the images of this run, after slice and resume */
  gboolean sliced;
  ShardpixSliceInfo slice_info; /* when sliced: which part of which listing */
  guint n_listed;             /* images before --resume dropped any */
  guint n_resumed;
  guint n_ok;
  guint n_failed;
  guint n_undone;             /* never processed: a worker died or a stop */
  guint n_shards;             /* processes mode: the shards the balance cut */
  ShardpixRunRecord *record;  /* processes mode: every worker and image */
} ShardpixRun;

ShardpixRun *shardpix_run_new (ShardpixRunPlan *plan, GError **error);

/* Step 1's listing alone, with no folder created or checked: for `plan`,
 * which has no OUTPUT_DIR. Uses job->input_dir, job->follow_symlinks,
 * recursive and files_from. */
ShardpixListing *shardpix_run_list (const ShardpixRunPlan *plan, GError **error);
gboolean shardpix_run_check (const ShardpixRunPlan *plan, ShardpixRun *run, GError **error);
gboolean shardpix_run_execute (const ShardpixRunPlan *plan, ShardpixRun *run, GError **error);

/* 0 every image done; 1 some failed, or outputs could not be written; 3 a
 * worker could not run at all; 128 + N stopped by signal N. A worker that
 * died on a file cost only that file (retried, then failed as poison). */
int shardpix_run_exit_status (const ShardpixRun *run);

void shardpix_run_free (ShardpixRun *run);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShardpixRun, shardpix_run_free)

G_END_DECLS
