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

G_END_DECLS
