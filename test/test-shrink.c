/* shrink.h against real libvips: the size shardpix_shrink_output_size()
 * predicts is the size vips_thumbnail_image() gives, on lazy black images
 * of many shapes (odd sizes, one pixel wide or high, turned by EXIF), in
 * every fit; and through vips_thumbnail_buffer() on real JPEG, WebP and PNG
 * files, whose loaders shrink on load by the factors shrink.h says. The
 * pipeline's own libvips path (load-shrunk.h, then resample.h) loads those
 * files at that shrink and ends at vips_thumbnail's size. */
#include <glib.h>
#include <glib/gstdio.h>

#include "shardpix/load-shrunk.h"
#include "shardpix/resample.h"
#include "shardpix/shrink.h"
#include "shardpix/vips-autoptr.h"

static const int shrink_sides[] = { 1, 2, 3, 7, 8, 9, 17, 64, 101, 257, 641, 4001 };

static const struct {
  int width;
  int height;
} shrink_boxes[] = { { 1, 1 }, { 7, 5 }, { 16, 16 }, { 100, 33 }, { 128, 256 } };

static const ShardpixShrinkSize shrink_sizes[] = {
  SHARDPIX_SHRINK_DOWN, SHARDPIX_SHRINK_BOTH, SHARDPIX_SHRINK_FORCE,
};

static VipsSize
shrink_vips_size (ShardpixShrinkSize size)
{
  return size == SHARDPIX_SHRINK_FORCE  ? VIPS_SIZE_FORCE
         : size == SHARDPIX_SHRINK_BOTH ? VIPS_SIZE_BOTH
                                        : VIPS_SIZE_DOWN;
}

/* Runs @check on every box, fit and crop for a @width x @height image. */
typedef void (*ShrinkCheck) (const ShardpixShrinkBox *box, int width, int height,
                             int orientation, guint *cases);

static void
shrink_each_box (int width, int height, int orientation, ShrinkCheck check, guint *cases)
{
  for (guint b = 0; b < G_N_ELEMENTS (shrink_boxes); b++)
    for (guint s = 0; s < G_N_ELEMENTS (shrink_sizes); s++)
      for (int crop = 0; crop <= 1; crop++)
        {
          ShardpixShrinkBox box = {
            .width = shrink_boxes[b].width,
            .height = shrink_boxes[b].height,
            .crop = crop,
            .size = shrink_sizes[s],
            .swap = orientation >= 5,
          };

          check (&box, width, height, orientation, cases);
        }
}

static void
shrink_check_image (const ShardpixShrinkBox *box, int width, int height, int orientation,
                    guint *cases)
{
  g_autoptr (VipsImage) black = NULL;
  g_autoptr (VipsImage) thumb = NULL;
  int want_width;
  int want_height;

  g_assert_cmpint (vips_black (&black, width, height, NULL), ==, 0);
  if (orientation != 1)
    vips_image_set_int (black, VIPS_META_ORIENTATION, orientation);
  g_assert_cmpint (vips_thumbnail_image (black, &thumb, box->width, "height", box->height,
                                         "size", shrink_vips_size (box->size), "crop",
                                         box->crop ? VIPS_INTERESTING_CENTRE
                                                   : VIPS_INTERESTING_NONE,
                                         NULL),
                   ==, 0);
  shardpix_shrink_output_size (box, width, height, &want_width, &want_height);
  if (thumb->Xsize != want_width || thumb->Ysize != want_height)
    g_error ("%dx%d (orientation %d) in %dx%d size %d crop %d: libvips %dx%d, shrink.h %dx%d",
             width, height, orientation, box->width, box->height, box->size, box->crop,
             thumb->Xsize, thumb->Ysize, want_width, want_height);
  (*cases)++;
}

static void
test_thumbnail_image (void)
{
  guint cases = 0;

  for (guint w = 0; w < G_N_ELEMENTS (shrink_sides); w++)
    for (guint h = 0; h < G_N_ELEMENTS (shrink_sides); h++)
      {
        /* A cropped or turned thumbnail is computed, so keep the area small
         * (one very long side still comes, 1 x 4001 up to 17 x 4001). */
        if (shrink_sides[w] * shrink_sides[h] > 70000)
          continue;
        shrink_each_box (shrink_sides[w], shrink_sides[h], 1, shrink_check_image, &cases);
        /* Turned by EXIF: the box applies to the upright image. */
        if ((w + h) % 3 == 0)
          shrink_each_box (shrink_sides[w], shrink_sides[h], 6, shrink_check_image, &cases);
      }
  g_test_message ("%u cases", cases);
  g_assert_cmpuint (cases, >, 3000);
}

/* What libvips' loader hands to the resize for a file of @format: JPEG
 * shrunk on load by 1/2/4/8, rounded down; WebP scaled by the common shrink
 * (never enlarged), rounded; PNG whole. */
static void
shrink_loaded_size (const char *format, const ShardpixShrinkBox *box, int width, int height,
                    int *loaded_width, int *loaded_height)
{
  double common = shardpix_shrink_common (box, width, height);

  *loaded_width = width;
  *loaded_height = height;
  if (g_str_equal (format, ".jpg"))
    {
      int denominator = shardpix_shrink_jpeg_denominator (common);

      *loaded_width = width / denominator;
      *loaded_height = height / denominator;
    }
  else if (g_str_equal (format, ".webp"))
    {
      double scale = 1.0 / MAX (1.0, common);

      *loaded_width = (int) rint (width * scale);
      *loaded_height = (int) rint (height * scale);
    }
}

static const char *shrink_format;

/* The file of the size being checked, encoded once for all its boxes. */
static struct {
  int width;
  int height;
  void *buf;
  size_t len;
  char *path; /* the same bytes in a file, for load-shrunk.h */
} shrink_file;

/* The job that asks for @box. */
static ShardpixJob
shrink_job_for (const ShardpixShrinkBox *box)
{
  ShardpixJob job = {
    .width = box->width,
    .height = box->height,
    .force = box->size == SHARDPIX_SHRINK_FORCE,
    .enlarge = box->size == SHARDPIX_SHRINK_BOTH,
    .crop = box->crop ? SHARDPIX_CROP_CENTRE : SHARDPIX_CROP_NONE,
  };

  return job;
}

/* The pipeline's libvips path on the file: loaded at @loaded_width x
 * @loaded_height, then resized to @thumb's size. */
static void
shrink_check_pipeline_path (const ShardpixShrinkBox *box, int loaded_width, int loaded_height,
                            const VipsImage *thumb)
{
  ShardpixJob job = shrink_job_for (box);
  g_autoptr (VipsImage) loaded = shardpix_load_shrunk (shrink_file.path, &job,
                                                       VIPS_FAIL_ON_TRUNCATED);
  g_autoptr (VipsImage) resized = NULL;

  if (loaded == NULL)
    g_error ("%s: %s", shrink_file.path, vips_error_buffer ());
  if (loaded->Xsize != loaded_width || loaded->Ysize != loaded_height)
    g_error ("%s %dx%d in %dx%d: loaded at %dx%d, vips_thumbnail loads %dx%d", shrink_format,
             shrink_file.width, shrink_file.height, box->width, box->height, loaded->Xsize,
             loaded->Ysize, loaded_width, loaded_height);
  g_assert_true (shardpix_resample_thumbnail (loaded, loaded->Xsize, loaded->Ysize, &job,
                                              &resized));
  if (resized->Xsize != thumb->Xsize || resized->Ysize != thumb->Ysize)
    g_error ("%s %dx%d in %dx%d size %d crop %d: resample.h %dx%d, libvips %dx%d",
             shrink_format, shrink_file.width, shrink_file.height, box->width, box->height,
             box->size, box->crop, resized->Xsize, resized->Ysize, thumb->Xsize, thumb->Ysize);
}

static void
shrink_check_file (const ShardpixShrinkBox *box, int width, int height, int orientation,
                   guint *cases)
{
  g_autoptr (VipsImage) thumb = NULL;
  int loaded_width;
  int loaded_height;
  int want_width;
  int want_height;

  if (shrink_file.buf == NULL || shrink_file.width != width || shrink_file.height != height)
    {
      g_autoptr (VipsImage) image = NULL;

      g_clear_pointer (&shrink_file.buf, g_free);
      if (shrink_file.path == NULL)
        {
          int fd = g_file_open_tmp ("shrink-XXXXXX", &shrink_file.path, NULL);

          g_assert_cmpint (fd, >=, 0);
          g_close (fd, NULL);
        }
      /* Grey noise, so that no encoder takes a short cut for a flat image. */
      g_assert_cmpint (vips_gaussnoise (&image, width, height, "mean", 128.0, NULL), ==, 0);
      g_assert_cmpint (vips_image_write_to_buffer (image, shrink_format, &shrink_file.buf,
                                                   &shrink_file.len, NULL),
                       ==, 0);
      g_assert_true (g_file_set_contents (shrink_file.path, shrink_file.buf,
                                          (gssize) shrink_file.len, NULL));
      shrink_file.width = width;
      shrink_file.height = height;
    }
  g_assert_cmpint (vips_thumbnail_buffer (shrink_file.buf, shrink_file.len, &thumb, box->width,
                                          "height", box->height,
                                          "size", shrink_vips_size (box->size), "crop",
                                          box->crop ? VIPS_INTERESTING_CENTRE
                                                    : VIPS_INTERESTING_NONE,
                                          NULL),
                   ==, 0);
  shrink_loaded_size (shrink_format, box, width, height, &loaded_width, &loaded_height);
  shardpix_shrink_output_size (box, loaded_width, loaded_height, &want_width, &want_height);
  if (thumb->Xsize != want_width || thumb->Ysize != want_height)
    g_error ("%s %dx%d in %dx%d size %d crop %d: libvips %dx%d, shrink.h %dx%d (loaded %dx%d)",
             shrink_format, width, height, box->width, box->height, box->size, box->crop,
             thumb->Xsize, thumb->Ysize, want_width, want_height, loaded_width, loaded_height);
  shrink_check_pipeline_path (box, loaded_width, loaded_height, thumb);
  (*cases)++;
}

static void
test_thumbnail_file (gconstpointer data)
{
  static const int sides[] = { 1, 3, 17, 64, 257 };
  guint cases = 0;

  shrink_format = data;
  for (guint w = 0; w < G_N_ELEMENTS (sides); w++)
    for (guint h = 0; h < G_N_ELEMENTS (sides); h++)
      shrink_each_box (sides[w], sides[h], 1, shrink_check_file, &cases);
  g_clear_pointer (&shrink_file.buf, g_free);
  g_unlink (shrink_file.path);
  g_clear_pointer (&shrink_file.path, g_free);
  g_test_message ("%u cases", cases);
}

/* The JPEG factors as thumbnail.c lists them: at least 2 left to resize. */
static void
test_jpeg_denominator (void)
{
  g_assert_cmpint (shardpix_shrink_jpeg_denominator (1.0), ==, 1);
  g_assert_cmpint (shardpix_shrink_jpeg_denominator (3.99), ==, 1);
  g_assert_cmpint (shardpix_shrink_jpeg_denominator (4.0), ==, 2);
  g_assert_cmpint (shardpix_shrink_jpeg_denominator (8.0), ==, 4);
  g_assert_cmpint (shardpix_shrink_jpeg_denominator (15.9), ==, 4);
  g_assert_cmpint (shardpix_shrink_jpeg_denominator (16.0), ==, 8);
  g_assert_cmpint (shardpix_shrink_jpeg_denominator (500.0), ==, 8);
}

static void
shrink_quiet (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (VIPS_INIT (argv[0]) != 0)
    g_error ("cannot start libvips");
  vips_cache_set_max (0);
  /* Thousands of tiny pipelines: threads would only add start-up cost. */
  vips_concurrency_set (1);
  /* libvips narrates every thumbnail at info level: thousands of lines. */
  g_log_set_handler ("VIPS", G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG, shrink_quiet, NULL);
  g_test_add_func ("/shardpix/shrink/thumbnail-image", test_thumbnail_image);
  g_test_add_data_func ("/shardpix/shrink/thumbnail-jpeg", ".jpg", test_thumbnail_file);
  g_test_add_data_func ("/shardpix/shrink/thumbnail-webp", ".webp", test_thumbnail_file);
  g_test_add_data_func ("/shardpix/shrink/thumbnail-png", ".png", test_thumbnail_file);
  g_test_add_func ("/shardpix/shrink/jpeg-denominator", test_jpeg_denominator);
  return g_test_run ();
}
