/* The supervisor's queue of work: pure data, tested alone. */
#include "shardpix/workqueue.h"

static GArray *
ranges (guint n, const guint *starts_counts)
{
  GArray *shards = g_array_new (FALSE, FALSE, sizeof (ShardpixRange));

  for (guint i = 0; i < n; i++)
    {
      ShardpixRange range = { starts_counts[2 * i], starts_counts[2 * i + 1] };

      g_array_append_val (shards, range);
    }
  return shards;
}

static void
test_shards_in_order (void)
{
  const guint sc[] = { 0, 3, 3, 0, 3, 2 };
  g_autoptr (GArray) shards = ranges (3, sc);
  g_autoptr (ShardpixWorkQueue) queue = shardpix_work_queue_new (shards);
  ShardpixWork work;

  work = shardpix_work_queue_pop (queue);
  g_assert_cmpuint (work.shard, ==, 0);
  g_assert_cmpuint (work.range.count, ==, 3);
  g_assert_false (work.retry);
  /* The empty shard 1 is skipped, shard 2 keeps its index. */
  work = shardpix_work_queue_pop (queue);
  g_assert_cmpuint (work.shard, ==, 2);
  g_assert_cmpuint (work.range.start, ==, 3);
  g_assert_true (shardpix_work_queue_is_empty (queue));
}

/* What a dead worker left goes before the shards not started yet, the
 * retried file first; the rest, if empty, is dropped. */
static void
test_push_front (void)
{
  const guint sc[] = { 0, 4, 4, 4, 8, 4 };
  g_autoptr (GArray) shards = ranges (3, sc);
  g_autoptr (ShardpixWorkQueue) queue = shardpix_work_queue_new (shards);
  ShardpixWork rest = { { 2, 2 }, 0, FALSE };
  ShardpixWork alone = { { 1, 1 }, 0, TRUE };
  ShardpixWork empty = { { 4, 0 }, 1, FALSE };
  ShardpixWork work;

  shardpix_work_queue_pop (queue);
  shardpix_work_queue_push_front (queue, &rest);
  shardpix_work_queue_push_front (queue, &alone);
  shardpix_work_queue_push_front (queue, &empty);
  work = shardpix_work_queue_pop (queue);
  g_assert_true (work.retry);
  g_assert_cmpuint (work.range.start, ==, 1);
  work = shardpix_work_queue_pop (queue);
  g_assert_false (work.retry);
  g_assert_cmpuint (work.range.start, ==, 2);
  work = shardpix_work_queue_pop (queue);
  g_assert_cmpuint (work.shard, ==, 1);
}

static void
test_drain_sorted (void)
{
  const guint sc[] = { 0, 2, 2, 2, 4, 2 };
  g_autoptr (GArray) shards = ranges (3, sc);
  g_autoptr (ShardpixWorkQueue) queue = shardpix_work_queue_new (shards);
  g_autoptr (GArray) undone = g_array_new (FALSE, FALSE, sizeof (guint));
  ShardpixWork alone = { { 1, 1 }, 0, TRUE };
  guint five = 5;

  g_array_append_val (undone, five);
  shardpix_work_queue_pop (queue);
  shardpix_work_queue_push_front (queue, &alone);
  shardpix_work_queue_drain (queue, undone);
  g_assert_true (shardpix_work_queue_is_empty (queue));
  g_assert_cmpuint (undone->len, ==, 6);
  for (guint i = 0; i + 1 < undone->len; i++)
    g_assert_cmpuint (g_array_index (undone, guint, i), <=,
                      g_array_index (undone, guint, i + 1));
  g_assert_cmpuint (g_array_index (undone, guint, 0), ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/shardpix/workqueue/shards-in-order", test_shards_in_order);
  g_test_add_func ("/shardpix/workqueue/push-front", test_push_front);
  g_test_add_func ("/shardpix/workqueue/drain-sorted", test_drain_sorted);
  return g_test_run ();
}
