#include "shardpix/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shardpix/error.h"

/* Moves @fd onto @target in the child. dup2() onto itself would keep the
 * close-on-exec flag, so that case clears the flag instead. */
static int
spawn_child_move_fd (int fd, int target)
{
  if (fd == target)
    return fcntl (fd, F_SETFD, 0);
  return dup2 (fd, target) < 0 ? -1 : 0;
}

/* Runs in the child between fork() and exec(): async-signal-safe calls
 * only. Never returns. */
static void G_GNUC_NORETURN
spawn_child (const char *const *argv, const char *const *envp, rlim_t max_as, int in_fd,
             int out_fd, int err_fd, int report_fd)
{
  struct sigaction dfl;
  sigset_t none;
  int errsv;

  /* The supervisor ignores SIGPIPE and catches the stop signals; a worker
   * starts with the defaults, and exec() keeps ignored signals ignored. */
  memset (&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigaction (SIGPIPE, &dfl, NULL);
  sigaction (SIGINT, &dfl, NULL);
  sigaction (SIGTERM, &dfl, NULL);
  sigaction (SIGHUP, &dfl, NULL);
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  prctl (PR_SET_PDEATHSIG, SIGTERM);
  if (max_as > 0)
    {
      struct rlimit limit = { max_as, max_as };

      if (setrlimit (RLIMIT_AS, &limit) != 0)
        goto fail;
    }

  /* stdout first: in_fd could be 1 and out_fd 0 only if the parent had
   * both closed, and then each move still lands on a free slot. */
  if (out_fd == 0)
    {
      out_fd = fcntl (out_fd, F_DUPFD_CLOEXEC, 3);
      if (out_fd < 0)
        goto fail;
    }
  if (spawn_child_move_fd (in_fd, 0) != 0 || spawn_child_move_fd (out_fd, 1) != 0
      || (err_fd >= 0 && spawn_child_move_fd (err_fd, 2) != 0))
    goto fail;
  execve (argv[0], (char *const *) argv, (char *const *) envp);

fail:
  errsv = errno;
  while (write (report_fd, &errsv, sizeof errsv) < 0 && errno == EINTR)
    ;
  _exit (127);
}

static void
spawn_close (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

/* *@fd becomes @copy, the old one closed; -1 when @copy failed. */
static int
spawn_replace_fd (int *fd, int copy)
{
  spawn_close (fd);
  *fd = copy;
  return copy;
}

gboolean
shardpix_spawn_start (const char *const *argv, const ShardpixSpawnLimits *limits,
                      ShardpixChild *child, GError **error)
{
  const char *const *envp = limits && limits->envp ? limits->envp
                                                   : (const char *const *) environ;
  rlim_t max_as = limits ? limits->max_address_space : 0;
  int in_pipe[2] = { -1, -1 }, out_pipe[2] = { -1, -1 }, report[2] = { -1, -1 };
  int err_fd = -1;
  int child_errno = 0;
  ssize_t got;
  pid_t pid;

  g_return_val_if_fail (argv != NULL && argv[0] != NULL, FALSE);

  if (pipe2 (in_pipe, O_CLOEXEC) != 0 || pipe2 (out_pipe, O_CLOEXEC) != 0
      || pipe2 (report, O_CLOEXEC) != 0)
    {
      shardpix_error_errno (errno, error, "cannot create pipes for a worker");
      goto fail;
    }
  /* Above 2, so that moving stdin and stdout first cannot overwrite it. */
  if (limits != NULL && limits->quiet_stderr
      && ((err_fd = open ("/dev/null", O_WRONLY | O_CLOEXEC)) < 0
          || spawn_replace_fd (&err_fd, fcntl (err_fd, F_DUPFD_CLOEXEC, 3)) < 0))
    {
      shardpix_error_errno (errno, error, "cannot open /dev/null for a child");
      goto fail;
    }

  child->started_us = g_get_monotonic_time ();
  pid = fork ();
  if (pid < 0)
    {
      shardpix_error_errno (errno, error, "cannot fork a worker");
      goto fail;
    }
  if (pid == 0)
    spawn_child (argv, envp, max_as, in_pipe[0], out_pipe[1], err_fd, report[1]);

  spawn_close (&err_fd);
  spawn_close (&in_pipe[0]);
  spawn_close (&out_pipe[1]);
  spawn_close (&report[1]);
  do
    got = read (report[0], &child_errno, sizeof child_errno);
  while (got < 0 && errno == EINTR);
  spawn_close (&report[0]);
  if (got > 0)
    {
      int status;

      while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
        ;
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_WORKER, "cannot run worker %s: %s",
                   argv[0], g_strerror (got == sizeof child_errno ? child_errno : EIO));
      goto fail;
    }

  fcntl (in_pipe[1], F_SETFL, O_NONBLOCK);
  fcntl (out_pipe[0], F_SETFL, O_NONBLOCK);
  child->pid = pid;
  child->to_child = in_pipe[1];
  child->from_child = out_pipe[0];
  return TRUE;

fail:
  spawn_close (&err_fd);
  spawn_close (&in_pipe[0]);
  spawn_close (&in_pipe[1]);
  spawn_close (&out_pipe[0]);
  spawn_close (&out_pipe[1]);
  spawn_close (&report[0]);
  spawn_close (&report[1]);
  return FALSE;
}

gboolean
shardpix_spawn_reap (pid_t pid, gboolean block, gboolean *reaped, int *status,
                     struct rusage *usage, GError **error)
{
  pid_t got;

  do
    got = wait4 (pid, status, block ? 0 : WNOHANG, usage);
  while (got < 0 && errno == EINTR);
  if (got < 0)
    return shardpix_error_errno (errno, error, "cannot wait for worker %d", (int) pid);
  *reaped = got == pid;
  return TRUE;
}

int
shardpix_spawn_exit_code (int status)
{
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return WEXITSTATUS (status);
}

char *
shardpix_spawn_describe_status (int status)
{
  if (WIFSIGNALED (status))
    {
      g_autofree char *name = g_strdup (sigabbrev_np (WTERMSIG (status)));

      return g_strdup_printf ("killed by SIG%s%s", name ? name : "?",
                              WCOREDUMP (status) ? " (core dumped)" : "");
    }
  return g_strdup_printf ("exit %d", WEXITSTATUS (status));
}

void
shardpix_spawn_drain (int fd)
{
  struct pollfd pfd = { .fd = fd, .events = POLLIN };
  char buffer[4096];

  for (;;)
    {
      ssize_t got = read (fd, buffer, sizeof buffer);

      if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN))
        return;
      if (got < 0 && errno == EAGAIN && poll (&pfd, 1, -1) < 0 && errno != EINTR)
        return;
    }
}

double
shardpix_spawn_seconds (const struct timeval *tv)
{
  return tv->tv_sec + tv->tv_usec / 1e6;
}
