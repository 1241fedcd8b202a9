/* --balance: how a run's listing is cut into the shards workers take. The
 * cuts themselves are the pure functions of shard.h; this adds the file
 * sizes they need and the reordering bytes balance implies. */
#pragma once

#include <glib.h>

#include "shardpix/listing.h"

G_BEGIN_DECLS

typedef enum {
  SHARDPIX_BALANCE_COUNT,   /* contiguous shards of equal counts */
  SHARDPIX_BALANCE_BYTES,   /* shards of about equal bytes */
  SHARDPIX_BALANCE_DYNAMIC, /* guided chunks, costliest files first, to whichever worker is free */
} ShardpixBalance;

#define SHARDPIX_BALANCE_DEFAULT SHARDPIX_BALANCE_DYNAMIC

gboolean shardpix_balance_parse (const char *text, ShardpixBalance *balance,
                                 GError **error);
const char *shardpix_balance_name (ShardpixBalance balance);

/* Every file's estimated cost: its size (fstatat, no image opened; an
 * unreadable file counts as 0) times a weight for its format. A pure
 * function of the listing and the sizes: --slice-balance bytes cuts on it
 * on every node alike. One per path; g_free() it. */
guint64 *shardpix_balance_costs (const ShardpixListing *listing, GError **error);

/* The shards for @balance, as ranges of positions in a processing order:
 * *@order (guint, position -> listing index), or NULL for listing order.
 * COUNT cuts @n_shards equal counts in listing order. BYTES stats every
 * file (fstatat, no image opened; an unreadable one counts as 0 bytes) and
 * orders the files so that each of its @n_shards shards is contiguous,
 * keeping listing order inside a shard. DYNAMIC cuts @n_shards equal counts
 * too, or when @n_shards is 0, stats every file, orders them by estimated
 * cost (bytes weighed by format), costliest first, and cuts guided chunks
 * for @n_workers (see shardpix_shard_guided()).
 * COUNT and BYTES take 0 for @n_workers shards. */
GArray *shardpix_balance_cut (const ShardpixListing *listing, ShardpixBalance balance,
                              guint n_shards, guint n_workers, GArray **order,
                              GError **error);

G_END_DECLS
