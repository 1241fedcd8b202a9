/* The fast PNG path's box filter (fastload-png-box.h): the shrink it may
 * take, and the running sums of each output pixel's box. */
#include "shardpix/fastload-png-box.h"

#include <string.h>

#include "shardpix/shrink.h"

/* How far, in output pixels, the far edge of the thumbnail moves when
 * vips_resize() works from the image shrunk by @shrink: a partial box at the
 * end of a side counts as a whole pixel, so the shrunk side is slightly too
 * long. On fine detail (noise, dithering) a tenth of a pixel already shows. */
static double
png_box_drift (guint side, guint shrink, int thumbnail_side)
{
  guint boxes = (side + shrink - 1) / shrink;

  return (double) (boxes * shrink - side) / side * thumbnail_side;
}

/* Whether the image shrunk by @shrink gives the thumbnail the whole image
 * would. The same size (the partial boxes shift the aspect ratio a little,
 * sometimes enough to round a side one pixel off), about the same place
 * for every edge (within a tenth of a pixel), and the same filter: @shrink
 * divides the box vips_resize() would take on each axis, so that the box
 * vips_resize() then takes of the shrunk image makes up the rest of it and
 * the bicubic kernel works over the same span. Otherwise box(2) then
 * box(2) and cubic(2.7) stands for box(5) and cubic(2.1): 1.6 levels mean
 * on noise, past the tolerance (a 385x513 grey PNG into 48x48). */
static gboolean
png_box_shrink_fits (const ShardpixShrinkBox *box, guint width, guint height, guint shrink)
{
  int want_width;
  int want_height;
  int got_width;
  int got_height;

  shardpix_shrink_resize_size (box, (int) width, (int) height, &want_width, &want_height);
  shardpix_shrink_resize_size (box, (int) ((width + shrink - 1) / shrink),
                               (int) ((height + shrink - 1) / shrink), &got_width, &got_height);
  return got_width == want_width && got_height == want_height
         && (guint) shardpix_shrink_resize_box ((int) width, want_width) % shrink == 0
         && (guint) shardpix_shrink_resize_box ((int) height, want_height) % shrink == 0
         && png_box_drift (width, shrink, want_width) <= 0.1
         && png_box_drift (height, shrink, want_height) <= 0.1;
}

/* The largest integer box shrink that fits and leaves at least a factor 2
 * to vips_resize(), as vips_thumbnail does for JPEG shrink-on-load. There
 * is no orientation to turn the box for: an image that is not upright goes
 * to libvips. */
guint
shardpix_png_box_choose_shrink (const ShardpixJob *job, guint width, guint height)
{
  ShardpixShrinkBox box = shardpix_shrink_box (job, 1);
  double needed = shardpix_shrink_common (&box, (int) width, (int) height);
  guint shrink = (guint) CLAMP (needed / 2, 1.0, SHARDPIX_PNG_BOX_MAX_SHRINK);

  while (shrink > 1 && !png_box_shrink_fits (&box, width, height, shrink))
    shrink--;
  return shrink;
}

/* Adds one row to the sums of its boxes. Called with a constant @channels,
 * so that the compiler makes one loop per pixel layout. Colour is weighted
 * by alpha, as libvips premultiplies before it shrinks: a transparent
 * pixel's colour does not bleed into its neighbours. */
static inline void
png_box_add_row (ShardpixPngBox *self, const guint8 *row, const int channels)
{
  const int colours = channels <= 2 ? 1 : 3;
  const gboolean alpha = channels % 2 == 0;
  const guint8 *p = row;
  const guint8 *end = p + (gsize) self->width * channels;
  const gsize box = (gsize) self->shrink * channels;
  guint64 *restrict sum_y = self->sum_y;
  guint64 *restrict sum_a = self->sum_a;

  for (guint ox = 0; p < end; ox++)
    {
      const guint8 *box_end = p + MIN (box, (gsize) (end - p));
      guint64 y = 0;
      guint64 a = 0;
      guint32 r = 0;
      guint32 g = 0;
      guint32 b = 0;

      /* Without alpha, luma is taken once per box, of the sums. */
      for (; p < box_end; p += channels)
        if (alpha)
          {
            y += (guint64) shardpix_png_box_luma (p, colours) * p[colours];
            a += p[colours];
          }
        else if (colours == 3)
          {
            r += p[0];
            g += p[1];
            b += p[2];
          }
        else
          y += p[0];
      if (!alpha)
        y = colours == 3 ? (guint64) SHARDPIX_PNG_BOX_R * r + (guint64) SHARDPIX_PNG_BOX_G * g
                             + (guint64) SHARDPIX_PNG_BOX_B * b
                         : y << 16;
      sum_y[ox] += y;
      if (alpha)
        sum_a[ox] += a;
    }
}

/* As png_box_add_row() for palette indexes (one byte a pixel). */
static inline void
png_box_add_palette_row (ShardpixPngBox *self, const guint8 *row, const gboolean alpha)
{
  const guint8 *p = row;
  const guint8 *end = p + self->width;
  const guint32 *restrict luma = self->palette_luma;
  const guint8 *restrict alphas = self->palette_alpha;
  guint64 *restrict sum_y = self->sum_y;
  guint64 *restrict sum_a = self->sum_a;

  for (guint ox = 0; p < end; ox++)
    {
      const guint8 *box_end = p + MIN ((gsize) self->shrink, (gsize) (end - p));
      guint64 y = 0;
      guint64 a = 0;

      for (; p < box_end; p++)
        if (alpha)
          {
            y += (guint64) luma[*p] * alphas[*p];
            a += alphas[*p];
          }
        else
          y += luma[*p];
      sum_y[ox] += y;
      if (alpha)
        sum_a[ox] += a;
    }
}

/* One constant-layout loop per kind of row (see png_box_add_row()). */
void
shardpix_png_box_add (ShardpixPngBox *self, const guint8 *row, int channels)
{
  if (self->palette)
    {
      if (channels == 4)
        png_box_add_palette_row (self, row, TRUE);
      else
        png_box_add_palette_row (self, row, FALSE);
      return;
    }
  switch (channels)
    {
    case 1:
      png_box_add_row (self, row, 1);
      break;
    case 2:
      png_box_add_row (self, row, 2);
      break;
    case 3:
      png_box_add_row (self, row, 3);
      break;
    default:
      png_box_add_row (self, row, 4);
      break;
    }
}

/* Writes output row @oy from the sums of its @rows input rows, rounded. */
void
shardpix_png_box_emit_row (ShardpixPngBox *self, int oy, guint rows, gboolean alpha)
{
  guint8 *q = VIPS_IMAGE_ADDR (self->out, 0, oy);

  for (guint ox = 0; ox < self->out_width; ox++)
    {
      guint64 n = (guint64) MIN (self->shrink, self->width - ox * self->shrink) * rows;

      if (alpha)
        {
          guint64 a = self->sum_a[ox];

          *q++ = a == 0 ? 0 : (guint8) ((self->sum_y[ox] + (a << 15)) / (a << 16));
          *q++ = (guint8) ((a + n / 2) / n);
        }
      else
        *q++ = (guint8) ((self->sum_y[ox] + (n << 15)) / (n << 16));
    }
  memset (self->sum_y, 0, self->out_width * sizeof *self->sum_y);
  memset (self->sum_a, 0, self->out_width * sizeof *self->sum_a);
}
