/* Untrusted folders cannot cross the line (README, Safety), through the
 * real binary: outputs never land on an input or in the input tree however
 * the folders are spelled, no link inside OUTPUT_DIR is followed,
 * temporary names of two live runs never collide, input links stay inside
 * INPUT_DIR unless --follow-symlinks, and text from files reaches the
 * terminal escaped. */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shardpix/vips-autoptr.h"

#include "shardpix/error.h"
#include "fixtures.h"
#include "shardpix/pipeline.h"

typedef struct {
  FixturesDirs dirs;
  GPtrArray *mounts; /* char *: unmounted at teardown, last first */
} Fixture;

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  fixtures_dirs_setup (&fx->dirs, data);
  fx->mounts = g_ptr_array_new_with_free_func (g_free);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  for (guint i = fx->mounts->len; i > 0; i--)
    umount2 (g_ptr_array_index (fx->mounts, i - 1), MNT_DETACH);
  g_ptr_array_unref (fx->mounts);
  fixtures_dirs_teardown (&fx->dirs, data);
}

/* ROOT/@rel, owned by the caller. */
static char *
safety_path (Fixture *fx, const char *rel)
{
  return g_build_filename (fx->dirs.root, rel, NULL);
}

/* Makes the folders above @rel and an image there. */
static void
safety_image (Fixture *fx, const char *rel, const char *kind)
{
  g_autofree char *path = safety_path (fx, rel);
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  fixtures_write_image (path, kind, 320, 240);
}

static GBytes *
safety_read (const char *path)
{
  char *data = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  return g_bytes_new_take (data, len);
}

/* The shardpix binary, absolute: runs below change directory. */
static char *
safety_bin (void)
{
  return g_canonicalize_filename (g_getenv ("SHARDPIX_BIN"), NULL);
}

/* Runs @argv (the binary first) in @cwd; its exit code, both outputs in
 * the test log and in @out_stdout / @out_stderr. */
static int
safety_spawn (const char *cwd, const char *const *argv, char **out_stdout, char **out_stderr)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *line = g_strjoinv (" ", (char **) argv);
  int status;

  g_spawn_sync (cwd, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                &status, &error);
  g_assert_no_error (error);
  g_test_message ("%s\nexit 0x%x\nstdout:\n%s\nstderr:\n%s", line, (unsigned) status, out, err);
  if (out_stdout != NULL)
    *out_stdout = g_steal_pointer (&out);
  if (out_stderr != NULL)
    *out_stderr = g_steal_pointer (&err);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

/* `shardpix ARGS...` in @cwd. */
static int
safety_run (const char *cwd, const char *const *args, char **out_stdout, char **out_stderr)
{
  g_autofree char *bin = safety_bin ();
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, bin);
  for (; *args != NULL; args++)
    g_ptr_array_add (argv, (char *) *args);
  g_ptr_array_add (argv, NULL);
  return safety_spawn (cwd, (const char *const *) argv->pdata, out_stdout, out_stderr);
}

static gboolean
safety_mount (Fixture *fx, const char *source, const char *target, const char *type,
              unsigned long flags, const char *options)
{
  if (mount (source, target, type, flags, options) != 0)
    {
      g_autofree char *why = g_strdup_printf ("cannot mount here (%s): skipped",
                                              g_strerror (errno));
      g_test_skip (why);
      return FALSE;
    }
  g_ptr_array_add (fx->mounts, g_strdup (target));
  return TRUE;
}

/* A refused layout: exit 2, one line on stderr that says why, nothing
 * written, and the inputs' bytes as they were. */
static void
assert_refused (Fixture *fx, const char *const *args, const char *const *inputs)
{
  g_autoptr (GPtrArray) before = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr (GPtrArray) files_before = fixtures_list_files (fx->dirs.root);
  g_autoptr (GPtrArray) files_after = NULL;
  g_autofree char *err = NULL;

  for (guint i = 0; inputs[i] != NULL; i++)
    {
      g_autofree char *path = safety_path (fx, inputs[i]);

      g_ptr_array_add (before, safety_read (path));
    }
  g_assert_cmpint (safety_run (fx->dirs.root, args, NULL, &err), ==, 2);
  g_assert_true (g_str_has_suffix (err, "\n"));
  g_assert_true (strchr (err, '\n') == err + strlen (err) - 1); /* one line */
  g_assert_nonnull (strstr (err, "overlap"));
  for (guint i = 0; inputs[i] != NULL; i++)
    {
      g_autofree char *path = safety_path (fx, inputs[i]);
      g_autoptr (GBytes) after = safety_read (path);

      g_assert_true (g_bytes_equal (after, g_ptr_array_index (before, i)));
    }
  files_after = fixtures_list_files (fx->dirs.root);
  g_assert_cmpuint (files_after->len, ==, files_before->len);
}

static const char *const nested_inputs[] = { "photos/x.png", "photos/photos/x.png", NULL };

/* The layout of the issue: OUTPUT_DIR "." holds INPUT_DIR, and the
 * thumbnail of photos/photos/x.png would be saved as photos/x.png. */
static void
test_layout_input_inside_output (Fixture *fx, gconstpointer data)
{
  const char *const args[] = { "run", "-r", "photos", ".", "--serial", NULL };

  safety_image (fx, "photos/x.png", "png");
  safety_image (fx, "photos/photos/x.png", "png-alpha");
  assert_refused (fx, args, nested_inputs);
}

/* The same overlap spelled through ".." and through a symlink, and one
 * where INPUT_DIR's outputs would replace a file of the folder above it. */
static void
test_layout_other_spellings (Fixture *fx, gconstpointer data)
{
  const char *const dotdot[] = { "run", "-r", "photos", "photos/photos/../..", "-j", "2", NULL };
  const char *const linked[] = { "run", "-r", "photos", "alias", "--mode", "threads", NULL };
  const char *const above[] = { "run", "photos/photos", "photos/.", "--mode", "vips-threads",
                                NULL };
  g_autofree char *alias = safety_path (fx, "alias");

  safety_image (fx, "photos/x.png", "png");
  safety_image (fx, "photos/photos/x.png", "png-alpha");
  g_assert_cmpint (symlink (".", alias), ==, 0);
  assert_refused (fx, dotdot, nested_inputs);
  assert_refused (fx, linked, nested_inputs);
  assert_refused (fx, above, nested_inputs);
}

/* Bind mounts: OUTPUT_DIR below another name of INPUT_DIR, and a folder
 * inside OUTPUT_DIR that shows a part of INPUT_DIR. */
static void
test_layout_bind_mounts (Fixture *fx, gconstpointer data)
{
  const char *const aliased[] = { "run", "photos", "bind/out", "--serial", NULL };
  const char *const inner[] = { "run", "-r", "photos", "out", NULL };
  g_autofree char *photos = safety_path (fx, "photos");
  g_autofree char *inner_photos = safety_path (fx, "photos/photos");
  g_autofree char *bind = safety_path (fx, "bind");
  g_autofree char *out_photos = safety_path (fx, "out/photos");

  safety_image (fx, "photos/x.png", "png");
  safety_image (fx, "photos/photos/x.png", "png-alpha");
  g_assert_cmpint (g_mkdir (bind, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (out_photos, 0755), ==, 0);
  if (!safety_mount (fx, photos, bind, NULL, MS_BIND, NULL))
    return;
  assert_refused (fx, aliased, nested_inputs);
  if (!safety_mount (fx, inner_photos, out_photos, NULL, MS_BIND, NULL))
    return;
  assert_refused (fx, inner, nested_inputs);
}

/* OUT/sub is a link to a folder outside: nothing is written through it,
 * the files below it fail by name, the others are done. In a worker
 * process and in process. */
static void
test_output_symlink (Fixture *fx, gconstpointer data)
{
  const char *const modes[] = { "processes", "threads", "serial" };
  g_autofree char *outside = safety_path (fx, "outside");
  g_autofree char *sub = g_build_filename (fx->dirs.out, "sub", NULL);

  safety_image (fx, "in/sub/a.png", "png");
  safety_image (fx, "in/sub/deeper/b.jpg", "jpeg");
  safety_image (fx, "in/c.jpg", "jpeg");
  g_assert_cmpint (g_mkdir (outside, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (fx->dirs.out, 0755), ==, 0);
  g_assert_cmpint (symlink (outside, sub), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      const char *const args[] = { "run", "-r", "in", "out", "--mode", modes[i], NULL };
      g_autoptr (GPtrArray) written = NULL;
      g_autofree char *err = NULL;
      g_autofree char *done = g_build_filename (fx->dirs.out, "c.jpg", NULL);

      g_assert_cmpint (safety_run (fx->dirs.root, args, NULL, &err), ==, 1);
      written = fixtures_list_files (outside);
      g_assert_cmpuint (written->len, ==, 0);
      g_assert_cmpuint (fixtures_count_lines_containing (err, "shardpix: sub/a.png: "), ==, 1);
      g_assert_cmpuint (
          fixtures_count_lines_containing (err, "shardpix: sub/deeper/b.jpg: "), ==, 1);
      g_assert_cmpuint (fixtures_count_lines_containing (err, "is a symbolic link"), ==, 2);
      g_assert_true (g_file_test (done, G_FILE_TEST_IS_REGULAR));
      unlink (done);
    }
  /* --resume looks outputs up the same way: a newer file behind the link
   * is not an output of ours. */
  {
    const char *const args[] = { "run", "-r", "in", "out", "--resume", NULL };
    g_autofree char *planted = g_build_filename (outside, "a.png", NULL);
    g_autofree char *out = NULL;

    fixtures_write_image (planted, "png", 8, 8);
    g_assert_cmpint (safety_run (fx->dirs.root, args, &out, NULL), ==, 1);
    g_assert_null (strstr (out, "skipped-resumed"));
  }
}

/* `unshare --pid --fork shardpix ARGS`: shardpix is pid 1 of a fresh pid
 * namespace, as in a container. FALSE (test skipped) where not allowed. */
static gboolean
safety_unshare_argv (GPtrArray *argv, const char *bin)
{
  const char *const probe[] = { "unshare", "--pid", "--fork", "true", NULL };

  if (safety_spawn (NULL, probe, NULL, NULL) != 0)
    {
      g_test_skip ("unshare --pid is not allowed here: skipped");
      return FALSE;
    }
  /* LeakSanitizer cannot stop the threads of a pid 1 ("Running thread was
   * not suspended") and reports their stacks as leaks: off there. */
  static char *asan_options;

  if (asan_options == NULL)
    asan_options = g_strdup_printf ("ASAN_OPTIONS=%s%sdetect_leaks=0",
                                    g_getenv ("ASAN_OPTIONS") ? g_getenv ("ASAN_OPTIONS") : "",
                                    g_getenv ("ASAN_OPTIONS") ? ":" : "");
  g_ptr_array_add (argv, (char *) "env");
  g_ptr_array_add (argv, asan_options);
  g_ptr_array_add (argv, (char *) "unshare");
  g_ptr_array_add (argv, (char *) "--pid");
  g_ptr_array_add (argv, (char *) "--fork");
  g_ptr_array_add (argv, (char *) bin);
  return TRUE;
}

/* A file at the name the old scheme (.shardpix-PID-INDEX.tmp) gives a run
 * that is pid 1 belongs to someone else: it is never removed. */
static void
test_temp_foreign_file (Fixture *fx, gconstpointer data)
{
  g_autofree char *bin = safety_bin ();
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *err = NULL;

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *rel = g_strdup_printf ("in/%u.jpg", i);

      safety_image (fx, rel, "jpeg");
    }
  g_assert_cmpint (g_mkdir (fx->dirs.out, 0755), ==, 0);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf (".shardpix-1-%u.tmp", i);
      g_autofree char *path = g_build_filename (fx->dirs.out, name, NULL);

      fixtures_write_bytes (path, "another run's", 13);
    }
  if (!safety_unshare_argv (argv, bin))
    return;
  g_ptr_array_add (argv, (char *) "run");
  g_ptr_array_add (argv, (char *) "in");
  g_ptr_array_add (argv, (char *) "out");
  g_ptr_array_add (argv, (char *) "--serial");
  g_ptr_array_add (argv, NULL);
  g_assert_cmpint (safety_spawn (fx->dirs.root, (const char *const *) argv->pdata, NULL, &err),
                   ==, 0);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf (".shardpix-1-%u.tmp", i);
      g_autofree char *path = g_build_filename (fx->dirs.out, name, NULL);
      g_autofree char *out = g_strdup_printf ("%s/%u.jpg", fx->dirs.out, i);
      g_autofree char *content = NULL;
      g_autoptr (VipsImage) image = vips_image_new_from_file (out, "access",
                                                              VIPS_ACCESS_SEQUENTIAL, NULL);

      g_assert_true (g_file_get_contents (path, &content, NULL, NULL));
      g_assert_cmpstr (content, ==, "another run's");
      g_assert_nonnull (image);
      g_assert_cmpint (image->Xsize, ==, 256);
    }
}

/* Two live runs, each pid 1 of its own namespace, into one output folder:
 * both succeed, every output is a whole image, no temporary file is left. */
static void
test_temp_concurrent_runs (Fixture *fx, gconstpointer data)
{
  g_autofree char *bin = safety_bin ();
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GPtrArray) outputs = NULL;
  GPid pids[2];

  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *rel = g_strdup_printf ("in/%02u.png", i);

      safety_image (fx, rel, i % 2 ? "png" : "png-alpha");
    }
  g_assert_cmpint (g_mkdir (fx->dirs.out, 0755), ==, 0);
  if (!safety_unshare_argv (argv, bin))
    return;
  g_ptr_array_add (argv, (char *) "run");
  g_ptr_array_add (argv, (char *) "in");
  g_ptr_array_add (argv, (char *) "out");
  g_ptr_array_add (argv, (char *) "--serial");
  g_ptr_array_add (argv, (char *) "--no-fast-paths");
  g_ptr_array_add (argv, NULL);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (GError) error = NULL;

      g_spawn_async (fx->dirs.root, (char **) argv->pdata, NULL,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, &pids[i], &error);
      g_assert_no_error (error);
    }
  for (guint i = 0; i < 2; i++)
    {
      int status = 0;

      g_assert_cmpint (waitpid (pids[i], &status, 0), ==, pids[i]);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 0);
    }
  outputs = fixtures_list_files (fx->dirs.out);
  g_assert_cmpuint (outputs->len, ==, 40);
  for (guint i = 0; i < outputs->len; i++)
    {
      g_autofree char *path = g_build_filename (fx->dirs.out, g_ptr_array_index (outputs, i),
                                                NULL);
      g_autoptr (VipsImage) image = vips_image_new_from_file (path, NULL);
      double average;

      g_assert_nonnull (image);
      g_assert_cmpint (vips_avg (image, &average, NULL), ==, 0);
    }
}

/* An input link that leads outside INPUT_DIR is skipped with its reason;
 * --follow-symlinks reads it (and says so in the report); a link inside
 * the folder is read either way. */
static void
test_input_symlinks (Fixture *fx, gconstpointer data)
{
  const char *const plain[] = { "run", "in", "out", NULL };
  g_autofree char *private = safety_path (fx, "private/secret.jpg");
  g_autofree char *link = g_build_filename (fx->dirs.in, "link.jpg", NULL);
  g_autofree char *inner = g_build_filename (fx->dirs.in, "inner.jpg", NULL);
  g_autofree char *out_link = g_build_filename (fx->dirs.out, "link.jpg", NULL);
  g_autofree char *out_inner = g_build_filename (fx->dirs.out, "inner.jpg", NULL);
  g_autofree char *report = safety_path (fx, "run.json");
  g_autofree char *err = NULL;
  g_autofree char *json = NULL;
  g_autofree char *help = NULL;

  safety_image (fx, "private/secret.jpg", "jpeg");
  safety_image (fx, "in/sub/real.jpg", "jpeg");
  g_assert_cmpint (symlink (private, link), ==, 0);
  g_assert_cmpint (symlink ("sub/real.jpg", inner), ==, 0);

  g_assert_cmpint (safety_run (fx->dirs.root, plain, NULL, &err), ==, 0);
  g_assert_false (g_file_test (out_link, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (out_inner, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (fixtures_count_lines_containing (err, "shardpix: link.jpg: skipped: leads to "),
                    ==, 1);
  g_assert_nonnull (strstr (err, "outside INPUT_DIR"));
  g_clear_pointer (&err, g_free);

  {
    const char *const follow[] = { "run", "in", "out", "--follow-symlinks", "--report",
                                   report, NULL };
    g_autoptr (VipsImage) image = NULL;

    g_assert_cmpint (safety_run (fx->dirs.root, follow, NULL, &err), ==, 0);
    image = vips_image_new_from_file (out_link, NULL);
    g_assert_nonnull (image);
    g_assert_cmpint (image->Xsize, ==, 256);
    g_assert_cmpint (image->Bands, ==, 1);
    g_assert_true (g_file_get_contents (report, &json, NULL, NULL));
    g_assert_nonnull (strstr (json, "\"follow_symlinks\" : true"));
  }
  {
    const char *const args[] = { "run", "--help", NULL };

    g_assert_cmpint (safety_run (NULL, args, &help, NULL), ==, 0);
    g_assert_nonnull (strstr (help, "--follow-symlinks"));
  }
}

/* The worker's own open: a link that leads outside INPUT_DIR, or into
 * OUTPUT_DIR, is refused on the file really opened, whatever the listing
 * saw (a link swapped after it). */
static void
test_input_open_checks (FixturesJob *fx, gconstpointer data)
{
  g_autofree char *outside_dir = g_strconcat (fx->in, "-outside", NULL);
  g_autofree char *outside = g_build_filename (outside_dir, "x.jpg", NULL);
  g_autofree char *in_out = g_build_filename (fx->out, "old.jpg", NULL);
  g_autofree char *link = g_build_filename (fx->in, "a.jpg", NULL);
  g_autofree char *dir_link = g_build_filename (fx->in, "sub", NULL);
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (g_mkdir (outside_dir, 0755), ==, 0);
  fixtures_write_image (outside, "jpeg", 64, 64);
  fixtures_write_image (in_out, "jpeg", 64, 64);
  g_assert_cmpint (symlink (outside, link), ==, 0);
  g_assert_false (shardpix_pipeline_process (&fx->job, "a.jpg", 0, &error));
  g_assert_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_IMAGE);
  g_assert_nonnull (strstr (error->message, "outside INPUT_DIR"));
  g_clear_error (&error);
  /* A folder of the path turned into a link. */
  g_assert_cmpint (symlink (outside_dir, dir_link), ==, 0);
  g_assert_false (shardpix_pipeline_process (&fx->job, "sub/x.jpg", 1, &error));
  g_assert_nonnull (strstr (error->message, "outside INPUT_DIR"));
  g_clear_error (&error);
  fx->job.follow_symlinks = TRUE;
  g_assert_true (shardpix_pipeline_process (&fx->job, "a.jpg", 2, &error));
  g_assert_no_error (error);
  unlink (link);
  g_assert_cmpint (symlink (in_out, link), ==, 0);
  g_assert_false (shardpix_pipeline_process (&fx->job, "a.jpg", 3, &error));
  g_assert_nonnull (strstr (error->message, "inside OUTPUT_DIR"));
  fixtures_rmtree (outside_dir);
}

/* No byte 0x1b in @text except in the progress line's own "\r\033[K". */
static void
assert_no_raw_escape (const char *text)
{
  g_autoptr (GString) rest = g_string_new (text);

  g_string_replace (rest, "\r\033[K", "", 0);
  if (strchr (rest->str, '\033') != NULL)
    g_error ("a raw escape reached the terminal: %s", g_strescape (rest->str, NULL));
}

/* A reason that quotes a name from the folder (here: a read-only output
 * file system, in a folder whose name holds ESC [31m) is printed escaped,
 * on a pipe and on a terminal with the progress line. */
static void
test_escaped_reasons (Fixture *fx, gconstpointer data)
{
  const char *const args[] = { "run", "-r", "in", "out", "--serial", NULL };
  g_autofree char *bin = safety_bin ();
  g_autofree char *err = NULL;
  g_autofree char *tty = NULL;
  g_autofree char *command = NULL;

  safety_image (fx, "in/\033[31mred/a.jpg", "jpeg");
  g_assert_cmpint (g_mkdir (fx->dirs.out, 0755), ==, 0);
  if (!safety_mount (fx, "shardpix-test", fx->dirs.out, "tmpfs", MS_RDONLY, "size=64k"))
    return;
  g_assert_cmpint (safety_run (fx->dirs.root, args, NULL, &err), ==, 1);
  assert_no_raw_escape (err);
  g_assert_nonnull (strstr (err, "\\033[31mred: Read-only file system"));

  /* A terminal: the progress line is drawn, and the per-file line with it. */
  {
    g_autofree char *script_path = g_find_program_in_path ("script");
    const char *script[] = { "script", "-qec", NULL, "/dev/null", NULL };

    command = g_strdup_printf ("'%s' run -r in out --serial", bin);
    script[2] = command;
    if (script_path == NULL)
      {
        g_test_skip ("no script(1) for a terminal: skipped");
        return;
      }
    safety_spawn (fx->dirs.root, script, &tty, NULL);
    g_assert_nonnull (strstr (tty, "\r\033[K"));
    assert_no_raw_escape (tty);
    g_assert_nonnull (strstr (tty, "\\033[31mred: Read-only file system"));
  }
}

int
main (int argc, char **argv)
{
  fixtures_init (&argc, &argv);
  /* The mounts the tests make live in a mount namespace of this process
   * (its children, the runs, see them): a test that aborts before its
   * teardown leaves none behind. Where this is not allowed, mounting is
   * not either, and those tests skip. */
  if (unshare (CLONE_NEWNS) == 0)
    mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
  g_test_add ("/shardpix/safety/layout/input-inside-output", Fixture, NULL, fixture_setup,
              test_layout_input_inside_output, fixture_teardown);
  g_test_add ("/shardpix/safety/layout/other-spellings", Fixture, NULL, fixture_setup,
              test_layout_other_spellings, fixture_teardown);
  g_test_add ("/shardpix/safety/layout/bind-mounts", Fixture, NULL, fixture_setup,
              test_layout_bind_mounts, fixture_teardown);
  g_test_add ("/shardpix/safety/output/symlink-not-followed", Fixture, NULL, fixture_setup,
              test_output_symlink, fixture_teardown);
  g_test_add ("/shardpix/safety/temp/foreign-file-kept", Fixture, NULL, fixture_setup,
              test_temp_foreign_file, fixture_teardown);
  g_test_add ("/shardpix/safety/temp/concurrent-namespaces", Fixture, NULL, fixture_setup,
              test_temp_concurrent_runs, fixture_teardown);
  g_test_add ("/shardpix/safety/input/symlinks", Fixture, NULL, fixture_setup,
              test_input_symlinks, fixture_teardown);
  g_test_add ("/shardpix/safety/input/open-checks", FixturesJob, NULL, fixtures_job_setup,
              test_input_open_checks, fixtures_job_teardown);
  g_test_add ("/shardpix/safety/escape/reasons", Fixture, NULL, fixture_setup,
              test_escaped_reasons, fixture_teardown);
  return g_test_run ();
}
