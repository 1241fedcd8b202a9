#include "prefetch.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "pipeline.h"

/* What one read-ahead file left for the decoder: fd -1 when it could not be
 * opened or read. */
typedef struct {
  int fd;
  struct stat st;
} PrefetchSlot;

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

/* Reads @fd through to its end, so that the decoder finds every byte
 * already fetched, then rewinds it. FALSE on a read error or when asked
 * to stop, leaving the file to be opened again normally. */
static gboolean
prefetch_read_through (ShardpixPrefetch *prefetch, int fd, char *buffer)
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
      if (g_atomic_int_get (&prefetch->stopping))
        return FALSE;
    }
  return lseek (fd, 0, SEEK_SET) == 0;
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

  for (guint i = 0; i < prefetch->n; i++)
    {
      PrefetchSlot slot = { -1 };
      gboolean stop;

      g_mutex_lock (&prefetch->lock);
      PREFETCH_WAIT_WHILE (prefetch, i >= prefetch->taken + prefetch->depth);
      stop = prefetch->stopping;
      g_mutex_unlock (&prefetch->lock);
      if (stop)
        break;

      /* The pipeline's own open: every check an input gets applies here. */
      slot.fd = shardpix_pipeline_open_input (prefetch->job, prefetch->rels[i], &slot.st, NULL);
      if (slot.fd >= 0)
        {
          /* A file larger than what may be ahead waits until it is next. */
          g_mutex_lock (&prefetch->lock);
          PREFETCH_WAIT_WHILE (prefetch,
                               prefetch->bytes_ahead > 0
                                 && prefetch->bytes_ahead + (guint64) slot.st.st_size
                                      > SHARDPIX_PREFETCH_MAX_BYTES);
          g_mutex_unlock (&prefetch->lock);
          if (!prefetch_read_through (prefetch, slot.fd, buffer))
            {
              close (slot.fd);
              slot.fd = -1;
            }
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

  if (depth == 0 || n == 0)
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
   * place is still this one; fstat then gives its size now. */
  path = g_build_filename (prefetch->job->input_dir, prefetch->rels[i], NULL);
  if (stat (path, &now) != 0 || now.st_dev != slot.st.st_dev || now.st_ino != slot.st.st_ino
      || fstat (slot.fd, st) != 0)
    {
      close (slot.fd);
      return -1;
    }
  return slot.fd;
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
    if (prefetch->ring[i % prefetch->depth].fd >= 0)
      close (prefetch->ring[i % prefetch->depth].fd);
  g_mutex_clear (&prefetch->lock);
  g_cond_clear (&prefetch->cond);
  g_free (prefetch->ring);
  g_free (prefetch);
}
