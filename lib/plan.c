#include "shardpix/plan.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shardpix/error.h"
#include "shardpix/shard.h"

ShardpixPlan *
shardpix_plan_new (const ShardpixListing *listing, guint n_shards, GError **error)
{
  g_autoptr (GArray) ranges = shardpix_shard_by_count (listing->paths->len, n_shards);
  g_autoptr (ShardpixPlan) plan = g_new0 (ShardpixPlan, 1);
  int dir = open (listing->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (dir < 0)
    return shardpix_error_errno (errno, error, "input folder %s", listing->root), NULL;
  plan->shards = g_array_sized_new (FALSE, TRUE, sizeof (ShardpixPlanShard), ranges->len);
  for (guint s = 0; s < ranges->len; s++)
    {
      const ShardpixRange *range = &g_array_index (ranges, ShardpixRange, s);
      ShardpixPlanShard shard = { range->start, range->count, 0 };

      for (guint i = range->start; i < range->start + range->count; i++)
        {
          struct stat st;

          if (fstatat (dir, g_ptr_array_index (listing->paths, i), &st, 0) == 0)
            shard.bytes += (guint64) st.st_size;
          else
            plan->n_unreadable++;
        }
      plan->bytes += shard.bytes;
      g_array_append_val (plan->shards, shard);
    }
  close (dir);
  return g_steal_pointer (&plan);
}

void
shardpix_plan_free (ShardpixPlan *plan)
{
  if (plan == NULL)
    return;
  g_clear_pointer (&plan->shards, g_array_unref);
  g_free (plan);
}
