/* --resume: which images a previous run already converted. Outputs are
 * renamed into place only when complete, so one that exists is whole; it is
 * current when it is not older than its input. */
#pragma once

#include <glib.h>

#include "shardpix/job.h"

G_BEGIN_DECLS

/* TRUE when the output of @rel exists as a regular file whose modification
 * time is not older than the input's (symlinked inputs are followed). */
gboolean shardpix_resume_is_done (const ShardpixJob *job, const char *rel);

/* Removes from @paths (relative paths owned by the array, order kept) those
 * already done; returns how many were removed. */
guint shardpix_resume_filter (const ShardpixJob *job, GPtrArray *paths);

G_END_DECLS
