#include <string.h>

#include <glib.h>

#include "shardpix/error.h"
#include "shardpix/slice.h"

static GPtrArray *
slice_test_paths (guint n)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (paths, g_strdup_printf ("img-%04u.jpg", i));
  return paths;
}

/* M in 1..9 over 0..50 files: every file in exactly one slice, each slice
 * contiguous, sizes within one of each other. */
static void
test_slice_cover (void)
{
  for (guint n = 0; n <= 50; n++)
    for (guint m = 1; m <= 9; m++)
      {
        g_autofree guint *owner = g_new0 (guint, MAX (n, 1));
        guint smallest = G_MAXUINT, largest = 0;

        for (guint k = 0; k < m; k++)
          {
            ShardpixSlice slice = { k, m };
            ShardpixRange range = shardpix_slice_range (&slice, n);

            g_assert_cmpuint (range.start + range.count, <=, n);
            for (guint i = range.start; i < range.start + range.count; i++)
              owner[i]++;
            smallest = MIN (smallest, range.count);
            largest = MAX (largest, range.count);
          }
        for (guint i = 0; i < n; i++)
          g_assert_cmpuint (owner[i], ==, 1);
        g_assert_cmpuint (largest - smallest, <=, 1);
      }
}

/* What apply hands the run is the slice's names, and what it records is
 * the whole listing's. */
static void
test_slice_apply (void)
{
  g_autoptr (GPtrArray) paths = slice_test_paths (10);
  g_autofree char *whole = shardpix_slice_fingerprint (paths);
  guint next = 0;

  for (guint k = 0; k < 3; k++)
    {
      g_auto (ShardpixSliceInfo) info = { 0 };
      ShardpixSlice slice = { k, 3 };
      g_autoptr (GPtrArray) part = shardpix_slice_apply (&slice, paths, NULL, &info);

      g_assert_cmpuint (info.range.start, ==, next);
      g_assert_cmpuint (part->len, ==, info.range.count);
      g_assert_cmpuint (info.listing_images, ==, 10);
      g_assert_cmpstr (info.listing_sha256, ==, whole);
      for (guint i = 0; i < part->len; i++)
        g_assert_cmpstr (g_ptr_array_index (part, i), ==,
                         g_ptr_array_index (paths, next + i));
      next += part->len;
    }
  g_assert_cmpuint (next, ==, 10);
}

/* Deterministic pseudo-random costs with a heavy tail, as a folder of
 * thumbnails next to a few camera originals. */
static guint64 *
slice_test_costs (guint n, guint seed)
{
  guint64 *costs = g_new (guint64, MAX (n, 1));
  GRand *rand = g_rand_new_with_seed (seed);

  for (guint i = 0; i < n; i++)
    costs[i] = g_rand_int_range (rand, 0, 100) < 5 ? g_rand_int_range (rand, 1000000, 9000000)
                                                  : g_rand_int_range (rand, 0, 200000);
  g_rand_free (rand);
  return costs;
}

/* Cost slices: disjoint, contiguous, their union the whole listing, the
 * same on every call; each within one item of 1/M of the cost. */
static void
test_slice_by_cost (void)
{
  for (guint n = 0; n <= 120; n += 7)
    for (guint m = 1; m <= 9; m++)
      {
        g_autofree guint64 *costs = slice_test_costs (n, n * 31 + m);
        guint64 total = 0, largest_item = 0;
        guint next = 0;

        for (guint i = 0; i < n; i++)
          {
            total += costs[i];
            largest_item = MAX (largest_item, costs[i]);
          }
        for (guint k = 0; k < m; k++)
          {
            ShardpixSlice slice = { k, m };
            ShardpixRange range = shardpix_slice_range_by_cost (&slice, costs, n);
            ShardpixRange again = shardpix_slice_range_by_cost (&slice, costs, n);
            guint64 cost = 0;

            g_assert_cmpuint (range.start, ==, next);
            g_assert_cmpuint (again.start, ==, range.start);
            g_assert_cmpuint (again.count, ==, range.count);
            for (guint i = range.start; i < range.start + range.count; i++)
              cost += costs[i];
            /* Midpoint rule: a slice misses its share by at most one
             * item's cost at either end. */
            g_assert_cmpuint (cost, <=, total / m + largest_item + 1);
            next = range.start + range.count;
          }
        g_assert_cmpuint (next, ==, n);
      }
}

/* An uneven listing: 95 small files and 5 big ones at the end. By count
 * the last slice gets every big file; by cost no slice is far above the
 * mean. */
static void
test_slice_by_cost_uneven (void)
{
  guint64 costs[100];
  guint64 total = 0, worst_count = 0, worst_cost = 0;

  for (guint i = 0; i < 100; i++)
    total += costs[i] = i < 95 ? 100000 : 3000000;
  for (guint k = 0; k < 4; k++)
    {
      ShardpixSlice slice = { k, 4 };
      ShardpixRange by_count = shardpix_slice_range (&slice, 100);
      ShardpixRange by_cost = shardpix_slice_range_by_cost (&slice, costs, 100);
      guint64 a = 0, b = 0;

      for (guint i = by_count.start; i < by_count.start + by_count.count; i++)
        a += costs[i];
      for (guint i = by_cost.start; i < by_cost.start + by_cost.count; i++)
        b += costs[i];
      worst_count = MAX (worst_count, a);
      worst_cost = MAX (worst_cost, b);
    }
  g_assert_cmpfloat ((double) worst_count / (total / 4.0), >, 2.0);
  g_assert_cmpfloat ((double) worst_cost / (total / 4.0), <, 1.2);
}

static void
test_slice_fingerprint (void)
{
  g_autoptr (GPtrArray) a = g_ptr_array_new ();
  g_autoptr (GPtrArray) b = g_ptr_array_new ();
  g_autoptr (GPtrArray) c = g_ptr_array_new ();
  g_autofree char *fa = NULL, *fb = NULL, *fc = NULL;

  g_ptr_array_add (a, "ab");
  g_ptr_array_add (b, "a");
  g_ptr_array_add (b, "b");
  g_ptr_array_add (c, "b");
  g_ptr_array_add (c, "a");
  fa = shardpix_slice_fingerprint (a);
  fb = shardpix_slice_fingerprint (b);
  fc = shardpix_slice_fingerprint (c);
  g_assert_cmpuint (strlen (fa), ==, 64);
  g_assert_cmpstr (fa, !=, fb);
  g_assert_cmpstr (fb, !=, fc);
}

static void
test_slice_parse (void)
{
  const char *bad[] = { "", "3", "3/3", "1/0", "-1/2", "1/-2", "1/2x", " 1/2", "1 /2",
                        "0/100001", "4294967296/4294967297", "a/b", "1//2", "auto" };
  ShardpixSlice slice = { 0, 0 };

  g_assert_true (shardpix_slice_parse ("0/1", &slice, NULL));
  g_assert_cmpuint (slice.index, ==, 0);
  g_assert_cmpuint (slice.count, ==, 1);
  g_assert_true (shardpix_slice_parse ("7/8", &slice, NULL));
  g_assert_cmpuint (slice.index, ==, 7);
  g_assert_cmpuint (slice.count, ==, 8);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;

      g_assert_false (shardpix_slice_parse (bad[i], &slice, &error));
      g_assert_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE);
    }
}

static gboolean
slice_auto (const char *const *envp, guint slices, ShardpixSlice *slice, GError **error)
{
  return shardpix_slice_resolve ("auto", envp, slices, slice, error);
}

static void
test_slice_auto (void)
{
  const char *slurm[] = { "SLURM_ARRAY_TASK_ID=2", "SLURM_ARRAY_TASK_COUNT=4",
                          "SLURM_ARRAY_TASK_MIN=0", "SLURM_ARRAY_TASK_MAX=3", NULL };
  const char *slurm_from_one[] = { "SLURM_ARRAY_TASK_ID=4", "SLURM_ARRAY_TASK_MIN=1",
                                   "SLURM_ARRAY_TASK_MAX=4", NULL };
  const char *stepped[] = { "SLURM_ARRAY_TASK_ID=2", "SLURM_ARRAY_TASK_COUNT=4",
                            "SLURM_ARRAY_TASK_MIN=0", "SLURM_ARRAY_TASK_MAX=6", NULL };
  const char *no_count[] = { "SLURM_ARRAY_TASK_ID=2", NULL };
  const char *k8s[] = { "JOB_COMPLETION_INDEX=1", NULL };
  const char *k8s_env[] = { "JOB_COMPLETION_INDEX=5", "SHARDPIX_SLICES=6", NULL };
  const char *k8s_out[] = { "JOB_COMPLETION_INDEX=6", "SHARDPIX_SLICES=6", NULL };
  const char *garbage[] = { "SLURM_ARRAY_TASK_ID=x", NULL };
  const char *none[] = { "HOME=/root", NULL };
  ShardpixSlice slice = { 0, 0 };
  g_autoptr (GError) error = NULL;

  g_assert_true (slice_auto (slurm, 0, &slice, NULL));
  g_assert_cmpuint (slice.index, ==, 2);
  g_assert_cmpuint (slice.count, ==, 4);
  g_assert_true (slice_auto (slurm_from_one, 0, &slice, NULL));
  g_assert_cmpuint (slice.index, ==, 3);
  g_assert_cmpuint (slice.count, ==, 4);
  g_assert_true (slice_auto (k8s, 3, &slice, NULL));
  g_assert_cmpuint (slice.index, ==, 1);
  g_assert_cmpuint (slice.count, ==, 3);
  g_assert_true (slice_auto (k8s_env, 0, &slice, NULL));
  g_assert_cmpuint (slice.index, ==, 5);
  g_assert_cmpuint (slice.count, ==, 6);

  g_assert_false (slice_auto (stepped, 0, &slice, &error));
  g_assert_nonnull (strstr (error->message, "not contiguous"));
  g_clear_error (&error);
  g_assert_false (slice_auto (no_count, 0, &slice, &error));
  g_assert_nonnull (strstr (error->message, "SLURM_ARRAY_TASK_COUNT"));
  g_clear_error (&error);
  g_assert_false (slice_auto (k8s, 0, &slice, &error));
  g_assert_nonnull (strstr (error->message, "--slices"));
  g_clear_error (&error);
  g_assert_false (slice_auto (k8s_out, 0, &slice, &error));
  g_clear_error (&error);
  g_assert_false (slice_auto (garbage, 0, &slice, &error));
  g_assert_nonnull (strstr (error->message, "not a number"));
  g_clear_error (&error);
  g_assert_false (slice_auto (none, 0, &slice, &error));
  g_assert_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE);
  g_assert_nonnull (strstr (error->message, "SLURM_ARRAY_TASK_ID"));
  g_assert_nonnull (strstr (error->message, "JOB_COMPLETION_INDEX"));
  g_clear_error (&error);
  g_assert_false (shardpix_slice_resolve ("1/4", none, 3, &slice, &error));
  g_assert_nonnull (strstr (error->message, "contradicts"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/shardpix/slice/cover", test_slice_cover);
  g_test_add_func ("/shardpix/slice/apply", test_slice_apply);
  g_test_add_func ("/shardpix/slice/by-cost", test_slice_by_cost);
  g_test_add_func ("/shardpix/slice/by-cost-uneven", test_slice_by_cost_uneven);
  g_test_add_func ("/shardpix/slice/fingerprint", test_slice_fingerprint);
  g_test_add_func ("/shardpix/slice/parse", test_slice_parse);
  g_test_add_func ("/shardpix/slice/auto", test_slice_auto);
  return g_test_run ();
}
