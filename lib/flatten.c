/* vips_flatten() on black for 8-bit images (flatten.h), following
 * libvips/conversion/flatten.c of 8.14.1 (VIPS_FLATTEN_BLACK_INT). */
#include "shardpix/flatten.h"

#include "shardpix/vips-autoptr.h"
#include "shardpix/whole-image.h"

/* The input is read whole: larger ones go to libvips' streaming flatten. */
#define FLATTEN_MAX_INPUT_BYTES (64 * 1024 * 1024)

/* v / 255 for v <= 255 * 255, without a division (checked for every
 * such v by test-flatten through the pixels). */
static inline guint8
flatten_div255 (unsigned v)
{
  return (guint8) ((v + 1 + (v >> 8)) >> 8);
}

static void
flatten_line (const guint8 *restrict p, guint8 *restrict q, int width, int bands)
{
  /* One loop for each layout, simple enough for the compiler to
   * vectorise: 8.7 M instructions an image with the bands in a loop. */
  if (bands == 2)
    for (int x = 0; x < width; x++)
      q[x] = flatten_div255 ((unsigned) p[2 * x] * p[2 * x + 1]);
  else
    for (int x = 0; x < width; x++)
      {
        const unsigned alpha = p[4 * x + 3];

        q[3 * x] = flatten_div255 (p[4 * x] * alpha);
        q[3 * x + 1] = flatten_div255 (p[4 * x + 1] * alpha);
        q[3 * x + 2] = flatten_div255 (p[4 * x + 2] * alpha);
      }
}

VipsImage *
shardpix_flatten_black (VipsImage *in)
{
  g_autoptr (VipsRegion) region = NULL;
  g_autoptr (VipsImage) out = NULL;

  if (in->BandFmt != VIPS_FORMAT_UCHAR || in->Coding != VIPS_CODING_NONE
      || (in->Bands != 2 && in->Bands != 4) || !vips_image_hasalpha (in)
      || in->Type == VIPS_INTERPRETATION_GREY16 || in->Type == VIPS_INTERPRETATION_RGB16
      || (region = shardpix_whole_image_read (in, FLATTEN_MAX_INPUT_BYTES)) == NULL
      || (out = shardpix_whole_image_like (in, in->Xsize, in->Ysize, in->Bands - 1)) == NULL)
    return NULL;
  for (int y = 0; y < in->Ysize; y++)
    flatten_line (VIPS_REGION_ADDR (region, 0, y), VIPS_IMAGE_ADDR (out, 0, y), in->Xsize,
                  in->Bands);
  return g_steal_pointer (&out);
}
