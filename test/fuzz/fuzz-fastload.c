#include "fuzz-fastload.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "shardpix/fastload.h"
#include "shardpix/pipeline.h"
#include "shardpix/vips-autoptr.h"

/* Larger images cost the fuzzer executions without reaching new code. */
#define FUZZ_MAX_PIXELS (1 << 18)

static ShardpixJob fuzz_job;
static char *fuzz_input;
static char *fuzz_root;

/* The scratch folder holds only files the target wrote, one level down. */
static void
fuzz_fastload_remove_root (void)
{
  const char *folders[] = { fuzz_job.input_dir, fuzz_job.output_dir };

  for (gsize i = 0; i < G_N_ELEMENTS (folders); i++)
    {
      g_autoptr (GDir) dir = g_dir_open (folders[i], 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (folders[i], name, NULL);

          unlink (path);
        }
      rmdir (folders[i]);
    }
  rmdir (fuzz_root);
}

int LLVMFuzzerInitialize (int *argc, char ***argv);

/* Every target that links this file starts here. */
int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_fastload_init ((*argv)[0]);
  return 0;
}

void
fuzz_fastload_init (const char *argv0)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *root = NULL;

  /* In memory when the system has a tmpfs there. */
  if (g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR))
    root = g_mkdtemp (g_strdup ("/dev/shm/shardpix-fuzz-XXXXXX"));
  if (root == NULL)
    root = g_dir_make_tmp ("shardpix-fuzz-XXXXXX", &error);
  if (root == NULL || !shardpix_pipeline_init (argv0, 1, &error))
    fuzz_fastload_fail ("cannot start: %s", error->message);
  shardpix_job_init (&fuzz_job);
  fuzz_job.input_dir = g_build_filename (root, "in", NULL);
  fuzz_job.output_dir = g_build_filename (root, "out", NULL);
  fuzz_root = g_steal_pointer (&root);
  atexit (fuzz_fastload_remove_root);
  /* Small enough that most inputs are shrunk, both on load and after. */
  fuzz_job.width = fuzz_job.height = 48;
  /* Lossless: only the decoding paths differ. */
  fuzz_job.output_name = g_strdup ("%s.png");
  g_mkdir (fuzz_job.input_dir, 0700);
  g_mkdir (fuzz_job.output_dir, 0700);
}

const ShardpixJob *
fuzz_fastload_job (void)
{
  return &fuzz_job;
}

void
fuzz_fastload_fail (const char *format, ...)
{
  va_list args;

  va_start (args, format);
  vfprintf (stderr, format, args);
  va_end (args);
  fputc ('\n', stderr);
  __builtin_trap ();
}

const char *
fuzz_fastload_write (const guint8 *data, gsize size, const char *ext)
{
  g_autoptr (GError) error = NULL;

  g_free (fuzz_input);
  fuzz_input = g_strdup_printf ("%s/input.%s", fuzz_job.input_dir, ext);
  /* Neither fsync nor rename: thousands of files a second, thrown away. */
  if (!g_file_set_contents_full (fuzz_input, (const char *) data, (gssize) size,
                                 G_FILE_SET_CONTENTS_NONE, 0600, &error))
    fuzz_fastload_fail ("cannot write %s: %s", fuzz_input, error->message);
  return fuzz_input;
}

/* The image the pipeline made of the input, or NULL with @why set. */
static VipsImage *
fuzz_fastload_thumbnail (const char *ext, gboolean fast, char **why)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *rel = g_strdup_printf ("input.%s", ext);
  g_autofree char *out = g_strdup_printf ("%s/input.png", fuzz_job.output_dir);
  g_autofree void *bytes = NULL;
  gsize len = 0;
  ShardpixJob job = fuzz_job;
  VipsImage *image;

  job.no_fast_paths = !fast;
  unlink (out);
  if (!shardpix_pipeline_process (&job, rel, 0, &error))
    {
      *why = g_strdup (error->message);
      return NULL;
    }
  /* Read whole, so that the file can go before the next run. */
  if (!g_file_get_contents (out, (char **) &bytes, &len, NULL))
    fuzz_fastload_fail ("no output at %s", out);
  image = vips_image_new_from_buffer (bytes, len, "", NULL);
  if (image == NULL)
    fuzz_fastload_fail ("cannot read the output: %s", vips_error_buffer ());
  g_autoptr (VipsImage) copy = vips_image_copy_memory (image);
  g_object_unref (image);
  unlink (out);
  return g_steal_pointer (&copy);
}

void
fuzz_fastload_check (const guint8 *data, gsize size, const char *ext, FuzzFastload fastload,
                     ToleranceKind kind)
{
  const char *path = fuzz_fastload_write (data, size, ext);
  g_autoptr (VipsImage) taken = NULL;
  g_autoptr (VipsImage) fast = NULL;
  g_autoptr (VipsImage) reference = NULL;
  g_autofree char *fast_why = NULL;
  g_autofree char *reference_why = NULL;
  g_autofree char *why = NULL;
  struct stat st;
  int width = 0, height = 0;
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  if (fd < 0 || fstat (fd, &st) != 0)
    fuzz_fastload_fail ("cannot open %s", path);
  taken = fastload (fd, &st, &fuzz_job);
  close (fd);
  if (taken == NULL)
    return;
  vips_image_get_int (taken, SHARDPIX_FASTLOAD_WIDTH, &width);
  vips_image_get_int (taken, SHARDPIX_FASTLOAD_HEIGHT, &height);
  if ((gint64) width * height > FUZZ_MAX_PIXELS)
    return;
  fast = fuzz_fastload_thumbnail (ext, TRUE, &fast_why);
  reference = fuzz_fastload_thumbnail (ext, FALSE, &reference_why);
  if (reference == NULL)
    fuzz_fastload_fail ("the fast path took a %dx%d file libvips refuses: %s", width, height,
                        reference_why);
  if (fast == NULL)
    fuzz_fastload_fail ("the fast path took a %dx%d file and failed it: %s", width, height,
                        fast_why);
  if (!tolerance_check (fast, reference, kind, &why))
    fuzz_fastload_fail ("the fast path's %dx%d thumbnail is not libvips': %s", width, height,
                        why);
}
