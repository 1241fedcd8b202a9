/* lib/flatten.c against vips_flatten() on black: the same bytes and header
 * for grey+alpha and RGBA of random bytes (alpha 0 and 255 over-represented)
 * in many shapes, and for the alpha PNGs of Debian packages; and NULL, no
 * error set, for what it leaves to libvips (no alpha, 16 bits, CMYK). */
#include <vips/vips.h>

#include "shardpix/flatten.h"
#include "shardpix/vips-autoptr.h"
#include "fixtures.h"

#define DEBIAN_PNGS_MAX 200

static void
assert_same_as_vips (VipsImage *in, const char *what)
{
  g_autoptr (VipsImage) ours = shardpix_flatten_black (in);
  g_autoptr (VipsImage) theirs = NULL;

  g_assert_nonnull (ours);
  g_assert_cmpint (vips_flatten (in, &theirs, NULL), ==, 0);
  fixtures_assert_same_pixels (ours, theirs, what);
}

static void
test_noise (void)
{
  static const int sides[] = { 1, 2, 7, 64, 255, 1031 };
  g_autoptr (GRand) rand = g_rand_new_with_seed (1202);

  for (int bands = 2; bands <= 4; bands += 2)
    for (guint w = 0; w < G_N_ELEMENTS (sides); w++)
      for (guint h = 0; h < G_N_ELEMENTS (sides); h++)
        {
          g_autoptr (VipsImage) in
              = fixtures_noise_image (rand, sides[w], MIN (sides[h], 300), bands);

          assert_same_as_vips (in, "noise");
        }
}

/* Every grey value under every alpha: each product flatten.c divides. */
static void
test_every_pair (void)
{
  g_autofree guint8 *pixels = g_malloc (256 * 256 * 2);
  g_autoptr (VipsImage) in = NULL;

  for (int a = 0; a < 256; a++)
    for (int v = 0; v < 256; v++)
      {
        pixels[(a * 256 + v) * 2] = (guint8) v;
        pixels[(a * 256 + v) * 2 + 1] = (guint8) a;
      }
  in = vips_image_new_from_memory (pixels, 256 * 256 * 2, 256, 256, 2, VIPS_FORMAT_UCHAR);
  g_assert_nonnull (in);
  in->Type = VIPS_INTERPRETATION_B_W;
  assert_same_as_vips (in, "every pair");
}

static void
test_debian_pngs (void)
{
  static const char *const suffixes[] = { ".png", NULL };
  g_autoptr (GPtrArray) paths = fixtures_debian_images (suffixes, DEBIAN_PNGS_MAX);
  guint alpha = 0;

  for (guint i = 0; i < paths->len; i++)
    {
      g_autoptr (VipsImage) loaded = vips_image_new_from_file (paths->pdata[i], NULL);
      g_autoptr (VipsImage) memory = NULL;

      vips_error_clear ();
      if (loaded == NULL || !vips_image_hasalpha (loaded) || loaded->BandFmt != VIPS_FORMAT_UCHAR)
        continue;
      alpha++;
      memory = vips_image_copy_memory (loaded);
      g_assert_nonnull (memory);
      assert_same_as_vips (memory, paths->pdata[i]);
    }
  g_test_message ("%u PNGs of Debian packages, %u of them 8-bit with alpha, all as vips_flatten",
                  paths->len, alpha);
  if (alpha < 10)
    g_test_skip ("fewer than 10 alpha PNGs from Debian packages here");
}

static void
test_declines (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (3);
  g_autoptr (VipsImage) grey = fixtures_noise_image (rand, 40, 30, 1);
  g_autoptr (VipsImage) rgb = fixtures_noise_image (rand, 40, 30, 3);
  g_autoptr (VipsImage) cmyk = fixtures_noise_image (rand, 40, 30, 4);
  g_autoptr (VipsImage) alpha = fixtures_noise_image (rand, 40, 30, 2);
  g_autoptr (VipsImage) wide = NULL;

  cmyk->Type = VIPS_INTERPRETATION_CMYK;
  g_assert_null (shardpix_flatten_black (grey));
  g_assert_null (shardpix_flatten_black (rgb));
  g_assert_null (shardpix_flatten_black (cmyk));
  g_assert_cmpint (vips_cast_ushort (alpha, &wide, NULL), ==, 0);
  g_assert_null (shardpix_flatten_black (wide));
  g_assert_cmpstr (vips_error_buffer (), ==, "");
}

int
main (int argc, char **argv)
{
  fixtures_init (&argc, &argv);
  g_test_add_func ("/shardpix/flatten/noise", test_noise);
  g_test_add_func ("/shardpix/flatten/every-pair", test_every_pair);
  g_test_add_func ("/shardpix/flatten/debian-pngs", test_debian_pngs);
  g_test_add_func ("/shardpix/flatten/declines", test_declines);
  return g_test_run ();
}
