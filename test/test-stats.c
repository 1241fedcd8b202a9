#include <math.h>

#include <glib.h>

#include "shardpix/stats.h"

static void
test_median_odd_even (void)
{
  const double odd[] = { 5, 1, 3 };
  const double even[] = { 4, 1, 3, 2 };
  const double one[] = { 7.5 };

  g_assert_cmpfloat (shardpix_stats_median (odd, 3), ==, 3);
  g_assert_cmpfloat (shardpix_stats_median (even, 4), ==, 2.5);
  g_assert_cmpfloat (shardpix_stats_median (one, 1), ==, 7.5);
  g_assert_true (isnan (shardpix_stats_median (NULL, 0)));
  /* Not reordered: callers keep passes in run order. */
  g_assert_cmpfloat (odd[0], ==, 5);
}

static void
test_min_max (void)
{
  const double values[] = { 2.5, -1, 9, 3 };
  double min, max;

  shardpix_stats_min_max (values, 4, &min, &max);
  g_assert_cmpfloat (min, ==, -1);
  g_assert_cmpfloat (max, ==, 9);
  shardpix_stats_min_max (NULL, 0, &min, &max);
  g_assert_true (isnan (min) && isnan (max));
}

static void
test_speedup_efficiency (void)
{
  g_assert_cmpfloat_with_epsilon (shardpix_stats_speedup (10, 4), 2.5, 1e-12);
  g_assert_true (isnan (shardpix_stats_speedup (10, 0)));
  g_assert_true (isnan (shardpix_stats_speedup (0, 1)));
  g_assert_cmpfloat_with_epsilon (shardpix_stats_efficiency (2.5, 4), 0.625, 1e-12);
  g_assert_cmpfloat_with_epsilon (shardpix_stats_efficiency (1, 1), 1, 1e-12);
  g_assert_true (isnan (shardpix_stats_efficiency (2, 0)));
}

static void
test_karp_flatt (void)
{
  /* Perfect scaling: no serial fraction. */
  g_assert_cmpfloat_with_epsilon (shardpix_stats_karp_flatt (4, 4), 0, 1e-12);
  /* No gain at all: everything is serial. */
  g_assert_cmpfloat_with_epsilon (shardpix_stats_karp_flatt (1, 4), 1, 1e-12);
  /* S = 1.6 on 2: (1/1.6 - 1/2) / (1 - 1/2) = 0.25. */
  g_assert_cmpfloat_with_epsilon (shardpix_stats_karp_flatt (1.6, 2), 0.25, 1e-12);
  /* S = 3 on 4: (1/3 - 1/4) / (3/4) = 1/9. */
  g_assert_cmpfloat_with_epsilon (shardpix_stats_karp_flatt (3, 4), 1.0 / 9, 1e-12);
  /* Undefined for one process. */
  g_assert_true (isnan (shardpix_stats_karp_flatt (1, 1)));
  g_assert_true (isnan (shardpix_stats_karp_flatt (0, 2)));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/shardpix/stats/median", test_median_odd_even);
  g_test_add_func ("/shardpix/stats/min-max", test_min_max);
  g_test_add_func ("/shardpix/stats/speedup-efficiency", test_speedup_efficiency);
  g_test_add_func ("/shardpix/stats/karp-flatt", test_karp_flatt);
  return g_test_run ();
}
