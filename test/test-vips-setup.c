/* libvips started as a worker starts it (lib/vips-setup.c): the HEIF and
 * JPEG XL modules left closed until a file or an output format needs them,
 * the other modules never opened, the operation policy the same before and
 * after. Each case runs in a fresh process, started by
 * shardpix_pipeline_init() alone; this process writes its inputs with
 * every module libvips has. */
#include <string.h>

#include <vips/vips.h>

#include "fixtures.h"
#include "shardpix/pipeline.h"
#include "shardpix/vips-autoptr.h"
#include "shardpix/vips-setup.h"

#define SETUP_DIR_ENV "SHARDPIX_TEST_VIPS_SETUP_DIR"

/* Whether a module file whose name starts with @name is mapped into this
 * process: what the kernel says was opened, not what shardpix believes. */
static gboolean
module_mapped (const char *name)
{
  g_autofree char *maps = NULL;
  g_autofree char *needle = g_strdup_printf ("/vips-modules-%d.%d/%s", vips_version (0),
                                             vips_version (1), name);

  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  return strstr (maps, needle) != NULL;
}

/* On a libvips with modules in the folder it was built for (Debian's),
 * they must have been left closed; elsewhere there is nothing to test. */
static gboolean
modules_deferred_here (void)
{
  g_autofree char *dir = g_strdup_printf ("%s/vips-modules-%d.%d", SHARDPIX_VIPS_LIBDIR,
                                          vips_version (0), vips_version (1));

  const char *home = g_getenv ("VIPSHOME");

  if ((home != NULL && !g_str_equal (home, SHARDPIX_VIPS_PREFIX))
      || !g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("libvips opens its own modules here (VIPSHOME elsewhere, or none in its "
                   "libdir)");
      return FALSE;
    }
  g_assert_true (shardpix_vips_setup_modules_pending ());
  g_assert_false (module_mapped ("vips-heif"));
  g_assert_false (module_mapped ("vips-jxl"));
  return TRUE;
}

static void
job_for_inputs (ShardpixJob *job, const char *output_dir)
{
  shardpix_job_init (job);
  job->input_dir = g_strdup (g_getenv (SETUP_DIR_ENV));
  job->output_dir = g_strdup (output_dir);
  job->width = 64;
  job->height = 64;
  /* PNG keeps one band: a HEIF output would come back as three. */
  job->output_name = g_strdup ("%s.png");
}

/* The output @name exists, grey, and fits the 64x64 box. */
static void
assert_thumbnail (const char *output_dir, const char *name)
{
  g_autofree char *path = g_build_filename (output_dir, name, NULL);
  g_autoptr (VipsImage) image = vips_image_new_from_file (path, NULL);

  g_assert_nonnull (image);
  g_assert_cmpint (image->Bands, ==, 1);
  g_assert_cmpint (MAX (image->Xsize, image->Ysize), ==, 64);
}

static void
assert_refused (const ShardpixJob *job, const char *rel, const char *reason)
{
  g_autoptr (GError) error = NULL;

  g_assert_false (shardpix_pipeline_process (job, rel, 0, &error));
  g_test_message ("%s: %s", rel, error->message);
  g_assert_nonnull (strstr (error->message, reason));
}

static void
process_ok (const ShardpixJob *job, const char *rel)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (shardpix_pipeline_process (job, rel, 0, &error));
  g_assert_no_error (error);
}

static void
assert_unwanted_never_opened (void)
{
  g_assert_false (module_mapped ("vips-magick"));
  g_assert_false (module_mapped ("vips-poppler"));
  g_assert_false (module_mapped ("vips-openslide"));
}

static void
run_in_fresh_process (void)
{
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* Here: runs the case in a fresh process, and NULL. There: NULL when there
 * is nothing to test, else the output folder of @job, set for the inputs. */
static char *
case_begin (ShardpixJob *job)
{
  char *out;

  if (!g_test_subprocess ())
    {
      run_in_fresh_process ();
      return NULL;
    }
  if (!modules_deferred_here ())
    return NULL;
  out = fixtures_mkdtemp ();
  job_for_inputs (job, out);
  return out;
}

static void
test_loaders_opened_on_need (void)
{
  g_autofree char *out = NULL;
  g_auto (ShardpixJob) job = { 0 };

  if ((out = case_begin (&job)) == NULL)
    return;

  /* A fast path's JPEG, and a 16-bit PNG through libvips' own loader. */
  process_ok (&job, "photo.jpg");
  process_ok (&job, "deep.png");
  g_assert_true (shardpix_vips_setup_modules_pending ());
  g_assert_false (module_mapped ("vips-heif"));

  /* No loader yet opened knows a HEIC: the modules are opened for it. */
  process_ok (&job, "phone.heic");
  g_assert_false (shardpix_vips_setup_modules_pending ());
  g_assert_true (module_mapped ("vips-heif"));
  g_assert_true (module_mapped ("vips-jxl"));
  process_ok (&job, "camera.jxl");
  assert_thumbnail (out, "phone.png");
  assert_thumbnail (out, "camera.png");

  /* The policy still holds for what was there before and what came. */
  assert_refused (&job, "drawing.jpg", "operation is blocked");
  assert_refused (&job, "text.jpg", "not a known file format");
  assert_refused (&job, "bitmap.jpg", "not a known file format");
  assert_unwanted_never_opened ();
  fixtures_rmtree (out);
}

/* A file nothing reads opens the modules once, and is still refused. */
static void
test_unknown_file_opens_them_once (void)
{
  g_autofree char *out = NULL;
  g_auto (ShardpixJob) job = { 0 };

  if ((out = case_begin (&job)) == NULL)
    return;
  assert_refused (&job, "text.jpg", "not a known file format");
  g_assert_false (shardpix_vips_setup_modules_pending ());
  g_assert_false (shardpix_vips_setup_open_modules ());
  process_ok (&job, "phone.heic");
  assert_unwanted_never_opened ();
  fixtures_rmtree (out);
}

/* An output format only a module saves opens them too. */
static void
test_saver_opened_on_need (void)
{
  g_autofree char *out = NULL;
  g_autofree char *path = NULL;
  g_autoptr (VipsImage) image = NULL;
  g_auto (ShardpixJob) job = { 0 };
  const char *loader = NULL;

  if ((out = case_begin (&job)) == NULL)
    return;
  g_free (job.output_name);
  job.output_name = g_strdup ("%s.avif");
  process_ok (&job, "photo.jpg");
  path = g_build_filename (out, "photo.avif", NULL);
  image = vips_image_new_from_file (path, NULL);
  g_assert_nonnull (image);
  g_assert_cmpint (vips_image_get_string (image, VIPS_META_LOADER, &loader), ==, 0);
  g_assert_cmpstr (loader, ==, "heifload");
  g_assert_cmpint (MAX (image->Xsize, image->Ysize), ==, 64);
  assert_unwanted_never_opened ();
  fixtures_rmtree (out);
}

/* A 2x2 24-bit BMP: a format only ImageMagick's loader reads. */
static void
write_bmp (const char *path)
{
  static const guint8 bmp[] = {
    'B', 'M', 70, 0, 0, 0, 0, 0, 0, 0, 54, 0, 0, 0, /* file header */
    40, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 24, 0, 0, 0, 0, 0, 16, 0, 0, 0,
    0x13, 0x0b, 0, 0, 0x13, 0x0b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* info header */
    255, 0, 0, 0, 255, 0, 0, 0, 0, 0, 255, 255, 255, 255, 0, 0, /* rows, padded to 4 */
  };

  fixtures_write_bytes (path, bmp, sizeof bmp);
}

static char *
write_inputs (void)
{
  static const char svg[] = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"64\" "
                            "height=\"64\"><rect width=\"64\" height=\"64\"/></svg>";
  static const char text[] = "not an image at all\n";
  char *dir = fixtures_mkdtemp ();
  g_autofree char *svg_path = g_build_filename (dir, "drawing.jpg", NULL);
  g_autofree char *text_path = g_build_filename (dir, "text.jpg", NULL);
  g_autofree char *bmp_path = g_build_filename (dir, "bitmap.jpg", NULL);
  const struct
  {
    const char *name, *kind;
  } images[] = {
    { "photo.jpg", "jpeg" }, { "deep.png", "png16" }, { "phone.heic", "heic" },
    { "camera.jxl", "jxl" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (images); i++)
    {
      g_autofree char *path = g_build_filename (dir, images[i].name, NULL);

      fixtures_write_image (path, images[i].kind, 320, 200);
    }
  fixtures_write_bytes (svg_path, svg, sizeof svg - 1);
  fixtures_write_bytes (text_path, text, sizeof text - 1);
  write_bmp (bmp_path);
  return dir;
}

static gboolean
is_subprocess (int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--GTestSubprocess"))
      return TRUE;
  return FALSE;
}

int
main (int argc, char **argv)
{
  g_autofree char *inputs = NULL;
  int status;

  /* The process under test starts libvips as a worker does, before
   * fixtures_init() would start it with every module. */
  if (is_subprocess (argc, argv))
    g_assert_true (shardpix_pipeline_init (argv[0], 1, NULL));
  fixtures_init (&argc, &argv);
  if (!g_test_subprocess ())
    {
      inputs = write_inputs ();
      g_setenv (SETUP_DIR_ENV, inputs, TRUE);
    }
  g_test_add_func ("/shardpix/vips-setup/loaders-opened-on-need", test_loaders_opened_on_need);
  g_test_add_func ("/shardpix/vips-setup/unknown-file-opens-them-once",
                   test_unknown_file_opens_them_once);
  g_test_add_func ("/shardpix/vips-setup/saver-opened-on-need", test_saver_opened_on_need);
  status = g_test_run ();
  if (inputs != NULL)
    fixtures_rmtree (inputs);
  return status;
}
