#include "shardpix/error.h"

#include <string.h>

#include <gio/gio.h>
#include <vips/vips.h>

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

gboolean
shardpix_error_errno_as (ShardpixError code, int errsv, GError **error, const char *format, ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, SHARDPIX_ERROR, code, "%s: %s", what, g_strerror (errsv));
  return FALSE;
}

gboolean
shardpix_error_vips (GError **error, const char *what)
{
  g_autofree char *text = g_strstrip (vips_error_buffer_copy ());
  char *newline = strchr (text, '\n');

  if (newline != NULL)
    *newline = '\0';
  vips_error_clear ();
  g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_IMAGE, "%s: %s", what, text);
  return FALSE;
}

int
shardpix_error_exit_status (const GError *error)
{
  if (error == NULL)
    return SHARDPIX_EXIT_OK;
  if (error->domain != SHARDPIX_ERROR)
    return SHARDPIX_EXIT_WORKER;
  switch ((ShardpixError) error->code)
    {
    case SHARDPIX_ERROR_USAGE:
    case SHARDPIX_ERROR_LAYOUT:
    case SHARDPIX_ERROR_INPUT:
      return SHARDPIX_EXIT_USAGE;
    case SHARDPIX_ERROR_IMAGE:
    case SHARDPIX_ERROR_OUTPUT:
      return SHARDPIX_EXIT_IMAGES;
    case SHARDPIX_ERROR_FAILED:
    case SHARDPIX_ERROR_PROTOCOL:
    case SHARDPIX_ERROR_WORKER:
      break;
    }
  return SHARDPIX_EXIT_WORKER;
}
