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
 * (see shardpix_job_temp_name()). */
gboolean shardpix_pipeline_process (const ShardpixJob *job, const char *rel, guint index,
                                    GError **error);

/* Records a libvips warning (the first of each image): some loaders report what is wrong with a file
 * only that way, and the image's error message then includes it. */
void shardpix_pipeline_note_warning (const char *message);

/* TRUE while several images are processed at once: a libvips warning raised
 * on libvips' own threads can then no longer be told apart by image, and
 * only warnings raised on the image's own thread name its error. */
void shardpix_pipeline_set_concurrent (gboolean concurrent);

G_END_DECLS
