/* The bicubic reduce of vips_resize() in libvips 8.14 (reduce.h).
 * libvips/resample/reducev.cpp, reduceh.cpp and templates.h of 8.14.1
 * are what every line here follows; the comments name their variables. */
#include "shardpix/reduce.h"

#include <math.h>
#include <string.h>
#include <vips/vector.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "shardpix/vips-autoptr.h"
#include "shardpix/whole-image.h"

/* vips_resize()'s default gap, which it hands to reducev and reduceh. */
#define REDUCE_GAP 2.0
/* vips_sequential (tile_height 10), which reducev puts after itself on a
 * sequential image: its output lines are asked for ten at a time, and
 * each request starts its position afresh. */
#define REDUCE_V_TILE 10
/* Below a gap of 2 a factor is under 4: Catmull-Rom then needs at most 17
 * points. Anything wider is left to libvips. */
#define REDUCE_MAX_POINT 24
/* The widest integer box shrink done here: 256 bytes of 255 fit 16 bits. */
#define REDUCE_MAX_BOX 256
/* VIPS_TRANSFORM_SCALE: masks tabulated at 1/64 of a pixel. */
#define REDUCE_PHASES (VIPS_TRANSFORM_SCALE + 1)
/* The input is read whole: larger ones go to libvips' streaming resize. */
#define REDUCE_MAX_INPUT_BYTES (64 * 1024 * 1024)

typedef struct
{
  /* reducev's and reduceh's own box shrink first (vips_shrinkv/h with
   * ceil), where the factor leaves more than the gap; 1 for none. */
  int int_shrink;
  int in_size; /* after that shrink */
  double shrink;
  double offset;
  int out_size;
  int n_point;
  int pad;
  int fixed[REDUCE_PHASES][REDUCE_MAX_POINT];
  int vector[REDUCE_PHASES][REDUCE_MAX_POINT];
  /* fixed[] as 16 bits, zero beyond n_point, for SSE2's pmaddwd. */
  gint16 fixed16[REDUCE_PHASES][REDUCE_MAX_POINT] __attribute__ ((aligned (16)));
  gboolean fixed16_fits;
} ReduceAxis;

/* calculate_coefficients_cubic (B = 0, C = 0.5: Catmull-Rom). */
static void
reduce_mask (double *c, double shrink, double x)
{
  const double B = 0.0;
  const double C = 0.5;
  const int n_points = 2 * rint (2 * shrink) + 1;
  const double half = x + n_points / 2.0 - 1;
  double sum = 0;

  for (int i = 0; i < n_points; i++)
    {
      const double xp = (i - half) / shrink;
      const double axp = xp >= 0 ? xp : -xp;
      const double axp2 = axp * axp;
      const double axp3 = axp2 * axp;
      double l;

      if (axp <= 1)
        l = ((12 - 9 * B - 6 * C) * axp3 + (-18 + 12 * B + 6 * C) * axp2 + (6 - 2 * B)) / 6;
      else if (axp <= 2)
        l = ((-B - 6 * C) * axp3 + (6 * B + 30 * C) * axp2 + (-12 * B - 48 * C) * axp
             + (8 * B + 24 * C))
            / 6;
      else
        l = 0.0;
      c[i] = l;
      sum += l;
    }
  for (int i = 0; i < n_points; i++)
    c[i] /= sum;
}

/* vips_reduce{v,h}_build() for one axis of @size pixels shrunk by
 * 1 / @scale, with the box shrink they start with past the gap: FALSE
 * where libvips would do something else (nothing to reduce after the box). */
static gboolean
reduce_axis_init (ReduceAxis *axis, int size, double scale)
{
  double extra_pixels;

  axis->shrink = 1.0 / scale;
  axis->out_size = (int) ((double) size / axis->shrink + 0.5);
  extra_pixels = axis->out_size * axis->shrink - size;
  if (axis->out_size <= 0)
    return FALSE;
  axis->int_shrink = MAX (1, (int) floor ((double) size / axis->out_size / REDUCE_GAP));
  /* The box sums are 16 bits (reduce_box_mean()). */
  if (axis->int_shrink > REDUCE_MAX_BOX)
    return FALSE;
  axis->in_size = size;
  if (axis->int_shrink > 1)
    {
      axis->in_size = (int) ceil ((double) size / axis->int_shrink);
      axis->shrink /= axis->int_shrink;
      extra_pixels /= axis->int_shrink;
    }
  if (axis->shrink == 1.0)
    return FALSE;
  axis->n_point = 2 * rint (2 * axis->shrink) + 1;
  if (axis->n_point > REDUCE_MAX_POINT)
    return FALSE;
  axis->offset = (1 + extra_pixels) / 2.0 - 1;
  axis->pad = (int) ceil (axis->n_point / 2.0) - 1;
  axis->fixed16_fits = TRUE;
  memset (axis->fixed16, 0, sizeof axis->fixed16);
  for (int t = 0; t < REDUCE_PHASES; t++)
    {
      double mask[REDUCE_MAX_POINT];

      reduce_mask (mask, axis->shrink, (float) t / VIPS_TRANSFORM_SCALE);
      for (int i = 0; i < axis->n_point; i++)
        {
          axis->fixed[t][i] = mask[i] * VIPS_INTERPOLATE_SCALE;
          if (axis->fixed[t][i] < G_MININT16 || axis->fixed[t][i] > G_MAXINT16)
            axis->fixed16_fits = FALSE;
          axis->fixed16[t][i] = (gint16) axis->fixed[t][i];
        }
      vips_vector_to_fixed_point (mask, axis->vector[t], axis->n_point, 64);
    }
  return TRUE;
}

/* The mask for position @p: the "(six + 1) >> 1" of reducev and reduceh. */
static int
reduce_phase (double p)
{
  const int s = p * VIPS_TRANSFORM_SCALE * 2;
  const int si = s & (VIPS_TRANSFORM_SCALE * 2 - 1);

  return (si + 1) >> 1;
}

static guint8
reduce_fixed_round (int sum)
{
  sum = (sum + (VIPS_INTERPOLATE_SCALE >> 1)) >> VIPS_INTERPOLATE_SHIFT;
  return (guint8) CLAMP (sum, 0, 255);
}

/* One line of Orc's reducev program: 16-bit sums from 32, each term the
 * low 16 bits of pixel x coefficient added with saturation, then >> 6 and
 * saturated to a byte. */
static void
reduce_line_vector (guint8 *out, const guint8 *const *rows, const int *coeff, int n, int ne)
{
  int x = 0;

#if defined(__SSE2__)
  const __m128i zero = _mm_setzero_si128 ();

  for (; x + 16 <= ne; x += 16)
    {
      __m128i lo = _mm_set1_epi16 (32);
      __m128i hi = lo;

      for (int i = 0; i < n; i++)
        {
          const __m128i v = _mm_loadu_si128 ((const __m128i *) (rows[i] + x));
          const __m128i c = _mm_set1_epi16 ((short) coeff[i]);

          lo = _mm_adds_epi16 (lo, _mm_mullo_epi16 (_mm_unpacklo_epi8 (v, zero), c));
          hi = _mm_adds_epi16 (hi, _mm_mullo_epi16 (_mm_unpackhi_epi8 (v, zero), c));
        }
      lo = _mm_srai_epi16 (lo, 6);
      hi = _mm_srai_epi16 (hi, 6);
      _mm_storeu_si128 ((__m128i *) (out + x), _mm_packus_epi16 (lo, hi));
    }
#endif
  for (; x < ne; x++)
    {
      int sum = 32;

      for (int i = 0; i < n; i++)
        {
          gint16 term = (gint16) (rows[i][x] * coeff[i]);

          sum = CLAMP (sum + term, G_MININT16, G_MAXINT16);
        }
      sum >>= 6;
      out[x] = (guint8) CLAMP (sum, 0, 255);
    }
}

/* reducev's C path (no vector path): int sums of 12-bit coefficients. */
static void
reduce_line_fixed (guint8 *out, const guint8 *const *rows, const int *coeff, int n, int ne)
{
  for (int x = 0; x < ne; x++)
    {
      int sum = 0;

      for (int i = 0; i < n; i++)
        sum += coeff[i] * rows[i][x];
      out[x] = reduce_fixed_round (sum);
    }
}

/* The box's rounded mean, (sum + n / 2) / n as shrinkv and shrinkh take
 * it for 8-bit pixels, without a division: @reciprocal is
 * reduce_box_reciprocal (n), exact for sums below 2^16 (n <= 256). */
static inline guint8
reduce_box_mean (guint32 sum, int n, guint64 reciprocal)
{
  return (guint8) (((guint64) (sum + (guint32) n / 2) * reciprocal) >> 32);
}

static guint64
reduce_box_reciprocal (int n)
{
  return (((guint64) 1 << 32) + (guint64) n - 1) / (guint64) n;
}

/* vips_shrinkv() with ceil on @ne bytes a line: each output line the
 * rounded mean of @n input lines, the last input line repeated past the
 * end (its vips_embed()). */
static void
reduce_box_lines (const guint8 *in, gsize in_stride, int in_height, int n, int ne, int out_height,
                  guint8 *out)
{
  g_autofree guint16 *sum = g_new (guint16, ne);
  const guint64 reciprocal = reduce_box_reciprocal (n);

  for (int y = 0; y < out_height; y++)
    {
      const guint8 *first = in + (gsize) MIN (y * n, in_height - 1) * in_stride;

      /* The first line stores, so that nothing is cleared. */
      for (int x = 0; x < ne; x++)
        sum[x] = first[x];
      for (int k = 1; k < n; k++)
        {
          const guint8 *restrict line = in + (gsize) MIN (y * n + k, in_height - 1) * in_stride;

          for (int x = 0; x < ne; x++)
            sum[x] = (guint16) (sum[x] + line[x]);
        }
      for (int x = 0; x < ne; x++)
        out[(gsize) y * ne + x] = reduce_box_mean (sum[x], n, reciprocal);
    }
}

/* vips_shrinkh() with ceil, likewise along each line of pixels: the whole
 * boxes, then the last one, which repeats the line's last pixel. */
static void
reduce_box_pixels (const guint8 *in, int in_width, int height, int bands, int n, int out_width,
                   guint8 *out)
{
  const guint64 reciprocal = reduce_box_reciprocal (n);
  const int whole = in_width / n;

  for (int y = 0; y < height; y++)
    {
      const guint8 *line = in + (gsize) y * in_width * bands;
      guint8 *q = out + (gsize) y * out_width * bands;

      for (int x = 0; x < whole; x++)
        for (int b = 0; b < bands; b++)
          {
            const guint8 *p = line + (gsize) x * n * bands + b;
            guint32 sum = 0;

            for (int k = 0; k < n; k++)
              sum += p[k * bands];
            q[x * bands + b] = reduce_box_mean (sum, n, reciprocal);
          }
      for (int x = whole; x < out_width; x++)
        for (int b = 0; b < bands; b++)
          {
            guint32 sum = 0;

            for (int k = 0; k < n; k++)
              sum += line[(gsize) MIN (x * n + k, in_width - 1) * bands + b];
            q[x * bands + b] = reduce_box_mean (sum, n, reciprocal);
          }
    }
}

/* vips_reducev_gen() over the whole image (@in_height lines of @ne bytes,
 * @stride apart), a tile of lines at a time. */
static void
reduce_vertical (const ReduceAxis *axis, const guint8 *in, gsize stride, int in_height, int ne,
                 guint8 *out)
{
  const guint8 *rows[REDUCE_MAX_POINT];
  gboolean vector = vips_vector_isenabled ();

  for (int top = 0; top < axis->out_size; top += REDUCE_V_TILE)
    {
      double Y = (top + 0.5) * axis->shrink - 0.5 - axis->offset;
      int end = MIN (top + REDUCE_V_TILE, axis->out_size);

      for (int y = top; y < end; y++)
        {
          const int py = (int) Y;
          const int ty = reduce_phase (Y);

          /* Line py of vips_embed's copy-extended image. */
          for (int i = 0; i < axis->n_point; i++)
            rows[i] = in + (gsize) CLAMP (py + i - axis->pad, 0, in_height - 1) * stride;
          if (vector)
            reduce_line_vector (out + (gsize) y * ne, rows, axis->vector[ty], axis->n_point, ne);
          else
            reduce_line_fixed (out + (gsize) y * ne, rows, axis->fixed[ty], axis->n_point, ne);
          Y += axis->shrink;
        }
    }
}

#if defined(__SSE2__)
static int
reduce_sum_one_band (const guint8 *p, const gint16 *coeff, int n)
{
  const __m128i zero = _mm_setzero_si128 ();
  __m128i acc = zero;

  for (int i = 0; i < n; i += 8)
    {
      __m128i px = _mm_unpacklo_epi8 (_mm_loadl_epi64 ((const __m128i *) (p + i)), zero);
      __m128i c = _mm_load_si128 ((const __m128i *) (coeff + i));

      acc = _mm_add_epi32 (acc, _mm_madd_epi16 (px, c));
    }
  acc = _mm_add_epi32 (acc, _mm_shuffle_epi32 (acc, _MM_SHUFFLE (1, 0, 3, 2)));
  acc = _mm_add_epi32 (acc, _mm_shuffle_epi32 (acc, _MM_SHUFFLE (2, 3, 0, 1)));
  return _mm_cvtsi128_si32 (acc);
}
#endif

/* vips_reduceh_gen() for one line: @ext is the line copy-extended as
 * vips_embed() does it, with room to read a whole SIMD block past it. */
static void
reduce_horizontal_line (const ReduceAxis *axis, const guint8 *ext, int bands, guint8 *out)
{
  /* (r->left + 0.5) * hshrink - 0.5 - hoffset, whole lines: left 0. */
  double X = 0.5 * axis->shrink - 0.5 - axis->offset;

  for (int x = 0; x < axis->out_size; x++)
    {
      const int ix = (int) X;
      const int tx = reduce_phase (X);
      const guint8 *p = ext + (gsize) ix * bands;

#if defined(__SSE2__)
      if (bands == 1 && axis->fixed16_fits)
        out[x] = reduce_fixed_round (reduce_sum_one_band (p, axis->fixed16[tx], axis->n_point));
      else
#endif
        for (int z = 0; z < bands; z++)
          {
            int sum = 0;

            for (int i = 0; i < axis->n_point; i++)
              sum += axis->fixed[tx][i] * p[i * bands + z];
            out[x * bands + z] = reduce_fixed_round (sum);
          }
      X += axis->shrink;
    }
}

static void
reduce_horizontal (const ReduceAxis *axis, const guint8 *in, int in_width, int height, int bands,
                   guint8 *out)
{
  /* The extended line, and a block of 8 past its end for the last
   * point's 8-byte load: those bytes meet zero coefficients. */
  gsize ext_len = (gsize) (in_width + axis->n_point + REDUCE_MAX_POINT) * bands;
  g_autofree guint8 *ext = g_malloc0 (ext_len);

  for (int y = 0; y < height; y++)
    {
      const guint8 *line = in + (gsize) y * in_width * bands;

      const guint8 *last = line + (gsize) (in_width - 1) * bands;

      for (int j = 0; j < axis->pad; j++)
        memcpy (ext + (gsize) j * bands, line, bands);
      memcpy (ext + (gsize) axis->pad * bands, line, (gsize) in_width * bands);
      for (int j = axis->pad + in_width; j < in_width + axis->n_point; j++)
        memcpy (ext + (gsize) j * bands, last, bands);
      reduce_horizontal_line (axis, ext, bands, out + (gsize) y * axis->out_size * bands);
    }
}

VipsImage *
shardpix_reduce_resize (VipsImage *in, double hscale, double vscale)
{
  g_autofree ReduceAxis *h = g_new0 (ReduceAxis, 1);
  g_autofree ReduceAxis *v = g_new0 (ReduceAxis, 1);
  g_autoptr (VipsRegion) region = NULL;
  g_autoptr (VipsImage) out = NULL;
  g_autofree guint8 *lines = NULL;
  g_autofree guint8 *boxed = NULL;
  int bands = in->Bands;
  gsize ne = (gsize) in->Xsize * bands;
  const guint8 *rows;
  gsize stride;

  if (vips_version (0) != 8 || vips_version (1) != 14 || in->BandFmt != VIPS_FORMAT_UCHAR
      || in->Coding != VIPS_CODING_NONE)
    return NULL;
  /* vips_resize(): no axis below one pixel, and only a shrink on both. */
  hscale = MAX (hscale, 1.0 / in->Xsize);
  vscale = MAX (vscale, 1.0 / in->Ysize);
  if (hscale >= 1.0 || vscale >= 1.0 || !reduce_axis_init (v, in->Ysize, vscale)
      || !reduce_axis_init (h, in->Xsize, hscale)
      || (region = shardpix_whole_image_read (in, REDUCE_MAX_INPUT_BYTES)) == NULL)
    return NULL;
  rows = VIPS_REGION_ADDR (region, 0, 0);
  stride = VIPS_REGION_LSKIP (region);
  if (v->int_shrink > 1)
    {
      boxed = g_malloc (ne * v->in_size);
      reduce_box_lines (rows, stride, in->Ysize, v->int_shrink, (int) ne, v->in_size, boxed);
      rows = boxed;
      stride = ne;
    }
  lines = g_malloc (ne * v->out_size);
  reduce_vertical (v, rows, stride, v->in_size, (int) ne, lines);
  if (h->int_shrink > 1)
    {
      g_free (boxed);
      boxed = g_malloc ((gsize) h->in_size * bands * v->out_size);
      reduce_box_pixels (lines, in->Xsize, v->out_size, bands, h->int_shrink, h->in_size, boxed);
      g_free (lines);
      lines = g_steal_pointer (&boxed);
    }
  if ((out = shardpix_whole_image_like (in, h->out_size, v->out_size, bands)) == NULL)
    return NULL;
  reduce_horizontal (h, lines, h->in_size, v->out_size, bands, VIPS_IMAGE_ADDR (out, 0, 0));
  return g_steal_pointer (&out);
}
