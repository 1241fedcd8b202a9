/* One image through libvips: open, shrink on load, grayscale, save to a
 * temporary name, rename into place. Knows nothing of processes. */
#pragma once

#include <glib.h>

#include "job.h"

G_BEGIN_DECLS

/* Starts libvips for this process: @threads threads, the operation cache
 * off, only the loaders this tool means to read. Once per process. */
gboolean shardpix_pipeline_init (const char *argv0, int threads, GError **error);
void shardpix_pipeline_shutdown (void);

/* Processes the image at @rel (relative to job->input_dir). On failure no
 * output and no temporary file is left. @index names the temporary file
 * (see shardpix_job_temp_path()). */
gboolean shardpix_pipeline_process (const ShardpixJob *job, const char *rel, guint index,
                                    GError **error);

/* Records a libvips warning (the first of each image): some loaders report what is wrong with a file
 * only that way, and the image's error message then includes it. */
void shardpix_pipeline_note_warning (const char *message);

/* The temporary file being written right now, or "" between images: for a
 * signal handler to unlink() before the process dies. */
const char *shardpix_pipeline_current_temp (void);

G_END_DECLS
