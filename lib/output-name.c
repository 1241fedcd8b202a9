#include "shardpix/output-name.h"

#include <string.h>
#include <sys/random.h>

#include "shardpix/error.h"

static const char *const output_name_extensions[] = {
  "jpg", "jpeg", "png", "webp", "tif", "tiff", "gif", "heic", "heif", "avif", "jxl",
};

static const struct {
  const char *format;
  const char *template;
} output_name_formats[] = {
  { "jpeg", "%s.jpg" }, { "jpg", "%s.jpg" },   { "png", "%s.png" },
  { "webp", "%s.webp" }, { "tiff", "%s.tif" }, { "tif", "%s.tif" },
  { "avif", "%s.avif" }, { "heic", "%s.heic" }, { "heif", "%s.heic" }, { "jxl", "%s.jxl" },
};

const char *
shardpix_output_name_format_template (const char *format)
{
  for (guint i = 0; i < G_N_ELEMENTS (output_name_formats); i++)
    if (g_ascii_strcasecmp (format, output_name_formats[i].format) == 0)
      return output_name_formats[i].template;
  return NULL;
}

static gboolean
output_name_fail (GError **error, const char *template, const char *why)
{
  g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE, "invalid --output-name '%s': %s",
               template, why);
  return FALSE;
}

/* "Q=80,strip" : what libvips' option parser takes, minus quoting, which
 * no saver option needs. */
static gboolean
output_name_options_valid (const char *options, gsize len)
{
  g_auto (GStrv) items = NULL;
  g_autofree char *copy = g_strndup (options, len);

  if (len == 0)
    return FALSE;
  items = g_strsplit (copy, ",", -1);
  for (guint i = 0; items[i]; i++)
    {
      const char *p = items[i];

      if (!g_ascii_isalpha (*p))
        return FALSE;
      while (g_ascii_isalnum (*p) || *p == '_' || *p == '-')
        p++;
      if (*p == '\0')
        continue;
      if (*p != '=' || p[1] == '\0' || strpbrk (p + 1, "[]=") != NULL)
        return FALSE;
    }
  return TRUE;
}

gboolean
shardpix_output_name_check (const char *template, GError **error)
{
  const char *bracket = strchr (template, '[');
  gsize stem_len = bracket ? (gsize) (bracket - template) : strlen (template);
  g_autofree char *stem = g_strndup (template, stem_len);
  const char *dot = strrchr (stem, '.');

  if (stem_len == 0 || strchr (template, '/') != NULL)
    return output_name_fail (error, template, "expected a file name such as tn_%s.webp");
  if (template[0] == '.')
    return output_name_fail (error, template, "output names may not start with '.'");
  for (const char *p = stem; *p; p++)
    if (*p == '%')
      {
        if (p[1] != 's' && p[1] != '%')
          return output_name_fail (error, template, "only %s and %% may follow '%'");
        p++;
      }
  if (bracket != NULL
      && (template[strlen (template) - 1] != ']'
          || !output_name_options_valid (bracket + 1, strlen (bracket) - 2)))
    return output_name_fail (error, template, "save options are [name=value,...] at the end");
  if (dot == NULL)
    return output_name_fail (error, template, "no extension to pick the format from");
  for (guint i = 0; i < G_N_ELEMENTS (output_name_extensions); i++)
    if (g_ascii_strcasecmp (dot + 1, output_name_extensions[i]) == 0)
      return TRUE;
  return output_name_fail (error, template,
                      "the extension must be jpg, jpeg, png, webp, tif, tiff, gif, heic, heif, avif "
                      "or jxl");
}

void
shardpix_output_name_expand (const char *template, const char *rel, char **name, char **options)
{
  g_autofree char *dir = g_path_get_dirname (rel);
  g_autofree char *base = g_path_get_basename (rel);
  const char *bracket = strchr (template, '[');
  const char *end = bracket ? bracket : template + strlen (template);
  char *dot = strrchr (base, '.');
  GString *out = g_string_new (NULL);

  if (dot != NULL && dot != base)
    *dot = '\0';
  for (const char *p = template; p < end; p++)
    {
      if (*p == '%' && p[1] == 's')
        g_string_append (out, base), p++;
      else if (*p == '%' && p[1] == '%')
        g_string_append_c (out, '%'), p++;
      else
        g_string_append_c (out, *p);
    }
  if (strcmp (dir, ".") == 0)
    *name = g_string_free (out, FALSE);
  else
    {
      *name = g_build_filename (dir, out->str, NULL);
      g_string_free (out, TRUE);
    }
  *options = bracket ? g_strndup (bracket + 1, strlen (bracket) - 2) : g_strdup ("");
}

void
shardpix_output_name_ensure_run_token (ShardpixJob *job)
{
  g_autoptr (GString) token = g_string_new (NULL);
  guint64 bits;

  if (job->run_token != NULL)
    return;
  /* The host keeps runs on two machines apart even if both drew the same
   * bits; the bits keep apart runs on one host whose pids coincide. */
  for (const char *p = g_get_host_name (); *p != '\0' && token->len < 32; p++)
    g_string_append_c (token, g_ascii_isalnum (*p) || *p == '-' ? *p : '_');
  if (getrandom (&bits, sizeof bits, 0) != (ssize_t) sizeof bits)
    bits = ((guint64) g_random_int () << 32) ^ g_random_int ()
           ^ (guint64) g_get_real_time ();
  g_string_append_printf (token, "-%016" G_GINT64_MODIFIER "x", bits);
  job->run_token = g_string_free (g_steal_pointer (&token), FALSE);
}

char *
shardpix_output_name_temp (const ShardpixJob *job, GPid pid, guint index)
{
  return g_strdup_printf (".shardpix-%s-%d-%u.tmp", job->run_token ? job->run_token : "local",
                          (int) pid, index);
}
