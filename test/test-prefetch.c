/* Reading ahead (lib/prefetch) through the real pipeline, and --prefetch
 * through the real binary: outputs byte-identical with and without it,
 * on local files and on slow storage (test/slowfs, a FUSE fixture); a file
 * deleted, replaced or truncated between read-ahead and decode fails (or
 * is read) exactly as without prefetch. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "fixtures.h"
#include "shardpix/pipeline.h"
#include "shardpix/prefetch.h"
#include "shardpix/vips-autoptr.h"

typedef FixturesJob Fixture;

static const char *const names[] = { "a.jpg", "b.png", "c.webp", "d.jpg" };

static void
write_inputs (Fixture *fx)
{
  const char *kinds[] = { "jpeg", "png", "webp", "jpeg-progressive" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (fx->in, names[i], NULL);

      fixtures_write_image (path, kinds[i], 300 + 40 * i, 200);
    }
}

/* What the pipeline says of @rel opened the ordinary way, no prefetch. */
static char *
error_without_prefetch (Fixture *fx, const char *rel)
{
  g_autoptr (GError) error = NULL;

  g_assert_false (shardpix_pipeline_process (&fx->job, rel, 99, &error));
  g_assert_nonnull (error);
  return g_strdup (error->message);
}

/* Every item handed over read ahead, and decoding from those descriptors
 * gives the very bytes decoding by path gives. */
static void
test_prefetch_same_outputs (Fixture *fx, gconstpointer data)
{
  g_autofree char *plain = fixtures_mkdtemp ();
  g_autoptr (ShardpixPrefetch) prefetch = NULL;
  g_autofree char *why = NULL;

  write_inputs (fx);
  prefetch = shardpix_prefetch_new (&fx->job, names, G_N_ELEMENTS (names), 2);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr (GError) error = NULL;
      struct stat st;
      int fd = shardpix_prefetch_take (prefetch, i, &st);

      g_assert_cmpint (fd, >=, 0);
      g_assert_cmpint (lseek (fd, 0, SEEK_CUR), ==, 0);
      g_assert_true (shardpix_pipeline_process_opened (&fx->job, names[i], i, fd, &st, &error));
      g_assert_no_error (error);
    }
  g_free (fx->job.output_dir);
  fx->job.output_dir = g_strdup (plain);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_true (shardpix_pipeline_process (&fx->job, names[i], i, NULL));
  if (!fixtures_same_tree (fx->out, plain, &why))
    g_error ("read ahead and plain outputs differ: %s", why);
  fixtures_rmtree (plain);
}

/* b.png deleted and c.webp truncated after they were read ahead, d.jpg
 * replaced by another image: the errors, and d's output, are what they
 * would be without prefetch. */
static void
test_prefetch_changed_files (Fixture *fx, gconstpointer data)
{
  g_autofree char *b = g_build_filename (fx->in, "b.png", NULL);
  g_autofree char *c = g_build_filename (fx->in, "c.webp", NULL);
  g_autofree char *d = g_build_filename (fx->in, "d.jpg", NULL);
  g_autofree char *other = g_build_filename (fx->in, "other.jpg", NULL);
  g_autofree char *d_out = g_build_filename (fx->out, "d.jpg", NULL);
  g_autofree char *b_error = NULL;
  g_autofree char *c_error = NULL;
  g_autoptr (ShardpixPrefetch) prefetch = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (VipsImage) d_image = NULL;
  struct stat st;
  int fd;

  write_inputs (fx);
  fixtures_write_image (other, "jpeg", 90, 600);
  prefetch = shardpix_prefetch_new (&fx->job, names, G_N_ELEMENTS (names), 3);
  fd = shardpix_prefetch_take (prefetch, 0, &st);
  g_assert_cmpint (fd, >=, 0);
  close (fd);
  /* b, c and d are read ahead now; then they change under it. */
  shardpix_prefetch_wait_ready (prefetch, 3);
  g_assert_cmpint (g_unlink (b), ==, 0);
  g_assert_cmpint (truncate (c, 200), ==, 0);
  g_assert_cmpint (g_rename (other, d), ==, 0);

  b_error = error_without_prefetch (fx, "b.png");
  c_error = error_without_prefetch (fx, "c.webp");

  fd = shardpix_prefetch_take (prefetch, 1, &st);
  g_assert_cmpint (fd, ==, -1);
  g_assert_false (shardpix_pipeline_process (&fx->job, "b.png", 1, &error));
  g_assert_cmpstr (error->message, ==, b_error);
  g_clear_error (&error);

  fd = shardpix_prefetch_take (prefetch, 2, &st);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (st.st_size, ==, 200);
  g_assert_false (shardpix_pipeline_process_opened (&fx->job, "c.webp", 2, fd, &st, &error));
  g_assert_cmpstr (error->message, ==, c_error);
  g_clear_error (&error);

  fd = shardpix_prefetch_take (prefetch, 3, &st);
  g_assert_cmpint (fd, ==, -1);
  g_assert_true (shardpix_pipeline_process (&fx->job, "d.jpg", 3, &error));
  g_assert_no_error (error);
  /* The new d.jpg (90x600, portrait), not the one read ahead. */
  d_image = vips_image_new_from_file (d_out, NULL);
  g_assert_nonnull (d_image);
  g_assert_cmpint (d_image->Ysize, ==, 256);
  g_assert_cmpint (d_image->Xsize, <, 64);
}

/* Freed with items read ahead and not taken: their descriptors closed. */
static void
test_prefetch_free_early (Fixture *fx, gconstpointer data)
{
  g_autofree char *fd_dir = g_strdup_printf ("/proc/%d/fd", (int) getpid ());
  guint open_before = 0, open_after = 0;
  g_autoptr (GDir) dir = NULL;
  ShardpixPrefetch *prefetch;

  write_inputs (fx);
  dir = g_dir_open (fd_dir, 0, NULL);
  while (g_dir_read_name (dir) != NULL)
    open_before++;
  g_clear_pointer (&dir, g_dir_close);
  prefetch = shardpix_prefetch_new (&fx->job, names, G_N_ELEMENTS (names), 4);
  shardpix_prefetch_wait_ready (prefetch, 3);
  shardpix_prefetch_free (prefetch);
  dir = g_dir_open (fd_dir, 0, NULL);
  while (g_dir_read_name (dir) != NULL)
    open_after++;
  g_assert_cmpuint (open_after, ==, open_before);
}

/* The binary: -j 2 and --serial with and without --prefetch give the same
 * bytes. */
static void
test_prefetch_binary_identical (Fixture *fx, gconstpointer data)
{
  const char *prefetch_values[] = { "0", "1", "8" };
  g_autofree char *reference = NULL;

  for (guint i = 0; i < 12; i++)
    {
      g_autofree char *name = g_strdup_printf ("img-%02u.%s", i, i % 3 ? "jpg" : "png");
      g_autofree char *path = g_build_filename (fx->in, name, NULL);

      fixtures_write_image (path, i % 3 ? "jpeg" : "png", 200 + 30 * i, 150);
    }
  for (guint i = 0; i < G_N_ELEMENTS (prefetch_values); i++)
    for (guint serial = 0; serial < 2; serial++)
      {
        g_autofree char *out = g_strdup_printf ("%s-%s-%u", fx->out, prefetch_values[i], serial);
        const char *args[] = { "run", fx->in, out, "--quiet", "--prefetch", prefetch_values[i],
                               serial ? "--serial" : "-j", serial ? NULL : "2", NULL };
        g_autofree char *why = NULL;

        g_assert_cmpint (fixtures_run_logged (args, NULL, NULL), ==, 0);
        if (reference == NULL)
          reference = g_strdup (out);
        else if (!fixtures_same_tree (reference, out, &why))
          g_error ("--prefetch %s: outputs differ: %s", prefetch_values[i], why);
        if (strcmp (out, reference) != 0)
          fixtures_rmtree (out);
      }
  fixtures_rmtree (reference);
}

/* Slow storage: the same folder through test/slowfs (a FUSE passthrough
 * adding latency per open and per megabyte) converts to the same bytes,
 * with and without prefetch, as from local storage. */
static void
test_prefetch_slow_storage (Fixture *fx, gconstpointer data)
{
  const char *slowfs = g_getenv ("SHARDPIX_SLOWFS");
  g_autofree char *mnt = fixtures_mkdtemp ();
  g_autofree char *local = g_strconcat (fx->out, "-local", NULL);
  const char *mount_argv[] = { slowfs, fx->in, mnt, "--open-ms=5", "--ms-per-mb=5", NULL };
  const char *umount_argv[] = { "fusermount3", "-u", mnt, NULL };
  const char *local_args[] = { "run", fx->in, local, "--quiet", "--prefetch", "0", NULL };
  g_autoptr (GError) error = NULL;
  int status = 0;

  if (slowfs == NULL || access ("/dev/fuse", R_OK | W_OK) != 0)
    {
      g_test_skip ("no usable FUSE here (libfuse3 not found at build time, or no /dev/fuse)");
      fixtures_rmtree (mnt);
      return;
    }
  write_inputs (fx);
  if (!g_spawn_sync (NULL, (char **) mount_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                     NULL, &status, &error)
      || !g_spawn_check_wait_status (status, NULL))
    {
      g_test_skip ("slowfs would not mount here (FUSE not permitted)");
      fixtures_rmtree (mnt);
      return;
    }
  g_assert_cmpint (fixtures_run_logged (local_args, NULL, NULL), ==, 0);
  for (guint p = 0; p < 2; p++)
    {
      g_autofree char *out = g_strdup_printf ("%s-slow-%u", fx->out, p);
      const char *args[] = { "run", mnt, out, "-j", "2", "--quiet", "--prefetch",
                             p ? "3" : "0", NULL };
      g_autofree char *why = NULL;

      g_assert_cmpint (fixtures_run_logged (args, NULL, NULL), ==, 0);
      if (!fixtures_same_tree (local, out, &why))
        g_error ("slow storage, prefetch %u: %s", p, why);
      fixtures_rmtree (out);
    }
  g_assert_true (g_spawn_sync (NULL, (char **) umount_argv, NULL, G_SPAWN_SEARCH_PATH, NULL,
                               NULL, NULL, NULL, &status, NULL));
  fixtures_rmtree (local);
  g_rmdir (mnt);
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixtures_job_setup, func, fixtures_job_teardown)

int
main (int argc, char **argv)
{
  fixtures_init (&argc, &argv);
  ADD ("/shardpix/prefetch/same-outputs", test_prefetch_same_outputs);
  ADD ("/shardpix/prefetch/changed-files", test_prefetch_changed_files);
  ADD ("/shardpix/prefetch/free-early", test_prefetch_free_early);
  ADD ("/shardpix/prefetch/binary-identical", test_prefetch_binary_identical);
  ADD ("/shardpix/prefetch/slow-storage", test_prefetch_slow_storage);
  return g_test_run ();
}
