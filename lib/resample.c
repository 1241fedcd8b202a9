/* The thumbnail resize (resample.h): a bicubic resize to the size
 * vips_thumbnail() would give (vips_resize(), or its arithmetic computed
 * here for a fast decoder's image: reduce.h), then vips_thumbnail_image()
 * on the result for what it does besides resizing: the turn upright and
 * the crop. At that size its own resize is the identity (both factors are
 * exactly 1). */
#include "shardpix/resample.h"

#include "shardpix/fastload.h"
#include "shardpix/reduce.h"
#include "shardpix/shrink.h"
#include "shardpix/vips-autoptr.h"

VipsInteresting
shardpix_resample_interesting (ShardpixCrop crop)
{
  switch (crop)
    {
    case SHARDPIX_CROP_NONE:
      return VIPS_INTERESTING_NONE;
    case SHARDPIX_CROP_CENTRE:
      return VIPS_INTERESTING_CENTRE;
    case SHARDPIX_CROP_ATTENTION:
      return VIPS_INTERESTING_ATTENTION;
    case SHARDPIX_CROP_ENTROPY:
      return VIPS_INTERESTING_ENTROPY;
    }
  return VIPS_INTERESTING_NONE;
}

/* vips_resize() of @in to @width x @height, alpha premultiplied around it
 * (a transparent pixel's colour must not bleed into its neighbours) and
 * the format put back, as vips_thumbnail does. */
static gboolean
resample_resize (VipsImage *in, int width, int height, VipsImage **out)
{
  g_autoptr (VipsImage) premultiplied = NULL;
  g_autoptr (VipsImage) resized = NULL;
  g_autoptr (VipsImage) unpremultiplied = NULL;
  gboolean alpha = vips_image_hasalpha (in);
  double hscale = (double) width / in->Xsize;
  double vscale = (double) height / in->Ysize;

  /* A fast decoder's image is small and in memory: its reduce is
   * computed here, with libvips' arithmetic (reduce.h). */
  if (!alpha && vips_image_get_typeof (in, SHARDPIX_FASTLOAD_WIDTH) != 0
      && (*out = shardpix_reduce_resize (in, hscale, vscale)) != NULL)
    return TRUE;
  if (alpha && vips_premultiply (in, &premultiplied, NULL) != 0)
    return FALSE;
  if (vips_resize (alpha ? premultiplied : in, &resized, hscale, "vscale", vscale, "kernel",
                   VIPS_KERNEL_CUBIC, NULL)
      != 0)
    return FALSE;
  if (!alpha)
    {
      *out = g_steal_pointer (&resized);
      return TRUE;
    }
  if (vips_unpremultiply (resized, &unpremultiplied, NULL) != 0)
    return FALSE;
  return vips_cast (unpremultiplied, out, in->BandFmt, NULL) == 0;
}

gboolean
shardpix_resample_thumbnail (VipsImage *in, int from_width, int from_height,
                             const ShardpixJob *job, VipsImage **out)
{
  g_autoptr (VipsImage) space = NULL;
  g_autoptr (VipsImage) resized = NULL;
  VipsSize size = job->force ? VIPS_SIZE_FORCE : job->enlarge ? VIPS_SIZE_BOTH : VIPS_SIZE_DOWN;
  ShardpixShrinkBox box;
  int orientation = 1;
  int width, height, out_width, out_height;

  if (vips_image_get_typeof (in, VIPS_META_ORIENTATION) != 0)
    vips_image_get_int (in, VIPS_META_ORIENTATION, &orientation);
  box = shardpix_shrink_box (job, orientation);
  shardpix_shrink_resize_size (&box, from_width, from_height, &width, &height);
  shardpix_shrink_output_size (&box, from_width, from_height, &out_width, &out_height);

  /* vips_thumbnail's processing space: 8-bit sRGB, or B_W under 3 bands. */
  if (vips_colourspace (in, &space,
                        in->Bands < 3 ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_sRGB, NULL)
      != 0)
    return FALSE;
  if (space->Xsize == width && space->Ysize == height)
    resized = g_object_ref (space);
  else if (!resample_resize (space, width, height, &resized))
    return FALSE;

  /* Filling the box, vips_thumbnail_image() crops to it; otherwise it is
   * asked for the size already there, which it only turns upright. */
  if (job->crop != SHARDPIX_CROP_NONE)
    return vips_thumbnail_image (resized, out, job->width, "height", job->height, "size", size,
                                 "crop", shardpix_resample_interesting (job->crop), "no_rotate",
                                 job->no_rotate, NULL)
           == 0;
  return vips_thumbnail_image (resized, out, out_width, "height", out_height, "size",
                               VIPS_SIZE_FORCE, "no_rotate", job->no_rotate, NULL)
         == 0;
}
