/* Slices: the part of a listing one process handles when a scheduler
 * (a Slurm job array, a Kubernetes Indexed Job, GNU parallel over ssh)
 * runs M copies of shardpix, each told its index K. Every copy lists the
 * same folder and cuts it the same way, so the slices are disjoint and
 * cover the listing without the copies ever talking to each other. */
#pragma once

#include <glib.h>

#include "shardpix/listing.h"
#include "shardpix/shard.h"

G_BEGIN_DECLS

#define SHARDPIX_SLICE_MAX 100000

typedef struct {
  guint index; /* K, 0-based */
  guint count; /* M, >= 1 */
} ShardpixSlice;

/* How --slice-balance cuts the listing into slices. Either way a slice is
 * a contiguous run of listing indexes, computed from the listing (and, for
 * BYTES, the files' sizes) alone, so that every node computes the same cut. */
typedef enum {
  SHARDPIX_SLICE_BALANCE_COUNT, /* counts differing by at most one */
  SHARDPIX_SLICE_BALANCE_BYTES, /* about equal cost: bytes weighed by format */
} ShardpixSliceBalance;

gboolean shardpix_slice_balance_parse (const char *text, ShardpixSliceBalance *balance,
                                       GError **error);
const char *shardpix_slice_balance_name (ShardpixSliceBalance balance);

/* What a sliced run records so that `report merge` can check that the
 * slices of several reports come from one listing and cover it once. */
typedef struct {
  ShardpixSlice slice;
  ShardpixSliceBalance balance;
  ShardpixRange range;    /* listing indexes of this slice */
  guint listing_images;   /* images in the whole listing */
  char *listing_sha256;   /* see shardpix_slice_fingerprint() */
} ShardpixSliceInfo;

/* "K/M" with 0 <= K < M <= SHARDPIX_SLICE_MAX. */
gboolean shardpix_slice_parse (const char *text, ShardpixSlice *slice, GError **error);

/* --slice auto: K and M from the scheduler's environment @envp, in order:
 * SLURM_ARRAY_TASK_ID with SLURM_ARRAY_TASK_COUNT or _MIN/_MAX (K counts
 * from _MIN, so --array=1-4 works too; a stepped array is refused), then
 * JOB_COMPLETION_INDEX (Kubernetes) with M from @slices (--slices, 0 if
 * not given) or SHARDPIX_SLICES. Errors name the variables it looked for. */
gboolean shardpix_slice_from_environment (const char *const *envp, guint slices,
                                          ShardpixSlice *slice, GError **error);

/* "auto" or "K/M" (see above). */
gboolean shardpix_slice_resolve (const char *text, const char *const *envp, guint slices,
                                 ShardpixSlice *slice, GError **error);

/* Slice K of M over @n_items: the K-th range of shardpix_shard_by_count()
 * (contiguous, sizes differ by at most one, empty when M > n_items). A
 * byte-balanced slicing would have to be as deterministic: computed from
 * the listing alone, never from timings or the machine. */
ShardpixRange shardpix_slice_range (const ShardpixSlice *slice, guint n_items);

/* Slice K of M over @n_items items of @costs: contiguous, item i in the
 * slice its cost's midpoint falls in when the total cost is cut into M
 * equal parts, so each slice holds about 1/M of the cost (one item costlier
 * than that is a slice of its own, and neighbours may be empty). A listing
 * of no cost at all is cut by count. */
ShardpixRange shardpix_slice_range_by_cost (const ShardpixSlice *slice, const guint64 *costs,
                                            guint n_items);

/* Lowercase hex SHA-256 over @paths, each followed by a NUL: equal for two
 * listings exactly when they hold the same names in the same order. */
char *shardpix_slice_fingerprint (GPtrArray *paths);

/* Fills @info for @slice of @paths, cut by count when @costs (one per
 * path) is NULL and by cost otherwise, and returns the slice's paths (a new
 * array of copies, in order). */
GPtrArray *shardpix_slice_apply (const ShardpixSlice *slice, GPtrArray *paths,
                                 const guint64 *costs, ShardpixSliceInfo *info);

/* Replaces @listing's paths with those of @slice, cut by @balance, and
 * fills @info. Fails only when BYTES cannot stat the input folder. */
gboolean shardpix_slice_listing (const ShardpixSlice *slice, ShardpixSliceBalance balance,
                                 ShardpixListing *listing, ShardpixSliceInfo *info,
                                 GError **error);

/* "slice K/M by B: listing indexes A..Z (N of T images), listing SHA\n" */
char *shardpix_slice_describe (const ShardpixSliceInfo *info);

void shardpix_slice_info_clear (ShardpixSliceInfo *info);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ShardpixSliceInfo, shardpix_slice_info_clear)

G_END_DECLS
