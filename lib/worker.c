#include "shardpix/worker.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "shardpix/error.h"
#include "shardpix/output.h"
#include "shardpix/pipeline.h"
#include "shardpix/prefetch.h"

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

/* Image @i of the list: taken read ahead from @prefetch when it was, else
 * opened here, so that its errors read exactly as without prefetch. */
static void
worker_process_one (const ShardpixJob *job, ShardpixPrefetch *prefetch, guint i, guint index,
                    const char *rel, gint64 started_us, ShardpixResultFunc func,
                    gpointer user_data, ShardpixRecord *done)
{
  g_autoptr (GError) error = NULL;
  ShardpixRecord result = { .type = SHARDPIX_RECORD_RESULT, .index = index };
  gint64 start = g_get_monotonic_time ();
  struct stat st;
  int fd = shardpix_prefetch_take (prefetch, i, &st);

  /* Every failure sets @error (one idiom), so the error is the outcome. */
  if (fd >= 0)
    shardpix_pipeline_process_opened (job, rel, index, fd, &st, &error);
  else
    shardpix_pipeline_process (job, rel, index, &error);
  shardpix_record_set_outcome (&result, error);
  result.start_us = start - started_us;
  result.wall_us = g_get_monotonic_time () - start;
  if (result.ok)
    done->n_ok++;
  else
    done->n_failed++;
  done->count++;
  func (&result, user_data);
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
    worker_process_one (job, prefetch, i, indexes[i], rels[i], started_us, func, user_data, done);
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

/* What the supervisor has granted: every file of every complete list, in
 * order, and the list still arriving. */
typedef struct {
  int fd;
  ShardpixDecoder *decoder;
  GArray *indexes;          /* guint, of the complete lists */
  GPtrArray *rels;
  GArray *pending_indexes;  /* the list being received */
  GPtrArray *pending_rels;
  gboolean more;            /* the last complete list ended with MORE */
} WorkerInput;

/* Reads until one more list is complete: FILE records up to END or MORE
 * (->more: a further grant follows). A list counts only when its END or
 * MORE arrives and its count matches: a supervisor that died mid-list must
 * not make us process half a shard and call it done. Without @block, stops
 * when nothing more can be read at once. Returns 1 when a list was
 * completed, 0 when not yet (only without @block), -1 on error. */
static int
worker_input_read (WorkerInput *in, gboolean block, GError **error)
{
  guint8 chunk[65536];

  for (;;)
    {
      g_auto (ShardpixRecord) record = { 0 };
      struct pollfd ready = { in->fd, POLLIN, 0 };
      ssize_t got;

      if (!shardpix_decoder_next (in->decoder, &record, error))
        return -1;
      if (record.type == SHARDPIX_RECORD_FILE)
        {
          g_array_append_val (in->pending_indexes, record.index);
          g_ptr_array_add (in->pending_rels, g_steal_pointer (&record.text));
          continue;
        }
      if (record.type == SHARDPIX_RECORD_END || record.type == SHARDPIX_RECORD_MORE)
        {
          in->more = record.type == SHARDPIX_RECORD_MORE;
          if (record.count != in->pending_rels->len)
            {
              g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_PROTOCOL,
                           "file list says %u files but holds %u", record.count,
                           in->pending_rels->len);
              return -1;
            }
          g_array_append_vals (in->indexes, in->pending_indexes->data,
                               in->pending_indexes->len);
          for (guint i = 0; i < in->pending_rels->len; i++)
            g_ptr_array_add (in->rels, g_steal_pointer (&in->pending_rels->pdata[i]));
          g_array_set_size (in->pending_indexes, 0);
          g_ptr_array_set_size (in->pending_rels, 0);
          return 1;
        }
      if (record.type != SHARDPIX_RECORD_NONE)
        {
          g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_PROTOCOL,
                       "unexpected record type %d in the file list", record.type);
          return -1;
        }

      if (!block && poll (&ready, 1, 0) == 0)
        return 0;
      got = read (in->fd, chunk, sizeof chunk);
      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        return shardpix_error_errno (errno, error, "cannot read the file list"), -1;
      if (got == 0)
        {
          g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_PROTOCOL,
                       "file list ended after %u files without its END record",
                       in->rels->len + in->pending_rels->len);
          return -1;
        }
      shardpix_decoder_feed (in->decoder, chunk, (gsize) got);
    }
}

/* Gives *@error (set by the failing call) the @code that says which part
 * of the worker's life failed, keeping its message. Returns FALSE. */
static gboolean
worker_fail (GError **error, ShardpixError code)
{
  if (error != NULL && *error != NULL
      && !((*error)->domain == SHARDPIX_ERROR && (*error)->code == (int) code))
    {
      GError *coded = g_error_new_literal (SHARDPIX_ERROR, code, (*error)->message);

      g_clear_error (error);
      *error = coded;
    }
  return FALSE;
}

int
shardpix_worker_main (const ShardpixJob *job, const char *argv0, int in_fd, int out_fd,
                      GError **error)
{
  g_autoptr (GArray) indexes = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr (GPtrArray) rels = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) pending_indexes = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr (GPtrArray) pending_rels = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GByteArray) buffer = g_byte_array_new ();
  g_autoptr (ShardpixDecoder) decoder = shardpix_decoder_new ();
  g_autoptr (ShardpixPrefetch) prefetch = NULL;
  WorkerInput in = { in_fd, decoder, indexes, rels, pending_indexes, pending_rels, TRUE };
  WorkerSink sink = { .fd = out_fd, .buffer = buffer };
  g_auto (ShardpixRecord) done = { .type = SHARDPIX_RECORD_DONE };
  gint64 started_us = g_get_monotonic_time ();
  gint64 init_us;

  if (!shardpix_pipeline_init (argv0, job->threads, error))
    return worker_fail (error, SHARDPIX_ERROR_WORKER);
  init_us = g_get_monotonic_time () - started_us;

  if (worker_input_read (&in, TRUE, error) < 0)
    return worker_fail (error, SHARDPIX_ERROR_PROTOCOL);
  prefetch = shardpix_prefetch_new (job, (const char *const *) rels->pdata, rels->len,
                                    (guint) job->prefetch);
  /* One list of all the grants: a grant the supervisor sent ahead (see
   * ShardpixSupervisorConfig.grant_ahead) is taken in as soon as it is
   * whole, so that the prefetch thread reads on across the boundary. */
  for (guint i = 0; i < rels->len || in.more; )
    {
      int got = 0;

      if (in.more)
        got = worker_input_read (&in, i == rels->len, error);
      if (got < 0)
        return worker_fail (error, SHARDPIX_ERROR_PROTOCOL);
      if (got > 0)
        shardpix_prefetch_extend (prefetch, (const char *const *) rels->pdata, rels->len);
      if (i == rels->len)
        continue;
      worker_process_one (job, prefetch, i, g_array_index (indexes, guint, i),
                          g_ptr_array_index (rels, i), started_us, worker_send_result, &sink,
                          &done);
      i++;
      if (sink.error != NULL)
        {
          g_propagate_error (error, sink.error);
          return worker_fail (error, SHARDPIX_ERROR_PROTOCOL);
        }
    }
  done.wall_us = g_get_monotonic_time () - started_us;
  done.init_us = (guint64) init_us;
  worker_send_result (&done, &sink);
  if (sink.error != NULL)
    {
      g_propagate_error (error, sink.error);
      return worker_fail (error, SHARDPIX_ERROR_PROTOCOL);
    }
  return TRUE;
}

ShardpixWorkerExit
shardpix_worker_exit_status (const GError *error)
{
  if (error == NULL)
    return SHARDPIX_WORKER_EXIT_DONE;
  if (g_error_matches (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE))
    return SHARDPIX_WORKER_EXIT_USAGE;
  if (g_error_matches (error, SHARDPIX_ERROR, SHARDPIX_ERROR_WORKER))
    return SHARDPIX_WORKER_EXIT_INIT;
  return SHARDPIX_WORKER_EXIT_PROTOCOL;
}
