/* Starting a worker: the only place that calls fork() and exec().
 *
 * How a caller runs a child:
 *  1. Build the whole argv (and environment) first: between fork() and
 *     exec() the child only calls dup2(), close(), sigaction(),
 *     sigprocmask(), prctl(), setrlimit(), execve(), write() and _exit(),
 *     nothing that may allocate or take a lock.
 *  2. shardpix_spawn_start() creates two pipes: the child reads its input on
 *     its stdin and writes its records on its stdout; stderr is shared with
 *     the caller so that a crashing worker's last words reach the user.
 *     Every descriptor it creates is close-on-exec, so no child inherits
 *     another child's pipes.
 *  3. It returns once exec() has succeeded: a close-on-exec pipe tells the
 *     parent (EOF means exec worked; four bytes are the child's errno).
 *  4. The caller owns to_child and from_child (non-blocking) and closes
 *     them; it reaps the child with shardpix_spawn_reap().
 * The child is asked to die with SIGTERM if the caller dies first. */
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  pid_t pid;
  int to_child;      /* write end of the child's stdin */
  int from_child;    /* read end of the child's stdout */
  gint64 started_us; /* g_get_monotonic_time() just before fork() */
} ShardpixChild;

typedef struct {
  const char *const *envp; /* the child's environment; NULL: the caller's */
  rlim_t max_address_space; /* RLIMIT_AS in bytes; 0: left as it is */
  gboolean quiet_stderr;    /* the child's stderr to /dev/null, not shared */
} ShardpixSpawnLimits;

/* @limits may be NULL. A limit on the address space turns a decompression
 * bomb into a failed allocation in the child instead of the machine's
 * OOM killer picking a victim. */
gboolean shardpix_spawn_start (const char *const *argv, const ShardpixSpawnLimits *limits,
                               ShardpixChild *child, GError **error);

/* wait4() for @pid, retried on EINTR. With @block FALSE returns TRUE and
 * *@reaped FALSE when the child is still running. */
gboolean shardpix_spawn_reap (pid_t pid, gboolean block, gboolean *reaped, int *status,
                              struct rusage *usage, GError **error);

/* Reads @fd (a child's non-blocking stdout) to its end and drops what it
 * read: a child that prints must not block on a full pipe. */
void shardpix_spawn_drain (int fd);

/* A rusage time in seconds. */
double shardpix_spawn_seconds (const struct timeval *tv);

/* The exit code a shell would show: the code, or 128 + the signal. */
int shardpix_spawn_exit_code (int status);

/* "exit 0", "exit 4", "killed by SIGKILL", ... */
char *shardpix_spawn_describe_status (int status);

G_END_DECLS
