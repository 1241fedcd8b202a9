/* The results of `shardpix bench`: passes grouped by configuration, their
 * summary statistics and the table. Running the passes is bench-run's job;
 * this module only holds and summarises what they measured. */
#pragma once

#include <glib.h>

#include "shardpix/supervisor.h"
#include "shardpix/threads.h"

G_BEGIN_DECLS

typedef struct {
  guint round;             /* 0-based repetition this pass belongs to */
  double wall_s;
  double user_s;           /* children included */
  double sys_s;
  glong max_rss_kb;        /* serial: the process; parallel: the largest worker */
  int exit_code;
  ShardpixRunRecord *run;  /* parallel passes: the supervisor's report; else NULL */
  GHashTable *failures;    /* listing index -> reason (char *); may be NULL */
} ShardpixBenchPass;

typedef struct {
  char *name;              /* "serial", "j1", "j2", ..., "threads-j2", "vips-j2" */
  ShardpixMode mode;
  guint processes;         /* workers: processes, threads or libvips threads; 1 for serial */
  gboolean serial;         /* mode == SHARDPIX_MODE_SERIAL */
  GPtrArray *passes;       /* ShardpixBenchPass *, in run order */

  /* Filled by shardpix_bench_summarise(); NAN where undefined. */
  double wall_median_s;
  double wall_min_s;
  double wall_max_s;
  double cpu_median_s;
  double images_per_s;
  double speedup;          /* serial median / this median */
  double efficiency;
  double karp_flatt;
} ShardpixBenchConfig;

typedef struct {
  GPtrArray *configs;      /* ShardpixBenchConfig *, the serial baseline first */
  guint n_images;
} ShardpixBenchResults;

ShardpixBenchResults *shardpix_bench_results_new (void);
void shardpix_bench_results_free (ShardpixBenchResults *results);

/* Appends a configuration of @mode with @workers workers and no passes and
 * returns it (owned by @results). */
ShardpixBenchConfig *shardpix_bench_add_config (ShardpixBenchResults *results, ShardpixMode mode,
                                                guint workers);

/* Takes ownership of @pass. */
void shardpix_bench_add_pass (ShardpixBenchConfig *config, ShardpixBenchPass *pass);
void shardpix_bench_pass_free (ShardpixBenchPass *pass);

/* Computes each configuration's statistics against the first (serial) one. */
void shardpix_bench_summarise (ShardpixBenchResults *results);

/* The parallel configuration with the highest speedup, or NULL. */
const ShardpixBenchConfig *shardpix_bench_best (const ShardpixBenchResults *results);

/* The fastest pass of @config, or NULL when it has none. */
const ShardpixBenchPass *shardpix_bench_fastest_pass (const ShardpixBenchConfig *config);

/* The table (one row per configuration) and the line naming the best one. */
char *shardpix_bench_table (const ShardpixBenchResults *results);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShardpixBenchResults, shardpix_bench_results_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShardpixBenchPass, shardpix_bench_pass_free)

G_END_DECLS
