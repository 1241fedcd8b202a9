#include "shardpix/job.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "shardpix/error.h"
#include "shardpix/choice.h"
#include "shardpix/output-name.h"

#define SHARDPIX_JOB_MAX_SIZE 100000

static const char *const fail_on_names[] = {
  [SHARDPIX_FAIL_ON_NONE] = "none",
  [SHARDPIX_FAIL_ON_TRUNCATED] = "truncated",
  [SHARDPIX_FAIL_ON_ERROR] = "error",
  [SHARDPIX_FAIL_ON_WARNING] = "warning",
};

static const char *const crop_names[] = {
  [SHARDPIX_CROP_NONE] = "none",
  [SHARDPIX_CROP_CENTRE] = "centre",
  [SHARDPIX_CROP_ATTENTION] = "attention",
  [SHARDPIX_CROP_ENTROPY] = "entropy",
};

static const char *const gray_names[] = {
  [SHARDPIX_GRAY_REC601] = "rec601",
  [SHARDPIX_GRAY_LINEAR] = "linear",
};

void
shardpix_job_clear (ShardpixJob *job)
{
  g_clear_pointer (&job->input_dir, g_free);
  g_clear_pointer (&job->output_dir, g_free);
  g_clear_pointer (&job->output_name, g_free);
  g_clear_pointer (&job->format, g_free);
  g_clear_pointer (&job->run_token, g_free);
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
shardpix_job_parse_box (const char *text, int *width, int *height, gboolean *force,
                        GError **error)
{
  gsize len = text ? strlen (text) : 0;
  g_autofree char *plain = NULL;

  if (len == 0 || text[len - 1] != '!')
    {
      if (!shardpix_job_parse_size (text, width, height, error))
        return FALSE;
      *force = FALSE;
      return TRUE;
    }
  plain = g_strndup (text, len - 1);
  if (!shardpix_job_parse_size (plain, width, height, error))
    return FALSE;
  *force = TRUE;
  return TRUE;
}

/* The index of @text in @names (an enum's value), or -1 with a usage
 * error that lists them. */
static int
job_parse_name (const char *option, const char *const *names, guint n_names,
                const char *text, GError **error)
{
  int value = shardpix_choice_find (names, n_names, text);
  g_autofree char *expected = NULL;

  if (value >= 0)
    return value;
  expected = shardpix_choice_list (names, n_names);
  g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE, "invalid %s '%s': expected %s",
               option, text ? text : "", expected);
  return -1;
}

gboolean
shardpix_job_parse_crop (const char *text, ShardpixCrop *crop, GError **error)
{
  int value;

  /* The other spelling users of vipsthumbnail know. */
  if (g_strcmp0 (text, "center") == 0)
    text = crop_names[SHARDPIX_CROP_CENTRE];
  value = job_parse_name ("--crop", crop_names, G_N_ELEMENTS (crop_names), text, error);
  if (value < 0)
    return FALSE;
  *crop = (ShardpixCrop) value;
  return TRUE;
}

const char *
shardpix_job_crop_name (ShardpixCrop crop)
{
  g_return_val_if_fail ((guint) crop < G_N_ELEMENTS (crop_names), "?");
  return crop_names[crop];
}

gboolean
shardpix_job_parse_gray (const char *text, ShardpixGray *gray, GError **error)
{
  int value = job_parse_name ("--gray", gray_names, G_N_ELEMENTS (gray_names), text, error);

  if (value < 0)
    return FALSE;
  *gray = (ShardpixGray) value;
  return TRUE;
}

const char *
shardpix_job_gray_name (ShardpixGray gray)
{
  g_return_val_if_fail ((guint) gray < G_N_ELEMENTS (gray_names), "?");
  return gray_names[gray];
}

gboolean
shardpix_job_parse_fail_on (const char *text, ShardpixFailOn *fail_on, GError **error)
{
  int value = job_parse_name ("--fail-on", fail_on_names, G_N_ELEMENTS (fail_on_names), text,
                              error);

  if (value < 0)
    return FALSE;
  *fail_on = (ShardpixFailOn) value;
  return TRUE;
}

const char *
shardpix_job_fail_on_name (ShardpixFailOn fail_on)
{
  g_return_val_if_fail ((guint) fail_on < G_N_ELEMENTS (fail_on_names), "?");
  return fail_on_names[fail_on];
}
