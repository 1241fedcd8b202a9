#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "cmd.h"
#include "shardpix/pipeline.h"
#include "shardpix/report.h"

static const char usage[] =
  "Usage:\n"
  "  shardpix run [OPTION...] INPUT_DIR OUTPUT_DIR   grayscale + resize a folder, one worker per core\n"
  "  shardpix bench [OPTION...] INPUT_DIR           time serial against 1, 2, 4... workers\n"
  "  shardpix plan [OPTION...] INPUT_DIR             the shards run would make, opening no image\n"
  "  shardpix sample [OPTION...] DIR                 generate a folder of photo-like test images\n"
  "  shardpix report merge REPORT...                 combine the reports of the slices of a folder\n"
  "  shardpix --version\n"
  "\n"
  "Run 'shardpix COMMAND --help' for a command's options.\n";

int
cmd_fail (int code, const char *format, ...)
{
  g_autofree char *message = NULL;
  g_autofree char *shown = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  shown = shardpix_report_display_name (message);
  fprintf (stderr, "shardpix: %s\n", shown);
  return code;
}

/* GOptionContext takes "-j 2" but not "-j2", which users of make and
 * xargs type: split the short options that take a value ("-j2", "-s256",
 * "-q90"...) before it parses. GOptionContext drops what it parsed from the
 * vector, so the split-off options are owned here, until exit. */
static void
cmd_split_attached_values (int *argc, char ***argv)
{
  static GPtrArray *split;
  static GPtrArray *owned;

  split = g_ptr_array_new ();
  owned = g_ptr_array_new_with_free_func (g_free);
  for (int i = 0; i < *argc; i++)
    {
      const char *arg = (*argv)[i];

      if (g_strcmp0 (arg, "--") == 0)
        {
          for (; i < *argc; i++)
            g_ptr_array_add (split, (*argv)[i]);
          break;
        }
      if (i > 0 && arg[0] == '-' && arg[1] != '\0' && strchr ("jnsofq", arg[1]) != NULL
          && arg[2] != '\0')
        {
          char *option = g_strndup (arg, 2);

          g_ptr_array_add (owned, option);
          g_ptr_array_add (split, option);
          g_ptr_array_add (split, (char *) arg + 2);
        }
      else
        g_ptr_array_add (split, (*argv)[i]);
    }
  *argc = (int) split->len;
  g_ptr_array_add (split, NULL);
  *argv = (char **) split->pdata;
}

gboolean
cmd_parse (GOptionContext *context, int *argc, char ***argv)
{
  g_autoptr (GError) error = NULL;

  cmd_split_attached_values (argc, argv);
  if (g_option_context_parse (context, argc, argv, &error))
    return TRUE;
  cmd_fail (CMD_EXIT_USAGE, "%s (try --help)", error->message);
  return FALSE;
}

static void
cmd_drop_log (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  /* Loaders often say what was wrong only as a warning. */
  if (level & G_LOG_LEVEL_WARNING)
    shardpix_pipeline_note_warning (message);
}

void
cmd_quiet_vips_warnings (void)
{
  g_log_set_handler ("VIPS", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO,
                     cmd_drop_log, NULL);
}

int
main (int argc, char **argv)
{
  const char *command = argc > 1 ? argv[1] : NULL;

  setlocale (LC_ALL, "");
  if (command == NULL || strcmp (command, "--help") == 0 || strcmp (command, "-h") == 0)
    {
      fputs (usage, command ? stdout : stderr);
      return command ? CMD_EXIT_OK : CMD_EXIT_USAGE;
    }
  if (strcmp (command, "--version") == 0)
    {
      printf ("shardpix %s\n", SHARDPIX_VERSION);
      return CMD_EXIT_OK;
    }
  /* "Usage: shardpix run ..." in --help, rather than "run". */
  if (strcmp (command, "worker") != 0)
    {
      g_autofree char *name = g_strdup_printf ("shardpix %s", command);
      g_set_prgname (name);
    }
  /* Each subcommand sees itself as argv[0], as GOptionContext expects. */
  if (strcmp (command, "run") == 0)
    return cmd_run (argc - 1, argv + 1);
  if (strcmp (command, "worker") == 0)
    return cmd_worker (argc - 1, argv + 1);
  if (strcmp (command, "bench") == 0)
    return cmd_bench (argc - 1, argv + 1);
  if (strcmp (command, "plan") == 0)
    return cmd_plan (argc - 1, argv + 1);
  if (strcmp (command, "report") == 0)
    return cmd_report (argc - 1, argv + 1);
  if (strcmp (command, "sample") == 0)
    return cmd_sample (argc - 1, argv + 1);
  return cmd_fail (CMD_EXIT_USAGE, "unknown command '%s' (try --help)", command);
}
