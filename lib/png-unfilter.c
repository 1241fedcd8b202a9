/* PNG's row filters undone (png-unfilter.h). Up is done 16 bytes at a
 * time in SSE2 (gcc -O2 leaves the byte loop scalar). Paeth, the
 * costliest, is done a pixel at a time in SSE2 for 3 and 4 bytes a pixel,
 * as libpng's own intrinsics do (Debian builds libpng without them): it
 * cannot go wider, each pixel depends on the one to its left. Sub and
 * Average done the same way took fewer instructions but more time (CPU
 * 1.041x on the artwork folder, paired: a pixel's three-byte load and
 * store cost more than the byte loop they replace), so they stay bytes. */
#include "shardpix/png-unfilter.h"

#include <stdlib.h>
#include <string.h>

#include <emmintrin.h>

gboolean
shardpix_png_unfilter_valid (const guint8 *data, gsize row_bytes, guint height)
{
  for (guint y = 0; y < height; y++)
    if (data[(gsize) y * (row_bytes + 1)] > 4)
      return FALSE;
  return TRUE;
}

static inline __m128i
unfilter_load (const guint8 *p, int bpp)
{
  guint32 v = 0;

  memcpy (&v, p, (gsize) bpp);
  return _mm_cvtsi32_si128 ((int) v);
}

static inline void
unfilter_store (guint8 *p, __m128i v, int bpp)
{
  guint32 w = (guint32) _mm_cvtsi128_si32 (v);

  memcpy (p, &w, (gsize) bpp);
}

static inline __m128i
unfilter_abs16 (__m128i x)
{
  return _mm_max_epi16 (x, _mm_sub_epi16 (_mm_setzero_si128 (), x));
}

static inline __m128i
unfilter_select (__m128i mask, __m128i yes, __m128i no)
{
  return _mm_or_si128 (_mm_and_si128 (mask, yes), _mm_andnot_si128 (mask, no));
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

/* Paeth on 16-bit lanes: a is left, b above, c above-left. The predictor
 * is whichever of a, b, c is nearest to a + b - c, ties in that order. */
static inline void
unfilter_paeth_simd (guint8 *row, const guint8 *prev, gsize row_bytes, const int bpp)
{
  const __m128i zero = _mm_setzero_si128 ();
  __m128i a = zero;
  __m128i c = zero;

  for (gsize i = 0; i < row_bytes; i += (gsize) bpp)
    {
      __m128i b = _mm_unpacklo_epi8 (unfilter_load (prev + i, bpp), zero);
      __m128i d = _mm_unpacklo_epi8 (unfilter_load (row + i, bpp), zero);
      __m128i pa = _mm_sub_epi16 (b, c); /* |p - a| = |b - c| */
      __m128i pb = _mm_sub_epi16 (a, c); /* |p - b| = |a - c| */
      __m128i pc = _mm_add_epi16 (pa, pb);
      __m128i smallest;
      __m128i nearest;

      pa = unfilter_abs16 (pa);
      pb = unfilter_abs16 (pb);
      pc = unfilter_abs16 (pc);
      smallest = _mm_min_epi16 (pc, _mm_min_epi16 (pa, pb));
      nearest = unfilter_select (_mm_cmpeq_epi16 (smallest, pa), a,
                                 unfilter_select (_mm_cmpeq_epi16 (smallest, pb), b, c));
      a = _mm_and_si128 (_mm_add_epi16 (d, nearest), _mm_set1_epi16 (0xff));
      c = b;
      unfilter_store (row + i, _mm_packus_epi16 (a, a), bpp);
    }
}

static void
unfilter_paeth (guint8 *row, const guint8 *prev, gsize row_bytes, int bpp)
{
  if (bpp == 3)
    {
      unfilter_paeth_simd (row, prev, row_bytes, 3);
      return;
    }
  if (bpp == 4)
    {
      unfilter_paeth_simd (row, prev, row_bytes, 4);
      return;
    }
  for (gsize i = 0; i < (gsize) bpp && i < row_bytes; i++)
    row[i] = (guint8) (row[i] + prev[i]);
  for (gsize i = (gsize) bpp; i < row_bytes; i++)
    {
      int a = row[i - bpp];
      int b = prev[i];
      int c = prev[i - bpp];
      int pa = abs (b - c);
      int pb = abs (a - c);
      int pc = abs (a + b - 2 * c);

      row[i] = (guint8) (row[i] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c));
    }
}

void
shardpix_png_unfilter_row (guint8 filter, guint8 *row, const guint8 *prev, gsize row_bytes, int bpp)
{
  switch (filter)
    {
    case 1: /* Sub */
      for (gsize i = (gsize) bpp; i < row_bytes; i++)
        row[i] = (guint8) (row[i] + row[i - bpp]);
      break;
    case 2: /* Up */
      unfilter_up (row, prev, row_bytes);
      break;
    case 3: /* Average */
      for (gsize i = 0; i < (gsize) bpp && i < row_bytes; i++)
        row[i] = (guint8) (row[i] + (prev[i] >> 1));
      for (gsize i = (gsize) bpp; i < row_bytes; i++)
        row[i] = (guint8) (row[i] + ((row[i - bpp] + prev[i]) >> 1));
      break;
    case 4:
      unfilter_paeth (row, prev, row_bytes, bpp);
      break;
    default: /* None */
      break;
    }
}
