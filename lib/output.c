#include "shardpix/output.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include <gio/gio.h>

#include "shardpix/error.h"
#include "shardpix/output-name.h"
#include "shardpix/protocol.h"

/* Read by a signal handler: fixed buffers, never reallocated, one per
 * thread that writes outputs (slot 0: the process's only one). */
typedef struct {
  volatile int dir_fd;
  char name[NAME_MAX + 1];
  char path[PATH_MAX];
  atomic_int creating; /* between the name noted and openat() returning */
} OutputSlot;

static OutputSlot output_slots[SHARDPIX_OUTPUT_MAX_SLOTS] = {
  [0 ... SHARDPIX_OUTPUT_MAX_SLOTS - 1] = { .dir_fd = -1 },
};
static _Thread_local guint output_slot;
/* This thread's own slot is creating: a handler running on it has
 * interrupted that, and must not wait for it. */
static _Thread_local volatile sig_atomic_t output_creating_here;
/* Set by the signal handler before it removes the temporary files. With
 * threads (--mode threads) the others run on while it does: one could
 * create its file just after the handler looked, and the _exit() that
 * follows would leave it (CI, test-modes threads-interrupted). So a
 * thread says it is creating, then looks at this flag; the handler sets
 * the flag, then waits for every slot that is creating: one of the two
 * always sees the other (sequentially consistent atomics, lock-free and
 * so safe in a handler). */
static atomic_int output_stopping;

/* At most this long for another thread's openat() to return. */
#define OUTPUT_CREATING_WAIT_MS 1000

void
shardpix_output_set_slot (guint slot)
{
  g_return_if_fail (slot < SHARDPIX_OUTPUT_MAX_SLOTS);
  output_slot = slot;
}

const char *
shardpix_output_current_temp (void)
{
  return output_slots[output_slot].path;
}

void
shardpix_output_unlink_temps (void)
{
  const struct timespec millisecond = { 0, 1000000 };

  atomic_store (&output_stopping, 1);
  for (guint i = 0; i < SHARDPIX_OUTPUT_MAX_SLOTS; i++)
    {
      /* The handler's own thread cannot be inside openat() while it runs
       * it: interrupted before, it creates nothing afterwards. */
      gboolean own = i == output_slot && output_creating_here;

      for (int waited = 0;
           !own && atomic_load (&output_slots[i].creating) && waited < OUTPUT_CREATING_WAIT_MS;
           waited++)
        nanosleep (&millisecond, NULL);
      if (output_slots[i].name[0] != '\0' && output_slots[i].dir_fd >= 0)
        unlinkat (output_slots[i].dir_fd, output_slots[i].name, 0);
    }
}

static void
output_slot_clear (void)
{
  OutputSlot *slot = &output_slots[output_slot];

  slot->name[0] = '\0';
  slot->path[0] = '\0';
  slot->dir_fd = -1;
}

/* *@errsv_out is the failure's errno, for output_begin to classify. */
static int
output_fail_dir (int fd, int errsv, int *errsv_out, GError **error, const char *where)
{
  if (fd >= 0)
    close (fd);
  if (errsv == ELOOP)
    g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_IMAGE,
                 "output folder %s is a symbolic link: not followed", where);
  else if (errsv == ENOTDIR)
    g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_IMAGE,
                 "output folder %s is not a folder", where);
  else
    shardpix_error_errno (errsv, error, "cannot create output folder %s", where);
  *errsv_out = errsv;
  return -1;
}

static int
output_open_dir (const char *output_dir, const char *rel_dir, gboolean create, int *errsv_out,
                 GError **error)
{
  g_auto (GStrv) parts = g_strsplit (rel_dir, "/", -1);
  g_autoptr (GString) where = g_string_new (output_dir);
  /* OUTPUT_DIR itself is the user's: a link there is followed. */
  int fd = open (output_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    return output_fail_dir (-1, errno, errsv_out, error, output_dir);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      int next;

      if (*parts[i] == '\0' || strcmp (parts[i], ".") == 0)
        continue;
      g_string_append_printf (where, "/%s", parts[i]);
      if (strcmp (parts[i], "..") == 0)
        return output_fail_dir (fd, ELOOP, errsv_out, error, where->str);
      /* mkdirat() never follows a link: on one it says EEXIST, and the
       * O_NOFOLLOW open below says ELOOP. */
      if (create && mkdirat (fd, parts[i], 0777) != 0 && errno != EEXIST)
        return output_fail_dir (fd, errno, errsv_out, error, where->str);
      next = openat (fd, parts[i], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0)
        {
          int errsv = errno;
          struct stat st;

          /* With O_PATH a link is opened as such, and O_DIRECTORY then
           * says ENOTDIR: tell a link from a file. */
          if (errsv == ENOTDIR && fstatat (fd, parts[i], &st, AT_SYMLINK_NOFOLLOW) == 0
              && S_ISLNK (st.st_mode))
            errsv = ELOOP;
          return output_fail_dir (fd, errsv, errsv_out, error, where->str);
        }
      close (fd);
      fd = next;
    }
  return fd;
}

int
shardpix_output_open_dir (const char *output_dir, const char *rel_dir, gboolean create,
                          GError **error)
{
  int errsv;

  return output_open_dir (output_dir, rel_dir, create, &errsv, error);
}

void
shardpix_output_tag_error (ShardpixOutput *output, int errsv, GError **error)
{
  int fd = output->fd;
  struct statvfs fs;

  /* libvips does not keep errno for a failed save, so a full or read-only
   * file system is also recognised from the descriptor itself. */
  if (errsv != ENOSPC && errsv != EROFS && errsv != EDQUOT && errsv != EACCES && fd >= 0
      && fstatvfs (fd, &fs) == 0)
    {
      struct stat st;

      /* Could the file have grown a little more? Asking for its size plus
       * 64 KiB says ENOSPC on a nearly full disk without writing data. */
      if (fs.f_flag & ST_RDONLY)
        errsv = EROFS;
      else if (fstat (fd, &st) == 0 && fallocate (fd, 0, 0, st.st_size + 65536) != 0
               && (errno == ENOSPC || errno == EDQUOT))
        errsv = errno;
      else if (fs.f_bavail == 0)
        errsv = ENOSPC;
    }
  if (errsv != ENOSPC && errsv != EROFS && errsv != EDQUOT && errsv != EACCES)
    return;
  g_clear_error (error);
  g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_OUTPUT,
               SHARDPIX_PROTOCOL_OUTPUT_ERROR "%s: %s", output->where, g_strerror (errsv));
}

/* The temporary file's openat(), under the handshake with
 * shardpix_output_unlink_temps(): none once a signal is removing them. */
static int
output_create (OutputSlot *slot, int dir_fd, const char *name)
{
  int fd = -1;
  int errsv = EINTR;

  output_creating_here = 1;
  atomic_store (&slot->creating, 1);
  if (!atomic_load (&output_stopping))
    {
      fd = openat (dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
      errsv = errno;
    }
  atomic_store (&slot->creating, 0);
  output_creating_here = 0;
  errno = errsv;
  return fd;
}

gboolean
shardpix_output_begin (const ShardpixJob *job, const ShardpixOutputPlan *plan, guint index,
                       ShardpixOutput *output, GError **error)
{
  OutputSlot *slot = &output_slots[output_slot];
  int errsv;

  memset (output, 0, sizeof *output);
  output->dir_fd = -1;
  output->fd = -1;
  output->name = g_strdup (plan->name);
  output->where = g_strdup (plan->where);
  output->temp = shardpix_output_name_temp (job, getpid (), index);
  if (strlen (output->temp) > NAME_MAX
      || strlen (output->where) + strlen (output->temp) + 2 > PATH_MAX)
    {
      g_clear_pointer (&output->temp, g_free);
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_IMAGE, "output path too long");
      return FALSE;
    }
  output->dir_fd = output_open_dir (job->output_dir, plan->dir, TRUE, &errsv, error);
  if (output->dir_fd < 0)
    {
      g_clear_pointer (&output->temp, g_free);
      shardpix_output_tag_error (output, errsv, error);
      return FALSE;
    }
  /* Noted before it exists, so that a signal at any moment removes it. */
  g_strlcpy (slot->name, output->temp, sizeof slot->name);
  g_snprintf (slot->path, sizeof slot->path, "%s/%s", output->where, output->temp);
  slot->dir_fd = output->dir_fd;
  output->fd = output_create (slot, output->dir_fd, output->temp);
  if (output->fd >= 0)
    return TRUE;
  errsv = errno;
  output_slot_clear ();
  /* Only this run makes names with its token: a file there is someone
   * else's (or a trap), and is never removed. */
  if (errsv == EEXIST)
    g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_IMAGE,
                 "a file is already at the temporary name %s/%s: not ours, left alone",
                 output->where, output->temp);
  else
    shardpix_error_errno (errsv, error, "cannot create temporary file");
  g_clear_pointer (&output->temp, g_free);
  shardpix_output_tag_error (output, errsv, error);
  return FALSE;
}

gboolean
shardpix_output_commit (ShardpixOutput *output, const struct stat *input, GError **error)
{
  struct stat existing;
  int fd = output->fd;

  output->fd = -1;
  if (close (fd) != 0)
    {
      int errsv = errno;

      shardpix_error_errno (errsv, error, "cannot write output");
      shardpix_output_tag_error (output, errsv, error);
      return FALSE;
    }
  /* The last line of defence for "inputs are never overwritten". */
  if (fstatat (output->dir_fd, output->name, &existing, AT_SYMLINK_NOFOLLOW) == 0
      && existing.st_dev == input->st_dev && existing.st_ino == input->st_ino)
    {
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_IMAGE,
                   "refusing to overwrite the input itself");
      return FALSE;
    }
  if (renameat (output->dir_fd, output->temp, output->dir_fd, output->name) != 0)
    return shardpix_error_errno (errno, error, "cannot rename output into place");
  output_slot_clear ();
  g_clear_pointer (&output->temp, g_free);
  return TRUE;
}

void
shardpix_output_clear (ShardpixOutput *output)
{
  if (output->fd >= 0)
    close (output->fd);
  output->fd = -1;
  if (output->temp != NULL && output->dir_fd >= 0)
    {
      unlinkat (output->dir_fd, output->temp, 0);
      output_slot_clear ();
    }
  if (output->dir_fd >= 0)
    close (output->dir_fd);
  output->dir_fd = -1;
  g_clear_pointer (&output->temp, g_free);
  g_clear_pointer (&output->name, g_free);
  g_clear_pointer (&output->where, g_free);
}
