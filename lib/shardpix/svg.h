/* Self-contained SVG charts (no scripts, fonts or external references), so
 * that they render the same in a browser, rsvg-convert and libvips. */
#pragma once

#include <glib.h>

#include "shardpix/bench.h"
#include "shardpix/supervisor.h"

G_BEGIN_DECLS

/* A Gantt chart of one run: one row per child on the run's time axis (fork
 * time + each image's start), one bar per image, failures in red. @paths
 * (may be NULL) name the images in each bar's tooltip. */
char *shardpix_svg_timeline (const ShardpixRunRecord *report, GPtrArray *paths,
                             const char *title);

/* Two panels: the median speedup of each parallel configuration against
 * its process count next to the ideal line, and the timeline of the fastest
 * pass of the best configuration. */
char *shardpix_svg_bench (const ShardpixBenchResults *results, GPtrArray *paths,
                          const char *title);

G_END_DECLS
