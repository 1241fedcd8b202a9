/* The PNG fast path against the libvips path it stands in for, on real PNGs
 * made by libvips, and the files it must leave to libvips. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vips/vips.h>

#include "shardpix/fastload.h"
#include "fixtures.h"
#include "shardpix/vips-autoptr.h"

/* How far the two paths may drift apart, in grey levels (0-255), measured
 * on grey premultiplied by alpha, as a viewer composites it: where alpha is
 * near 0 the grey itself is noise on both paths. The integer box shrink
 * leaves vips_resize() a slightly different geometry than it would have on
 * the whole image (the partial boxes at the edges), which moves sharp edges
 * by a fraction of an output pixel. */
#define MAX_MEAN_DIFF 1.5
#define MAX_DIFF      16.0

typedef struct {
  char *dir;
  ShardpixJob job;
} Fixture;

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  fx->dir = fixtures_mkdtemp ();
  shardpix_job_init (&fx->job);
  fx->job.width = 256;
  fx->job.height = 256;
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  fixtures_rmtree (fx->dir);
  g_free (fx->dir);
  shardpix_job_clear (&fx->job);
}

static void
check_vips (int result)
{
  if (result != 0)
    g_error ("libvips: %s", vips_error_buffer ());
}

/* Photo-like RGB: ramps in three directions, gaussian noise of @sigma and
 * a sharp vertical edge a third of the way across. */
static VipsImage *
make_photo (int width, int height, double sigma)
{
  const double coeff[] = {
    200.0 / width, 0.0, 0.0, 200.0 / height, -100.0 / width, -100.0 / height
  };
  const double offset[] = { 20.0, 20.0, 230.0 };
  const double scale[] = { 1.0, 1.0, 1.0 };
  g_autoptr (VipsImage) matrix = vips_image_new_matrix_from_array (2, 3, coeff, 6);
  g_autoptr (VipsImage) xy = NULL;
  g_autoptr (VipsImage) ramp = NULL;
  g_autoptr (VipsImage) shifted = NULL;
  g_autoptr (VipsImage) noise = NULL;
  g_autoptr (VipsImage) folded = NULL;
  g_autoptr (VipsImage) x = NULL;
  g_autoptr (VipsImage) edge = NULL;
  g_autoptr (VipsImage) step = NULL;
  g_autoptr (VipsImage) sum = NULL;
  g_autoptr (VipsImage) noisy = NULL;
  VipsImage *out;

  check_vips (vips_xyz (&xy, width, height, NULL));
  check_vips (vips_recomb (xy, &ramp, matrix, NULL));
  check_vips (vips_linear (ramp, &shifted, scale, offset, 3, NULL));
  check_vips (vips_gaussnoise (&noise, 3 * width, height, "sigma", sigma, "seed", width, NULL));
  check_vips (vips_bandfold (noise, &folded, "factor", 3, NULL));
  check_vips (vips_extract_band (xy, &x, 0, NULL));
  check_vips (vips_relational_const1 (x, &edge, VIPS_OPERATION_RELATIONAL_MORE, width / 3, NULL));
  check_vips (vips_linear1 (edge, &step, -0.3, 0.0, NULL));
  check_vips (vips_add (shifted, folded, &noisy, NULL));
  check_vips (vips_add (noisy, step, &sum, NULL));
  check_vips (vips_cast (sum, &out, VIPS_FORMAT_UCHAR, NULL));
  return out;
}

/* Writes @kind ("rgb", "rgba", "grey", "grey-alpha", "rgb16", "palette",
 * "palette-alpha", "grey4", "palette4": 16 colours, 4-bit indexes) at @path. The alpha kinds are fully
 * transparent in their left quarter and ramp up across the rest. */
static void
write_png (const char *path, const char *kind, int width, int height)
{
  /* Noise cut to 16 levels becomes steps of 17 at every pixel, which a
   * tenth of a pixel of drift (see fastload-png.c) turns into a mean
   * difference near 2: 4-bit images are drawings, not photos. */
  g_autoptr (VipsImage) rgb = make_photo (width, height, g_str_has_suffix (kind, "4") ? 0.0 : 12.0);
  g_autoptr (VipsImage) image = NULL;
  gboolean alpha = g_str_has_suffix (kind, "alpha") || g_str_equal (kind, "rgba");

  if (g_str_has_prefix (kind, "grey"))
    check_vips (vips_colourspace (rgb, &image, VIPS_INTERPRETATION_B_W, NULL));
  else if (g_str_equal (kind, "rgb16"))
    {
      g_autoptr (VipsImage) scaled = NULL;
      g_autoptr (VipsImage) cast = NULL;

      check_vips (vips_linear1 (rgb, &scaled, 257.0, 0.0, NULL));
      check_vips (vips_cast (scaled, &cast, VIPS_FORMAT_USHORT, NULL));
      check_vips (vips_copy (cast, &image, "interpretation", VIPS_INTERPRETATION_RGB16, NULL));
    }
  else
    image = g_object_ref (rgb);

  if (alpha)
    {
      g_autoptr (VipsImage) xy = NULL;
      g_autoptr (VipsImage) x = NULL;
      g_autoptr (VipsImage) ramp = NULL;
      g_autoptr (VipsImage) cast = NULL;
      g_autoptr (VipsImage) joined = NULL;

      check_vips (vips_xyz (&xy, width, height, NULL));
      check_vips (vips_extract_band (xy, &x, 0, NULL));
      check_vips (vips_linear1 (x, &ramp, 255.0 * 4 / (3 * width), -255.0 / 3, NULL));
      check_vips (vips_cast (ramp, &cast, VIPS_FORMAT_UCHAR, NULL));
      check_vips (vips_bandjoin2 (image, cast, &joined, NULL));
      g_set_object (&image, joined);
    }

  /* Compression 1: the same pixels, written faster. */
  if (g_str_equal (kind, "palette4"))
    check_vips (vips_pngsave (image, path, "compression", 1, "palette", TRUE, "bitdepth", 4,
                              NULL));
  else if (g_str_has_prefix (kind, "palette"))
    check_vips (vips_pngsave (image, path, "compression", 1, "palette", TRUE, NULL));
  else if (g_str_equal (kind, "grey4"))
    check_vips (vips_pngsave (image, path, "compression", 1, "bitdepth", 4, NULL));
  else
    check_vips (vips_pngsave (image, path, "compression", 1, NULL));
}

/* The thumbnail options for @job, as the pipeline passes them. */
static VipsSize
job_size (const ShardpixJob *job)
{
  return job->force ? VIPS_SIZE_FORCE : VIPS_SIZE_DOWN;
}

static VipsInteresting
job_crop (const ShardpixJob *job)
{
  return job->crop == SHARDPIX_CROP_CENTRE ? VIPS_INTERESTING_CENTRE : VIPS_INTERESTING_NONE;
}

static VipsImage *
fast_load (const ShardpixJob *job, const char *path)
{
  struct stat st;
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  VipsImage *image;

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (fstat (fd, &st), ==, 0);
  image = shardpix_fastload_png (fd, &st, job);
  close (fd);
  return image;
}

static VipsImage *
fast_thumbnail (const ShardpixJob *job, const char *path)
{
  g_autoptr (VipsImage) pre = fast_load (job, path);
  VipsImage *out;

  g_assert_nonnull (pre);
  g_assert_cmpint (pre->BandFmt, ==, VIPS_FORMAT_UCHAR);
  g_assert_cmpint (pre->Type, ==, VIPS_INTERPRETATION_B_W);
  check_vips (vips_thumbnail_image (pre, &out, job->width, "height", job->height, "size",
                                    job_size (job), "crop", job_crop (job), NULL));
  return out;
}

/* The libvips path: thumbnail, 8 bits, Rec.601 luma of the sRGB values,
 * alpha kept. */
static VipsImage *
reference_thumbnail (const ShardpixJob *job, const char *path)
{
  const double weights[] = { 0.299, 0.587, 0.114 };
  g_autoptr (VipsImage) thumb = NULL;
  g_autoptr (VipsImage) memory = NULL;
  g_autoptr (VipsImage) eight = NULL;
  g_autoptr (VipsImage) matrix = NULL;
  g_autoptr (VipsImage) colour = NULL;
  g_autoptr (VipsImage) luma = NULL;
  g_autoptr (VipsImage) rounded = NULL;
  g_autoptr (VipsImage) grey = NULL;
  g_autoptr (VipsImage) alpha = NULL;
  VipsImage *out;

  check_vips (vips_thumbnail (path, &thumb, job->width, "height", job->height, "size",
                              job_size (job), "crop", job_crop (job), NULL));
  /* Read twice below (grey and alpha): the file was opened sequentially. */
  memory = vips_image_copy_memory (thumb);
  g_assert_nonnull (memory);
  check_vips (vips_colourspace (
      memory, &eight, memory->Bands >= 3 ? VIPS_INTERPRETATION_sRGB : VIPS_INTERPRETATION_B_W,
      NULL));
  if (eight->Bands < 3)
    return vips_image_copy_memory (eight);
  matrix = vips_image_new_matrix_from_array (3, 1, weights, 3);
  check_vips (vips_extract_band (eight, &colour, 0, "n", 3, NULL));
  check_vips (vips_recomb (colour, &luma, matrix, NULL));
  check_vips (vips_round (luma, &rounded, VIPS_OPERATION_ROUND_RINT, NULL));
  check_vips (vips_cast (rounded, &grey, VIPS_FORMAT_UCHAR, NULL));
  if (eight->Bands == 4)
    {
      check_vips (vips_extract_band (eight, &alpha, 3, NULL));
      check_vips (vips_bandjoin2 (grey, alpha, &out, NULL));
      return out;
    }
  return g_steal_pointer (&grey);
}

/* Grey times alpha (what a viewer shows), then alpha, as doubles. */
static VipsImage *
composited (VipsImage *image)
{
  g_autoptr (VipsImage) grey = NULL;
  g_autoptr (VipsImage) alpha = NULL;
  g_autoptr (VipsImage) product = NULL;
  g_autoptr (VipsImage) scaled = NULL;
  VipsImage *out;

  if (image->Bands == 1)
    return vips_image_copy_memory (image);
  check_vips (vips_extract_band (image, &grey, 0, NULL));
  check_vips (vips_extract_band (image, &alpha, 1, NULL));
  check_vips (vips_multiply (grey, alpha, &product, NULL));
  check_vips (vips_linear1 (product, &scaled, 1.0 / 255, 0.0, NULL));
  check_vips (vips_bandjoin2 (scaled, alpha, &out, NULL));
  return out;
}

static void
assert_close (VipsImage *expected, VipsImage *got, const char *what)
{
  g_autoptr (VipsImage) a = composited (expected);
  g_autoptr (VipsImage) b = composited (got);
  g_autoptr (VipsImage) difference = NULL;
  g_autoptr (VipsImage) magnitude = NULL;
  double mean;
  double max;

  g_assert_cmpint (got->Xsize, ==, expected->Xsize);
  g_assert_cmpint (got->Ysize, ==, expected->Ysize);
  g_assert_cmpint (got->Bands, ==, expected->Bands);
  check_vips (vips_subtract (a, b, &difference, NULL));
  check_vips (vips_abs (difference, &magnitude, NULL));
  check_vips (vips_avg (magnitude, &mean, NULL));
  check_vips (vips_max (magnitude, &max, NULL));
  g_test_message ("%s: %dx%d, %d bands: mean difference %.3f, max %.1f", what, got->Xsize,
                  got->Ysize, got->Bands, mean, max);
  g_assert_cmpfloat (mean, <=, MAX_MEAN_DIFF);
  g_assert_cmpfloat (max, <=, MAX_DIFF);
}

/* Sizes for a 256x256 box and the box shrink each gets: none below a
 * shrink of 4, 2 at 4.3, 4 at 8.2. At 1101x701 shrinking by 2 would move
 * the far edges of the thumbnail by 0.23 pixels (see fastload-png-box.c).
 * At 3001x2001 libvips' resize boxes by 5 first, which no box of 2 to 4
 * makes up (2 then 2 is another filter): none. At 2050x2050 it boxes by 4,
 * a box of 4 would move the edges by 0.25 pixels, one of 2 does not and
 * vips_resize() adds the other 2. */
static const int sizes[][3] = {
  { 600, 401, 1 }, { 1100, 702, 2 }, { 704, 2100, 4 }, { 1101, 701, 1 }, { 3001, 2001, 1 },
  { 2050, 2050, 2 },
};

static void
assert_declined (Fixture *fx, const char *path)
{
  g_autoptr (VipsImage) image = fast_load (&fx->job, path);

  g_assert_null (image);
}

/* Where libvips costs less than the fast path (fastload-png.c says by how
 * much), the fast path must leave the file to it: grey that the box filter
 * would not shrink, unless the whole-image reader takes it (8 bits). */
static gboolean
png_kind_left_to_libvips (const char *kind, int box_shrink)
{
  return g_str_equal (kind, "grey4") && box_shrink == 1;
}

static void
test_matches_libvips (Fixture *fx, gconstpointer data)
{
  static const char *const layouts[] = { "grey", "grey-alpha", "rgb", "rgba", NULL };
  const char *kind = data;

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree char *name = g_strdup_printf ("%s-%d.png", kind, i);
      g_autofree char *path = g_build_filename (fx->dir, name, NULL);
      g_autoptr (VipsImage) expected = NULL;
      g_autoptr (VipsImage) got = NULL;

      /* The largest sizes once for each pixel layout libpng gives: the
       * other kinds are decoded to one of these. (On the hard steps of a
       * 4-bit drawing, partial boxes move edges by up to 26 levels.) */
      if (sizes[i][0] >= 2050 && !g_strv_contains (layouts, kind))
        continue;
      write_png (path, kind, sizes[i][0], sizes[i][1]);
      if (png_kind_left_to_libvips (kind, sizes[i][2]))
        {
          assert_declined (fx, path);
          continue;
        }
      expected = reference_thumbnail (&fx->job, path);
      got = fast_thumbnail (&fx->job, path);
      assert_close (expected, got, name);
    }
}

/* The box shrink really happens, by the factors above. */
static void
test_shrink_factor (Fixture *fx, gconstpointer data)
{
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree char *path = g_build_filename (fx->dir, "rgb.png", NULL);
      g_autoptr (VipsImage) pre = NULL;

      write_png (path, "rgb", sizes[i][0], sizes[i][1]);
      pre = fast_load (&fx->job, path);
      g_assert_nonnull (pre);
      g_assert_cmpint (pre->Xsize, ==, (sizes[i][0] + sizes[i][2] - 1) / sizes[i][2]);
      g_assert_cmpint (pre->Ysize, ==, (sizes[i][1] + sizes[i][2] - 1) / sizes[i][2]);
      g_assert_cmpint (pre->Bands, ==, 1);
    }
}

/* Crop and "WxH!" shrink by the smaller side, and still match. */
static void
test_fill_modes (Fixture *fx, gconstpointer data)
{
  g_autofree char *path = g_build_filename (fx->dir, "wide.png", NULL);

  write_png (path, "rgb", 2100, 1302);
  for (int i = 0; i < 2; i++)
    {
      g_autoptr (VipsImage) pre = NULL;
      g_autoptr (VipsImage) expected = NULL;
      g_autoptr (VipsImage) got = NULL;

      fx->job.crop = i == 0 ? SHARDPIX_CROP_CENTRE : SHARDPIX_CROP_NONE;
      fx->job.force = i == 1;
      fx->job.height = i == 0 ? 256 : 100;
      pre = fast_load (&fx->job, path);
      g_assert_nonnull (pre);
      /* Crop: 1302 / 256 = 5.1 by the shorter side, a box of 2. Force:
       * 8.2 by the width, where libvips' resize boxes by 4 across and 6
       * down: 4 would leave a partial box row, 3 divides neither, 2 both. */
      g_assert_cmpint (pre->Xsize, ==, 1050);
      expected = reference_thumbnail (&fx->job, path);
      got = fast_thumbnail (&fx->job, path);
      g_assert_cmpint (got->Xsize, ==, 256);
      g_assert_cmpint (got->Ysize, ==, fx->job.height);
      assert_close (expected, got, i == 0 ? "crop" : "force");
    }
}

static char *
write_rgb (Fixture *fx, const char *name)
{
  char *path = g_build_filename (fx->dir, name, NULL);

  write_png (path, "rgb", 700, 500);
  return path;
}

static guint32
get_be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

/* Offset of the first chunk of @type in the PNG @data, or 0. */
static gsize
find_chunk (const guint8 *data, gsize len, const char *type)
{
  for (gsize at = 8; at + 12 <= len;)
    {
      guint32 n = get_be32 (data + at);

      if (memcmp (data + at + 4, type, 4) == 0)
        return at;
      at += 12 + (gsize) n;
    }
  return 0;
}

/* The bytes of the PNG at @path, with the offset of its first IDAT. */
static guint8 *
read_png (const char *path, gsize *len, gsize *idat)
{
  g_autoptr (GError) error = NULL;
  guint8 *bytes = NULL;

  g_file_get_contents (path, (char **) &bytes, len, &error);
  g_assert_no_error (error);
  *idat = find_chunk (bytes, *len, "IDAT");
  g_assert_cmpuint (*idat, >, 0);
  return bytes;
}

static void
test_declines_interlaced (Fixture *fx, gconstpointer data)
{
  g_autofree char *path = g_build_filename (fx->dir, "adam7.png", NULL);
  g_autoptr (VipsImage) rgb = make_photo (300, 200, 12.0);

  check_vips (vips_pngsave (rgb, path, "interlace", TRUE, NULL));
  assert_declined (fx, path);
}

static void
test_declines_truncated (Fixture *fx, gconstpointer data)
{
  g_autofree char *whole = write_rgb (fx, "whole.png");
  g_autofree char *half = g_build_filename (fx->dir, "half.png", NULL);
  struct stat st;

  g_assert_cmpint (stat (whole, &st), ==, 0);
  fixtures_write_truncated (whole, half, (gsize) st.st_size / 2);
  assert_declined (fx, half);
}

/* The pixels are intact, only the checksum of the first IDAT is wrong. */
static void
test_declines_bad_crc (Fixture *fx, gconstpointer data)
{
  g_autofree char *path = write_rgb (fx, "crc.png");
  gsize len;
  gsize idat;
  g_autofree guint8 *bytes = read_png (path, &len, &idat);

  bytes[idat + 8 + get_be32 (bytes + idat) + 3] ^= 0x55;
  fixtures_write_bytes (path, bytes, len);
  assert_declined (fx, path);
}

static void
test_declines_other_files (Fixture *fx, gconstpointer data)
{
  g_autofree char *jpeg = g_build_filename (fx->dir, "photo.png", NULL);
  g_autofree char *empty = g_build_filename (fx->dir, "empty.png", NULL);

  fixtures_write_image (jpeg, "jpeg", 300, 200);
  assert_declined (fx, jpeg);
  fixtures_write_bytes (empty, "", 0);
  assert_declined (fx, empty);
}

/* Above the pixel limit the libvips path reports the refusal. */
static void
test_declines_too_many_pixels (Fixture *fx, gconstpointer data)
{
  g_autofree char *path = write_rgb (fx, "big.png");
  g_autoptr (VipsImage) image = NULL;

  fx->job.max_pixels = 700 * 500 - 1;
  assert_declined (fx, path);
  fx->job.max_pixels = 700 * 500;
  image = fast_load (&fx->job, path);
  g_assert_nonnull (image);
}

static guint32
png_crc (const guint8 *data, gsize len)
{
  guint32 crc = 0xffffffff;

  for (gsize i = 0; i < len; i++)
    {
      crc ^= data[i];
      for (int bit = 0; bit < 8; bit++)
        crc = crc & 1 ? 0xedb88320 ^ (crc >> 1) : crc >> 1;
    }
  return ~crc;
}

/* Inserts before the first IDAT an eXIf chunk (a big-endian TIFF header
 * and one IFD) whose orientation tag says @orientation. */
static void
insert_exif (const char *path, guint orientation)
{
  const guint8 chunk_head[] = { 0, 0, 0, 26, 'e', 'X', 'I', 'f' };
  const guint8 tiff[26] = { 'M',  'M',  0, 42, 0, 0, 0, 8, 0, 1,
                            0x01, 0x12, 0, 3,  0, 0, 0, 1, 0, (guint8) orientation };
  g_autoptr (GByteArray) out = g_byte_array_new ();
  gsize len;
  gsize idat;
  g_autofree guint8 *bytes = read_png (path, &len, &idat);
  guint8 typed[30];
  guint32 crc;

  memcpy (typed, chunk_head + 4, 4);
  memcpy (typed + 4, tiff, sizeof tiff);
  crc = GUINT32_TO_BE (png_crc (typed, sizeof typed));
  g_byte_array_append (out, bytes, (guint) idat);
  g_byte_array_append (out, chunk_head, sizeof chunk_head);
  g_byte_array_append (out, tiff, sizeof tiff);
  g_byte_array_append (out, (const guint8 *) &crc, 4);
  g_byte_array_append (out, bytes + idat, (guint) (len - idat));
  fixtures_write_bytes (path, out->data, out->len);
}

/* EXIF orientation 6 turns the image on the libvips path: the fast path
 * must leave it to libvips, unless the job ignores orientation. With
 * orientation 1, as most real PNGs with eXIf say, nothing turns. */
static void
test_exif_orientation (Fixture *fx, gconstpointer data)
{
  g_autofree char *turned = write_rgb (fx, "turned.png");
  g_autofree char *upright = write_rgb (fx, "upright.png");
  g_autoptr (VipsImage) libvips_turned = NULL;
  g_autoptr (VipsImage) ignored = NULL;
  g_autoptr (VipsImage) expected = NULL;
  g_autoptr (VipsImage) got = NULL;

  insert_exif (turned, 6);
  check_vips (vips_thumbnail (turned, &libvips_turned, 256, "height", 256, NULL));
  g_assert_cmpint (libvips_turned->Xsize, <, libvips_turned->Ysize);
  assert_declined (fx, turned);
  fx->job.no_rotate = TRUE;
  ignored = fast_load (&fx->job, turned);
  g_assert_nonnull (ignored);
  g_assert_cmpint (ignored->Xsize, >, ignored->Ysize);
  fx->job.no_rotate = FALSE;

  insert_exif (upright, 1);
  expected = reference_thumbnail (&fx->job, upright);
  got = fast_thumbnail (&fx->job, upright);
  assert_close (expected, got, "orientation 1");
}

/* Colour output and kept metadata are not the fast path's job. */
static void
test_declines_other_jobs (Fixture *fx, gconstpointer data)
{
  g_autofree char *path = write_rgb (fx, "rgb.png");

  fx->job.color = TRUE;
  assert_declined (fx, path);
  fx->job.color = FALSE;
  fx->job.keep_metadata = TRUE;
  assert_declined (fx, path);
}

int
main (int argc, char **argv)
{
  static const char *const kinds[] = {
    "rgb", "rgba", "grey", "grey-alpha", "grey4", "rgb16", "palette", "palette-alpha",
    "palette4",
  };

  fixtures_init (&argc, &argv);
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *name =
          g_strdup_printf ("/shardpix/fastload-png/matches-libvips/%s", kinds[i]);

      g_test_add (name, Fixture, kinds[i], fixture_setup, test_matches_libvips, fixture_teardown);
    }
#define ADD(path, fn)                                                                              \
  g_test_add ("/shardpix/fastload-png/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("shrink-factor", test_shrink_factor);
  ADD ("fill-modes", test_fill_modes);
  ADD ("exif-orientation", test_exif_orientation);
  ADD ("declines/interlaced", test_declines_interlaced);
  ADD ("declines/truncated", test_declines_truncated);
  ADD ("declines/bad-crc", test_declines_bad_crc);
  ADD ("declines/other-files", test_declines_other_files);
  ADD ("declines/too-many-pixels", test_declines_too_many_pixels);
  ADD ("declines/other-jobs", test_declines_other_jobs);
#undef ADD
  return g_test_run ();
}
