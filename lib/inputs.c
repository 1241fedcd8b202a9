#include "shardpix/inputs.h"

#include <stdlib.h>

#include "shardpix/error.h"
#include "shardpix/folders.h"

void
shardpix_inputs_init (ShardpixInputs *inputs, const char *input_dir, const char *output_dir,
                      gboolean follow_symlinks)
{
  inputs->input_real = shardpix_folders_resolve (input_dir);
  inputs->output_real = output_dir ? shardpix_folders_resolve (output_dir) : NULL;
  inputs->follow_symlinks = follow_symlinks;
}

void
shardpix_inputs_clear (ShardpixInputs *inputs)
{
  g_clear_pointer (&inputs->input_real, g_free);
  g_clear_pointer (&inputs->output_real, g_free);
}

char *
shardpix_inputs_refusal (const ShardpixInputs *inputs, const char *target)
{
  if (inputs->output_real != NULL && shardpix_folders_within (inputs->output_real, target))
    return g_strdup_printf ("leads to %s, inside OUTPUT_DIR: not read, an output "
                            "could overwrite it", target);
  if (!inputs->follow_symlinks && !shardpix_folders_within (inputs->input_real, target))
    return g_strdup_printf ("leads to %s, outside INPUT_DIR: not read "
                            "(--follow-symlinks reads it)", target);
  return NULL;
}

gboolean
shardpix_inputs_check_open (const ShardpixJob *job, int fd, GError **error)
{
  g_auto (ShardpixInputs) inputs = { 0 };
  g_autofree char *handle = g_strdup_printf ("/proc/self/fd/%d", fd);
  g_autofree char *target = g_file_read_link (handle, error);
  g_autofree char *refusal = NULL;

  if (target == NULL)
    return FALSE;
  shardpix_inputs_init (&inputs, job->input_dir, job->output_dir, job->follow_symlinks);
  refusal = shardpix_inputs_refusal (&inputs, target);
  if (refusal == NULL)
    return TRUE;
  g_set_error_literal (error, SHARDPIX_ERROR, SHARDPIX_ERROR_IMAGE, refusal);
  return FALSE;
}
