#include "shardpix/fastload.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

#include <webp/decode.h>
#include <webp/demux.h>

#include "shardpix/gray.h"
#include "shardpix/icc.h"

/* What vips_thumbnail() has libvips' WebP loader decode to, computed as
 * they do (thumbnail.c hands over scale = 1 / shrink, never above 1, and
 * webp2vips.c rounds canvas * scale half to even): its thumbnail size is
 * then computed from that size, not from the file's (13x96 into 48x48 is
 * loaded 6x48 and stays 6 wide; from 13 it would be 7). libwebp's own
 * area-averaging scaler decodes to it, except when forced to a box: then
 * each axis goes straight to the box on its own. @orientation turns the
 * box. */
static void
fastload_webp_scaled_size (const ShardpixJob *job, int orientation, int width, int height,
                           int *libvips_width, int *libvips_height, int *scaled_width,
                           int *scaled_height)
{
  ShardpixShrinkBox box = shardpix_shrink_box (job, orientation);
  double scale = 1.0 / MAX (1.0, shardpix_shrink_common (&box, width, height));

  *libvips_width = (int) rint (width * scale);
  *libvips_height = (int) rint (height * scale);
  *scaled_width = *libvips_width;
  *scaled_height = *libvips_height;
  if (job->force)
    {
      *scaled_width = MIN (width, box.swap ? job->height : job->width);
      *scaled_height = MIN (height, box.swap ? job->width : job->height);
    }
}

/* Grey (and alpha) of libwebp's RGB(A) output. Not its Y plane: luma of
 * the stored R'G'B' equals stretched Y only where YUV to RGB does not
 * clip, and a file with saturated chroma clips (a fuzzed 64x48 WebP came
 * out 29.7 dB from libvips' thumbnail). The conversion runs at the scaled
 * size, so it costs little next to the decode. */
static VipsImage *
fastload_webp_image (const WebPDecBuffer *out, gboolean alpha, int libvips_width,
                     int libvips_height)
{
  const WebPRGBABuffer *rgba = &out->u.RGBA;
  int bands = alpha ? 2 : 1;
  int in_bands = alpha ? 4 : 3;
  VipsImage *image = shardpix_fastload_new_image (out->width, out->height, bands, 1.0, 1.0);

  if (image == NULL)
    return NULL;
  for (int y = 0; y < out->height; y++)
    {
      const guint8 *pixel = rgba->rgba + (gsize) y * (gsize) rgba->stride;
      guint8 *row = VIPS_IMAGE_ADDR (image, 0, y);

      for (int x = 0; x < out->width; x++, pixel += in_bands)
        {
          row[x * bands] = shardpix_gray_rec601_pixel (pixel);
          if (alpha)
            row[x * bands + 1] = pixel[3];
        }
    }
  vips_image_set_int (image, SHARDPIX_FASTLOAD_WIDTH, libvips_width);
  vips_image_set_int (image, SHARDPIX_FASTLOAD_HEIGHT, libvips_height);
  return image;
}

/* The orientation in the EXIF chunk, found as libvips finds it (the first
 * one, only when the VP8X header says there is one): 1 without one, 0 if
 * it cannot be read. */
static int
fastload_webp_orientation (const WebPDemuxer *demux, guint32 flags)
{
  WebPChunkIterator chunk;
  int orientation = 1;

  if ((flags & EXIF_FLAG) == 0)
    return 1;
  if (!WebPDemuxGetChunk (demux, "EXIF", 1, &chunk))
    return 0;
  /* Past libvips' limit: let libvips judge. Some writers keep JPEG's
   * "Exif\0\0" in front of the TIFF data. */
  if (chunk.chunk.size > SHARDPIX_FASTLOAD_MAX_EXIF)
    orientation = 0;
  else if (chunk.chunk.size > 6 && memcmp (chunk.chunk.bytes, "Exif\0\0", 6) == 0)
    orientation = shardpix_fastload_exif_orientation (chunk.chunk.bytes + 6, chunk.chunk.size - 6);
  else
    orientation = shardpix_fastload_exif_orientation (chunk.chunk.bytes, chunk.chunk.size);
  WebPDemuxReleaseChunkIterator (&chunk);
  return orientation;
}

/* The still image libvips' loader would decode, as it finds it: libwebp's
 * demuxer must accept the whole file (it refuses, for one, a RIFF chunk
 * that runs past the end of the file, which WebPDecode() alone would
 * read), and the frame must be the whole canvas with the alpha the header
 * declares (libvips keeps alpha by the VP8X flag, not the bitstream).
 * Anything else goes to libvips, which reports it in its own words.
 * Fills @frame and @config's features; FALSE if not ours. */
static gboolean
fastload_webp_frame (const WebPDemuxer *demux, WebPIterator *frame, WebPDecoderConfig *config,
                     guint32 *flags)
{
  int width = (int) WebPDemuxGetI (demux, WEBP_FF_CANVAS_WIDTH);
  int height = (int) WebPDemuxGetI (demux, WEBP_FF_CANVAS_HEIGHT);

  *flags = WebPDemuxGetI (demux, WEBP_FF_FORMAT_FLAGS);
  /* libvips thumbnails an animation's first frame; WebPDecode() cannot. */
  if ((*flags & ANIMATION_FLAG) != 0 || !WebPDemuxGetFrame (demux, 1, frame))
    return FALSE;
  if (!WebPInitDecoderConfig (config)
      || WebPGetFeatures (frame->fragment.bytes, frame->fragment.size, &config->input)
             != VP8_STATUS_OK
      || config->input.has_animation || frame->x_offset != 0 || frame->y_offset != 0
      || frame->width != width || frame->height != height || config->input.width != width
      || config->input.height != height
      || !config->input.has_alpha != !(*flags & ALPHA_FLAG))
    return FALSE;
  return TRUE;
}

/* Decodes @frame of @width x @height, scaled for @job and @orientation. */
static VipsImage *
fastload_webp_decode (const WebPIterator *frame, WebPDecoderConfig *config,
                      const ShardpixJob *job, int orientation)
{
  int width = config->input.width;
  int height = config->input.height;
  int libvips_width, libvips_height;
  VipsImage *image;

  fastload_webp_scaled_size (job, orientation, width, height, &libvips_width, &libvips_height,
                             &config->options.scaled_width, &config->options.scaled_height);
  config->options.use_scaling = config->options.scaled_width != width
                                || config->options.scaled_height != height;
  /* Not premultiplied: libvips' loader asks for the same. */
  config->output.colorspace = config->input.has_alpha ? MODE_RGBA : MODE_RGB;
  if (WebPDecode (frame->fragment.bytes, frame->fragment.size, config) != VP8_STATUS_OK)
    {
      WebPFreeDecBuffer (&config->output);
      return NULL;
    }
  image = fastload_webp_image (&config->output, config->input.has_alpha, libvips_width,
                               libvips_height);
  WebPFreeDecBuffer (&config->output);
  if (image != NULL && orientation != 1)
    vips_image_set_int (image, VIPS_META_ORIENTATION, orientation);
  return image;
}

/* A Display P3 or Adobe RGB profile: libvips converts to sRGB first, so
 * such a file is libvips'. The profile is found as libvips' loader finds
 * it: the first ICCP chunk, when the VP8X header says there is one. */
static gboolean
fastload_webp_profile_ok (const WebPDemuxer *demux, guint32 flags)
{
  WebPChunkIterator chunk;
  gboolean ok;

  if ((flags & ICCP_FLAG) == 0)
    return TRUE;
  if (!WebPDemuxGetChunk (demux, "ICCP", 1, &chunk))
    return FALSE;
  ok = shardpix_icc_fast_ok (chunk.chunk.bytes, chunk.chunk.size);
  WebPDemuxReleaseChunkIterator (&chunk);
  return ok;
}

VipsImage *
shardpix_fastload_webp (int fd, const struct stat *st, const ShardpixJob *job)
{
  g_autofree guint8 *data = NULL;
  guint8 head[12];
  WebPData whole;
  WebPDemuxer *demux;
  WebPIterator frame = { 0 };
  WebPDecoderConfig config;
  VipsImage *image = NULL;
  guint32 flags = 0;
  int orientation;

  if (st->st_size < 16 || pread (fd, head, sizeof head, 0) != sizeof head
      || memcmp (head, "RIFF", 4) != 0 || memcmp (head + 8, "WEBP", 4) != 0)
    return NULL;
  data = shardpix_fastload_read (fd, st);
  if (data == NULL)
    return NULL;
  whole.bytes = data;
  whole.size = (gsize) st->st_size;
  demux = WebPDemux (&whole);
  if (demux == NULL)
    return NULL;
  if (fastload_webp_frame (demux, &frame, &config, &flags)
      && fastload_webp_profile_ok (demux, flags)
      && (job->max_pixels == 0
          || (gint64) config.input.width * config.input.height <= job->max_pixels))
    {
      orientation = job->no_rotate ? 1 : fastload_webp_orientation (demux, flags);
      if (orientation != 0)
        image = fastload_webp_decode (&frame, &config, job, orientation);
    }
  WebPDemuxReleaseIterator (&frame);
  WebPDemuxDelete (demux);
  return image;
}
