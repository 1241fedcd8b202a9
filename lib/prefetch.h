/* Reading ahead inside a worker: while image k is decoded, a thread of the
 * worker opens the next images of its grant and reads them through, so
 * that on slow storage (NFS, SMB, FUSE, a cold disk) the core does not idle
 * while a file is fetched: concurrency for the waiting, beside the
 * parallelism for the decoding.
 *
 * It reads through the very descriptor the pipeline will decode from, not
 * merely into the page cache: FUSE drops a file's cached pages at every
 * open, and posix_fadvise(WILLNEED) does nothing there, so only bytes read
 * through an open descriptor are certain to be there when the decoder asks.
 *
 * Bounded: at most @depth files and SHARDPIX_PREFETCH_MAX_BYTES ahead of
 * the one being decoded (a single larger file is still read when it is
 * next). A file it cannot open or read is not its business: take() then
 * says "open it yourself", and the pipeline opens it and words the error
 * exactly as without prefetch. */
#pragma once

#include <glib.h>
#include <sys/stat.h>

#include "job.h"

G_BEGIN_DECLS

#define SHARDPIX_PREFETCH_MAX_BYTES (G_GUINT64_CONSTANT (64) << 20)

typedef struct _ShardpixPrefetch ShardpixPrefetch;

/* Starts reading ahead @rels[0..@n-1] (relative to job->input_dir) in that
 * order, at most @depth files ahead. @job and @rels must outlive it.
 * @depth 0 starts nothing: take() then always answers -1. */
ShardpixPrefetch *shardpix_prefetch_new (const ShardpixJob *job, const char *const *rels,
                                         guint n, guint depth);

/* Item @i, in order (0, 1, 2, ... each once): waits until it has been read
 * ahead and returns its descriptor, positioned at 0, with @st filled; the
 * caller owns it. -1 when the file could not be opened or read, or is no
 * longer the file that was read ahead (deleted, renamed over): the caller
 * opens @rels[i] itself. */
int shardpix_prefetch_take (ShardpixPrefetch *prefetch, guint i, struct stat *st);

/* Waits until item @i has been read ahead (or given up on); for tests that
 * change a file between read-ahead and decode. */
void shardpix_prefetch_wait_ready (ShardpixPrefetch *prefetch, guint i);

/* Stops the thread and closes what was read ahead and not taken. */
void shardpix_prefetch_free (ShardpixPrefetch *prefetch);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShardpixPrefetch, shardpix_prefetch_free)

G_END_DECLS
