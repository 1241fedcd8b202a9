#include "shardpix/svg.h"

#include <locale.h>
#include <math.h>

#define SVG_WIDTH 900
#define SVG_ROW 22
#define SVG_MARGIN 60

static const char svg_ok_colours[2][8] = { "#4e79a7", "#76b7b2" };
static const char svg_failed_colour[] = "#e15759";

/* Coordinates must use '.', whatever LC_NUMERIC the user runs under. */
typedef struct {
  locale_t c;
  locale_t saved;
} SvgLocale;

static void
svg_locale_enter (SvgLocale *l)
{
  l->c = newlocale (LC_NUMERIC_MASK, "C", (locale_t) 0);
  l->saved = l->c ? uselocale (l->c) : (locale_t) 0;
}

static void
svg_locale_leave (SvgLocale *l)
{
  if (l->c == (locale_t) 0)
    return;
  uselocale (l->saved);
  freelocale (l->c);
}

static char *
svg_text (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);

  return g_markup_escape_text (valid, -1);
}

static void
svg_begin (GString *out, int width, int height, const char *title)
{
  g_autofree char *escaped = svg_text (title);

  g_string_append_printf (out,
                          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
                          "height=\"%d\" viewBox=\"0 0 %d %d\" "
                          "font-family=\"sans-serif\" font-size=\"12\">\n"
                          "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
                          "<text x=\"%d\" y=\"24\" font-size=\"16\">%s</text>\n",
                          width, height, width, height, SVG_MARGIN, escaped);
}

/* A "nice" step for about @ticks ticks over [0, @max]. */
static double
svg_step (double max, int ticks)
{
  double raw = max / ticks;
  double magnitude = pow (10, floor (log10 (raw)));
  double r = raw / magnitude;

  return magnitude * (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10);
}

/* The Gantt chart in the box (@x, @y, @w, @h); returns the height used. */
static int
svg_timeline_panel (GString *out, int x, int y, int w, const ShardpixRunRecord *report,
                    GPtrArray *paths, const char *heading)
{
  guint rows = report->children->len;
  int plot_h = MAX (rows, 1) * SVG_ROW;
  double end_us = MAX (report->wall_us, 1);
  double step;

  for (guint i = 0; i < rows; i++)
    {
      const ShardpixChildRecord *child = g_ptr_array_index (report->children, i);
      end_us = MAX (end_us, (double) child->started_us + child->wall_us);
    }
  step = svg_step (end_us / 1e6, 8);
  g_string_append_printf (out, "<text x=\"%d\" y=\"%d\" font-size=\"14\">%s</text>\n", x,
                          y - 8, heading);
  for (double t = 0; t <= end_us / 1e6 + 1e-9; t += step)
    {
      double tx = x + w * (t * 1e6 / end_us);
      g_string_append_printf (out,
                              "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" "
                              "stroke=\"#ddd\"/>\n"
                              "<text x=\"%.2f\" y=\"%d\" text-anchor=\"middle\">%g</text>\n",
                              tx, y, tx, y + plot_h, tx, y + plot_h + 14, t);
    }
  g_string_append_printf (out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">seconds since "
                          "the run started</text>\n", x + w / 2, y + plot_h + 30);
  for (guint i = 0; i < rows; i++)
    {
      const ShardpixChildRecord *child = g_ptr_array_index (report->children, i);
      int ry = y + (int) i * SVG_ROW;
      double cx = x + w * (child->started_us / end_us);

      g_string_append_printf (out,
                              "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">shard %u</text>\n"
                              "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" "
                              "fill=\"#eee\"><title>pid %d: %u ok, %u failed</title></rect>\n",
                              x - 6, ry + SVG_ROW / 2 + 4, child->shard, cx, ry + 2,
                              w * (child->wall_us / end_us), SVG_ROW - 4, (int) child->pid,
                              child->n_ok, child->n_failed);
      for (guint k = 0; child->images != NULL && k < child->images->len; k++)
        {
          const ShardpixImageTiming *t = &g_array_index (child->images, ShardpixImageTiming, k);
          double bx = x + w * ((child->started_us + (double) t->start_us) / end_us);
          /* A failure is often quick: keep its red bar visible. */
          double bw = MAX (w * (t->wall_us / end_us), t->ok ? 0.5 : 3);
          g_autofree char *name = NULL;

          if (paths != NULL && t->index < paths->len)
            name = svg_text (g_ptr_array_index (paths, t->index));
          g_string_append_printf (out,
                                  "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" "
                                  "fill=\"%s\"><title>%s%s%.1f ms%s</title></rect>\n",
                                  bx, ry + 4, bw, SVG_ROW - 8,
                                  t->ok ? svg_ok_colours[k % 2] : svg_failed_colour,
                                  name ? name : "", name ? ": " : "", t->wall_us / 1e3,
                                  t->ok ? "" : ", failed");
        }
    }
  return plot_h + 40;
}

char *
shardpix_svg_timeline (const ShardpixRunRecord *report, GPtrArray *paths, const char *title)
{
  GString *out = g_string_new (NULL);
  GString *body = g_string_new (NULL);
  SvgLocale locale;
  int used;

  svg_locale_enter (&locale);
  used = svg_timeline_panel (body, SVG_MARGIN + 20, 70, SVG_WIDTH - 2 * SVG_MARGIN - 20,
                             report, paths, "one row per worker, one bar per image (red: failed)");
  svg_begin (out, SVG_WIDTH, 70 + used + 10, title);
  g_string_append (out, body->str);
  g_string_append (out, "</svg>\n");
  svg_locale_leave (&locale);
  g_string_free (body, TRUE);
  return g_string_free (out, FALSE);
}

/* The colour of each mode's line in the speedup panel. */
static const char *
svg_mode_colour (ShardpixMode mode)
{
  switch (mode)
    {
    case SHARDPIX_MODE_PROCESSES:
      return "#4e79a7";
    case SHARDPIX_MODE_THREADS:
      return "#e15759";
    case SHARDPIX_MODE_VIPS_THREADS:
      return "#59a14f";
    case SHARDPIX_MODE_SERIAL:
      break;
    }
  return "#999";
}

typedef struct {
  double px, py;
  const ShardpixBenchConfig *config;
} SvgLabel;

static int
svg_label_compare (gconstpointer a, gconstpointer b)
{
  const SvgLabel *la = a, *lb = b;

  if (la->px != lb->px)
    return la->px < lb->px ? -1 : 1;
  return la->py < lb->py ? -1 : la->py > lb->py;
}

/* Each point's speedup next to it, top to bottom at each worker count, a
 * label never over the one above: modes often share a point at 1 worker,
 * and the order of the labels stays the order of the points. */
static void
svg_speedup_labels (GString *out, int x, int y, int w, int h, double max_p, double max_s,
                    const ShardpixBenchResults *results)
{
  g_autoptr (GArray) labels = g_array_new (FALSE, FALSE, sizeof (SvgLabel));
  double last_px = NAN;
  double last_y = 0;

  for (guint i = 0; i < results->configs->len; i++)
    {
      const ShardpixBenchConfig *c = g_ptr_array_index (results->configs, i);
      SvgLabel label = { x + w * ((c->processes - 1) / (max_p - 1)),
                         y + h - h * (c->speedup / max_s), c };

      if (!c->serial && isfinite (c->speedup))
        g_array_append_val (labels, label);
    }
  g_array_sort (labels, svg_label_compare);
  for (guint i = 0; i < labels->len; i++)
    {
      const SvgLabel *l = &g_array_index (labels, SvgLabel, i);
      double ly = l->py - 6;

      if (l->px == last_px && ly < last_y + 13)
        ly = last_y + 13;
      last_px = l->px;
      last_y = ly;
      g_string_append_printf (out, "<text x=\"%.2f\" y=\"%.2f\" fill=\"%s\">%.2fx</text>\n",
                              l->px + 6, ly, svg_mode_colour (l->config->mode),
                              l->config->speedup);
    }
}

/* One mode's speedups as a line with its points, and its legend entry
 * (number @legend, counted up) in a row under the panel. */
static void
svg_speedup_line (GString *out, int x, int y, int w, int h, double max_p, double max_s,
                  const ShardpixBenchResults *results, ShardpixMode mode, guint *legend)
{
  const char *colour = svg_mode_colour (mode);
  gboolean first = TRUE;
  int lx;

  for (guint i = 0; i < results->configs->len; i++)
    {
      const ShardpixBenchConfig *c = g_ptr_array_index (results->configs, i);

      if (c->mode != mode || !isfinite (c->speedup))
        continue;
      if (first)
        g_string_append_printf (out, "<polyline fill=\"none\" stroke=\"%s\" "
                                "stroke-width=\"2\" points=\"", colour);
      g_string_append_printf (out, "%s%.2f,%.2f", first ? "" : " ",
                              x + w * ((c->processes - 1) / (max_p - 1)),
                              y + h - h * (c->speedup / max_s));
      first = FALSE;
    }
  if (first)
    return;
  g_string_append (out, "\"/>\n");
  for (guint i = 0; i < results->configs->len; i++)
    {
      const ShardpixBenchConfig *c = g_ptr_array_index (results->configs, i);
      double px = x + w * ((c->processes - 1) / (max_p - 1));
      double py = y + h - h * (c->speedup / max_s);

      if (c->mode != mode || !isfinite (c->speedup))
        continue;
      g_string_append_printf (out,
                              "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"4\" fill=\"%s\">"
                              "<title>%s: %.2fx</title></circle>\n",
                              px, py, colour, c->name, c->speedup);
    }
  lx = x + 140 * (int) *legend;
  g_string_append_printf (out,
                          "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                          "stroke-width=\"3\"/>\n"
                          "<text x=\"%d\" y=\"%d\">%s</text>\n",
                          lx, y + h + 50, lx + 24, y + h + 50, colour, lx + 30, y + h + 54,
                          shardpix_mode_name (mode));
  (*legend)++;
}

/* Speedup against process count in the box (@x, @y, @w, @h). */
static void
svg_speedup_panel (GString *out, int x, int y, int w, int h,
                   const ShardpixBenchResults *results)
{
  double max_p = 1;
  double max_s = 1;
  double step;
  guint legend = 0;

  for (guint i = 0; i < results->configs->len; i++)
    {
      const ShardpixBenchConfig *c = g_ptr_array_index (results->configs, i);
      max_p = MAX (max_p, c->processes);
      if (isfinite (c->speedup))
        max_s = MAX (max_s, c->speedup);
    }
  max_s = MAX (max_s, max_p);
  max_p = MAX (max_p, 2);
  step = svg_step (max_s, 5);
  g_string_append_printf (out,
                          "<text x=\"%d\" y=\"%d\" font-size=\"14\">speedup over the serial "
                          "baseline (median wall time); dashed: ideal</text>\n",
                          x, y - 8);
  for (double s = 0; s <= max_s + 1e-9; s += step)
    {
      double sy = y + h - h * (s / max_s);
      g_string_append_printf (out,
                              "<line x1=\"%d\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\" "
                              "stroke=\"#ddd\"/>\n"
                              "<text x=\"%d\" y=\"%.2f\" text-anchor=\"end\">%g</text>\n",
                              x, sy, x + w, sy, x - 6, sy + 4, s);
    }
  for (guint i = 0; i < results->configs->len; i++)
    {
      const ShardpixBenchConfig *c = g_ptr_array_index (results->configs, i);
      double px = x + w * ((c->processes - 1) / (max_p - 1));

      if (c->serial)
        continue;
      g_string_append_printf (out,
                              "<text x=\"%.2f\" y=\"%d\" text-anchor=\"middle\">%u</text>\n", px,
                              y + h + 16, c->processes);
    }
  g_string_append_printf (out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">workers "
                          "(processes, threads or libvips threads)</text>\n", x + w / 2,
                          y + h + 32);
  /* Ideal: speedup p on p processes. */
  g_string_append_printf (out,
                          "<line x1=\"%d\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#999\" "
                          "stroke-dasharray=\"6 4\"/>\n",
                          x, y + h - h * (1 / max_s), x + w * ((MIN (max_p, max_s) - 1) / (max_p - 1)),
                          y + h - h * (MIN (max_p, max_s) / max_s));
  for (ShardpixMode mode = SHARDPIX_MODE_PROCESSES; mode <= SHARDPIX_MODE_VIPS_THREADS; mode++)
    svg_speedup_line (out, x, y, w, h, max_p, max_s, results, mode, &legend);
  svg_speedup_labels (out, x, y, w, h, max_p, max_s, results);
}

/* The fastest processes configuration: only those passes record each worker's
 * images (the in-process modes run as one `run` child). */
static const ShardpixBenchConfig *
svg_best_with_timeline (const ShardpixBenchResults *results)
{
  const ShardpixBenchConfig *best = NULL;

  for (guint i = 0; i < results->configs->len; i++)
    {
      const ShardpixBenchConfig *c = g_ptr_array_index (results->configs, i);

      if (c->mode == SHARDPIX_MODE_PROCESSES && c->passes->len > 0
          && (best == NULL || c->speedup > best->speedup))
        best = c;
    }
  return best;
}

char *
shardpix_svg_bench (const ShardpixBenchResults *results, GPtrArray *paths, const char *title)
{
  GString *out = g_string_new (NULL);
  GString *body = g_string_new (NULL);
  const ShardpixBenchConfig *best = svg_best_with_timeline (results);
  const ShardpixBenchPass *pass = best ? shardpix_bench_fastest_pass (best) : NULL;
  int plot_w = SVG_WIDTH - 2 * SVG_MARGIN - 20;
  int height = 70 + 260 + 70;
  SvgLocale locale;

  svg_locale_enter (&locale);
  svg_speedup_panel (body, SVG_MARGIN + 20, 70, plot_w, 260, results);
  if (pass != NULL && pass->run != NULL)
    {
      g_autofree char *heading =
        g_strdup_printf ("timeline of the fastest %s pass (%.2f s): one row per worker, "
                         "one bar per image (red: failed)", best->name, pass->wall_s);
      height += svg_timeline_panel (body, SVG_MARGIN + 20, height + 20, plot_w, pass->run,
                                    paths, heading) + 20;
    }
  svg_begin (out, SVG_WIDTH, height + 10, title);
  g_string_append (out, body->str);
  g_string_append (out, "</svg>\n");
  svg_locale_leave (&locale);
  g_string_free (body, TRUE);
  return g_string_free (out, FALSE);
}
