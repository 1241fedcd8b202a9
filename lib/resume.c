#include "shardpix/resume.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shardpix/output.h"
#include "shardpix/output-plan.h"

static gboolean
resume_not_older (const struct timespec *out, const struct timespec *in)
{
  return out->tv_sec > in->tv_sec || (out->tv_sec == in->tv_sec && out->tv_nsec >= in->tv_nsec);
}

gboolean
shardpix_resume_is_done (const ShardpixJob *job, const char *rel)
{
  g_autofree char *input = g_build_filename (job->input_dir, rel, NULL);
  g_auto (ShardpixOutputPlan) plan = { 0 };
  struct stat in, out;
  int dir_fd;
  int found;

  /* Looked up as the output is written (output.h): a symlink planted in
   * OUTPUT_DIR, as the file or as a folder above it, is not an output of
   * ours. */
  shardpix_output_plan_init (&plan, job, rel);
  dir_fd = shardpix_output_open_dir (job->output_dir, plan.dir, FALSE, NULL);
  if (dir_fd < 0)
    return FALSE;
  found = fstatat (dir_fd, plan.name, &out, AT_SYMLINK_NOFOLLOW);
  close (dir_fd);
  if (found != 0 || !S_ISREG (out.st_mode))
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
