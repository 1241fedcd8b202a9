/* `shardpix worker`: what the supervisor execs. Hidden from --help: its
 * interface is the protocol in lib/shardpix/protocol.h, not a user's command line. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "cmd.h"
#include "shardpix/folders.h"
#include "shardpix/job.h"
#include "shardpix/options.h"
#include "shardpix/report-json.h"
#include "shardpix/worker.h"

/* Records go to a private copy of stdout; the real stdout becomes
 * /dev/null, so that nothing a library prints can corrupt the stream. */
static int
worker_take_stdout (void)
{
  int out = fcntl (STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
  int null = open ("/dev/null", O_WRONLY | O_CLOEXEC);

  if (out < 0 || null < 0 || dup2 (null, STDOUT_FILENO) < 0)
    return -1;
  close (null);
  return out;
}

/* What this worker parsed from its argv, for G_MESSAGES_DEBUG=shardpix:
 * the test of the option table compares it with the run's report. On
 * stderr, as stdout carries the records. */
static void
worker_echo_settings (const ShardpixJob *job)
{
  g_autofree char *settings = NULL;

  if (!g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN))
    {
      settings = shardpix_report_json_job (job);
      g_log_writer_default_set_use_stderr (TRUE);
      g_debug ("worker %d settings: %s", (int) getpid (), settings);
    }
}

int
cmd_worker (int argc, char **argv)
{
  g_auto (ShardpixJob) job = { 0 };
  g_autoptr (GOptionContext) context = g_option_context_new ("INPUT_DIR OUTPUT_DIR");
  g_autoptr (GError) error = NULL;
  int out_fd;

  shardpix_job_init (&job);
  g_option_context_add_group (context, shardpix_options_group (&job, SHARDPIX_COMMAND_WORKER));
  if (!cmd_parse (context, &argc, &argv))
    return SHARDPIX_WORKER_EXIT_USAGE;
  if (argc != 3)
    {
      cmd_fail (0, "worker: needs INPUT_DIR OUTPUT_DIR");
      return SHARDPIX_WORKER_EXIT_USAGE;
    }
  job.input_dir = g_strdup (argv[1]);
  job.output_dir = g_strdup (argv[2]);
  /* Defence in depth: whoever started us checked the job and the layout
   * already. */
  if (!shardpix_job_finish_options (&job, &error)
      || !shardpix_folders_check (job.input_dir, job.output_dir, &error))
    {
      cmd_fail (0, "worker: %s", error->message);
      return SHARDPIX_WORKER_EXIT_USAGE;
    }
  worker_echo_settings (&job);

  shardpix_worker_install_signal_handlers ();
  out_fd = worker_take_stdout ();
  if (out_fd < 0)
    {
      cmd_fail (0, "worker %d: cannot set up its output", (int) getpid ());
      return SHARDPIX_WORKER_EXIT_PROTOCOL;
    }
  cmd_quiet_vips_warnings ();
  if (!shardpix_worker_main (&job, "shardpix", STDIN_FILENO, out_fd, &error))
    cmd_fail (0, "worker %d: %s", (int) getpid (), error->message);
  close (out_fd);
  return shardpix_worker_exit_status (error);
}
