#include "shardpix/workqueue.h"

struct _ShardpixWorkQueue {
  GArray *items; /* ShardpixWork, popped from next on */
  guint next;
};

ShardpixWorkQueue *
shardpix_work_queue_new (GArray *shards)
{
  ShardpixWorkQueue *queue = g_new0 (ShardpixWorkQueue, 1);

  queue->items = g_array_new (FALSE, FALSE, sizeof (ShardpixWork));
  for (guint i = 0; i < shards->len; i++)
    {
      ShardpixWork work = { g_array_index (shards, ShardpixRange, i), i, FALSE };

      if (work.range.count > 0)
        g_array_append_val (queue->items, work);
    }
  return queue;
}

void
shardpix_work_queue_free (ShardpixWorkQueue *queue)
{
  if (queue == NULL)
    return;
  g_array_unref (queue->items);
  g_free (queue);
}

gboolean
shardpix_work_queue_is_empty (const ShardpixWorkQueue *queue)
{
  return queue->next >= queue->items->len;
}

ShardpixWork
shardpix_work_queue_pop (ShardpixWorkQueue *queue)
{
  g_assert (!shardpix_work_queue_is_empty (queue));
  return g_array_index (queue->items, ShardpixWork, queue->next++);
}

const ShardpixWork *
shardpix_work_queue_peek (const ShardpixWorkQueue *queue)
{
  if (shardpix_work_queue_is_empty (queue))
    return NULL;
  return &g_array_index (queue->items, ShardpixWork, queue->next);
}

void
shardpix_work_queue_push_front (ShardpixWorkQueue *queue, const ShardpixWork *work)
{
  if (work->range.count > 0)
    g_array_insert_val (queue->items, queue->next, *work);
}

static gint
work_queue_compare_index (gconstpointer a, gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return x < y ? -1 : x > y;
}

void
shardpix_work_queue_drain (ShardpixWorkQueue *queue, GArray *undone)
{
  while (!shardpix_work_queue_is_empty (queue))
    {
      ShardpixWork work = shardpix_work_queue_pop (queue);

      for (guint i = work.range.start; i < work.range.start + work.range.count; i++)
        g_array_append_val (undone, i);
    }
  /* Requeued files come before later shards in the queue. */
  g_array_sort (undone, work_queue_compare_index);
}
