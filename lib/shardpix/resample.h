/* The one resize every thumbnail goes through, from a fast decoder's
 * pre-shrunk image or from libvips' loader (pipeline.c): the geometry of
 * vips_thumbnail_image() (size, fit, rotation, crop), with a bicubic
 * kernel where vips_thumbnail's is fixed at Lanczos3 in libvips 8.14.
 *
 * Why bicubic: against bench/quality.py's area-filtered reference, Lanczos3
 * rings at every edge. On the artwork folder the median PSNR went from
 * 36.91 to 37.93 dB with it (Pillow's thumbnail(), bicubic: 37.60), on 200
 * images of seed-1000 from 40.03 to 41.54 (docs/benchmarks.md, issue 15). */
#pragma once

#include <glib.h>
#include <vips/vips.h>

#include "shardpix/job.h"

G_BEGIN_DECLS

/* The thumbnail of @in for @job. @in may be smaller than the image it
 * stands for: @from_width x @from_height is the size libvips' own loader
 * would have handed over, and the output gets the size vips_thumbnail()
 * gives that (shrink.h). Alpha is premultiplied for the resize, as libvips
 * does. Like the libvips calls it wraps, FALSE leaves the cause in
 * libvips' error buffer, for the pipeline to word with the image's
 * warnings. */
gboolean shardpix_resample_thumbnail (VipsImage *in, int from_width, int from_height,
                                      const ShardpixJob *job, VipsImage **out);

/* vips_interesting for @crop, as vips_thumbnail_image() takes it. */
VipsInteresting shardpix_resample_interesting (ShardpixCrop crop);

G_END_DECLS
