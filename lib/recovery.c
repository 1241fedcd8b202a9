#include "shardpix/recovery.h"

#include <string.h>
#include <sys/wait.h>

#include "shardpix/worker.h"

gboolean
shardpix_recovery_is_hopeless (int status)
{
  if (!WIFEXITED (status))
    return FALSE;
  switch (WEXITSTATUS (status))
    {
    case SHARDPIX_WORKER_EXIT_USAGE:
    case SHARDPIX_WORKER_EXIT_PROTOCOL:
    case SHARDPIX_WORKER_EXIT_INIT:
      return TRUE;
    default:
      return FALSE;
    }
}

static void
recovery_requeue (ShardpixRecovery *recovery, const ShardpixWork *work)
{
  g_assert (recovery->n_requeue < G_N_ELEMENTS (recovery->requeue));
  recovery->requeue[recovery->n_requeue++] = *work;
}

void
shardpix_recovery_decide (const ShardpixEnding *ending, ShardpixRecovery *recovery)
{
  guint end = ending->range.start + ending->range.count;
  const ShardpixWork *ahead = &ending->ahead;

  g_return_if_fail (ending->next >= ending->range.start && ending->next <= end);
  memset (recovery, 0, sizeof *recovery);
  if (ending->next == end && ahead->range.count == 0)
    return;
  if (ending->finished || ending->stopping || shardpix_recovery_is_hopeless (ending->status))
    {
      recovery->kind = SHARDPIX_RECOVERY_UNDONE;
      recovery->child_failed = !ending->finished && !ending->stopping;
      recovery->n_undone = end - ending->next + ahead->range.count;
      recovery->undone[0] = (ShardpixRange){ ending->next, end - ending->next };
      recovery->undone[1] = ahead->range;
      return;
    }
  /* The grant sent ahead was not begun: it goes back as it was, after what
   * the worker was on. */
  recovery->kind = SHARDPIX_RECOVERY_REQUEUE;
  if (ahead->range.count > 0)
    recovery_requeue (recovery, ahead);
  if (ending->next == end)
    return;
  if (ending->retry)
    {
      recovery->kind = SHARDPIX_RECOVERY_POISON;
      recovery->poison = ending->next;
      return;
    }
  recovery->kind = SHARDPIX_RECOVERY_RETRY;
  recovery->n_undone = end - ending->next;
  if (end - ending->next > 1)
    recovery_requeue (recovery, &(ShardpixWork){ { ending->next + 1, end - ending->next - 1 },
                                                 ending->shard, FALSE });
  recovery_requeue (recovery, &(ShardpixWork){ { ending->next, 1 }, ending->shard, TRUE });
}

char *
shardpix_recovery_poison_reason (const char *last)
{
  return g_strdup_printf ("poison file: its worker died on it twice (last: %s)", last);
}
