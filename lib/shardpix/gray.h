/* The grayscale step, the same on every decoding path (see ShardpixGray). */
#pragma once

#include <vips/vips.h>

#include "shardpix/job.h"

G_BEGIN_DECLS

/* @in is 8-bit, as a thumbnail comes out of the pipeline; @out keeps its
 * alpha band, if any, after the grey one. An image that is grey already is
 * passed through. */
gboolean shardpix_gray_convert (VipsImage *in, ShardpixGray gray, VipsImage **out,
                                GError **error);

G_END_DECLS
