/* The supervisor's work not yet given to a worker: at first the shards, then
 * also what dead workers left behind (the file each died on, alone, and the
 * rest of its range), queued in front so that it is finished first. */
#pragma once

#include <glib.h>

#include "shardpix/shard.h"

G_BEGIN_DECLS

typedef struct {
  ShardpixRange range;
  guint shard;    /* the shard it comes from, for the report */
  gboolean retry; /* one file whose worker died on it: no second retry */
} ShardpixWork;

typedef struct _ShardpixWorkQueue ShardpixWorkQueue;

/* One item per non-empty range of @shards, each with its index. */
ShardpixWorkQueue *shardpix_work_queue_new (GArray *shards);
void shardpix_work_queue_free (ShardpixWorkQueue *queue);

gboolean shardpix_work_queue_is_empty (const ShardpixWorkQueue *queue);
ShardpixWork shardpix_work_queue_pop (ShardpixWorkQueue *queue);

/* What shardpix_work_queue_pop() would return, left in the queue; NULL when
 * it is empty. */
const ShardpixWork *shardpix_work_queue_peek (const ShardpixWorkQueue *queue);

/* Queues @work to be popped next; an empty range is dropped. */
void shardpix_work_queue_push_front (ShardpixWorkQueue *queue, const ShardpixWork *work);

/* Empties the queue: appends every position it held (its ranges are
 * positions in the run's processing order) to @undone and sorts @undone. */
void shardpix_work_queue_drain (ShardpixWorkQueue *queue, GArray *undone);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShardpixWorkQueue, shardpix_work_queue_free)

G_END_DECLS
