/* The few statistics a benchmark needs. Pure functions on doubles, so that
 * the numbers in the table can be checked against known inputs. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The median of @n values (the mean of the two middle ones when @n is
 * even); NAN when @n is 0. @values is not reordered. */
double shardpix_stats_median (const double *values, gsize n);

/* The smallest and largest of @n values; both NAN when @n is 0. */
void shardpix_stats_min_max (const double *values, gsize n, double *min, double *max);

/* How many times faster than the baseline: @baseline / @time. NAN when
 * either is not positive. */
double shardpix_stats_speedup (double baseline, double time);

/* Speedup per process: 1 is perfect scaling. NAN when @processes is 0. */
double shardpix_stats_efficiency (double speedup, guint processes);

/* The Karp-Flatt metric: the serial fraction e = (1/S - 1/p) / (1 - 1/p)
 * that would explain speedup S on p processes. It is undefined for p = 1
 * (NAN). A value that grows with p points at overhead (start-up, shard
 * imbalance) rather than at a fixed serial part. */
double shardpix_stats_karp_flatt (double speedup, guint processes);

G_END_DECLS
