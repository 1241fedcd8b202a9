/* The output side of one image: its folder opened below OUTPUT_DIR one
 * component at a time without following a link, a temporary file with a
 * name only this run uses, the rename into place. Every mode (worker
 * processes, threads, serial) writes through here. */
#pragma once

#include <sys/stat.h>

#include <glib.h>

#include "shardpix/job.h"
#include "shardpix/output-plan.h"

G_BEGIN_DECLS

/* Opens the folder @rel_dir ("sub/dir"; "." or "" for OUTPUT_DIR itself)
 * below @output_dir, creating what is missing when @create. Each component
 * is created with mkdirat() and opened with O_NOFOLLOW|O_DIRECTORY relative
 * to the one above, so no link inside OUTPUT_DIR is ever followed: a link
 * (or a file) there is an error that names it. Returns the descriptor, or
 * -1 with @error. */
int shardpix_output_open_dir (const char *output_dir, const char *rel_dir, gboolean create,
                              GError **error);

typedef struct {
  int dir_fd;  /* the output's folder */
  int fd;      /* the temporary file while it is written, else -1 */
  char *where; /* OUTPUT_DIR/sub, for messages */
  char *name;  /* the output's name in dir_fd */
  char *temp;  /* the temporary file's name in dir_fd, NULL once renamed */
} ShardpixOutput;

/* Opens the folder of @plan's output and creates its temporary file
 * (O_EXCL|O_NOFOLLOW, named by shardpix_output_name_temp()). A file
 * already at that name is not ours: it is left alone and the image fails. */
gboolean shardpix_output_begin (const ShardpixJob *job, const ShardpixOutputPlan *plan,
                                guint index, ShardpixOutput *output, GError **error);

/* Closes the temporary file and renames it into place, refusing to replace
 * @input itself (device and inode). */
gboolean shardpix_output_commit (ShardpixOutput *output, const struct stat *input,
                                 GError **error);

/* Removes the temporary file if it was not renamed, closes everything. */
void shardpix_output_clear (ShardpixOutput *output);

/* Replaces @error by one tagged for the supervisor (see
 * SHARDPIX_PROTOCOL_OUTPUT_ERROR) when @errsv, or the state of the open
 * temporary file when @errsv is 0, says no output in this folder can be
 * written (ENOSPC, EROFS, EDQUOT, EACCES). */
void shardpix_output_tag_error (ShardpixOutput *output, int errsv, GError **error);

/* Threads that process images at the same time (`run --mode threads`) each
 * note their temporary file in their own fixed slot, 0 to
 * SHARDPIX_OUTPUT_MAX_SLOTS - 1; the process's first thread has slot 0.
 * Call before the thread's first image. */
#define SHARDPIX_OUTPUT_MAX_SLOTS 256
void shardpix_output_set_slot (guint slot);

/* The temporary file this thread is writing right now, or "" between images. */
const char *shardpix_output_current_temp (void);

/* Unlinks every temporary file being written: async-signal-safe (unlinkat
 * on descriptors and names noted beforehand), for a signal handler to call
 * before the process dies. */
void shardpix_output_unlink_temps (void);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ShardpixOutput, shardpix_output_clear)

G_END_DECLS
