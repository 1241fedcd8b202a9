/* The luminance of a progressive JPEG at 1/8 of its size, from its DC
 * scans alone: an 8x8 block's mean is its DC coefficient, and in a
 * progressive file the DC values come in scans of their own, a small part
 * of the file. libjpeg cannot skip the other scans and keeps a coefficient
 * buffer of 2 bytes per pixel and component; this keeps one value per
 * luminance block. */
#pragma once

#include <vips/vips.h>

G_BEGIN_DECLS

/* The pixels libjpeg gives for the first component at scale 1/8 (1x1
 * inverse DCT, no block smoothing), ceil(width/8) x ceil(height/8), 1 band.
 * NULL unless @data is a complete, well-formed progressive Huffman JPEG whose
 * first component has the highest sampling. */
VipsImage *shardpix_jpeg_dc_luma (const guint8 *data, gsize len);

G_END_DECLS
