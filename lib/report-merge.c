#include "shardpix/report-merge.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "shardpix/error.h"
#include "shardpix/slice.h"

typedef struct {
  char *path;
  JsonParser *parser; /* owns root */
  JsonObject *root;
  JsonObject *slice;
  guint index, count, start, files, listing_images;
  const char *sha256;
  const char *balance;
  ShardpixSliceBalance slice_balance;
} MergeReport;

struct _ShardpixReportMerge {
  GPtrArray *reports; /* MergeReport *, in the order given */
};

static void
merge_report_free (MergeReport *report)
{
  g_free (report->path);
  g_clear_object (&report->parser);
  g_free (report);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MergeReport, merge_report_free)

ShardpixReportMerge *
shardpix_report_merge_new (void)
{
  ShardpixReportMerge *merge = g_new0 (ShardpixReportMerge, 1);

  merge->reports = g_ptr_array_new_with_free_func ((GDestroyNotify) merge_report_free);
  return merge;
}

void
shardpix_report_merge_free (ShardpixReportMerge *merge)
{
  if (merge == NULL)
    return;
  g_ptr_array_unref (merge->reports);
  g_free (merge);
}

static gint64
merge_int (JsonObject *object, const char *member)
{
  return object ? json_object_get_int_member_with_default (object, member, 0) : 0;
}

static JsonObject *
merge_object (JsonObject *object, const char *member)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;

  return node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
merge_array (JsonObject *object, const char *member)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;

  return node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

/* A slice member must be there and be a non-negative integer. */
static gboolean
merge_uint (JsonObject *object, const char *member, guint *value)
{
  JsonNode *node = json_object_get_member (object, member);
  gint64 v;

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  v = json_node_get_int (node);
  if (v < 0 || v > G_MAXUINT)
    return FALSE;
  *value = (guint) v;
  return TRUE;
}

gboolean
shardpix_report_merge_add_file (ShardpixReportMerge *merge, const char *path, GError **error)
{
  g_autoptr (MergeReport) report = g_new0 (MergeReport, 1);
  JsonNode *root;

  report->path = g_strdup (path);
  report->parser = json_parser_new ();
  if (!json_parser_load_from_file (report->parser, path, error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  root = json_parser_get_root (report->parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)
      || g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (root),
                                                                "schema", ""),
                    "shardpix-run/1") != 0)
    {
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
                   "%s: not a shardpix run report (run --report)", path);
      return FALSE;
    }
  report->root = json_node_get_object (root);
  report->slice = merge_object (merge_object (report->root, "settings"), "slice");
  if (report->slice == NULL)
    {
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
                   "%s: records no slice: it is from a run without --slice", path);
      return FALSE;
    }
  report->sha256 = json_object_get_string_member_with_default (report->slice,
                                                               "listing_sha256", NULL);
  /* Reports from before --slice-balance were cut by count. */
  report->balance = json_object_get_string_member_with_default (report->slice, "balance",
                                                                "count");
  if (!merge_uint (report->slice, "index", &report->index)
      || !merge_uint (report->slice, "count", &report->count)
      || !merge_uint (report->slice, "start", &report->start)
      || !merge_uint (report->slice, "files", &report->files)
      || !merge_uint (report->slice, "listing_images", &report->listing_images)
      || report->sha256 == NULL || report->count < 1 || report->index >= report->count
      || !shardpix_slice_balance_parse (report->balance, &report->slice_balance, NULL))
    {
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
                   "%s: its \"slice\" object is incomplete or out of range", path);
      return FALSE;
    }
  g_ptr_array_add (merge->reports, g_steal_pointer (&report));
  return TRUE;
}

/* The reports ordered by slice; reports of one slice stay in the order given. */
static gint
merge_compare (gconstpointer a, gconstpointer b)
{
  const MergeReport *x = *(MergeReport *const *) a;
  const MergeReport *y = *(MergeReport *const *) b;

  return x->index < y->index ? -1 : x->index > y->index;
}

/* Every slice there once, and (what a cut by bytes needs checking) each
 * starting where the one before ended, the last ending with the listing. */
static void
merge_check_cover (MergeReport **owner, guint m, const MergeReport *first, GString *problems)
{
  guint end = 0; /* where the slices so far end, when all of them are there */
  gboolean known = TRUE;

  for (guint k = 0; k < m; k++)
    {
      ShardpixSlice slice = { k, m };
      ShardpixRange range = shardpix_slice_range (&slice, first->listing_images);

      if (owner[k] == NULL)
        {
          if (first->slice_balance != SHARDPIX_SLICE_BALANCE_COUNT)
            g_string_append_printf (problems, "\n  slice %u/%u missing", k, m);
          else if (range.count > 0)
            g_string_append_printf (problems,
                                    "\n  slice %u/%u missing (listing indexes %u..%u, %u images)",
                                    k, m, range.start, range.start + range.count - 1,
                                    range.count);
          else
            g_string_append_printf (problems, "\n  slice %u/%u missing (it holds no image)", k,
                                    m);
          known = FALSE;
          continue;
        }
      if (known && owner[k]->start != end)
        g_string_append_printf (problems,
                                "\n  %s: slice %u/%u starts at index %u, the slices before it "
                                "end at %u",
                                owner[k]->path, k, m, owner[k]->start, end);
      end = owner[k]->start + owner[k]->files;
      known = TRUE;
    }
  if (known && end != first->listing_images)
    g_string_append_printf (problems, "\n  the last slice ends at index %u of %u images", end,
                            first->listing_images);
}

gboolean
shardpix_report_merge_check (ShardpixReportMerge *merge, GError **error)
{
  g_autoptr (GString) problems = g_string_new (NULL);
  g_autofree MergeReport **owner = NULL;
  const MergeReport *first;
  guint m;

  if (merge->reports->len == 0)
    {
      g_set_error_literal (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE, "no report to merge");
      return FALSE;
    }
  g_ptr_array_sort (merge->reports, merge_compare);
  first = g_ptr_array_index (merge->reports, 0);
  m = first->count;
  owner = g_new0 (MergeReport *, m);
  for (guint i = 0; i < merge->reports->len; i++)
    {
      MergeReport *report = g_ptr_array_index (merge->reports, i);
      ShardpixSlice slice = { report->index, report->count };
      ShardpixRange expected;

      if (report->count != m)
        {
          g_string_append_printf (problems,
                                  "\n  %s is slice %u/%u but %s is slice %u/%u: "
                                  "the listing was cut into different numbers of slices",
                                  report->path, report->index, report->count, first->path,
                                  first->index, first->count);
          continue;
        }
      if (report->listing_images != first->listing_images
          || strcmp (report->sha256, first->sha256) != 0)
        {
          g_string_append_printf (problems,
                                  "\n  %s is slice %u/%u of another listing (%u images, %.12s) "
                                  "than %s (%u images, %.12s)",
                                  report->path, report->index, report->count,
                                  report->listing_images, report->sha256, first->path,
                                  first->listing_images, first->sha256);
          continue;
        }
      if (report->slice_balance != first->slice_balance)
        {
          g_string_append_printf (problems,
                                  "\n  %s is slice %u/%u by %s but %s is slice %u/%u by %s: "
                                  "the listing was cut two ways",
                                  report->path, report->index, m, report->balance, first->path,
                                  first->index, m, first->balance);
          continue;
        }
      /* A count cut is known from the listing alone; a cut by bytes
       * depends on sizes only the runs saw, so it is checked below by
       * the slices meeting end to end. */
      expected = report->slice_balance == SHARDPIX_SLICE_BALANCE_COUNT
                   ? shardpix_slice_range (&slice, report->listing_images)
                   : (ShardpixRange) { report->start, report->files };
      if (expected.start != report->start || expected.count != report->files
          || (guint64) report->start + report->files > report->listing_images)
        {
          g_string_append_printf (problems,
                                  "\n  %s: slice %u/%u holds indexes from %u (%u files), "
                                  "expected from %u (%u files)",
                                  report->path, report->index, m, report->start, report->files,
                                  expected.start, expected.count);
          continue;
        }
      if (owner[report->index] != NULL)
        {
          g_string_append_printf (problems, "\n  slice %u/%u twice: %s and %s", report->index,
                                  m, owner[report->index]->path, report->path);
          continue;
        }
      owner[report->index] = report;
    }
  merge_check_cover (owner, m, first, problems);
  if (problems->len == 0)
    return TRUE;
  g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
               "the reports do not cover the listing exactly once:%s", problems->str);
  return FALSE;
}

void
shardpix_report_merge_totals (ShardpixReportMerge *merge, ShardpixReportMergeTotals *totals)
{
  memset (totals, 0, sizeof *totals);
  for (guint i = 0; i < merge->reports->len; i++)
    {
      const MergeReport *report = g_ptr_array_index (merge->reports, i);

      totals->slices = report->count;
      totals->listing_images = report->listing_images;
      totals->ok += (guint) merge_int (report->root, "ok");
      totals->failed += (guint) merge_int (report->root, "failed");
      totals->undone += (guint) merge_int (report->root, "undone");
      totals->wall_us = MAX (totals->wall_us, merge_int (report->root, "wall_us"));
      if (json_object_get_boolean_member_with_default (report->root, "child_failed", FALSE))
        totals->child_failed = TRUE;
    }
}

/* Names come from files; one with a newline or an escape must not forge
 * lines of the summary. */
static char *
merge_display (const char *text)
{
  if (text == NULL)
    return g_strdup ("?");
  for (const char *p = text; *p; p++)
    if ((unsigned char) *p < 0x20 || *p == 0x7f || *p == '\\')
      return g_strescape (text, NULL);
  return g_strdup (text);
}

static void
merge_text_slices (ShardpixReportMerge *merge, GString *out)
{
  g_string_append_printf (out, "%7s %7s %7s %6s %6s %6s %6s %8s  %s\n", "slice", "first", "last",
                          "files", "ok", "failed", "undone", "wall s", "report");
  for (guint i = 0; i < merge->reports->len; i++)
    {
      const MergeReport *r = g_ptr_array_index (merge->reports, i);
      g_autofree char *name = g_strdup_printf ("%u/%u", r->index, r->count);
      g_autofree char *path = merge_display (r->path);

      if (r->files > 0)
        g_string_append_printf (out, "%7s %7u %7u", name, r->start, r->start + r->files - 1);
      else
        g_string_append_printf (out, "%7s %7s %7s", name, "-", "-");
      g_string_append_printf (out, " %6u %6" G_GINT64_FORMAT " %6" G_GINT64_FORMAT
                              " %6" G_GINT64_FORMAT " %8.2f  %s\n",
                              r->files, merge_int (r->root, "ok"), merge_int (r->root, "failed"),
                              merge_int (r->root, "undone"),
                              merge_int (r->root, "wall_us") / 1e6, path);
    }
}

static void
merge_text_children (ShardpixReportMerge *merge, GString *out)
{
  g_string_append_printf (out, "\n%7s %5s %8s %6s %6s %6s %6s %8s  %s\n", "slice", "shard",
                          "pid", "files", "ok", "failed", "undone", "wall s", "exit");
  for (guint i = 0; i < merge->reports->len; i++)
    {
      const MergeReport *r = g_ptr_array_index (merge->reports, i);
      JsonArray *children = merge_array (r->root, "children");
      g_autofree char *name = g_strdup_printf ("%u/%u", r->index, r->count);

      for (guint c = 0; children != NULL && c < json_array_get_length (children); c++)
        {
          JsonObject *child = json_array_get_object_element (children, c);
          g_autofree char *exit_text = merge_display (
            json_object_get_string_member_with_default (merge_object (child, "exit"), "text",
                                                        "?"));

          g_string_append_printf (out, "%7s %5" G_GINT64_FORMAT " %8" G_GINT64_FORMAT
                                  " %6" G_GINT64_FORMAT " %6" G_GINT64_FORMAT " %6" G_GINT64_FORMAT
                                  " %6" G_GINT64_FORMAT " %8.2f  %s\n",
                                  name, merge_int (child, "shard"), merge_int (child, "pid"),
                                  merge_int (child, "files"), merge_int (child, "ok"),
                                  merge_int (child, "failed"), merge_int (child, "undone"),
                                  merge_int (child, "wall_us") / 1e6, exit_text);
        }
    }
}

/* A failure's index is the slice's; start + index is the whole listing's. */
static void
merge_text_failures (ShardpixReportMerge *merge, GString *out)
{
  gboolean any = FALSE;

  for (guint i = 0; i < merge->reports->len; i++)
    {
      const MergeReport *r = g_ptr_array_index (merge->reports, i);
      JsonArray *failures = merge_array (r->root, "failures");

      for (guint f = 0; failures != NULL && f < json_array_get_length (failures); f++)
        {
          JsonObject *failure = json_array_get_object_element (failures, f);
          g_autofree char *name = merge_display (
            json_object_get_string_member_with_default (failure, "name", NULL));
          g_autofree char *reason = merge_display (
            json_object_get_string_member_with_default (failure, "reason", NULL));

          if (!any)
            g_string_append (out, "\nfailures:\n");
          any = TRUE;
          g_string_append_printf (out, "  %" G_GINT64_FORMAT " %s (slice %u/%u): %s\n",
                                  r->start + merge_int (failure, "index"), name, r->index,
                                  r->count, reason);
        }
    }
}

char *
shardpix_report_merge_text (ShardpixReportMerge *merge)
{
  GString *out = g_string_new (NULL);
  ShardpixReportMergeTotals totals;
  const MergeReport *first = merge->reports->len ? g_ptr_array_index (merge->reports, 0) : NULL;

  shardpix_report_merge_totals (merge, &totals);
  merge_text_slices (merge, out);
  merge_text_children (merge, out);
  merge_text_failures (merge, out);
  g_string_append_printf (out,
                          "\nlisting %u images (sha256 %.12s) in %u slices: ok %u  failed %u  "
                          "undone %u  longest slice %.2f s%s\n",
                          totals.listing_images, first ? first->sha256 : "-", totals.slices,
                          totals.ok, totals.failed, totals.undone, totals.wall_us / 1e6,
                          totals.child_failed ? "  (a worker could not run)" : "");
  return g_string_free (out, FALSE);
}
