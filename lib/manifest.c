#include "manifest.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "report.h"

/* The refused lines of one manifest. */
typedef struct {
  GString *text;
  guint64 count;
} ManifestProblems;

/* Names one refused line (@line 0: a path rather than a line) while fewer
 * than SHARDPIX_MANIFEST_MAX_NAMED were; counts it always. */
static void
manifest_refuse (ManifestProblems *problems, guint64 line, const char *path, const char *why)
{
  g_autofree char *display = NULL;

  if (++problems->count > SHARDPIX_MANIFEST_MAX_NAMED)
    return;
  display = shardpix_report_display_name (path);
  g_string_append (problems->text, "\n  ");
  if (line > 0)
    g_string_append_printf (problems->text, "line %" G_GUINT64_FORMAT ": ", line);
  g_string_append_printf (problems->text, "%s: %s", display, why);
}

/* "a//./b.jpg" -> "a/b.jpg"; NULL with *@why set for a path the manifest
 * may not name. Components are checked one by one because a listing could
 * never have produced "..", "/x" or ".hidden/x" either. */
static char *
manifest_normalise (const char *line, const char **why)
{
  g_auto (GStrv) parts = NULL;
  g_autoptr (GString) path = g_string_new (NULL);

  if (line[0] == '/')
    {
      *why = "absolute path: give paths relative to INPUT_DIR";
      return NULL;
    }
  parts = g_strsplit (line, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *part = parts[i];

      if (part[0] == '\0' || strcmp (part, ".") == 0)
        continue;
      if (strcmp (part, "..") == 0)
        {
          *why = "\"..\" may lead outside INPUT_DIR";
          return NULL;
        }
      if (part[0] == '.')
        {
          *why = "hidden name (a listing skips those too)";
          return NULL;
        }
      if (path->len > 0)
        g_string_append_c (path, '/');
      g_string_append (path, part);
    }
  if (path->len == 0)
    {
      *why = "names INPUT_DIR itself, not a file";
      return NULL;
    }
  return g_string_free (g_steal_pointer (&path), FALSE);
}

static int
manifest_compare (gconstpointer a, gconstpointer b)
{
  /* Bytewise, as shardpix_listing_new() sorts. */
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Reads every line of @file into @listing, refusing what may not be named. */
static gboolean
manifest_read_lines (FILE *file, ShardpixManifestFormat format, ShardpixListing *listing,
                     ManifestProblems *problems)
{
  const int delimiter = format == SHARDPIX_MANIFEST_NUL ? '\0' : '\n';
  g_autofree char *buffer = NULL;
  size_t size = 0;
  guint64 number = 0;
  ssize_t len;

  while ((len = getdelim (&buffer, &size, delimiter, file)) >= 0)
    {
      const char *why = NULL;
      char *normal;

      number++;

      if (len > 0 && buffer[len - 1] == delimiter)
        buffer[--len] = '\0';
      if (len == 0)
        continue;
      if ((size_t) len != strlen (buffer))
        {
          manifest_refuse (problems, number, buffer,
                           "holds a NUL byte (NUL-separated manifests need -0)");
          continue;
        }
      normal = manifest_normalise (buffer, &why);
      if (normal == NULL)
        manifest_refuse (problems, number, buffer, why);
      else if (!shardpix_listing_is_image_name (normal))
        {
          listing->n_skipped++;
          g_free (normal);
        }
      else
        g_ptr_array_add (listing->paths, normal);
    }
  return !ferror (file);
}

/* Sorted, a path named twice is a neighbour of itself: no hash table, no
 * memory beyond what the listing keeps. */
static void
manifest_refuse_duplicates (GPtrArray *sorted, ManifestProblems *problems)
{
  for (guint i = 1; i < sorted->len; i++)
    {
      guint last = i;
      g_autofree char *why = NULL;

      if (strcmp (sorted->pdata[i], sorted->pdata[i - 1]) != 0)
        continue;
      while (last + 1 < sorted->len && strcmp (sorted->pdata[last + 1], sorted->pdata[i]) == 0)
        last++;
      why = g_strdup_printf ("named %u times", last - i + 2);
      manifest_refuse (problems, 0, sorted->pdata[i], why);
      i = last;
    }
}

ShardpixListing *
shardpix_manifest_read (const char *root, const char *path, ShardpixManifestFormat format,
                        GError **error)
{
  g_autoptr (ShardpixListing) listing = g_new0 (ShardpixListing, 1);
  g_autoptr (GString) text = g_string_new (NULL);
  ManifestProblems problems = { text, 0 };
  gboolean from_stdin = strcmp (path, "-") == 0;
  FILE *file = from_stdin ? stdin : fopen (path, "re");
  gboolean read_ok;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  if (file == NULL)
    {
      g_autofree char *display = g_filename_display_name (path);
      int errsv = errno;

      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
                   "cannot open --files-from %s: %s", display, g_strerror (errsv));
      return NULL;
    }
  listing->root = g_strdup (root);
  listing->paths = g_ptr_array_new_with_free_func (g_free);
  read_ok = manifest_read_lines (file, format, listing, &problems);
  if (!from_stdin)
    fclose (file);
  if (!read_ok)
    {
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
                   "cannot read --files-from %s", from_stdin ? "standard input" : path);
      return NULL;
    }

  g_ptr_array_sort (listing->paths, manifest_compare);
  manifest_refuse_duplicates (listing->paths, &problems);
  if (problems.count > 0)
    {
      if (problems.count > SHARDPIX_MANIFEST_MAX_NAMED)
        g_string_append_printf (text, "\n  and %" G_GUINT64_FORMAT " more",
                                problems.count - SHARDPIX_MANIFEST_MAX_NAMED);
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
                   "--files-from %s: %" G_GUINT64_FORMAT " refused:%s",
                   from_stdin ? "-" : path, problems.count, text->str);
      return NULL;
    }
  return g_steal_pointer (&listing);
}
