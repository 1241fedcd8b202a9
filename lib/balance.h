/* --balance: how a run's listing is cut into the shards workers take. The
 * cuts themselves are the pure functions of shard.h; this adds the file
 * sizes they need and the reordering bytes balance implies. */
#pragma once

#include <glib.h>

#include "listing.h"

G_BEGIN_DECLS

typedef enum {
  SHARDPIX_BALANCE_COUNT,   /* contiguous shards of equal counts */
  SHARDPIX_BALANCE_BYTES,   /* shards of about equal bytes */
  SHARDPIX_BALANCE_DYNAMIC, /* guided chunks granted to whichever worker is free */
} ShardpixBalance;

#define SHARDPIX_BALANCE_DEFAULT SHARDPIX_BALANCE_DYNAMIC

gboolean shardpix_balance_parse (const char *text, ShardpixBalance *balance,
                                 GError **error);
const char *shardpix_balance_name (ShardpixBalance balance);

/* The shards (ShardpixRange over @listing->paths) for @balance: COUNT cuts
 * @n_shards equal counts; BYTES stats every file (fstatat, no image opened;
 * an unreadable one counts as 0 bytes) and reorders @listing->paths so that
 * each of its @n_shards shards is contiguous, each keeping listing order;
 * DYNAMIC cuts @n_shards equal counts too, or when @n_shards is 0, guided
 * chunks for @n_workers (see shardpix_shard_guided()); COUNT and BYTES take
 * 0 for @n_workers shards. */
GArray *shardpix_balance_cut (ShardpixListing *listing, ShardpixBalance balance,
                              guint n_shards, guint n_workers, GError **error);

G_END_DECLS
