/* The worker's side: what one child (or the serial baseline, in-process)
 * does with its share of the listing. */
#pragma once

#include <glib.h>

#include "shardpix/job.h"
#include "shardpix/protocol.h"

G_BEGIN_DECLS

/* Fixed exit codes of `shardpix worker`, read by the supervisor. */
typedef enum {
  SHARDPIX_WORKER_EXIT_DONE = 0,     /* DONE sent: every image has a RESULT */
  SHARDPIX_WORKER_EXIT_USAGE = 2,    /* bad arguments */
  SHARDPIX_WORKER_EXIT_PROTOCOL = 4, /* input list cut or garbled, or results pipe broken */
  SHARDPIX_WORKER_EXIT_INIT = 5,     /* libvips would not start */
} ShardpixWorkerExit;

/* Called with each RESULT record as soon as its image is finished. */
typedef void (*ShardpixResultFunc) (const ShardpixRecord *result, gpointer user_data);

/* Processes @n images (@rels[i], listing index @indexes[i]) with libvips,
 * already initialised, and fills @done with the closing DONE record. */
void shardpix_worker_process (const ShardpixJob *job, const guint *indexes,
                              const char *const *rels, guint n, gint64 started_us,
                              ShardpixResultFunc func, gpointer user_data,
                              ShardpixRecord *done);

/* The body of a worker child: reads its list from @in_fd, initialises libvips,
 * processes the images and writes the records to @out_fd. On failure @error
 * says why: SHARDPIX_ERROR_WORKER when libvips would not start,
 * SHARDPIX_ERROR_PROTOCOL when the list was cut or garbled or the results
 * could not be written. */
gboolean shardpix_worker_main (const ShardpixJob *job, const char *argv0, int in_fd,
                               int out_fd, GError **error);

/* The worker's exit status for @error (NULL: DONE): USAGE, PROTOCOL and
 * WORKER (INIT) as above; anything else is a PROTOCOL failure, since the
 * supervisor then lacks records. */
ShardpixWorkerExit shardpix_worker_exit_status (const GError *error);

/* Makes SIGINT, SIGTERM and SIGHUP remove the temporary file being written
 * and end the process with 128 + the signal. */
void shardpix_worker_install_signal_handlers (void);

G_END_DECLS
