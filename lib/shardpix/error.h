/* One error domain for everything lib/ reports that is not a plain errno
 * (those use G_IO_ERROR through g_io_error_from_errno()). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SHARDPIX_ERROR (shardpix_error_quark ())

typedef enum {
  SHARDPIX_ERROR_FAILED,
  SHARDPIX_ERROR_USAGE,    /* bad option value or folder: exit 2 */
  SHARDPIX_ERROR_PROTOCOL, /* a peer sent bytes that are not a record */
  SHARDPIX_ERROR_IMAGE,    /* one image could not be processed */
  SHARDPIX_ERROR_CHILD,    /* a worker could not be started or died */
  SHARDPIX_ERROR_LAYOUT,   /* INPUT_DIR and OUTPUT_DIR overlap: exit 2 */
} ShardpixError;

GQuark shardpix_error_quark (void);

/* Fills @error from errno with "@what: strerror" and returns FALSE, so that a
 * failing system call reads as `return shardpix_error_errno (e, error, ...)`. */
gboolean shardpix_error_errno (int errsv, GError **error, const char *format, ...)
  G_GNUC_PRINTF (3, 4);

/* Fills @error (SHARDPIX_ERROR_IMAGE) with "@what: " and the first line of
 * libvips' error buffer, which names the cause (later lines are what
 * failed because of it); clears the buffer and returns FALSE. */
gboolean shardpix_error_vips (GError **error, const char *what);

G_END_DECLS
