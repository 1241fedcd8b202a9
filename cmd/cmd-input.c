/* --files-from and -0, shared by run and plan: where the listing comes
 * from (see lib/shardpix/manifest.h). */
#include "cmd.h"
#include "shardpix/error.h"

void
cmd_input_add_options (CmdInput *input, GOptionContext *context)
{
  const GOptionEntry entries[] = {
    { "files-from", 0, 0, G_OPTION_ARG_FILENAME, &input->files_from,
      "Take the images named in FILE (- for standard input), one path relative to INPUT_DIR "
      "a line, instead of listing INPUT_DIR", "FILE" },
    { "null", '0', 0, G_OPTION_ARG_NONE, &input->nul,
      "--files-from names are ended by NUL bytes (find -print0), not newlines", NULL },
    { NULL },
  };

  g_option_context_add_main_entries (context, entries, NULL);
}

gboolean
cmd_input_check (const CmdInput *input, GError **error)
{
  if (input->nul && input->files_from == NULL)
    {
      g_set_error_literal (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
                           "-0 goes with --files-from");
      return FALSE;
    }
  return TRUE;
}

void
cmd_input_clear (CmdInput *input)
{
  g_clear_pointer (&input->files_from, g_free);
}
