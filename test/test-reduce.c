/* lib/reduce.c against the libvips it stands in for: on every input it
 * takes, shardpix_reduce_resize() gives vips_resize()'s pixels exactly
 * (bicubic, the pipeline's kernel) and its header. Inputs: random bytes
 * with the extremes over-represented, in 1-4 bands and shapes from one
 * pixel to 1031, at factors from just above 1 to 16 (from 4 on, the gap
 * makes reducev and reduceh box-shrink by an integer first); libvips'
 * vector path (Orc) and its C path; and real images from Debian packages,
 * alone and inside the whole thumbnail (crop, "WxH!", turned upright).
 * What it declines (no 8-bit, an enlargement, an axis left alone) gets
 * NULL and no error. */
#include <vips/vips.h>
#include <vips/vector.h>

#include "shardpix/fastload.h"
#include "shardpix/job.h"
#include "shardpix/reduce.h"
#include "shardpix/resample.h"
#include "shardpix/shrink.h"
#include "shardpix/vips-autoptr.h"
#include "fixtures.h"

#define DEBIAN_IMAGES_MAX 40

/* Noise marked sequential, as the fast decoders mark their images. */
static VipsImage *
noise_image (GRand *rand, int width, int height, int bands)
{
  VipsImage *image = fixtures_noise_image (rand, width, height, bands);

  vips_image_set_int (image, VIPS_META_SEQUENTIAL, 1);
  return image;
}

/* Whether shardpix_reduce_resize() took @in to @width x @height; if it
 * did, its output must be vips_resize()'s to the bit. */
static gboolean
assert_same_as_vips (VipsImage *in, int width, int height, const char *what)
{
  double hscale = (double) width / in->Xsize;
  double vscale = (double) height / in->Ysize;
  g_autoptr (VipsImage) ours = shardpix_reduce_resize (in, hscale, vscale);
  g_autoptr (VipsImage) theirs = NULL;
  g_autofree char *name = NULL;

  g_assert_cmpstr (vips_error_buffer (), ==, "");
  if (ours == NULL)
    return FALSE;
  g_assert_cmpint (vips_resize (in, &theirs, hscale, "vscale", vscale, "kernel",
                                VIPS_KERNEL_CUBIC, NULL),
                   ==, 0);
  g_assert_cmpfloat (ours->Xres, ==, theirs->Xres);
  g_assert_cmpfloat (ours->Yres, ==, theirs->Yres);
  name = g_strdup_printf ("%s from %dx%d", what, in->Xsize, in->Ysize);
  fixtures_assert_same_pixels (ours, theirs, name);
  return TRUE;
}

/* Factors from just above 1 to just below the gap's 4. */
/* Past 4, reducev and reduceh box-shrink by an integer first. */
static const double reduce_factors[] = { 1.01, 1.25, 1.5, 2.0, 2.5, 3.0, 3.3, 3.7, 3.99,
                                         4.0,  4.6,  6.0, 7.3, 8.0, 11.5, 16.0 };
static const int reduce_sides[] = { 1, 2, 3, 5, 8, 17, 64, 100, 255, 256, 257, 511, 1031 };

static int
target_side (int side, double factor)
{
  return MAX (1, (int) (side / factor + 0.5));
}

static void
check_noise (gboolean vector)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (20261202);
  gboolean was = vips_vector_isenabled ();
  guint taken = 0;
  guint cases = 0;

  vips_vector_set_enabled (vector);
  for (guint w = 0; w < G_N_ELEMENTS (reduce_sides); w++)
    for (guint f = 0; f < G_N_ELEMENTS (reduce_factors); f++)
      {
        /* The height from another side and factor, so that the two axes
         * differ in size, mask width and phase. */
        int width = reduce_sides[w];
        int height = reduce_sides[(w * 5 + f) % G_N_ELEMENTS (reduce_sides)];
        double vfactor = reduce_factors[(f + 4) % G_N_ELEMENTS (reduce_factors)];
        int bands = 1 + (int) ((w + f) % 4);
        g_autoptr (VipsImage) in = NULL;

        if ((gint64) width * height > 300000)
          height = 200;
        in = noise_image (rand, width, height, bands);
        cases++;
        taken += assert_same_as_vips (in, target_side (width, reduce_factors[f]),
                                      target_side (height, vfactor), "noise");
      }
  vips_vector_set_enabled (was);
  g_test_message ("%s: %u of %u shapes reduced here, all as vips_resize",
                  vector ? "vector path" : "C path", taken, cases);
  /* One-pixel sides and factors that round to no shrink are libvips'. */
  g_assert_cmpuint (taken, >=, cases / 2);
}

static void
test_noise_vector (void)
{
  check_noise (TRUE);
}

static void
test_noise_c_path (void)
{
  check_noise (FALSE);
}

/* A Debian image as the pipeline hands it to the resize: 8-bit grey (or
 * sRGB), no alpha, in memory, sequential. */
static VipsImage *
debian_image (const char *path, gboolean grey)
{
  g_autoptr (VipsImage) loaded = vips_image_new_from_file (path, NULL);
  g_autoptr (VipsImage) flat = NULL;
  g_autoptr (VipsImage) space = NULL;
  g_autoptr (VipsImage) eight = NULL;
  VipsImage *memory;

  if (loaded == NULL)
    {
      vips_error_clear ();
      return NULL;
    }
  if (vips_image_hasalpha (loaded) ? vips_flatten (loaded, &flat, NULL) != 0
                                   : vips_copy (loaded, &flat, NULL) != 0)
    g_error ("%s: %s", path, vips_error_buffer ());
  if (vips_colourspace (flat, &space, grey ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_sRGB,
                        NULL)
          != 0
      || vips_cast_uchar (space, &eight, NULL) != 0)
    g_error ("%s: %s", path, vips_error_buffer ());
  memory = vips_image_copy_memory (eight);
  g_assert_nonnull (memory);
  vips_image_set_int (memory, VIPS_META_SEQUENTIAL, 1);
  return memory;
}

static void
test_debian_images (void)
{
  static const char *const suffixes[] = { ".png", ".jpg", NULL };
  static const int boxes[] = { 256, 100, 48 };
  g_autoptr (GPtrArray) paths = fixtures_debian_images (suffixes, DEBIAN_IMAGES_MAX);
  guint taken = 0;

  for (guint i = 0; i < paths->len; i++)
    for (int grey = 0; grey <= 1; grey++)
      {
        g_autoptr (VipsImage) in = debian_image (paths->pdata[i], grey);

        if (in == NULL)
          continue;
        for (guint b = 0; b < G_N_ELEMENTS (boxes); b++)
          {
            /* The pipeline's factors: what is left after a box shrink to
             * at least twice the box (shrink.h), so below 4. */
            int box = boxes[b];
            int side = MAX (in->Xsize, in->Ysize);
            int pre = MAX (1, side / box / 2);
            double factor = (double) side / pre / box;
            int width = target_side (in->Xsize, factor);
            int height = target_side (in->Ysize, factor);

            taken += assert_same_as_vips (in, width, height, paths->pdata[i]);
          }
      }
  g_test_message ("%u Debian images, %u reduces taken here, all as vips_resize", paths->len,
                  taken);
  if (taken < 20)
    g_test_skip ("fewer than 20 reduces of Debian images were taken here");
}

/* The whole thumbnail (resample.h) of a fast decoder's image, with the
 * crop and the turn upright that follow the resize: the same bytes
 * whether the resize was computed here or by vips_resize(). The fast
 * decoders' image is a box shrink of the picture; @pre_shrink stands in
 * for that, and the full size is what the thumbnail is sized from.
 * Whether the reduce here took it is asked of reduce.c directly. */
static gboolean
assert_thumbnail_same_as_vips (VipsImage *full, int pre_shrink, const ShardpixJob *job,
                               int orientation, const char *what)
{
  g_autoptr (VipsImage) shrunk = NULL;
  g_autoptr (VipsImage) fast = NULL;
  g_autoptr (VipsImage) plain = NULL;
  g_autoptr (VipsImage) ours = NULL;
  g_autoptr (VipsImage) theirs = NULL;
  g_autoptr (VipsImage) probe = NULL;
  g_autofree char *name = NULL;
  ShardpixShrinkBox box = shardpix_shrink_box (job, orientation);
  int width, height;

  g_assert_cmpint (vips_shrink (full, &shrunk, pre_shrink, pre_shrink, NULL), ==, 0);
  plain = vips_image_copy_memory (shrunk);
  g_assert_nonnull (plain);
  vips_image_set_int (plain, VIPS_META_ORIENTATION, orientation);
  g_assert_cmpint (vips_copy (plain, &fast, NULL), ==, 0);
  vips_image_set_int (fast, SHARDPIX_FASTLOAD_WIDTH, full->Xsize);
  g_assert_true (shardpix_resample_thumbnail (fast, full->Xsize, full->Ysize, job, &ours));
  g_assert_true (shardpix_resample_thumbnail (plain, full->Xsize, full->Ysize, job, &theirs));
  name = g_strdup_printf ("%s, thumbnail of %dx%d by %d, crop %d, orientation %d", what,
                          full->Xsize, full->Ysize, pre_shrink, job->crop, orientation);
  fixtures_assert_same_pixels (ours, theirs, name);
  shardpix_shrink_resize_size (&box, full->Xsize, full->Ysize, &width, &height);
  probe = shardpix_reduce_resize (plain, (double) width / plain->Xsize,
                                  (double) height / plain->Ysize);
  return probe != NULL;
}

static void
test_thumbnail_modes (void)
{
  static const char *const suffixes[] = { ".png", ".jpg", NULL };
  g_autoptr (GPtrArray) paths = fixtures_debian_images (suffixes, DEBIAN_IMAGES_MAX / 2);
  guint cases = 0;
  guint taken = 0;

  for (guint i = 0; i < paths->len; i++)
    for (int grey = 0; grey <= 1; grey++)
      {
        g_autoptr (VipsImage) in = debian_image (paths->pdata[i], grey);
        int side;

        if (in == NULL)
          continue;
        side = MAX (in->Xsize, in->Ysize);
        for (int mode = 0; mode < 4; mode++)
          {
            ShardpixJob job;

            shardpix_job_init (&job);
            job.width = mode == 3 ? 90 : 100;
            job.height = mode == 3 ? 40 : 100;
            job.crop = mode == 1 || mode == 2 ? SHARDPIX_CROP_CENTRE : SHARDPIX_CROP_NONE;
            job.force = mode == 3;
            /* The pipeline leaves at least twice the box to the resize. */
            taken += assert_thumbnail_same_as_vips (in, MAX (1, side / 100 / 2), &job,
                                                    mode == 2 ? 6 : 1, paths->pdata[i]);
            cases++;
            shardpix_job_clear (&job);
          }
      }
  g_test_message ("%u thumbnails, %u resized here, all as with vips_resize()", cases, taken);
  if (taken < 20)
    g_test_skip ("fewer than 20 thumbnails of Debian images were resized here");
}

static void
test_declines (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  g_autoptr (VipsImage) grey = noise_image (rand, 400, 300, 1);
  g_autoptr (VipsImage) wide = NULL;

  /* An enlargement, or an axis left alone: vips_affine's, or nothing. */
  g_assert_null (shardpix_reduce_resize (grey, 1.5, 0.5));
  g_assert_null (shardpix_reduce_resize (grey, 0.5, 1.0));
  /* 16 bits. */
  g_assert_cmpint (vips_cast_ushort (grey, &wide, NULL), ==, 0);
  g_assert_null (shardpix_reduce_resize (wide, 0.5, 0.5));
  g_assert_cmpstr (vips_error_buffer (), ==, "");
  /* And the same image at factors it takes: 2, and 4, where reducev and
   * reduceh box-shrink by 2 first. */
  g_assert_true (assert_same_as_vips (grey, 200, 150, "declines"));
  g_assert_true (assert_same_as_vips (grey, 100, 75, "declines"));

  /* Boxes of up to 256 pixels are summed here (16 bits), wider ones are
   * libvips': 1200 to 3 boxes 200 wide, 1200 to 2 would box 300. */
  g_autoptr (VipsImage) long_line = noise_image (rand, 1200, 600, 2);
  g_assert_true (assert_same_as_vips (long_line, 3, 2, "declines"));
  g_assert_null (shardpix_reduce_resize (long_line, 2.0 / 1200, 0.5));
  g_assert_cmpstr (vips_error_buffer (), ==, "");
}

int
main (int argc, char **argv)
{
  fixtures_init (&argc, &argv);
  g_test_add_func ("/shardpix/reduce/noise-vector-path", test_noise_vector);
  g_test_add_func ("/shardpix/reduce/noise-c-path", test_noise_c_path);
  g_test_add_func ("/shardpix/reduce/debian-images", test_debian_images);
  g_test_add_func ("/shardpix/reduce/thumbnail-modes", test_thumbnail_modes);
  g_test_add_func ("/shardpix/reduce/declines", test_declines);
  return g_test_run ();
}
