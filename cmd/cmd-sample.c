#include <stdio.h>

#include <vips/vips.h>

#include "cmd.h"
#include "shardpix/sample.h"

int
cmd_sample (int argc, char **argv)
{
  ShardpixSampleOptions options;
  int count, seed;
  const GOptionEntry entries[] = {
    { "count", 'n', 0, G_OPTION_ARG_INT, &count, "Number of images (default 1000)", "N" },
    { "min-megapixels", 0, 0, G_OPTION_ARG_DOUBLE, &options.min_megapixels,
      "Smallest image area (default 0.5)", "MP" },
    { "max-megapixels", 0, 0, G_OPTION_ARG_DOUBLE, &options.max_megapixels,
      "Largest image area (default 12)", "MP" },
    { "seed", 0, 0, G_OPTION_ARG_INT, &seed, "Seed: the same seed gives the same files",
      "S" },
    { NULL },
  };
  g_autoptr (GOptionContext) context =
    g_option_context_new ("DIR - write a folder of photo-like test images");
  g_autoptr (GError) error = NULL;
  gint64 started_us;

  shardpix_sample_options_init (&options);
  count = (int) options.count;
  seed = (int) options.seed;
  g_option_context_add_main_entries (context, entries, NULL);
  if (!cmd_parse (context, &argc, &argv))
    return CMD_EXIT_USAGE;
  if (argc != 2)
    return cmd_fail (CMD_EXIT_USAGE, "sample needs DIR (try --help)");
  if (count < 0 || options.min_megapixels <= 0
      || options.max_megapixels < options.min_megapixels || options.max_megapixels > 200)
    return cmd_fail (CMD_EXIT_USAGE, "invalid --count or megapixel range");
  options.count = (guint) count;
  options.seed = (guint32) seed;

  if (VIPS_INIT ("shardpix") != 0)
    return cmd_fail (CMD_EXIT_WORKER, "cannot start libvips: %s", vips_error_buffer ());
  started_us = g_get_monotonic_time ();
  if (!shardpix_sample_write (argv[1], &options, &error))
    return cmd_fail (CMD_EXIT_IMAGES, "%s", error->message);
  printf ("wrote %u images to %s in %.1f s\n", options.count, argv[1],
          (g_get_monotonic_time () - started_us) / 1e6);
  return CMD_EXIT_OK;
}
