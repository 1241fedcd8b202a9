/* The command line as users meet it, through the real binary: help, usage
 * errors, `plan`, the progress line (through a real pseudo-terminal) and
 * --verbose. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include <vips/vips.h>

#include "fixtures.h"
#include "shardpix/vips-autoptr.h"

typedef FixturesDirs Fixture;

static void
write_images (const char *dir, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("img-%02u.%s", i, i % 2 ? "png" : "jpg");
      g_autofree char *path = g_build_filename (dir, name, NULL);

      fixtures_write_image (path, i % 2 ? "png" : "jpeg", 160 + 10 * i, 120);
    }
}

static void
test_help (void)
{
  const char *commands[] = { "run", "plan", "sample" };
  const char *version[] = { "--version", NULL };
  const char *top[] = { "--help", NULL };
  g_autofree char *out = NULL;
  g_autofree char *usage = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      const char *args[] = { commands[i], "--help", NULL };
      g_autofree char *help = NULL;
      g_autofree char *want = g_strdup_printf ("Usage:\n  shardpix %s ", commands[i]);

      g_assert_cmpint (fixtures_run_logged (args, &help, NULL), ==, 0);
      g_assert_true (g_str_has_prefix (help, want));
    }
  g_assert_cmpint (fixtures_run_logged (version, &out, NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "shardpix "));
  g_assert_cmpint (fixtures_run_logged (top, &usage, NULL), ==, 0);
  g_assert_nonnull (strstr (usage, "shardpix plan"));
}

/* Each mistake: exit 2 and one line on stderr that says what was wrong. */
static void
test_usage_errors (Fixture *fx, gconstpointer data)
{
  g_autofree char *inside = g_build_filename (fx->in, "out", NULL);
  const char *const cases[][10] = {
    { "bogus" },
    { "--bogus" },
    { "run", "--bogus", fx->in, fx->out },
    { "run", fx->in },
    { "run", fx->in, fx->out, "extra" },
    { "run", "--jobs", "x", fx->in, fx->out },
    { "run", "--jobs", "0", fx->in, fx->out },
    { "run", "--size", "0x5", fx->in, fx->out },
    { "run", "--size", "5x5!!", fx->in, fx->out },
    { "run", "--size", "5x5!", "--crop", "centre", fx->in, fx->out },
    { "run", "--crop", "smart", fx->in, fx->out },
    { "run", "--quality", "101", fx->in, fx->out },
    { "run", "--fail-on", "sometimes", fx->in, fx->out },
    { "run", "--timeout", "-1", fx->in, fx->out },
    { "run", "--balance", "evenly", fx->in, fx->out },
    { "run", "--shards", "2000000", fx->in, fx->out },
    { "run", "--gray", "average", fx->in, fx->out },
    { "run", "--format", "bmp", fx->in, fx->out },
    { "run", "--format", "png", "-o", "%s.jpg", fx->in, fx->out },
    { "run", "-o", "sub/%s.jpg", fx->in, fx->out },
    { "run", "-o", "%s.jpg[Q=", fx->in, fx->out },
    { "run", fx->in, inside },
    { "run", "/nonexistent/shardpix", fx->out },
    { "plan" },
    { "plan", "--shards", "-1", fx->in },
    { "plan", "--shards", "1000001", fx->in },
    { "plan", "--jobs", "0", fx->in },
    { "plan", "/nonexistent/shardpix" },
    { "sample" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *err = NULL;

      g_test_message ("case %u: %s %s", i, cases[i][0], cases[i][1] ? cases[i][1] : "");
      g_assert_cmpint (fixtures_run_logged (cases[i], NULL, &err), ==, 2);
      g_assert_true (g_str_has_prefix (err, "shardpix: "));
      g_assert_true (g_str_has_suffix (err, "\n"));
      g_assert_true (strchr (err, '\n') == err + strlen (err) - 1);
    }
  /* Nothing was created for any of them. */
  g_assert_false (g_file_test (fx->out, G_FILE_TEST_EXISTS));
}

/* plan: shards, files and bytes, and no image opened: a file that is not
 * an image at all is counted like any other. */
static void
test_plan (Fixture *fx, gconstpointer data)
{
  g_autofree char *junk = g_build_filename (fx->in, "zz-junk.jpg", NULL);
  const char *text_args[] = { "plan", fx->in, "-j", "1", "--shards", "3", NULL };
  const char *json_args[] = { "plan", fx->in, "--shards", "2", "--json", NULL };
  g_autoptr (GPtrArray) files = NULL;
  g_autofree char *text = NULL;
  g_autofree char *json = NULL;
  g_autoptr (JsonObject) plan = NULL;
  JsonArray *shards;
  JsonObject *second;
  guint64 total = 0;

  write_images (fx->in, 4);
  fixtures_write_bytes (junk, "not an image", 12);
  files = fixtures_list_files (fx->in);
  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *path = g_build_filename (fx->in, files->pdata[i], NULL);
      struct stat st;

      g_assert_cmpint (stat (path, &st), ==, 0);
      total += (guint64) st.st_size;
    }
  g_assert_cmpint (fixtures_run_logged (text_args, &text, NULL), ==, 0);
  /* 5 files in 3 shards: 2, 2, 1. */
  g_assert_nonnull (strstr (text, "    0       2 "));
  g_assert_nonnull (strstr (text, "img-00.jpg .. img-01.png"));
  g_assert_nonnull (strstr (text, "    2       1 "));
  g_assert_nonnull (strstr (text, "zz-junk.jpg .. zz-junk.jpg"));
  g_assert_nonnull (strstr (text, "files 5 "));
  g_assert_nonnull (strstr (text, "shards 3 "));

  g_assert_cmpint (fixtures_run_logged (json_args, &json, NULL), ==, 0);
  plan = fixtures_json_object (json);
  g_assert_cmpint (json_object_get_int_member (plan, "bytes"), ==, (gint64) total);
  g_assert_cmpint (json_object_get_int_member (plan, "files"), ==, 5);
  shards = json_object_get_array_member (plan, "shards");
  g_assert_cmpuint (json_array_get_length (shards), ==, 2);
  second = json_array_get_object_element (shards, 1);
  g_assert_cmpint (json_object_get_int_member (second, "index"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (second, "files"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (second, "last"), ==, "zz-junk.jpg");
  g_assert_false (g_file_test (fx->out, G_FILE_TEST_EXISTS));
}

/* Names are bytes: JSON must escape what would break it. */
static void
test_plan_json_escaping (Fixture *fx, gconstpointer data)
{
  g_autofree char *odd = g_build_filename (fx->in, "a\"b\\c\nd\001.png", NULL);
  const char *args[] = { "plan", fx->in, "--json", "--shards", "1", NULL };
  const char *empty_args[] = { "plan", fx->in, "--json", "--shards", "3", NULL };
  g_autofree char *json = NULL;
  g_autofree char *empty = NULL;
  g_autoptr (JsonObject) plan = NULL;
  g_autoptr (JsonObject) empty_plan = NULL;
  JsonObject *shard;

  fixtures_write_image (odd, "png", 20, 20);
  g_assert_cmpint (fixtures_run_logged (args, &json, NULL), ==, 0);
  /* Escaped so that a parser gets the name back whole. */
  g_assert_nonnull (strstr (json, "\"a\\\"b\\\\c\\nd\\u0001.png\""));
  plan = fixtures_json_object (json);
  shard = json_array_get_object_element (json_object_get_array_member (plan, "shards"), 0);
  g_assert_cmpstr (json_object_get_string_member (shard, "first"), ==, "a\"b\\c\nd\001.png");
  g_assert_cmpint (fixtures_run_logged (empty_args, &empty, NULL), ==, 0);
  empty_plan = fixtures_json_object (empty);
  shard = json_array_get_object_element (json_object_get_array_member (empty_plan, "shards"), 2);
  g_assert_true (json_object_get_null_member (shard, "first"));
}

/* Runs shardpix with stderr on a new pseudo-terminal; returns what the
 * terminal received. */
static char *
run_on_pty (const char *const *args, int *status)
{
  const char *bin = g_getenv ("SHARDPIX_BIN");
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) child = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) seen = g_string_new (NULL);
  int master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  int slave;
  char buf[4096];
  ssize_t n;

  g_assert_cmpint (master, >=, 0);
  g_assert_cmpint (grantpt (master), ==, 0);
  g_assert_cmpint (unlockpt (master), ==, 0);
  slave = open (ptsname (master), O_RDWR | O_NOCTTY | O_CLOEXEC);
  g_assert_cmpint (slave, >=, 0);

  g_ptr_array_add (argv, (char *) bin);
  for (; *args; args++)
    g_ptr_array_add (argv, (char *) *args);
  g_ptr_array_add (argv, NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_take_stderr_fd (launcher, slave);
  child = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  /* The launcher holds our copy of the slave: once it is gone, reading
   * the master ends (EIO) when the child has exited. */
  g_clear_object (&launcher);
  while ((n = read (master, buf, sizeof buf)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        break;
      g_string_append_len (seen, buf, n);
    }
  close (master);
  g_assert_true (g_subprocess_wait (child, NULL, &error));
  g_assert_no_error (error);
  *status = g_subprocess_get_exit_status (child);
  g_test_message ("terminal saw:\n%s", seen->str);
  return g_string_free (g_steal_pointer (&seen), FALSE);
}

static void
test_progress_on_terminal (Fixture *fx, gconstpointer data)
{
  const char *args[] = { "run", fx->in, fx->out, "-j", "2", NULL };
  g_autofree char *quiet_out = g_build_filename (fx->root, "quiet", NULL);
  const char *quiet[] = { "run", fx->in, quiet_out, "-j", "2", "--quiet", NULL };
  g_autofree char *serial_out = g_build_filename (fx->root, "serial", NULL);
  const char *serial[] = { "run", fx->in, serial_out, "--serial", NULL };
  g_autofree char *seen = NULL;
  g_autofree char *seen_quiet = NULL;
  g_autofree char *seen_serial = NULL;
  int status = -1;

  write_images (fx->in, 6);
  seen = run_on_pty (args, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (seen, "\r\033[K"));
  g_assert_nonnull (strstr (seen, "6/6 images"));
  g_assert_nonnull (strstr (seen, "elapsed "));
  g_assert_nonnull (strstr (seen, "eta "));
  /* The bar is erased at the end: the last thing written clears the line. */
  g_assert_true (g_str_has_suffix (seen, "\r\033[K"));

  seen_serial = run_on_pty (serial, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (seen_serial, "6/6 images"));

  seen_quiet = run_on_pty (quiet, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (seen_quiet, ==, "");
}

/* Failures are counted on the bar and named on their own line above it. */
static void
test_progress_failures (Fixture *fx, gconstpointer data)
{
  g_autofree char *bad = g_build_filename (fx->in, "img-99.jpg", NULL);
  const char *args[] = { "run", fx->in, fx->out, "-j", "2", NULL };
  g_autofree char *seen = NULL;
  int status = -1;

  write_images (fx->in, 3);
  fixtures_write_bytes (bad, "not a jpeg", 10);
  seen = run_on_pty (args, &status);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (seen, "failed 1"));
  g_assert_nonnull (strstr (seen, "\r\033[Kshardpix: img-99.jpg: "));
}

static void
test_no_progress_without_terminal (Fixture *fx, gconstpointer data)
{
  const char *args[] = { "run", fx->in, fx->out, "-j", "2", NULL };
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;

  write_images (fx->in, 4);
  g_assert_cmpint (fixtures_run_logged (args, &out, &err), ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_assert_null (strchr (out, '\r'));
  g_assert_null (strchr (out, '\033'));
}

static void
test_verbose (Fixture *fx, gconstpointer data)
{
  const char *args[] = { "run", fx->in, fx->out, "-j", "2", "--verbose", NULL };
  const char *serial[] = { "run", fx->in, fx->out, "--serial", "-v", NULL };
  g_autofree char *err = NULL;
  g_autofree char *serial_err = NULL;

  write_images (fx->in, 5);
  g_assert_cmpint (fixtures_run_logged (args, NULL, &err), ==, 0);
  g_assert_cmpuint (fixtures_count_lines_containing (err, ": ok, "), ==, 5);
  g_assert_cmpuint (fixtures_count_lines_containing (err, "shardpix: img-03.png: ok, "), ==, 1);
  g_assert_cmpint (fixtures_run_logged (serial, NULL, &serial_err), ==, 0);
  g_assert_cmpuint (fixtures_count_lines_containing (serial_err, ": ok, "), ==, 5);
}

/* "-j2 -s48 -q90" as make and xargs users type them. */
static void
test_attached_short_values (Fixture *fx, gconstpointer data)
{
  const char *args[] = { "run", fx->in, fx->out, "-j2", "-s48", "-q90", "--quiet", NULL };
  const char *bad[] = { "run", "-j0", fx->in, fx->out, NULL };
  g_autofree char *out_jpg = g_build_filename (fx->out, "img-00.jpg", NULL);
  g_autofree char *err = NULL;
  g_autoptr (VipsImage) image = NULL;

  write_images (fx->in, 3);
  g_assert_cmpint (fixtures_run_logged (args, NULL, NULL), ==, 0);
  image = vips_image_new_from_file (out_jpg, NULL);
  g_assert_nonnull (image);
  g_assert_cmpint (image->Xsize, ==, 48);
  /* The value still reaches the option's own checks. */
  g_assert_cmpint (fixtures_run_logged (bad, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "jobs"));
}

/* An iPhone folder (upper-case .HEIC) next to files that are not images:
 * the HEIC is converted, and run, plan and the JSON report say what was
 * skipped and why. A folder with no image at all is an error. */
static void
test_skipped_line (Fixture *fx, gconstpointer data)
{
  g_autofree char *heic = g_build_filename (fx->in, "IMG_0001.HEIC", NULL);
  g_autofree char *out_heic = g_build_filename (fx->out, "IMG_0001.HEIC", NULL);
  g_autofree char *report = g_build_filename (fx->root, "run.json", NULL);
  g_autofree char *nothing = g_build_filename (fx->root, "nothing", NULL);
  g_autofree char *psd = g_build_filename (nothing, "a.psd", NULL);
  const char *run[] = { "run", fx->in, fx->out, "--report", report, NULL };
  const char *plan[] = { "plan", fx->in, NULL };
  const char *plan_json[] = { "plan", fx->in, "--json", NULL };
  const char *empty_run[] = { "run", nothing, fx->out, NULL };
  const char *const others[] = { "a.psd", "b.psd", "notes.txt" };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *text = NULL;
  g_autofree char *json = NULL;
  g_autofree char *json_report = NULL;
  g_autoptr (VipsImage) image = NULL;

  fixtures_write_image (heic, "heic", 64, 48);
  for (gsize i = 0; i < G_N_ELEMENTS (others); i++)
    {
      g_autofree char *path = g_build_filename (fx->in, others[i], NULL);

      fixtures_write_bytes (path, "x", 1);
    }
  g_assert_cmpint (fixtures_run_logged (run, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "images 1  ok 1  failed 0  skipped 3"));
  g_assert_nonnull (strstr (out, "skipped 3: 2 .psd, 1 .txt\n"));
  image = vips_image_new_from_file (out_heic, NULL);
  g_assert_nonnull (image);
  g_assert_cmpint (image->Xsize, ==, 64);
  g_assert_true (g_file_get_contents (report, &json_report, NULL, NULL));
  g_assert_nonnull (strstr (json_report, "\"skipped_reasons\" : {\n  \".psd\" : 2,\n  \".txt\" : 1"));
  g_assert_cmpint (fixtures_run_logged (plan, &text, NULL), ==, 0);
  g_assert_nonnull (strstr (text, "skipped 3: 2 .psd, 1 .txt\n"));
  g_assert_cmpint (fixtures_run_logged (plan_json, &json, NULL), ==, 0);
  g_assert_nonnull (strstr (json, "\"skipped_reasons\" : {\n    \".psd\" : 2,\n    \".txt\" : 1"));

  g_assert_cmpint (g_mkdir (nothing, 0777), ==, 0);
  fixtures_write_bytes (psd, "x", 1);
  g_assert_cmpint (fixtures_run_logged (empty_run, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "no image in"));
  g_assert_nonnull (strstr (err, "(skipped: 1 .psd)"));
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixtures_dirs_setup, func, fixtures_dirs_teardown)

int
main (int argc, char **argv)
{
  fixtures_init (&argc, &argv);
  g_test_add_func ("/shardpix/cli/help", test_help);
  ADD ("/shardpix/cli/usage-errors", test_usage_errors);
  ADD ("/shardpix/cli/plan", test_plan);
  ADD ("/shardpix/cli/plan-json-escaping", test_plan_json_escaping);
  ADD ("/shardpix/cli/progress-on-terminal", test_progress_on_terminal);
  ADD ("/shardpix/cli/progress-failures", test_progress_failures);
  ADD ("/shardpix/cli/no-progress-without-terminal", test_no_progress_without_terminal);
  ADD ("/shardpix/cli/verbose", test_verbose);
  ADD ("/shardpix/cli/attached-short-values", test_attached_short_values);
  ADD ("/shardpix/cli/skipped-line", test_skipped_line);
  return g_test_run ();
}
