#include "fastload.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

#include <webp/decode.h>

#include "icc.h"

/* libwebp's own YUV to RGB uses limited-range BT.601, whose luma is just
 * 255/219 of Y above 16 (the chroma terms cancel): 19077/16384. */
static guint8
fastload_webp_full_range (guint8 y)
{
  int grey = ((int) y - 16) * 19077 + 8192;

  return (guint8) CLAMP (grey >> 14, 0, 255);
}

/* The size libvips' loader decodes to for vips_thumbnail(): straight to
 * the box, by libwebp's own area-averaging scaler. */
static void
fastload_webp_scaled_size (const ShardpixJob *job, int width, int height, int *scaled_width,
                           int *scaled_height)
{
  double shrink = shardpix_fastload_shrink (job, width, height);

  if (job->force)
    {
      *scaled_width = MIN (width, job->width);
      *scaled_height = MIN (height, job->height);
      return;
    }
  if (shrink <= 1.0)
    shrink = 1.0;
  *scaled_width = MAX (1, (int) rint (width / shrink));
  *scaled_height = MAX (1, (int) rint (height / shrink));
}

static VipsImage *
fastload_webp_image (const WebPDecBuffer *out, gboolean alpha, int width, int height)
{
  const WebPYUVABuffer *yuva = &out->u.YUVA;
  VipsImage *image = vips_image_new_memory ();
  int bands = alpha ? 2 : 1;

  vips_image_init_fields (image, out->width, out->height, bands, VIPS_FORMAT_UCHAR,
                          VIPS_CODING_NONE, VIPS_INTERPRETATION_B_W, 1.0, 1.0);
  if (vips_image_write_prepare (image) != 0)
    {
      g_object_unref (image);
      return NULL;
    }
  for (int y = 0; y < out->height; y++)
    {
      const guint8 *luma = yuva->y + (gsize) y * (gsize) yuva->y_stride;
      const guint8 *a = alpha ? yuva->a + (gsize) y * (gsize) yuva->a_stride : NULL;
      guint8 *row = VIPS_IMAGE_ADDR (image, 0, y);

      for (int x = 0; x < out->width; x++)
        {
          row[x * bands] = fastload_webp_full_range (luma[x]);
          if (alpha)
            row[x * bands + 1] = a[x];
        }
    }
  vips_image_set_int (image, SHARDPIX_FASTLOAD_WIDTH, width);
  vips_image_set_int (image, SHARDPIX_FASTLOAD_HEIGHT, height);
  return image;
}

/* The orientation in the EXIF chunk of an extended file, 1 without one, 0
 * if it cannot be read. */
static int
fastload_webp_orientation (const guint8 *data, gsize size)
{
  gsize pos = 12;

  while (pos + 8 <= size)
    {
      gsize len = (gsize) data[pos + 4] | (gsize) data[pos + 5] << 8
                  | (gsize) data[pos + 6] << 16 | (gsize) data[pos + 7] << 24;
      const guint8 *payload = data + pos + 8;

      if (len > size - pos - 8)
        return 1;
      if (memcmp (data + pos, "EXIF", 4) == 0)
        {
          /* Some writers keep JPEG's "Exif\0\0" in front of the TIFF data. */
          if (len > 6 && memcmp (payload, "Exif\0\0", 6) == 0)
            return shardpix_fastload_exif_orientation (payload + 6, len - 6);
          return shardpix_fastload_exif_orientation (payload, len);
        }
      pos += 8 + len + (len & 1);
    }
  return 1;
}

/* A Display P3 or Adobe RGB profile (an ICCP chunk): libvips converts to
 * sRGB first. */
static gboolean
fastload_webp_profile_ok (const guint8 *data, gsize size)
{
  for (gsize pos = 12; pos + 8 <= size;)
    {
      gsize len = (gsize) data[pos + 4] | (gsize) data[pos + 5] << 8
                  | (gsize) data[pos + 6] << 16 | (gsize) data[pos + 7] << 24;

      if (len > size - pos - 8)
        return TRUE;
      if (memcmp (data + pos, "ICCP", 4) == 0)
        return shardpix_icc_fast_ok (data + pos + 8, len);
      pos += 8 + len + (len & 1);
    }
  return TRUE;
}

VipsImage *
shardpix_fastload_webp (int fd, const struct stat *st, const ShardpixJob *job)
{
  g_autofree guint8 *data = NULL;
  guint8 head[12];
  WebPDecoderConfig config;
  VipsImage *image;
  gsize size = (gsize) st->st_size;
  int width, height, orientation;

  if (st->st_size < 16 || pread (fd, head, sizeof head, 0) != sizeof head
      || memcmp (head, "RIFF", 4) != 0 || memcmp (head + 8, "WEBP", 4) != 0)
    return NULL;
  data = shardpix_fastload_read (fd, st);
  if (data == NULL || !WebPInitDecoderConfig (&config)
      || WebPGetFeatures (data, size, &config.input) != VP8_STATUS_OK)
    return NULL;
  /* libvips thumbnails an animation's first frame; WebPDecode() cannot. */
  if (config.input.has_animation || !fastload_webp_profile_ok (data, size))
    return NULL;
  width = config.input.width;
  height = config.input.height;
  if (job->max_pixels != 0 && (gint64) width * height > job->max_pixels)
    return NULL;
  orientation = job->no_rotate ? 1 : fastload_webp_orientation (data, size);
  if (orientation == 0)
    return NULL;
  if (orientation >= 5)
    {
      /* The box applies to the turned image: scale as if it were. */
      fastload_webp_scaled_size (job, height, width, &config.options.scaled_height,
                                 &config.options.scaled_width);
    }
  else
    fastload_webp_scaled_size (job, width, height, &config.options.scaled_width,
                               &config.options.scaled_height);
  config.options.use_scaling = config.options.scaled_width != width
                               || config.options.scaled_height != height;
  config.output.colorspace = config.input.has_alpha ? MODE_YUVA : MODE_YUV;
  if (WebPDecode (data, size, &config) != VP8_STATUS_OK)
    {
      WebPFreeDecBuffer (&config.output);
      return NULL;
    }
  image = fastload_webp_image (&config.output, config.input.has_alpha, width, height);
  WebPFreeDecBuffer (&config.output);
  if (image != NULL && orientation != 1)
    vips_image_set_int (image, VIPS_META_ORIENTATION, orientation);
  return image;
}
