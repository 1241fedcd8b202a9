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

/* Whether the saver type @saver writes an alpha band. JPEG's does not:
 * libvips flattens the image on black before it saves. */
gboolean shardpix_saver_keeps_alpha (const char *saver);

/* A copy of @image without EXIF (its parsed fields too), XMP, IPTC,
 * Photoshop and ICC metadata, or NULL on a libvips error. */
VipsImage *shardpix_saver_strip (VipsImage *image);

G_END_DECLS
