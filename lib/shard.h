/* Cutting a listing into contiguous shards. Pure functions: the same input
 * gives the same cut on every machine, which is what lets slices of one
 * listing run on different hosts and still cover it exactly once. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint start; /* index of the first item in the listing */
  guint count; /* may be 0 when there are more shards than items */
} ShardpixRange;

/* @n_shards contiguous ranges (n_shards >= 1) covering 0..n_items-1 in
 * order, whose counts differ by at most one; the larger ones come first.
 * Returns a GArray of ShardpixRange with exactly @n_shards elements. */
GArray *shardpix_shard_by_count (guint n_items, guint n_shards);

/* The ranges of @ranges that hold at least one item, in order. */
GArray *shardpix_shard_nonempty (GArray *ranges);

G_END_DECLS
