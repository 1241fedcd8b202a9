#include "balance.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "shard.h"

static const char *const balance_names[] = {
  [SHARDPIX_BALANCE_COUNT] = "count",
  [SHARDPIX_BALANCE_BYTES] = "bytes",
  [SHARDPIX_BALANCE_DYNAMIC] = "dynamic",
};

gboolean
shardpix_balance_parse (const char *text, ShardpixBalance *balance, GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (balance_names); i++)
    if (g_strcmp0 (text, balance_names[i]) == 0)
      {
        *balance = (ShardpixBalance) i;
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

static GArray *
balance_by_bytes (ShardpixListing *listing, guint n_shards, GError **error)
{
  guint n = listing->paths->len;
  g_autofree guint64 *sizes = g_new0 (guint64, MAX (n, 1));
  g_autoptr (GArray) order = NULL;
  GArray *ranges = NULL;
  GPtrArray *ordered = NULL;
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

  ranges = shardpix_shard_by_bytes (sizes, n, n_shards, &order);
  ordered = g_ptr_array_new_full (n, g_free);
  for (guint k = 0; k < n; k++)
    g_ptr_array_add (ordered, g_ptr_array_index (listing->paths, g_array_index (order, guint, k)));
  /* The strings moved to @ordered. */
  g_ptr_array_set_free_func (listing->paths, NULL);
  g_ptr_array_unref (listing->paths);
  listing->paths = ordered;
  return ranges;
}

GArray *
shardpix_balance_cut (ShardpixListing *listing, ShardpixBalance balance, guint n_shards,
                      guint n_workers, GError **error)
{
  switch (balance)
    {
    case SHARDPIX_BALANCE_COUNT:
      n_shards = n_shards > 0 ? n_shards : n_workers;
      return shardpix_shard_by_count (listing->paths->len, n_shards);
    case SHARDPIX_BALANCE_BYTES:
      n_shards = n_shards > 0 ? n_shards : n_workers;
      return balance_by_bytes (listing, n_shards, error);
    case SHARDPIX_BALANCE_DYNAMIC:
      if (n_shards > 0)
        return shardpix_shard_by_count (listing->paths->len, n_shards);
      return shardpix_shard_guided (listing->paths->len, n_workers);
    default:
      g_return_val_if_reached (NULL);
    }
}
