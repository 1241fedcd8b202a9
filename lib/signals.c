#include "shardpix/signals.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "shardpix/error.h"

static int signals_pipe[2] = { -1, -1 };
static const int signals_caught[] = { SIGCHLD, SIGINT, SIGTERM, SIGHUP };

G_STATIC_ASSERT (G_N_ELEMENTS (signals_caught) == G_N_ELEMENTS (((ShardpixSignals *) 0)->saved));

static void
signals_on_signal (int signo)
{
  int errsv = errno;
  unsigned char byte = (unsigned char) signo;

  if (write (signals_pipe[1], &byte, 1) < 0)
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

  if (pipe2 (signals_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
    return shardpix_error_errno (errno, error, "cannot create signal pipe");
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
  return TRUE;
}

void
shardpix_signals_restore (const ShardpixSignals *signals)
{
  for (guint i = 0; i < G_N_ELEMENTS (signals_caught); i++)
    sigaction (signals_caught[i], &signals->saved[i], NULL);
  sigaction (SIGPIPE, &signals->saved_pipe, NULL);
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
