#include "error.h"

#include <gio/gio.h>

G_DEFINE_QUARK (shardpix-error-quark, shardpix_error)

gboolean
shardpix_error_errno (int errsv, GError **error, const char *format, ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "%s: %s", what,
               g_strerror (errsv));
  return FALSE;
}
