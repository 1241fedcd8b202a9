#include "shardpix/slice.h"

#include <errno.h>
#include <string.h>

#include "shardpix/balance.h"
#include "shardpix/choice.h"
#include "shardpix/error.h"

static const char *const slice_balance_names[] = {
  [SHARDPIX_SLICE_BALANCE_COUNT] = "count",
  [SHARDPIX_SLICE_BALANCE_BYTES] = "bytes",
};

gboolean
shardpix_slice_balance_parse (const char *text, ShardpixSliceBalance *balance, GError **error)
{
  int value = shardpix_choice_find (slice_balance_names, G_N_ELEMENTS (slice_balance_names),
                                   text);

  if (value >= 0)
    {
      *balance = (ShardpixSliceBalance) value;
      return TRUE;
    }
  g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
               "--slice-balance must be count or bytes, not \"%s\"", text ? text : "");
  return FALSE;
}

const char *
shardpix_slice_balance_name (ShardpixSliceBalance balance)
{
  g_return_val_if_fail ((guint) balance < G_N_ELEMENTS (slice_balance_names), NULL);
  return slice_balance_names[balance];
}

static gboolean
slice_parse_number (const char *text, const char **end, guint64 *value)
{
  char *stop = NULL;

  if (!g_ascii_isdigit (*text))
    return FALSE;
  errno = 0;
  *value = g_ascii_strtoull (text, &stop, 10);
  if (errno != 0 || *value > G_MAXUINT)
    return FALSE;
  *end = stop;
  return TRUE;
}

gboolean
shardpix_slice_parse (const char *text, ShardpixSlice *slice, GError **error)
{
  const char *rest = NULL;
  guint64 k = 0, m = 0;

  if (text != NULL && slice_parse_number (text, &rest, &k) && *rest == '/'
      && slice_parse_number (rest + 1, &rest, &m) && *rest == '\0' && m >= 1
      && m <= SHARDPIX_SLICE_MAX && k < m)
    {
      slice->index = (guint) k;
      slice->count = (guint) m;
      return TRUE;
    }
  g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
               "invalid --slice '%s': expected K/M with 0 <= K < M <= %d, or auto",
               text ? text : "", SHARDPIX_SLICE_MAX);
  return FALSE;
}

/* A variable that must be a plain decimal number if set. */
static gboolean
slice_env_number (const char *const *envp, const char *name, gboolean *set, guint64 *value,
                  GError **error)
{
  const char *text = g_environ_getenv ((char **) envp, name);
  const char *rest = NULL;

  *set = text != NULL && *text != '\0';
  if (!*set)
    return TRUE;
  if (slice_parse_number (text, &rest, value) && *rest == '\0')
    return TRUE;
  g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
               "--slice auto: %s='%s' is not a number", name, text);
  return FALSE;
}

static gboolean
slice_set (ShardpixSlice *slice, guint64 k, guint64 m, const char *source, GError **error)
{
  if (m >= 1 && m <= SHARDPIX_SLICE_MAX && k < m)
    {
      slice->index = (guint) k;
      slice->count = (guint) m;
      return TRUE;
    }
  g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
               "--slice auto: %s gives slice %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
               ", expected 0 <= K < M <= %d",
               source, k, m, SHARDPIX_SLICE_MAX);
  return FALSE;
}

static gboolean
slice_from_slurm (const char *const *envp, guint64 id, ShardpixSlice *slice, GError **error)
{
  gboolean has_count, has_min, has_max;
  guint64 count = 0, min = 0, max = 0;

  if (!slice_env_number (envp, "SLURM_ARRAY_TASK_COUNT", &has_count, &count, error)
      || !slice_env_number (envp, "SLURM_ARRAY_TASK_MIN", &has_min, &min, error)
      || !slice_env_number (envp, "SLURM_ARRAY_TASK_MAX", &has_max, &max, error))
    return FALSE;
  if (!has_count && !(has_min && has_max))
    {
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
                   "--slice auto: SLURM_ARRAY_TASK_ID is set but neither "
                   "SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MIN/MAX");
      return FALSE;
    }
  /* Tasks 0..M-1 or 1..M are slices 0..M-1; a stepped (0-6:2) or sparse
   * (1,5,9) array would leave holes that nothing fills, so it is refused. */
  if (has_min && has_max && (max < min || (has_count && max - min + 1 != count)))
    {
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
                   "--slice auto: the Slurm array is not contiguous (tasks %" G_GUINT64_FORMAT
                   "-%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT " of them): "
                   "use --array=0-%" G_GUINT64_FORMAT,
                   min, max, count, count > 0 ? count - 1 : 0);
      return FALSE;
    }
  if (!has_count)
    count = max - min + 1;
  if (id < min)
    {
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
                   "--slice auto: SLURM_ARRAY_TASK_ID %" G_GUINT64_FORMAT
                   " is below SLURM_ARRAY_TASK_MIN %" G_GUINT64_FORMAT, id, min);
      return FALSE;
    }
  return slice_set (slice, id - min, count, "the Slurm array", error);
}

gboolean
shardpix_slice_from_environment (const char *const *envp, guint slices, ShardpixSlice *slice,
                                 GError **error)
{
  gboolean set;
  guint64 value = 0, m = slices;

  if (!slice_env_number (envp, "SLURM_ARRAY_TASK_ID", &set, &value, error))
    return FALSE;
  if (set)
    return slice_from_slurm (envp, value, slice, error);
  if (!slice_env_number (envp, "JOB_COMPLETION_INDEX", &set, &value, error))
    return FALSE;
  if (set)
    {
      gboolean has_m = slices > 0;

      if (!has_m && !slice_env_number (envp, "SHARDPIX_SLICES", &has_m, &m, error))
        return FALSE;
      if (!has_m)
        {
          g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
                       "--slice auto: JOB_COMPLETION_INDEX is set but the number of slices "
                       "is not: give --slices M or SHARDPIX_SLICES (the Job's completions)");
          return FALSE;
        }
      return slice_set (slice, value, m, "JOB_COMPLETION_INDEX", error);
    }
  g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
               "--slice auto: not in a job array: none of SLURM_ARRAY_TASK_ID "
               "(Slurm sbatch --array) or JOB_COMPLETION_INDEX (Kubernetes Indexed Job) "
               "is set; give --slice K/M");
  return FALSE;
}

gboolean
shardpix_slice_resolve (const char *text, const char *const *envp, guint slices,
                        ShardpixSlice *slice, GError **error)
{
  if (g_strcmp0 (text, "auto") == 0)
    return shardpix_slice_from_environment (envp, slices, slice, error);
  if (!shardpix_slice_parse (text, slice, error))
    return FALSE;
  if (slices > 0 && slices != slice->count)
    {
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
                   "--slices %u contradicts --slice %s", slices, text);
      return FALSE;
    }
  return TRUE;
}

ShardpixRange
shardpix_slice_range (const ShardpixSlice *slice, guint n_items)
{
  g_autoptr (GArray) ranges = NULL;

  g_return_val_if_fail (slice->count >= 1 && slice->index < slice->count,
                        ((ShardpixRange) { 0, 0 }));
  ranges = shardpix_shard_by_count (n_items, slice->count);
  return g_array_index (ranges, ShardpixRange, slice->index);
}

/* The slice of M that item i of cost @cost, after @before of @total, falls
 * in: floor((before + cost/2) * M / total), in 128 bits because a total of
 * terabytes times M overflows 64. Never decreasing in i, hence contiguous. */
static guint
slice_of_item (guint64 before, guint64 cost, guint64 total, guint m)
{
  unsigned __int128 mid2 = (unsigned __int128) before * 2 + cost;
  unsigned __int128 k = mid2 * m / ((unsigned __int128) total * 2);

  return k >= m ? m - 1 : (guint) k;
}

ShardpixRange
shardpix_slice_range_by_cost (const ShardpixSlice *slice, const guint64 *costs, guint n_items)
{
  ShardpixRange range = { 0, 0 };
  guint64 total = 0, before = 0;
  guint i = 0;

  g_return_val_if_fail (slice->count >= 1 && slice->index < slice->count, range);
  for (guint j = 0; j < n_items; j++)
    total += costs[j];
  if (total == 0)
    return shardpix_slice_range (slice, n_items);
  for (; i < n_items && slice_of_item (before, costs[i], total, slice->count) < slice->index;
       i++)
    before += costs[i];
  range.start = i;
  for (; i < n_items && slice_of_item (before, costs[i], total, slice->count) == slice->index;
       i++)
    before += costs[i];
  range.count = i - range.start;
  return range;
}

char *
shardpix_slice_fingerprint (GPtrArray *paths)
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);

      /* The NUL keeps ["ab"] and ["a", "b"] apart. */
      g_checksum_update (sum, (const guchar *) path, (gssize) strlen (path) + 1);
    }
  return g_strdup (g_checksum_get_string (sum));
}

GPtrArray *
shardpix_slice_apply (const ShardpixSlice *slice, GPtrArray *paths, const guint64 *costs,
                      ShardpixSliceInfo *info)
{
  GPtrArray *part = NULL;

  info->slice = *slice;
  info->balance = costs != NULL ? SHARDPIX_SLICE_BALANCE_BYTES : SHARDPIX_SLICE_BALANCE_COUNT;
  info->range = costs != NULL ? shardpix_slice_range_by_cost (slice, costs, paths->len)
                              : shardpix_slice_range (slice, paths->len);
  info->listing_images = paths->len;
  g_free (info->listing_sha256);
  info->listing_sha256 = shardpix_slice_fingerprint (paths);
  part = g_ptr_array_new_full (info->range.count, g_free);
  for (guint i = 0; i < info->range.count; i++)
    g_ptr_array_add (part, g_strdup (g_ptr_array_index (paths, info->range.start + i)));
  return part;
}

void
shardpix_slice_info_clear (ShardpixSliceInfo *info)
{
  g_clear_pointer (&info->listing_sha256, g_free);
}

gboolean
shardpix_slice_listing (const ShardpixSlice *slice, ShardpixSliceBalance balance,
                        ShardpixListing *listing, ShardpixSliceInfo *info, GError **error)
{
  g_autofree guint64 *costs = NULL;
  GPtrArray *part;

  if (balance == SHARDPIX_SLICE_BALANCE_BYTES
      && (costs = shardpix_balance_costs (listing, error)) == NULL)
    return FALSE;
  part = shardpix_slice_apply (slice, listing->paths, costs, info);
  g_ptr_array_unref (listing->paths);
  listing->paths = part;
  return TRUE;
}

char *
shardpix_slice_describe (const ShardpixSliceInfo *info)
{
  return g_strdup_printf ("slice %u/%u by %s: listing indexes %u..%u (%u of %u images), "
                          "listing %.12s\n",
                          info->slice.index, info->slice.count,
                          shardpix_slice_balance_name (info->balance), info->range.start,
                          info->range.start + info->range.count - (info->range.count > 0),
                          info->range.count, info->listing_images, info->listing_sha256);
}
