/* The fast PNG path's box filter (fastload-png-box.h): the shrink it may
 * take, and the running sums of each output pixel's box. */
#include "shardpix/fastload-png-box.h"

#include <emmintrin.h>

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

/* Adds one row to the sums of its boxes. Called with a constant @channels
 * and, for the common shrinks, a constant @shrink, so that the compiler makes
 * one loop per pixel layout and box width, the box's inner loop unrolled.
 * Colour is weighted by alpha, as libvips premultiplies before it shrinks: a
 * transparent pixel's colour does not bleed into its neighbours. */
static inline void
png_box_add_row (ShardpixPngBox *self, const guint8 *row, const int channels, const guint shrink)
{
  const int colours = channels <= 2 ? 1 : 3;
  const gboolean alpha = channels % 2 == 0;
  const guint8 *p = row;
  const guint8 *end = p + (gsize) self->width * channels;
  const gsize box = (gsize) shrink * channels;
  const guint full = self->width / shrink;
  guint64 *restrict sum_y = self->sum_y;
  guint64 *restrict sum_a = self->sum_a;

  /* The full boxes, then the partial one at the end of the row, if any. */
  for (guint ox = 0; p < end; ox++)
    {
      const gsize n = ox < full ? box : (gsize) (end - p);
      const guint8 *box_end = p + n;
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
png_box_add_palette_row (ShardpixPngBox *self, const guint8 *row, const gboolean alpha,
                         const guint shrink)
{
  const guint8 *p = row;
  const guint8 *end = p + self->width;
  const guint full = self->width / shrink;
  const guint32 *restrict luma = self->palette_luma;
  const guint8 *restrict alphas = self->palette_alpha;
  guint64 *restrict sum_y = self->sum_y;
  guint64 *restrict sum_a = self->sum_a;

  for (guint ox = 0; p < end; ox++)
    {
      const guint8 *box_end = p + (ox < full ? shrink : (gsize) (end - p));
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

/* One loop per layout and (for 2, 3 and 4, most images' boxes) per shrink:
 * a box width known to the compiler is worth a third of the time here. */
#define PNG_BOX_BY_SHRINK(call, ...)                                                          \
  switch (self->shrink)                                                                        \
    {                                                                                          \
    case 2:                                                                                    \
      call (__VA_ARGS__, 2);                                                                   \
      break;                                                                                   \
    case 3:                                                                                    \
      call (__VA_ARGS__, 3);                                                                   \
      break;                                                                                   \
    case 4:                                                                                    \
      call (__VA_ARGS__, 4);                                                                   \
      break;                                                                                   \
    default:                                                                                   \
      call (__VA_ARGS__, self->shrink);                                                        \
      break;                                                                                   \
    }

void
shardpix_png_box_add (ShardpixPngBox *self, const guint8 *row, int channels)
{
  if (self->palette)
    {
      if (channels == 4)
        PNG_BOX_BY_SHRINK (png_box_add_palette_row, self, row, TRUE)
      else
        PNG_BOX_BY_SHRINK (png_box_add_palette_row, self, row, FALSE)
      return;
    }
  switch (channels)
    {
    case 1:
      PNG_BOX_BY_SHRINK (png_box_add_row, self, row, 1)
      break;
    case 2:
      PNG_BOX_BY_SHRINK (png_box_add_row, self, row, 2)
      break;
    case 3:
      PNG_BOX_BY_SHRINK (png_box_add_row, self, row, 3)
      break;
    default:
      PNG_BOX_BY_SHRINK (png_box_add_row, self, row, 4)
      break;
    }
}

/* floor (@sum / (@n * 65536) + 1/2), as floor (floor (@sum / 65536 + @n / 2)
 * / @n): the same value (a floor of a floor divides by the product), with a
 * 32-bit division, or a shift when @n is a power of two, in place of a
 * 64-bit division per pixel. @sum is at most @n * 255 * 65536 with @n up
 * to 2^24, so the quotient of the first step fits in 32 bits. */
static inline guint8
png_box_mean (guint64 sum, guint32 n, int shift)
{
  guint32 t = (guint32) ((sum + ((guint64) n << 15)) >> 16);

  return (guint8) (shift >= 0 ? t >> shift : t / n);
}

/* As png_box_mean() for colour weighted by alpha: @sum is at most
 * @a * 255 * 65536, @a up to 2^32. */
static inline guint8
png_box_mean_weighted (guint64 sum, guint64 a)
{
  guint64 t = (sum + (a << 15)) >> 16;

  if (a == 0)
    return 0;
  return (guint8) (t <= G_MAXUINT32 ? (guint32) t / (guint32) a : t / a);
}

/* The shift that divides by @n, or -1 if @n is not a power of two. */
static int
png_box_shift (guint32 n)
{
  return (n & (n - 1)) == 0 ? g_bit_nth_lsf (n, -1) : -1;
}

/* Writes output row @oy from the sums of its @rows input rows, rounded, and
 * clears the sums on the way. */
void
shardpix_png_box_emit_row (ShardpixPngBox *self, int oy, guint rows, gboolean alpha)
{
  guint8 *q = VIPS_IMAGE_ADDR (self->out, 0, oy);
  const guint full = self->width / self->shrink;
  const guint32 n_full = self->shrink * rows;
  const int shift_full = png_box_shift (n_full);
  guint64 *restrict sum_y = self->sum_y;
  guint64 *restrict sum_a = self->sum_a;

  for (guint ox = 0; ox < self->out_width; ox++)
    {
      const gboolean partial = ox >= full;
      const guint32 n = partial ? (self->width - ox * self->shrink) * rows : n_full;
      const int shift = partial ? png_box_shift (n) : shift_full;

      if (alpha)
        {
          guint64 a = sum_a[ox];

          *q++ = png_box_mean_weighted (sum_y[ox], a);
          *q++ = (guint8) (shift >= 0 ? (a + n / 2) >> shift : ((guint32) a + n / 2) / n);
          sum_a[ox] = 0;
        }
      else
        *q++ = png_box_mean (sum_y[ox], n, shift);
      sum_y[ox] = 0;
    }
}

/* Output row @oy straight from @row, for a shrink of 1: each box is one
 * pixel, so the mean is the pixel's own luma rounded (its alpha cancels
 * out of the weighted mean) and there is nothing to add up. */
static inline void
png_box_convert_row (ShardpixPngBox *self, const guint8 *row, int oy, const int channels)
{
  const int colours = channels <= 2 ? 1 : 3;
  const gboolean alpha = channels % 2 == 0;
  const guint8 *p = row;
  guint8 *q = VIPS_IMAGE_ADDR (self->out, 0, oy);

  for (guint x = 0; x < self->width; x++, p += channels)
    {
      guint8 y = colours == 1 ? p[0] : (guint8) ((shardpix_png_box_luma (p, 3) + (1u << 15)) >> 16);

      if (alpha)
        {
          *q++ = p[colours] == 0 ? 0 : y;
          *q++ = p[colours];
        }
      else
        *q++ = y;
    }
}

static void
png_box_convert_palette_row (ShardpixPngBox *self, const guint8 *row, int oy, gboolean alpha)
{
  guint8 *q = VIPS_IMAGE_ADDR (self->out, 0, oy);

  for (guint x = 0; x < self->width; x++)
    {
      guint8 y = (guint8) ((self->palette_luma[row[x]] + (1u << 15)) >> 16);

      if (alpha)
        {
          guint8 a = self->palette_alpha[row[x]];

          *q++ = a == 0 ? 0 : y;
          *q++ = a;
        }
      else
        *q++ = y;
    }
}

static void
png_box_convert (ShardpixPngBox *self, const guint8 *row, int oy, int channels)
{
  if (self->palette)
    png_box_convert_palette_row (self, row, oy, channels == 4);
  else if (channels == 1)
    png_box_convert_row (self, row, oy, 1);
  else if (channels == 2)
    png_box_convert_row (self, row, oy, 2);
  else if (channels == 3)
    png_box_convert_row (self, row, oy, 3);
  else
    png_box_convert_row (self, row, oy, 4);
}

/* Whether rows of @channels go through the column sums (self->stack):
 * grey and RGB, whose box sums are sums of bytes. Alpha weights each
 * pixel's luma, and a palette index must be looked up first. */
static gboolean
png_box_stacks (const ShardpixPngBox *self, int channels)
{
  return !self->palette && (channels == 1 || channels == 3)
         && self->shrink <= SHARDPIX_PNG_BOX_MAX_STACKED;
}

/* Adds @row's @n bytes to the column sums, or sets them to it for the
 * first row of a box. */
static void
png_box_stack_row (guint16 *restrict stack, const guint8 *restrict row, gsize n, gboolean first)
{
  const __m128i zero = _mm_setzero_si128 ();
  gsize i = 0;

  for (; i + 16 <= n; i += 16)
    {
      __m128i v = _mm_loadu_si128 ((const __m128i *) (row + i));
      __m128i lo = _mm_unpacklo_epi8 (v, zero);
      __m128i hi = _mm_unpackhi_epi8 (v, zero);

      if (!first)
        {
          lo = _mm_add_epi16 (lo, _mm_loadu_si128 ((const __m128i *) (stack + i)));
          hi = _mm_add_epi16 (hi, _mm_loadu_si128 ((const __m128i *) (stack + i + 8)));
        }
      _mm_storeu_si128 ((__m128i *) (stack + i), lo);
      _mm_storeu_si128 ((__m128i *) (stack + i + 8), hi);
    }
  for (; i < n; i++)
    stack[i] = (guint16) (first ? row[i] : stack[i] + row[i]);
}

/* The luma sum, in 1/65536ths, of the @n pixels of column sums at @s. */
static inline guint64
png_box_stacked_luma (const guint16 *s, guint n, const int channels)
{
  guint32 r = 0;
  guint32 g = 0;
  guint32 b = 0;

  for (guint i = 0; i < n; i++, s += channels)
    {
      r += s[0];
      if (channels == 3)
        {
          g += s[1];
          b += s[2];
        }
    }
  if (channels == 1)
    return (guint64) r << 16;
  return (guint64) SHARDPIX_PNG_BOX_R * r + (guint64) SHARDPIX_PNG_BOX_G * g
         + (guint64) SHARDPIX_PNG_BOX_B * b;
}

/* The boxes of the column sums into the output sums: the full boxes, each
 * @shrink pixels (a constant for the common shrinks), then the partial one. */
static inline void
png_box_add_stacked (ShardpixPngBox *self, const int channels, const guint shrink)
{
  const guint16 *s = self->stack;
  const guint full = self->width / shrink;
  guint64 *restrict sum_y = self->sum_y;

  for (guint ox = 0; ox < full; ox++, s += (gsize) shrink * channels)
    sum_y[ox] += png_box_stacked_luma (s, shrink, channels);
  if (self->width > full * shrink)
    sum_y[full] += png_box_stacked_luma (s, self->width - full * shrink, channels);
}

void
shardpix_png_box_push (ShardpixPngBox *self, const guint8 *row, int channels, gboolean last)
{
  if (self->shrink == 1)
    {
      png_box_convert (self, row, self->out_row++, channels);
      return;
    }
  if (!png_box_stacks (self, channels))
    shardpix_png_box_add (self, row, channels);
  else
    {
      if (self->stack == NULL)
        self->stack = g_new (guint16, (gsize) self->width * channels);
      png_box_stack_row (self->stack, row, (gsize) self->width * channels, self->rows == 0);
    }
  if (++self->rows == self->shrink || last)
    {
      if (png_box_stacks (self, channels))
        {
          if (channels == 1)
            PNG_BOX_BY_SHRINK (png_box_add_stacked, self, 1)
          else
            PNG_BOX_BY_SHRINK (png_box_add_stacked, self, 3)
        }
      shardpix_png_box_emit_row (self, self->out_row++, self->rows, channels % 2 == 0);
      self->rows = 0;
    }
}

void
shardpix_png_box_clear (ShardpixPngBox *self)
{
  g_clear_pointer (&self->sum_y, g_free);
  g_clear_pointer (&self->sum_a, g_free);
  g_clear_pointer (&self->stack, g_free);
}
