/* --slice and --slices, shared by run, plan and bench: this process
 * handles one slice of the listing (see lib/shardpix/slice.h). */
#include "cmd.h"
#include "shardpix/balance.h"
#include "shardpix/error.h"
#include "shardpix/options.h"

void
cmd_slice_add_options (CmdSlice *slice, GOptionContext *context)
{
  const ShardpixOptionField fields[] = {
    SHARDPIX_OPTION_FIELD ("slice", slice->text),
    SHARDPIX_OPTION_FIELD ("slices", slice->slices),
    SHARDPIX_OPTION_FIELD ("slice-balance", slice->balance_text),
    { NULL },
  };

  /* One description for run, plan and bench. */
  shardpix_options_add_fields (context, SHARDPIX_COMMAND_RUN, fields);
}

gboolean
cmd_slice_resolve (CmdSlice *slice, GError **error)
{
  g_auto (GStrv) envp = g_get_environ ();

  if (slice->slices < 0 || slice->slices > SHARDPIX_SLICE_MAX)
    {
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
                   "--slices must be 1 to %d", SHARDPIX_SLICE_MAX);
      return FALSE;
    }
  if (slice->balance_text != NULL
      && !shardpix_slice_balance_parse (slice->balance_text, &slice->balance, error))
    return FALSE;
  if (slice->text == NULL)
    {
      if (slice->slices == 0 && slice->balance_text == NULL)
        return TRUE;
      g_set_error_literal (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
                           slice->slices != 0 ? "--slices goes with --slice auto"
                                              : "--slice-balance goes with --slice");
      return FALSE;
    }
  if (!shardpix_slice_resolve (slice->text, (const char *const *) envp, (guint) slice->slices,
                               &slice->slice, error))
    return FALSE;
  slice->set = TRUE;
  return TRUE;
}

gboolean
cmd_slice_apply (CmdSlice *slice, ShardpixListing *listing, GError **error)
{
  if (!slice->set)
    return TRUE;
  return shardpix_slice_listing (&slice->slice, slice->balance, listing, &slice->info, error);
}

void
cmd_slice_clear (CmdSlice *slice)
{
  g_clear_pointer (&slice->text, g_free);
  g_clear_pointer (&slice->balance_text, g_free);
  shardpix_slice_info_clear (&slice->info);
}
