#include "shardpix/shard.h"

GArray *
shardpix_shard_by_count (guint n_items, guint n_shards)
{
  GArray *ranges = NULL;
  guint base;
  guint extra;

  g_return_val_if_fail (n_shards >= 1, NULL);

  base = n_items / n_shards;
  extra = n_items % n_shards;
  ranges = g_array_sized_new (FALSE, TRUE, sizeof (ShardpixRange), n_shards);
  for (guint i = 0; i < n_shards; i++)
    {
      ShardpixRange range;

      /* The first @extra shards take one more item. Computing the start from
       * @i (not by summing counts) keeps each range checkable alone, and
       * unlike i * n_items / n_shards it cannot overflow: i * base + MIN (i,
       * extra) never exceeds n_items. */
      range.start = i * base + MIN (i, extra);
      range.count = base + (i < extra ? 1 : 0);
      g_array_append_val (ranges, range);
    }
  return ranges;
}

GArray *
shardpix_shard_nonempty (GArray *ranges)
{
  GArray *nonempty = NULL;

  g_return_val_if_fail (ranges != NULL, NULL);
  g_return_val_if_fail (g_array_get_element_size (ranges) == sizeof (ShardpixRange),
                        NULL);

  nonempty = g_array_new (FALSE, TRUE, sizeof (ShardpixRange));
  for (guint i = 0; i < ranges->len; i++)
    {
      const ShardpixRange *range = &g_array_index (ranges, ShardpixRange, i);

      if (range->count > 0)
        g_array_append_val (nonempty, *range);
    }
  return nonempty;
}

typedef struct {
  const guint64 *sizes;
} ShardBySize;

static gint
shard_compare_largest_first (gconstpointer a, gconstpointer b, gpointer data)
{
  const ShardBySize *by = data;
  guint x = *(const guint *) a, y = *(const guint *) b;

  if (by->sizes[x] != by->sizes[y])
    return by->sizes[x] > by->sizes[y] ? -1 : 1;
  return x < y ? -1 : x > y;
}

static gint
shard_compare_owner (gconstpointer a, gconstpointer b, gpointer data)
{
  const guint *owner = data;
  guint x = *(const guint *) a, y = *(const guint *) b;

  if (owner[x] != owner[y])
    return owner[x] < owner[y] ? -1 : 1;
  return x < y ? -1 : x > y;
}

GArray *
shardpix_shard_largest_first (const guint64 *sizes, guint n_items)
{
  GArray *sorted = g_array_sized_new (FALSE, FALSE, sizeof (guint), n_items);
  ShardBySize by = { sizes };

  for (guint i = 0; i < n_items; i++)
    g_array_append_val (sorted, i);
  g_array_sort_with_data (sorted, shard_compare_largest_first, &by);
  return sorted;
}

GArray *
shardpix_shard_by_bytes (const guint64 *sizes, guint n_items, guint n_shards,
                         GArray **order)
{
  g_autofree guint64 *load = NULL;
  g_autofree guint *owner = NULL;
  g_autofree guint *counts = NULL;
  GArray *sorted = NULL;
  GArray *ranges = NULL;
  guint start = 0;

  g_return_val_if_fail (n_shards >= 1, NULL);
  g_return_val_if_fail (order != NULL, NULL);

  load = g_new0 (guint64, n_shards);
  owner = g_new0 (guint, MAX (n_items, 1));
  counts = g_new0 (guint, n_shards);
  sorted = shardpix_shard_largest_first (sizes, n_items);

  /* A linear scan for the lightest shard: shards are few (workers). */
  for (guint k = 0; k < n_items; k++)
    {
      guint item = g_array_index (sorted, guint, k);
      guint lightest = 0;

      for (guint s = 1; s < n_shards; s++)
        if (load[s] < load[lightest] || (load[s] == load[lightest]
                                          && counts[s] < counts[lightest]))
          lightest = s;
      owner[item] = lightest;
      load[lightest] += sizes[item];
      counts[lightest]++;
    }

  /* Back to listing order, grouped by shard. */
  for (guint i = 0; i < n_items; i++)
    g_array_index (sorted, guint, i) = i;
  g_array_sort_with_data (sorted, shard_compare_owner, owner);

  ranges = g_array_sized_new (FALSE, TRUE, sizeof (ShardpixRange), n_shards);
  for (guint s = 0; s < n_shards; s++)
    {
      ShardpixRange range = { start, counts[s] };

      g_array_append_val (ranges, range);
      start += counts[s];
    }
  *order = sorted;
  return ranges;
}

GArray *
shardpix_shard_guided (guint n_items, guint n_workers)
{
  GArray *ranges = g_array_new (FALSE, TRUE, sizeof (ShardpixRange));
  guint start = 0;

  g_return_val_if_fail (n_workers >= 1, NULL);

  while (start < n_items)
    {
      guint remaining = n_items - start;
      guint divisor = 2 * MIN (n_workers, G_MAXUINT / 2);
      ShardpixRange range = { start, MAX (1, remaining / divisor + (remaining % divisor != 0)) };

      g_array_append_val (ranges, range);
      start += range.count;
    }
  return ranges;
}

GArray *
shardpix_shard_guided_by_cost (const guint64 *costs, guint n_items, guint n_workers)
{
  GArray *ranges = g_array_new (FALSE, TRUE, sizeof (ShardpixRange));
  guint64 divisor = 2 * (guint64) MAX (n_workers, 1);
  guint64 remaining = 0;
  guint start = 0;

  g_return_val_if_fail (n_workers >= 1, NULL);

  for (guint i = 0; i < n_items; i++)
    remaining += costs[i];
  while (start < n_items)
    {
      guint64 target = remaining / divisor;
      guint64 taken = 0;
      ShardpixRange range = { start, 0 };

      if (target == 0)
        {
          /* Nothing left with a cost (empty files): by count, as
           * shardpix_shard_guided() does. */
          guint left = n_items - start;

          range.count = MAX (1, (guint) (left / divisor + (left % divisor != 0)));
        }
      else
        while (start + range.count < n_items && (range.count == 0 || taken < target))
          taken += costs[start + range.count++];
      g_array_append_val (ranges, range);
      remaining -= taken;
      start += range.count;
    }
  return ranges;
}
