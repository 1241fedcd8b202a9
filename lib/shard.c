#include "shard.h"

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
