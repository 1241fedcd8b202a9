/* Every image option, checked on the output files of the real binary, for
 * every input kind, on both decode paths (default, --no-fast-paths). Each
 * output is read back by a decoder that is not shardpix's: libvips' header
 * and pixels (loader, size, bands, metadata), libjpeg (quantisation
 * tables), libpng (colour type); the expected sizes are what
 * vips_thumbnail() itself gives for the same input and box. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jpeglib.h>
#include <png.h>

#include <glib/gstdio.h>

#include "shardpix/vips-autoptr.h"

#include "fixtures.h"

typedef FixturesDirs Fixture;

/* One of each input kind; sizes differ so that a swapped width and height
 * or a missed rotation shows. */
static const struct {
  const char *name;
  const char *kind;
  int width;
  int height;
} matrix_inputs[] = {
  { "a-baseline.jpg", "jpeg", 320, 240 },
  { "b-progressive.jpg", "jpeg-progressive", 240, 320 },
  { "c-grey.png", "png-grey", 300, 200 },
  { "d-palette.png", "png-palette", 200, 300 },
  { "e-rgb.png", "png", 320, 200 },
  { "f-alpha.png", "png-alpha", 256, 256 },
  { "g-16bit.png", "png16", 200, 250 },
  { "h-lossy.webp", "webp", 320, 240 },
  { "i-lossless.webp", "webp-lossless", 240, 180 },
  { "j-alpha.webp", "webp-alpha", 200, 200 },
  { "k.gif", "gif", 160, 120 },
  { "l.tif", "tiff", 250, 250 },
  { "m.heic", "heic", 320, 240 },
  { "n.avif", "avif", 240, 320 },
  { "o.jxl", "jxl", 300, 300 },
};

/* Made by matrix_write_folder() itself: stored 320x240, EXIF orientation 6,
 * XMP and a Display P3 profile; and two of one saturated colour. */
#define MATRIX_ROTATED "p-rotated.jpg"
#define MATRIX_RED_PNG "q-red.png"
#define MATRIX_RED_JPEG "r-red.jpg"
/* A HEIC whose EXIF says orientation 6: libheif turns HEIF images by their
 * own irot/imir boxes, and libvips drops the EXIF tag, which HEIF calls
 * informational. Output sizes must agree with vips_thumbnail's. */
#define MATRIX_HEIC_EXIF "s-exif6.heic"
static const double matrix_red[] = { 200, 40, 40 };
/* In the EXIF of MATRIX_ROTATED, as a camera's serial number or GPS
 * position would be. */
#define MATRIX_ARTIST "shardpix-matrix-artist"

static void
matrix_vips_fail (const char *what)
{
  g_error ("%s: %s", what, vips_error_buffer ());
}

/* A @size x @size sRGB image of matrix_red. */
static VipsImage *
matrix_red_image (int size)
{
  g_autoptr (VipsImage) black = NULL;
  g_autoptr (VipsImage) red = NULL;
  g_autoptr (VipsImage) red8 = NULL;
  VipsImage *out;

  if (vips_black (&black, size, size, "bands", 3, NULL)
      || vips_linear (black, &red, (double[]){ 1, 1, 1 }, matrix_red, 3, NULL)
      || vips_cast (red, &red8, VIPS_FORMAT_UCHAR, NULL)
      || vips_copy (red8, &out, "interpretation", VIPS_INTERPRETATION_sRGB, NULL))
    matrix_vips_fail ("red");
  return out;
}

static void
matrix_write_folder (const char *dir)
{
  g_autofree char *src = g_build_filename (dir, "src.png", NULL);
  g_autofree char *rotated = g_build_filename (dir, MATRIX_ROTATED, NULL);
  g_autofree char *red_png = g_build_filename (dir, MATRIX_RED_PNG, NULL);
  g_autofree char *red_jpeg = g_build_filename (dir, MATRIX_RED_JPEG, NULL);
  g_autofree char *heic_exif = g_build_filename (dir, MATRIX_HEIC_EXIF, NULL);
  static const char xmp[] = "<x:xmpmeta xmlns:x='adobe:ns:meta/'/>";
  g_autoptr (VipsImage) plain = NULL;
  g_autoptr (VipsImage) p3 = NULL;
  g_autoptr (VipsImage) tagged = NULL;
  g_autoptr (VipsImage) red = matrix_red_image (64);

  for (gsize i = 0; i < G_N_ELEMENTS (matrix_inputs); i++)
    {
      g_autofree char *path = g_build_filename (dir, matrix_inputs[i].name, NULL);

      fixtures_write_image (path, matrix_inputs[i].kind, matrix_inputs[i].width,
                            matrix_inputs[i].height);
    }
  fixtures_write_image (src, "png", 320, 240);
  if (!(plain = vips_image_new_from_file (src, NULL))
      || vips_icc_transform (plain, &p3, "p3", "input_profile", "srgb", NULL)
      || vips_copy (p3, &tagged, NULL))
    matrix_vips_fail ("p3");
  vips_image_set_int (tagged, VIPS_META_ORIENTATION, 6);
  vips_image_set_blob_copy (tagged, VIPS_META_XMP_NAME, xmp, sizeof xmp - 1);
  vips_image_set_string (tagged, "exif-ifd0-Artist", MATRIX_ARTIST);
  if (vips_jpegsave (tagged, rotated, "Q", 90, NULL))
    matrix_vips_fail (rotated);
  if (vips_heifsave (tagged, heic_exif, "compression", VIPS_FOREIGN_HEIF_COMPRESSION_HEVC, NULL))
    matrix_vips_fail (heic_exif);
  g_unlink (src);
  if (vips_pngsave (red, red_png, NULL) || vips_jpegsave (red, red_jpeg, "Q", 95, NULL))
    matrix_vips_fail ("red");
}

/* One run of the binary: the options after "run IN OUT", and what they ask
 * of vips_thumbnail(). */
typedef struct {
  const char *args[8];
  const char *template; /* the output name, as -o takes it; NULL: the input's */
  int width;
  int height;
  VipsSize size;
  VipsInteresting crop;
  gboolean no_rotate;
  gboolean color;
  gboolean keep;
} MatrixCase;

static const MatrixCase matrix_cases[] = {
  { { "--size", "48" }, NULL, 48, 48, VIPS_SIZE_DOWN },
  { { "--size", "40x30!" }, NULL, 40, 30, VIPS_SIZE_FORCE },
  { { "--size", "40x30", "--crop", "centre" }, NULL, 40, 30, VIPS_SIZE_DOWN,
    VIPS_INTERESTING_CENTRE },
  { { "--size", "500", "--enlarge" }, NULL, 500, 500, VIPS_SIZE_BOTH },
  { { "--size", "64", "--no-rotate", "--keep-metadata" }, NULL, 64, 64, VIPS_SIZE_DOWN,
    VIPS_INTERESTING_NONE, TRUE, FALSE, TRUE },
  { { "--size", "64", "--keep-metadata", "--color" }, NULL, 64, 64, VIPS_SIZE_DOWN,
    VIPS_INTERESTING_NONE, FALSE, TRUE, TRUE },
  { { "--size", "64", "--color" }, NULL, 64, 64, VIPS_SIZE_DOWN, VIPS_INTERESTING_NONE, FALSE,
    TRUE },
  { { "--size", "56", "-f", "png" }, "%s.png", 56, 56, VIPS_SIZE_DOWN },
  { { "--size", "56", "-f", "jxl" }, "%s.jxl", 56, 56, VIPS_SIZE_DOWN },
  { { "--size", "56", "-f", "heic" }, "%s.heic", 56, 56, VIPS_SIZE_DOWN },
  { { "--size", "56", "-o", "tn_%s.avif[Q=50]" }, "tn_%s.avif", 56, 56, VIPS_SIZE_DOWN },
  { { "--size", "56", "-o", "%s_t.webp", "--color" }, "%s_t.webp", 56, 56, VIPS_SIZE_DOWN,
    VIPS_INTERESTING_NONE, FALSE, TRUE },
};

static char *
matrix_output_name (const char *template, const char *input)
{
  g_autofree char *stem = g_strndup (input, strrchr (input, '.') - input);
  g_auto (GStrv) parts = NULL;

  if (template == NULL)
    return g_strdup (input);
  parts = g_strsplit (template, "%s", 2);
  return g_strconcat (parts[0], stem, parts[1], NULL);
}

static const char *
matrix_loader_for (const char *name)
{
  const char *ext = strrchr (name, '.') + 1;

  if (g_str_equal (ext, "jpg"))
    return "jpegload";
  if (g_str_equal (ext, "png"))
    return "pngload";
  if (g_str_equal (ext, "webp"))
    return "webpload";
  if (g_str_equal (ext, "gif"))
    return "gifload";
  if (g_str_equal (ext, "tif"))
    return "tiffload";
  if (g_str_equal (ext, "jxl"))
    return "jxlload";
  return "heifload";
}

/* The PNG's colour type, read by libpng. */
static int
matrix_png_colour_type (const char *path)
{
  FILE *file = fopen (path, "rb");
  png_structp png = png_create_read_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct (png);
  int colour;

  g_assert_nonnull (file);
  if (setjmp (png_jmpbuf (png)))
    g_error ("libpng cannot read %s", path);
  png_init_io (png, file);
  png_read_info (png, info);
  colour = png_get_color_type (png, info);
  png_destroy_read_struct (&png, &info, NULL);
  fclose (file);
  return colour;
}

/* The largest difference between two bands: 0 when a three-band output
 * holds grey. */
static double
matrix_band_spread (VipsImage *image)
{
  g_autoptr (VipsImage) a = NULL;
  g_autoptr (VipsImage) b = NULL;
  g_autoptr (VipsImage) diff = NULL;
  g_autoptr (VipsImage) abs = NULL;
  double spread;

  if (vips_extract_band (image, &a, 0, NULL) || vips_extract_band (image, &b, 1, NULL)
      || vips_subtract (a, b, &diff, NULL) || vips_abs (diff, &abs, NULL)
      || vips_max (abs, &spread, NULL))
    matrix_vips_fail ("spread");
  return spread;
}

/* Bands the output of @input must have under @c in the format of @name. */
static int
matrix_expected_bands (const MatrixCase *c, VipsImage *reference, const char *name)
{
  const char *ext = strrchr (name, '.') + 1;
  gboolean alpha = vips_image_hasalpha (reference);
  int colour = c->color ? reference->Bands - alpha : 1;

  if (g_str_equal (ext, "jpg"))
    alpha = FALSE;
  /* WebP and libvips' HEIF saver have no grey mode. */
  if (g_str_equal (ext, "webp") || g_str_equal (ext, "heic") || g_str_equal (ext, "avif"))
    colour = 3;
  return colour + alpha;
}

static void
matrix_check_metadata (const MatrixCase *c, VipsImage *out, const char *name,
                       const char *ext)
{
  gboolean exif = vips_image_get_typeof (out, VIPS_META_EXIF_NAME) != 0;
  const void *blob;
  size_t len;
  gboolean xmp = vips_image_get_typeof (out, VIPS_META_XMP_NAME) != 0;
  gboolean icc = vips_image_get_typeof (out, VIPS_META_ICC_NAME) != 0;

  if (!g_str_equal (name, MATRIX_ROTATED))
    return;
  /* Debian's libvips 8.14.1 webpsave writes a fresh EXIF block (resolution,
   * orientation) even when stripping: it must not carry the input's. */
  if (exif && !c->keep)
    {
      g_assert_cmpstr (ext, ==, "webp");
      g_assert_cmpint (vips_image_get_blob (out, VIPS_META_EXIF_NAME, &blob, &len), ==, 0);
      g_assert_null (memmem (blob, len, MATRIX_ARTIST, strlen (MATRIX_ARTIST)));
    }
  else
    g_assert_cmpint (exif, ==, c->keep);
  if (c->keep && g_str_equal (ext, "jpg"))
    {
      g_assert_cmpint (vips_image_get_blob (out, VIPS_META_EXIF_NAME, &blob, &len), ==, 0);
      g_assert_nonnull (memmem (blob, len, MATRIX_ARTIST, strlen (MATRIX_ARTIST)));
    }
  g_assert_cmpint (xmp, ==, c->keep);
  /* The P3 profile no longer describes grey pixels; in colour they were
   * converted to sRGB, whose profile they then carry. libjxl always codes
   * a colour space, which libvips' loader hands over as a profile. */
  if (!g_str_equal (ext, "jxl"))
    g_assert_cmpint (icc, ==, c->keep && c->color);
  if (c->keep)
    g_assert_cmpint (vips_image_get_orientation (out), ==, c->no_rotate ? 6 : 1);
  if (icc && !g_str_equal (ext, "jxl"))
    {
      g_assert_cmpint (vips_image_get_blob (out, VIPS_META_ICC_NAME, &blob, &len), ==, 0);
      g_assert_nonnull (memmem (blob, len, "sRGB", 4));
    }
}

static void
matrix_check_output (const MatrixCase *c, const char *in_dir, const char *out_dir,
                     const char *input)
{
  g_autofree char *in_path = g_build_filename (in_dir, input, NULL);
  g_autofree char *name = matrix_output_name (c->template, input);
  g_autofree char *out_path = g_build_filename (out_dir, name, NULL);
  g_autoptr (VipsImage) reference = NULL;
  g_autoptr (VipsImage) out = NULL;
  const char *loader = NULL;
  const char *ext = strrchr (name, '.') + 1;

  if (vips_thumbnail (in_path, &reference, c->width, "height", c->height, "size", c->size,
                      "crop", c->crop, "no_rotate", c->no_rotate, NULL))
    matrix_vips_fail (in_path);
  vips_error_clear ();
  out = vips_image_new_from_file (out_path, NULL);
  if (out == NULL)
    g_error ("%s: no output %s: %s", input, name, vips_error_buffer ());
  g_assert_cmpint (vips_image_get_string (out, VIPS_META_LOADER, &loader), ==, 0);
  g_assert_cmpstr (loader, ==, matrix_loader_for (name));
  if (out->Xsize != reference->Xsize || out->Ysize != reference->Ysize)
    g_error ("%s -> %s: %dx%d, vips_thumbnail gives %dx%d", input, name, out->Xsize,
             out->Ysize, reference->Xsize, reference->Ysize);
  /* GIF is a palette: libvips reads every one back as RGB(A). */
  if (!g_str_equal (ext, "gif"))
    {
      int bands = matrix_expected_bands (c, reference, name);

      if (out->Bands != bands)
        g_error ("%s -> %s: %d bands, expected %d", input, name, out->Bands, bands);
      if (!c->color && bands >= 3)
        g_assert_cmpfloat (matrix_band_spread (out), <=, 2);
    }
  if (g_str_equal (ext, "png"))
    {
      int colour = matrix_png_colour_type (out_path);

      if (!c->color)
        g_assert_true (colour == PNG_COLOR_TYPE_GRAY || colour == PNG_COLOR_TYPE_GRAY_ALPHA);
    }
  if (g_str_equal (ext, "avif") || g_str_equal (ext, "heic"))
    {
      const char *compression = NULL;

      g_assert_cmpint (vips_image_get_string (out, "heif-compression", &compression), ==, 0);
      g_assert_cmpstr (compression, ==, g_str_equal (ext, "avif") ? "av1" : "hevc");
    }
  matrix_check_metadata (c, out, input, ext);
}

static void
matrix_run (Fixture *fx, const char *out, const char *const *options, gboolean fast)
{
  const char *args[16] = { "run", fx->in, out, "-j", "2", "--quiet" };
  guint n = 6;

  if (!fast)
    args[n++] = "--no-fast-paths";
  for (guint k = 0; options[k] != NULL; k++)
    args[n++] = options[k];
  g_assert_cmpint (fixtures_run_logged (args, NULL, NULL), ==, 0);
}

static void
matrix_each_input (const MatrixCase *c, const char *in, const char *out)
{
  static const char *const made[] = { MATRIX_ROTATED, MATRIX_RED_PNG, MATRIX_RED_JPEG,
                                      MATRIX_HEIC_EXIF };

  for (gsize i = 0; i < G_N_ELEMENTS (matrix_inputs); i++)
    matrix_check_output (c, in, out, matrix_inputs[i].name);
  for (gsize i = 0; i < G_N_ELEMENTS (made); i++)
    matrix_check_output (c, in, out, made[i]);
}

/* Sizes, crop, rotation, metadata, colour, names and formats. */
static void
test_matrix_geometry (Fixture *fx, G_GNUC_UNUSED gconstpointer data)
{
  matrix_write_folder (fx->in);
  for (guint i = 0; i < G_N_ELEMENTS (matrix_cases); i++)
    for (guint fast = 0; fast < 2; fast++)
      {
        g_autofree char *out = g_strdup_printf ("%s/case%u-%u", fx->root, i, fast);

        g_test_message ("case %u (%s %s ...), %s", i, matrix_cases[i].args[0],
                        matrix_cases[i].args[1], fast ? "fast paths" : "--no-fast-paths");
        matrix_run (fx, out, matrix_cases[i].args, fast);
        matrix_each_input (&matrix_cases[i], fx->in, out);
        fixtures_rmtree (out);
      }
}

static double
matrix_mean (const char *dir, const char *rel)
{
  g_autofree char *path = g_build_filename (dir, rel, NULL);
  g_autoptr (VipsImage) image = vips_image_new_from_file (path, NULL);
  double mean;

  if (image == NULL || vips_avg (image, &mean, NULL))
    matrix_vips_fail (path);
  return mean;
}

/* libvips' own b-w (luminance in linear light) of the known colour: what
 * --gray linear must give. */
static double
matrix_linear_reference (void)
{
  g_autoptr (VipsImage) red = matrix_red_image (8);
  g_autoptr (VipsImage) grey = NULL;
  double mean;

  if (vips_colourspace (red, &grey, VIPS_INTERPRETATION_B_W, NULL)
      || vips_avg (grey, &mean, NULL))
    matrix_vips_fail ("b-w");
  return mean;
}

/* --gray rec601 (the default) and linear on a known colour, (200, 40, 40):
 * 0.299 R + 0.587 G + 0.114 B = 88 on the stored values; libvips' b-w, in
 * linear light, 102: the option must reach the pixels on both paths. */
static void
test_matrix_gray (Fixture *fx, G_GNUC_UNUSED gconstpointer data)
{
  double rec601 = 0.299 * matrix_red[0] + 0.587 * matrix_red[1] + 0.114 * matrix_red[2];
  double linear = matrix_linear_reference ();

  g_assert_cmpfloat (fabs (linear - rec601), >, 10);
  matrix_write_folder (fx->in);
  for (guint fast = 0; fast < 2; fast++)
    {
      g_autofree char *a = g_strdup_printf ("%s/rec601-%u", fx->root, fast);
      g_autofree char *b = g_strdup_printf ("%s/linear-%u", fx->root, fast);
      const char *const rec601_args[] = { "--size", "32", NULL };
      const char *const linear_args[] = { "--size", "32", "--gray", "linear", NULL };

      matrix_run (fx, a, rec601_args, fast);
      matrix_run (fx, b, linear_args, fast);
      g_assert_cmpfloat_with_epsilon (matrix_mean (a, MATRIX_RED_PNG), rec601, 1.0);
      g_assert_cmpfloat_with_epsilon (matrix_mean (b, MATRIX_RED_PNG), linear, 1.0);
      /* JPEG's chroma subsampling and quantisation cost a few levels. */
      g_assert_cmpfloat_with_epsilon (matrix_mean (a, MATRIX_RED_JPEG), rec601, 3.0);
      g_assert_cmpfloat_with_epsilon (matrix_mean (b, MATRIX_RED_JPEG), linear, 3.0);
    }
}

/* libvips' CMYK to sRGB (with the embedded profile), then Rec.601. */
static double
matrix_cmyk_reference (const char *dir, const char *rel)
{
  g_autofree char *path = g_build_filename (dir, rel, NULL);
  g_autoptr (VipsImage) cmyk = vips_image_new_from_file (path, NULL);
  g_autoptr (VipsImage) srgb = NULL;
  g_autoptr (VipsImage) stats = NULL;
  double grey = 0;

  if (cmyk == NULL || vips_colourspace (cmyk, &srgb, VIPS_INTERPRETATION_sRGB, NULL)
      || vips_stats (srgb, &stats, NULL))
    matrix_vips_fail (path);
  /* Row b + 1 of the statistics is band b; column 4 its mean. */
  for (int b = 0; b < 3; b++)
    grey += (b == 0 ? 0.299 : b == 1 ? 0.587 : 0.114) * *VIPS_MATRIX (stats, 4, b + 1);
  return grey;
}

/* Colour profiles: the known colour converted to Display P3 (libvips'
 * built-in profile, embedded) in JPEG, PNG and WebP, and to CMYK in JPEG,
 * must come out as the grey of the sRGB colour, 88, on both paths. The
 * coded P3 values alone would give 96; CMYK read as RGB would be dark or
 * inverted. */
static void
test_matrix_profiles (Fixture *fx, G_GNUC_UNUSED gconstpointer data)
{
  static const char *const names[] = { "p3-jpeg.jpg", "p3-png.png", "p3-webp.webp", "cmyk.jpg" };
  double rec601 = 0.299 * matrix_red[0] + 0.587 * matrix_red[1] + 0.114 * matrix_red[2];
  g_autoptr (VipsImage) red = matrix_red_image (64);
  g_autoptr (VipsImage) p3 = NULL;
  g_autoptr (VipsImage) cmyk = NULL;

  if (vips_icc_transform (red, &p3, "p3", "input_profile", "srgb", NULL)
      || vips_icc_transform (red, &cmyk, "cmyk", "input_profile", "srgb", NULL))
    matrix_vips_fail ("profiles");
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (fx->in, names[i], NULL);

      if (vips_image_write_to_file (i == 3 ? cmyk : p3, path, "Q", 95, NULL))
        matrix_vips_fail (path);
    }
  for (guint fast = 0; fast < 2; fast++)
    {
      g_autofree char *out = g_strdup_printf ("%s/profiles-%u", fx->root, fast);
      const char *const args[] = { "--size", "32", "-f", "png", NULL };

      matrix_run (fx, out, args, fast);
      for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
        {
          g_autofree char *name = matrix_output_name ("%s.png", names[i]);
          double mean = matrix_mean (out, name);

          g_test_message ("%s: %.1f (sRGB grey %.1f)", names[i], mean, rec601);
          /* JPEG and WebP cost a level or two; CMYK's smaller gamut a few
           * more: it is held to libvips' own CMYK to sRGB. */
          if (i == 3)
            {
              g_assert_cmpfloat_with_epsilon (mean, matrix_cmyk_reference (fx->in, names[i]),
                                              2.0);
              g_assert_cmpfloat_with_epsilon (mean, rec601, 8.0);
            }
          else
            g_assert_cmpfloat_with_epsilon (mean, rec601, 3.0);
        }
    }
}

static goffset
matrix_folder_bytes (const char *dir)
{
  g_autoptr (GPtrArray) files = fixtures_list_files (dir);
  goffset total = 0;

  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, g_ptr_array_index (files, i), NULL);
      struct stat st;

      g_assert_cmpint (stat (path, &st), ==, 0);
      total += st.st_size;
    }
  return total;
}

/* -q: JPEG outputs carry libjpeg's own tables for that quality (from every
 * input kind, on both paths); the other lossy formats, whose encoders keep
 * no table, are smaller at a lower quality. */
static void
test_matrix_quality (Fixture *fx, G_GNUC_UNUSED gconstpointer data)
{
  static const char *const lossy[] = { "webp", "avif", "heic", "jxl" };

  matrix_write_folder (fx->in);
  for (guint fast = 0; fast < 2; fast++)
    {
      for (guint q = 0; q < 2; q++)
        {
          const char *quality = q ? "92" : "40";
          g_autofree char *out = g_strdup_printf ("%s/jpeg-q%s-%u", fx->root, quality, fast);
          const char *const args[] = { "--size", "64", "-f", "jpeg", "-q", quality, NULL };
          guint16 expected[DCTSIZE2];
          MatrixCase c = { { NULL }, "%s.jpg", 64, 64, VIPS_SIZE_DOWN };

          matrix_run (fx, out, args, fast);
          fixtures_expected_luma_table (atoi (quality), expected);
          for (gsize i = 0; i < G_N_ELEMENTS (matrix_inputs); i++)
            {
              g_autofree char *name = matrix_output_name ("%s.jpg", matrix_inputs[i].name);
              guint16 found[DCTSIZE2];

              matrix_check_output (&c, fx->in, out, matrix_inputs[i].name);
              fixtures_read_luma_table (out, name, found);
              g_assert_cmpmem (found, sizeof found, expected, sizeof expected);
            }
        }
      for (gsize f = 0; f < G_N_ELEMENTS (lossy); f++)
        {
          g_autofree char *low = g_strdup_printf ("%s/%s-low-%u", fx->root, lossy[f], fast);
          g_autofree char *high = g_strdup_printf ("%s/%s-high-%u", fx->root, lossy[f], fast);
          const char *const low_args[] = { "--size", "64", "-f", lossy[f], "-q", "20", NULL };
          const char *const high_args[] = { "--size", "64", "-f", lossy[f], "-q", "95", NULL };
          goffset low_bytes, high_bytes;

          matrix_run (fx, low, low_args, fast);
          matrix_run (fx, high, high_args, fast);
          low_bytes = matrix_folder_bytes (low);
          high_bytes = matrix_folder_bytes (high);
          g_test_message ("%s: -q 20 %" G_GOFFSET_FORMAT " bytes, -q 95 %" G_GOFFSET_FORMAT,
                          lossy[f], low_bytes, high_bytes);
          g_assert_cmpint (low_bytes, <, high_bytes);
        }
    }
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixtures_dirs_setup, func, fixtures_dirs_teardown)

int
main (int argc, char **argv)
{
  fixtures_init (&argc, &argv);
  ADD ("/shardpix/option-matrix/geometry-metadata-colour", test_matrix_geometry);
  ADD ("/shardpix/option-matrix/gray", test_matrix_gray);
  ADD ("/shardpix/option-matrix/quality", test_matrix_quality);
  ADD ("/shardpix/option-matrix/profiles", test_matrix_profiles);
  return g_test_run ();
}
