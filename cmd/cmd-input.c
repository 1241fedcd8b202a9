/* --files-from and -0, shared by run and plan: where the listing comes
 * from (see lib/shardpix/manifest.h). */
#include "cmd.h"
#include "shardpix/error.h"
#include "shardpix/options.h"

void
cmd_input_add_options (CmdInput *input, GOptionContext *context)
{
  const ShardpixOptionField fields[] = {
    SHARDPIX_OPTION_FIELD ("files-from", input->files_from),
    SHARDPIX_OPTION_FIELD ("null", input->nul),
    { NULL },
  };

  /* One description for run and plan. */
  shardpix_options_add_fields (context, SHARDPIX_COMMAND_RUN, fields);
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
