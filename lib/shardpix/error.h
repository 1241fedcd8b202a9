/* One error domain for everything lib/ reports that is not a plain errno
 * (those use G_IO_ERROR through g_io_error_from_errno()). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SHARDPIX_ERROR (shardpix_error_quark ())

/* What failed. The values travel in RESULT records (protocol.h), so a
 * code keeps its number once given. */
typedef enum {
  SHARDPIX_ERROR_FAILED,   /* nothing more specific is known: exit 3 */
  SHARDPIX_ERROR_USAGE,    /* a bad option value or a missing argument: exit 2 */
  SHARDPIX_ERROR_PROTOCOL, /* a worker sent bytes that are not a record: exit 3 */
  SHARDPIX_ERROR_IMAGE,    /* one image could not be read or processed: exit 1 */
  SHARDPIX_ERROR_WORKER,   /* a worker could not be started, or died: exit 3 */
  SHARDPIX_ERROR_LAYOUT,   /* INPUT_DIR and OUTPUT_DIR overlap: exit 2 */
  SHARDPIX_ERROR_INPUT,    /* the input folder or manifest cannot be listed, or
                            * holds no image: exit 2 */
  SHARDPIX_ERROR_OUTPUT,   /* an output cannot be written for a reason the next
                            * file shares (disk full, read-only, quota,
                            * permission): exit 1, and the run stops early */
} ShardpixError;

#define SHARDPIX_ERROR_LAST SHARDPIX_ERROR_OUTPUT

/* The fixed exit statuses, documented in the README and the man page. A run
 * stopped by signal N exits 128 + N. */
enum {
  SHARDPIX_EXIT_OK = 0,     /* every image done */
  SHARDPIX_EXIT_IMAGES = 1, /* some images failed; each was named on stderr */
  SHARDPIX_EXIT_USAGE = 2,  /* bad option, missing folder, output inside input */
  SHARDPIX_EXIT_WORKER = 3, /* a worker died or could not be started */
};

/* The one map from what failed to the exit status: SHARDPIX_ERROR codes as
 * commented above; G_IO_ERROR and other domains (a system call of the
 * parent failed) are exit 3. NULL is exit 0. */
int shardpix_error_exit_status (const GError *error);

GQuark shardpix_error_quark (void);

/* Fills @error from errno with "@what: strerror" and returns FALSE, so that a
 * failing system call reads as `return shardpix_error_errno (e, error, ...)`. */
gboolean shardpix_error_errno (int errsv, GError **error, const char *format, ...)
  G_GNUC_PRINTF (3, 4);

/* The same in SHARDPIX_ERROR with @code, where what failed matters more
 * than which errno said so (an input folder that cannot be read). */
gboolean shardpix_error_errno_as (ShardpixError code, int errsv, GError **error,
                                  const char *format, ...) G_GNUC_PRINTF (4, 5);

/* Fills @error (SHARDPIX_ERROR_IMAGE) with "@what: " and the first line of
 * libvips' error buffer, which names the cause (later lines are what
 * failed because of it); clears the buffer and returns FALSE. */
gboolean shardpix_error_vips (GError **error, const char *what);

G_END_DECLS
