/* `run --mode threads`: one process, N threads, each taking whole images
 * through the pipeline with one libvips thread. No fork, no exec: libvips is
 * already initialised in this process. */
#pragma once

#include <glib.h>

#include "shardpix/job.h"
#include "shardpix/protocol.h"
#include "shardpix/worker.h"

G_BEGIN_DECLS

/* Like shardpix_worker_process(), with @n_threads threads (1 to
 * SHARDPIX_OUTPUT_MAX_SLOTS - 1) pulling the next image from a shared counter.
 * @func is called with one result at a time, from whichever thread finished
 * the image, never from two threads at once. Returns when every image has a
 * result. */
void shardpix_threads_process (const ShardpixJob *job, const guint *indexes,
                               const char *const *rels, guint n, guint n_threads,
                               gint64 started_us, ShardpixResultFunc func,
                               gpointer user_data, ShardpixRecord *done);

/* How `run` spreads the images over the cores. */
typedef enum {
  SHARDPIX_MODE_SERIAL,       /* one process, one libvips thread: the baseline */
  SHARDPIX_MODE_PROCESSES,    /* supervisor + N exec'd workers, one libvips thread each */
  SHARDPIX_MODE_THREADS,      /* one process, N threads taking whole images */
  SHARDPIX_MODE_VIPS_THREADS, /* one process, one image at a time, N libvips threads */
} ShardpixMode;

/* "serial", "processes", "threads", "vips-threads"; FALSE if @name is none. */
gboolean shardpix_mode_parse (const char *name, ShardpixMode *mode);
const char *shardpix_mode_name (ShardpixMode mode);

G_END_DECLS
