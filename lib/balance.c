#include "shardpix/balance.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shardpix/choice.h"
#include "shardpix/error.h"
#include "shardpix/shard.h"

static const char *const balance_names[] = {
  [SHARDPIX_BALANCE_COUNT] = "count",
  [SHARDPIX_BALANCE_BYTES] = "bytes",
  [SHARDPIX_BALANCE_DYNAMIC] = "dynamic",
};

gboolean
shardpix_balance_parse (const char *text, ShardpixBalance *balance, GError **error)
{
  int value = shardpix_choice_find (balance_names, G_N_ELEMENTS (balance_names), text);

  if (value >= 0)
    {
      *balance = (ShardpixBalance) value;
      return TRUE;
    }
  g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
               "--balance must be count, bytes or dynamic, not \"%s\"", text);
  return FALSE;
}

const char *
shardpix_balance_name (ShardpixBalance balance)
{
  g_return_val_if_fail ((guint) balance < G_N_ELEMENTS (balance_names), NULL);
  return balance_names[balance];
}

/* Every file's size (fstatat, no image opened; an unreadable one counts as
 * 0 bytes). */
static guint64 *
balance_sizes (const ShardpixListing *listing, GError **error)
{
  guint n = listing->paths->len;
  g_autofree guint64 *sizes = g_new0 (guint64, MAX (n, 1));
  int dir = open (listing->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (dir < 0)
    return shardpix_error_errno (errno, error, "input folder %s", listing->root), NULL;
  for (guint i = 0; i < n; i++)
    {
      struct stat st;

      if (fstatat (dir, g_ptr_array_index (listing->paths, i), &st, 0) == 0)
        sizes[i] = (guint64) st.st_size;
    }
  close (dir);
  return g_steal_pointer (&sizes);
}

static GArray *
balance_by_bytes (const ShardpixListing *listing, guint n_shards, GArray **order,
                  GError **error)
{
  g_autofree guint64 *sizes = balance_sizes (listing, error);

  if (sizes == NULL)
    return NULL;
  return shardpix_shard_by_bytes (sizes, listing->paths->len, n_shards, order);
}

/* CPU per compressed byte differs by format far more than by file: on the
 * real photographs of docs/benchmarks.md, through the fast paths, WebP
 * took 0.156 s/MB, PNG 0.039 and JPEG 0.021 (progressive ones read from
 * their DC scans). The phone formats decode whole (no shrink-on-load) from
 * few bytes: on bench/folders/phone.sh's 12 MP files, HEIC took 2.7 s/MB,
 * JPEG XL 2.2 and AVIF 7.7, against 0.028 for JPEG there. Bytes times these
 * weights estimate an image's cost. */
static guint64
balance_weight (const char *path)
{
  const char *dot = strrchr (path, '.');

  if (dot == NULL)
    return 1;
  if (g_ascii_strcasecmp (dot, ".webp") == 0)
    return 8;
  if (g_ascii_strcasecmp (dot, ".jpg") == 0 || g_ascii_strcasecmp (dot, ".jpeg") == 0)
    return 1;
  if (g_ascii_strcasecmp (dot, ".heic") == 0 || g_ascii_strcasecmp (dot, ".heif") == 0)
    return 100;
  if (g_ascii_strcasecmp (dot, ".avif") == 0)
    return 270;
  if (g_ascii_strcasecmp (dot, ".jxl") == 0)
    return 80;
  return 2;
}

/* What every file costs whatever its size (open, header, shrink set-up,
 * save), in the units above (a JPEG byte): 345 real 640-pixel JPEG
 * thumbnails of 38 kB each took 7 ms of CPU apiece where their bytes
 * alone predict 0.8 ms (bench/slices.sh on bench/make-uneven-folder.sh);
 * without it, a slice of many small files ran 1.27x the mean. */
#define BALANCE_FILE_COST (256 * 1024)

guint64 *
shardpix_balance_costs (const ShardpixListing *listing, GError **error)
{
  guint64 *costs = balance_sizes (listing, error);

  for (guint i = 0; costs != NULL && i < listing->paths->len; i++)
    costs[i] = costs[i] * balance_weight (g_ptr_array_index (listing->paths, i))
               + BALANCE_FILE_COST;
  return costs;
}

/* Dynamic chunks over the files costliest first: the big images are
 * started while every worker still has work to come, and the last grants
 * are the cheapest files, so no worker finishes long after the others (the
 * longest processing time first rule of list scheduling). */
static GArray *
balance_dynamic (const ShardpixListing *listing, guint n_workers, GArray **order,
                 GError **error)
{
  g_autofree guint64 *costs = shardpix_balance_costs (listing, error);

  if (costs == NULL)
    return NULL;
  guint n = listing->paths->len;
  g_autofree guint64 *ordered = g_new0 (guint64, MAX (n, 1));

  *order = shardpix_shard_largest_first (costs, n);
  for (guint k = 0; k < n; k++)
    ordered[k] = costs[g_array_index (*order, guint, k)];
  return shardpix_shard_guided_by_cost (ordered, n, n_workers);
}

GArray *
shardpix_balance_cut (const ShardpixListing *listing, ShardpixBalance balance,
                      guint n_shards, guint n_workers, GArray **order, GError **error)
{
  *order = NULL;
  switch (balance)
    {
    case SHARDPIX_BALANCE_COUNT:
      n_shards = n_shards > 0 ? n_shards : n_workers;
      return shardpix_shard_by_count (listing->paths->len, n_shards);
    case SHARDPIX_BALANCE_BYTES:
      n_shards = n_shards > 0 ? n_shards : n_workers;
      return balance_by_bytes (listing, n_shards, order, error);
    case SHARDPIX_BALANCE_DYNAMIC:
      if (n_shards > 0)
        return shardpix_shard_by_count (listing->paths->len, n_shards);
      return balance_dynamic (listing, n_workers, order, error);
    default:
      g_return_val_if_reached (NULL);
    }
}
