#include "shardpix/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int
stats_compare (const void *a, const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

double
shardpix_stats_median (const double *values, gsize n)
{
  g_autofree double *sorted = NULL;

  if (n == 0)
    return NAN;
  sorted = g_memdup2 (values, n * sizeof (double));
  qsort (sorted, n, sizeof (double), stats_compare);
  if (n % 2 == 1)
    return sorted[n / 2];
  return (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

void
shardpix_stats_min_max (const double *values, gsize n, double *min, double *max)
{
  *min = n ? values[0] : NAN;
  *max = n ? values[0] : NAN;
  for (gsize i = 1; i < n; i++)
    {
      *min = MIN (*min, values[i]);
      *max = MAX (*max, values[i]);
    }
}

double
shardpix_stats_speedup (double baseline, double time)
{
  if (!(baseline > 0) || !(time > 0))
    return NAN;
  return baseline / time;
}

double
shardpix_stats_efficiency (double speedup, guint processes)
{
  if (processes == 0)
    return NAN;
  return speedup / processes;
}

double
shardpix_stats_karp_flatt (double speedup, guint processes)
{
  double p = processes;

  if (processes < 2 || !(speedup > 0))
    return NAN;
  return (1 / speedup - 1 / p) / (1 - 1 / p);
}
