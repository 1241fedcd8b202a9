/* Cutting a listing into contiguous shards. Pure functions: the same input
 * gives the same cut on every machine, which is what lets slices of one
 * listing run on different hosts and still cover it exactly once. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Consecutive positions in the sequence that was cut: the run's processing
 * order (a permutation of the listing, see shardpix_shard_by_bytes() and
 * supervisor.h), which is the listing itself when there is none; then, and
 * only then, positions are listing indexes. A file is named by its listing
 * index everywhere else (records, results, undone lists). */
typedef struct {
  guint start; /* position of the first item */
  guint count; /* may be 0 when there are more shards than items */
} ShardpixRange;

/* @n_shards contiguous ranges (n_shards >= 1) covering 0..n_items-1 in
 * order, whose counts differ by at most one; the larger ones come first.
 * Returns a GArray of ShardpixRange with exactly @n_shards elements. */
GArray *shardpix_shard_by_count (guint n_items, guint n_shards);

/* Shards of about equal bytes: items are dealt largest first (ties: the
 * lower listing index first) to the shard with the fewest bytes so far
 * (ties: the lower shard index), which is deterministic. Returns @n_shards
 * contiguous ranges over *@order, a permutation of 0..n_items-1 (guint)
 * in which each shard's items keep listing order, so that a shard is
 * processed in the same order as under --balance count. */
GArray *shardpix_shard_by_bytes (const guint64 *sizes, guint n_items, guint n_shards,
                                 GArray **order);

/* Chunks for --balance dynamic, handed out one at a time to whichever worker
 * finishes first: contiguous ranges covering 0..n_items-1 in order, each
 * ceil(remaining / (2 * n_workers)) items (guided self-scheduling), so the
 * first are large (few hand-outs) and the last are single items (no worker
 * idles long at the end). */
GArray *shardpix_shard_guided (guint n_items, guint n_workers);

/* As shardpix_shard_guided(), with chunks sized by cost rather than count:
 * each holds the next items until their @costs reach 1 / (2 * n_workers) of
 * the cost left (at least one item), so that, with the costliest items
 * first, the first chunk is not a quarter of the items but a quarter of the
 * work. Items without cost are chunked by count. */
GArray *shardpix_shard_guided_by_cost (const guint64 *costs, guint n_items, guint n_workers);

/* A permutation of 0..n_items-1 (guint) by decreasing @sizes, ties in
 * listing order. */
GArray *shardpix_shard_largest_first (const guint64 *sizes, guint n_items);

/* The ranges of @ranges that hold at least one item, in order. */
GArray *shardpix_shard_nonempty (GArray *ranges);

G_END_DECLS
