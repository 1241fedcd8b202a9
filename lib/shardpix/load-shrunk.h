/* Opening an image through libvips the way vips_thumbnail() opens it for a
 * thumbnail, without its resize (resample.h does that): with the loader's
 * own shrink-on-load where it has one (JPEG's DCT scaling, WebP's scaled
 * decode, a HEIF's embedded thumbnail when it is big enough). */
#pragma once

#include <glib.h>
#include <vips/vips.h>

#include "shardpix/job.h"

G_BEGIN_DECLS

/* @source, opened for sequential reading with @fail_on, shrunk on load by
 * the factor vips_thumbnail() picks for @job's box: the same image, so the
 * same thumbnail size. NULL with the cause in libvips' error buffer. */
VipsImage *shardpix_load_shrunk (const char *source, const ShardpixJob *job, VipsFailOn fail_on);

G_END_DECLS
