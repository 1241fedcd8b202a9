/* The supervisor's signals as poll() events: SIGCHLD, SIGINT, SIGTERM and
 * SIGHUP become bytes on a self-pipe that the poll loop reads, so the
 * handler does no work and nothing unsafe runs in signal context. SIGPIPE
 * is ignored: a worker that dies while we write its list must not kill us.
 * SIGCHLD is what wakes the supervisor to reap, so it is unblocked in the
 * calling thread while the set is installed.
 * One set per process. */
#pragma once

#include <signal.h>

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  struct sigaction saved[4];
  struct sigaction saved_pipe;
  sigset_t saved_mask; /* the calling thread's, SIGCHLD unblocked meanwhile */
} ShardpixSignals;

gboolean shardpix_signals_install (ShardpixSignals *signals, GError **error);
void shardpix_signals_restore (const ShardpixSignals *signals);

/* The read end of the self-pipe, for poll(). */
int shardpix_signals_fd (void);

/* The next signal caught, or 0 when none is pending. */
int shardpix_signals_next (void);

G_END_DECLS
