/* Running `shardpix bench`: the same job as `run`, timed as a serial
 * baseline and through lib/run for several worker counts, passes
 * interleaved. This process never initialises libvips: the serial baseline
 * and the in-process modes run as a child (`run --serial`, `run --mode
 * threads`) started through lib/spawn, timed and measured through wait4();
 * process passes run lib/run here, which only forks workers. */
#pragma once

#include <glib.h>

#include "shardpix/bench.h"
#include "shardpix/job.h"
#include "shardpix/run.h"

G_BEGIN_DECLS

/* Called before each pass: @name is the configuration ("warm-up" for the
 * untimed first pass), @pass counts from 1 to @total. */
typedef void (*ShardpixBenchPassFunc) (const char *name, guint pass, guint total, guint round,
                                       gpointer user_data);

typedef struct {
  const ShardpixJob *job;     /* input_dir set; the passes write under TMPDIR */
  const char *self;           /* this executable, run as child and as worker */
  gboolean recursive;
  const ShardpixSlice *slice; /* NULL: the whole listing */
  ShardpixSliceBalance slice_balance;
  guint shards;               /* 0: as `run` cuts by default */
  guint repeat;               /* timed passes of each configuration, >= 1 */
  const GArray *jobs_list;    /* guint worker counts */
  guint modes;                /* bit set of 1 << ShardpixMode; serial is always timed */
  ShardpixBenchPassFunc on_pass;
  gpointer user_data;
} ShardpixBenchPlan;

/* Lists the input as `run` would (every folder rule included) into
 * *@listed, then times every configuration @repeat times, the warm-up
 * first. The results are summarised. A failed pass fails the whole bench:
 * timings with a dead worker would not be comparable. */
ShardpixBenchResults *shardpix_bench_run (const ShardpixBenchPlan *plan, ShardpixRun **listed,
                                          GError **error);

/* Whether some image failed in a timed pass. */
gboolean shardpix_bench_images_failed (const ShardpixBenchResults *results);

G_END_DECLS
