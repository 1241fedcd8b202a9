/* vips_flatten() on black of an 8-bit image, computed in one pass instead
 * of through libvips' generic loop.
 *
 * Why: flattening the fast decoders' grey+alpha images before the resize
 * (saver.h) cost 0.58 G of the artwork folder's 12.1 G instructions in
 * libvips 8.14's flatten (its loop divides by a double max_alpha for every
 * pixel and band); the same integers here cost a few instructions a pixel
 * (docs/performance.md). The pixels are libvips' exactly: (v * alpha) /
 * 255.0 truncated is (v * alpha) / 255 in integers, the quotient of two
 * integers below 2^16 never rounding across a whole number. */
#pragma once

#include <glib.h>
#include <vips/vips.h>

G_BEGIN_DECLS

/* vips_flatten (@in, &out, NULL) for an uncoded 8-bit image with alpha
 * (2 or 4 bands) that is not 16-bit by interpretation (max_alpha 255):
 * a memory image with @in's header and metadata, one band fewer. NULL,
 * with no error set, for anything else: the caller then asks libvips. */
VipsImage *shardpix_flatten_black (VipsImage *in);

G_END_DECLS
