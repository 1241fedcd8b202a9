/* The grey JPEG and WebP decoders against libvips' own path, on real files
 * written by libvips: same size, pixels within the stated tolerance, and a
 * fall back to libvips for everything they do not handle. */
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vips/vips.h>

#include "shardpix/fastload.h"
#include "fixtures.h"
#include "shardpix/jpeg-dc.h"
#include "shardpix/pipeline.h"
#include "shardpix/vips-autoptr.h"
#include "tolerance.h"

/* docs/performance.md: what "the same thumbnail" means for a fast path.
 * Where both paths shrink on load alike, the difference is rounding (under
 * a level); where the fast one shrinks by 8 and libvips by 4, resampling
 * differs too, most on pixel-level noise like these fixtures'. */
#define TOLERANCE_MEAN_LEVELS 6.0
#define TOLERANCE_PSNR_DB 30.0

typedef FixturesJob Fixture;

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  fixtures_job_setup (fx, data);
  /* Lossless outputs: only the decoding paths differ. */
  fx->job.output_name = g_strdup ("%s.png");
}

/* Hard edges on top of the fixtures' ramps and noise: blocks of 37x23
 * pixels, alternately dark and light, different in each band, so that
 * chroma and luma both have detail at every scale. */
static VipsImage *
photo_like (int width, int height)
{
  const double block[] = { 1.0 / 37, 1.0 / 23 };
  const double bands[] = { 90, 40, 140 };
  const double zero[] = { 0, 0, 0 };
  g_autofree char *dir = fixtures_mkdtemp ();
  g_autofree char *texture_path = g_build_filename (dir, "t.png", NULL);
  g_autoptr (VipsImage) texture = NULL;
  g_autoptr (VipsImage) xy = NULL;
  g_autoptr (VipsImage) scaled = NULL;
  g_autoptr (VipsImage) floored = NULL;
  g_autoptr (VipsImage) sum = NULL;
  g_autoptr (VipsImage) parity = NULL;
  g_autoptr (VipsImage) edges = NULL;
  g_autoptr (VipsImage) mixed = NULL;
  VipsImage *out = NULL;

  fixtures_write_image (texture_path, "png", width, height);
  texture = vips_image_new_from_file (texture_path, "access", VIPS_ACCESS_RANDOM, NULL);
  g_assert_nonnull (texture);
  g_assert_cmpint (vips_xyz (&xy, width, height, NULL), ==, 0);
  g_assert_cmpint (vips_linear (xy, &scaled, block, (double[]){ 0, 0 }, 2, NULL), ==, 0);
  g_assert_cmpint (vips_floor (scaled, &floored, NULL), ==, 0);
  g_assert_cmpint (vips_bandbool (floored, &sum, VIPS_OPERATION_BOOLEAN_EOR, NULL), ==, 0);
  g_assert_cmpint (vips_remainder_const1 (sum, &parity, 2, NULL), ==, 0);
  g_assert_cmpint (vips_linear (parity, &edges, bands, zero, 3, NULL), ==, 0);
  g_assert_cmpint (vips_add (texture, edges, &mixed, NULL), ==, 0);
  g_assert_cmpint (vips_cast (mixed, &out, VIPS_FORMAT_UCHAR, NULL), ==, 0);
  out->Type = VIPS_INTERPRETATION_sRGB;
  /* The pixels must be computed before the texture file goes. */
  g_assert_cmpint (vips_image_wio_input (out), ==, 0);
  fixtures_rmtree (dir);
  return out;
}

static void
save_jpeg (VipsImage *image, const char *path, gboolean progressive, gboolean subsample)
{
  if (vips_jpegsave (image, path, "Q", 85, "interlace", progressive, "subsample_mode",
                     subsample ? VIPS_FOREIGN_SUBSAMPLE_ON : VIPS_FOREIGN_SUBSAMPLE_OFF, NULL)
      != 0)
    g_error ("jpegsave %s: %s", path, vips_error_buffer ());
}

static void
write_jpeg (const char *path, int width, int height, gboolean progressive,
            gboolean subsample, int orientation)
{
  g_autoptr (VipsImage) image = photo_like (width, height);

  if (orientation != 0)
    vips_image_set_int (image, VIPS_META_ORIENTATION, orientation);
  save_jpeg (image, path, progressive, subsample);
}

/* PREFIXWxH-base|prog-444|420.jpg */
static char *
jpeg_case_name (const char *prefix, int width, int height, int progressive, int subsample)
{
  return g_strdup_printf ("%s%dx%d-%s-%s.jpg", prefix, width, height,
                          progressive ? "prog" : "base", subsample ? "420" : "444");
}

static VipsImage *
process (Fixture *fx, const char *name, gboolean fast)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *stem = g_strndup (name, (gsize) (strrchr (name, '.') - name));
  g_autofree char *out_name = g_strconcat (stem, ".png", NULL);
  g_autofree char *out = g_build_filename (fx->out, out_name, NULL);
  g_autofree char *kept = g_strdup_printf ("%s.%s.png", out, fast ? "fast" : "vips");
  VipsImage *image;

  fx->job.no_fast_paths = !fast;
  g_assert_true (shardpix_pipeline_process (&fx->job, name, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpint (rename (out, kept), ==, 0);
  image = vips_image_new_from_file (kept, "access", VIPS_ACCESS_RANDOM, NULL);
  g_assert_nonnull (image);
  return image;
}

/* Under transparency the grey is invisible, and the two paths weigh it
 * differently when they shrink: compare what is seen, premultiplied. */
static void
assert_close (VipsImage *fast_image, VipsImage *vips_image, const char *what)
{
  g_autoptr (VipsImage) fast = NULL;
  g_autoptr (VipsImage) vips = NULL;
  g_autoptr (VipsImage) diff = NULL;
  g_autoptr (VipsImage) magnitude = NULL;
  g_autoptr (VipsImage) square = NULL;
  double mean, mse, psnr;

  g_assert_cmpint (fast_image->Bands, ==, vips_image->Bands);
  if (fast_image->Bands == 2)
    {
      g_assert_cmpint (vips_premultiply (fast_image, &fast, NULL), ==, 0);
      g_assert_cmpint (vips_premultiply (vips_image, &vips, NULL), ==, 0);
    }
  else
    {
      fast = g_object_ref (fast_image);
      vips = g_object_ref (vips_image);
    }
  g_assert_cmpint (fast->Xsize, ==, vips->Xsize);
  g_assert_cmpint (fast->Ysize, ==, vips->Ysize);
  g_assert_cmpint (fast->Bands, ==, vips->Bands);
  g_assert_cmpint (vips_subtract (fast, vips, &diff, NULL), ==, 0);
  g_assert_cmpint (vips_abs (diff, &magnitude, NULL), ==, 0);
  g_assert_cmpint (vips_avg (magnitude, &mean, NULL), ==, 0);
  g_assert_cmpint (vips_multiply (diff, diff, &square, NULL), ==, 0);
  g_assert_cmpint (vips_avg (square, &mse, NULL), ==, 0);
  psnr = mse > 0 ? 10 * log10 (255.0 * 255.0 / mse) : 99;
  g_test_message ("%s: %dx%d, mean %.2f levels, PSNR %.1f dB", what, fast->Xsize,
                  fast->Ysize, mean, psnr);
  g_assert_cmpfloat (mean, <=, TOLERANCE_MEAN_LEVELS);
  g_assert_cmpfloat (psnr, >=, TOLERANCE_PSNR_DB);
}

/* Every shrink-on-load factor (1/8 with and without the DC-only stream, 1/4,
 * 1/2, none), both scan orders and both chroma layouts. */
static void
test_matches_libvips (Fixture *fx, gconstpointer data)
{
  static const struct {
    int width, height;
  } sizes[] = { { 3000, 2000 }, { 1500, 1000 }, { 800, 533 }, { 300, 200 }, { 200, 3100 } };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (int progressive = 0; progressive < 2; progressive++)
      for (int subsample = 0; subsample < 2; subsample++)
        {
          g_autofree char *name
              = jpeg_case_name ("", sizes[s].width, sizes[s].height, progressive, subsample);
          g_autofree char *path = g_build_filename (fx->in, name, NULL);
          g_autoptr (VipsImage) fast = NULL;
          g_autoptr (VipsImage) vips = NULL;

          write_jpeg (path, sizes[s].width, sizes[s].height, progressive, subsample, 0);
          fast = process (fx, name, TRUE);
          vips = process (fx, name, FALSE);
          assert_close (fast, vips, name);
        }
}

static VipsImage *try_fast (Fixture *fx, const char *path);

/* A Display P3 JPEG (libvips' own profile, embedded): the fast path decodes
 * it in colour, at 1/8 where libvips takes 1/4, and hands the profile on;
 * the pipeline resizes, converts to sRGB and takes grey as on libvips'
 * path. Both scan orders and chroma layouts; shrinks of 8 and more, 4-8
 * (both paths at 1/2) and none. */
static void
test_profile_matches_libvips (Fixture *fx, gconstpointer data)
{
  static const struct {
    int width, height;
  } sizes[] = { { 3000, 2000 }, { 1500, 1000 }, { 300, 200 } };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (int progressive = 0; progressive < 2; progressive++)
      for (int subsample = 0; subsample < 2; subsample++)
        {
          g_autofree char *name
              = jpeg_case_name ("p3-", sizes[s].width, sizes[s].height, progressive, subsample);
          g_autofree char *path = g_build_filename (fx->in, name, NULL);
          g_autoptr (VipsImage) rgb = photo_like (sizes[s].width, sizes[s].height);
          g_autoptr (VipsImage) p3 = NULL;
          g_autoptr (VipsImage) taken = NULL;
          g_autoptr (VipsImage) fast = NULL;
          g_autoptr (VipsImage) vips = NULL;

          g_assert_cmpint (vips_icc_transform (rgb, &p3, "p3", "input_profile", "srgb", NULL),
                           ==, 0);
          save_jpeg (p3, path, progressive, subsample);
          taken = try_fast (fx, path);
          g_assert_nonnull (taken);
          g_assert_cmpint (taken->Bands, ==, 3);
          g_assert_cmpint (vips_image_get_typeof (taken, VIPS_META_ICC_NAME), !=, 0);
          fast = process (fx, name, TRUE);
          vips = process (fx, name, FALSE);
          g_assert_cmpint (fast->Bands, ==, 1);
          assert_close (fast, vips, name);
        }
}

/* EXIF orientation 6 (turn 90 degrees clockwise) goes to the thumbnail as
 * metadata, so that the box is fitted to the turned image. */
static void
test_orientation (Fixture *fx, gconstpointer data)
{
  g_autofree char *path = g_build_filename (fx->in, "turned.jpg", NULL);
  g_autoptr (VipsImage) fast = NULL;
  g_autoptr (VipsImage) vips = NULL;

  fx->job.width = 300;
  fx->job.height = 100;
  write_jpeg (path, 2400, 1600, TRUE, TRUE, 6);
  fast = process (fx, "turned.jpg", TRUE);
  vips = process (fx, "turned.jpg", FALSE);
  g_assert_cmpint (fast->Ysize, ==, 100);
  g_assert_cmpint (fast->Xsize, <, fast->Ysize);
  assert_close (fast, vips, "orientation 6");
}

static GBytes *
read_file (const char *path)
{
  g_autoptr (GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &data, &len, &error));
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

/* At 1/8, libjpeg's 1x1 inverse DCT reads the DC coefficient alone: the DC
 * scans decoded by jpeg-dc.h must give exactly libjpeg's pixels, whatever
 * the chroma layout, restart interval or scan script. */
static void
test_dc_scans_exact (Fixture *fx, gconstpointer data)
{
  static const struct {
    int width, height;
    gboolean subsample;
    int restart;
  } cases[] = {
    { 1203, 805, TRUE, 0 }, { 1203, 805, FALSE, 0 }, { 640, 480, TRUE, 7 },
    { 333, 1000, FALSE, 1 }, { 17, 9, TRUE, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_build_filename (fx->in, "prog.jpg", NULL);
      g_autoptr (VipsImage) image = photo_like (cases[i].width, cases[i].height);
      g_autoptr (GBytes) bytes = NULL;
      g_autoptr (VipsImage) libjpeg = NULL;
      g_autoptr (VipsImage) dc = NULL;
      g_autoptr (VipsImage) cropped = NULL;
      const guint8 *raw;
      gsize len, libjpeg_size = 0, dc_size = 0;
      g_autofree void *libjpeg_pixels = NULL;
      g_autofree void *dc_pixels = NULL;

      g_assert_cmpint (vips_jpegsave (image, path, "Q", 85, "interlace", TRUE,
                                      "subsample_mode",
                                      cases[i].subsample ? VIPS_FOREIGN_SUBSAMPLE_ON
                                                         : VIPS_FOREIGN_SUBSAMPLE_OFF,
                                      "restart_interval", cases[i].restart, NULL),
                       ==, 0);
      bytes = read_file (path);
      raw = g_bytes_get_data (bytes, &len);
      libjpeg = shardpix_fastload_jpeg_decode_buffer (raw, len, 8);
      dc = shardpix_jpeg_dc_luma (raw, len, NULL);
      g_assert_nonnull (libjpeg);
      g_assert_nonnull (dc);
      g_assert_cmpint (dc->Xsize, ==, (cases[i].width + 7) / 8);
      g_assert_cmpint (dc->Ysize, ==, (cases[i].height + 7) / 8);
      /* The fast path keeps whole blocks only, as libvips does. */
      g_assert_cmpint (libjpeg->Xsize, ==, MAX (1, cases[i].width / 8));
      g_assert_cmpint (libjpeg->Ysize, ==, MAX (1, cases[i].height / 8));
      g_assert_cmpint (vips_extract_area (dc, &cropped, 0, 0, libjpeg->Xsize, libjpeg->Ysize,
                                          NULL),
                       ==, 0);
      libjpeg_pixels = vips_image_write_to_memory (libjpeg, &libjpeg_size);
      dc_pixels = vips_image_write_to_memory (cropped, &dc_size);
      g_assert_cmpmem (dc_pixels, dc_size, libjpeg_pixels, libjpeg_size);
      {
        /* The fast path's own way: the frame libjpeg's header read saw
         * is the one decoded. */
        g_autoptr (VipsImage) fast = shardpix_fastload_jpeg_dc_buffer (raw, len);
        g_autofree void *fast_pixels = NULL;
        gsize fast_size = 0;

        g_assert_nonnull (fast);
        fast_pixels = vips_image_write_to_memory (fast, &fast_size);
        g_assert_cmpmem (fast_pixels, fast_size, libjpeg_pixels, libjpeg_size);
      }
      /* Cut short, or not progressive: not for this decoder. */
      g_assert_null (shardpix_jpeg_dc_luma (raw, len / 2, NULL));
      g_assert_null (shardpix_jpeg_dc_luma (raw, 3, NULL));
      g_assert_cmpint (vips_jpegsave (image, path, NULL), ==, 0);
      g_clear_pointer (&bytes, g_bytes_unref);
      bytes = read_file (path);
      raw = g_bytes_get_data (bytes, &len);
      g_assert_null (shardpix_jpeg_dc_luma (raw, len, NULL));
      /* Nor for the fast path's DC route, which must not fall back on a
       * full libjpeg decode (fuzz-jpeg-dc found one of 43 s). */
      g_assert_null (shardpix_fastload_jpeg_dc_buffer (raw, len));
      unlink (path);
    }
}

static void
write_webp (const char *path, int width, int height, gboolean alpha, gboolean lossless,
            int orientation)
{
  g_autoptr (VipsImage) rgb = photo_like (width, height);
  g_autoptr (VipsImage) image = NULL;
  int result;

  if (alpha)
    {
      g_autoptr (VipsImage) xy = NULL;
      g_autoptr (VipsImage) ramp = NULL;
      g_autoptr (VipsImage) a = NULL;

      g_assert_cmpint (vips_xyz (&xy, width, height, NULL), ==, 0);
      g_assert_cmpint (vips_extract_band (xy, &ramp, 0, NULL), ==, 0);
      g_assert_cmpint (vips_linear1 (ramp, &a, 255.0 / width, 0, NULL), ==, 0);
      g_assert_cmpint (vips_bandjoin2 (rgb, a, &image, NULL), ==, 0);
      g_assert_cmpint (vips_cast (image, &image, VIPS_FORMAT_UCHAR, NULL), ==, 0);
    }
  else
    image = g_object_ref (rgb);
  if (orientation != 0)
    vips_image_set_int (image, VIPS_META_ORIENTATION, orientation);
  result = vips_webpsave (image, path, "Q", 85, "lossless", lossless, NULL);
  if (result != 0)
    g_error ("webpsave %s: %s", path, vips_error_buffer ());
}

/* libvips' WebP loader scales to the box in libwebp, as the fast one does:
 * only the colour-to-grey step differs, by rounding. The last case is
 * turned by its EXIF orientation. */
static void
test_webp_matches_libvips (Fixture *fx, gconstpointer data)
{
  static const struct {
    int width, height;
    gboolean alpha, lossless;
  } cases[] = {
    { 2000, 1333, FALSE, FALSE }, { 700, 1000, FALSE, TRUE }, { 1200, 800, TRUE, FALSE },
    { 200, 150, FALSE, FALSE }, { 1600, 900, FALSE, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("%dx%d-%s-%s.webp", cases[i].width,
                                               cases[i].height,
                                               cases[i].alpha ? "alpha" : "opaque",
                                               cases[i].lossless ? "lossless" : "lossy");
      g_autofree char *path = g_build_filename (fx->in, name, NULL);
      g_autoptr (VipsImage) fast = NULL;
      g_autoptr (VipsImage) vips = NULL;

      write_webp (path, cases[i].width, cases[i].height, cases[i].alpha, cases[i].lossless,
                  i == G_N_ELEMENTS (cases) - 1 ? 6 : 0);
      {
        struct stat st;
        int fd = open (path, O_RDONLY);
        g_autoptr (VipsImage) direct = NULL;

        g_assert_cmpint (fstat (fd, &st), ==, 0);
        direct = shardpix_fastload_webp (fd, &st, &fx->job);
        close (fd);
        g_assert_nonnull (direct);
        g_assert_cmpint (direct->Bands, ==, cases[i].alpha ? 2 : 1);
      }
      fast = process (fx, name, TRUE);
      vips = process (fx, name, FALSE);
      assert_close (fast, vips, name);
      if (i == G_N_ELEMENTS (cases) - 1)
        g_assert_cmpint (fast->Xsize, <, fast->Ysize);
    }
}

/* libvips sizes the thumbnail from the size its WebP loader decoded to,
 * and webp2vips.c rounds canvas * scale half to even: 13x512 into the
 * 256x256 box is loaded 6x256 and stays 6 wide. The fast path once sized
 * it from the file's 13 (7 wide); fuzz-webp found it on a 13x96 file.
 * vips_thumbnail() itself is the judge of the size. */
static void
test_webp_size_from_loaded (Fixture *fx, gconstpointer data)
{
  static const int widths[] = { 13, 101, 255 };
  int height = 2 * fx->job.height;

  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      g_autofree char *name = g_strdup_printf ("%dx%d.webp", widths[i], height);
      g_autofree char *path = g_build_filename (fx->in, name, NULL);
      g_autoptr (VipsImage) oracle = NULL;
      g_autoptr (VipsImage) fast = NULL;
      g_autoptr (VipsImage) vips = NULL;

      write_webp (path, widths[i], height, FALSE, TRUE, 0);
      g_assert_cmpint (vips_thumbnail (path, &oracle, fx->job.width, "height", fx->job.height,
                                       NULL),
                       ==, 0);
      fast = process (fx, name, TRUE);
      vips = process (fx, name, FALSE);
      g_test_message ("%s: vips_thumbnail %dx%d, fast %dx%d, libvips path %dx%d", name,
                      oracle->Xsize, oracle->Ysize, fast->Xsize, fast->Ysize, vips->Xsize,
                      vips->Ysize);
      g_assert_cmpint (fast->Xsize, ==, oracle->Xsize);
      g_assert_cmpint (fast->Ysize, ==, oracle->Ysize);
      assert_close (fast, vips, name);
    }
}

/* Noise of every pixel, uniform or at the two extremes: what fuzzed PNG
 * data decodes to, and the worst case for two resize chains. */
static void
write_noise_png (const char *path, int width, int height, int bands, gboolean extremes,
                 gboolean palette)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed ((guint32) (width * 7919 + height));
  gsize size = (gsize) width * height * bands;
  g_autofree guint8 *pixels = g_malloc (size);
  g_autoptr (VipsImage) image = NULL;

  for (gsize i = 0; i < size; i++)
    pixels[i] = extremes ? (g_rand_boolean (rand) ? 255 : 0)
                         : (guint8) g_rand_int_range (rand, 0, 256);
  image = vips_image_new_from_memory_copy (pixels, size, width, height, bands,
                                           VIPS_FORMAT_UCHAR);
  g_assert_nonnull (image);
  image->Type = bands >= 3 ? VIPS_INTERPRETATION_sRGB : VIPS_INTERPRETATION_B_W;
  if (vips_pngsave (image, path, "compression", 1, "palette", palette, NULL) != 0)
    g_error ("pngsave %s: %s", path, vips_error_buffer ());
}

/* The fast PNG path against the libvips path, through the pipeline, on
 * noise into a 48x48 box (as fuzz-png runs), at PNG's tolerance. Grey
 * 385x513: a box of 2 where libvips' resize boxes by 5 gave another
 * filter (mean 1.58 levels); the box must divide libvips' own, no box
 * does, and grey unboxed is read whole, or left to libvips. RGB 513x145
 * the same. RGBA 49x7
 * and RGB 63x2 of extremes: the libvips path resized colour before grey,
 * clipping each channel's overshoot apart (4.2 and 3.8 levels); it takes
 * grey first now, as the fast path does. */
static void
test_png_noise_matches_libvips (Fixture *fx, gconstpointer data)
{
  static const struct {
    int width, height, bands;
    gboolean extremes, palette, taken;
  } cases[] = {
    { 385, 513, 1, FALSE, FALSE, TRUE },  { 513, 145, 3, FALSE, FALSE, TRUE },
    { 1025, 11, 3, FALSE, TRUE, TRUE },   { 49, 7, 4, TRUE, FALSE, TRUE },
    { 63, 2, 3, TRUE, FALSE, TRUE },      { 50, 7, 3, TRUE, TRUE, TRUE },
  };

  fx->job.width = fx->job.height = 48;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("noise-%dx%d-%d%s%s.png", cases[i].width,
                                               cases[i].height, cases[i].bands,
                                               cases[i].extremes ? "-extremes" : "",
                                               cases[i].palette ? "-palette" : "");
      g_autofree char *path = g_build_filename (fx->in, name, NULL);
      g_autofree char *why = NULL;
      g_autoptr (VipsImage) fast = NULL;
      g_autoptr (VipsImage) vips = NULL;
      struct stat st;
      int fd;

      write_noise_png (path, cases[i].width, cases[i].height, cases[i].bands,
                       cases[i].extremes, cases[i].palette);
      fd = open (path, O_RDONLY);
      g_assert_cmpint (fstat (fd, &st), ==, 0);
      {
        g_autoptr (VipsImage) direct = shardpix_fastload_png (fd, &st, &fx->job);

        close (fd);
        g_assert_true ((direct != NULL) == cases[i].taken);
      }
      if (!cases[i].taken)
        continue;
      fast = process (fx, name, TRUE);
      vips = process (fx, name, FALSE);
      if (!tolerance_check (fast, vips, TOLERANCE_PNG, &why))
        g_error ("%s: %s", name, why);
      g_test_message ("%s: within PNG's tolerance", name);
    }
}

static VipsImage *
try_fast (Fixture *fx, const char *path)
{
  struct stat st;
  int fd = open (path, O_RDONLY);
  VipsImage *image;

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (fstat (fd, &st), ==, 0);
  image = g_str_has_suffix (path, ".webp") ? shardpix_fastload_webp (fd, &st, &fx->job)
                                           : shardpix_fastload_jpeg (fd, &st, &fx->job);
  close (fd);
  return image;
}

/* Whatever the fast path does not handle goes to libvips: the caller sees
 * NULL, never an error of the fast path's own. */
static void
test_falls_back (Fixture *fx, gconstpointer data)
{
  g_autofree char *good = g_build_filename (fx->in, "good.jpg", NULL);
  g_autofree char *cut = g_build_filename (fx->in, "cut.jpg", NULL);
  g_autofree char *cut_prog = g_build_filename (fx->in, "cut-prog.jpg", NULL);
  g_autofree char *prog = g_build_filename (fx->in, "prog.jpg", NULL);
  g_autofree char *cmyk = g_build_filename (fx->in, "cmyk.jpg", NULL);
  g_autofree char *png = g_build_filename (fx->in, "png.jpg", NULL);
  g_autofree char *empty = g_build_filename (fx->in, "empty.jpg", NULL);
  struct stat st;

  write_jpeg (good, 2000, 1500, FALSE, TRUE, 0);
  write_jpeg (prog, 2000, 1500, TRUE, TRUE, 0);
  {
    g_autoptr (VipsImage) fast = try_fast (fx, good);

    g_assert_nonnull (fast);
    g_assert_cmpint (fast->Bands, ==, 1);
  }
  g_assert_cmpint (stat (good, &st), ==, 0);
  fixtures_write_truncated (good, cut, (gsize) st.st_size * 2 / 3);
  g_assert_null (try_fast (fx, cut));
  g_assert_cmpint (stat (prog, &st), ==, 0);
  fixtures_write_truncated (prog, cut_prog, (gsize) st.st_size * 2 / 3);
  g_assert_null (try_fast (fx, cut_prog));
  {
    g_autoptr (VipsImage) rgb = photo_like (400, 300);
    g_autoptr (VipsImage) converted = NULL;

    g_assert_cmpint (vips_colourspace (rgb, &converted, VIPS_INTERPRETATION_CMYK, NULL), ==, 0);
    g_assert_cmpint (vips_jpegsave (converted, cmyk, NULL), ==, 0);
    g_assert_null (try_fast (fx, cmyk));
  }
  fixtures_write_image (png, "png", 300, 200);
  g_assert_null (try_fast (fx, png));
  fixtures_write_bytes (empty, "", 0);
  g_assert_null (try_fast (fx, empty));
  /* A file over --max-pixels is refused by the libvips path, in its words. */
  fx->job.max_pixels = 2000 * 1500 - 1;
  g_assert_null (try_fast (fx, good));
  g_assert_null (try_fast (fx, prog));
}

static void
test_webp_falls_back (Fixture *fx, gconstpointer data)
{
  g_autofree char *good = g_build_filename (fx->in, "good.webp", NULL);
  g_autofree char *cut = g_build_filename (fx->in, "cut.webp", NULL);
  g_autofree char *jpeg = g_build_filename (fx->in, "jpeg.webp", NULL);
  g_autofree char *animated = g_build_filename (fx->in, "animated.webp", NULL);
  struct stat st;

  write_webp (good, 1000, 700, FALSE, FALSE, 0);
  g_assert_cmpint (stat (good, &st), ==, 0);
  fixtures_write_truncated (good, cut, (gsize) st.st_size / 2);
  g_assert_null (try_fast (fx, cut));
  {
    /* Two frames stacked, as libvips writes an animation. */
    g_autoptr (VipsImage) image = photo_like (300, 400);

    vips_image_set_int (image, VIPS_META_PAGE_HEIGHT, 200);
    vips_image_set_int (image, VIPS_META_N_PAGES, 2);
    g_assert_cmpint (vips_webpsave (image, animated, NULL), ==, 0);
    g_assert_null (try_fast (fx, animated));
  }
  write_jpeg (jpeg, 300, 200, FALSE, FALSE, 0);
  g_assert_null (try_fast (fx, jpeg));
  fx->job.max_pixels = 1000 * 700 - 1;
  g_assert_null (try_fast (fx, good));
  fx->job.max_pixels = 1000 * 700;
  {
    g_autoptr (VipsImage) fast = try_fast (fx, good);

    g_assert_nonnull (fast);
  }
}

/* The fast path is for the default job only: anything else is libvips'. */
static void
test_applies (Fixture *fx, gconstpointer data)
{
  g_assert_true (shardpix_fastload_applies (&fx->job));
  fx->job.gray = SHARDPIX_GRAY_LINEAR;
  g_assert_false (shardpix_fastload_applies (&fx->job));
  fx->job.gray = SHARDPIX_GRAY_REC601;
  fx->job.color = TRUE;
  g_assert_false (shardpix_fastload_applies (&fx->job));
  fx->job.color = FALSE;
  fx->job.keep_metadata = TRUE;
  g_assert_false (shardpix_fastload_applies (&fx->job));
  fx->job.keep_metadata = FALSE;
  fx->job.fail_on = SHARDPIX_FAIL_ON_WARNING;
  g_assert_false (shardpix_fastload_applies (&fx->job));
  fx->job.fail_on = SHARDPIX_FAIL_ON_TRUNCATED;
  fx->job.no_fast_paths = TRUE;
  g_assert_false (shardpix_fastload_applies (&fx->job));
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixtures_job_teardown)

int
main (int argc, char **argv)
{
  fixtures_init (&argc, &argv);
  g_assert_true (shardpix_pipeline_init (argv[0], 1, NULL));
  ADD ("/shardpix/fastload/jpeg-matches-libvips", test_matches_libvips);
  ADD ("/shardpix/fastload/jpeg-orientation", test_orientation);
  ADD ("/shardpix/fastload/jpeg-profile-matches-libvips", test_profile_matches_libvips);
  ADD ("/shardpix/fastload/jpeg-dc-scans-exact", test_dc_scans_exact);
  ADD ("/shardpix/fastload/jpeg-falls-back", test_falls_back);
  ADD ("/shardpix/fastload/applies", test_applies);
  ADD ("/shardpix/fastload/webp-matches-libvips", test_webp_matches_libvips);
  ADD ("/shardpix/fastload/webp-falls-back", test_webp_falls_back);
  ADD ("/shardpix/fastload/webp-size-from-loaded", test_webp_size_from_loaded);
  ADD ("/shardpix/fastload/png-noise-matches-libvips", test_png_noise_matches_libvips);
  return g_test_run ();
}
