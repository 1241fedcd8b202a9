/* Whole-image access for the computations shardpix does itself on small
 * images (reduce.h, flatten.h, icc-cache.h): the input read in one piece,
 * and a memory image to write the result into.
 *
 * Why one module: each of them reads its input whole, writes a memory
 * image that must carry the input's header and metadata, and must keep
 * the input alive behind it (some metadata is memory the loader owns:
 * heifload's EXIF is a blob without a free function). Done three times,
 * the last point was done once. */
#pragma once

#include <glib.h>
#include <vips/vips.h>

G_BEGIN_DECLS

/* A region holding all of @in, computed now, in the calling thread; its
 * lines are VIPS_REGION_ADDR (region, 0, y). NULL, with no error set,
 * when @in's pixels take more than @max_bytes or cannot be computed: the
 * caller then leaves the work to libvips. */
VipsRegion *shardpix_whole_image_read (VipsImage *in, gsize max_bytes);

/* A memory image of @width x @height x @bands with @in's format,
 * interpretation, resolution and metadata, ready for its lines to be
 * written at VIPS_IMAGE_ADDR (image, 0, y); it holds a reference to @in
 * for as long as it lives. NULL, with no error set, on failure. */
VipsImage *shardpix_whole_image_like (VipsImage *in, int width, int height, int bands);

G_END_DECLS
