/* A HEIF's embedded thumbnail item (lib/load-shrunk.c) through the real
 * binary, on files written here with libheif, whose thumbnail shows
 * another picture than the main image, so that the output says which one
 * was read. libvips' heifsave writes no thumbnail, and heif-enc's is the
 * same picture. The rule: the thumbnail serves when it is smaller than
 * the image, still has to shrink to fit the box, and has the image's
 * shape to a pixel: a writer that crops or turns the main item and not the
 * thumbnail must not make a thumbnail of another shape, or size. libvips'
 * heifload refuses a thumbnail whose aspect ratio is 0.1 or more off;
 * closer than that, vips_thumbnail would size the output from it. */
#include <string.h>

#include <libheif/heif.h>
#include <vips/vips.h>

#include "fixtures.h"
#include "shardpix/vips-autoptr.h"

typedef FixturesDirs Fixture;

/* A flat YCbCr 4:2:0 image of grey @luma. */
static struct heif_image *
heif_flat (int width, int height, guint8 luma)
{
  static const enum heif_channel channels[] = { heif_channel_Y, heif_channel_Cb,
                                                heif_channel_Cr };
  struct heif_image *image = NULL;

  g_assert_cmpint (heif_image_create (width, height, heif_colorspace_YCbCr, heif_chroma_420,
                                      &image)
                     .code,
                   ==, heif_error_Ok);
  for (guint c = 0; c < G_N_ELEMENTS (channels); c++)
    {
      int plane_width = c == 0 ? width : width / 2;
      int plane_height = c == 0 ? height : height / 2;
      int stride = 0;
      guint8 *plane;

      g_assert_cmpint (heif_image_add_plane (image, channels[c], plane_width, plane_height, 8)
                         .code,
                       ==, heif_error_Ok);
      plane = heif_image_get_plane (image, channels[c], &stride);
      for (int y = 0; y < plane_height; y++)
        memset (plane + (gsize) y * stride, c == 0 ? luma : 128, (gsize) plane_width);
    }
  return image;
}

/* Writes @path: a 1200x800 image of grey 200 and, made from a @thumb_width x
 * @thumb_height image of grey 20, a thumbnail that fits @bbox. */
static void
heif_write_lying_thumbnail (const char *path, int thumb_width, int thumb_height, int bbox)
{
  struct heif_context *context = heif_context_alloc ();
  struct heif_encoder *encoder = NULL;
  struct heif_image *image = heif_flat (1200, 800, 200);
  struct heif_image *thumb = heif_flat (thumb_width, thumb_height, 20);
  struct heif_image_handle *handle = NULL;
  struct heif_image_handle *thumb_handle = NULL;

  g_assert_cmpint (
    heif_context_get_encoder_for_format (context, heif_compression_HEVC, &encoder).code, ==,
    heif_error_Ok);
  heif_encoder_set_lossy_quality (encoder, 90);
  g_assert_cmpint (heif_context_encode_image (context, image, encoder, NULL, &handle).code, ==,
                   heif_error_Ok);
  g_assert_cmpint (
    heif_context_encode_thumbnail (context, thumb, handle, encoder, NULL, bbox, &thumb_handle)
      .code,
    ==, heif_error_Ok);
  g_assert_nonnull (thumb_handle);
  g_assert_cmpint (heif_context_write_to_file (context, path).code, ==, heif_error_Ok);
  heif_image_handle_release (thumb_handle);
  heif_image_handle_release (handle);
  heif_image_release (thumb);
  heif_image_release (image);
  heif_encoder_release (encoder);
  heif_context_free (context);
}

typedef struct {
  const char *name;
  int thumb_width; /* the picture the thumbnail is made from */
  int thumb_height;
  int bbox;          /* the thumbnail's size */
  int item_side;     /* its longer side as heifload reads it with thumbnail=TRUE */
  const char *size;  /* --size */
  int out_width;     /* what the output must be */
  int out_height;
  gboolean from_thumbnail; /* grey 20 (the thumbnail) or 200 (the image) */
} ThumbCase;

static const ThumbCase thumb_cases[] = {
  /* The same shape, 480x320, and the box still smaller: it serves. */
  { "same-shape", 1200, 800, 480, 480, "256x256", 256, 171, TRUE },
  /* The same thumbnail, a box it would have to be enlarged for: not. */
  { "too-small", 1200, 800, 480, 480, "512x512", 512, 341, FALSE },
  /* 480x336 for a 3:2 image (aspect 0.07 off): heifload hands it over,
   * shardpix does not take it (from it, the output would be 256x179). */
  { "slightly-other-shape", 1200, 840, 480, 480, "256x256", 256, 171, FALSE },
  /* A square thumbnail of a 3:2 image: heifload itself refuses it. */
  { "other-shape", 800, 800, 400, 1200, "256x256", 256, 171, FALSE },
};

static void
test_thumbnail_item (Fixture *fx, gconstpointer data)
{
  const ThumbCase *c = data;
  g_autofree char *in = g_build_filename (fx->in, "phone.heic", NULL);
  g_autofree char *out = g_build_filename (fx->out, "phone.png", NULL);
  const char *args[] = { "run", fx->in, fx->out, "--size", c->size, "-o", "%s.png", "--quiet",
                         NULL };
  g_autoptr (VipsImage) item = NULL;
  g_autoptr (VipsImage) thumbnail = NULL;
  double mean = 0;

  heif_write_lying_thumbnail (in, c->thumb_width, c->thumb_height, c->bbox);
  /* The file really holds the thumbnail the case says, as libvips reads it. */
  item = vips_image_new_from_file (in, "thumbnail", TRUE, NULL);
  g_assert_nonnull (item);
  g_assert_cmpint (MAX (item->Xsize, item->Ysize), ==, c->item_side);

  g_assert_cmpint (fixtures_run_logged (args, NULL, NULL), ==, 0);
  thumbnail = vips_image_new_from_file (out, NULL);
  g_assert_nonnull (thumbnail);
  g_assert_cmpint (vips_avg (thumbnail, &mean, NULL), ==, 0);
  g_test_message ("%s: %dx%d thumbnail item, box %s: output %dx%d, mean %.1f", c->name,
                  item->Xsize, item->Ysize, c->size, thumbnail->Xsize, thumbnail->Ysize, mean);
  g_assert_cmpint (thumbnail->Xsize, ==, c->out_width);
  g_assert_cmpint (thumbnail->Ysize, ==, c->out_height);
  if (c->from_thumbnail)
    g_assert_cmpfloat (mean, <, 60);
  else
    g_assert_cmpfloat (mean, >, 160);
}

int
main (int argc, char **argv)
{
  fixtures_init (&argc, &argv);
  for (guint i = 0; i < G_N_ELEMENTS (thumb_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/shardpix/heif/thumbnail-item/%s",
                                               thumb_cases[i].name);

      g_test_add (path, Fixture, &thumb_cases[i], fixtures_dirs_setup, test_thumbnail_item,
                  fixtures_dirs_teardown);
    }
  return g_test_run ();
}
