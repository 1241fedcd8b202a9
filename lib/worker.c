#include "worker.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "output.h"
#include "pipeline.h"
#include "prefetch.h"

static void
worker_on_signal (int signo)
{
  shardpix_output_unlink_temps ();
  _exit (128 + signo);
}

void
shardpix_worker_install_signal_handlers (void)
{
  struct sigaction action;

  memset (&action, 0, sizeof action);
  action.sa_handler = worker_on_signal;
  sigemptyset (&action.sa_mask);
  sigaction (SIGINT, &action, NULL);
  sigaction (SIGTERM, &action, NULL);
  sigaction (SIGHUP, &action, NULL);
}

void
shardpix_worker_process (const ShardpixJob *job, const guint *indexes,
                         const char *const *rels, guint n, gint64 started_us,
                         ShardpixResultFunc func, gpointer user_data,
                         ShardpixRecord *done)
{
  g_autoptr (ShardpixPrefetch) prefetch = shardpix_prefetch_new (job, rels, n,
                                                                 (guint) job->prefetch);

  memset (done, 0, sizeof *done);
  done->type = SHARDPIX_RECORD_DONE;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GError) error = NULL;
      ShardpixRecord result = { .type = SHARDPIX_RECORD_RESULT, .index = indexes[i] };
      gint64 start = g_get_monotonic_time ();
      struct stat st;
      int fd = shardpix_prefetch_take (prefetch, i, &st);

      /* Not read ahead (or no longer the same file): opened here, so that
       * its errors read exactly as without prefetch. */
      result.ok = fd >= 0 ? shardpix_pipeline_process_opened (job, rels[i], indexes[i], fd, &st,
                                                              &error)
                          : shardpix_pipeline_process (job, rels[i], indexes[i], &error);
      result.start_us = start - started_us;
      result.wall_us = g_get_monotonic_time () - start;
      if (error != NULL)
        {
          result.text = error->message;
          result.text_len = strlen (error->message);
        }
      if (result.ok)
        done->n_ok++;
      else
        done->n_failed++;
      done->count++;
      func (&result, user_data);
    }
  done->wall_us = g_get_monotonic_time () - started_us;
}

static gboolean
worker_write_all (int fd, const guint8 *data, gsize len, GError **error)
{
  while (len > 0)
    {
      ssize_t wrote = write (fd, data, len);

      if (wrote < 0 && errno == EINTR)
        continue;
      if (wrote < 0)
        return shardpix_error_errno (errno, error, "cannot send results");
      data += wrote;
      len -= (gsize) wrote;
    }
  return TRUE;
}

typedef struct {
  int fd;
  GByteArray *buffer;
  GError *error; /* the first write failure; later results are dropped */
} WorkerSink;

static void
worker_send_result (const ShardpixRecord *result, gpointer data)
{
  WorkerSink *sink = data;

  if (sink->error != NULL)
    return;
  g_byte_array_set_size (sink->buffer, 0);
  shardpix_protocol_encode (sink->buffer, result);
  worker_write_all (sink->fd, sink->buffer->data, sink->buffer->len, &sink->error);
}

/* Reads FILE records up to END or MORE (*@more: a further grant follows).
 * The list is complete only when END arrives and its count matches: a
 * supervisor that died mid-list must not make us process half a shard and
 * call it done. */
static gboolean
worker_read_list (int fd, ShardpixDecoder *decoder, GArray *indexes, GPtrArray *rels,
                  gboolean *more, GError **error)
{
  guint8 chunk[65536];

  for (;;)
    {
      g_auto (ShardpixRecord) record = { 0 };
      ssize_t got;

      if (!shardpix_decoder_next (decoder, &record, error))
        return FALSE;
      if (record.type == SHARDPIX_RECORD_FILE)
        {
          g_array_append_val (indexes, record.index);
          g_ptr_array_add (rels, g_steal_pointer (&record.text));
          continue;
        }
      if (record.type == SHARDPIX_RECORD_END || record.type == SHARDPIX_RECORD_MORE)
        {
          *more = record.type == SHARDPIX_RECORD_MORE;
          if (record.count != rels->len)
            {
              g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_PROTOCOL,
                           "file list says %u files but holds %u", record.count,
                           rels->len);
              return FALSE;
            }
          return TRUE;
        }
      if (record.type != SHARDPIX_RECORD_NONE)
        {
          g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_PROTOCOL,
                       "unexpected record type %d in the file list", record.type);
          return FALSE;
        }

      got = read (fd, chunk, sizeof chunk);
      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        return shardpix_error_errno (errno, error, "cannot read the file list");
      if (got == 0)
        {
          g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_PROTOCOL,
                       "file list ended after %u files without its END record",
                       rels->len);
          return FALSE;
        }
      shardpix_decoder_feed (decoder, chunk, (gsize) got);
    }
}

int
shardpix_worker_main (const ShardpixJob *job, const char *argv0, int in_fd, int out_fd,
                      GError **error)
{
  g_autoptr (GArray) indexes = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr (GPtrArray) rels = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GByteArray) buffer = g_byte_array_new ();
  g_autoptr (ShardpixDecoder) decoder = shardpix_decoder_new ();
  WorkerSink sink = { .fd = out_fd, .buffer = buffer };
  g_auto (ShardpixRecord) done = { 0 };
  gint64 started_us = g_get_monotonic_time ();
  gint64 init_us;

  if (!shardpix_pipeline_init (argv0, job->threads, error))
    return SHARDPIX_WORKER_EXIT_INIT;
  init_us = g_get_monotonic_time () - started_us;

  done.type = SHARDPIX_RECORD_DONE;
  for (gboolean more = TRUE; more;)
    {
      ShardpixRecord grant_done;

      g_array_set_size (indexes, 0);
      g_ptr_array_set_size (rels, 0);
      if (!worker_read_list (in_fd, decoder, indexes, rels, &more, error))
        return SHARDPIX_WORKER_EXIT_PROTOCOL;
      shardpix_worker_process (job, (const guint *) indexes->data,
                               (const char *const *) rels->pdata, rels->len, started_us,
                               worker_send_result, &sink, &grant_done);
      if (sink.error != NULL)
        {
          g_propagate_error (error, sink.error);
          return SHARDPIX_WORKER_EXIT_PROTOCOL;
        }
      done.count += grant_done.count;
      done.n_ok += grant_done.n_ok;
      done.n_failed += grant_done.n_failed;
      done.wall_us = grant_done.wall_us;
    }
  done.init_us = (guint64) init_us;
  worker_send_result (&done, &sink);
  if (sink.error != NULL)
    {
      g_propagate_error (error, sink.error);
      return SHARDPIX_WORKER_EXIT_PROTOCOL;
    }
  return SHARDPIX_WORKER_EXIT_DONE;
}
