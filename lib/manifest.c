#include "shardpix/manifest.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "shardpix/error.h"
#include "shardpix/report.h"

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

/* NULL when @line is a path the manifest may name, else why not. Each
 * component is checked because a listing could never have produced "..",
 * "/x" or ".hidden/x" either. */
static const char *
manifest_check (const char *line)
{
  gboolean empty = TRUE;

  if (line[0] == '/')
    return "absolute path: give paths relative to INPUT_DIR";
  for (const char *part = line; *part != '\0';)
    {
      const char *end = strchrnul (part, '/');
      gsize len = (gsize) (end - part);

      if (len == 2 && part[0] == '.' && part[1] == '.')
        return "\"..\" may lead outside INPUT_DIR";
      if (len > 1 && part[0] == '.')
        return "hidden name (a listing skips those too)";
      if (len > 0 && !(len == 1 && part[0] == '.'))
        empty = FALSE;
      part = *end == '/' ? end + 1 : end;
    }
  return empty ? "names INPUT_DIR itself, not a file" : NULL;
}

/* "a//./b.jpg" -> "a/b.jpg", in place (never longer), for a line that
 * passed manifest_check(). In place, with one exact-size copy kept per
 * name, so that a million-line manifest costs what a listing of a million
 * files costs. */
static void
manifest_compact (char *line)
{
  char *out = line;

  for (const char *part = line; *part != '\0';)
    {
      const char *end = strchrnul (part, '/');
      gsize len = (gsize) (end - part);

      if (len > 0 && !(len == 1 && part[0] == '.'))
        {
          if (out != line)
            *out++ = '/';
          memmove (out, part, len);
          out += len;
        }
      part = *end == '/' ? end + 1 : end;
    }
  *out = '\0';
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
      const char *why;

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
      why = manifest_check (buffer);
      if (why != NULL)
        {
          manifest_refuse (problems, number, buffer, why);
          continue;
        }
      manifest_compact (buffer);
      if (!shardpix_listing_is_image_name (buffer))
        shardpix_listing_skip (listing, SHARDPIX_SKIP_EXTENSION, buffer);
      else
        g_ptr_array_add (listing->paths, g_strdup (buffer));
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
  g_autoptr (ShardpixListing) listing = shardpix_listing_new_empty (root);
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

      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_INPUT,
                   "cannot open --files-from %s: %s", display, g_strerror (errsv));
      return NULL;
    }
  read_ok = manifest_read_lines (file, format, listing, &problems);
  if (!from_stdin)
    fclose (file);
  if (!read_ok)
    {
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_INPUT,
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
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_INPUT,
                   "--files-from %s: %" G_GUINT64_FORMAT " refused:%s",
                   from_stdin ? "-" : path, problems.count, text->str);
      return NULL;
    }
  return g_steal_pointer (&listing);
}
