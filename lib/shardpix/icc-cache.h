/* Conversion of an 8-bit RGB thumbnail to sRGB through one lcms2
 * transform per embedded profile, kept for the process's life, instead of
 * libvips building one per image. */
#pragma once

#include <glib.h>

#include <vips/vips.h>

G_BEGIN_DECLS

/* @in converted from the RGB profile @profile to sRGB, with lcms2's sRGB
 * profile attached. FALSE when this path does not apply (not 8-bit RGB,
 * a profile lcms2 will not build a transform from, the cache full): the
 * caller then uses libvips. */
gboolean shardpix_icc_cache_to_srgb (VipsImage *in, const void *profile, gsize len,
                                     VipsImage **out);

/* How many transforms this process has built (tests: the second image
 * with a profile builds none). */
guint shardpix_icc_cache_transforms_built (void);

G_END_DECLS
