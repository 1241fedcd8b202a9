#include "shardpix/pipeline.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <gio/gio.h>
#include "shardpix/vips-autoptr.h"

#include "shardpix/error.h"
#include "shardpix/fastload.h"
#include "shardpix/gray.h"
#include "shardpix/icc.h"
#include "shardpix/inputs.h"
#include "shardpix/load-shrunk.h"
#include "shardpix/memguard.h"
#include "shardpix/output.h"
#include "shardpix/output-plan.h"
#include "shardpix/resample.h"
#include "shardpix/saver.h"
#include "shardpix/vips-setup.h"

/* The first libvips warning of the current image, or "". Warnings raised on
 * libvips' own threads land in the shared buffer: it belongs to the image
 * only while one image at a time is processed. */
static char pipeline_warning_shared[256];
static _Thread_local char pipeline_warning_local[256];
static _Thread_local gboolean pipeline_busy;
static gboolean pipeline_concurrent;
G_LOCK_DEFINE_STATIC (pipeline_warning);

gboolean
shardpix_pipeline_init (const char *argv0, int threads, GError **error)
{
  return shardpix_vips_setup_start (argv0, threads, error);
}

void
shardpix_pipeline_shutdown (void)
{
  vips_shutdown ();
}

void
shardpix_pipeline_set_concurrent (gboolean concurrent)
{
  pipeline_concurrent = concurrent;
}

void
shardpix_pipeline_note_warning (const char *message)
{
  /* The first one is the cause ("IDAT: CRC error"), later ones its
   * consequences ("error in tile 0 x 10"). */
  if (pipeline_busy)
    {
      if (pipeline_warning_local[0] == '\0')
        g_strlcpy (pipeline_warning_local, message, sizeof pipeline_warning_local);
      return;
    }
  G_LOCK (pipeline_warning);
  if (pipeline_warning_shared[0] == '\0')
    g_strlcpy (pipeline_warning_shared, message, sizeof pipeline_warning_shared);
  G_UNLOCK (pipeline_warning);
}

/* The image's first warning: its own thread's, else libvips' threads' when
 * no other image shares them. */
static void
pipeline_take_warning (char *warning, gsize size)
{
  g_strlcpy (warning, pipeline_warning_local, size);
  G_LOCK (pipeline_warning);
  if (warning[0] == '\0' && !pipeline_concurrent)
    g_strlcpy (warning, pipeline_warning_shared, size);
  G_UNLOCK (pipeline_warning);
}

static char *
pipeline_hide_descriptor_path (char *text)
{
  g_autofree char *owned = text;
  g_autoptr (GRegex) descriptor = g_regex_new ("\"?/proc/self/fd/[0-9]+\"?", 0, 0, NULL);

  return g_regex_replace_literal (descriptor, owned, -1, 0, "input", 0, NULL);
}

/* libvips stacks messages from every layer: the first says what was wrong
 * with the file ("libpng read error"), the later ones what failed because
 * of it ("unable to write to target"). A loader's warning says more. */
static gboolean
pipeline_vips_error (GError **error, const char *what)
{
  g_autofree char *text = g_strstrip (vips_error_buffer_copy ());
  char *newline = strchr (text, '\n');
  char pipeline_warning[256];

  pipeline_take_warning (pipeline_warning, sizeof pipeline_warning);

  if (newline != NULL)
    *newline = '\0';
  /* libvips names the descriptor path we gave it; the caller prefixes the
   * real file name, so say "input" rather than "/proc/self/fd/5". */
  text = pipeline_hide_descriptor_path (g_steal_pointer (&text));
  if (*text == '\0' && *pipeline_warning == '\0')
    g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_IMAGE, "%s: unknown libvips error",
                 what);
  else if (*pipeline_warning == '\0')
    g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_IMAGE, "%s: %s", what, text);
  else if (*text == '\0')
    g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_IMAGE, "%s: %s", what,
                 pipeline_warning);
  else
    g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_IMAGE, "%s: %s (%s)", what, text,
                 pipeline_warning);
  return FALSE;
}

static VipsFailOn
pipeline_fail_on (ShardpixFailOn fail_on)
{
  switch (fail_on)
    {
    case SHARDPIX_FAIL_ON_NONE:
      return VIPS_FAIL_ON_NONE;
    case SHARDPIX_FAIL_ON_TRUNCATED:
      return VIPS_FAIL_ON_TRUNCATED;
    case SHARDPIX_FAIL_ON_ERROR:
      return VIPS_FAIL_ON_ERROR;
    case SHARDPIX_FAIL_ON_WARNING:
      return VIPS_FAIL_ON_WARNING;
    }
  return VIPS_FAIL_ON_TRUNCATED;
}

/* Opens the input ourselves, so that a FIFO cannot block us and libvips
 * never parses the name (a trailing "[...]" would be read as options).
 * First without reading (O_PATH): what the name leads to now, links
 * followed, is checked, then exactly that file is opened, so a link
 * swapped after the listing cannot lead anywhere unchecked. */
static int
pipeline_open_input (const ShardpixJob *job, const char *path, struct stat *st,
                     GError **error)
{
  g_autofree char *handle = NULL;
  int fd = open (path, O_PATH | O_CLOEXEC);

  if (fd < 0)
    return shardpix_error_errno (errno, error, "cannot open"), -1;
  if (!shardpix_inputs_check_open (job, fd, error))
    {
      close (fd);
      return -1;
    }
  handle = g_strdup_printf ("/proc/self/fd/%d", fd);
  st->st_mode = 0;
  if (fstat (fd, st) == 0 && S_ISREG (st->st_mode))
    {
      int file = open (handle, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
      int errsv = errno;

      close (fd);
      if (file < 0)
        return shardpix_error_errno (errsv, error, "cannot open"), -1;
      fd = file;
    }
  else
    {
      close (fd);
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_IMAGE, "not a regular file");
      return -1;
    }
  if (fstat (fd, st) != 0)
    {
      int errsv = errno;
      close (fd);
      return shardpix_error_errno (errsv, error, "cannot stat"), -1;
    }
  return fd;
}

/* Opening an image only reads its header: a decompression bomb (a few kB
 * declaring 50000x50000), or an image libvips would have to decode whole
 * into more than the worker's share of memory, is refused here, before a
 * pixel is decoded. */
static gboolean
pipeline_check_pixels (const ShardpixJob *job, const char *source, VipsImage **opened,
                       GError **error)
{
  g_autoptr (VipsImage) header = NULL;
  gint64 pixels;

  if (job->max_pixels == 0 && job->max_buffer_mb == 0)
    return TRUE;
  header = vips_image_new_from_file (source, "fail_on", pipeline_fail_on (job->fail_on),
                                     NULL);
  if (header == NULL)
    return pipeline_vips_error (error, "cannot read image");
  pixels = (gint64) header->Xsize * header->Ysize;
  if (job->max_pixels != 0 && pixels > job->max_pixels)
    {
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_IMAGE,
                   "image is %dx%d, %" G_GINT64_FORMAT " pixels: more than --max-pixels %"
                   G_GINT64_FORMAT, header->Xsize, header->Ysize, pixels, job->max_pixels);
      return FALSE;
    }
  if (!shardpix_memguard_check (job, header, error))
    return FALSE;
  *opened = g_steal_pointer (&header);
  return TRUE;
}

/* Whether no side of @image is shrunk, whichever way EXIF turns it: then
 * shrink-on-load has nothing to gain and the image already opened for the
 * pixel check can be thumbnailed as it is, instead of being found and opened
 * a second time (a fifth of the CPU of a tiny image; docs/performance.md). */
static gboolean
pipeline_fits_unshrunk (const ShardpixJob *job, const VipsImage *image)
{
  return MAX (image->Xsize, image->Ysize) <= MIN (job->width, job->height);
}

/* A fast decoder's grey, pre-shrunk image, or NULL for the libvips path. */
static VipsImage *
pipeline_fastload (const ShardpixJob *job, int fd, const struct stat *st)
{
  VipsImage *image;

  if (!shardpix_fastload_applies (job))
    return NULL;
  image = shardpix_fastload_jpeg (fd, st, job);
  if (image == NULL)
    image = shardpix_fastload_webp (fd, st, job);
  if (image == NULL)
    image = shardpix_fastload_png (fd, st, job);
  return image;
}

/* A fast decoder's image ends at the size libvips' own loader would have
 * led to (shrink.h), which it records: from a smaller start, a side could
 * otherwise round a pixel off. */
static gboolean
pipeline_thumbnail_fast (const ShardpixJob *job, VipsImage *fast, VipsImage **thumb)
{
  int width, height;

  if (vips_image_get_int (fast, SHARDPIX_FASTLOAD_WIDTH, &width) != 0
      || vips_image_get_int (fast, SHARDPIX_FASTLOAD_HEIGHT, &height) != 0)
    return FALSE;
  return shardpix_resample_thumbnail (fast, width, height, job, thumb);
}

/* A file no loader yet opened claims may be one that a module left
 * closed at start reads (HEIF, JPEG XL): the modules are opened then, once
 * per process (vips-setup.h). */
static void
pipeline_open_modules_for (const char *source)
{
  if (!shardpix_vips_setup_modules_pending () || vips_foreign_find_load (source) != NULL)
    return;
  vips_error_clear ();
  (void) shardpix_vips_setup_open_modules ();
}

static VipsImage *
pipeline_transform (const ShardpixJob *job, int fd, const struct stat *st,
                    const ShardpixOutputPlan *plan, GError **error)
{
  g_autofree char *source = g_strdup_printf ("/proc/self/fd/%d", fd);
  g_autoptr (VipsImage) header = NULL;
  g_autoptr (VipsImage) thumb = NULL;
  g_autoptr (VipsImage) out = NULL;
  g_autoptr (VipsImage) fast = pipeline_fastload (job, fd, st);
  g_autoptr (VipsImage) managed = NULL;

  if (fast != NULL)
    {
      if (!shardpix_saver_flatten_first (plan->saver, &fast)
          || !pipeline_thumbnail_fast (job, fast, &thumb))
        return pipeline_vips_error (error, "cannot convert image"), NULL;
    }
  else
    {
      g_autoptr (VipsImage) loaded = NULL;

      pipeline_open_modules_for (source);
      if (!pipeline_check_pixels (job, source, &header, error))
        return NULL;

      if (header != NULL && pipeline_fits_unshrunk (job, header))
        loaded = g_steal_pointer (&header);
      else if ((loaded = shardpix_load_shrunk (source, job, pipeline_fail_on (job->fail_on)))
               == NULL)
        return pipeline_vips_error (error, "cannot read image"), NULL;
      if (!shardpix_gray_first (job, &loaded, error))
        return NULL;
      if (!shardpix_resample_thumbnail (loaded, loaded->Xsize, loaded->Ysize, job, &thumb))
        return pipeline_vips_error (error, "cannot read image"), NULL;
    }

  /* Grey is computed from sRGB values: a Display P3 or Adobe RGB image is
   * converted first (the JPEG fast path decodes such a file in colour and
   * attaches its profile; the other fast decoders hand it to libvips). */
  if (!shardpix_icc_to_srgb (thumb, &managed, error))
    return NULL;
  g_set_object (&thumb, managed);

  /* 16-bit inputs stay 16-bit through the thumbnail; the output is 8-bit
   * like every other, so go through sRGB (or B_W) to drop the extra depth. */
  if (thumb->Type == VIPS_INTERPRETATION_RGB16 || thumb->Type == VIPS_INTERPRETATION_GREY16)
    {
      g_autoptr (VipsImage) eight = NULL;
      VipsInterpretation to = thumb->Type == VIPS_INTERPRETATION_GREY16 && job->color
                                ? VIPS_INTERPRETATION_B_W
                                : VIPS_INTERPRETATION_sRGB;

      if (vips_colourspace (thumb, &eight, to, NULL) != 0)
        return pipeline_vips_error (error, "cannot convert to 8 bits"), NULL;
      g_set_object (&thumb, eight);
    }
  if (job->color)
    return g_steal_pointer (&thumb);
  if (!shardpix_gray_convert (thumb, job->gray, &out, error))
    return NULL;
  /* The colour profile kept with --keep-metadata no longer describes
   * these pixels. */
  if (job->keep_metadata && vips_image_get_typeof (out, VIPS_META_ICC_NAME) != 0)
    {
      g_autoptr (VipsImage) copy = NULL;

      if (vips_copy (out, &copy, NULL) != 0)
        return pipeline_vips_error (error, "cannot convert to grayscale"), NULL;
      vips_image_remove (copy, VIPS_META_ICC_NAME);
      g_set_object (&out, copy);
    }
  return g_steal_pointer (&out);
}

/* The user's options come last in the option string, so that they win over
 * --quality and the stripping (saver.h). */
static gboolean
pipeline_save (const ShardpixJob *job, VipsImage *image, ShardpixOutputPlan *plan, int fd,
               GError **error)
{
  g_autoptr (VipsTarget) target = vips_target_new_to_descriptor (fd);
  g_autofree char *full = NULL;
  g_autoptr (VipsImage) stripped = NULL;

  if (target == NULL)
    return pipeline_vips_error (error, "cannot write output");
  full = g_strdup_printf ("%s[%s]", plan->format, plan->save_options);
  if (!job->keep_metadata && (image = stripped = shardpix_saver_strip (image)) == NULL)
    return pipeline_vips_error (error, "cannot convert image");
  if (vips_image_write_to_target (image, full, target, NULL) != 0)
    return pipeline_vips_error (error, "cannot convert image");
  return TRUE;
}

static gboolean
pipeline_write_output (const ShardpixJob *job, VipsImage *image, ShardpixOutputPlan *plan,
                       guint index, const struct stat *input, GError **error)
{
  g_auto (ShardpixOutput) output = { .dir_fd = -1, .fd = -1 };

  if (!shardpix_output_begin (job, plan, index, &output, error))
    return FALSE;
  if (!pipeline_save (job, image, plan, output.fd, error))
    {
      /* errno is not libvips' to keep: ask the file system instead. */
      shardpix_output_tag_error (&output, 0, error);
      return FALSE;
    }
  return shardpix_output_commit (&output, input, error);
}

int
shardpix_pipeline_open_input (const ShardpixJob *job, const char *rel, struct stat *st,
                              GError **error)
{
  g_autofree char *path = g_build_filename (job->input_dir, rel, NULL);

  return pipeline_open_input (job, path, st, error);
}

gboolean
shardpix_pipeline_process_opened (const ShardpixJob *job, const char *rel, guint index,
                                  int fd, const struct stat *st, GError **error)
{
  g_autoptr (VipsImage) image = NULL;
  g_auto (ShardpixOutputPlan) plan = { 0 };
  gboolean ok;

  pipeline_warning_local[0] = '\0';
  G_LOCK (pipeline_warning);
  pipeline_warning_shared[0] = '\0';
  G_UNLOCK (pipeline_warning);
  pipeline_busy = TRUE;
  /* The saver is known before the image is read: whether it keeps alpha
   * decides how the image is resized (saver.h). */
  shardpix_output_plan_init (&plan, job, rel);
  if (!shardpix_saver_plan (&plan, job))
    ok = pipeline_vips_error (error, "no saver for this format");
  else
    {
      image = pipeline_transform (job, fd, st, &plan, error);
      /* The pixels are pulled from the input while saving, so the
       * descriptor stays open until the output is written. */
      ok = image != NULL && pipeline_write_output (job, image, &plan, index, st, error);
    }
  g_clear_object (&image);
  close (fd);
  pipeline_busy = FALSE;
  return ok;
}

gboolean
shardpix_pipeline_process (const ShardpixJob *job, const char *rel, guint index,
                           GError **error)
{
  struct stat st;
  int fd = shardpix_pipeline_open_input (job, rel, &st, error);

  if (fd < 0)
    return FALSE;
  return shardpix_pipeline_process_opened (job, rel, index, fd, &st, error);
}
