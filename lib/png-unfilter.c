/* PNG's row filters undone (png-unfilter.h). Up is done 16 bytes at a
 * time in SSE2 (gcc -O2 leaves the byte loop scalar). Sub, Average and
 * Paeth are done a pixel at a time in SSE2, as libpng's own intrinsics do
 * for 3 and 4 bytes a pixel (Debian builds libpng without them): they
 * cannot go wider, each pixel depends on the one to its left. What makes
 * them fast is that the left pixel stays in a register and that each
 * pixel is read with one plain load (unfilter_load_wide()). A pixel of up
 * to 8 bytes (16-bit RGBA) fits one register as 16-bit lanes. */
#include "shardpix/png-unfilter.h"

#include <stdlib.h>
#include <string.h>

#include <emmintrin.h>
#include <smmintrin.h>

gboolean
shardpix_png_unfilter_valid (const guint8 *data, gsize row_bytes, guint height)
{
  for (guint y = 0; y < height; y++)
    if (data[(gsize) y * (row_bytes + 1)] > 4)
      return FALSE;
  return TRUE;
}

/* The last pixel of a row, whose wide read would pass its end. */
static inline __m128i
unfilter_load (const guint8 *p, int bpp)
{
  guint64 v = 0;

  memcpy (&v, p, (gsize) bpp);
  return _mm_cvtsi64_si128 ((long long) v);
}

static inline void
unfilter_store (guint8 *p, __m128i v, int bpp)
{
  guint64 w = (guint64) _mm_cvtsi128_si64 (v);

  memcpy (p, &w, (gsize) bpp);
}

static inline __m128i
unfilter_abs16 (__m128i x)
{
  return _mm_max_epi16 (x, _mm_sub_epi16 (_mm_setzero_si128 (), x));
}

/* Up: each byte plus the one above it, modulo 256. */
static void
unfilter_up (guint8 *row, const guint8 *prev, gsize row_bytes)
{
  gsize i = 0;

  for (; i + 16 <= row_bytes; i += 16)
    _mm_storeu_si128 ((__m128i *) (row + i),
                      _mm_add_epi8 (_mm_loadu_si128 ((const __m128i *) (row + i)),
                                    _mm_loadu_si128 ((const __m128i *) (prev + i))));
  for (; i < row_bytes; i++)
    row[i] = (guint8) (row[i] + prev[i]);
}

/* A pixel's bytes as 16-bit lanes, read as @wide bytes (4 or 8) whatever
 * the pixel's size (the caller keeps the read inside the row). Copying
 * only the pixel's bytes into a zeroed word, as unfilter_load() does, goes
 * through the stack, and the load of that word then waits for the stores
 * before it: a failed store-to-load forward, two a pixel. That made Paeth
 * on RGB 3.8x slower (the rows of 8 of seed-1000's PNGs, byte-identical
 * results), and Sub and Average slower than bytes. */
static inline __m128i
unfilter_load_wide (const guint8 *p, const int wide)
{
  __m128i v;

  if (wide == 4)
    {
      guint32 w;

      memcpy (&w, p, 4);
      v = _mm_cvtsi32_si128 ((int) w);
    }
  else
    v = _mm_loadl_epi64 ((const __m128i *) p);
  return _mm_unpacklo_epi8 (v, _mm_setzero_si128 ());
}

typedef __m128i (*UnfilterAbs) (__m128i x);
typedef __m128i (*UnfilterBlend) (__m128i no, __m128i yes, __m128i mask);

/* The blend is SSE2's select, written as no ^ ((no ^ yes) & mask): where
 * no and yes are known early, as b and c are, only the last two steps wait
 * for the mask. */
static inline __m128i
unfilter_blend (__m128i no, __m128i yes, __m128i mask)
{
  return _mm_xor_si128 (no, _mm_and_si128 (_mm_xor_si128 (no, yes), mask));
}

/* SSE4.1's abs and blend are one step each where SSE2 takes two: Paeth on
 * seed-1000's RGB rows 0.81x the time. Chosen at run time
 * (shardpix_png_unfilter_row()). */
#define UNFILTER_SSE41 __attribute__ ((target ("sse4.1")))

static inline UNFILTER_SSE41 __m128i
unfilter_abs16_sse41 (__m128i x)
{
  return _mm_abs_epi16 (x);
}

static inline UNFILTER_SSE41 __m128i
unfilter_blend_sse41 (__m128i no, __m128i yes, __m128i mask)
{
  return _mm_blendv_epi8 (no, yes, mask);
}

/* Paeth on 16-bit lanes: a is left, b above, c above-left, d the filtered
 * bytes. The predictor is whichever of a, b, c is nearest to a + b - c,
 * ties in that order: a unless |p - a| is beaten, else b unless |p - b| is
 * beaten. Ordered for the chain from one pixel to the next, which runs
 * through a: pa and the b-or-c choice's inputs do not wait for it. */
static inline __attribute__ ((always_inline)) __m128i
unfilter_paeth_steps (__m128i a, __m128i b, __m128i c, __m128i d, UnfilterAbs abs16,
                      UnfilterBlend blend)
{
  __m128i pa = _mm_sub_epi16 (b, c); /* |p - a| = |b - c| */
  __m128i pb = _mm_sub_epi16 (a, c); /* |p - b| = |a - c| */
  __m128i pc = _mm_add_epi16 (pa, pb);
  __m128i not_a;
  __m128i b_or_c;

  pa = abs16 (pa);
  pb = abs16 (pb);
  pc = abs16 (pc);
  not_a = _mm_or_si128 (_mm_cmpgt_epi16 (pa, pb), _mm_cmpgt_epi16 (pa, pc));
  b_or_c = blend (b, c, _mm_cmpgt_epi16 (pb, pc));
  return _mm_and_si128 (_mm_add_epi16 (d, blend (a, b_or_c, not_a)), _mm_set1_epi16 (0xff));
}

static inline __m128i
unfilter_paeth_pixel (__m128i a, __m128i b, __m128i c, __m128i d)
{
  return unfilter_paeth_steps (a, b, c, d, unfilter_abs16, unfilter_blend);
}

static inline UNFILTER_SSE41 __m128i
unfilter_paeth_pixel_sse41 (__m128i a, __m128i b, __m128i c, __m128i d)
{
  return unfilter_paeth_steps (a, b, c, d, unfilter_abs16_sse41, unfilter_blend_sse41);
}

/* Sub and Average: a byte loop reads the left pixel back from the row it
 * has just stored, a wait on each byte. */
static inline __m128i
unfilter_sub_pixel (__m128i a, __m128i b, __m128i c, __m128i d)
{
  return _mm_and_si128 (_mm_add_epi16 (d, a), _mm_set1_epi16 (0xff));
}

static inline __m128i
unfilter_average_pixel (__m128i a, __m128i b, __m128i c, __m128i d)
{
  return _mm_and_si128 (_mm_add_epi16 (d, _mm_srli_epi16 (_mm_add_epi16 (a, b), 1)),
                        _mm_set1_epi16 (0xff));
}

typedef __m128i (*UnfilterPixel) (__m128i a, __m128i b, __m128i c, __m128i d);

/* One filter over a row of 1- to 8-byte pixels: @pixel takes a (left), b
 * (above), c (above-left) and d (the filtered bytes) as 16-bit lanes and
 * returns the pixel. Inlined with a constant @pixel and @bpp, so that each
 * filter and pixel size gets its own loop. */
static inline __attribute__ ((always_inline)) void
unfilter_pixels (guint8 *row, const guint8 *prev, gsize row_bytes, const int bpp,
                 UnfilterPixel pixel)
{
  const __m128i zero = _mm_setzero_si128 ();
  const int wide = bpp <= 4 ? 4 : 8;
  __m128i a = zero;
  __m128i c = zero;
  gsize i = 0;

  /* @wide bytes each from both rows, while they are in the row. */
  for (; i + (gsize) wide <= row_bytes; i += (gsize) bpp)
    {
      __m128i b = unfilter_load_wide (prev + i, wide);

      a = pixel (a, b, c, unfilter_load_wide (row + i, wide));
      c = b;
      unfilter_store (row + i, _mm_packus_epi16 (a, a), bpp);
    }
  for (; i < row_bytes; i += (gsize) bpp)
    {
      __m128i b = _mm_unpacklo_epi8 (unfilter_load (prev + i, bpp), zero);

      a = pixel (a, b, c, _mm_unpacklo_epi8 (unfilter_load (row + i, bpp), zero));
      c = b;
      unfilter_store (row + i, _mm_packus_epi16 (a, a), bpp);
    }
}

typedef void (*UnfilterRow) (guint8 *row, const guint8 *prev, gsize row_bytes);

#define UNFILTER_ROW_BY_PIXEL(name, bpp, pixel, ...)                                          \
  static __VA_ARGS__ void name (guint8 *row, const guint8 *prev, gsize row_bytes)             \
  {                                                                                            \
    unfilter_pixels (row, prev, row_bytes, bpp, pixel);                                        \
  }

UNFILTER_ROW_BY_PIXEL (unfilter_sub1, 1, unfilter_sub_pixel)
UNFILTER_ROW_BY_PIXEL (unfilter_sub2, 2, unfilter_sub_pixel)
UNFILTER_ROW_BY_PIXEL (unfilter_sub3, 3, unfilter_sub_pixel)
UNFILTER_ROW_BY_PIXEL (unfilter_sub4, 4, unfilter_sub_pixel)
UNFILTER_ROW_BY_PIXEL (unfilter_sub6, 6, unfilter_sub_pixel)
UNFILTER_ROW_BY_PIXEL (unfilter_sub8, 8, unfilter_sub_pixel)
UNFILTER_ROW_BY_PIXEL (unfilter_average1, 1, unfilter_average_pixel)
UNFILTER_ROW_BY_PIXEL (unfilter_average2, 2, unfilter_average_pixel)
UNFILTER_ROW_BY_PIXEL (unfilter_average3, 3, unfilter_average_pixel)
UNFILTER_ROW_BY_PIXEL (unfilter_average4, 4, unfilter_average_pixel)
UNFILTER_ROW_BY_PIXEL (unfilter_average6, 6, unfilter_average_pixel)
UNFILTER_ROW_BY_PIXEL (unfilter_average8, 8, unfilter_average_pixel)
UNFILTER_ROW_BY_PIXEL (unfilter_paeth2, 2, unfilter_paeth_pixel)
UNFILTER_ROW_BY_PIXEL (unfilter_paeth3, 3, unfilter_paeth_pixel)
UNFILTER_ROW_BY_PIXEL (unfilter_paeth4, 4, unfilter_paeth_pixel)
UNFILTER_ROW_BY_PIXEL (unfilter_paeth6, 6, unfilter_paeth_pixel)
UNFILTER_ROW_BY_PIXEL (unfilter_paeth8, 8, unfilter_paeth_pixel)
UNFILTER_ROW_BY_PIXEL (unfilter_paeth2_sse41, 2, unfilter_paeth_pixel_sse41, UNFILTER_SSE41)
UNFILTER_ROW_BY_PIXEL (unfilter_paeth3_sse41, 3, unfilter_paeth_pixel_sse41, UNFILTER_SSE41)
UNFILTER_ROW_BY_PIXEL (unfilter_paeth4_sse41, 4, unfilter_paeth_pixel_sse41, UNFILTER_SSE41)
UNFILTER_ROW_BY_PIXEL (unfilter_paeth6_sse41, 6, unfilter_paeth_pixel_sse41, UNFILTER_SSE41)
UNFILTER_ROW_BY_PIXEL (unfilter_paeth8_sse41, 8, unfilter_paeth_pixel_sse41, UNFILTER_SSE41)

/* Paeth on grey stays a byte loop: the pixel loop was slower there
 * (1.23x on the artwork folder's grey rows). */
static void
unfilter_paeth1 (guint8 *row, const guint8 *prev, gsize row_bytes)
{
  if (row_bytes > 0)
    row[0] = (guint8) (row[0] + prev[0]);
  for (gsize i = 1; i < row_bytes; i++)
    {
      int a = row[i - 1];
      int b = prev[i];
      int c = prev[i - 1];
      int pa = abs (b - c);
      int pb = abs (a - c);
      int pc = abs (a + b - 2 * c);

      row[i] = (guint8) (row[i] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c));
    }
}

void
shardpix_png_unfilter_row_with (guint8 filter, guint8 *row, const guint8 *prev, gsize row_bytes,
                                int bpp, gboolean sse41)
{
  /* One loop per filter and pixel size (PNG's: 1-4, 6 and 8 bytes). */
  static const UnfilterRow by_pixel[5][9] = {
    [1] = { [1] = unfilter_sub1, unfilter_sub2, unfilter_sub3, unfilter_sub4,
            [6] = unfilter_sub6, [8] = unfilter_sub8 },
    [3] = { [1] = unfilter_average1, unfilter_average2, unfilter_average3, unfilter_average4,
            [6] = unfilter_average6, [8] = unfilter_average8 },
    [4] = { [1] = unfilter_paeth1, unfilter_paeth2, unfilter_paeth3, unfilter_paeth4,
            [6] = unfilter_paeth6, [8] = unfilter_paeth8 },
  };
  static const UnfilterRow paeth_sse41[9] = { [1] = unfilter_paeth1, unfilter_paeth2_sse41,
                                              unfilter_paeth3_sse41, unfilter_paeth4_sse41,
                                              [6] = unfilter_paeth6_sse41,
                                              [8] = unfilter_paeth8_sse41 };

  g_return_if_fail ((bpp >= 1 && bpp <= 4) || bpp == 6 || bpp == 8);
  if (filter == 2)
    unfilter_up (row, prev, row_bytes);
  else if (filter == 4 && sse41)
    paeth_sse41[bpp](row, prev, row_bytes);
  else if (filter == 1 || filter == 3 || filter == 4)
    by_pixel[filter][bpp](row, prev, row_bytes);
}

gboolean
shardpix_png_unfilter_has_sse41 (void)
{
  return __builtin_cpu_supports ("sse4.1");
}

void
shardpix_png_unfilter_row (guint8 filter, guint8 *row, const guint8 *prev, gsize row_bytes, int bpp)
{
  shardpix_png_unfilter_row_with (filter, row, prev, row_bytes, bpp,
                                  shardpix_png_unfilter_has_sse41 ());
}
