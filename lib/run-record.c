#include "shardpix/run-record.h"

#include <sys/wait.h>

#include "shardpix/spawn.h"

static void
run_record_child_free (gpointer data)
{
  ShardpixChildRecord *child = data;

  g_free (child->failure);
  g_clear_pointer (&child->images, g_array_unref);
  g_free (child);
}

ShardpixRunRecord *
shardpix_run_record_new (GArray *order)
{
  ShardpixRunRecord *record = g_new0 (ShardpixRunRecord, 1);

  record->children = g_ptr_array_new_with_free_func (run_record_child_free);
  record->undone = g_array_new (FALSE, FALSE, sizeof (guint));
  record->order = order != NULL ? g_array_ref (order) : NULL;
  return record;
}

void
shardpix_run_record_free (ShardpixRunRecord *record)
{
  if (record == NULL)
    return;
  g_ptr_array_unref (record->children);
  g_array_unref (record->undone);
  g_clear_pointer (&record->order, g_array_unref);
  g_free (record->output_stop);
  g_free (record);
}

ShardpixChildRecord *
shardpix_run_record_add_child (ShardpixRunRecord *record, guint shard,
                               const ShardpixRange *range, gboolean retry)
{
  ShardpixChildRecord *child = g_new0 (ShardpixChildRecord, 1);

  child->shard = shard;
  child->range = *range;
  child->retry = retry;
  child->images = g_array_new (FALSE, FALSE, sizeof (ShardpixImageTiming));
  g_ptr_array_add (record->children, child);
  return child;
}

guint
shardpix_run_record_listing_index (const ShardpixRunRecord *record, guint position)
{
  if (record->order == NULL)
    return position;
  g_return_val_if_fail (position < record->order->len, position);
  return g_array_index (record->order, guint, position);
}

void
shardpix_child_record_fail (ShardpixChildRecord *child, const char *format, ...)
{
  va_list args;

  if (child->failure != NULL)
    return;
  va_start (args, format);
  child->failure = g_strdup_vprintf (format, args);
  va_end (args);
}

void
shardpix_run_record_count_result (ShardpixRunRecord *record, ShardpixChildRecord *child,
                                  const ShardpixRecord *result)
{
  ShardpixImageTiming timing = { result->index, result->ok, result->start_us, result->wall_us };

  g_array_append_val (child->images, timing);
  if (result->ok)
    child->n_ok++, record->n_ok++;
  else
    child->n_failed++, record->n_failed++;
}

void
shardpix_run_record_count_poison (ShardpixRunRecord *record, ShardpixChildRecord *child)
{
  child->poisoned = TRUE;
  child->n_failed++;
  record->n_failed++;
  record->n_poison++;
}

void
shardpix_child_record_reaped (ShardpixChildRecord *child, int status, const struct rusage *usage,
                              gint64 wall_us)
{
  child->reaped = TRUE;
  child->status = status;
  child->wall_us = wall_us;
  child->user_s = shardpix_spawn_seconds (&usage->ru_utime);
  child->sys_s = shardpix_spawn_seconds (&usage->ru_stime);
  child->max_rss_kb = usage->ru_maxrss;
  if (!child->done || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      g_autofree char *how = shardpix_spawn_describe_status (status);

      shardpix_child_record_fail (child, "%s %s finishing its shard", how,
                                  child->done ? "after" : "before");
    }
}

void
shardpix_run_record_add_undone_position (ShardpixRunRecord *record, guint position)
{
  guint index = shardpix_run_record_listing_index (record, position);

  g_array_append_val (record->undone, index);
}

void
shardpix_run_record_add_undone (ShardpixRunRecord *record, GArray *files, guint from)
{
  for (guint i = from; files != NULL && i < files->len; i++)
    g_array_append_val (record->undone, g_array_index (files, guint, i));
}

static gint
run_record_compare_index (gconstpointer a, gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return (x > y) - (x < y);
}

void
shardpix_run_record_sort_undone (ShardpixRunRecord *record)
{
  g_array_sort (record->undone, run_record_compare_index);
}
