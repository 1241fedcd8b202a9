/* The entropy-coded data of a JPEG scan, read as libjpeg-turbo's jdhuff.c
 * and jdmarker.c read it (private to jpeg-dc.c): Huffman tables checked as
 * jpeg_make_d_derived_tbl() checks them, and a bit reader that frames the
 * bytes as its jpeg_fill_bit_buffer() does (FF FF... 00 is one FF data
 * byte; FF then anything else non-zero is a marker, after which only made-up
 * zero bits remain). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint8 lookup_len[1 << 9]; /* codes of up to 9 bits, by their bits */
  guint8 lookup_value[1 << 9];
  gint32 maxcode[18]; /* the slow path, as libjpeg's jdhuff.c */
  gint32 valoffset[18];
  guint8 counts[16]; /* as the DHT gave them */
  guint total;
  guint8 values[256];
  gboolean defined;
} ShardpixJpegDcTable;

typedef struct {
  const guint8 *data;
  gsize len;
  gsize pos;      /* the next byte to read; at a marker, its first FF */
  guint32 bits;   /* left-justified */
  int count;      /* bits in @bits, real or made up */
  int phantom;    /* of those, the zero bits made up past a marker */
  gboolean hit_marker;
} ShardpixJpegDcBits;

/* Builds @t from a DHT entry, or FALSE where libjpeg would refuse it
 * ("Bogus Huffman table definition"): a length's codes running into the
 * all-ones code, or, for a DC table (@dc), a symbol over 15. */
gboolean shardpix_jpeg_dc_table_build (ShardpixJpegDcTable *t, const guint8 *counts,
                                       const guint8 *values, guint total, gboolean dc);

/* Starts reading entropy-coded data at @data[@pos]. */
void shardpix_jpeg_dc_bits_init (ShardpixJpegDcBits *b, const guint8 *data, gsize len,
                                 gsize pos);
guint shardpix_jpeg_dc_bits_get (ShardpixJpegDcBits *b, int n);
/* One symbol, or -1 for a code the table does not have. */
int shardpix_jpeg_dc_decode_symbol (ShardpixJpegDcBits *b, const ShardpixJpegDcTable *t);
/* Whether every bit taken so far was in the data: libjpeg warns when it
 * has to make bits up ("premature end of data segment"). */
gboolean shardpix_jpeg_dc_bits_real (const ShardpixJpegDcBits *b);
/* Where the data that was read ends, if what is left of it is at most the
 * padding of the last byte: then the next byte is a marker's FF, and
 * libjpeg, whatever it has read ahead, finds that marker with nothing
 * skipped (no "extraneous bytes" warning). G_MAXSIZE otherwise. */
gsize shardpix_jpeg_dc_bits_end (const ShardpixJpegDcBits *b);

/* At a restart point (process_restart(), read_restart_marker()): nothing
 * left but the byte's padding, then, after any fill FFs, exactly RSTn for
 * n = *@expected, which then counts on; @b starts again after it. FALSE
 * for anything else, where libjpeg warns and resynchronises. */
gboolean shardpix_jpeg_dc_bits_restart (ShardpixJpegDcBits *b, int *expected);

/* Where an AC scan's data starting at @data[@from] ends, as libjpeg finds
 * it whatever the data (it is not decoded here): at the first marker that
 * is neither RSTn nor FF 00 stuffing, after fill FFs. G_MAXSIZE if there is
 * none, or if it is TEM, which resync_to_restart() would skip. */
gsize shardpix_jpeg_dc_entropy_end (const guint8 *data, gsize len, gsize from);

/* The low 16 bits of @value as a signed 16-bit number: what libjpeg's
 * casts to JCOEF and to its multiplier type (short with SIMD) keep. */
gint shardpix_jpeg_dc_int16 (guint32 value);

/* One block of a DC scan, as decode_mcu_DC_first() (@ah 0: a difference
 * added to *@predictor, the sum shifted by @al) and decode_mcu_DC_refine()
 * (a bit at @al) do, stored as libjpeg's 16-bit JCOEF in *@slot (NULL: a
 * component not kept). FALSE for a code @table lacks, or a sum past an int
 * (libjpeg's JERR_BAD_DCT_COEF). */
gboolean shardpix_jpeg_dc_block (ShardpixJpegDcBits *b, const ShardpixJpegDcTable *table,
                                 gint32 *predictor, int ah, int al, gint16 *slot);

G_END_DECLS
