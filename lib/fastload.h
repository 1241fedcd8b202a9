/* Decoders that go around libvips for the common case of the default job. */
#pragma once

#include <sys/stat.h>

#include <vips/vips.h>

#include "job.h"

G_BEGIN_DECLS

/* Decoders that go around libvips for the common case of the default job
 * (grey output, Rec.601 luma, no metadata kept): each returns the image
 * already grey and pre-shrunk by an integer factor that leaves it at least
 * as large as the job's box needs, ready for vips_thumbnail_image(), which
 * does the final resize, crop and rotation as on the libvips path. They
 * return NULL for anything they do not handle or cannot read (no error: the
 * caller then takes the libvips path, which also reports every error with
 * libvips' own message and fail_on level). @fd is open on a regular file
 * at offset 0, @st its fstat(); they may read it from the start with pread. */
VipsImage *shardpix_fastload_png (int fd, const struct stat *st, const ShardpixJob *job);

G_END_DECLS
