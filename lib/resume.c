#include "resume.h"

#include <sys/stat.h>

static gboolean
resume_not_older (const struct timespec *out, const struct timespec *in)
{
  return out->tv_sec > in->tv_sec || (out->tv_sec == in->tv_sec && out->tv_nsec >= in->tv_nsec);
}

gboolean
shardpix_resume_is_done (const ShardpixJob *job, const char *rel)
{
  g_autofree char *input = g_build_filename (job->input_dir, rel, NULL);
  g_autofree char *output = shardpix_job_output_path (job, rel);
  struct stat in, out;

  /* lstat: a symlink planted in OUTPUT_DIR is not an output of ours. */
  if (lstat (output, &out) != 0 || !S_ISREG (out.st_mode))
    return FALSE;
  if (stat (input, &in) != 0)
    return FALSE;
  return resume_not_older (&out.st_mtim, &in.st_mtim);
}

guint
shardpix_resume_filter (const ShardpixJob *job, GPtrArray *paths)
{
  guint kept = 0;
  guint removed;

  for (guint i = 0; i < paths->len; i++)
    {
      char *rel = g_ptr_array_index (paths, i);

      if (shardpix_resume_is_done (job, rel))
        {
          g_free (rel);
          continue;
        }
      paths->pdata[kept++] = rel;
    }
  removed = paths->len - kept;
  /* The tail now holds moved or freed pointers: clear them so that the
   * array's free function sees only NULLs when it shrinks. */
  for (guint i = kept; i < paths->len; i++)
    paths->pdata[i] = NULL;
  g_ptr_array_set_size (paths, kept);
  return removed;
}
