#include "shardpix/jpeg-dc-entropy.h"

#include <string.h>

gboolean
shardpix_jpeg_dc_table_build (ShardpixJpegDcTable *t, const guint8 *counts, const guint8 *values,
                              guint total, gboolean dc)
{
  gint32 code = 0;
  guint k = 0;

  memset (t, 0, sizeof *t);
  memcpy (t->counts, counts, sizeof t->counts);
  t->total = total;
  memcpy (t->values, values, total);
  for (guint i = 0; dc && i < total; i++)
    if (values[i] > 15)
      return FALSE;
  for (int len = 1; len <= 16; len++)
    {
      guint n = counts[len - 1];

      t->valoffset[len] = (gint32) k - code;
      /* jdhuff.c: the codes of a length must leave the all-ones code
       * unused, so no code may reach 1 << len. */
      if (code + (gint32) n >= (1 << len))
        return FALSE;
      for (guint i = 0; i < n; i++, k++, code++)
        if (len <= 9)
          {
            int spare = 9 - len;

            for (int fill = 0; fill < (1 << spare); fill++)
              {
                t->lookup_len[(code << spare) | fill] = (guint8) len;
                t->lookup_value[(code << spare) | fill] = values[k];
              }
          }
      t->maxcode[len] = n > 0 ? code - 1 : -1;
      code <<= 1;
    }
  t->maxcode[17] = G_MAXINT32;
  t->defined = TRUE;
  return TRUE;
}

void
shardpix_jpeg_dc_bits_init (ShardpixJpegDcBits *b, const guint8 *data, gsize len, gsize pos)
{
  *b = (ShardpixJpegDcBits){ .data = data, .len = len, .pos = pos };
}

static void
jpeg_dc_bits_fill (ShardpixJpegDcBits *b)
{
  while (b->count <= 24)
    {
      guint byte = 0;

      if (!b->hit_marker)
        {
          if (b->pos >= b->len)
            b->hit_marker = TRUE;
          else if (b->data[b->pos] != 0xFF)
            byte = b->data[b->pos++];
          else
            {
              gsize next = b->pos + 1;

              /* Fill FFs before a 00 or a marker, as jdhuff.c skips them. */
              while (next < b->len && b->data[next] == 0xFF)
                next++;
              if (next < b->len && b->data[next] == 0x00)
                {
                  byte = 0xFF;
                  b->pos = next + 1;
                }
              else
                b->hit_marker = TRUE;
            }
        }
      if (b->hit_marker)
        b->phantom += 8;
      b->bits |= (guint32) byte << (24 - b->count);
      b->count += 8;
    }
}

guint
shardpix_jpeg_dc_bits_get (ShardpixJpegDcBits *b, int n)
{
  guint value;

  if (n == 0)
    return 0;
  jpeg_dc_bits_fill (b);
  value = b->bits >> (32 - n);
  b->bits <<= n;
  b->count -= n;
  return value;
}

int
shardpix_jpeg_dc_decode_symbol (ShardpixJpegDcBits *b, const ShardpixJpegDcTable *t)
{
  guint peek;
  gint32 code;
  int len;

  jpeg_dc_bits_fill (b);
  peek = b->bits >> (32 - 9);
  if (t->lookup_len[peek] != 0)
    {
      len = t->lookup_len[peek];
      b->bits <<= len;
      b->count -= len;
      return t->lookup_value[peek];
    }
  code = (gint32) shardpix_jpeg_dc_bits_get (b, 10);
  for (len = 10; len <= 16 && code > t->maxcode[len]; len++)
    code = (code << 1) | (gint32) shardpix_jpeg_dc_bits_get (b, 1);
  if (len > 16)
    return -1;
  return t->values[(t->valoffset[len] + code) & 0xFF];
}

gboolean
shardpix_jpeg_dc_bits_real (const ShardpixJpegDcBits *b)
{
  return b->phantom <= b->count;
}

gsize
shardpix_jpeg_dc_bits_end (const ShardpixJpegDcBits *b)
{
  if (!shardpix_jpeg_dc_bits_real (b) || b->count - b->phantom >= 8)
    return G_MAXSIZE;
  return b->pos;
}

gboolean
shardpix_jpeg_dc_bits_restart (ShardpixJpegDcBits *b, int *expected)
{
  gsize pos = shardpix_jpeg_dc_bits_end (b);

  if (pos == G_MAXSIZE || pos >= b->len || b->data[pos] != 0xFF)
    return FALSE;
  while (pos < b->len && b->data[pos] == 0xFF)
    pos++;
  if (pos >= b->len || b->data[pos] != 0xD0 + (guint) *expected)
    return FALSE;
  shardpix_jpeg_dc_bits_init (b, b->data, b->len, pos + 1);
  *expected = (*expected + 1) & 7;
  return TRUE;
}

/* The decoder stops at any marker, but the RSTn it meets are read by
 * process_restart() or, after the scan, by read_markers(). */
gsize
shardpix_jpeg_dc_entropy_end (const guint8 *data, gsize len, gsize from)
{
  for (gsize i = from; i + 1 < len; i++)
    if (data[i] == 0xFF && data[i + 1] != 0x00 && data[i + 1] != 0xFF
        && (data[i + 1] < 0xD0 || data[i + 1] > 0xD7))
      return data[i + 1] == 0x01 ? G_MAXSIZE : i;
  return G_MAXSIZE;
}

gint
shardpix_jpeg_dc_int16 (guint32 value)
{
  guint low = value & 0xFFFF;

  return low >= 0x8000 ? (gint) low - 0x10000 : (gint) low;
}

/* T.81 F.12, EXTEND. */
static gint32
jpeg_dc_extend (guint value, int size)
{
  if (size == 0)
    return 0;
  if (value < (1u << (size - 1)))
    return (gint32) value - (gint32) ((1u << size) - 1);
  return (gint32) value;
}

gboolean
shardpix_jpeg_dc_block (ShardpixJpegDcBits *b, const ShardpixJpegDcTable *table,
                        gint32 *predictor, int ah, int al, gint16 *slot)
{
  if (ah == 0)
    {
      int size = shardpix_jpeg_dc_decode_symbol (b, table);
      gint32 diff;

      if (size < 0)
        return FALSE;
      diff = jpeg_dc_extend (shardpix_jpeg_dc_bits_get (b, size), size);
      /* libjpeg's JERR_BAD_DCT_COEF: the sum must fit an int. */
      if ((*predictor >= 0 && diff > G_MAXINT32 - *predictor)
          || (*predictor < 0 && diff < G_MININT32 - *predictor))
        return FALSE;
      *predictor += diff;
      if (slot != NULL)
        *slot = (gint16) shardpix_jpeg_dc_int16 ((guint32) *predictor << al);
    }
  else if (shardpix_jpeg_dc_bits_get (b, 1) && slot != NULL)
    *slot = (gint16) (*slot | (1 << al));
  return TRUE;
}
