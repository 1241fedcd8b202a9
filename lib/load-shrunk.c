/* Shrink-on-load as libvips 8.14's resample/thumbnail.c picks it
 * (vips_thumbnail_open()), for the loaders shardpix lets through. TIFF
 * pyramids are not looked for: a pyramid TIFF is read at full size, which
 * costs time, not fidelity. */
#include "shardpix/load-shrunk.h"

#include "shardpix/shrink.h"
#include "shardpix/vips-autoptr.h"

static VipsImage *
load_shrunk_open (const char *source, VipsFailOn fail_on, const char *option, double value)
{
  if (option == NULL)
    return vips_image_new_from_file (source, "access", VIPS_ACCESS_SEQUENTIAL, "fail_on",
                                     fail_on, NULL);
  if (g_str_equal (option, "shrink"))
    return vips_image_new_from_file (source, "access", VIPS_ACCESS_SEQUENTIAL, "fail_on",
                                     fail_on, "shrink", (int) value, NULL);
  if (g_str_equal (option, "thumbnail"))
    return vips_image_new_from_file (source, "access", VIPS_ACCESS_SEQUENTIAL, "fail_on",
                                     fail_on, "thumbnail", TRUE, NULL);
  return vips_image_new_from_file (source, "access", VIPS_ACCESS_SEQUENTIAL, "fail_on", fail_on,
                                   option, value, NULL);
}

/* A HEIF's embedded thumbnail, opened, when it serves: smaller than @image
 * and still to shrink to fit the box, so it is never enlarged (libvips'
 * rule), and @image's shape to a pixel: heifload refuses one whose aspect
 * ratio is 0.1 or more off, and below that the output would take its
 * size, and its crop or turn, from the thumbnail
 * (test/test-heif-thumbnail.c). NULL when it does not serve. */
static VipsImage *
load_shrunk_heif_thumbnail (const char *source, VipsFailOn fail_on, const ShardpixShrinkBox *box,
                            const VipsImage *image)
{
  g_autoptr (VipsImage) thumbnail = load_shrunk_open (source, fail_on, "thumbnail", 1);
  gint64 skew;

  if (thumbnail == NULL)
    return NULL;
  skew = (gint64) thumbnail->Xsize * image->Ysize - (gint64) thumbnail->Ysize * image->Xsize;
  if (thumbnail->Xsize < image->Xsize && ABS (skew) <= MAX (image->Xsize, image->Ysize)
      && shardpix_shrink_common (box, thumbnail->Xsize, thumbnail->Ysize) > 1.0)
    return g_steal_pointer (&thumbnail);
  return NULL;
}

VipsImage *
shardpix_load_shrunk (const char *source, const ShardpixJob *job, VipsFailOn fail_on)
{
  g_autoptr (VipsImage) image = load_shrunk_open (source, fail_on, NULL, 0);
  const char *loader = NULL;
  int orientation = 1;
  ShardpixShrinkBox box;
  double shrink;

  if (image == NULL || vips_image_get_string (image, VIPS_META_LOADER, &loader) != 0)
    return NULL;
  if (vips_image_get_typeof (image, VIPS_META_ORIENTATION) != 0)
    vips_image_get_int (image, VIPS_META_ORIENTATION, &orientation);
  box = shardpix_shrink_box (job, orientation);
  /* Over one page, as vips_thumbnail does (a JPEG has one). */
  shrink = shardpix_shrink_common (&box, image->Xsize, vips_image_get_page_height (image));

  if (g_str_has_prefix (loader, "jpegload"))
    {
      int denominator = shardpix_shrink_jpeg_denominator (shrink);

      if (denominator > 1)
        return load_shrunk_open (source, fail_on, "shrink", denominator);
    }
  else if (g_str_has_prefix (loader, "webpload") && shrink > 1.0)
    return load_shrunk_open (source, fail_on, "scale", 1.0 / shrink);
  else if (g_str_has_prefix (loader, "heifload"))
    {
      VipsImage *thumbnail = load_shrunk_heif_thumbnail (source, fail_on, &box, image);

      if (thumbnail != NULL)
        return thumbnail;
    }
  vips_error_clear ();
  return g_steal_pointer (&image);
}
