/* The options of the commands themselves, beside the image options of
 * options.c: described here once each, bound to each command's fields in
 * cmd/ (shardpix_options_add_fields()). Ranges are checked by the
 * commands, whose messages name several options at once. */
#include <string.h>

#include "shardpix/options.h"

#define RUN SHARDPIX_COMMAND_RUN
#define PLAN SHARDPIX_COMMAND_PLAN
#define BENCH SHARDPIX_COMMAND_BENCH

/* In --help order: run's, then the slice and manifest options. */
static const ShardpixOption options_run[] = {
  { .long_name = "jobs", .short_name = 'j', .kind = SHARDPIX_OPTION_INT, .placeholder = "N",
    .help = "Worker processes at once (default: the number of CPUs)", .commands = RUN | PLAN,
    .json_members = "jobs" },
  { .long_name = "shards", .kind = SHARDPIX_OPTION_INT, .placeholder = "M",
    .help = "Cut the listing into M shards (default: N; with --balance dynamic, shrinking "
            "chunks)",
    .commands = RUN, .json_members = "shards" },
  { .long_name = "balance", .kind = SHARDPIX_OPTION_STRING, .placeholder = "HOW",
    .help = "count: equal-count shards; bytes: shards of equal bytes; dynamic: workers take "
            "the next files as they finish, costliest first (default)",
    .commands = RUN },
  { .long_name = "serial", .kind = SHARDPIX_OPTION_FLAG,
    .help = "Process everything in this process, no workers: the baseline (--mode serial)",
    .commands = RUN },
  { .long_name = "mode", .kind = SHARDPIX_OPTION_STRING, .placeholder = "MODE",
    .help = "processes (default): N worker processes; threads: N threads in this process; "
            "vips-threads: one image at a time, N libvips threads; serial",
    .commands = RUN },
  { .long_name = "recursive", .short_name = 'r', .kind = SHARDPIX_OPTION_FLAG,
    .help = "Walk subfolders and mirror them under OUTPUT_DIR", .commands = RUN,
    .json_members = "recursive" },
  { .long_name = "timeout", .kind = SHARDPIX_OPTION_INT, .placeholder = "SECONDS",
    .help = "Kill a worker that reports nothing for this long; its file is retried once "
            "(default 120, 0: never)",
    .commands = RUN },
  { .long_name = "max-memory", .kind = SHARDPIX_OPTION_INT64, .placeholder = "MB",
    .help = "Address-space limit of each worker (default 0: none)", .commands = RUN },
  { .long_name = "resume", .kind = SHARDPIX_OPTION_FLAG,
    .help = "Skip images whose output exists and is not older than the input",
    .commands = RUN },
  { .long_name = "quiet", .kind = SHARDPIX_OPTION_FLAG,
    .help = "Print only errors and the totals: no progress, no worker table", .commands = RUN },
  { .long_name = "verbose", .short_name = 'v', .kind = SHARDPIX_OPTION_FLAG,
    .help = "Print a line for each image", .commands = RUN },
  { .long_name = "report", .kind = SHARDPIX_OPTION_FILENAME, .placeholder = "FILE",
    .help = "Write the run as JSON: settings, every worker, every image's timing",
    .commands = RUN },
  { .long_name = "timeline", .kind = SHARDPIX_OPTION_FILENAME, .placeholder = "FILE",
    .help = "Write an SVG timeline: one row per worker, one bar per image", .commands = RUN },
  { .long_name = "worker-exe", .kind = SHARDPIX_OPTION_FILENAME, .placeholder = "PATH",
    .help = "Executable to run as worker (tests)", .commands = RUN, .hidden = TRUE },

  { .long_name = "shards", .kind = SHARDPIX_OPTION_INT, .placeholder = "M",
    .help = "Cut the listing into M shards (default: N)", .commands = PLAN },
  { .long_name = "recursive", .short_name = 'r', .kind = SHARDPIX_OPTION_FLAG,
    .help = "Walk subfolders too", .commands = PLAN },
  { .long_name = "json", .kind = SHARDPIX_OPTION_FLAG, .help = "Print JSON, for machines",
    .commands = PLAN },
  /* run's is an image option; plan opens no image but lists as run would. */
  { .long_name = "follow-symlinks", .kind = SHARDPIX_OPTION_FLAG,
    .help = "Count input symlinks that lead outside INPUT_DIR, as run --follow-symlinks "
            "reads them",
    .commands = PLAN },

  { .long_name = "jobs-list", .kind = SHARDPIX_OPTION_STRING, .placeholder = "N,N,...",
    .help = "Worker counts to time, e.g. 1,2,4 (default: 1, 2, 4, ... up to twice the CPUs)",
    .commands = BENCH },
  { .long_name = "modes", .kind = SHARDPIX_OPTION_STRING, .placeholder = "M,M,...",
    .help = "Ways to run the job, each timed for every N: serial (always), processes, "
            "threads, vips-threads (default: serial,processes)",
    .commands = BENCH },
  { .long_name = "repeat", .kind = SHARDPIX_OPTION_INT, .placeholder = "R",
    .help = "Timed passes of each configuration (default 3)", .commands = BENCH },
  { .long_name = "shards", .kind = SHARDPIX_OPTION_INT, .placeholder = "M",
    .help = "Cut the listing into M shards in every parallel pass (default: one per worker)",
    .commands = BENCH },
  { .long_name = "recursive", .short_name = 'r', .kind = SHARDPIX_OPTION_FLAG,
    .help = "Walk subfolders", .commands = BENCH },
  { .long_name = "json", .kind = SHARDPIX_OPTION_FILENAME, .placeholder = "FILE",
    .help = "Write every pass and every worker's record as JSON", .commands = BENCH },
  { .long_name = "svg", .kind = SHARDPIX_OPTION_FILENAME, .placeholder = "FILE",
    .help = "Write a chart: speedup, and the timeline of the best pass", .commands = BENCH },

  { .long_name = "slice", .kind = SHARDPIX_OPTION_STRING, .placeholder = "K/M|auto",
    .help = "Handle only slice K (0-based) of M contiguous slices of the sorted listing; "
            "auto: K and M from a Slurm array or a Kubernetes Indexed Job",
    .commands = RUN | PLAN | BENCH, .json_members = "slice" },
  { .long_name = "slices", .kind = SHARDPIX_OPTION_INT, .placeholder = "M",
    .help = "M for --slice auto when the scheduler does not say it (Kubernetes: the "
            "completions)",
    .commands = RUN | PLAN | BENCH },
  { .long_name = "slice-balance", .kind = SHARDPIX_OPTION_STRING, .placeholder = "count|bytes",
    .help = "How --slice cuts: count (default: equal numbers of files) or bytes (equal "
            "estimated work: sizes weighed by format; every node stats the whole listing)",
    .commands = RUN | PLAN | BENCH },
  { .long_name = "files-from", .kind = SHARDPIX_OPTION_FILENAME, .placeholder = "FILE",
    .help = "Take the images named in FILE (- for standard input), one path relative to "
            "INPUT_DIR a line, instead of listing INPUT_DIR",
    .commands = RUN | PLAN },
  { .long_name = "null", .short_name = '0', .kind = SHARDPIX_OPTION_FLAG,
    .help = "--files-from names are ended by NUL bytes (find -print0), not newlines",
    .commands = RUN | PLAN },
  { NULL },
};

const ShardpixOption *
shardpix_options_run (void)
{
  return options_run;
}

static gsize
options_field_size (ShardpixOptionKind kind)
{
  switch (kind)
    {
    case SHARDPIX_OPTION_FLAG:
      return sizeof (gboolean);
    case SHARDPIX_OPTION_INT:
      return sizeof (int);
    case SHARDPIX_OPTION_INT64:
      return sizeof (gint64);
    case SHARDPIX_OPTION_STRING:
    case SHARDPIX_OPTION_FILENAME:
      return sizeof (char *);
    case SHARDPIX_OPTION_CUSTOM:
      break;
    }
  return 0;
}

void
shardpix_options_add_fields (GOptionContext *context, ShardpixCommands command,
                             const ShardpixOptionField *fields)
{
  g_autoptr (GArray) entries = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));

  for (const ShardpixOptionField *field = fields; field->long_name != NULL; field++)
    {
      const ShardpixOption *option = options_run;
      GOptionEntry entry;

      while (option->long_name != NULL
             && !(strcmp (option->long_name, field->long_name) == 0
                  && (option->commands & command)))
        option++;
      g_return_if_fail (option->long_name != NULL);
      g_return_if_fail (field->size == options_field_size (option->kind));
      entry = shardpix_options_entry (option, field->field);
      g_array_append_val (entries, entry);
    }
  /* GOptionContext copies the entries; the strings are the table's. */
  g_option_context_add_main_entries (context, (const GOptionEntry *) entries->data, NULL);
}
