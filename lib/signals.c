#include "shardpix/signals.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "shardpix/error.h"

static int signals_pipe[2] = { -1, -1 };
/* The handler's only datum: set before the handlers are installed and
 * cleared after they are restored, read atomically in signal context. */
static volatile sig_atomic_t signals_write_fd = -1;
static const int signals_caught[] = { SIGCHLD, SIGINT, SIGTERM, SIGHUP };

G_STATIC_ASSERT (G_N_ELEMENTS (signals_caught) == G_N_ELEMENTS (((ShardpixSignals *) 0)->saved));

/* Async-signal-safe: write() alone (POSIX lists it), errno kept, nothing
 * allocated or locked. */
static void
signals_on_signal (int signo)
{
  int errsv = errno;
  unsigned char byte = (unsigned char) signo;

  if (write (signals_write_fd, &byte, 1) < 0)
    {
      /* The pipe is full: enough wake-ups are already queued. */
    }
  errno = errsv;
}

gboolean
shardpix_signals_install (ShardpixSignals *signals, GError **error)
{
  struct sigaction action;
  struct sigaction ignore;
  sigset_t child;

  if (pipe2 (signals_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
    return shardpix_error_errno (errno, error, "cannot create signal pipe");
  signals_write_fd = signals_pipe[1];
  memset (&action, 0, sizeof action);
  action.sa_handler = signals_on_signal;
  action.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  sigemptyset (&action.sa_mask);
  for (guint i = 0; i < G_N_ELEMENTS (signals_caught); i++)
    sigaction (signals_caught[i], &action, &signals->saved[i]);
  memset (&ignore, 0, sizeof ignore);
  ignore.sa_handler = SIG_IGN;
  sigemptyset (&ignore.sa_mask);
  sigaction (SIGPIPE, &ignore, &signals->saved_pipe);
  /* The supervisor reaps only when SIGCHLD says so: a caller that blocked
   * it would leave the loop asleep beside its dead workers. */
  sigemptyset (&child);
  sigaddset (&child, SIGCHLD);
  pthread_sigmask (SIG_UNBLOCK, &child, &signals->saved_mask);
  return TRUE;
}

void
shardpix_signals_restore (const ShardpixSignals *signals)
{
  for (guint i = 0; i < G_N_ELEMENTS (signals_caught); i++)
    sigaction (signals_caught[i], &signals->saved[i], NULL);
  sigaction (SIGPIPE, &signals->saved_pipe, NULL);
  pthread_sigmask (SIG_SETMASK, &signals->saved_mask, NULL);
  signals_write_fd = -1;
  close (signals_pipe[0]);
  close (signals_pipe[1]);
  signals_pipe[0] = signals_pipe[1] = -1;
}

int
shardpix_signals_fd (void)
{
  return signals_pipe[0];
}

int
shardpix_signals_next (void)
{
  unsigned char byte;

  return read (signals_pipe[0], &byte, 1) == 1 ? byte : 0;
}
