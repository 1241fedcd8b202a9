#include "shardpix/jpeg-dc.h"

#include <string.h>

#include "shardpix/fastload.h"
#include "shardpix/jpeg-dc-entropy.h"

/* The subset of ITU T.81 this needs: progressive Huffman JPEGs (SOF2), their
 * DC scans (first and refinement), restart intervals. The AC scans are
 * checked and stepped over without decoding them, and no coefficient buffer
 * is kept but one DC value per luminance block. Every check names the
 * libjpeg-turbo 2.1 function whose behaviour it copies. */

#define JPEG_DC_MAX_COMPONENTS 4
#define JPEG_DC_MAX_DIMENSION 65500 /* JPEG_MAX_DIMENSION */
#define JPEG_DC_MAX_BLOCKS_IN_MCU 10 /* D_MAX_BLOCKS_IN_MCU */

typedef struct {
  guint8 id;
  int h, v;           /* sampling factors */
  int quant;          /* quantisation table selector */
  int blocks_w, blocks_h;
  gboolean latched;   /* its table was taken at its first scan */
  guint16 quant_dc;   /* the DC entry of that table */
  int coef_bits[64];  /* jdphuff.c's progression state: -1, not yet */
} JpegDcComponent;

typedef struct {
  int width, height;
  int components;
  int hmax, vmax;
  int restart_interval;
  JpegDcComponent comp[JPEG_DC_MAX_COMPONENTS];
  guint16 quant_dc[4];
  gboolean quant_defined[4];
  ShardpixJpegDcTable dc_tables[4];
  gboolean ac_defined[4];
  const ShardpixJpegDcFrame *frame;
  gboolean scanned;   /* an SOS was seen: the frame was checked */
  /* Luminance DC coefficients (JCOEF), over the padded MCU grid. */
  gint16 *luma;
  int luma_stride, luma_rows;
} JpegDc;

static guint
jpeg_dc_be16 (const guint8 *p)
{
  return (guint) p[0] << 8 | p[1];
}

static gboolean
jpeg_dc_parse_sof (JpegDc *dc, const guint8 *s, gsize len)
{
  if (len < 6 || s[0] != 8)
    return FALSE;
  dc->height = (int) jpeg_dc_be16 (s + 1);
  dc->width = (int) jpeg_dc_be16 (s + 3);
  dc->components = s[5];
  /* get_sof() and initial_setup(); more than 4 components are libjpeg's. */
  if (dc->width < 1 || dc->height < 1 || dc->width > JPEG_DC_MAX_DIMENSION
      || dc->height > JPEG_DC_MAX_DIMENSION || dc->components < 1
      || dc->components > JPEG_DC_MAX_COMPONENTS || len != 6 + 3 * (gsize) dc->components)
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
      /* libjpeg's get_sos() takes the first of equal ids: not worth
       * copying for files no encoder writes. */
      for (int other = 0; other < c; other++)
        if (dc->comp[other].id == comp->id)
          return FALSE;
      for (int k = 0; k < 64; k++)
        comp->coef_bits[k] = -1;
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

      comp->blocks_w = (dc->width * comp->h + 8 * dc->hmax - 1) / (8 * dc->hmax);
      comp->blocks_h = (dc->height * comp->v + 8 * dc->vmax - 1) / (8 * dc->vmax);
    }
  dc->luma_stride = (dc->width + 8 * dc->hmax - 1) / (8 * dc->hmax) * dc->comp[0].h;
  dc->luma_rows = (dc->height + 8 * dc->vmax - 1) / (8 * dc->vmax) * dc->comp[0].v;
  dc->luma = g_try_new0 (gint16, (gsize) dc->luma_stride * (gsize) dc->luma_rows);
  return dc->luma != NULL;
}

/* get_dqt(): 8- or 16-bit tables, the length used exactly. */
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

/* get_dht(), with jpeg_make_d_derived_tbl()'s checks made at once for
 * every table (libjpeg makes them when a scan uses the table). */
static gboolean
jpeg_dc_parse_dht (JpegDc *dc, const guint8 *s, gsize len)
{
  gsize pos = 0;

  while (pos < len)
    {
      int class = s[pos] >> 4, table = s[pos] & 15;
      guint total = 0;
      ShardpixJpegDcTable ac;

      if (table > 3 || class > 1 || pos + 17 > len)
        return FALSE;
      for (int i = 0; i < 16; i++)
        total += s[pos + 1 + i];
      if (total > 256 || pos + 17 + total > len)
        return FALSE;
      if (!shardpix_jpeg_dc_table_build (class == 0 ? &dc->dc_tables[table] : &ac, s + pos + 1,
                                         s + pos + 17, total, class == 0))
        return FALSE;
      if (class == 1)
        dc->ac_defined[table] = TRUE;
      pos += 17 + total;
    }
  return TRUE;
}

/* One DC scan of @count components (@members, by index) whose data starts
 * at @data[@pos]; where its data ends, or G_MAXSIZE. */
static gsize
jpeg_dc_scan (JpegDc *dc, const int *members, const int *tables, int count, int ah, int al,
              const guint8 *data, gsize len, gsize pos)
{
  ShardpixJpegDcBits b;
  gint32 predictor[JPEG_DC_MAX_COMPONENTS] = { 0 };
  int mcus_w, mcus_h, next_restart = 0, until_restart = dc->restart_interval;
  gboolean interleaved = count > 1;

  shardpix_jpeg_dc_bits_init (&b, data, len, pos);
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
                if (!shardpix_jpeg_dc_bits_restart (&b, &next_restart))
                  return G_MAXSIZE;
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
                  gint16 *slot = NULL;

                  if (members[i] == 0)
                    {
                      int x = interleaved ? mx * comp->h + h : mx;
                      int y = interleaved ? my * comp->v + v : my;

                      slot = &dc->luma[(gsize) y * (gsize) dc->luma_stride + (gsize) x];
                    }
                  if (!shardpix_jpeg_dc_block (&b, &dc->dc_tables[tables[i]], &predictor[i],
                                               ah, al, slot))
                    return G_MAXSIZE;
                }
          }
        /* Out of data: a bomb declaring a huge image in a few bytes
         * would otherwise be walked block by block. */
        if (!shardpix_jpeg_dc_bits_real (&b))
          return G_MAXSIZE;
      }
  return shardpix_jpeg_dc_bits_end (&b);
}

/* What libjpeg's header read saw must be what this read finds at the
 * first SOS: another frame, quantiser or DC table means another framing of
 * the bytes. */
static gboolean
jpeg_dc_frame_agrees (const JpegDc *dc)
{
  const ShardpixJpegDcFrame *f = dc->frame;

  if (f == NULL)
    return TRUE;
  if (f->width != dc->width || f->height != dc->height || f->components != dc->components
      || f->restart_interval != dc->restart_interval)
    return FALSE;
  for (int c = 0; c < dc->components; c++)
    if (f->id[c] != dc->comp[c].id || f->h[c] != dc->comp[c].h || f->v[c] != dc->comp[c].v
        || f->quant[c] != dc->comp[c].quant)
      return FALSE;
  for (int t = 0; t < 4; t++)
    {
      const ShardpixJpegDcTable *table = &dc->dc_tables[t];

      if (f->quant_defined[t] != dc->quant_defined[t]
          || (f->quant_defined[t] && f->quant_dc[t] != dc->quant_dc[t])
          || f->dc_defined[t] != table->defined)
        return FALSE;
      if (table->defined
          && (memcmp (f->dc_counts[t], table->counts, 16) != 0
              || memcmp (f->dc_symbols[t], table->values, table->total) != 0))
        return FALSE;
    }
  return TRUE;
}

/* The checks of per_scan_setup(), latch_quant_tables() and
 * start_pass_phuff_decoder(), errors and warnings alike. */
static gboolean
jpeg_dc_scan_allowed (JpegDc *dc, const int *members, const guint8 *selectors, int count,
                      int ss, int se, int ah, int al)
{
  gboolean is_dc = ss == 0;
  int blocks = 0;

  if (is_dc ? se != 0 : ss > se || se >= 64 || count != 1)
    return FALSE;
  if ((ah != 0 && al != ah - 1) || al > 13)
    return FALSE;
  for (int i = 0; i < count; i++)
    {
      JpegDcComponent *comp = &dc->comp[members[i]];

      blocks += count > 1 ? comp->h * comp->v : 1;
      if (!comp->latched)
        {
          if (!dc->quant_defined[comp->quant])
            return FALSE;
          comp->quant_dc = dc->quant_dc[comp->quant];
          comp->latched = TRUE;
        }
      if (!is_dc && comp->coef_bits[0] < 0)
        return FALSE; /* JWRN_BOGUS_PROGRESSION: AC before DC */
      for (int k = ss; k <= se; k++)
        {
          if (ah != MAX (comp->coef_bits[k], 0))
            return FALSE; /* JWRN_BOGUS_PROGRESSION */
          comp->coef_bits[k] = al;
        }
      if (is_dc ? ah == 0 && !dc->dc_tables[selectors[i] >> 4].defined
                : !dc->ac_defined[selectors[i] & 15])
        return FALSE;
    }
  return blocks <= JPEG_DC_MAX_BLOCKS_IN_MCU;
}

/* get_sos() and the scan after it; where the next marker should be, or
 * G_MAXSIZE. */
static gsize
jpeg_dc_parse_sos (JpegDc *dc, const guint8 *s, gsize len, const guint8 *data,
                   gsize data_len, gsize entropy)
{
  int count, members[JPEG_DC_MAX_COMPONENTS] = { -1, -1, -1, -1 };
  int tables[JPEG_DC_MAX_COMPONENTS];
  guint8 selectors[JPEG_DC_MAX_COMPONENTS];
  int ss, se, ah, al;

  if (dc->luma == NULL || len < 1)
    return G_MAXSIZE;
  count = s[0];
  if (count < 1 || count > JPEG_DC_MAX_COMPONENTS || len != 4 + 2 * (gsize) count)
    return G_MAXSIZE;
  if (!dc->scanned && !jpeg_dc_frame_agrees (dc))
    return G_MAXSIZE;
  dc->scanned = TRUE;
  for (int i = 0; i < count; i++)
    {
      /* As get_sos() looks ids up (its test of the slot by component
       * index included), and refuses one named twice. */
      for (int c = 0; c < dc->components && members[i] < 0; c++)
        if (dc->comp[c].id == s[1 + 2 * i] && members[c] < 0)
          members[i] = c;
      if (members[i] < 0)
        return G_MAXSIZE;
      for (int before = 0; before < i; before++)
        if (members[before] == members[i])
          return G_MAXSIZE;
      selectors[i] = s[2 + 2 * i];
      tables[i] = selectors[i] >> 4;
    }
  ss = s[1 + 2 * count];
  se = s[2 + 2 * count];
  ah = s[3 + 2 * count] >> 4;
  al = s[3 + 2 * count] & 15;
  for (int i = 0; i < count; i++)
    if (selectors[i] >> 4 > 3 || (selectors[i] & 15) > 3)
      return G_MAXSIZE;
  if (!jpeg_dc_scan_allowed (dc, members, selectors, count, ss, se, ah, al))
    return G_MAXSIZE;
  if (ss != 0)
    return shardpix_jpeg_dc_entropy_end (data, data_len, entropy);
  return jpeg_dc_scan (dc, members, tables, count, ah, al, data, data_len, entropy);
}

/* libjpeg's 1x1 inverse DCT (jidctred.c): the coefficient (a JCOEF) times
 * the DC quantiser (a short in its SIMD build), then its range limit
 * table, where a value outside the 8-bit range wraps. Only the low 13 bits
 * of the product reach the pixel, so 16-bit operands give libjpeg's pixel
 * whatever its multiplier type, and their product fits an int. */
static guint8
jpeg_dc_pixel (gint16 coefficient, guint16 quant)
{
  gint32 value = ((gint32) coefficient * shardpix_jpeg_dc_int16 (quant) + 4) >> 3;
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
  VipsImage *image = shardpix_fastload_new_image (width, height, 1, 1.0, 1.0);

  if (image == NULL)
    return NULL;
  for (int y = 0; y < height; y++)
    {
      guint8 *row = VIPS_IMAGE_ADDR (image, 0, y);
      const gint16 *coefficients = dc->luma + (gsize) y * (gsize) dc->luma_stride;

      for (int x = 0; x < width; x++)
        row[x] = jpeg_dc_pixel (coefficients[x], dc->comp[0].quant_dc);
    }
  return image;
}

/* One marker segment at @pos (just after the marker code): where the next
 * marker should start, or G_MAXSIZE. */
static gsize
jpeg_dc_segment (JpegDc *dc, guint marker, const guint8 *data, gsize len, gsize pos)
{
  gsize segment;
  const guint8 *body;
  gsize body_len;
  gboolean ok;

  if (pos + 2 > len)
    return G_MAXSIZE;
  segment = jpeg_dc_be16 (data + pos);
  if (segment < 2 || pos + segment > len)
    return G_MAXSIZE;
  body = data + pos + 2;
  body_len = segment - 2;
  switch (marker)
    {
    case 0xC2: /* progressive, Huffman; the other frames are not for this */
      ok = dc->luma == NULL && jpeg_dc_parse_sof (dc, body, body_len);
      break;
    case 0xC4:
      ok = jpeg_dc_parse_dht (dc, body, body_len);
      break;
    case 0xDB:
      ok = jpeg_dc_parse_dqt (dc, body, body_len);
      break;
    case 0xDD: /* get_dri() */
      ok = body_len == 2;
      if (ok)
        dc->restart_interval = (int) jpeg_dc_be16 (body);
      break;
    case 0xDA:
      return jpeg_dc_parse_sos (dc, body, body_len, data, len, pos + segment);
    case 0xDC: /* DNL, ignored by libjpeg */
    case 0xFE: /* COM */
      ok = TRUE;
      break;
    default:
      /* APPn are skipped; SOI again, DAC, the other SOFs and the reserved
       * markers are errors for libjpeg, or not this decoder's files. */
      ok = marker >= 0xE0 && marker <= 0xEF;
      break;
    }
  return ok ? pos + segment : G_MAXSIZE;
}

/* read_markers() and next_marker(): every marker must start exactly where
 * the previous segment or scan ended, since libjpeg warns of the bytes it
 * skips (and FF 00 outside a scan is such bytes). */
static VipsImage *
jpeg_dc_walk (JpegDc *dc, const guint8 *data, gsize len)
{
  gsize pos = 2;

  if (len < 2 || data[0] != 0xFF || data[1] != 0xD8)
    return NULL;
  for (;;)
    {
      guint marker;

      if (pos >= len || data[pos] != 0xFF)
        return NULL;
      while (pos < len && data[pos] == 0xFF)
        pos++;
      if (pos >= len || data[pos] == 0x00)
        return NULL;
      marker = data[pos++];
      if (marker == 0xD9)
        /* Every luminance bit decoded, or the image is unfinished. */
        return dc->luma != NULL && dc->comp[0].coef_bits[0] == 0 ? jpeg_dc_image (dc) : NULL;
      if ((marker >= 0xD0 && marker <= 0xD7) || marker == 0x01)
        continue; /* RSTn and TEM stand alone, without a length */
      pos = jpeg_dc_segment (dc, marker, data, len, pos);
      if (pos == G_MAXSIZE)
        return NULL;
    }
}

VipsImage *
shardpix_jpeg_dc_luma (const guint8 *data, gsize len, const ShardpixJpegDcFrame *frame)
{
  JpegDc *dc = g_new0 (JpegDc, 1);
  VipsImage *image;

  dc->frame = frame;
  image = jpeg_dc_walk (dc, data, len);
  g_free (dc->luma);
  g_free (dc);
  return image;
}
