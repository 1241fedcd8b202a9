#include "shardpix/run-record.h"

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
