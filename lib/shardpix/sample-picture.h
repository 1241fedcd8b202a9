/* One photo-like picture for `shardpix sample` (sample.h): a gradient sky
 * with clouds, lit balls, panels and wires with hard edges, sensor grain;
 * optionally an alpha ramp. Texture at every scale, so that decoders and
 * encoders do a photo's work. */
#pragma once

#include <glib.h>
#include <vips/vips.h>

G_BEGIN_DECLS

/* A @width x @height sRGB uchar image (3 bands, 4 with @alpha) drawn from
 * @rand alone: the same generator state gives the same pixels. 0, or -1
 * with libvips' error in its buffer. */
int shardpix_sample_picture (GRand *rand, int width, int height, gboolean alpha,
                             VipsImage **out);

G_END_DECLS
