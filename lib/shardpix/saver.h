/* What a libvips saver is given for an output: its option string and an
 * image without the metadata the job does not keep. */
#pragma once

#include <vips/vips.h>

#include "shardpix/job.h"
#include "shardpix/output-plan.h"

G_BEGIN_DECLS

/* "strip=true,Q=85,USER": --quality for every saver type (@saver, from
 * vips_foreign_find_save_target()) that has a Q; @user (the [...] of -o,
 * or NULL) last, so that it wins. */
char *shardpix_saver_options (const ShardpixJob *job, const char *saver, const char *user);

/* Finds libvips' saver for @plan's format and the options it is given
 * (above, with the template's own last); FALSE, libvips' error in its
 * buffer, when there is none. */
gboolean shardpix_saver_plan (ShardpixOutputPlan *plan, const ShardpixJob *job);

/* Flattens @image on black, as the saver type @saver would on saving,
 * when that saver writes no alpha (JPEG's); otherwise leaves it. Done
 * before the resize rather than after, it gives the same picture, both
 * being linear (to rounding), and the resize then works on one band of
 * uchar instead of premultiplied floats: 17% less CPU on the artwork
 * folder's RGBA and grey+alpha PNGs (docs/benchmarks.md). FALSE on a
 * libvips error. */
gboolean shardpix_saver_flatten_first (const char *saver, VipsImage **image);

/* A copy of @image without EXIF (its parsed fields too), XMP, IPTC,
 * Photoshop and ICC metadata, or NULL on a libvips error. */
VipsImage *shardpix_saver_strip (VipsImage *image);

G_END_DECLS
