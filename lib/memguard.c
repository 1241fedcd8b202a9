#include "shardpix/memguard.h"

#include <unistd.h>

#include "shardpix/error.h"

/* What libvips 8.14 holds for the layouts it cannot stream, and what to
 * call the layout in a message: the whole image as it decodes it
 * (interlaced PNG, HEIF), libjpeg's coefficient buffer for a progressive
 * JPEG (64 coefficients of 2 bytes per 8x8 block of each component: 2
 * bytes a pixel and band), nsgif's RGBA frame. */
static gint64
memguard_estimate (VipsImage *header, const char **layout)
{
  const char *loader = NULL;
  gint64 pixels = (gint64) header->Xsize * header->Ysize;
  gint64 sample = (gint64) vips_format_sizeof (header->BandFmt);
  int interlaced = 0;

  *layout = NULL;
  if (vips_image_get_typeof (header, VIPS_META_LOADER) == 0
      || vips_image_get_string (header, VIPS_META_LOADER, &loader) != 0)
    return 0;
  if (vips_image_get_typeof (header, "interlaced") != 0)
    vips_image_get_int (header, "interlaced", &interlaced);
  if (g_str_has_prefix (loader, "pngload") && interlaced)
    *layout = "an interlaced PNG";
  else if (g_str_has_prefix (loader, "jpegload") && interlaced)
    {
      *layout = "a progressive JPEG";
      sample = 2;
    }
  else if (g_str_has_prefix (loader, "gifload"))
    {
      *layout = "a GIF";
      return pixels * 4;
    }
  else if (g_str_has_prefix (loader, "heifload"))
    *layout = "a HEIF image";
  else
    return 0;
  return pixels * header->Bands * sample;
}

gint64
shardpix_memguard_buffered_bytes (VipsImage *header)
{
  const char *layout;

  return memguard_estimate (header, &layout);
}

gint64
shardpix_memguard_default_mb (guint concurrent)
{
  long pages = sysconf (_SC_PHYS_PAGES);
  long page_size = sysconf (_SC_PAGESIZE);
  gint64 physical_mb;

  if (pages <= 0 || page_size <= 0)
    return 0;
  physical_mb = (gint64) pages * page_size >> 20;
  return MAX (1, physical_mb / 2 / MAX (concurrent, 1));
}

static gint64
memguard_limit_mb (const ShardpixJob *job)
{
  return job->max_buffer_mb < 0 ? shardpix_memguard_default_mb (1) : job->max_buffer_mb;
}

static gint64
memguard_mb (gint64 bytes)
{
  return (bytes + (1 << 20) - 1) >> 20;
}

gboolean
shardpix_memguard_fits (const ShardpixJob *job, gint64 bytes)
{
  gint64 limit_mb = memguard_limit_mb (job);

  return limit_mb == 0 || memguard_mb (bytes) <= limit_mb;
}

gboolean
shardpix_memguard_check (const ShardpixJob *job, VipsImage *header, GError **error)
{
  const char *layout = NULL;
  gint64 needed = memguard_estimate (header, &layout);

  if (shardpix_memguard_fits (job, needed))
    return TRUE;
  g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_IMAGE,
               "image is %dx%d, %s that libvips decodes whole: %" G_GINT64_FORMAT
               " MB at once, more than --max-buffer %" G_GINT64_FORMAT
               " MB (each worker's share of memory; raise it, or 0 for no limit)",
               header->Xsize, header->Ysize, layout, memguard_mb (needed),
               memguard_limit_mb (job));
  return FALSE;
}
