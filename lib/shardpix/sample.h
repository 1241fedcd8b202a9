/* A deterministic folder of photo-like images made with libvips: the
 * built-in default job for demos, benchmarks and tests. Runs in-process and
 * initialises libvips, so it is never called from a supervisor that forks. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint count;           /* number of images */
  double min_megapixels; /* image areas are spread between these */
  double max_megapixels;
  guint32 seed;          /* same seed, same bytes */
} ShardpixSampleOptions;

void shardpix_sample_options_init (ShardpixSampleOptions *options);

/* Writes @options->count images into @dir (created if missing): mostly JPEG,
 * baseline and progressive, with some PNG (a few with alpha) and WebP; named
 * sample-00000.jpg and so on. Content has real texture (noise, gradients,
 * edges) so decoders and encoders do realistic work. libvips must be
 * initialised by the caller. */
gboolean shardpix_sample_write (const char *dir, const ShardpixSampleOptions *options,
                                GError **error);

G_END_DECLS
