/* The --balance cuts of shard.h: bytes and guided chunks. */
#include <glib.h>

#include "shardpix/balance.h"
#include "fixtures.h"
#include "shardpix/shard.h"

/* Each item in exactly one range, ranges contiguous over 0..n-1 in order. */
static void
assert_covers_once (GArray *ranges, guint n_items)
{
  guint next = 0;

  for (guint s = 0; s < ranges->len; s++)
    {
      ShardpixRange range = g_array_index (ranges, ShardpixRange, s);

      g_assert_cmpuint (range.start, ==, next);
      next += range.count;
    }
  g_assert_cmpuint (next, ==, n_items);
}

/* @order is a permutation, each shard's items ascending; returns shard loads. */
static guint64 *
assert_valid_bytes_cut (const guint64 *sizes, guint n_items, guint n_shards,
                        GArray *ranges, GArray *order)
{
  g_autofree gboolean *seen = g_new0 (gboolean, n_items + 1);
  guint64 *load = g_new0 (guint64, n_shards);

  g_assert_cmpuint (ranges->len, ==, n_shards);
  g_assert_cmpuint (order->len, ==, n_items);
  assert_covers_once (ranges, n_items);
  for (guint s = 0; s < n_shards; s++)
    {
      ShardpixRange range = g_array_index (ranges, ShardpixRange, s);

      for (guint k = range.start; k < range.start + range.count; k++)
        {
          guint item = g_array_index (order, guint, k);

          g_assert_cmpuint (item, <, n_items);
          g_assert_false (seen[item]);
          seen[item] = TRUE;
          load[s] += sizes[item];
          if (k > range.start)
            g_assert_cmpuint (g_array_index (order, guint, k - 1), <, item);
        }
    }
  return load;
}

static void
test_bytes_few_huge (void)
{
  /* Two huge files first in the listing: equal counts would give both to
   * shard 0. */
  const guint64 sizes[] = { 1000, 1000, 10, 10, 10, 10, 10, 10, 10, 10 };
  g_autoptr (GArray) order = NULL;
  g_autoptr (GArray) ranges = shardpix_shard_by_bytes (sizes, G_N_ELEMENTS (sizes), 2,
                                                       &order);
  g_autofree guint64 *load = assert_valid_bytes_cut (sizes, G_N_ELEMENTS (sizes), 2,
                                                     ranges, order);

  g_assert_cmpuint (load[0], ==, 1040);
  g_assert_cmpuint (load[1], ==, 1040);
  /* Shard 0 got item 0 (the largest, lowest index) and keeps listing order. */
  g_assert_cmpuint (g_array_index (order, guint, 0), ==, 0);
  g_assert_cmpuint (g_array_index (ranges, ShardpixRange, 0).count, ==, 5);
}

static void
test_bytes_deterministic_ties (void)
{
  const guint64 sizes[] = { 5, 5, 5, 5, 5 };
  g_autoptr (GArray) order = NULL;
  g_autoptr (GArray) ranges = shardpix_shard_by_bytes (sizes, 5, 2, &order);
  const guint expected[] = { 0, 2, 4, 1, 3 };

  g_assert_cmpuint (g_array_index (ranges, ShardpixRange, 0).count, ==, 3);
  for (guint k = 0; k < 5; k++)
    g_assert_cmpuint (g_array_index (order, guint, k), ==, expected[k]);
}

static void
test_bytes_exhaustive (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (4);

  for (guint n_items = 0; n_items <= 40; n_items++)
    for (guint n_shards = 1; n_shards <= 7; n_shards++)
      {
        g_autofree guint64 *sizes = g_new0 (guint64, n_items + 1);
        g_autoptr (GArray) order = NULL;
        g_autoptr (GArray) ranges = NULL;
        g_autofree guint64 *load = NULL;
        guint64 largest = 0, lo = G_MAXUINT64, hi = 0;

        for (guint i = 0; i < n_items; i++)
          {
            /* Mostly small, now and then huge; zero sizes too. */
            sizes[i] = g_rand_int_range (rand, 0, 8) == 0 ? g_rand_int_range (rand, 0, 1 << 30)
                                                          : g_rand_int_range (rand, 0, 1000);
            largest = MAX (largest, sizes[i]);
          }
        ranges = shardpix_shard_by_bytes (sizes, n_items, n_shards, &order);
        load = assert_valid_bytes_cut (sizes, n_items, n_shards, ranges, order);
        for (guint s = 0; s < n_shards; s++)
          lo = MIN (lo, load[s]), hi = MAX (hi, load[s]);
        /* Greedy largest-first: no shard exceeds the lightest by more than
         * one item. */
        g_assert_cmpuint (hi - lo, <=, largest);
      }
}

static void
test_guided_exhaustive (void)
{
  for (guint n_items = 0; n_items <= 300; n_items++)
    for (guint n_workers = 1; n_workers <= 6; n_workers++)
      {
        g_autoptr (GArray) ranges = shardpix_shard_guided (n_items, n_workers);

        assert_covers_once (ranges, n_items);
        for (guint s = 0; s < ranges->len; s++)
          {
            ShardpixRange range = g_array_index (ranges, ShardpixRange, s);

            g_assert_cmpuint (range.count, >=, 1);
            if (s > 0)
              g_assert_cmpuint (g_array_index (ranges, ShardpixRange, s - 1).count, >=,
                                range.count);
          }
        if (n_items > 0)
          g_assert_cmpuint (g_array_index (ranges, ShardpixRange, ranges->len - 1).count,
                            ==, 1);
      }
}

static void
test_guided_shape (void)
{
  g_autoptr (GArray) ranges = shardpix_shard_guided (10000, 2);

  /* A quarter first, then a quarter of the rest...: few hand-outs. */
  g_assert_cmpuint (g_array_index (ranges, ShardpixRange, 0).count, ==, 2500);
  g_assert_cmpuint (g_array_index (ranges, ShardpixRange, 1).count, ==, 1875);
  g_assert_cmpuint (ranges->len, <, 60);
}

static void
test_guided_large (void)
{
  g_autoptr (GArray) ranges = shardpix_shard_guided (G_MAXUINT, 3);

  assert_covers_once (ranges, G_MAXUINT);
}

/* Costliest first, chunks of a quarter of the cost left (2 workers): the
 * first chunk is the few huge items, the zero-cost tail goes by count, and
 * every item is in exactly one chunk. */
static void
test_guided_by_cost (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (11);

  for (guint n_items = 0; n_items <= 200; n_items++)
    for (guint n_workers = 1; n_workers <= 4; n_workers++)
      {
        g_autofree guint64 *costs = g_new0 (guint64, MAX (n_items, 1));
        g_autoptr (GArray) ranges = NULL;
        guint64 total = 0;

        for (guint i = 0; i < n_items; i++)
          costs[i] = g_rand_int_range (rand, 0, 4) == 0 ? 0 : g_rand_int_range (rand, 1, 1000);
        ranges = shardpix_shard_guided_by_cost (costs, n_items, n_workers);
        assert_covers_once (ranges, n_items);
        for (guint i = 0; i < n_items; i++)
          total += costs[i];
        for (guint s = 0; s < ranges->len; s++)
          {
            ShardpixRange range = g_array_index (ranges, ShardpixRange, s);
            guint64 cost = 0;

            g_assert_cmpuint (range.count, >=, 1);
            for (guint i = range.start; i < range.start + range.count; i++)
              cost += costs[i];
            /* No chunk takes more than its share plus its last item. */
            if (range.count > 1 && cost > 0)
              g_assert_cmpuint (cost - costs[range.start + range.count - 1], <,
                                total / (2 * n_workers) + 1);
            total -= cost;
          }
      }
  {
    guint64 costs[] = { 1000, 1000, 10, 10, 10, 10, 10, 10, 10, 10 };
    g_autoptr (GArray) ranges = shardpix_shard_guided_by_cost (costs, 10, 2);

    /* A quarter of 2080 is 520: the first huge item alone. */
    g_assert_cmpuint (g_array_index (ranges, ShardpixRange, 0).count, ==, 1);
    g_assert_cmpuint (g_array_index (ranges, ShardpixRange, 1).count, ==, 1);
  }
}

/* --balance dynamic takes the costliest files first, bytes weighed by
 * format: a few kB of HEIC, AVIF or JPEG XL (decoded whole, no
 * shrink-on-load) cost more than a JPEG several times their size. */
static void
test_dynamic_phone_formats_first (void)
{
  static const struct {
    const char *name;
    gsize size;
  } files[] = {
    { "a.jpg", 4000 }, { "b.HEIC", 100 }, { "c.webp", 300 }, { "d.avif", 20 }, { "e.jxl", 40 },
  };
  /* Costs 4000, 10000, 2400, 5400, 3200. */
  static const guint expected[] = { 1, 3, 0, 4, 2 };
  g_autofree char *dir = fixtures_mkdtemp ();
  g_autoptr (GError) error = NULL;
  g_autoptr (ShardpixListing) listing = NULL;
  g_autoptr (GArray) order = NULL;
  g_autoptr (GArray) chunks = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (dir, files[i].name, NULL);
      g_autofree char *bytes = g_malloc0 (files[i].size);

      fixtures_write_bytes (path, bytes, files[i].size);
    }
  listing = shardpix_listing_new (dir, SHARDPIX_LISTING_NONE, &error);
  g_assert_no_error (error);
  chunks = shardpix_balance_cut (listing, SHARDPIX_BALANCE_DYNAMIC, 0, 2, &order, &error);
  g_assert_no_error (error);
  g_assert_nonnull (chunks);
  g_assert_cmpuint (order->len, ==, G_N_ELEMENTS (expected));
  for (guint k = 0; k < order->len; k++)
    g_assert_cmpuint (g_array_index (order, guint, k), ==, expected[k]);
  fixtures_rmtree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/shardpix/shard/bytes-few-huge", test_bytes_few_huge);
  g_test_add_func ("/shardpix/shard/bytes-deterministic-ties", test_bytes_deterministic_ties);
  g_test_add_func ("/shardpix/shard/bytes-exhaustive", test_bytes_exhaustive);
  g_test_add_func ("/shardpix/shard/guided-exhaustive", test_guided_exhaustive);
  g_test_add_func ("/shardpix/shard/guided-shape", test_guided_shape);
  g_test_add_func ("/shardpix/shard/guided-large", test_guided_large);
  g_test_add_func ("/shardpix/shard/guided-by-cost", test_guided_by_cost);
  g_test_add_func ("/shardpix/shard/dynamic-phone-formats-first",
                   test_dynamic_phone_formats_first);
  return g_test_run ();
}
