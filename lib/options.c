#include "shardpix/options.h"

#include <stddef.h>
#include <string.h>

#include "shardpix/error.h"
#include "shardpix/output-name.h"

#define JOB_FIELD(field) offsetof (ShardpixJob, field)
#define OPTIONS_DEFAULT_BOX \
  G_STRINGIFY (SHARDPIX_JOB_DEFAULT_SIZE) "x" G_STRINGIFY (SHARDPIX_JOB_DEFAULT_SIZE)

static gboolean
options_parse_size (ShardpixJob *job, const char *text, GError **error)
{
  return shardpix_job_parse_box (text, &job->width, &job->height, &job->force, error);
}

/* "!" once, with the size: the worker's argv says the box one way. */
static char *
options_format_size (const ShardpixJob *job)
{
  return g_strdup_printf ("%dx%d%s", job->width, job->height, job->force ? "!" : "");
}

static void
options_json_size (JsonBuilder *b, const ShardpixJob *job)
{
  json_builder_set_member_name (b, "width");
  json_builder_add_int_value (b, job->width);
  json_builder_set_member_name (b, "height");
  json_builder_add_int_value (b, job->height);
  json_builder_set_member_name (b, "force");
  json_builder_add_boolean_value (b, job->force);
}

static gboolean
options_parse_crop (ShardpixJob *job, const char *text, GError **error)
{
  return shardpix_job_parse_crop (text, &job->crop, error);
}

static char *
options_format_crop (const ShardpixJob *job)
{
  return g_strdup (shardpix_job_crop_name (job->crop));
}

static gboolean
options_parse_gray (ShardpixJob *job, const char *text, GError **error)
{
  return shardpix_job_parse_gray (text, &job->gray, error);
}

static char *
options_format_gray (const ShardpixJob *job)
{
  return g_strdup (shardpix_job_gray_name (job->gray));
}

/* "none" with --color: what the outputs are, whatever --gray said. */
static void
options_json_gray (JsonBuilder *b, const ShardpixJob *job)
{
  json_builder_set_member_name (b, "gray");
  json_builder_add_string_value (b, job->color ? "none" : shardpix_job_gray_name (job->gray));
}

/* Said the positive way round, as readers expect a setting. */
static void
options_json_fast_paths (JsonBuilder *b, const ShardpixJob *job)
{
  json_builder_set_member_name (b, "fast_paths");
  json_builder_add_boolean_value (b, !job->no_fast_paths);
}

/* Written by --output-name, which --format becomes. */
static void
options_json_folded (JsonBuilder *b, const ShardpixJob *job)
{
}

static gboolean
options_parse_fail_on (ShardpixJob *job, const char *text, GError **error)
{
  return shardpix_job_parse_fail_on (text, &job->fail_on, error);
}

static char *
options_format_fail_on (const ShardpixJob *job)
{
  return g_strdup (shardpix_job_fail_on_name (job->fail_on));
}

static gboolean
options_check_output_name (const ShardpixJob *job, GError **error)
{
  return job->output_name == NULL || shardpix_output_name_check (job->output_name, error);
}

/* It becomes part of a file name. */
static gboolean
options_check_run_token (const ShardpixJob *job, GError **error)
{
  const char *token = job->run_token;

  if (token == NULL
      || (*token != '\0' && strlen (token) <= 64
          && strspn (token, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
               == strlen (token)))
    return TRUE;
  g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
               "invalid --run-token: expected 1 to 64 letters, digits, '-' or '_'");
  return FALSE;
}

/* In --help order. --format does not travel: shardpix_job_finish_options()
 * folds it into --output-name, which does. */
static const ShardpixOption options_job[] = {
  { .long_name = "size", .short_name = 's', .kind = SHARDPIX_OPTION_CUSTOM,
    .placeholder = "WxH[!]",
    .help = "Fit each image inside this box (default 256x256); WxH! forces exactly that size",
    .commands = SHARDPIX_COMMAND_IMAGES,
    .default_text = OPTIONS_DEFAULT_BOX,
    .parse = options_parse_size, .format = options_format_size,
    .json_members = "width height force", .json = options_json_size },
  { .long_name = "crop", .kind = SHARDPIX_OPTION_CUSTOM, .placeholder = "HOW",
    .help = "Fill the box and crop: centre, attention or entropy",
    .commands = SHARDPIX_COMMAND_IMAGES, .default_text = "none",
    .parse = options_parse_crop, .format = options_format_crop, .json_members = "crop" },
  { .long_name = "enlarge", .kind = SHARDPIX_OPTION_FLAG,
    .help = "Also enlarge images smaller than the box",
    .commands = SHARDPIX_COMMAND_IMAGES, .offset = JOB_FIELD (enlarge),
    .json_members = "enlarge" },
  { .long_name = "no-rotate", .kind = SHARDPIX_OPTION_FLAG,
    .help = "Keep pixels as stored: do not apply the EXIF orientation",
    .commands = SHARDPIX_COMMAND_IMAGES, .offset = JOB_FIELD (no_rotate),
    .json_members = "no_rotate" },
  { .long_name = "keep-metadata", .kind = SHARDPIX_OPTION_FLAG,
    .help = "Keep EXIF, XMP, IPTC, and the ICC profile where it still describes the "
            "pixels (default: stripped)",
    .commands = SHARDPIX_COMMAND_IMAGES, .offset = JOB_FIELD (keep_metadata),
    .json_members = "keep_metadata" },
  { .long_name = "color", .kind = SHARDPIX_OPTION_FLAG,
    .help = "Keep colour: skip the grayscale step",
    .commands = SHARDPIX_COMMAND_IMAGES, .offset = JOB_FIELD (color),
    .json_members = "color" },
  { .long_name = "gray", .kind = SHARDPIX_OPTION_CUSTOM, .placeholder = "FORMULA",
    .help = "How grey is computed: rec601 (default): 0.299 R + 0.587 G + 0.114 B on the "
            "stored values, JPEG's own Y, as Pillow and OpenCV; linear: libvips' b-w, "
            "luminance in linear light",
    .commands = SHARDPIX_COMMAND_IMAGES, .default_text = "rec601",
    .parse = options_parse_gray, .format = options_format_gray,
    .json_members = "gray", .json = options_json_gray },
  { .long_name = "no-fast-paths", .kind = SHARDPIX_OPTION_FLAG,
    .help = "Decode every image through libvips, not shardpix's grey JPEG and PNG decoders",
    .commands = SHARDPIX_COMMAND_IMAGES, .offset = JOB_FIELD (no_fast_paths),
    .json_members = "fast_paths", .json = options_json_fast_paths },
  { .long_name = "output-name", .short_name = 'o', .kind = SHARDPIX_OPTION_FILENAME,
    .placeholder = "TEMPLATE",
    .help = "Name outputs like vipsthumbnail -o, as 'tn_%s.webp[Q=80]': %s is the input "
            "name without extension, [...] are libvips save options (default: the "
            "input's name)",
    .commands = SHARDPIX_COMMAND_IMAGES, .offset = JOB_FIELD (output_name),
    .check = options_check_output_name, .json_members = "output_name" },
  { .long_name = "format", .short_name = 'f', .kind = SHARDPIX_OPTION_STRING,
    .placeholder = "FORMAT",
    .help = "Save as jpeg, png, webp, tiff, avif, heic or jxl: short for "
            "--output-name '%s.EXT'",
    .commands = SHARDPIX_COMMAND_RUN | SHARDPIX_COMMAND_BENCH, .offset = JOB_FIELD (format),
    .json_members = "output_name", .json = options_json_folded },
  { .long_name = "quality", .short_name = 'q', .kind = SHARDPIX_OPTION_INT,
    .placeholder = "Q", .help = "Quality of lossy outputs, 1-100 (default 85)",
    .commands = SHARDPIX_COMMAND_IMAGES, .offset = JOB_FIELD (quality),
    .default_value = SHARDPIX_JOB_DEFAULT_QUALITY, .min = 1, .max = 100, .range = "1 to 100",
    .json_members = "quality" },
  { .long_name = "threads", .kind = SHARDPIX_OPTION_INT, .placeholder = "T",
    .help = "libvips threads per worker (default 1: the cores go to workers)",
    .commands = SHARDPIX_COMMAND_IMAGES, .offset = JOB_FIELD (threads), .default_value = 1,
    .min = 1, .max = 1024, .range = "1 to 1024", .json_members = "threads" },
  /* A truncated file would otherwise come out grey-filled and "succeed". */
  { .long_name = "fail-on", .kind = SHARDPIX_OPTION_CUSTOM, .placeholder = "LEVEL",
    .help = "Damage that fails an image: none, truncated (default), error, warning",
    .commands = SHARDPIX_COMMAND_IMAGES, .default_text = "truncated",
    .parse = options_parse_fail_on, .format = options_format_fail_on,
    .json_members = "fail_on" },
  { .long_name = "max-pixels", .kind = SHARDPIX_OPTION_INT64, .placeholder = "N",
    .help = "Refuse images whose header declares more pixels (default 268435456, 0: no "
            "limit)",
    .commands = SHARDPIX_COMMAND_IMAGES, .offset = JOB_FIELD (max_pixels),
    .default_value = SHARDPIX_JOB_DEFAULT_MAX_PIXELS, .min = 0, .max = G_MAXINT64,
    .range = "0 (no limit) or more", .json_members = "max_pixels" },
  { .long_name = "prefetch", .kind = SHARDPIX_OPTION_INT, .placeholder = "N",
    .help = "Files each worker opens and reads ahead while it decodes, for slow storage "
            "(default 2, at most 64 MB ahead; 0: none)",
    .commands = SHARDPIX_COMMAND_IMAGES, .offset = JOB_FIELD (prefetch),
    .default_value = SHARDPIX_JOB_DEFAULT_PREFETCH, .min = 0,
    .max = SHARDPIX_JOB_MAX_PREFETCH,
    .range = "0 (none) to " G_STRINGIFY (SHARDPIX_JOB_MAX_PREFETCH),
    .json_members = "prefetch" },
  { .long_name = "follow-symlinks", .kind = SHARDPIX_OPTION_FLAG,
    .help = "Also read input symlinks that lead outside INPUT_DIR (default: skipped)",
    .commands = SHARDPIX_COMMAND_IMAGES, .offset = JOB_FIELD (follow_symlinks),
    .json_members = "follow_symlinks" },
  /* The supervisor's, for its workers' temporary names. */
  { .long_name = "run-token", .kind = SHARDPIX_OPTION_STRING, .placeholder = "TOKEN",
    .help = "Temporary-name token of this run", .hidden = TRUE,
    .commands = SHARDPIX_COMMAND_IMAGES, .offset = JOB_FIELD (run_token),
    .check = options_check_run_token, .json_members = "run_token" },
  { .long_name = "max-buffer", .kind = SHARDPIX_OPTION_INT64, .placeholder = "MB",
    .help = "Refuse images libvips must decode whole (interlaced PNG, progressive JPEG, "
            "GIF, HEIF) into more than MB (default: half of physical memory / --jobs; 0: no "
            "limit)",
    .commands = SHARDPIX_COMMAND_IMAGES, .offset = JOB_FIELD (max_buffer_mb),
    .default_value = SHARDPIX_JOB_AUTO_MAX_BUFFER, .min = SHARDPIX_JOB_AUTO_MAX_BUFFER,
    .max = G_MAXINT64 >> 20, .range = "0 (no limit) or more", .json_members = "max_buffer" },
  { NULL },
};

const ShardpixOption *
shardpix_options_job (void)
{
  return options_job;
}

const ShardpixOption *
shardpix_options_find (const char *long_name)
{
  for (const ShardpixOption *option = options_job; option->long_name != NULL; option++)
    if (strcmp (option->long_name, long_name) == 0)
      return option;
  return NULL;
}

static void *
options_field (const ShardpixOption *option, const ShardpixJob *job)
{
  return (char *) job + option->offset;
}

/* GOptionContext gives "--size" or "-s". */
static const ShardpixOption *
options_find_given (const char *given)
{
  for (const ShardpixOption *option = options_job; option->long_name != NULL; option++)
    if ((given[1] == '-' && strcmp (given + 2, option->long_name) == 0)
        || (given[1] != '-' && given[1] == option->short_name && given[2] == '\0'))
      return option;
  return NULL;
}

static gboolean
options_parse_custom (const char *given, const char *value, gpointer data, GError **error)
{
  const ShardpixOption *option = options_find_given (given);

  g_return_val_if_fail (option != NULL && option->parse != NULL, FALSE);
  return option->parse (data, value, error);
}

GOptionEntry
shardpix_options_entry (const ShardpixOption *option, gpointer arg_data)
{
  static const GOptionArg args[] = {
    [SHARDPIX_OPTION_FLAG] = G_OPTION_ARG_NONE,
    [SHARDPIX_OPTION_INT] = G_OPTION_ARG_INT,
    [SHARDPIX_OPTION_INT64] = G_OPTION_ARG_INT64,
    [SHARDPIX_OPTION_STRING] = G_OPTION_ARG_STRING,
    [SHARDPIX_OPTION_FILENAME] = G_OPTION_ARG_FILENAME,
    [SHARDPIX_OPTION_CUSTOM] = G_OPTION_ARG_CALLBACK,
  };
  GOptionEntry entry = { option->long_name, option->short_name,
                         option->hidden ? G_OPTION_FLAG_HIDDEN : 0, args[option->kind], arg_data,
                         option->help, option->placeholder };

  return entry;
}

GOptionGroup *
shardpix_options_group (ShardpixJob *job, ShardpixCommands command)
{
  g_autoptr (GArray) entries = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));
  GOptionGroup *group = g_option_group_new ("job", "Image options:", "Show the image options",
                                            job, NULL);

  for (const ShardpixOption *option = options_job; option->long_name != NULL; option++)
    {
      GOptionEntry entry;

      if (!(option->commands & command))
        continue;
      /* GLib's own parsers where they fit: its messages for a bad number. */
      entry = shardpix_options_entry (option, option->kind == SHARDPIX_OPTION_CUSTOM
                                                ? (gpointer) options_parse_custom
                                                : options_field (option, job));
      g_array_append_val (entries, entry);
    }
  /* Copied by the group; the strings are the table's. */
  g_option_group_add_entries (group, (const GOptionEntry *) entries->data);
  return group;
}

GOptionGroup *
shardpix_job_option_group (ShardpixJob *job)
{
  return shardpix_options_group (job, SHARDPIX_COMMAND_RUN);
}

char *
shardpix_options_value (const ShardpixOption *option, const ShardpixJob *job)
{
  const void *field = options_field (option, job);

  switch (option->kind)
    {
    case SHARDPIX_OPTION_FLAG:
      return *(const gboolean *) field ? g_strdup ("") : NULL;
    case SHARDPIX_OPTION_INT:
      return g_strdup_printf ("%d", *(const int *) field);
    case SHARDPIX_OPTION_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, *(const gint64 *) field);
    case SHARDPIX_OPTION_STRING:
    case SHARDPIX_OPTION_FILENAME:
      return g_strdup (*(char *const *) field);
    case SHARDPIX_OPTION_CUSTOM:
      return option->format (job);
    }
  g_return_val_if_reached (NULL);
}

void
shardpix_job_append_args (const ShardpixJob *job, GPtrArray *argv)
{
  for (const ShardpixOption *option = options_job; option->long_name != NULL; option++)
    {
      g_autofree char *value = NULL;

      if (!(option->commands & SHARDPIX_COMMAND_WORKER)
          || (value = shardpix_options_value (option, job)) == NULL)
        continue;
      /* "=": a value is a value even when it starts with '-' (a template,
       * the automatic --max-buffer). */
      g_ptr_array_add (argv, option->kind == SHARDPIX_OPTION_FLAG
                               ? g_strdup_printf ("--%s", option->long_name)
                               : g_strdup_printf ("--%s=%s", option->long_name, value));
    }
}

void
shardpix_job_finish_argv (const ShardpixJob *job, const char *output_dir, GPtrArray *argv)
{
  shardpix_job_append_args (job, argv);
  g_ptr_array_add (argv, g_strdup ("--"));
  g_ptr_array_add (argv, g_strdup (job->input_dir));
  g_ptr_array_add (argv, g_strdup (output_dir));
  g_ptr_array_add (argv, NULL);
}

GPtrArray *
shardpix_job_worker_argv (const ShardpixJob *job, const char *worker_exe)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (argv, g_strdup (worker_exe));
  g_ptr_array_add (argv, g_strdup ("worker"));
  shardpix_job_finish_argv (job, job->output_dir, argv);
  return argv;
}

void
shardpix_job_init (ShardpixJob *job)
{
  memset (job, 0, sizeof *job);
  for (const ShardpixOption *option = options_job; option->long_name != NULL; option++)
    {
      void *field = options_field (option, job);

      if (option->kind == SHARDPIX_OPTION_FLAG)
        *(gboolean *) field = (gboolean) option->default_value;
      else if (option->kind == SHARDPIX_OPTION_INT)
        *(int *) field = (int) option->default_value;
      else if (option->kind == SHARDPIX_OPTION_INT64)
        *(gint64 *) field = option->default_value;
      else if (option->default_text != NULL && !option->parse (job, option->default_text, NULL))
        g_critical ("the default of --%s does not parse", option->long_name);
    }
}

static gboolean
options_check_range (const ShardpixOption *option, const ShardpixJob *job, GError **error)
{
  const void *field = options_field (option, job);
  gint64 value;

  if (option->kind == SHARDPIX_OPTION_INT)
    value = *(const int *) field;
  else if (option->kind == SHARDPIX_OPTION_INT64)
    value = *(const gint64 *) field;
  else
    return TRUE;
  if (value >= option->min && value <= option->max)
    return TRUE;
  g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
               "invalid --%s %" G_GINT64_FORMAT ": expected %s", option->long_name, value,
               option->range);
  return FALSE;
}

gboolean
shardpix_job_validate (const ShardpixJob *job, GError **error)
{
  const ShardpixOption *option;

  for (option = options_job; option->long_name != NULL; option++)
    if (!options_check_range (option, job, error))
      return FALSE;
  if (job->force && job->crop != SHARDPIX_CROP_NONE)
    {
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
                   "--crop fills the box, WxH! stretches to it: choose one");
      return FALSE;
    }
  for (option = options_job; option->long_name != NULL; option++)
    if (option->check != NULL && !option->check (job, error))
      return FALSE;
  return TRUE;
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
                       "invalid --format '%s': expected jpeg, png, webp, tiff, avif, heic or "
                       "jxl", job->format);
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
