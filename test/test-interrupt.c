/* Runs of the real binary disturbed from outside: a worker killed, the run
 * interrupted then resumed, the output disk full. */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "fixtures.h"

#define INTERRUPT_N_IMAGES 24

typedef struct {
  FixturesDirs dirs;
  char *mount; /* a tmpfs mounted by the test, or NULL */
} Fixture;

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  fixtures_dirs_setup (&fx->dirs, data);
  for (guint i = 0; i < INTERRUPT_N_IMAGES; i++)
    {
      g_autofree char *name = g_strdup_printf ("img-%02u.%s", i, i % 3 ? "jpg" : "png");
      g_autofree char *path = g_build_filename (fx->dirs.in, name, NULL);

      fixtures_write_image (path, i % 3 ? "jpeg" : "png", 480 + 8 * i, 360);
    }
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  if (fx->mount != NULL)
    umount2 (fx->mount, MNT_DETACH);
  g_free (fx->mount);
  fixtures_dirs_teardown (&fx->dirs, data);
}

static GSubprocess *
start_shardpix (const char *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  GSubprocess *process;

  g_ptr_array_add (argv, (char *) g_getenv ("SHARDPIX_BIN"));
  for (; *args != NULL; args++)
    g_ptr_array_add (argv, (char *) *args);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char *const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  return process;
}

/* Waits for the process; returns the exit code (128+N for signal N). */
static int
finish_shardpix (GSubprocess *process, char **err)
{
  g_autoptr (GBytes) out_bytes = NULL;
  g_autoptr (GBytes) err_bytes = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  int status;

  g_subprocess_communicate (process, NULL, NULL, &out_bytes, &err_bytes, &error);
  g_assert_no_error (error);
  out = g_strndup (g_bytes_get_data (out_bytes, NULL), g_bytes_get_size (out_bytes));
  *err = g_strndup (g_bytes_get_data (err_bytes, NULL), g_bytes_get_size (err_bytes));
  status = g_subprocess_get_if_signaled (process) ? 128 + g_subprocess_get_term_sig (process)
                                                  : g_subprocess_get_exit_status (process);
  g_test_message ("exit %d\nstdout:\n%s\nstderr:\n%s", status, out, *err);
  return status;
}

/* Outputs (not hidden temporary files) directly in @dir. Read while
 * workers rename files in it, so names only: no lstat() that could race. */
static guint
count_outputs (const char *dir)
{
  g_autoptr (GDir) entries = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  if (entries == NULL)
    return 0;
  while ((name = g_dir_read_name (entries)) != NULL)
    n += name[0] != '.';
  return n;
}

/* Polls until @dir holds @n outputs or the process has ended. No timing is
 * asserted: the meson timeout is the only limit. */
static void
wait_for_outputs (GSubprocess *process, const char *dir, guint n)
{
  while (count_outputs (dir) < n && g_subprocess_get_identifier (process) != NULL)
    g_usleep (2000);
}

static void
assert_no_temp_files (const char *dir)
{
  g_autoptr (GPtrArray) files = NULL;

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    return;
  files = fixtures_list_files (dir);
  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *base = g_path_get_basename (g_ptr_array_index (files, i));

      if (base[0] == '.')
        g_error ("temporary file left: %s", (const char *) g_ptr_array_index (files, i));
    }
}

/* The first child of @pid, from /proc, or 0. */
static pid_t
first_child (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/task/%d/children", (int) pid, (int) pid);
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  return (pid_t) g_ascii_strtoll (text, NULL, 10);
}

static void
run_reference (Fixture *fx, const char *dir)
{
  const char *args[] = { "run", fx->dirs.in, dir, "-j", "2", "--quiet", NULL };

  g_assert_cmpint (fixtures_run_shardpix (args, NULL, NULL), ==, 0);
}

/* SIGKILL a real `shardpix worker` mid-shard: the file it was on is retried
 * alone, the rest of its shard goes to a fresh worker, nothing is lost. */
static void
test_kill_worker (Fixture *fx, gconstpointer data)
{
  g_autofree char *reference = g_build_filename (fx->dirs.root, "reference", NULL);
  const char *args[] = { "run", fx->dirs.in, fx->dirs.out, "-j", "2", "--shards", "2", NULL };
  g_autoptr (GSubprocess) process = NULL;
  g_autofree char *err = NULL;
  g_autofree char *why = NULL;
  pid_t run_pid, worker = 0;
  int status;

  run_reference (fx, reference);
  process = start_shardpix (args);
  run_pid = (pid_t) g_ascii_strtoll (g_subprocess_get_identifier (process), NULL, 10);
  /* Two outputs in: both workers are past their start and far from the end
   * of their twelve files. */
  wait_for_outputs (process, fx->dirs.out, 2);
  while (worker == 0 && g_subprocess_get_identifier (process) != NULL)
    worker = first_child (run_pid);
  g_assert_cmpint (worker, >, 0);
  g_assert_cmpint (kill (worker, SIGKILL), ==, 0);
  status = finish_shardpix (process, &err);

  if (strstr (err, "before finishing its shard") == NULL)
    {
      g_test_skip ("the worker finished before it could be killed");
      return;
    }
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (err, "killed by SIGKILL before finishing its shard on "));
  g_assert_nonnull (strstr (err, "retrying it alone"));
  g_assert_nonnull (strstr (err, "alone: ok"));
  g_assert_nonnull (strstr (err, "1 file(s) retried after a worker died, 0 poison"));
  assert_no_temp_files (fx->dirs.out);
  if (!fixtures_same_tree (reference, fx->dirs.out, &why))
    g_error ("after a killed worker: %s", why);
}

/* SIGINT when @n outputs exist, then --resume: the same folder as an
 * uninterrupted run, and no temporary file after either exit. */
static void
interrupt_and_resume (Fixture *fx, const char *reference, guint n)
{
  const char *args[] = { "run", fx->dirs.in, fx->dirs.out, "-j", "2", NULL };
  const char *resume[] = { "run", fx->dirs.in, fx->dirs.out, "-j", "2", "--resume", NULL };
  g_autoptr (GSubprocess) process = NULL;
  g_autofree char *err = NULL;
  g_autofree char *resume_out = NULL;
  g_autofree char *why = NULL;
  guint before;
  int status;

  if (g_file_test (fx->dirs.out, G_FILE_TEST_EXISTS))
    fixtures_rmtree (fx->dirs.out);
  process = start_shardpix (args);
  wait_for_outputs (process, fx->dirs.out, n);
  g_subprocess_send_signal (process, SIGINT);
  status = finish_shardpix (process, &err);
  /* 0 when the run was over before the signal arrived. */
  g_assert_true (status == 130 || status == 0);
  assert_no_temp_files (fx->dirs.out);
  before = count_outputs (fx->dirs.out);
  g_test_message ("SIGINT after %u outputs: exit %d, %u outputs", n, status, before);

  g_assert_cmpint (fixtures_run_shardpix (resume, &resume_out, NULL), ==, 0);
  g_test_message ("resume: %s", resume_out);
  if (before > 0)
    {
      g_autofree char *resumed = g_strdup_printf ("skipped-resumed %u", before);

      g_assert_nonnull (strstr (resume_out, resumed));
    }
  assert_no_temp_files (fx->dirs.out);
  if (!fixtures_same_tree (reference, fx->dirs.out, &why))
    g_error ("SIGINT after %u outputs, then --resume: %s", n, why);
}

static void
test_interrupt_resume (Fixture *fx, gconstpointer data)
{
  g_autofree char *reference = g_build_filename (fx->dirs.root, "reference", NULL);
  const guint moments[] = { 0, 1, INTERRUPT_N_IMAGES / 2, INTERRUPT_N_IMAGES - 2 };

  run_reference (fx, reference);
  for (guint i = 0; i < G_N_ELEMENTS (moments); i++)
    interrupt_and_resume (fx, reference, moments[i]);
}

/* --resume redoes an output older than its input. */
static void
test_resume_stale (Fixture *fx, gconstpointer data)
{
  const char *args[] = { "run", fx->dirs.in, fx->dirs.out, "-j", "2", "--resume", NULL };
  g_autofree char *input = g_build_filename (fx->dirs.in, "img-01.jpg", NULL);
  g_autofree char *out = NULL;
  struct timespec times[2] = { { 0, UTIME_OMIT }, { 0, 0 } };
  g_autofree char *output = g_build_filename (fx->dirs.out, "img-01.jpg", NULL);

  g_assert_cmpint (fixtures_run_shardpix (args, NULL, NULL), ==, 0);
  /* The output is now from 1970: older than its input. */
  g_assert_cmpint (utimensat (AT_FDCWD, output, times, 0), ==, 0);
  g_assert_cmpint (fixtures_run_shardpix (args, &out, NULL), ==, 0);
  g_test_message ("%s", out);
  g_assert_nonnull (strstr (out, "ok 1  failed 0  skipped-resumed 23"));
}

/* A disk that fills up: each failed write is that file's error, no
 * temporary file stays, and the run stops early with one message. */
static void
test_disk_full (Fixture *fx, gconstpointer data)
{
  g_autofree char *small = g_build_filename (fx->dirs.root, "small", NULL);
  g_autofree char *out = g_build_filename (small, "out", NULL);
  const char *args[] = { "run", fx->dirs.in, out, "-j", "2", "--size", "2000", NULL };
  g_autoptr (GSubprocess) process = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (g_mkdir (small, 0755), ==, 0);
  if (mount ("shardpix-test", small, "tmpfs", MS_NOSUID | MS_NODEV, "size=256k") != 0)
    {
      g_autofree char *why = g_strdup_printf ("cannot mount a small tmpfs here (%s): "
                                              "needs root or CAP_SYS_ADMIN",
                                              g_strerror (errno));
      g_test_skip (why);
      return;
    }
  fx->mount = g_strdup (small);
  process = start_shardpix (args);
  g_assert_cmpint (finish_shardpix (process, &err), ==, 1);
  g_assert_nonnull (strstr (err, "No space left on device"));
  g_assert_nonnull (strstr (err, "shardpix: stopped early: outputs cannot be written"));
  assert_no_temp_files (out);
  g_assert_cmpuint (count_outputs (out), <, INTERRUPT_N_IMAGES);
}

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int argc, char **argv)
{
  fixtures_init (&argc, &argv);
  ADD ("/shardpix/interrupt/kill-worker", test_kill_worker);
  ADD ("/shardpix/interrupt/sigint-resume", test_interrupt_resume);
  ADD ("/shardpix/interrupt/resume-stale", test_resume_stale);
  ADD ("/shardpix/interrupt/disk-full", test_disk_full);
  return g_test_run ();
}
