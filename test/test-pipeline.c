/* One image through the real libvips pipeline, in this process. */
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vips/vips.h>

#include "shardpix/error.h"
#include "fixtures.h"
#include "shardpix/output-plan.h"
#include "shardpix/pipeline.h"
#include "shardpix/vips-autoptr.h"

typedef FixturesJob Fixture;

static char *
in_path (Fixture *fx, const char *rel)
{
  return g_build_filename (fx->in, rel, NULL);
}

static void
assert_only_outputs (Fixture *fx, const char *const *expected)
{
  g_autoptr (GPtrArray) files = fixtures_list_files (fx->out);

  g_assert_cmpuint (files->len, ==, g_strv_length ((char **) expected));
  for (guint i = 0; i < files->len; i++)
    g_assert_cmpstr (g_ptr_array_index (files, i), ==, expected[i]);
}

static void
test_fits_box (Fixture *fx, gconstpointer data)
{
  g_autofree char *src = in_path (fx, "wide.jpg");
  g_autofree char *dst = g_build_filename (fx->out, "wide.jpg", NULL);
  g_autoptr (GError) error = NULL;
  VipsImage *image;

  fixtures_write_image (src, "jpeg", 1000, 400);
  fx->job.width = 200;
  fx->job.height = 200;
  g_assert_true (shardpix_pipeline_process (&fx->job, "wide.jpg", 0, &error));
  g_assert_no_error (error);
  image = vips_image_new_from_file (dst, NULL);
  g_assert_nonnull (image);
  g_assert_cmpint (image->Xsize, ==, 200);
  g_assert_cmpint (image->Ysize, ==, 80);
  g_assert_cmpint (image->Bands, ==, 1);
  g_assert_cmpint (image->Type, ==, VIPS_INTERPRETATION_B_W);
  g_object_unref (image);
}

static void
test_never_enlarged (Fixture *fx, gconstpointer data)
{
  g_autofree char *src = in_path (fx, "small.png");
  g_autofree char *dst = g_build_filename (fx->out, "small.png", NULL);
  VipsImage *image;

  fixtures_write_image (src, "png", 40, 30);
  g_assert_true (shardpix_pipeline_process (&fx->job, "small.png", 0, NULL));
  image = vips_image_new_from_file (dst, NULL);
  g_assert_cmpint (image->Xsize, ==, 40);
  g_assert_cmpint (image->Ysize, ==, 30);
  g_object_unref (image);
}

/* A name libvips would parse as load options must be read as a name. */
static void
test_bracket_name (Fixture *fx, gconstpointer data)
{
  g_autofree char *decoy = in_path (fx, "x.png");
  g_autofree char *src = in_path (fx, "x.png[fail_on=none]");
  g_autoptr (GError) error = NULL;

  fixtures_write_image (decoy, "png", 64, 64);
  fixtures_write_bytes (src, "not an image", 12);
  g_assert_false (shardpix_pipeline_process (&fx->job, "x.png[fail_on=none]", 0, &error));
  g_assert_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_IMAGE);
  g_assert_true (shardpix_pipeline_process (&fx->job, "x.png", 1, NULL));
  {
    const char *const only[] = { "x.png", NULL };
    assert_only_outputs (fx, only);
  }
}

static void
test_truncated_fails_without_leftovers (Fixture *fx, gconstpointer data)
{
  g_autofree char *whole = in_path (fx, "whole.jpg");
  g_autofree char *cut = in_path (fx, "cut.jpg");
  g_autoptr (GError) error = NULL;
  struct stat st;

  fixtures_write_image (whole, "jpeg", 800, 600);
  g_assert_cmpint (stat (whole, &st), ==, 0);
  fixtures_write_truncated (whole, cut, (gsize) st.st_size / 2);
  g_assert_false (shardpix_pipeline_process (&fx->job, "cut.jpg", 0, &error));
  g_assert_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_IMAGE);
  g_test_message ("truncated: %s", error->message);
  {
    const char *const none[] = { NULL };
    assert_only_outputs (fx, none);
  }
}

static void
test_fifo_does_not_block (Fixture *fx, gconstpointer data)
{
  g_autofree char *fifo = in_path (fx, "pipe.jpg");
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_false (shardpix_pipeline_process (&fx->job, "pipe.jpg", 0, &error));
  g_assert_nonnull (strstr (error->message, "not a regular file"));
}

/* The loader is picked by content: an SVG named .jpg must be refused, not
 * rendered by a loader this tool never meant to run. */
static void
test_untrusted_loader_blocked (Fixture *fx, gconstpointer data)
{
  static const char svg[] = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"64\" "
                            "height=\"64\"><rect width=\"64\" height=\"64\"/></svg>";
  g_autofree char *src = in_path (fx, "drawing.jpg");
  g_autoptr (GError) error = NULL;

  fixtures_write_bytes (src, svg, sizeof svg - 1);
  g_assert_false (shardpix_pipeline_process (&fx->job, "drawing.jpg", 0, &error));
  g_test_message ("svg: %s", error->message);
}

static void
test_alpha_kept (Fixture *fx, gconstpointer data)
{
  g_autofree char *src = in_path (fx, "alpha.png");
  g_autofree char *dst = g_build_filename (fx->out, "alpha.png", NULL);
  VipsImage *image;

  fixtures_write_image (src, "png-alpha", 300, 200);
  g_assert_true (shardpix_pipeline_process (&fx->job, "alpha.png", 0, NULL));
  image = vips_image_new_from_file (dst, NULL);
  g_assert_cmpint (image->Bands, ==, 2);
  g_assert_cmpint (image->Type, ==, VIPS_INTERPRETATION_B_W);
  g_assert_cmpint (image->BandFmt, ==, VIPS_FORMAT_UCHAR);
  g_object_unref (image);
}

/* A binary PGM (P5, 8 bits) read by hand: shardpix blocks libvips' PPM
 * loader, and this needs none. */
static guint8 *
read_pgm (const char *path, int *width, int *height)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  int maxval = 0, header = 0;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_assert_cmpint (sscanf (data, "P5 %d %d %d%n", width, height, &maxval, &header), ==, 3);
  g_assert_cmpint (maxval, ==, 255);
  header++; /* the one whitespace byte after maxval */
  g_assert_cmpuint (len, ==, (gsize) header + (gsize) *width * *height);
  return g_memdup2 (data + header, (gsize) *width * *height);
}

/* An output without alpha (PGM: flattened on black like JPEG, and
 * lossless) is flattened before the resize on the fast paths, and by the
 * saver after it on libvips' path: the same picture to rounding, black
 * where the input is transparent. */
static void
test_alpha_flattened_without_alpha_output (Fixture *fx, gconstpointer data)
{
  const char *kinds[] = { "png-alpha", "webp-alpha" };
  const char *names[] = { "a.png", "a.webp" };
  g_autofree char *dst = g_build_filename (fx->out, "a.pgm", NULL);

  g_free (fx->job.output_name);
  fx->job.output_name = g_strdup ("%s.pgm");
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *src = in_path (fx, names[i]);
      g_autofree guint8 *fast = NULL;
      g_autofree guint8 *plain = NULL;
      int width, height, plain_width, plain_height, max = 0;
      double sum = 0;

      fixtures_write_image (src, kinds[i], 1200, 800);
      fx->job.no_fast_paths = FALSE;
      g_assert_true (shardpix_pipeline_process (&fx->job, names[i], 0, NULL));
      fast = read_pgm (dst, &width, &height);
      fx->job.no_fast_paths = TRUE;
      g_assert_true (shardpix_pipeline_process (&fx->job, names[i], 0, NULL));
      plain = read_pgm (dst, &plain_width, &plain_height);
      g_assert_cmpint (unlink (dst), ==, 0);
      unlink (src);

      g_assert_cmpint (width, ==, 256);
      g_assert_cmpint (plain_width, ==, width);
      g_assert_cmpint (plain_height, ==, height);
      for (int p = 0; p < width * height; p++)
        {
          int diff = ABS ((int) fast[p] - (int) plain[p]);

          sum += diff;
          max = MAX (max, diff);
        }
      g_test_message ("%s: fast against libvips' path: mean %.3f, max %d levels; "
                      "transparent corner %d", kinds[i], sum / (width * height), max, fast[0]);
      g_assert_cmpfloat (sum / (width * height), <=, 0.6);
      g_assert_cmpint (max, <=, 3);
      g_assert_cmpint (fast[0], <=, 1);
    }
}

/* PSNR in dB of 8-bit grey @pixels against @reference (uchar, one band,
 * the same size). */
static double
psnr_against (const guint8 *pixels, VipsImage *reference)
{
  g_autoptr (VipsImage) memory = vips_image_copy_memory (reference);
  const guint8 *ref = VIPS_IMAGE_ADDR (memory, 0, 0);
  int n = reference->Xsize * reference->Ysize;
  double squares = 0;

  for (int p = 0; p < n; p++)
    squares += ((double) pixels[p] - ref[p]) * ((double) pixels[p] - ref[p]);
  return 10 * log10 (255.0 * 255.0 / MAX (squares / n, 1e-10));
}

/* The resize is bicubic (resample.h) on both decode paths, not
 * vips_thumbnail's Lanczos3: on hard edges it stays closer to the mean of
 * each output pixel's footprint, the ideal bench/quality.py scores
 * against. Squares of 7 pixels put edges inside most 4 x 4 footprints. */
static void
test_resize_closer_to_area_than_lanczos (Fixture *fx, gconstpointer data)
{
  const int side = 1024;
  g_autofree guint8 *pixels = g_malloc ((gsize) side * side);
  g_autofree char *src = in_path (fx, "squares.png");
  g_autofree char *dst = g_build_filename (fx->out, "squares.pgm", NULL);
  g_autoptr (VipsImage) image = NULL;
  g_autoptr (VipsImage) area = NULL;
  g_autoptr (VipsImage) lanczos = NULL;
  g_autoptr (VipsImage) lanczos_memory = NULL;
  double lanczos_psnr;

  for (int y = 0; y < side; y++)
    for (int x = 0; x < side; x++)
      pixels[y * side + x] = (x / 7 + y / 7) % 2 ? 230 : 20;
  image = vips_image_new_from_memory (pixels, (gsize) side * side, side, side, 1,
                                      VIPS_FORMAT_UCHAR);
  g_assert_cmpint (vips_pngsave (image, src, "compression", 1, NULL), ==, 0);
  g_assert_cmpint (vips_shrink (image, &area, 4, 4, NULL), ==, 0);
  g_assert_cmpint (vips_thumbnail_image (image, &lanczos, 256, NULL), ==, 0);
  g_assert_cmpint (lanczos->Xsize, ==, 256);
  lanczos_memory = vips_image_copy_memory (lanczos);
  lanczos_psnr = psnr_against (VIPS_IMAGE_ADDR (lanczos_memory, 0, 0), area);

  g_free (fx->job.output_name);
  fx->job.output_name = g_strdup ("%s.pgm");
  for (int fast = 0; fast <= 1; fast++)
    {
      g_autofree guint8 *out = NULL;
      int width, height;
      double psnr;

      fx->job.no_fast_paths = !fast;
      g_assert_true (shardpix_pipeline_process (&fx->job, "squares.png", 0, NULL));
      out = read_pgm (dst, &width, &height);
      g_assert_cmpint (unlink (dst), ==, 0);
      g_assert_cmpint (width, ==, 256);
      g_assert_cmpint (height, ==, 256);
      psnr = psnr_against (out, area);
      g_test_message ("%s path: %.2f dB against the area mean; vips_thumbnail: %.2f dB",
                      fast ? "fast" : "libvips'", psnr, lanczos_psnr);
      g_assert_cmpfloat (psnr, >=, lanczos_psnr + 1.0);
    }
}

static void
test_sixteen_bit_becomes_eight (Fixture *fx, gconstpointer data)
{
  g_autofree char *src = in_path (fx, "deep.png");
  g_autofree char *dst = g_build_filename (fx->out, "deep.png", NULL);
  VipsImage *image;
  double mean = 0;

  fixtures_write_image (src, "png16", 333, 500);
  g_assert_true (shardpix_pipeline_process (&fx->job, "deep.png", 0, NULL));
  image = vips_image_new_from_file (dst, NULL);
  g_assert_cmpint (image->Bands, ==, 1);
  g_assert_cmpint (image->BandFmt, ==, VIPS_FORMAT_UCHAR);
  g_assert_cmpint (image->Type, ==, VIPS_INTERPRETATION_B_W);
  /* Scaled down to 8 bits, not clipped: a textured image is not all white. */
  g_assert_cmpint (vips_avg (image, &mean, NULL), ==, 0);
  g_assert_cmpfloat (mean, >, 10);
  g_assert_cmpfloat (mean, <, 245);
  g_object_unref (image);
}

/* The temporary file is created with O_EXCL|O_NOFOLLOW: a symlink planted
 * at its name is never followed, and, not being ours, never removed: the
 * image fails instead. */
static void
test_planted_symlink_not_followed (Fixture *fx, gconstpointer data)
{
  g_autofree char *src = in_path (fx, "a.jpg");
  g_autofree char *victim = in_path (fx, "victim.txt");
  g_auto (ShardpixOutputPlan) plan = { 0 };
  g_autofree char *temp = NULL;
  g_autofree char *content = NULL;

  fixtures_write_image (src, "jpeg", 64, 64);
  fixtures_write_bytes (victim, "keep me", 7);
  g_autoptr (GError) error = NULL;
  struct stat st;

  shardpix_output_plan_init (&plan, &fx->job, "a.jpg");
  temp = shardpix_output_plan_temp_path (&plan, &fx->job, getpid (), 5);
  g_assert_cmpint (symlink (victim, temp), ==, 0);
  g_assert_false (shardpix_pipeline_process (&fx->job, "a.jpg", 5, &error));
  g_assert_nonnull (strstr (error->message, "not ours, left alone"));
  g_assert_true (g_file_get_contents (victim, &content, NULL, NULL));
  g_assert_cmpstr (content, ==, "keep me");
  g_assert_cmpint (lstat (temp, &st), ==, 0);
  g_assert_true (S_ISLNK (st.st_mode));
}

/* Small images take the path that thumbnails the image opened for the
 * --max-pixels check; --max-pixels 0 skips the check and takes the plain
 * vips_thumbnail() path. Both must write the same bytes. */
static void
test_small_paths_agree (Fixture *fx, gconstpointer data)
{
  const char *kinds[] = { "jpeg", "jpeg-progressive", "png", "png-alpha", "png16", "webp",
                          "tiff", "gif" };
  const char *exts[] = { "jpg", "jpg", "png", "png", "png", "webp", "tif", "gif" };
  g_autofree char *rotated = in_path (fx, "rotated.jpg");
  g_autofree char *first = in_path (fx, "0-jpeg.jpg");
  g_autoptr (VipsImage) upright = NULL;
  g_autoptr (VipsImage) turned = NULL;
  g_autoptr (GPtrArray) rels = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      char *rel = g_strdup_printf ("%u-%s.%s", i, kinds[i], exts[i]);
      g_autofree char *path = in_path (fx, rel);

      fixtures_write_image (path, kinds[i], 90 + i, 60);
      g_ptr_array_add (rels, rel);
    }
  /* EXIF orientation 6: stored 90x60, shown 60x90. */
  upright = vips_image_new_from_file (first, NULL);
  g_assert_nonnull (upright);
  g_assert_cmpint (vips_copy (upright, &turned, NULL), ==, 0);
  vips_image_set_int (turned, VIPS_META_ORIENTATION, 6);
  g_assert_cmpint (vips_image_write_to_file (turned, rotated, NULL), ==, 0);
  g_ptr_array_add (rels, g_strdup ("rotated.jpg"));

  for (guint i = 0; i < rels->len; i++)
    {
      const char *rel = g_ptr_array_index (rels, i);
      g_autofree char *out = g_build_filename (fx->out, rel, NULL);
      g_autofree char *checked = NULL;
      g_autofree char *plain = NULL;
      gsize checked_len = 0, plain_len = 0;
      g_autoptr (GError) error = NULL;

      fx->job.max_pixels = SHARDPIX_JOB_DEFAULT_MAX_PIXELS;
      g_assert_true (shardpix_pipeline_process (&fx->job, rel, i, &error));
      g_assert_no_error (error);
      g_assert_true (g_file_get_contents (out, &checked, &checked_len, NULL));
      fx->job.max_pixels = 0;
      g_assert_true (shardpix_pipeline_process (&fx->job, rel, i, &error));
      g_assert_no_error (error);
      g_assert_true (g_file_get_contents (out, &plain, &plain_len, NULL));
      g_test_message ("%s: %" G_GSIZE_FORMAT " bytes", rel, plain_len);
      g_assert_cmpmem (checked, checked_len, plain, plain_len);
    }
  {
    g_autofree char *out = g_build_filename (fx->out, "rotated.jpg", NULL);
    g_autoptr (VipsImage) image = vips_image_new_from_file (out, NULL);

    g_assert_nonnull (image);
    g_assert_cmpint (image->Xsize, ==, 60);
    g_assert_cmpint (image->Ysize, ==, 90);
  }
}

/* Saturated colours are where the two formulas part: pure red is 0.299 x 255
 * in Rec.601, but libvips' b-w of it (a linear-light luminance of about
 * 0.21, coded back to sRGB) is about 125. */
static void
test_gray_formulas (Fixture *fx, gconstpointer data)
{
  struct {
    ShardpixGray gray;
    double expected;
  } cases[] = {
    { SHARDPIX_GRAY_REC601, 0.299 * 255 },
    { SHARDPIX_GRAY_LINEAR, 0 },
  };
  g_autofree char *src = in_path (fx, "red.png");
  g_autofree char *dst = g_build_filename (fx->out, "red.png", NULL);
  g_autoptr (VipsImage) plane = NULL;
  g_autoptr (VipsImage) red = NULL;
  g_autoptr (VipsImage) cast = NULL;

  g_assert_cmpint (vips_black (&plane, 400, 300, "bands", 3, NULL), ==, 0);
  g_assert_cmpint (vips_linear (plane, &red, (double[]){ 1, 1, 1 }, (double[]){ 255, 0, 0 },
                                3, NULL), ==, 0);
  g_assert_cmpint (vips_cast (red, &cast, VIPS_FORMAT_UCHAR, NULL), ==, 0);
  g_assert_cmpint (vips_pngsave (cast, src, NULL), ==, 0);
  {
    g_autoptr (VipsImage) bw = NULL;

    g_assert_cmpint (vips_colourspace (cast, &bw, VIPS_INTERPRETATION_B_W, NULL), ==, 0);
    g_assert_cmpint (vips_avg (bw, &cases[1].expected, NULL), ==, 0);
    g_assert_cmpfloat (cases[1].expected - cases[0].expected, >, 30);
  }
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (VipsImage) image = NULL;
      double mean;

      fx->job.gray = cases[i].gray;
      g_assert_true (shardpix_pipeline_process (&fx->job, "red.png", i, &error));
      g_assert_no_error (error);
      image = vips_image_new_from_file (dst, "access", VIPS_ACCESS_SEQUENTIAL, NULL);
      g_assert_nonnull (image);
      g_assert_cmpint (image->Bands, ==, 1);
      g_assert_cmpint (vips_avg (image, &mean, NULL), ==, 0);
      g_assert_cmpfloat_with_epsilon (mean, cases[i].expected, 1.0);
      g_clear_object (&image);
      unlink (dst);
    }
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixtures_job_setup, func, fixtures_job_teardown)

int
main (int argc, char **argv)
{
  fixtures_init (&argc, &argv);
  g_assert_true (shardpix_pipeline_init (argv[0], 1, NULL));
  ADD ("/shardpix/pipeline/fits-box", test_fits_box);
  ADD ("/shardpix/pipeline/never-enlarged", test_never_enlarged);
  ADD ("/shardpix/pipeline/bracket-name", test_bracket_name);
  ADD ("/shardpix/pipeline/truncated", test_truncated_fails_without_leftovers);
  ADD ("/shardpix/pipeline/fifo", test_fifo_does_not_block);
  ADD ("/shardpix/pipeline/untrusted-loader", test_untrusted_loader_blocked);
  ADD ("/shardpix/pipeline/alpha-kept", test_alpha_kept);
  ADD ("/shardpix/pipeline/alpha-flattened-without-alpha-output",
       test_alpha_flattened_without_alpha_output);
  ADD ("/shardpix/pipeline/resize-closer-to-area-than-lanczos",
       test_resize_closer_to_area_than_lanczos);
  ADD ("/shardpix/pipeline/16-bit", test_sixteen_bit_becomes_eight);
  ADD ("/shardpix/pipeline/planted-symlink", test_planted_symlink_not_followed);
  ADD ("/shardpix/pipeline/small-paths-agree", test_small_paths_agree);
  ADD ("/shardpix/pipeline/gray-formulas", test_gray_formulas);
  return g_test_run ();
}
