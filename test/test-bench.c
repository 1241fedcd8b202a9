/* `shardpix bench` and `run --report/--timeline` through the real binary:
 * the table, the JSON against the fields docs/report-json.md promises, and
 * the SVG read back by libvips. */
#include <string.h>

#include <json-glib/json-glib.h>

#include "shardpix/vips-autoptr.h"

#include "fixtures.h"

typedef struct {
  char *root;
  char *in;
} Fixture;

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  static const char *const kinds[] = { "jpeg", "jpeg-progressive", "png", "webp", "jpeg" };

  fx->root = fixtures_mkdtemp ();
  fx->in = g_build_filename (fx->root, "in", NULL);
  g_assert_cmpint (g_mkdir (fx->in, 0755), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      const char *ext = g_str_has_prefix (kinds[i], "jpeg") ? "jpg" : kinds[i];
      g_autofree char *name = g_strdup_printf ("img-%u.%s", i, ext);
      g_autofree char *path = g_build_filename (fx->in, name, NULL);

      fixtures_write_image (path, kinds[i], 320 + 40 * i, 240);
    }
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  fixtures_rmtree (fx->root);
  g_free (fx->root);
  g_free (fx->in);
}

static int
run (const char *const *args, char **out)
{
  g_autofree char *o = NULL;
  g_autofree char *e = NULL;
  int status = fixtures_run_shardpix (args, &o, &e);

  g_test_message ("exit %d\nstdout:\n%s\nstderr:\n%s", status, o, e);
  if (out)
    *out = g_steal_pointer (&o);
  return status;
}

static JsonObject *
parse_object (const char *path, JsonParser *parser)
{
  g_autoptr (GError) error = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_node_get_object (json_parser_get_root (parser));
}

static void
assert_members (JsonObject *object, const char *const *members)
{
  for (guint i = 0; members[i] != NULL; i++)
    if (!json_object_has_member (object, members[i]))
      g_error ("missing member %s", members[i]);
}

static void
assert_settings (JsonObject *settings)
{
  static const char *const members[] = { "input_dir", "width", "height", "quality", "threads",
                                         "fail_on", "gray", "fast_paths", "jobs", "shards", "recursive", NULL };

  assert_members (settings, members);
  g_assert_cmpint (json_object_get_int_member (settings, "width"), ==, 64);
  g_assert_cmpint (json_object_get_int_member (settings, "quality"), ==, 85);
}

/* The run object shared by the run report and each parallel bench pass.
 * Returns the number of images the children report ok. */
static guint
assert_run (JsonObject *run, guint n_images)
{
  static const char *const run_members[] = { "ok", "failed", "undone", "wall_us",
                                             "stop_signal", "child_failed", "children",
                                             "failures", NULL };
  static const char *const child_members[] = { "pid", "shard", "range", "files", "ok",
                                               "failed", "undone", "started_us", "wall_us",
                                               "init_us", "user_s", "sys_s", "max_rss_kb",
                                               "exit", "failure", "images", NULL };
  static const char *const image_members[] = { "index", "ok", "start_us", "wall_us", NULL };
  JsonArray *children;
  guint seen = 0;
  guint ok = 0;

  assert_members (run, run_members);
  children = json_object_get_array_member (run, "children");
  g_assert_cmpuint (json_array_get_length (children), >=, 1);
  for (guint i = 0; i < json_array_get_length (children); i++)
    {
      JsonObject *child = json_array_get_object_element (children, i);
      JsonObject *exit_info;
      JsonArray *images;

      assert_members (child, child_members);
      g_assert_cmpint (json_object_get_int_member (child, "pid"), >, 0);
      exit_info = json_object_get_object_member (child, "exit");
      g_assert_cmpint (json_object_get_int_member (exit_info, "code"), ==, 0);
      g_assert_cmpstr (json_object_get_string_member (exit_info, "text"), ==, "exit 0");
      images = json_object_get_array_member (child, "images");
      g_assert_cmpuint (json_array_get_length (images), ==,
                        json_object_get_int_member (child, "files"));
      for (guint k = 0; k < json_array_get_length (images); k++)
        {
          JsonObject *image = json_array_get_object_element (images, k);

          assert_members (image, image_members);
          g_assert_cmpint (json_object_get_int_member (image, "wall_us"), >, 0);
          ok += json_object_get_boolean_member (image, "ok");
        }
      seen += json_array_get_length (images);
    }
  g_assert_cmpuint (seen, ==, n_images);
  g_assert_cmpint (json_object_get_int_member (run, "ok"), ==, ok);
  return ok;
}

/* libvips reads the SVG back (its svgload uses librsvg) into a picture
 * that is not blank. */
static void
assert_svg_renders (const char *path)
{
  g_autoptr (VipsImage) image = vips_image_new_from_file (path, NULL);
  double deviation;

  g_assert_nonnull (image);
  g_assert_cmpint (vips_image_get_width (image), >, 100);
  g_assert_cmpint (vips_image_get_height (image), >, 100);
  g_assert_cmpint (vips_deviate (image, &deviation, NULL), ==, 0);
  g_assert_cmpfloat (deviation, >, 1);
}

static void
test_bench_table_json_svg (Fixture *fx, gconstpointer data)
{
  g_autofree char *json = g_build_filename (fx->root, "bench.json", NULL);
  g_autofree char *svg = g_build_filename (fx->root, "bench.svg", NULL);
  g_autofree char *tmp = g_build_filename (fx->root, "tmp", NULL);
  g_autofree char *out = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GDir) left = NULL;
  const char *const args[] = { "bench", "--repeat", "1", "--jobs-list", "1,2", "--size", "64",
                               "--json", json, "--svg", svg, fx->in, NULL };
  static const char *const top[] = { "schema", "settings", "images", "repeat", "cpus", "best",
                                     "configurations", NULL };
  static const char *const config_members[] = { "name", "processes", "serial",
                                                "wall_median_s", "wall_min_s", "wall_max_s",
                                                "cpu_median_s", "images_per_s", "speedup",
                                                "efficiency", "karp_flatt", "passes", NULL };
  static const char *const pass_members[] = { "round", "wall_s", "user_s", "sys_s",
                                              "max_rss_kb", "exit_code", "run", NULL };
  static const char *const names[] = { "serial", "j1", "j2" };
  JsonObject *root;
  JsonArray *configs;

  /* Its own TMPDIR, to see that the temporary output folder is removed. */
  g_assert_cmpint (g_mkdir (tmp, 0755), ==, 0);
  g_setenv ("TMPDIR", tmp, TRUE);
  g_assert_cmpint (run (args, &out), ==, 0);
  g_unsetenv ("TMPDIR");
  left = g_dir_open (tmp, 0, NULL);
  g_assert_nonnull (left);
  g_assert_null (g_dir_read_name (left));
  g_assert_nonnull (strstr (out, "Karp-Flatt"));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *row = g_strdup_printf ("\n%s ", names[i]);
      g_assert_nonnull (strstr (out, row));
    }
  g_assert_nonnull (strstr (out, "\nbest: j"));

  root = parse_object (json, parser);
  assert_members (root, top);
  g_assert_cmpstr (json_object_get_string_member (root, "schema"), ==, "shardpix-bench/1");
  g_assert_cmpint (json_object_get_int_member (root, "images"), ==, 5);
  assert_settings (json_object_get_object_member (root, "settings"));
  configs = json_object_get_array_member (root, "configurations");
  g_assert_cmpuint (json_array_get_length (configs), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *config = json_array_get_object_element (configs, i);
      JsonArray *passes = json_object_get_array_member (config, "passes");
      JsonObject *pass;

      assert_members (config, config_members);
      g_assert_cmpstr (json_object_get_string_member (config, "name"), ==, names[i]);
      g_assert_cmpuint (json_array_get_length (passes), ==, 1);
      pass = json_array_get_object_element (passes, 0);
      assert_members (pass, pass_members);
      g_assert_cmpint (json_object_get_int_member (pass, "exit_code"), ==, 0);
      g_assert_cmpfloat (json_object_get_double_member (pass, "wall_s"), >, 0);
      if (i == 0)
        {
          /* The baseline: speedup 1 by definition, Karp-Flatt undefined. */
          g_assert_true (json_object_get_null_member (pass, "run"));
          g_assert_cmpfloat (json_object_get_double_member (config, "speedup"), ==, 1);
          g_assert_true (json_object_get_null_member (config, "karp_flatt"));
        }
      else
        {
          JsonObject *r = json_object_get_object_member (pass, "run");
          g_assert_cmpuint (assert_run (r, 5), ==, 5);
          g_assert_cmpuint (json_array_get_length (json_object_get_array_member (r, "children")),
                            ==, i);
        }
    }
  assert_svg_renders (svg);
}

/* A failed image whose name is not UTF-8 comes out in the run report with
 * its exact bytes in base64, and red in the timeline. */
static void
test_run_report_and_timeline (Fixture *fx, gconstpointer data)
{
  static const char bad_name[] = "bad-\xff.jpg";
  g_autofree char *json = g_build_filename (fx->root, "run.json", NULL);
  g_autofree char *svg = g_build_filename (fx->root, "run.svg", NULL);
  g_autofree char *out_dir = g_build_filename (fx->root, "out", NULL);
  g_autofree char *good = g_build_filename (fx->in, "img-0.jpg", NULL);
  g_autofree char *bad = g_build_filename (fx->in, bad_name, NULL);
  g_autofree char *svg_text = NULL;
  g_autofree guchar *decoded = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  const char *const args[] = { "run", "-j", "2", "--size", "64", "--report", json,
                               "--timeline", svg, fx->in, out_dir, NULL };
  JsonObject *root;
  JsonArray *failures;
  JsonObject *failure;
  gsize len;

  fixtures_write_truncated (good, bad, 600);
  g_assert_cmpint (run (args, NULL), ==, 1);

  root = parse_object (json, parser);
  g_assert_cmpstr (json_object_get_string_member (root, "schema"), ==, "shardpix-run/1");
  assert_settings (json_object_get_object_member (root, "settings"));
  g_assert_cmpuint (assert_run (root, 6), ==, 5);
  failures = json_object_get_array_member (root, "failures");
  g_assert_cmpuint (json_array_get_length (failures), ==, 1);
  failure = json_array_get_object_element (failures, 0);
  g_assert_cmpint (json_object_get_int_member (failure, "index"), ==, 0);
  g_assert_true (g_utf8_validate (json_object_get_string_member (failure, "name"), -1, NULL));
  decoded = g_base64_decode (json_object_get_string_member (failure, "name_base64"), &len);
  g_assert_cmpmem (decoded, len, bad_name, strlen (bad_name));
  g_assert_cmpstr (json_object_get_string_member (failure, "reason"), !=, "");

  assert_svg_renders (svg);
  g_assert_true (g_file_get_contents (svg, &svg_text, NULL, NULL));
  g_assert_nonnull (strstr (svg_text, "#e15759"));
}

static void
test_report_refused_with_serial (Fixture *fx, gconstpointer data)
{
  g_autofree char *json = g_build_filename (fx->root, "run.json", NULL);
  g_autofree char *out_dir = g_build_filename (fx->root, "out", NULL);
  const char *const args[] = { "run", "--serial", "--report", json, fx->in, out_dir, NULL };
  const char *const bad_list[] = { "bench", "--jobs-list", "1,x", fx->in, NULL };

  g_assert_cmpint (run (args, NULL), ==, 2);
  g_assert_false (g_file_test (json, G_FILE_TEST_EXISTS));
  g_assert_cmpint (run (bad_list, NULL), ==, 2);
}

int
main (int argc, char **argv)
{
  fixtures_init (&argc, &argv);
  g_test_add ("/shardpix/bench/table-json-svg", Fixture, NULL, fixture_setup,
              test_bench_table_json_svg, fixture_teardown);
  g_test_add ("/shardpix/bench/run-report-timeline", Fixture, NULL, fixture_setup,
              test_run_report_and_timeline, fixture_teardown);
  g_test_add ("/shardpix/bench/usage", Fixture, NULL, fixture_setup,
              test_report_refused_with_serial, fixture_teardown);
  return g_test_run ();
}
