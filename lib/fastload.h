/* Decoders that go around libvips for the common case of the default job
 * (grey output, Rec.601 luma, no metadata kept): each returns the image
 * already grey and pre-shrunk by an integer factor that leaves it at least
 * as large as the job's box needs, ready for vips_thumbnail_image(), which
 * does the final resize, crop and rotation as on the libvips path. They
 * return NULL for anything they do not handle or cannot read (no error: the
 * caller then takes the libvips path, which also reports every error with
 * libvips' own message and fail_on level). @fd is open on a regular file
 * at offset 0, @st its fstat(); they may read it from the start with pread.
 * Each image carries, as int metadata, the size libvips' own loader would
 * have handed to the resize (SHARDPIX_FASTLOAD_WIDTH/HEIGHT: the full size,
 * or JPEG's size after libvips' own shrink-on-load): the final size is
 * computed from those, so that both paths give the same dimensions.
 * docs/performance.md has the figures and the tolerances the tests hold
 * them to. */
#pragma once

#include <sys/stat.h>

#include <vips/vips.h>

#include "job.h"

G_BEGIN_DECLS

#define SHARDPIX_FASTLOAD_WIDTH "shardpix-libvips-width"
#define SHARDPIX_FASTLOAD_HEIGHT "shardpix-libvips-height"

/* Whether @job is the case the fast decoders serve. */
gboolean shardpix_fastload_applies (const ShardpixJob *job);

/* libjpeg-turbo asked for luminance only (JPEG's Y is Rec.601 luma) and DCT
 * scaling; for a progressive JPEG scaled by 1/8, only its DC scans are
 * decoded, which are all an 8x8 block's mean depends on. */
VipsImage *shardpix_fastload_jpeg (int fd, const struct stat *st, const ShardpixJob *job);

/* Exposed for the tests. The DC scans of a progressive JPEG and every
 * segment around them, without the AC scans: NULL unless @data is a
 * complete JPEG (up to its EOI). */
GBytes *shardpix_fastload_jpeg_dc_only (const guint8 *data, gsize len);
/* @data's luminance at 1/@denominator, from its DC scans alone if
 * @dc_only and @denominator is 8. NULL as above. */
VipsImage *shardpix_fastload_jpeg_decode_buffer (const guint8 *data, gsize len,
                                                 int denominator, gboolean dc_only);

G_END_DECLS
