/* JSON documents of a run (`run --report`) and of a benchmark (`bench
 * --json`), built with json-glib. The schema is documented in
 * docs/report-json.md; returns text, writing it is cmd/'s job. */
#pragma once

#include <glib.h>

#include "shardpix/bench.h"
#include "shardpix/job.h"
#include "shardpix/slice.h"
#include "shardpix/supervisor.h"

G_BEGIN_DECLS

/* How the run was set up, recorded in the "settings" object. */
typedef struct {
  const ShardpixJob *job;
  guint jobs;    /* workers at once */
  guint shards;  /* 0: one per worker */
  gboolean recursive;
  const ShardpixSliceInfo *slice; /* --slice, or NULL: the whole listing */
  GHashTable *skipped; /* ShardpixListing.skipped (why entries were not
                          images), or NULL */
} ShardpixReportSettings;

/* The run report: settings, totals, every child's record with its
 * per-image timings, and every failed image with its reason. @paths are
 * the listing's relative paths; @failures maps a listing index
 * (GUINT_TO_POINTER) to the reason (char *) and may be NULL. */
char *shardpix_report_json_run (const ShardpixReportSettings *settings,
                                const ShardpixRunRecord *report, GPtrArray *paths,
                                GHashTable *failures);

/* The bench report: settings, the process counts, and for each
 * configuration its statistics and every pass (a parallel pass with the
 * same run object as the run report). */
char *shardpix_report_json_bench (const ShardpixReportSettings *settings,
                                  const ShardpixBenchResults *results, GPtrArray *paths,
                                  guint repeat, guint cpus);

/* The image options' members of "settings" alone, on one line: what a
 * worker says it parsed (cmd-worker.c, under G_MESSAGES_DEBUG). */
char *shardpix_report_json_job (const ShardpixJob *job);

G_END_DECLS
