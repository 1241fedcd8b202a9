/* A worker's memory for one image, bounded before any pixel is decoded.
 * libvips streams most images a strip at a time, but some layouts it must
 * decode whole first: an interlaced (Adam7) PNG, a progressive JPEG (all
 * its DCT coefficients), a GIF frame, a HEIF image. A 500 kB interlaced
 * 16-bit RGBA PNG of 8192x8192 is 512 MB decoded. Their size is known from
 * the header, so such an image is refused up front, with a message naming
 * the limit, when it would need more than its worker's share of physical
 * memory (--max-buffer; works under AddressSanitizer, unlike RLIMIT_AS). */
#pragma once

#include <vips/vips.h>

#include "shardpix/job.h"

G_BEGIN_DECLS

/* Bytes libvips holds at once to decode @header's image (opened by
 * vips_image_new_from_file(), header only) when it cannot stream it; 0
 * when it streams. An estimate from above: pixels x bands x bytes. */
gint64 shardpix_memguard_buffered_bytes (VipsImage *header);

/* The default --max-buffer, in MB: half of physical memory shared by the
 * images decoded at once (@concurrent: workers, or threads). */
gint64 shardpix_memguard_default_mb (guint concurrent);

/* Whether @bytes held at once fit job->max_buffer_mb. */
gboolean shardpix_memguard_fits (const ShardpixJob *job, gint64 bytes);

/* FALSE (SHARDPIX_ERROR_IMAGE) when @header's image would need more than
 * job->max_buffer_mb (0: no limit; below 0: the default for one image at
 * a time) decoded whole. */
gboolean shardpix_memguard_check (const ShardpixJob *job, VipsImage *header, GError **error);

G_END_DECLS
