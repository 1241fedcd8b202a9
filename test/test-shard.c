#include <glib.h>

#include "shardpix/shard.h"

static ShardpixRange
range_at (GArray *ranges, guint i)
{
  return g_array_index (ranges, ShardpixRange, i);
}

/* Every property the header promises, for one cut. */
static void
assert_valid_cut (GArray *ranges, guint n_items, guint n_shards)
{
  guint next = 0;

  g_assert_nonnull (ranges);
  g_assert_cmpuint (g_array_get_element_size (ranges), ==, sizeof (ShardpixRange));
  g_assert_cmpuint (ranges->len, ==, n_shards);
  for (guint i = 0; i < ranges->len; i++)
    {
      ShardpixRange range = range_at (ranges, i);

      /* Contiguous and in order means disjoint too. */
      g_assert_cmpuint (range.start, ==, next);
      next += range.count;
      if (i > 0)
        {
          ShardpixRange previous = range_at (ranges, i - 1);

          g_assert_cmpuint (previous.count, >=, range.count);
          g_assert_cmpuint (previous.count - range.count, <=, 1);
        }
    }
  g_assert_cmpuint (next, ==, n_items);
  if (n_shards > 0)
    g_assert_cmpuint (range_at (ranges, 0).count - range_at (ranges, n_shards - 1).count,
                      <=, 1);
}

static void
test_shard_equal_sizes (void)
{
  g_autoptr (GArray) ranges = shardpix_shard_by_count (12, 4);

  assert_valid_cut (ranges, 12, 4);
  for (guint i = 0; i < 4; i++)
    {
      g_assert_cmpuint (range_at (ranges, i).start, ==, i * 3);
      g_assert_cmpuint (range_at (ranges, i).count, ==, 3);
    }
}

static void
test_shard_uneven (void)
{
  g_autoptr (GArray) ranges = shardpix_shard_by_count (10, 4);
  const guint starts[] = { 0, 3, 6, 8 };
  const guint counts[] = { 3, 3, 2, 2 };

  assert_valid_cut (ranges, 10, 4);
  for (guint i = 0; i < 4; i++)
    {
      g_assert_cmpuint (range_at (ranges, i).start, ==, starts[i]);
      g_assert_cmpuint (range_at (ranges, i).count, ==, counts[i]);
    }
}

static void
test_shard_more_shards_than_items (void)
{
  g_autoptr (GArray) ranges = shardpix_shard_by_count (3, 5);
  g_autoptr (GArray) nonempty = NULL;

  assert_valid_cut (ranges, 3, 5);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpuint (range_at (ranges, i).start, ==, i);
      g_assert_cmpuint (range_at (ranges, i).count, ==, 1);
    }
  for (guint i = 3; i < 5; i++)
    {
      g_assert_cmpuint (range_at (ranges, i).start, ==, 3);
      g_assert_cmpuint (range_at (ranges, i).count, ==, 0);
    }

  nonempty = shardpix_shard_nonempty (ranges);
  g_assert_cmpuint (nonempty->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpuint (range_at (nonempty, i).start, ==, i);
      g_assert_cmpuint (range_at (nonempty, i).count, ==, 1);
    }
  /* The input is left alone. */
  g_assert_cmpuint (ranges->len, ==, 5);
}

static void
test_shard_one_shard (void)
{
  g_autoptr (GArray) ranges = shardpix_shard_by_count (7, 1);

  assert_valid_cut (ranges, 7, 1);
  g_assert_cmpuint (range_at (ranges, 0).start, ==, 0);
  g_assert_cmpuint (range_at (ranges, 0).count, ==, 7);
}

static void
test_shard_empty (void)
{
  g_autoptr (GArray) ranges = shardpix_shard_by_count (0, 3);
  g_autoptr (GArray) nonempty = NULL;

  assert_valid_cut (ranges, 0, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpuint (range_at (ranges, i).count, ==, 0);
  nonempty = shardpix_shard_nonempty (ranges);
  g_assert_cmpuint (nonempty->len, ==, 0);
}

static void
test_shard_exhaustive (void)
{
  for (guint n_items = 0; n_items <= 50; n_items++)
    for (guint n_shards = 1; n_shards <= 9; n_shards++)
      {
        g_autoptr (GArray) ranges = shardpix_shard_by_count (n_items, n_shards);
        g_autoptr (GArray) nonempty = shardpix_shard_nonempty (ranges);
        g_autofree guint *owner = g_new0 (guint, n_items + 1);
        guint next = 0;

        assert_valid_cut (ranges, n_items, n_shards);

        /* Each item belongs to exactly one shard. */
        for (guint s = 0; s < ranges->len; s++)
          {
            ShardpixRange range = range_at (ranges, s);

            for (guint i = range.start; i < range.start + range.count; i++)
              {
                g_assert_cmpuint (i, <, n_items);
                g_assert_cmpuint (owner[i], ==, 0);
                owner[i] = s + 1;
              }
          }
        for (guint i = 0; i < n_items; i++)
          g_assert_cmpuint (owner[i], !=, 0);

        g_assert_cmpuint (nonempty->len, ==, MIN (n_items, n_shards));
        for (guint s = 0; s < nonempty->len; s++)
          {
            ShardpixRange range = range_at (nonempty, s);

            g_assert_cmpuint (range.count, >, 0);
            g_assert_cmpuint (range.start, ==, next);
            next += range.count;
          }
        g_assert_cmpuint (next, ==, n_items);
      }
}

static void
test_shard_large (void)
{
  /* Near the top of guint: nothing may wrap. */
  g_autoptr (GArray) ranges = shardpix_shard_by_count (G_MAXUINT, 7);

  assert_valid_cut (ranges, G_MAXUINT, 7);
  g_assert_cmpuint (range_at (ranges, 6).start + range_at (ranges, 6).count, ==,
                    G_MAXUINT);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/shardpix/shard/equal-sizes", test_shard_equal_sizes);
  g_test_add_func ("/shardpix/shard/uneven", test_shard_uneven);
  g_test_add_func ("/shardpix/shard/more-shards-than-items",
                   test_shard_more_shards_than_items);
  g_test_add_func ("/shardpix/shard/one-shard", test_shard_one_shard);
  g_test_add_func ("/shardpix/shard/empty", test_shard_empty);
  g_test_add_func ("/shardpix/shard/exhaustive", test_shard_exhaustive);
  g_test_add_func ("/shardpix/shard/large", test_shard_large);

  return g_test_run ();
}
