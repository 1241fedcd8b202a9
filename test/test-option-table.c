/* The option table (lib/options.c) against every place an option shows:
 * `--help` of each command that takes it, the man page and the README
 * (with its placeholder), the "settings" of a real `run --report`, and
 * what the real workers of that run parsed from their argv (echoed under
 * G_MESSAGES_DEBUG=shardpix). An option added to the table and missing
 * from one of them, or lost on the way to the workers, fails here. */
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "shardpix/options.h"
#include "shardpix/report-json.h"
#include "shardpix/vips-autoptr.h"

#include "fixtures.h"

typedef FixturesDirs Fixture;

/* A value other than the default for every option of the table, the run
 * it goes into (options that exclude each other go into different runs),
 * and the members of "settings" it must give. */
static const struct {
  const char *option;
  guint run;
  const char *value; /* NULL: a flag */
  const char *members;
} samples[] = {
  { "size", 0, "40x30!", "{\"width\": 40, \"height\": 30, \"force\": true}" },
  { "crop", 1, "entropy", "{\"crop\": \"entropy\"}" },
  { "enlarge", 0, NULL, "{\"enlarge\": true}" },
  { "no-rotate", 1, NULL, "{\"no_rotate\": true}" },
  { "keep-metadata", 0, NULL, "{\"keep_metadata\": true}" },
  { "color", 0, NULL, "{\"color\": true}" },
  { "gray", 1, "linear", "{\"gray\": \"linear\"}" },
  { "no-fast-paths", 0, NULL, "{\"fast_paths\": false}" },
  { "output-name", 0, "tn_%s.png", "{\"output_name\": \"tn_%s.png\"}" },
  { "format", 1, "webp", "{\"output_name\": \"%s.webp\"}" },
  { "quality", 1, "42", "{\"quality\": 42}" },
  { "threads", 0, "2", "{\"threads\": 2}" },
  { "fail-on", 0, "warning", "{\"fail_on\": \"warning\"}" },
  { "max-pixels", 1, "99999999", "{\"max_pixels\": 99999999}" },
  { "prefetch", 0, "5", "{\"prefetch\": 5}" },
  { "follow-symlinks", 1, NULL, "{\"follow_symlinks\": true}" },
  { "run-token", 0, "option-table-test", "{\"run_token\": \"option-table-test\"}" },
  { "max-buffer", 1, "777", "{\"max_buffer\": 777}" },
  /* The run's own, of shardpix_options_run(). */
  { "jobs", 0, "3", "{\"jobs\": 3}" },
  { "shards", 1, "5", "{\"shards\": 5}" },
  { "recursive", 1, NULL, "{\"recursive\": true}" },
  { "slice", 0, "0/1", "{\"slice\": {\"index\": 0, \"count\": 1, \"files\": 3}}" },
};

#define N_RUNS 2

static const char *const commands[] = { "run", "plan", "bench", "worker" };
static const ShardpixCommands command_bits[] = { SHARDPIX_COMMAND_RUN, SHARDPIX_COMMAND_PLAN,
                                                 SHARDPIX_COMMAND_BENCH, SHARDPIX_COMMAND_WORKER };

/* Both tables, the image options first. */
static const ShardpixOption *
table (guint t)
{
  return t == 0 ? shardpix_options_job () : shardpix_options_run ();
}

/* "-s, --size WxH[!]", "--crop HOW", "--enlarge": how the docs name it. */
static char *
doc_term (const ShardpixOption *option)
{
  GString *term = g_string_new (NULL);

  if (option->short_name != 0)
    g_string_append_printf (term, "-%c, ", option->short_name);
  g_string_append_printf (term, "--%s", option->long_name);
  if (option->placeholder != NULL)
    g_string_append_printf (term, " %s", option->placeholder);
  return g_string_free (term, FALSE);
}

static char *
read_source (const char *rel)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", rel, NULL);
  g_autoptr (GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

/* Every option in --help (--help-all: bench shows its image options as a
 * group), with its short name, placeholder and help text; hidden ones not. */
static void
test_help (void)
{
  for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
    {
      const char *args[] = { commands[c], "--help-all", NULL };
      g_autofree char *help = NULL;

      g_assert_cmpint (fixtures_run_logged (args, &help, NULL), ==, 0);
      for (guint t = 0; t < 2; t++)
        for (const ShardpixOption *option = table (t); option->long_name != NULL; option++)
        {
          g_autofree char *line = NULL;
          const char *found;

          if (!(option->commands & command_bits[c]))
            continue;
          /* GLib's "  -s, --size=WxH[!]   Fit each image...". */
          if (option->short_name != 0)
            line = g_strdup_printf ("  -%c, --%s%s%s ", option->short_name, option->long_name,
                                    option->placeholder ? "=" : "",
                                    option->placeholder ? option->placeholder : "");
          else
            line = g_strdup_printf ("  --%s%s%s ", option->long_name,
                                    option->placeholder ? "=" : "",
                                    option->placeholder ? option->placeholder : "");
          found = strstr (help, line);
          if (option->hidden ? strstr (help, option->long_name) != NULL
                             : found == NULL || strstr (found, option->help) == NULL)
            g_error ("%s --help-all: '%s' %s", commands[c], line,
                     option->hidden ? "is hidden but shown" : "or its help is missing");
        }
    }
}

/* A term line of the scdoc source ("*-s*, *--size* _WxH_[*!*]" followed
 * by an indented description), its markup dropped; or one of the terms of
 * such a line ("-j, --jobs N, --shards M, -r, --recursive"). */
static gboolean
man_line_has (const char *line, const char *term)
{
  gsize len = strlen (term);

  for (const char *at = strstr (line, term); at != NULL; at = strstr (at + 1, term))
    if ((at == line || g_str_has_prefix (at - 2, ", ")) && (at[len] == '\0' || at[len] == ','))
      return TRUE;
  return FALSE;
}

static gboolean
man_has_term (char **lines, const char *term)
{
  for (guint i = 0; lines[i] != NULL && lines[i + 1] != NULL; i++)
    {
      GString *plain = g_string_new (NULL);
      gboolean match;

      for (const char *p = lines[i]; *p; p++)
        if (*p != '*' && *p != '_')
          g_string_append_c (plain, *p);
      match = lines[i + 1][0] == '\t' && man_line_has (plain->str, term);
      g_string_free (plain, TRUE);
      if (match)
        return TRUE;
    }
  return FALSE;
}

static void
test_man_page (void)
{
  g_autofree char *text = read_source ("docs/shardpix.1.scd");
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint t = 0; t < 2; t++)
    for (const ShardpixOption *option = table (t); option->long_name != NULL; option++)
    {
      g_autofree char *term = doc_term (option);

      if (man_has_term (lines, term) == option->hidden)
        g_error ("docs/shardpix.1.scd: '%s' %s", term,
                 option->hidden ? "is hidden, not for the man page" : "is not listed");
    }
}

/* A row of the README's option table: "| `-s, --size WxH[!]` | ...", for
 * every option of run (plan's and bench's are in the man page). */
static void
test_readme (void)
{
  g_autofree char *source = read_source ("README.md");
  /* A '|' in a cell is written \| (GitHub's tables). */
  g_auto (GStrv) parts = g_strsplit (source, "\\|", -1);
  g_autofree char *text = g_strjoinv ("|", parts);

  for (guint t = 0; t < 2; t++)
    for (const ShardpixOption *option = table (t); option->long_name != NULL; option++)
    {
      g_autofree char *term = doc_term (option);
      g_autofree char *row = g_strdup_printf ("\n| `%s` |", term);

      if (!(option->commands & SHARDPIX_COMMAND_RUN))
        continue;
      if ((strstr (text, row) != NULL) == option->hidden)
        g_error ("README.md: '%s' %s", term,
                 option->hidden ? "is hidden, not for the README" : "has no row");
    }
}

static JsonObject *
parse_object (JsonParser *parser, const char *text)
{
  g_autoptr (GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_node_get_object (json_parser_get_root (parser));
}

/* The "settings" each worker of a run echoed: one object per worker. */
static GPtrArray *
worker_settings (const char *stderr_text)
{
  GPtrArray *echoed = g_ptr_array_new_with_free_func (g_object_unref);
  g_auto (GStrv) lines = g_strsplit (stderr_text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *json = strstr (lines[i], " settings: {");
      JsonParser *parser;

      if (json == NULL)
        continue;
      parser = json_parser_new ();
      parse_object (parser, json + strlen (" settings: "));
      g_ptr_array_add (echoed, parser);
    }
  return echoed;
}

static guint
sample_index (const char *option)
{
  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    if (strcmp (samples[i].option, option) == 0)
      return i;
  g_error ("--%s has no sample in test-option-table.c: add one", option);
}

/* The entry a sample is for: an image option, or one of run's own. */
static const ShardpixOption *
sample_option (const char *name, gboolean *image)
{
  const ShardpixOption *option = shardpix_options_find (name);

  *image = option != NULL;
  for (option = option ? option : shardpix_options_run (); option->long_name != NULL; option++)
    if (strcmp (option->long_name, name) == 0 && (option->commands & SHARDPIX_COMMAND_RUN))
      return option;
  g_error ("--%s: no such option of run", name);
}

/* Checks that @member of @object is @want; an object @want only for the
 * members it has. */
static void
assert_member (JsonObject *object, const char *where, const char *member, JsonNode *want)
{
  JsonNode *got = json_object_get_member (object, member);
  g_autofree char *want_text = json_to_string (want, FALSE);
  g_autofree char *got_text = got ? json_to_string (got, FALSE) : g_strdup ("(missing)");

  g_test_message ("%s: %s = %s (want %s)", where, member, got_text, want_text);
  g_assert_nonnull (got);
  if (JSON_NODE_HOLDS_OBJECT (want))
    {
      JsonObject *part = json_node_get_object (want);
      g_autoptr (GList) names = json_object_get_members (part);

      g_assert_true (JSON_NODE_HOLDS_OBJECT (got));
      for (GList *l = names; l != NULL; l = l->next)
        assert_member (json_node_get_object (got), where, l->data,
                       json_object_get_member (part, l->data));
      return;
    }
  g_assert_true (json_node_equal (got, want));
}

/* What libvips reads in the outputs shows the options too: run 0's are
 * exactly 40x30 (WxH!), named by its template, in colour; run 1's are
 * WebP (--format), grey. */
static void
assert_outputs (const char *out, guint run)
{
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *name = run == 0 ? g_strdup_printf ("tn_img-%u.png", i)
                                       : g_strdup_printf ("img-%u.webp", i);
      g_autofree char *path = g_build_filename (out, name, NULL);
      g_autoptr (VipsImage) image = vips_image_new_from_file (path, NULL);
      const char *loader = NULL;

      g_test_message ("output %s", path);
      g_assert_nonnull (image);
      g_assert_cmpint (vips_image_get_string (image, VIPS_META_LOADER, &loader), ==, 0);
      g_assert_cmpstr (loader, ==, run == 0 ? "pngload" : "webpload");
      if (run == 0)
        {
          g_assert_cmpint (vips_image_get_width (image), ==, 40);
          g_assert_cmpint (vips_image_get_height (image), ==, 30);
          g_assert_cmpint (vips_image_get_bands (image), ==, 3);
        }
    }
}

/* Each sample into a real run: the report's settings hold it, and for an
 * image option every worker's echo too and the defaults not; the table
 * names exactly the members the sample gives. */
static void
test_report_and_workers (Fixture *fx, gconstpointer data)
{
  g_autoptr (JsonParser) defaults_parser = json_parser_new ();
  g_auto (ShardpixJob) defaults_job = { 0 };
  g_autofree char *defaults_text = NULL;
  JsonObject *defaults;

  shardpix_job_init (&defaults_job);
  defaults_text = shardpix_report_json_job (&defaults_job);
  defaults = parse_object (defaults_parser, defaults_text);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("img-%u.%s", i, i % 2 ? "png" : "jpg");
      g_autofree char *path = g_build_filename (fx->in, name, NULL);

      fixtures_write_image (path, i % 2 ? "png" : "jpeg", 320 - 20 * i, 240);
    }
  /* Every image option is a setting of the run; of run's own, those the
   * table says are. */
  for (const ShardpixOption *option = shardpix_options_job (); option->long_name != NULL;
       option++)
    {
      g_assert_nonnull (option->json_members);
      sample_index (option->long_name);
    }
  for (const ShardpixOption *option = shardpix_options_run (); option->long_name != NULL;
       option++)
    if (option->json_members != NULL && (option->commands & SHARDPIX_COMMAND_RUN))
      sample_index (option->long_name);

  for (guint run = 0; run < N_RUNS; run++)
    {
      g_autoptr (GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *out = g_strdup_printf ("%s-%u", fx->out, run);
      g_autofree char *report = g_strdup_printf ("%s/report-%u.json", fx->root, run);
      g_autofree char *err = NULL;
      g_autoptr (JsonParser) report_parser = json_parser_new ();
      g_autoptr (GPtrArray) echoed = NULL;
      g_autoptr (GError) error = NULL;
      JsonObject *settings;

      g_ptr_array_add (args, g_strdup ("run"));
      g_ptr_array_add (args, g_strdup_printf ("--report=%s", report));
      for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
        if (samples[i].run == run)
          g_ptr_array_add (args, samples[i].value
                                   ? g_strdup_printf ("--%s=%s", samples[i].option,
                                                      samples[i].value)
                                   : g_strdup_printf ("--%s", samples[i].option));
      g_ptr_array_add (args, g_strdup (fx->in));
      g_ptr_array_add (args, g_strdup (out));
      g_ptr_array_add (args, NULL);
      g_setenv ("G_MESSAGES_DEBUG", "shardpix", TRUE);
      g_assert_cmpint (fixtures_run_logged ((const char *const *) args->pdata, NULL, &err), ==,
                       0);
      g_unsetenv ("G_MESSAGES_DEBUG");

      json_parser_load_from_file (report_parser, report, &error);
      g_assert_no_error (error);
      settings = json_object_get_object_member (
          json_node_get_object (json_parser_get_root (report_parser)), "settings");
      echoed = worker_settings (err);
      g_assert_cmpuint (echoed->len, >=, 1);

      for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
        {
          gboolean image;
          const ShardpixOption *option = sample_option (samples[i].option, &image);
          g_autoptr (JsonParser) want_parser = json_parser_new ();
          g_auto (GStrv) members = NULL;
          JsonObject *want;

          if (samples[i].run != run)
            continue;
          want = parse_object (want_parser, samples[i].members);
          members = g_strsplit (option->json_members, " ", -1);
          g_assert_cmpuint (g_strv_length (members), ==, json_object_get_size (want));
          for (guint m = 0; members[m] != NULL; m++)
            {
              JsonNode *value = json_object_get_member (want, members[m]);

              g_assert_nonnull (value);
              assert_member (settings, "report", members[m], value);
              /* Workers are given the image options alone. */
              if (!image)
                continue;
              g_assert_false (json_node_equal (json_object_get_member (defaults, members[m]),
                                               value));
              for (guint w = 0; w < echoed->len; w++)
                assert_member (json_node_get_object (
                                   json_parser_get_root (g_ptr_array_index (echoed, w))),
                               "worker", members[m], value);
            }
        }
      assert_outputs (out, run);
    }
}

int
main (int argc, char **argv)
{
  fixtures_init (&argc, &argv);
  g_test_add_func ("/shardpix/option-table/help", test_help);
  g_test_add_func ("/shardpix/option-table/man-page", test_man_page);
  g_test_add_func ("/shardpix/option-table/readme", test_readme);
  g_test_add ("/shardpix/option-table/report-and-workers", Fixture, NULL, fixtures_dirs_setup,
              test_report_and_workers, fixtures_dirs_teardown);
  return g_test_run ();
}
