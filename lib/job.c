#include "job.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

#define SHARDPIX_JOB_MAX_SIZE 100000

static const char *const fail_on_names[] = {
  [SHARDPIX_FAIL_ON_NONE] = "none",
  [SHARDPIX_FAIL_ON_TRUNCATED] = "truncated",
  [SHARDPIX_FAIL_ON_ERROR] = "error",
  [SHARDPIX_FAIL_ON_WARNING] = "warning",
};

void
shardpix_job_init (ShardpixJob *job)
{
  memset (job, 0, sizeof *job);
  job->width = SHARDPIX_JOB_DEFAULT_SIZE;
  job->height = SHARDPIX_JOB_DEFAULT_SIZE;
  job->quality = SHARDPIX_JOB_DEFAULT_QUALITY;
  job->threads = 1;
  /* A truncated file would otherwise come out grey-filled and "succeed". */
  job->fail_on = SHARDPIX_FAIL_ON_TRUNCATED;
  job->max_pixels = SHARDPIX_JOB_DEFAULT_MAX_PIXELS;
}

void
shardpix_job_clear (ShardpixJob *job)
{
  g_clear_pointer (&job->input_dir, g_free);
  g_clear_pointer (&job->output_dir, g_free);
}

static gboolean
job_parse_dimension (const char *text, const char **end, int *value)
{
  char *stop = NULL;
  gint64 parsed;

  if (!g_ascii_isdigit (*text))
    return FALSE;
  errno = 0;
  parsed = g_ascii_strtoll (text, &stop, 10);
  if (errno != 0 || parsed < 1 || parsed > SHARDPIX_JOB_MAX_SIZE)
    return FALSE;
  *value = (int) parsed;
  *end = stop;
  return TRUE;
}

gboolean
shardpix_job_parse_size (const char *text, int *width, int *height, GError **error)
{
  const char *rest = NULL;
  int w = 0, h = 0;

  if (text == NULL || !job_parse_dimension (text, &rest, &w))
    goto bad;
  if (*rest == '\0')
    h = w;
  else if ((*rest == 'x' || *rest == 'X') && job_parse_dimension (rest + 1, &rest, &h)
           && *rest == '\0')
    ;
  else
    goto bad;
  *width = w;
  *height = h;
  return TRUE;

bad:
  g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
               "invalid size '%s': expected WxH or N, each from 1 to %d",
               text ? text : "", SHARDPIX_JOB_MAX_SIZE);
  return FALSE;
}

gboolean
shardpix_job_parse_fail_on (const char *text, ShardpixFailOn *fail_on, GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (fail_on_names); i++)
    if (g_strcmp0 (text, fail_on_names[i]) == 0)
      {
        *fail_on = (ShardpixFailOn) i;
        return TRUE;
      }
  g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
               "invalid --fail-on '%s': expected none, truncated, error or warning",
               text ? text : "");
  return FALSE;
}

const char *
shardpix_job_fail_on_name (ShardpixFailOn fail_on)
{
  g_return_val_if_fail ((guint) fail_on < G_N_ELEMENTS (fail_on_names), "?");
  return fail_on_names[fail_on];
}

gboolean
shardpix_job_validate (const ShardpixJob *job, GError **error)
{
  if (job->quality < 1 || job->quality > 100)
    {
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
                   "invalid --quality %d: expected 1 to 100", job->quality);
      return FALSE;
    }
  if (job->threads < 1 || job->threads > 1024)
    {
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
                   "invalid --threads %d: expected 1 to 1024", job->threads);
      return FALSE;
    }
  if (job->max_pixels < 0)
    {
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
                   "invalid --max-pixels %" G_GINT64_FORMAT ": expected 0 (no limit) or more",
                   job->max_pixels);
      return FALSE;
    }
  return TRUE;
}

void
shardpix_job_append_args (const ShardpixJob *job, GPtrArray *argv)
{
  g_ptr_array_add (argv, g_strdup ("--size"));
  g_ptr_array_add (argv, g_strdup_printf ("%dx%d", job->width, job->height));
  g_ptr_array_add (argv, g_strdup ("--quality"));
  g_ptr_array_add (argv, g_strdup_printf ("%d", job->quality));
  g_ptr_array_add (argv, g_strdup ("--threads"));
  g_ptr_array_add (argv, g_strdup_printf ("%d", job->threads));
  g_ptr_array_add (argv, g_strdup ("--fail-on"));
  g_ptr_array_add (argv, g_strdup (shardpix_job_fail_on_name (job->fail_on)));
  g_ptr_array_add (argv, g_strdup ("--max-pixels"));
  g_ptr_array_add (argv, g_strdup_printf ("%" G_GINT64_FORMAT, job->max_pixels));
}

static gboolean
job_option_size (const char *name, const char *value, gpointer data, GError **error)
{
  ShardpixJob *job = data;

  return shardpix_job_parse_size (value, &job->width, &job->height, error);
}

static gboolean
job_option_fail_on (const char *name, const char *value, gpointer data, GError **error)
{
  ShardpixJob *job = data;

  return shardpix_job_parse_fail_on (value, &job->fail_on, error);
}

GOptionGroup *
shardpix_job_option_group (ShardpixJob *job)
{
  const GOptionEntry entries[] = {
    { "size", 's', 0, G_OPTION_ARG_CALLBACK, job_option_size,
      "Fit each image inside this box, never enlarged (default 256x256)", "WxH" },
    { "quality", 'q', 0, G_OPTION_ARG_INT, &job->quality,
      "Quality of lossy outputs, 1-100 (default 85)", "Q" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &job->threads,
      "libvips threads per worker (default 1: the cores go to workers)", "T" },
    { "fail-on", 0, 0, G_OPTION_ARG_CALLBACK, job_option_fail_on,
      "Damage that fails an image: none, truncated (default), error, warning", "LEVEL" },
    { "max-pixels", 0, 0, G_OPTION_ARG_INT64, &job->max_pixels,
      "Refuse images whose header declares more pixels (default 268435456, 0: no limit)",
      "N" },
    { NULL },
  };
  GOptionGroup *group = g_option_group_new ("job", "Image options:",
                                            "Show the image options", job, NULL);

  g_option_group_add_entries (group, entries);
  return group;
}

gboolean
shardpix_job_finish_options (ShardpixJob *job, GError **error)
{
  return shardpix_job_validate (job, error);
}

char *
shardpix_job_output_path (const ShardpixJob *job, const char *rel)
{
  return g_build_filename (job->output_dir, rel, NULL);
}

char *
shardpix_job_temp_path (const ShardpixJob *job, const char *rel, GPid pid, guint index)
{
  g_autofree char *dir = g_path_get_dirname (rel);
  g_autofree char *name = g_strdup_printf (".shardpix-%d-%u.tmp", (int) pid, index);

  if (strcmp (dir, ".") == 0)
    return g_build_filename (job->output_dir, name, NULL);
  return g_build_filename (job->output_dir, dir, name, NULL);
}
