#include "shardpix/shrink.h"

#include <math.h>

/* vips_resize()'s default gap in 8.14, which the pipeline keeps. */
#define SHRINK_RESIZE_GAP 2.0

ShardpixShrinkBox
shardpix_shrink_box (const ShardpixJob *job, int orientation)
{
  ShardpixShrinkBox box = {
    .width = job->width,
    .height = job->height,
    .crop = job->crop != SHARDPIX_CROP_NONE,
    .size = job->force     ? SHARDPIX_SHRINK_FORCE
            : job->enlarge ? SHARDPIX_SHRINK_BOTH
                           : SHARDPIX_SHRINK_DOWN,
    .swap = !job->no_rotate && orientation >= 5 && orientation <= 8,
  };

  return box;
}

void
shardpix_shrink_factors (const ShardpixShrinkBox *box, int width, int height, double *hshrink,
                         double *vshrink)
{
  int target_width = box->swap ? box->height : box->width;
  int target_height = box->swap ? box->width : box->height;

  *hshrink = (double) width / target_width;
  *vshrink = (double) height / target_height;
  /* Fitting, the axis that must shrink most decides; filling, the other. */
  if (box->size != SHARDPIX_SHRINK_FORCE)
    {
      gboolean horizontal = box->crop ? *hshrink < *vshrink : *hshrink >= *vshrink;

      if (horizontal)
        *vshrink = *hshrink;
      else
        *hshrink = *vshrink;
    }
  if (box->size == SHARDPIX_SHRINK_DOWN)
    {
      *hshrink = MAX (1.0, *hshrink);
      *vshrink = MAX (1.0, *vshrink);
    }
  /* No axis goes below one pixel. */
  *hshrink = MIN (*hshrink, width);
  *vshrink = MIN (*vshrink, height);
}

double
shardpix_shrink_common (const ShardpixShrinkBox *box, int width, int height)
{
  double hshrink;
  double vshrink;

  shardpix_shrink_factors (box, width, height, &hshrink, &vshrink);
  return MIN (hshrink, vshrink);
}

int
shardpix_shrink_jpeg_denominator (double shrink)
{
  return shrink >= 16 ? 8 : shrink >= 8 ? 4 : shrink >= 4 ? 2 : 1;
}

/* One axis through vips_resize(): reducev/reduceh round in / shrink to the
 * nearest (VIPS_ROUND_UINT), the affine of an enlargement its bounding
 * box (VIPS_ROUND_INT); the scale never sends an axis below one pixel. */
static int
shrink_resize_axis (int side, double shrink)
{
  double scale = MAX (1.0 / shrink, 1.0 / side);

  if (scale < 1.0)
    return (int) ((double) side / (1.0 / scale) + 0.5);
  if (scale > 1.0)
    return (int) (side * scale + 0.5);
  return side;
}

int
shardpix_shrink_resize_box (int side, int target)
{
  return MAX (1, (int) floor ((double) side / target / SHRINK_RESIZE_GAP));
}

void
shardpix_shrink_resize_size (const ShardpixShrinkBox *box, int width, int height, int *out_width,
                             int *out_height)
{
  double hshrink;
  double vshrink;

  shardpix_shrink_factors (box, width, height, &hshrink, &vshrink);
  *out_width = shrink_resize_axis (width, hshrink);
  *out_height = shrink_resize_axis (height, vshrink);
}

void
shardpix_shrink_output_size (const ShardpixShrinkBox *box, int width, int height, int *out_width,
                             int *out_height)
{
  int resized_width;
  int resized_height;

  shardpix_shrink_resize_size (box, width, height, &resized_width, &resized_height);
  /* Turned upright, then cropped: the box is the output's own. */
  *out_width = box->swap ? resized_height : resized_width;
  *out_height = box->swap ? resized_width : resized_height;
  if (box->crop)
    {
      *out_width = MIN (*out_width, box->width);
      *out_height = MIN (*out_height, box->height);
    }
}
