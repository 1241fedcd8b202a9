#include "shardpix/output-plan.h"

#include <string.h>

#include "shardpix/output-name.h"

void
shardpix_output_plan_init (ShardpixOutputPlan *plan, const ShardpixJob *job, const char *rel)
{
  const char *dot;

  memset (plan, 0, sizeof *plan);
  if (job->output_name == NULL)
    plan->rel = g_strdup (rel);
  else
    {
      g_autofree char *options = NULL;

      shardpix_output_name_expand (job->output_name, rel, &plan->rel, &options);
      if (*options != '\0')
        plan->user_options = g_steal_pointer (&options);
    }
  plan->path = g_build_filename (job->output_dir, plan->rel, NULL);
  plan->dir = g_path_get_dirname (plan->rel);
  plan->name = g_path_get_basename (plan->rel);
  plan->where = strcmp (plan->dir, ".") == 0 ? g_strdup (job->output_dir)
                                             : g_build_filename (job->output_dir, plan->dir, NULL);
  dot = strrchr (plan->rel, '.');
  plan->format = g_strdup (dot ? dot : "");
}

void
shardpix_output_plan_clear (ShardpixOutputPlan *plan)
{
  g_clear_pointer (&plan->rel, g_free);
  g_clear_pointer (&plan->path, g_free);
  g_clear_pointer (&plan->dir, g_free);
  g_clear_pointer (&plan->name, g_free);
  g_clear_pointer (&plan->where, g_free);
  g_clear_pointer (&plan->format, g_free);
  g_clear_pointer (&plan->user_options, g_free);
  g_clear_pointer (&plan->save_options, g_free);
  plan->saver = NULL;
}

char *
shardpix_output_plan_temp_path (const ShardpixOutputPlan *plan, const ShardpixJob *job, GPid pid,
                                guint index)
{
  g_autofree char *name = shardpix_output_name_temp (job, pid, index);

  return g_build_filename (plan->where, name, NULL);
}

gboolean
shardpix_output_plan_distinct (const ShardpixJob *job, GPtrArray *paths, guint *first,
                               guint *second)
{
  g_autoptr (GHashTable) seen = NULL;

  /* Input paths are unique, so only a renaming template can collide. */
  if (job->output_name == NULL)
    return TRUE;
  seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < paths->len; i++)
    {
      g_auto (ShardpixOutputPlan) plan = { 0 };
      gpointer earlier;

      shardpix_output_plan_init (&plan, job, g_ptr_array_index (paths, i));
      if (g_hash_table_lookup_extended (seen, plan.path, NULL, &earlier))
        {
          *first = GPOINTER_TO_UINT (earlier);
          *second = i;
          return FALSE;
        }
      g_hash_table_insert (seen, g_steal_pointer (&plan.path), GUINT_TO_POINTER (i));
    }
  return TRUE;
}
