/* Which embedded profiles send an image through a conversion to sRGB:
 * checked on real profiles, libvips' built-in ones and libjxl's. */
#include <string.h>

#include "shardpix/vips-autoptr.h"

#include "fixtures.h"
#include "shardpix/icc.h"
#include "shardpix/icc-cache.h"

#include <lcms2.h>

/* The profile libvips attaches when it converts a plain sRGB image to
 * @profile (a built-in name), as a new GBytes. */
static GBytes *
icc_builtin (const char *profile)
{
  g_autoptr (VipsImage) black = NULL;
  g_autoptr (VipsImage) srgb = NULL;
  g_autoptr (VipsImage) out = NULL;
  const void *data;
  size_t len;

  if (vips_black (&black, 4, 4, "bands", 3, NULL)
      || vips_copy (black, &srgb, "interpretation", VIPS_INTERPRETATION_sRGB, NULL)
      || vips_icc_transform (srgb, &out, profile, "input_profile", "srgb", NULL)
      || vips_image_get_blob (out, VIPS_META_ICC_NAME, &data, &len))
    g_error ("%s: %s", profile, vips_error_buffer ());
  return g_bytes_new (data, len);
}

static ShardpixIccKind
icc_kind_of (GBytes *bytes)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  return shardpix_icc_kind (data, len);
}

static void
test_icc_builtin (void)
{
  g_autoptr (GBytes) srgb = icc_builtin ("srgb");
  g_autoptr (GBytes) p3 = icc_builtin ("p3");
  g_autoptr (GBytes) cmyk = icc_builtin ("cmyk");

  g_assert_cmpint (icc_kind_of (srgb), ==, SHARDPIX_ICC_SRGB);
  g_assert_cmpint (icc_kind_of (p3), ==, SHARDPIX_ICC_OTHER_RGB);
  g_assert_cmpint (icc_kind_of (cmyk), ==, SHARDPIX_ICC_CMYK);
  g_assert_true (shardpix_icc_fast_ok (NULL, 0));
  g_assert_true (shardpix_icc_fast_ok (g_bytes_get_data (srgb, NULL), g_bytes_get_size (srgb)));
  g_assert_false (shardpix_icc_fast_ok (g_bytes_get_data (p3, NULL), g_bytes_get_size (p3)));
  g_assert_false (shardpix_icc_fast_ok (g_bytes_get_data (cmyk, NULL), g_bytes_get_size (cmyk)));
}

/* Cut anywhere, a profile is never read past its end (ASan checks the
 * copies); without its tag table it is nothing we can name. A cut after
 * the colourant and curve tags may still be read as sRGB, rightly. */
static void
test_icc_truncated (void)
{
  g_autoptr (GBytes) srgb = icc_builtin ("srgb");
  gsize len;
  const guint8 *data = g_bytes_get_data (srgb, &len);

  for (gsize keep = 0; keep < len; keep += 7)
    {
      g_autofree guint8 *cut = g_memdup2 (data, keep);

      ShardpixIccKind kind = shardpix_icc_kind (cut, keep);

      if (keep < 132)
        g_assert_cmpint (kind, ==, SHARDPIX_ICC_OTHER);
    }
}

/* sRGB's colourants with a gamma of 1.0 (linear light): not sRGB. */
static void
test_icc_linear_curve (void)
{
  g_autoptr (GBytes) srgb = icc_builtin ("srgb");
  gsize len = g_bytes_get_size (srgb);
  g_autofree guint8 *data = g_memdup2 (g_bytes_get_data (srgb, NULL), len);
  guint32 count;
  guint n = 0;

  memcpy (&count, data + 128, 4);
  count = GUINT32_FROM_BE (count);
  for (guint32 i = 0; i < count; i++)
    {
      guint8 *entry = data + 132 + i * 12;
      guint32 offset;

      if (memcmp (entry, "rTRC", 4) != 0 && memcmp (entry, "gTRC", 4) != 0
          && memcmp (entry, "bTRC", 4) != 0)
        continue;
      memcpy (&offset, entry + 4, 4);
      offset = GUINT32_FROM_BE (offset);
      /* A 'curv' of one entry, gamma 1.0 (u8Fixed8 0x0100). */
      memcpy (data + offset, "curv\0\0\0\0\0\0\0\1\1\0", 14);
      n++;
    }
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpint (shardpix_icc_kind (data, len), ==, SHARDPIX_ICC_OTHER_RGB);
}

/* libjxl codes a colour space, which libvips hands over as a profile it
 * synthesises: an sRGB JPEG XL must not leave the cheap path. */
static void
test_icc_jxl_srgb (void)
{
  g_autofree char *dir = fixtures_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "x.jxl", NULL);
  g_autoptr (VipsImage) image = NULL;
  const void *data;
  size_t len;

  fixtures_write_image (path, "jxl", 32, 32);
  image = vips_image_new_from_file (path, NULL);
  g_assert_nonnull (image);
  g_assert_cmpint (vips_image_get_blob (image, VIPS_META_ICC_NAME, &data, &len), ==, 0);
  g_assert_cmpint (shardpix_icc_kind (data, len), ==, SHARDPIX_ICC_SRGB);
  fixtures_rmtree (dir);
}

/* An Adobe RGB (1998)-like profile built by lcms2: its primaries, D65,
 * gamma 2.2 (563/256). */
static GBytes *
icc_adobe_like (void)
{
  cmsCIExyY white = { 0.3127, 0.3290, 1.0 };
  cmsCIExyYTRIPLE primaries = { { 0.64, 0.33, 1.0 }, { 0.21, 0.71, 1.0 }, { 0.15, 0.06, 1.0 } };
  cmsToneCurve *gamma = cmsBuildGamma (NULL, 563.0 / 256.0);
  cmsToneCurve *curves[3] = { gamma, gamma, gamma };
  cmsHPROFILE profile = cmsCreateRGBProfile (&white, &primaries, curves);
  cmsUInt32Number len = 0;
  guint8 *data;

  g_assert_nonnull (profile);
  g_assert_true (cmsSaveProfileToMem (profile, NULL, &len));
  data = g_malloc (len);
  g_assert_true (cmsSaveProfileToMem (profile, data, &len));
  cmsCloseProfile (profile);
  cmsFreeToneCurve (gamma);
  return g_bytes_new_take (data, len);
}

/* The largest difference, in levels, between two images of one size, and
 * the mean one in @mean when not NULL. */
static double
icc_diff (VipsImage *a, VipsImage *b, double *mean)
{
  g_autoptr (VipsImage) diff = NULL;
  g_autoptr (VipsImage) magnitude = NULL;
  double max = 0;

  g_assert_cmpint (a->Xsize, ==, b->Xsize);
  g_assert_cmpint (a->Ysize, ==, b->Ysize);
  g_assert_cmpint (a->Bands, ==, b->Bands);
  if (vips_subtract (a, b, &diff, NULL) || vips_abs (diff, &magnitude, NULL)
      || vips_max (magnitude, &max, NULL) || (mean != NULL && vips_avg (magnitude, mean, NULL)))
    g_error ("diff: %s", vips_error_buffer ());
  return max;
}

/* The cached lcms2 transform gives libvips' icc_transform picture to a
 * level, with and without alpha, builds one transform per profile, and
 * attaches an sRGB profile (shardpix_icc_kind says so). */
static void
test_icc_cache_matches_libvips (void)
{
  g_autofree char *dir = fixtures_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "t.png", NULL);
  g_autoptr (VipsImage) texture = NULL;
  g_autoptr (VipsImage) opaque = NULL;
  g_autoptr (GPtrArray) profiles = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  const char *colord = "/usr/share/color/icc/colord/AdobeRGB1998.icc";
  char *colord_data = NULL;
  gsize colord_len = 0;

  fixtures_write_image (path, "png-alpha", 240, 160);
  texture = vips_image_new_from_file (path, "access", VIPS_ACCESS_RANDOM, NULL);
  g_assert_nonnull (texture);
  g_assert_cmpint (vips_extract_band (texture, &opaque, 0, "n", 3, NULL), ==, 0);
  g_ptr_array_add (profiles, icc_builtin ("p3"));
  g_ptr_array_add (profiles, icc_adobe_like ());
  /* A real camera profile where the machine has one (colord-data). */
  if (g_file_get_contents (colord, &colord_data, &colord_len, NULL))
    g_ptr_array_add (profiles, g_bytes_new_take (colord_data, colord_len));
  for (guint i = 0; i < profiles->len; i++)
    for (guint alpha = 0; alpha < 2; alpha++)
      {
        GBytes *bytes = g_ptr_array_index (profiles, i);
        g_autoptr (VipsImage) tagged = NULL;
        g_autoptr (VipsImage) cached = NULL;
        g_autoptr (VipsImage) again = NULL;
        g_autoptr (VipsImage) libvips = NULL;
        guint before = shardpix_icc_cache_transforms_built ();
        const void *data;
        size_t len;
        double max, mean = 0;

        g_assert_cmpint (vips_copy (alpha ? texture : opaque, &tagged, NULL), ==, 0);
        vips_image_set_blob_copy (tagged, VIPS_META_ICC_NAME, g_bytes_get_data (bytes, NULL),
                                  g_bytes_get_size (bytes));
        g_assert_cmpint (shardpix_icc_kind (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes)),
                         ==, SHARDPIX_ICC_OTHER_RGB);
        g_assert_true (shardpix_icc_to_srgb (tagged, &cached, NULL));
        g_assert_cmpuint (shardpix_icc_cache_transforms_built (), ==, before + 1);
        g_assert_true (shardpix_icc_to_srgb (tagged, &again, NULL));
        g_assert_cmpuint (shardpix_icc_cache_transforms_built (), ==, before + 1);
        g_assert_cmpint (vips_icc_transform (tagged, &libvips, "srgb", "embedded", TRUE, NULL),
                         ==, 0);
        max = icc_diff (cached, libvips, &mean);
        g_test_message ("profile %u, %s: cached against libvips: mean %.3f, max %.0f levels", i,
                        alpha ? "alpha" : "opaque", mean, max);
        /* lcms2's parametric sRGB curve against libvips' tabulated one. */
        g_assert_cmpfloat (max, <=, 2);
        g_assert_cmpfloat (mean, <=, 0.1);
        g_assert_cmpfloat (icc_diff (cached, again, NULL), ==, 0);
        /* The colours did change: these are not sRGB's primaries. */
        g_assert_cmpfloat (icc_diff (cached, tagged, NULL), >=, 8);
        g_assert_cmpint (cached->Type, ==, VIPS_INTERPRETATION_sRGB);
        g_assert_cmpint (vips_image_get_blob (cached, VIPS_META_ICC_NAME, &data, &len), ==, 0);
        g_assert_cmpint (shardpix_icc_kind (data, len), ==, SHARDPIX_ICC_SRGB);
      }
  fixtures_rmtree (dir);
}

int
main (int argc, char **argv)
{
  fixtures_init (&argc, &argv);
  g_test_add_func ("/shardpix/icc/builtin", test_icc_builtin);
  g_test_add_func ("/shardpix/icc/truncated", test_icc_truncated);
  g_test_add_func ("/shardpix/icc/linear-curve", test_icc_linear_curve);
  g_test_add_func ("/shardpix/icc/jxl-srgb", test_icc_jxl_srgb);
  g_test_add_func ("/shardpix/icc/cache-matches-libvips", test_icc_cache_matches_libvips);
  return g_test_run ();
}
