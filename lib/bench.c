#include "shardpix/bench.h"

#include <math.h>

#include "shardpix/stats.h"

static void
bench_config_free (gpointer data)
{
  ShardpixBenchConfig *config = data;

  g_free (config->name);
  g_ptr_array_unref (config->passes);
  g_free (config);
}

ShardpixBenchResults *
shardpix_bench_results_new (void)
{
  ShardpixBenchResults *results = g_new0 (ShardpixBenchResults, 1);

  results->configs = g_ptr_array_new_with_free_func (bench_config_free);
  return results;
}

void
shardpix_bench_results_free (ShardpixBenchResults *results)
{
  if (results == NULL)
    return;
  g_ptr_array_unref (results->configs);
  g_free (results);
}

void
shardpix_bench_pass_free (ShardpixBenchPass *pass)
{
  if (pass == NULL)
    return;
  g_clear_pointer (&pass->run, shardpix_run_record_free);
  g_clear_pointer (&pass->failures, g_hash_table_unref);
  g_free (pass);
}

ShardpixBenchConfig *
shardpix_bench_add_config (ShardpixBenchResults *results, ShardpixMode mode, guint workers)
{
  ShardpixBenchConfig *config = g_new0 (ShardpixBenchConfig, 1);

  config->mode = mode;
  config->serial = mode == SHARDPIX_MODE_SERIAL;
  config->processes = config->serial ? 1 : workers;
  switch (mode)
    {
    case SHARDPIX_MODE_SERIAL:
      config->name = g_strdup ("serial");
      break;
    case SHARDPIX_MODE_PROCESSES:
      config->name = g_strdup_printf ("j%u", workers);
      break;
    case SHARDPIX_MODE_THREADS:
      config->name = g_strdup_printf ("threads-j%u", workers);
      break;
    case SHARDPIX_MODE_VIPS_THREADS:
      config->name = g_strdup_printf ("vips-j%u", workers);
      break;
    }
  config->passes = g_ptr_array_new_with_free_func ((GDestroyNotify) shardpix_bench_pass_free);
  g_ptr_array_add (results->configs, config);
  return config;
}

void
shardpix_bench_add_pass (ShardpixBenchConfig *config, ShardpixBenchPass *pass)
{
  g_ptr_array_add (config->passes, pass);
}

void
shardpix_bench_summarise (ShardpixBenchResults *results)
{
  double baseline = NAN;

  for (guint i = 0; i < results->configs->len; i++)
    {
      ShardpixBenchConfig *config = g_ptr_array_index (results->configs, i);
      guint n = config->passes->len;
      g_autofree double *walls = g_new (double, MAX (n, 1));
      g_autofree double *cpus = g_new (double, MAX (n, 1));

      for (guint k = 0; k < n; k++)
        {
          const ShardpixBenchPass *pass = g_ptr_array_index (config->passes, k);

          walls[k] = pass->wall_s;
          cpus[k] = pass->user_s + pass->sys_s;
        }
      config->wall_median_s = shardpix_stats_median (walls, n);
      shardpix_stats_min_max (walls, n, &config->wall_min_s, &config->wall_max_s);
      config->cpu_median_s = shardpix_stats_median (cpus, n);
      config->images_per_s = config->wall_median_s > 0
                               ? results->n_images / config->wall_median_s : NAN;
      if (i == 0 && config->serial)
        baseline = config->wall_median_s;
      config->speedup = shardpix_stats_speedup (baseline, config->wall_median_s);
      config->efficiency = shardpix_stats_efficiency (config->speedup, config->processes);
      config->karp_flatt = shardpix_stats_karp_flatt (config->speedup, config->processes);
    }
}

const ShardpixBenchConfig *
shardpix_bench_best (const ShardpixBenchResults *results)
{
  const ShardpixBenchConfig *best = NULL;

  for (guint i = 0; i < results->configs->len; i++)
    {
      const ShardpixBenchConfig *config = g_ptr_array_index (results->configs, i);

      if (!config->serial && config->passes->len > 0
          && (best == NULL || config->speedup > best->speedup))
        best = config;
    }
  return best;
}

const ShardpixBenchPass *
shardpix_bench_fastest_pass (const ShardpixBenchConfig *config)
{
  const ShardpixBenchPass *fastest = NULL;

  for (guint i = 0; i < config->passes->len; i++)
    {
      const ShardpixBenchPass *pass = g_ptr_array_index (config->passes, i);

      if (fastest == NULL || pass->wall_s < fastest->wall_s)
        fastest = pass;
    }
  return fastest;
}

/* A number, or "-" where the statistic is undefined. */
static void
bench_append_number (GString *out, int width, int precision, double value)
{
  if (isfinite (value))
    g_string_append_printf (out, " %*.*f", width, precision, value);
  else
    g_string_append_printf (out, " %*s", width, "-");
}

char *
shardpix_bench_table (const ShardpixBenchResults *results)
{
  GString *out = g_string_new (NULL);
  const ShardpixBenchConfig *best = shardpix_bench_best (results);

  g_string_append_printf (out, "%-11s %-12s %5s %9s %15s %8s %9s %7s %10s %10s\n", "config",
                          "mode", "N",
                          "wall s", "min-max s", "CPU s", "images/s", "speedup",
                          "efficiency", "Karp-Flatt");
  for (guint i = 0; i < results->configs->len; i++)
    {
      const ShardpixBenchConfig *config = g_ptr_array_index (results->configs, i);
      g_autofree char *range = g_strdup_printf ("%.2f-%.2f", config->wall_min_s,
                                                config->wall_max_s);

      g_string_append_printf (out, "%-11s %-12s %5u", config->name,
                              shardpix_mode_name (config->mode), config->processes);
      bench_append_number (out, 9, 2, config->wall_median_s);
      g_string_append_printf (out, " %15s", range);
      bench_append_number (out, 8, 2, config->cpu_median_s);
      bench_append_number (out, 9, 1, config->images_per_s);
      bench_append_number (out, 7, 2, config->speedup);
      bench_append_number (out, 10, 2, config->efficiency);
      bench_append_number (out, 10, 3, config->karp_flatt);
      g_string_append_c (out, '\n');
    }
  if (best != NULL)
    g_string_append_printf (out,
                            "best: %s (%s, %u): %.2fx the serial baseline, "
                            "efficiency %.2f, %.1f images/s\n",
                            best->name, shardpix_mode_name (best->mode), best->processes,
                            best->speedup, best->efficiency, best->images_per_s);
  return g_string_free (out, FALSE);
}
