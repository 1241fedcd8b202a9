/* How much vips_thumbnail() shrinks an image and what size it gives, as
 * libvips 8.14's resample/thumbnail.c and resize.c compute it: the one
 * copy of that rule, shared by the pipeline and every fast decoder, so that
 * a fast path can start from a smaller image and still end at libvips'
 * size without asking libvips. Pure arithmetic: nothing here touches an
 * image. test/test-shrink.c holds it to vips_thumbnail_image() and
 * vips_thumbnail() on real libvips. */
#pragma once

#include <glib.h>

#include "shardpix/job.h"

G_BEGIN_DECLS

/* What vips_thumbnail() is asked. */
typedef enum {
  SHARDPIX_SHRINK_DOWN,  /* VIPS_SIZE_DOWN: never enlarge */
  SHARDPIX_SHRINK_BOTH,  /* VIPS_SIZE_BOTH: --enlarge */
  SHARDPIX_SHRINK_FORCE, /* VIPS_SIZE_FORCE: "WxH!", each axis on its own */
} ShardpixShrinkSize;

typedef struct {
  int width; /* the box, after rotation */
  int height;
  gboolean crop; /* fill the box (any --crop but none) */
  ShardpixShrinkSize size;
  gboolean swap; /* EXIF turns the image by 90 degrees (orientation 5-8) and
                  * it is turned upright: the box applies to it turned */
} ShardpixShrinkBox;

/* The box @job asks of an image whose EXIF orientation is @orientation
 * (0 or 1: upright). */
ShardpixShrinkBox shardpix_shrink_box (const ShardpixJob *job, int orientation);

/* vips_thumbnail_calculate_shrink(): the factors by which each axis of a
 * @width x @height image (as stored) is shrunk; below 1 enlarges. */
void shardpix_shrink_factors (const ShardpixShrinkBox *box, int width, int height,
                              double *hshrink, double *vshrink);

/* The smaller of the two: by how much both axes shrink, which is what
 * vips_thumbnail() picks a shrink-on-load from. */
double shardpix_shrink_common (const ShardpixShrinkBox *box, int width, int height);

/* The JPEG shrink-on-load vips_thumbnail() picks for a common shrink of
 * @shrink (1, 2, 4 or 8): it leaves at least a factor of 2 to the resize.
 * libvips' JPEG loader then gives width / denominator, rounded down. */
int shardpix_shrink_jpeg_denominator (double shrink);

/* The size vips_resize() gives a @width x @height image for the factors
 * above, before rotation and crop. */
void shardpix_shrink_resize_size (const ShardpixShrinkBox *box, int width, int height,
                                  int *out_width, int *out_height);

/* The box vips_resize() takes first on an axis it shrinks from @side to
 * @target pixels: reduceh and reducev shrink by floor (side / target /
 * gap), gap 2, then apply the kernel to what is left. */
int shardpix_shrink_resize_box (int side, int target);

/* The size of the image vips_thumbnail_image() returns for a @width x
 * @height image: resized, turned upright, cropped to the box. */
void shardpix_shrink_output_size (const ShardpixShrinkBox *box, int width, int height,
                                  int *out_width, int *out_height);

G_END_DECLS
