/* The grayscale step, the same on every decoding path (see ShardpixGray). */
#pragma once

#include <math.h>

#include <vips/vips.h>

#include "shardpix/job.h"

G_BEGIN_DECLS

/* Rec.601 on the stored values, the default grey (SHARDPIX_GRAY_REC601). */
#define SHARDPIX_GRAY_REC601_R 0.299
#define SHARDPIX_GRAY_REC601_G 0.587
#define SHARDPIX_GRAY_REC601_B 0.114

/* One pixel of that grey, computed as the libvips path computes it
 * (vips_recomb in single precision, then rint), for a fast decoder that
 * is handed RGB. */
static inline guint8
shardpix_gray_rec601_pixel (const guint8 *rgb)
{
  float grey = (float) SHARDPIX_GRAY_REC601_R * rgb[0] + (float) SHARDPIX_GRAY_REC601_G * rgb[1]
               + (float) SHARDPIX_GRAY_REC601_B * rgb[2];

  return (guint8) CLAMP (rintf (grey), 0.0f, 255.0f);
}

/* @in is 8-bit, as a thumbnail comes out of the pipeline; @out keeps its
 * alpha band, if any, after the grey one. An image that is grey already is
 * passed through. */
gboolean shardpix_gray_convert (VipsImage *in, ShardpixGray gray, VipsImage **out,
                                GError **error);

/* For the job the fast decoders serve (fastload.h), with or without them,
 * the libvips path takes grey where they do: before the resize. Resizing
 * colour first clips each channel's bicubic overshoot on its own, which
 * grey then mixes: 4 levels mean from the fast path on saturated noise (a
 * 49x7 RGBA PNG into 48x48), past the PNG tolerance. Grey first, the two
 * paths differ by their decoders only, the resize works on one band, not
 * three, and the order is the ideal reference's (bench/quality.py). An
 * image that is grey already is left (*@image unchanged), and so is one
 * that is not plain 8-bit sRGB or whose profile needs converting: its grey
 * comes after the resize and the conversion, which then run on the
 * thumbnail only. */
gboolean shardpix_gray_first (const ShardpixJob *job, VipsImage **image, GError **error);

G_END_DECLS
