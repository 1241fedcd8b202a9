#include "shardpix/job.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shardpix/error.h"
#include "shardpix/names.h"
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
shardpix_job_init (ShardpixJob *job)
{
  memset (job, 0, sizeof *job);
  job->width = SHARDPIX_JOB_DEFAULT_SIZE;
  job->height = SHARDPIX_JOB_DEFAULT_SIZE;
  job->quality = SHARDPIX_JOB_DEFAULT_QUALITY;
  job->prefetch = SHARDPIX_JOB_DEFAULT_PREFETCH;
  job->threads = 1;
  /* A truncated file would otherwise come out grey-filled and "succeed". */
  job->fail_on = SHARDPIX_FAIL_ON_TRUNCATED;
  job->max_pixels = SHARDPIX_JOB_DEFAULT_MAX_PIXELS;
  job->max_buffer_mb = SHARDPIX_JOB_AUTO_MAX_BUFFER;
}

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
  int value = shardpix_names_find (names, n_names, text);
  g_autofree char *expected = NULL;

  if (value >= 0)
    return value;
  expected = shardpix_names_list (names, n_names);
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
  if (job->prefetch < 0 || job->prefetch > SHARDPIX_JOB_MAX_PREFETCH)
    {
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
                   "invalid --prefetch %d: expected 0 (none) to %d", job->prefetch,
                   SHARDPIX_JOB_MAX_PREFETCH);
      return FALSE;
    }
  if (job->max_buffer_mb < SHARDPIX_JOB_AUTO_MAX_BUFFER || job->max_buffer_mb > G_MAXINT64 >> 20)
    {
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
                   "invalid --max-buffer %" G_GINT64_FORMAT ": expected 0 (no limit) or more",
                   job->max_buffer_mb);
      return FALSE;
    }
  if (job->force && job->crop != SHARDPIX_CROP_NONE)
    {
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
                   "--crop fills the box, WxH! stretches to it: choose one");
      return FALSE;
    }
  /* It becomes part of a file name. */
  if (job->run_token != NULL
      && (*job->run_token == '\0' || strlen (job->run_token) > 64
          || strspn (job->run_token, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                     "0123456789-_")
               != strlen (job->run_token)))
    {
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
                   "invalid --run-token: expected 1 to 64 letters, digits, '-' or '_'");
      return FALSE;
    }
  return job->output_name == NULL || shardpix_output_name_check (job->output_name, error);
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
  if (job->force)
    g_ptr_array_add (argv, g_strdup_printf ("--size=%dx%d!", job->width, job->height));
  if (job->crop != SHARDPIX_CROP_NONE)
    g_ptr_array_add (argv, g_strdup_printf ("--crop=%s", shardpix_job_crop_name (job->crop)));
  if (job->enlarge)
    g_ptr_array_add (argv, g_strdup ("--enlarge"));
  if (job->no_rotate)
    g_ptr_array_add (argv, g_strdup ("--no-rotate"));
  if (job->keep_metadata)
    g_ptr_array_add (argv, g_strdup ("--keep-metadata"));
  if (job->color)
    g_ptr_array_add (argv, g_strdup ("--color"));
  g_ptr_array_add (argv, g_strdup_printf ("--gray=%s", shardpix_job_gray_name (job->gray)));
  if (job->no_fast_paths)
    g_ptr_array_add (argv, g_strdup ("--no-fast-paths"));
  /* "=": a template is a value even when it starts with '-'. */
  if (job->output_name != NULL)
    g_ptr_array_add (argv, g_strdup_printf ("--output-name=%s", job->output_name));
  g_ptr_array_add (argv, g_strdup ("--max-pixels"));
  g_ptr_array_add (argv, g_strdup_printf ("%" G_GINT64_FORMAT, job->max_pixels));
  g_ptr_array_add (argv, g_strdup_printf ("--prefetch=%d", job->prefetch));
  if (job->follow_symlinks)
    g_ptr_array_add (argv, g_strdup ("--follow-symlinks"));
  if (job->run_token != NULL)
    g_ptr_array_add (argv, g_strdup_printf ("--run-token=%s", job->run_token));
  /* "=": the automatic value is negative. */
  g_ptr_array_add (argv, g_strdup_printf ("--max-buffer=%" G_GINT64_FORMAT, job->max_buffer_mb));
}

static gboolean
job_option_size (const char *name, const char *value, gpointer data, GError **error)
{
  ShardpixJob *job = data;

  return shardpix_job_parse_box (value, &job->width, &job->height, &job->force, error);
}

static gboolean
job_option_crop (const char *name, const char *value, gpointer data, GError **error)
{
  ShardpixJob *job = data;

  return shardpix_job_parse_crop (value, &job->crop, error);
}

static gboolean
job_option_gray (const char *name, const char *value, gpointer data, GError **error)
{
  ShardpixJob *job = data;

  return shardpix_job_parse_gray (value, &job->gray, error);
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
      "Fit each image inside this box (default 256x256); WxH! forces exactly that size",
      "WxH[!]" },
    { "crop", 0, 0, G_OPTION_ARG_CALLBACK, job_option_crop,
      "Fill the box and crop: centre, attention or entropy", "HOW" },
    { "enlarge", 0, 0, G_OPTION_ARG_NONE, &job->enlarge,
      "Also enlarge images smaller than the box", NULL },
    { "no-rotate", 0, 0, G_OPTION_ARG_NONE, &job->no_rotate,
      "Keep pixels as stored: do not apply the EXIF orientation", NULL },
    { "keep-metadata", 0, 0, G_OPTION_ARG_NONE, &job->keep_metadata,
      "Keep EXIF, XMP, IPTC, and the ICC profile where it still describes the "
      "pixels (default: stripped)", NULL },
    { "color", 0, 0, G_OPTION_ARG_NONE, &job->color,
      "Keep colour: skip the grayscale step", NULL },
    { "gray", 0, 0, G_OPTION_ARG_CALLBACK, job_option_gray,
      "How grey is computed: rec601 (default): 0.299 R + 0.587 G + 0.114 B on the stored "
      "values, JPEG's own Y, as Pillow and OpenCV; linear: libvips' b-w, luminance in "
      "linear light",
      "FORMULA" },
    { "no-fast-paths", 0, 0, G_OPTION_ARG_NONE, &job->no_fast_paths,
      "Decode every image through libvips, not shardpix's grey JPEG and PNG decoders",
      NULL },
    { "output-name", 'o', 0, G_OPTION_ARG_FILENAME, &job->output_name,
      "Name outputs like vipsthumbnail -o: %s is the input name without extension, "
      "[...] are libvips save options (default: the input's name)", "'tn_%s.webp[Q=80]'" },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &job->format,
      "Save as jpeg, png, webp, tiff, avif, heic or jxl: short for "
      "--output-name '%s.EXT'", "FORMAT" },
    { "quality", 'q', 0, G_OPTION_ARG_INT, &job->quality,
      "Quality of lossy outputs, 1-100 (default 85)", "Q" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &job->threads,
      "libvips threads per worker (default 1: the cores go to workers)", "T" },
    { "fail-on", 0, 0, G_OPTION_ARG_CALLBACK, job_option_fail_on,
      "Damage that fails an image: none, truncated (default), error, warning", "LEVEL" },
    { "max-pixels", 0, 0, G_OPTION_ARG_INT64, &job->max_pixels,
      "Refuse images whose header declares more pixels (default 268435456, 0: no limit)",
      "N" },
    { "prefetch", 0, 0, G_OPTION_ARG_INT, &job->prefetch,
      "Files each worker opens and reads ahead while it decodes, for slow storage "
      "(default 2, at most 64 MB ahead; 0: none)",
      "N" },
    { "follow-symlinks", 0, 0, G_OPTION_ARG_NONE, &job->follow_symlinks,
      "Also read input symlinks that lead outside INPUT_DIR (default: skipped)", NULL },
    /* The supervisor's, for its workers' temporary names. */
    { "run-token", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &job->run_token,
      "Temporary-name token of this run", "TOKEN" },
    { "max-buffer", 0, 0, G_OPTION_ARG_INT64, &job->max_buffer_mb,
      "Refuse images libvips must decode whole (interlaced PNG, progressive JPEG, GIF, "
      "HEIF) into more than MB (default: half of physical memory / --jobs; 0: no limit)",
      "MB" },
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
  if (job->format != NULL)
    {
      const char *template = shardpix_output_name_format_template (job->format);

      if (template == NULL)
        {
          g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
                       "invalid --format '%s': expected jpeg, png, webp, tiff, avif, heic or jxl", job->format);
          return FALSE;
        }
      if (job->output_name != NULL)
        {
          g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
                       "--format and --output-name both name the output: choose one");
          return FALSE;
        }
      job->output_name = g_strdup (template);
      g_clear_pointer (&job->format, g_free);
    }
  if (!shardpix_job_validate (job, error))
    return FALSE;
  shardpix_output_name_ensure_run_token (job);
  return TRUE;
}
