/* `shardpix sample` through the real binary: every file it writes is read
 * back, by libvips and, for JPEG, by libjpeg, and has what sample.h says:
 * names in index order, mostly JPEG (baseline and progressive), some PNG (a
 * few with alpha) and WebP, areas between the bounds asked for, photo-like
 * texture, and the same bytes for the same seed. */
#include <math.h>
#include <stdio.h>

#include <jpeglib.h>

#include "fixtures.h"
#include "shardpix/vips-autoptr.h"

#define SAMPLE_COUNT 40
#define SAMPLE_MIN_MP 0.02
#define SAMPLE_MAX_MP 0.08

typedef struct {
  guint baseline;
  guint progressive;
  guint png;
  guint png_alpha;
  guint webp;
} SampleKinds;

static void
sample_run (const char *dir, const char *seed)
{
  g_autofree char *count = g_strdup_printf ("%d", SAMPLE_COUNT);
  g_autofree char *min = g_strdup_printf ("%g", SAMPLE_MIN_MP);
  g_autofree char *max = g_strdup_printf ("%g", SAMPLE_MAX_MP);
  const char *args[] = { "sample", "-n", count, "--min-megapixels", min, "--max-megapixels",
                         max, "--seed", seed, dir, NULL };

  g_assert_cmpint (fixtures_run_logged (args, NULL, NULL), ==, 0);
}

/* Whether libjpeg itself, not libvips, reads @path as a progressive JPEG
 * of @width x @height. */
static gboolean
sample_jpeg_progressive (const char *path, int width, int height)
{
  struct jpeg_decompress_struct cinfo;
  struct jpeg_error_mgr err;
  FILE *file = fopen (path, "rb");
  gboolean progressive;

  g_assert_nonnull (file);
  cinfo.err = jpeg_std_error (&err);
  jpeg_create_decompress (&cinfo);
  jpeg_stdio_src (&cinfo, file);
  g_assert_cmpint (jpeg_read_header (&cinfo, TRUE), ==, JPEG_HEADER_OK);
  g_assert_cmpint (cinfo.image_width, ==, width);
  g_assert_cmpint (cinfo.image_height, ==, height);
  g_assert_cmpint (cinfo.num_components, ==, 3);
  progressive = jpeg_has_multiple_scans (&cinfo);
  jpeg_destroy_decompress (&cinfo);
  fclose (file);
  return progressive;
}

/* One file: decoded whole by libvips, of the format its name says, sized
 * within the bounds, textured. */
static void
sample_check_file (const char *dir, const char *name, SampleKinds *kinds)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (VipsImage) image = vips_image_new_from_file (path, "access",
                                                          VIPS_ACCESS_SEQUENTIAL, NULL);
  const char *loader;
  double area;
  double ratio;
  double deviation;

  g_assert_nonnull (image);
  loader = vips_foreign_find_load (path);
  g_assert_nonnull (loader);
  area = (double) image->Xsize * image->Ysize / 1e6;
  /* lround() of each side moves the area by a side's length at most. */
  g_assert_cmpfloat (area, >=, SAMPLE_MIN_MP * 0.98);
  g_assert_cmpfloat (area, <=, SAMPLE_MAX_MP * 1.02);
  ratio = (double) MAX (image->Xsize, image->Ysize) / MIN (image->Xsize, image->Ysize);
  g_assert_true (fabs (ratio - 1.0) < 0.02 || fabs (ratio - 4.0 / 3) < 0.02
                 || fabs (ratio - 1.5) < 0.02 || fabs (ratio - 16.0 / 9) < 0.02);
  /* Decoding every pixel is what proves the file whole; the grain and the
   * shapes leave no flat picture. */
  g_assert_cmpint (vips_deviate (image, &deviation, NULL), ==, 0);
  g_assert_cmpfloat (deviation, >, 5.0);
  g_assert_cmpint (image->BandFmt, ==, VIPS_FORMAT_UCHAR);

  if (g_str_has_suffix (name, ".jpg"))
    {
      g_assert_cmpstr (loader, ==, "VipsForeignLoadJpegFile");
      g_assert_cmpint (image->Bands, ==, 3);
      if (sample_jpeg_progressive (path, image->Xsize, image->Ysize))
        kinds->progressive++;
      else
        kinds->baseline++;
    }
  else if (g_str_has_suffix (name, ".png"))
    {
      g_assert_cmpstr (loader, ==, "VipsForeignLoadPngFile");
      g_assert_true (image->Bands == 3 || image->Bands == 4);
      if (image->Bands == 4)
        kinds->png_alpha++;
      else
        kinds->png++;
    }
  else
    {
      g_assert_true (g_str_has_suffix (name, ".webp"));
      g_assert_cmpstr (loader, ==, "VipsForeignLoadWebpFile");
      g_assert_cmpint (image->Bands, ==, 3);
      kinds->webp++;
    }
}

static void
test_output (FixturesDirs *fx, gconstpointer data)
{
  SampleKinds kinds = { 0 };
  g_autoptr (GDir) listing = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *entry;

  sample_run (fx->in, "7");
  listing = g_dir_open (fx->in, 0, NULL);
  g_assert_nonnull (listing);
  while ((entry = g_dir_read_name (listing)) != NULL)
    g_ptr_array_add (names, g_strdup (entry));
  /* No temporary file left beside them. */
  g_assert_cmpuint (names->len, ==, SAMPLE_COUNT);
  for (guint i = 0; i < SAMPLE_COUNT; i++)
    {
      g_autofree char *stem = g_strdup_printf ("sample-%05u.", i);
      const char *name = NULL;

      for (guint j = 0; j < names->len && name == NULL; j++)
        if (g_str_has_prefix (g_ptr_array_index (names, j), stem))
          name = g_ptr_array_index (names, j);
      g_assert_nonnull (name);
      sample_check_file (fx->in, name, &kinds);
    }
  /* The mix sample.h promises, per cycle of 20: 11 baseline JPEG, 4
   * progressive, 2 PNG and 1 PNG with alpha, 2 WebP. */
  g_assert_cmpuint (kinds.baseline, ==, 22);
  g_assert_cmpuint (kinds.progressive, ==, 8);
  g_assert_cmpuint (kinds.png, ==, 4);
  g_assert_cmpuint (kinds.png_alpha, ==, 2);
  g_assert_cmpuint (kinds.webp, ==, 4);
}

/* Same seed, same bytes (whichever writer thread made which file); another
 * seed, other pictures. */
static void
test_deterministic (FixturesDirs *fx, gconstpointer data)
{
  g_autofree char *again = g_build_filename (fx->out, "again", NULL);
  g_autofree char *other = g_build_filename (fx->out, "other", NULL);
  g_autofree char *why = NULL;

  sample_run (fx->in, "3");
  sample_run (again, "3");
  sample_run (other, "4");
  g_assert_true (fixtures_same_tree (fx->in, again, &why));
  g_assert_false (fixtures_same_tree (fx->in, other, NULL));
}

int
main (int argc, char **argv)
{
  fixtures_init (&argc, &argv);
  g_test_add ("/shardpix/sample/output", FixturesDirs, NULL, fixtures_dirs_setup, test_output,
              fixtures_dirs_teardown);
  g_test_add ("/shardpix/sample/deterministic", FixturesDirs, NULL, fixtures_dirs_setup,
              test_deterministic, fixtures_dirs_teardown);
  return g_test_run ();
}
