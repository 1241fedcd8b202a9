#include "shardpix/prefetch.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "shardpix/pipeline.h"

/* What one read-ahead file left for the decoder: fd -1 when it could not be
 * opened or read. On network and FUSE file systems fd is a memfd holding
 * the file's bytes and original the file itself (see prefetch_copies()),
 * else original is -1. st is always the file's own. */
typedef struct {
  int fd;
  int original;
  struct stat st;
} PrefetchSlot;

/* statfs() types on which reading ahead into the page cache is not enough:
 * libvips opens its input by name (/proc/self/fd/N), which there is a new
 * open on the server, and FUSE drops a file's cached pages at every open.
 * The kernel's own values (linux/magic.h lacks some of them). */
static const long prefetch_remote_types[] = {
  0x65735546, /* FUSE (sshfs, s3fs, gcsfuse, rclone mount...) */
  0x6969,     /* NFS */
  0x517B,     /* SMB */
  0xFF534D42, /* CIFS */
  0xFE534D42, /* SMB2 */
  0x01021997, /* 9P (v9fs) */
  0x00C36400, /* Ceph */
};

/* Reads go in pieces this size: small enough not to show in a worker's
 * RSS, large enough that a network file system gets whole requests. */
#define PREFETCH_CHUNK (256 * 1024)

struct _ShardpixPrefetch {
  const ShardpixJob *job;
  const char *const *rels;
  guint n;
  guint depth;
  GThread *thread;

  GMutex lock; /* guards what follows */
  GCond cond;  /* any of it changed */
  guint taken; /* items handed to the decoder: 0..taken-1 */
  guint ready; /* items read ahead: 0..ready-1; never more than taken + depth */
  guint64 bytes_ahead; /* sizes of the items read and not yet taken */
  gboolean stopping;
  PrefetchSlot *ring; /* item i in ring[i % depth], for taken <= i < ready */
};

/* Whether @fd is on a file system where the bytes must be copied into
 * memory (a memfd) for the decoder to find them there. */
static gboolean
prefetch_copies (int fd)
{
  struct statfs fs;

  if (fstatfs (fd, &fs) != 0)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (prefetch_remote_types); i++)
    if ((long) fs.f_type == prefetch_remote_types[i])
      return TRUE;
  return FALSE;
}

static gboolean
prefetch_write_all (int fd, const char *data, gsize len)
{
  while (len > 0)
    {
      ssize_t wrote = write (fd, data, len);

      if (wrote < 0 && errno == EINTR)
        continue;
      if (wrote <= 0)
        return FALSE;
      data += wrote;
      len -= (gsize) wrote;
    }
  return TRUE;
}

/* Reads @fd through to its end, so that the decoder finds every byte
 * already fetched, copying them to @copy unless it is -1, then rewinds
 * the one the decoder will read. FALSE on a read or write error or when
 * asked to stop, leaving the file to be opened again normally. */
static gboolean
prefetch_read_through (ShardpixPrefetch *prefetch, int fd, int copy, char *buffer)
{
  /* A hint first: where the kernel honours it (local disks, NFS) the
   * reads below then find the data on its way. */
  posix_fadvise (fd, 0, 0, POSIX_FADV_WILLNEED);
  for (;;)
    {
      ssize_t got = read (fd, buffer, PREFETCH_CHUNK);

      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        return FALSE;
      if (got == 0)
        break;
      if (copy >= 0 && !prefetch_write_all (copy, buffer, (gsize) got))
        return FALSE;
      if (g_atomic_int_get (&prefetch->stopping))
        return FALSE;
    }
  return lseek (copy >= 0 ? copy : fd, 0, SEEK_SET) == 0;
}

static void
prefetch_slot_close (PrefetchSlot *slot)
{
  if (slot->fd >= 0)
    close (slot->fd);
  if (slot->original >= 0)
    close (slot->original);
  slot->fd = slot->original = -1;
}

/* Waits, with the lock held, until @predicate is false or we are asked to
 * stop; TRUE to go on. */
#define PREFETCH_WAIT_WHILE(prefetch, predicate)                     \
  G_STMT_START                                                       \
  {                                                                  \
    while (!(prefetch)->stopping && (predicate))                     \
      g_cond_wait (&(prefetch)->cond, &(prefetch)->lock);            \
  }                                                                  \
  G_STMT_END

static gpointer
prefetch_thread (gpointer data)
{
  ShardpixPrefetch *prefetch = data;
  g_autofree char *buffer = g_malloc (PREFETCH_CHUNK);

  for (guint i = 0;; i++)
    {
      PrefetchSlot slot = { -1, -1 };
      const char *rel;

      /* Until item i is known and may be read: the list grows by
       * shardpix_prefetch_extend(), and stops only when freed. */
      g_mutex_lock (&prefetch->lock);
      PREFETCH_WAIT_WHILE (prefetch, i >= prefetch->n || i >= prefetch->taken + prefetch->depth);
      if (prefetch->stopping)
        {
          g_mutex_unlock (&prefetch->lock);
          break;
        }
      rel = prefetch->rels[i];
      g_mutex_unlock (&prefetch->lock);

      /* The pipeline's own open: every check an input gets applies here. */
      slot.fd = shardpix_pipeline_open_input (prefetch->job, rel, &slot.st, NULL);
      if (slot.fd >= 0)
        {
          /* A file larger than what may be ahead waits until it is next. */
          g_mutex_lock (&prefetch->lock);
          PREFETCH_WAIT_WHILE (prefetch,
                               prefetch->bytes_ahead > 0
                                 && prefetch->bytes_ahead + (guint64) slot.st.st_size
                                      > SHARDPIX_PREFETCH_MAX_BYTES);
          g_mutex_unlock (&prefetch->lock);
          if (prefetch_copies (slot.fd))
            {
              slot.original = slot.fd;
              slot.fd = memfd_create ("shardpix-prefetch", MFD_CLOEXEC);
            }
          if (slot.fd < 0
              || !prefetch_read_through (prefetch, slot.original >= 0 ? slot.original : slot.fd,
                                         slot.original >= 0 ? slot.fd : -1, buffer))
            prefetch_slot_close (&slot);
        }

      g_mutex_lock (&prefetch->lock);
      prefetch->ring[i % prefetch->depth] = slot;
      prefetch->ready = i + 1;
      if (slot.fd >= 0)
        prefetch->bytes_ahead += (guint64) slot.st.st_size;
      g_cond_broadcast (&prefetch->cond);
      g_mutex_unlock (&prefetch->lock);
    }
  return NULL;
}

ShardpixPrefetch *
shardpix_prefetch_new (const ShardpixJob *job, const char *const *rels, guint n, guint depth)
{
  ShardpixPrefetch *prefetch;
  sigset_t all, old;

  if (depth == 0)
    return NULL;
  prefetch = g_new0 (ShardpixPrefetch, 1);
  prefetch->job = job;
  prefetch->rels = rels;
  prefetch->n = n;
  prefetch->depth = depth;
  prefetch->ring = g_new (PrefetchSlot, depth);
  g_mutex_init (&prefetch->lock);
  g_cond_init (&prefetch->cond);
  /* Signals stay with the decoding thread: its handlers remove the
   * temporary file it writes, and its system calls are the ones a signal
   * should interrupt. The new thread inherits the blocked mask. */
  sigfillset (&all);
  pthread_sigmask (SIG_SETMASK, &all, &old);
  prefetch->thread = g_thread_new ("prefetch", prefetch_thread, prefetch);
  pthread_sigmask (SIG_SETMASK, &old, NULL);
  return prefetch;
}

int
shardpix_prefetch_take (ShardpixPrefetch *prefetch, guint i, struct stat *st)
{
  g_autofree char *path = NULL;
  PrefetchSlot slot;
  struct stat now;

  if (prefetch == NULL)
    return -1;
  g_return_val_if_fail (i == prefetch->taken && i < prefetch->n, -1);
  shardpix_prefetch_wait_ready (prefetch, i);
  g_mutex_lock (&prefetch->lock);
  slot = prefetch->ring[i % prefetch->depth];
  prefetch->taken = i + 1;
  if (slot.fd >= 0)
    prefetch->bytes_ahead -= (guint64) slot.st.st_size;
  g_cond_broadcast (&prefetch->cond);
  g_mutex_unlock (&prefetch->lock);
  if (slot.fd < 0)
    return -1;

  /* Deleted or replaced since it was read ahead: what the decoder must see
   * is what an open now would give, errors included. A file truncated in
   * place is still this one; fstat then gives its size now, and a copy
   * made before the change is given up. */
  path = g_build_filename (prefetch->job->input_dir, prefetch->rels[i], NULL);
  if (stat (path, &now) != 0 || now.st_dev != slot.st.st_dev || now.st_ino != slot.st.st_ino
      || fstat (slot.original >= 0 ? slot.original : slot.fd, st) != 0
      || (slot.original >= 0 && st->st_size != slot.st.st_size))
    {
      prefetch_slot_close (&slot);
      return -1;
    }
  if (slot.original >= 0)
    close (slot.original);
  return slot.fd;
}

void
shardpix_prefetch_extend (ShardpixPrefetch *prefetch, const char *const *rels, guint n)
{
  if (prefetch == NULL)
    return;
  g_return_if_fail (n >= prefetch->n);
  g_mutex_lock (&prefetch->lock);
  prefetch->rels = rels;
  prefetch->n = n;
  g_cond_broadcast (&prefetch->cond);
  g_mutex_unlock (&prefetch->lock);
}

void
shardpix_prefetch_wait_ready (ShardpixPrefetch *prefetch, guint i)
{
  g_return_if_fail (prefetch != NULL && i < prefetch->n);
  g_mutex_lock (&prefetch->lock);
  while (prefetch->ready <= i)
    g_cond_wait (&prefetch->cond, &prefetch->lock);
  g_mutex_unlock (&prefetch->lock);
}

void
shardpix_prefetch_free (ShardpixPrefetch *prefetch)
{
  if (prefetch == NULL)
    return;
  g_mutex_lock (&prefetch->lock);
  g_atomic_int_set (&prefetch->stopping, TRUE);
  g_cond_broadcast (&prefetch->cond);
  g_mutex_unlock (&prefetch->lock);
  g_thread_join (prefetch->thread);
  for (guint i = prefetch->taken; i < prefetch->ready; i++)
    prefetch_slot_close (&prefetch->ring[i % prefetch->depth]);
  g_mutex_clear (&prefetch->lock);
  g_cond_clear (&prefetch->cond);
  g_free (prefetch->ring);
  g_free (prefetch);
}
