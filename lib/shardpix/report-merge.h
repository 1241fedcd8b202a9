/* `shardpix report merge`: the run reports (`run --slice K/M --report`) of
 * the slices of one listing, read back and combined. Checks what a
 * scheduler cannot: that the reports come from one listing cut the same
 * way, and that they cover it exactly once. Returns text; cmd/ prints. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _ShardpixReportMerge ShardpixReportMerge;

typedef struct {
  guint slices;          /* M */
  guint listing_images;  /* N */
  guint ok, failed, undone;
  gboolean child_failed; /* some slice had a worker that could not run */
  gint64 wall_us;        /* the longest slice */
} ShardpixReportMergeTotals;

ShardpixReportMerge *shardpix_report_merge_new (void);
void shardpix_report_merge_free (ShardpixReportMerge *merge);

/* Reads one run report. Fails on a file that is not JSON, not a run
 * report, or has no "slice" (a run without --slice). */
gboolean shardpix_report_merge_add_file (ShardpixReportMerge *merge, const char *path, GError **error);

/* Every report from the same listing (same size and fingerprint) cut into
 * the same M, each slice where that cut puts it, and every slice present
 * exactly once. The error names every problem: the missing slices, the
 * files holding the same slice, the files from another listing. */
gboolean shardpix_report_merge_check (ShardpixReportMerge *merge, GError **error);

void shardpix_report_merge_totals (ShardpixReportMerge *merge, ShardpixReportMergeTotals *totals);

/* The tables: per slice, per child (every slice's workers), the failures
 * with their index in the whole listing, then the totals. */
char *shardpix_report_merge_text (ShardpixReportMerge *merge);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShardpixReportMerge, shardpix_report_merge_free)

G_END_DECLS
