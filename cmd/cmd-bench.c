/* shardpix bench: parses its options, runs lib/bench-run (the same job as
 * `run`, timed as a serial baseline and for several worker counts) and
 * prints the table and the reports. */
#include <stdio.h>
#include <unistd.h>

#include "cmd.h"
#include "shardpix/bench-run.h"
#include "shardpix/error.h"
#include "shardpix/options.h"

typedef struct {
  ShardpixJob job;
  char *jobs_list;
  char *modes;
  int repeat;
  int shards;
  gboolean recursive;
  char *json_path;
  char *svg_path;
  CmdSlice slice;
} BenchOptions;

/* "1,2,4": each 1 to 4096. */
static GArray *
bench_parse_jobs_list (const char *text, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (text, ",", -1);
  g_autoptr (GArray) list = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; parts[i] != NULL; i++)
    {
      guint64 value;

      if (!g_ascii_string_to_unsigned (g_strstrip (parts[i]), 10, 1, 4096, &value, NULL))
        {
          g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
                       "invalid --jobs-list '%s': expected counts 1 to 4096 separated by commas",
                       text);
          return NULL;
        }
      g_array_append_vals (list, &(guint) { (guint) value }, 1);
    }
  if (list->len == 0)
    {
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE, "empty --jobs-list");
      return NULL;
    }
  return g_steal_pointer (&list);
}

/* 1, 2, 4, ... up to twice the CPUs (and twice the CPUs itself). */
static GArray *
bench_default_jobs_list (guint cpus)
{
  GArray *list = g_array_new (FALSE, FALSE, sizeof (guint));
  guint p;

  for (p = 1; p <= 2 * cpus; p *= 2)
    g_array_append_val (list, p);
  if (p / 2 != 2 * cpus)
    g_array_append_vals (list, &(guint) { 2 * cpus }, 1);
  return list;
}

/* "serial,processes,threads,vips-threads", as a bit set of ShardpixMode. */
static gboolean
bench_parse_modes (const char *text, guint *modes, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (text, ",", -1);

  *modes = 0;
  for (guint i = 0; parts[i] != NULL; i++)
    {
      ShardpixMode mode;

      if (!shardpix_mode_parse (g_strstrip (parts[i]), &mode))
        {
          g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
                       "invalid --modes '%s': expected serial, processes, threads, "
                       "vips-threads separated by commas", text);
          return FALSE;
        }
      *modes |= 1u << mode;
    }
  return TRUE;
}

/* One line on a terminal, rewritten for each pass. */
static void
bench_progress (const char *name, guint pass, guint total, guint round, gpointer user_data)
{
  const BenchOptions *options = user_data;

  fprintf (stderr, "\r\033[Kbench: pass %u/%u: %s (round %u of %d)", pass, total, name,
           round + 1, options->repeat);
}

static int
bench_main (BenchOptions *options)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) jobs_list = NULL;
  g_autoptr (ShardpixRun) listed = NULL;
  g_autoptr (ShardpixBenchResults) results = NULL;
  g_autofree char *table = NULL;
  g_autofree char *self = NULL;
  guint cpus = g_get_num_processors ();
  gboolean progress = isatty (STDERR_FILENO);
  ShardpixReportSettings settings = { &options->job, 0, (guint) options->shards,
                                      options->recursive };
  ShardpixBenchPlan plan = {
    .job = &options->job,
    .recursive = options->recursive,
    .slice = options->slice.set ? &options->slice.slice : NULL,
    .slice_balance = options->slice.balance,
    .shards = (guint) options->shards,
    .repeat = (guint) options->repeat,
    .modes = 1u << SHARDPIX_MODE_PROCESSES,
    .on_pass = progress ? bench_progress : NULL,
    .user_data = options,
  };

  if (options->modes != NULL && !bench_parse_modes (options->modes, &plan.modes, &error))
    return cmd_fail (CMD_EXIT_USAGE, "%s", error->message);
  jobs_list = options->jobs_list ? bench_parse_jobs_list (options->jobs_list, &error)
                                 : bench_default_jobs_list (cpus);
  if (jobs_list == NULL)
    return cmd_fail (CMD_EXIT_USAGE, "%s", error->message);
  plan.jobs_list = jobs_list;
  for (guint i = 0; i < jobs_list->len; i++)
    settings.jobs = MAX (settings.jobs, g_array_index (jobs_list, guint, i));
  self = g_file_read_link ("/proc/self/exe", &error);
  if (self == NULL)
    return cmd_fail (CMD_EXIT_WORKER, "cannot find own executable: %s", error->message);
  plan.self = self;

  results = shardpix_bench_run (&plan, &listed, &error);
  if (progress)
    fputs ("\r\033[K", stderr);
  if (results == NULL)
    return cmd_fail (shardpix_error_exit_status (error), "%s", error->message);

  settings.slice = listed->sliced ? &listed->slice_info : NULL;
  table = shardpix_bench_table (results);
  printf ("%u images in %s, %u CPUs, %d timed pass%s per configuration (median of them)\n",
          results->n_images, options->job.input_dir, cpus, options->repeat,
          options->repeat == 1 ? "" : "es");
  fputs (table, stdout);
  fflush (stdout);
  if (!cmd_report_write_bench (options->json_path, options->svg_path, &settings, results,
                               listed->listing->paths, options->repeat, cpus))
    return CMD_EXIT_WORKER;
  if (shardpix_bench_images_failed (results))
    return cmd_fail (CMD_EXIT_IMAGES, "some images failed in the timed passes (--json FILE names them)");
  return CMD_EXIT_OK;
}

int
cmd_bench (int argc, char **argv)
{
  BenchOptions options = { .repeat = 3 };
  const ShardpixOptionField fields[] = {
    SHARDPIX_OPTION_FIELD ("jobs-list", options.jobs_list),
    SHARDPIX_OPTION_FIELD ("modes", options.modes),
    SHARDPIX_OPTION_FIELD ("repeat", options.repeat),
    SHARDPIX_OPTION_FIELD ("shards", options.shards),
    SHARDPIX_OPTION_FIELD ("recursive", options.recursive),
    SHARDPIX_OPTION_FIELD ("json", options.json_path),
    SHARDPIX_OPTION_FIELD ("svg", options.svg_path),
    { NULL },
  };
  g_autoptr (GOptionContext) context =
    g_option_context_new ("INPUT_DIR - time serial against 1, 2, 4... worker processes");
  g_autoptr (GError) error = NULL;
  int status = CMD_EXIT_USAGE;

  shardpix_job_init (&options.job);
  shardpix_options_add_fields (context, SHARDPIX_COMMAND_BENCH, fields);
  g_option_context_add_group (context,
                              shardpix_options_group (&options.job, SHARDPIX_COMMAND_BENCH));
  cmd_slice_add_options (&options.slice, context);
  if (!cmd_parse (context, &argc, &argv))
    goto out;
  if (argc != 2)
    {
      cmd_fail (CMD_EXIT_USAGE, "bench needs INPUT_DIR (try --help)");
      goto out;
    }
  if (options.repeat < 1 || options.repeat > 1000 || options.shards < 0
      || options.shards > CMD_MAX_SHARDS)
    {
      cmd_fail (CMD_EXIT_USAGE, "--repeat must be 1 to 1000 and --shards 0 to %d",
                CMD_MAX_SHARDS);
      goto out;
    }
  options.job.input_dir = g_strdup (argv[1]);
  if (!shardpix_job_finish_options (&options.job, &error)
      || !cmd_slice_resolve (&options.slice, &error))
    {
      cmd_fail (CMD_EXIT_USAGE, "%s", error->message);
      goto out;
    }
  status = bench_main (&options);

out:
  shardpix_job_clear (&options.job);
  g_free (options.jobs_list);
  g_free (options.modes);
  g_free (options.json_path);
  g_free (options.svg_path);
  cmd_slice_clear (&options.slice);
  return status;
}
