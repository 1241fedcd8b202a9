/* Which files a run may read: the one rule for input symlinks, applied
 * when the folder is listed and again when a worker opens each file. A
 * link is followed only when what it leads to is inside INPUT_DIR, or
 * anywhere with --follow-symlinks; never when it leads into OUTPUT_DIR,
 * where an output could overwrite it. */
#pragma once

#include <glib.h>

#include "shardpix/job.h"

G_BEGIN_DECLS

typedef struct {
  char *input_real;  /* INPUT_DIR, resolved */
  char *output_real; /* OUTPUT_DIR, resolved; NULL when nothing is written */
  gboolean follow_symlinks;
} ShardpixInputs;

/* @output_dir may be NULL (`plan` writes nothing). */
void shardpix_inputs_init (ShardpixInputs *inputs, const char *input_dir,
                           const char *output_dir, gboolean follow_symlinks);
void shardpix_inputs_clear (ShardpixInputs *inputs);

/* NULL when the file at the resolved path @target may be read; otherwise
 * why not, for the user ("leads to /home/u/x.jpg, outside
 * INPUT_DIR: not read (--follow-symlinks reads it)"). */
char *shardpix_inputs_refusal (const ShardpixInputs *inputs, const char *target);

/* The same check on @fd, an input opened with O_PATH: where the open, links
 * followed, really led (/proc/self/fd). FALSE with a SHARDPIX_ERROR_IMAGE
 * error when refused. */
gboolean shardpix_inputs_check_open (const ShardpixJob *job, int fd, GError **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ShardpixInputs, shardpix_inputs_clear)

G_END_DECLS
