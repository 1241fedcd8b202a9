/* Reading ahead inside a worker: while image k is decoded, a thread of the
 * worker opens the next images of its grant and reads them through, so
 * that on slow storage (NFS, SMB, FUSE, a cold disk) the core does not idle
 * while a file is fetched: concurrency for the waiting, beside the
 * parallelism for the decoding.
 *
 * It reads through the very descriptor the pipeline will decode from, not
 * merely into the page cache: posix_fadvise(WILLNEED) does nothing on FUSE,
 * and FUSE drops a file's cached pages at every open. libvips opens its
 * input by name (/proc/self/fd/N), which on FUSE and network file systems
 * is a new open on the server: there the bytes are copied into a memfd,
 * which the decoder is given instead (within the same bounds).
 *
 * Bounded: at most @depth files and SHARDPIX_PREFETCH_MAX_BYTES ahead of
 * the one being decoded (a single larger file is still read when it is
 * next). A file it cannot open or read is not its business: take() then
 * says "open it yourself", and the pipeline opens it and words the error
 * exactly as without prefetch. */
#pragma once

#include <glib.h>
#include <sys/stat.h>

#include "shardpix/job.h"

G_BEGIN_DECLS

#define SHARDPIX_PREFETCH_MAX_BYTES (G_GUINT64_CONSTANT (64) << 20)

typedef struct _ShardpixPrefetch ShardpixPrefetch;

/* Starts reading ahead @rels[0..@n-1] (relative to job->input_dir) in that
 * order, at most @depth files ahead. @job and @rels must outlive it.
 * @depth 0 starts nothing (NULL): take() then always answers -1. */
ShardpixPrefetch *shardpix_prefetch_new (const ShardpixJob *job, const char *const *rels,
                                         guint n, guint depth);

/* The list grew (a grant arrived): @rels, @n >= the old n, replace the old
 * ones, whose first items must be the same. From the taking thread. */
void shardpix_prefetch_extend (ShardpixPrefetch *prefetch, const char *const *rels, guint n);

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
