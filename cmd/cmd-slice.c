/* --slice and --slices, shared by run, plan and bench: this process
 * handles one slice of the listing (see lib/shardpix/slice.h). */
#include "cmd.h"
#include "shardpix/balance.h"
#include "shardpix/error.h"

void
cmd_slice_add_options (CmdSlice *slice, GOptionContext *context)
{
  const GOptionEntry entries[] = {
    { "slice", 0, 0, G_OPTION_ARG_STRING, &slice->text,
      "Handle only slice K (0-based) of M contiguous slices of the sorted listing; "
      "auto: K and M from a Slurm array or a Kubernetes Indexed Job", "K/M|auto" },
    { "slices", 0, 0, G_OPTION_ARG_INT, &slice->slices,
      "M for --slice auto when the scheduler does not say it (Kubernetes: the completions)",
      "M" },
    { "slice-balance", 0, 0, G_OPTION_ARG_STRING, &slice->balance_text,
      "How --slice cuts: count (default: equal numbers of files) or bytes (equal estimated "
      "work: sizes weighed by format; every node stats the whole listing)",
      "count|bytes" },
    { NULL },
  };

  /* GOptionContext copies the entries. */
  g_option_context_add_main_entries (context, entries, NULL);
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
