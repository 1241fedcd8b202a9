#include "jpeg-dc.h"

#include <string.h>

/* The subset of ITU T.81 this needs: progressive Huffman JPEGs (SOF2), their
 * DC scans (first and refinement), restart intervals. The AC scans are
 * stepped over without decoding them, and no coefficient buffer is kept but
 * one DC value per luminance block. */

#define JPEG_DC_MAX_COMPONENTS 4

typedef struct {
  guint8 lookup_len[1 << 9];  /* codes of up to 9 bits, by their bits */
  guint8 lookup_value[1 << 9];
  gint32 maxcode[18];         /* the slow path, as libjpeg's jdhuff.c */
  gint32 valoffset[18];
  guint8 values[256];
  gboolean defined;
} JpegDcTable;

typedef struct {
  guint8 id;
  int h, v;           /* sampling factors */
  int quant;          /* quantisation table selector */
  int blocks_w, blocks_h;
} JpegDcComponent;

typedef struct {
  const guint8 *data;
  gsize len;
  gsize pos;
  guint32 bits;
  int count;
  gboolean hit_marker;
  int phantom; /* zero bits made up after a marker, at the end of bits */
} JpegDcBits;

typedef struct {
  int width, height;
  int components;
  int hmax, vmax;
  int restart_interval;
  JpegDcComponent comp[JPEG_DC_MAX_COMPONENTS];
  guint16 quant_dc[4];
  gboolean quant_defined[4];
  int luma_quant;     /* latched at the first scan of the luminance */
  JpegDcTable dc_tables[4];
  /* Luminance DC coefficients, over the padded MCU grid. */
  gint32 *luma;
  int luma_stride, luma_rows;
  int luma_bit;       /* the lowest bit decoded so far, or -1: none yet */
} JpegDc;

static guint
jpeg_dc_be16 (const guint8 *p)
{
  return (guint) p[0] << 8 | p[1];
}

static void
jpeg_dc_bits_fill (JpegDcBits *b)
{
  while (b->count <= 24)
    {
      guint byte = 0;

      if (!b->hit_marker && b->pos < b->len)
        {
          byte = b->data[b->pos];
          if (byte == 0xFF)
            {
              if (b->pos + 1 < b->len && b->data[b->pos + 1] == 0x00)
                b->pos += 2;
              else
                {
                  /* A marker: what follows reads as zeros, as in libjpeg. */
                  b->hit_marker = TRUE;
                  byte = 0;
                }
            }
          else
            b->pos++;
        }
      else
        b->hit_marker = TRUE;
      if (b->hit_marker)
        b->phantom += 8;
      b->bits |= (guint32) byte << (24 - b->count);
      b->count += 8;
    }
}

static guint
jpeg_dc_bits_get (JpegDcBits *b, int n)
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

static gboolean
jpeg_dc_table_build (JpegDcTable *t, const guint8 *counts, const guint8 *values, guint total)
{
  gint32 code = 0;
  guint k = 0;

  memset (t, 0, sizeof *t);
  memcpy (t->values, values, total);
  for (int len = 1; len <= 16; len++)
    {
      guint n = counts[len - 1];

      t->valoffset[len] = (gint32) k - code;
      /* More codes than the length has room for: not a prefix code. */
      if (code + (gint32) n > (1 << len))
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

/* One Huffman symbol, or -1 for a code no table has. */
static int
jpeg_dc_decode_symbol (JpegDcBits *b, const JpegDcTable *t)
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
  code = (gint32) jpeg_dc_bits_get (b, 10);
  for (len = 10; len <= 16 && code > t->maxcode[len]; len++)
    code = (code << 1) | (gint32) jpeg_dc_bits_get (b, 1);
  if (len > 16)
    return -1;
  return t->values[(t->valoffset[len] + code) & 0xFF];
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

static gboolean
jpeg_dc_parse_sof (JpegDc *dc, const guint8 *s, gsize len)
{
  if (len < 6 || s[0] != 8)
    return FALSE;
  dc->height = (int) jpeg_dc_be16 (s + 1);
  dc->width = (int) jpeg_dc_be16 (s + 3);
  dc->components = s[5];
  if (dc->width < 1 || dc->height < 1 || dc->components < 1
      || dc->components > JPEG_DC_MAX_COMPONENTS || len < 6 + 3 * (gsize) dc->components)
    return FALSE;
  for (int c = 0; c < dc->components; c++)
    {
      JpegDcComponent *comp = &dc->comp[c];

      comp->id = s[6 + 3 * c];
      comp->h = s[7 + 3 * c] >> 4;
      comp->v = s[7 + 3 * c] & 15;
      comp->quant = s[8 + 3 * c];
      if (comp->h < 1 || comp->h > 4 || comp->v < 1 || comp->v > 4 || comp->quant > 3)
        return FALSE;
      dc->hmax = MAX (dc->hmax, comp->h);
      dc->vmax = MAX (dc->vmax, comp->v);
    }
  /* The luminance must be the full-resolution component: each of its
   * blocks is then one output pixel, with nothing to upsample. */
  if (dc->comp[0].h != dc->hmax || dc->comp[0].v != dc->vmax)
    return FALSE;
  for (int c = 0; c < dc->components; c++)
    {
      JpegDcComponent *comp = &dc->comp[c];
      int width = (dc->width * comp->h + dc->hmax - 1) / dc->hmax;
      int height = (dc->height * comp->v + dc->vmax - 1) / dc->vmax;

      comp->blocks_w = (width + 7) / 8;
      comp->blocks_h = (height + 7) / 8;
    }
  dc->luma_stride = (dc->width + 8 * dc->hmax - 1) / (8 * dc->hmax) * dc->comp[0].h;
  dc->luma_rows = (dc->height + 8 * dc->vmax - 1) / (8 * dc->vmax) * dc->comp[0].v;
  dc->luma = g_try_new0 (gint32, (gsize) dc->luma_stride * (gsize) dc->luma_rows);
  return dc->luma != NULL;
}

static gboolean
jpeg_dc_parse_dqt (JpegDc *dc, const guint8 *s, gsize len)
{
  gsize pos = 0;

  while (pos < len)
    {
      int precision = s[pos] >> 4, table = s[pos] & 15;
      gsize size = precision ? 128 : 64;

      if (table > 3 || precision > 1 || pos + 1 + size > len)
        return FALSE;
      dc->quant_dc[table] = precision ? (guint16) jpeg_dc_be16 (s + pos + 1) : s[pos + 1];
      dc->quant_defined[table] = TRUE;
      pos += 1 + size;
    }
  return TRUE;
}

static gboolean
jpeg_dc_parse_dht (JpegDc *dc, const guint8 *s, gsize len)
{
  gsize pos = 0;

  while (pos < len)
    {
      int class = s[pos] >> 4, table = s[pos] & 15;
      guint total = 0;

      if (table > 3 || class > 1 || pos + 17 > len)
        return FALSE;
      for (int i = 0; i < 16; i++)
        total += s[pos + 1 + i];
      if (total > 256 || pos + 17 + total > len)
        return FALSE;
      if (class == 0
          && !jpeg_dc_table_build (&dc->dc_tables[table], s + pos + 1, s + pos + 17, total))
        return FALSE;
      pos += 17 + total;
    }
  return TRUE;
}

/* Whether every bit read so far was in the data: past a marker, libjpeg
 * would warn and make up zeros, and the libvips path should judge. */
static gboolean
jpeg_dc_bits_real (const JpegDcBits *b)
{
  return b->phantom <= b->count;
}

static gboolean
jpeg_dc_restart (JpegDcBits *b, int *expected)
{
  /* The bits left in the byte are padding; then RSTn must follow. */
  if (!jpeg_dc_bits_real (b))
    return FALSE;
  b->bits = 0;
  b->count = 0;
  b->phantom = 0;
  b->hit_marker = FALSE;
  if (b->pos + 1 >= b->len || b->data[b->pos] != 0xFF
      || b->data[b->pos + 1] != 0xD0 + (guint) *expected)
    return FALSE;
  b->pos += 2;
  *expected = (*expected + 1) & 7;
  return TRUE;
}

/* One DC scan over the entropy-coded bytes @data. */
static gboolean
jpeg_dc_scan (JpegDc *dc, const int *members, const int *tables, int count, int ah, int al,
              const guint8 *data, gsize len)
{
  JpegDcBits b = { .data = data, .len = len };
  gint32 predictor[JPEG_DC_MAX_COMPONENTS] = { 0 };
  int mcus_w, mcus_h, next_restart = 0, until_restart = dc->restart_interval;
  gboolean interleaved = count > 1;
  gboolean has_luma = FALSE;

  for (int i = 0; i < count; i++)
    {
      if (members[i] == 0)
        has_luma = TRUE;
      if (ah == 0 && !dc->dc_tables[tables[i]].defined)
        return FALSE;
    }
  if (has_luma)
    {
      /* Refinements must continue the luminance's successive approximation. */
      if (ah == 0 ? dc->luma_bit != -1 : ah != dc->luma_bit || al != ah - 1)
        return FALSE;
      if (dc->luma_bit == -1)
        {
          if (!dc->quant_defined[dc->comp[0].quant])
            return FALSE;
          dc->luma_quant = dc->quant_dc[dc->comp[0].quant];
        }
      dc->luma_bit = al;
    }
  if (interleaved)
    {
      mcus_w = (dc->width + 8 * dc->hmax - 1) / (8 * dc->hmax);
      mcus_h = (dc->height + 8 * dc->vmax - 1) / (8 * dc->vmax);
    }
  else
    {
      mcus_w = dc->comp[members[0]].blocks_w;
      mcus_h = dc->comp[members[0]].blocks_h;
    }
  for (int my = 0; my < mcus_h; my++)
    for (int mx = 0; mx < mcus_w; mx++)
      {
        if (dc->restart_interval != 0)
          {
            if (until_restart == 0)
              {
                if (!jpeg_dc_restart (&b, &next_restart))
                  return FALSE;
                memset (predictor, 0, sizeof predictor);
                until_restart = dc->restart_interval;
              }
            until_restart--;
          }
        for (int i = 0; i < count; i++)
          {
            const JpegDcComponent *comp = &dc->comp[members[i]];
            int bh = interleaved ? comp->h : 1, bv = interleaved ? comp->v : 1;

            for (int v = 0; v < bv; v++)
              for (int h = 0; h < bh; h++)
                {
                  gint32 *slot = NULL;

                  if (members[i] == 0)
                    {
                      int x = interleaved ? mx * comp->h + h : mx;
                      int y = interleaved ? my * comp->v + v : my;

                      slot = &dc->luma[(gsize) y * (gsize) dc->luma_stride + (gsize) x];
                    }
                  if (ah == 0)
                    {
                      int size = jpeg_dc_decode_symbol (&b, &dc->dc_tables[tables[i]]);

                      if (size < 0 || size > 11)
                        return FALSE;
                      predictor[i] += jpeg_dc_extend (jpeg_dc_bits_get (&b, size), size);
                      if (slot != NULL)
                        *slot = (gint32) ((guint32) predictor[i] << al);
                    }
                  else if (jpeg_dc_bits_get (&b, 1) && slot != NULL)
                    *slot |= 1 << al;
                }
          }
        /* Out of data: a bomb declaring a huge image in a few bytes
         * would otherwise be walked block by block. */
        if (!jpeg_dc_bits_real (&b))
          return FALSE;
      }
  return jpeg_dc_bits_real (&b);
}

static gboolean
jpeg_dc_parse_sos (JpegDc *dc, const guint8 *s, gsize len, const guint8 *entropy,
                   gsize entropy_len)
{
  int count, members[JPEG_DC_MAX_COMPONENTS], tables[JPEG_DC_MAX_COMPONENTS];
  int ss, ah, al;

  if (dc->luma == NULL || len < 1)
    return FALSE;
  count = s[0];
  if (count < 1 || count > dc->components || len < 4 + 2 * (gsize) count)
    return FALSE;
  ss = s[1 + 2 * count];
  ah = s[3 + 2 * count] >> 4;
  al = s[3 + 2 * count] & 15;
  if (ss != 0)
    return TRUE; /* an AC scan: nothing the DC values need */
  for (int i = 0; i < count; i++)
    {
      members[i] = -1;
      for (int c = 0; c < dc->components; c++)
        if (dc->comp[c].id == s[1 + 2 * i])
          members[i] = c;
      tables[i] = s[2 + 2 * i] >> 4;
      if (members[i] < 0 || tables[i] > 3)
        return FALSE;
    }
  if (al > 13)
    return FALSE;
  return jpeg_dc_scan (dc, members, tables, count, ah, al, entropy, entropy_len);
}

/* libjpeg's 1x1 inverse DCT (jidctred.c) and its range limit: a DC value
 * outside the 8-bit range wraps as libjpeg's table does. */
static guint8
jpeg_dc_pixel (gint32 coefficient, int quant)
{
  gint32 value = (coefficient * quant + 4) >> 3;
  guint index = (guint) value & 1023;

  if (index < 128)
    return (guint8) (index + 128);
  if (index < 512)
    return 255;
  if (index < 896)
    return 0;
  return (guint8) (index - 896);
}

static VipsImage *
jpeg_dc_image (const JpegDc *dc)
{
  int width = dc->comp[0].blocks_w, height = dc->comp[0].blocks_h;
  VipsImage *image = vips_image_new_memory ();

  vips_image_init_fields (image, width, height, 1, VIPS_FORMAT_UCHAR, VIPS_CODING_NONE,
                          VIPS_INTERPRETATION_B_W, 1.0, 1.0);
  if (vips_image_write_prepare (image) != 0)
    {
      g_object_unref (image);
      return NULL;
    }
  for (int y = 0; y < height; y++)
    {
      guint8 *row = VIPS_IMAGE_ADDR (image, 0, y);
      const gint32 *coefficients = dc->luma + (gsize) y * (gsize) dc->luma_stride;

      for (int x = 0; x < width; x++)
        row[x] = jpeg_dc_pixel (coefficients[x], dc->luma_quant);
    }
  return image;
}

/* Where the entropy-coded data that starts at @from ends: at the first
 * marker, which is 0xFF followed by neither a stuffed 0x00, a restart
 * marker nor another fill 0xFF. */
static gsize
jpeg_dc_entropy_end (const guint8 *data, gsize len, gsize from)
{
  for (gsize i = from; i + 1 < len; i++)
    if (data[i] == 0xFF && data[i + 1] != 0x00 && data[i + 1] != 0xFF
        && (data[i + 1] < 0xD0 || data[i + 1] > 0xD7))
      return i;
  return len;
}

static VipsImage *
jpeg_dc_walk (JpegDc *dc, const guint8 *data, gsize len)
{
  gsize pos = 2;

  if (len < 4 || data[0] != 0xFF || data[1] != 0xD8)
    return NULL;
  while (pos + 1 < len)
    {
      guint marker;
      gsize segment;
      const guint8 *body;
      gsize body_len;
      gboolean ok = TRUE;

      if (data[pos] != 0xFF)
        return NULL;
      while (pos + 1 < len && data[pos + 1] == 0xFF)
        pos++;
      if (pos + 1 >= len)
        return NULL;
      marker = data[pos + 1];
      if (marker == 0xD9)
        /* Every luminance bit decoded, or the image is unfinished. */
        return dc->luma_bit == 0 ? jpeg_dc_image (dc) : NULL;
      if (pos + 4 > len)
        return NULL;
      segment = 2 + jpeg_dc_be16 (data + pos + 2);
      if (segment < 4 || pos + segment > len)
        return NULL;
      body = data + pos + 4;
      body_len = segment - 4;
      if (marker == 0xC2)
        ok = dc->luma == NULL && jpeg_dc_parse_sof (dc, body, body_len);
      else if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4)
        ok = FALSE; /* another kind of frame, or arithmetic coding */
      else if (marker == 0xDB)
        ok = jpeg_dc_parse_dqt (dc, body, body_len);
      else if (marker == 0xC4)
        ok = jpeg_dc_parse_dht (dc, body, body_len);
      else if (marker == 0xDD)
        {
          ok = body_len >= 2;
          if (ok)
            dc->restart_interval = (int) jpeg_dc_be16 (body);
        }
      else if (marker == 0xDA)
        {
          gsize end = jpeg_dc_entropy_end (data, len, pos + segment);

          if (end >= len)
            return NULL;
          ok = jpeg_dc_parse_sos (dc, body, body_len, data + pos + segment,
                                  end - (pos + segment));
          segment = end - pos;
        }
      if (!ok)
        return NULL;
      pos += segment;
    }
  return NULL;
}

VipsImage *
shardpix_jpeg_dc_luma (const guint8 *data, gsize len)
{
  JpegDc *dc = g_new0 (JpegDc, 1);
  VipsImage *image;

  dc->luma_bit = -1;
  image = jpeg_dc_walk (dc, data, len);
  g_free (dc->luma);
  g_free (dc);
  return image;
}
