/* The dry run: how a listing would be cut into shards and how many bytes
 * each shard holds, without opening a single image. */
#pragma once

#include <glib.h>

#include "shardpix/listing.h"

G_BEGIN_DECLS

typedef struct {
  guint start;    /* listing index of its first file */
  guint count;
  guint64 bytes;  /* sum of the files' sizes */
} ShardpixPlanShard;

typedef struct {
  GArray *shards;     /* ShardpixPlanShard, every shard, empty ones too */
  guint64 bytes;
  guint n_unreadable; /* files that vanished or could not be stat'ed: 0 bytes */
} ShardpixPlan;

/* Cuts @listing into @n_shards (see shardpix_shard_by_count()) and sizes
 * each shard with one fstatat() per file, following symlinks as a worker's
 * open() would. */
ShardpixPlan *shardpix_plan_new (const ShardpixListing *listing, guint n_shards,
                                 GError **error);
void shardpix_plan_free (ShardpixPlan *plan);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShardpixPlan, shardpix_plan_free)

G_END_DECLS
