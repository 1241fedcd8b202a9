/* One image through libvips: open, shrink on load, grayscale, save to a
 * temporary name, rename into place. Knows nothing of processes. */
#pragma once

#include <glib.h>
#include <sys/stat.h>

#include "shardpix/job.h"

G_BEGIN_DECLS

/* Starts libvips for this process, as shardpix_vips_setup_start() does.
 * Once per process. */
gboolean shardpix_pipeline_init (const char *argv0, int threads, GError **error);
void shardpix_pipeline_shutdown (void);

/* Processes the image at @rel (relative to job->input_dir). On failure no
 * output and no temporary file is left. @index names the temporary file
 * (see shardpix_output_name_temp()). */
gboolean shardpix_pipeline_process (const ShardpixJob *job, const char *rel, guint index,
                                    GError **error);

/* The two halves of shardpix_pipeline_process(), for a caller that opens
 * inputs ahead of time (prefetch.h). open_input opens the input at @rel
 * with every check an input gets (a regular file, never blocking on a
 * FIFO) and fills @st; safe on any thread, touches no libvips state.
 * process_opened takes @fd over (it is closed before returning). */
int shardpix_pipeline_open_input (const ShardpixJob *job, const char *rel, struct stat *st,
                                  GError **error);
gboolean shardpix_pipeline_process_opened (const ShardpixJob *job, const char *rel,
                                           guint index, int fd, const struct stat *st,
                                           GError **error);

/* Records a libvips warning (the first of each image): some loaders report what is wrong with a file
 * only that way, and the image's error message then includes it. */
void shardpix_pipeline_note_warning (const char *message);

/* TRUE while several images are processed at once: a libvips warning raised
 * on libvips' own threads can then no longer be told apart by image, and
 * only warnings raised on the image's own thread name its error. */
void shardpix_pipeline_set_concurrent (gboolean concurrent);

G_END_DECLS
