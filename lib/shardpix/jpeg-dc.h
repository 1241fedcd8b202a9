/* The luminance of a progressive JPEG at 1/8 of its size, from its DC
 * scans alone: an 8x8 block's mean is its DC coefficient, and in a
 * progressive file the DC values come in scans of their own, a small part
 * of the file. libjpeg cannot skip the other scans and keeps a coefficient
 * buffer of 2 bytes per pixel and component; this keeps one 16-bit value
 * per luminance block.
 *
 * It reads the file as libjpeg-turbo 2.1 does (jdmarker.c, jdinput.c,
 * jdphuff.c, jdhuff.c, jidctred.c): the same marker framing (RST0-7 and TEM
 * stand alone, fill FFs are skipped), the same checks, the same 16-bit
 * coefficient and multiplier arithmetic. Whatever libjpeg would refuse, and
 * whatever it would read only with a warning that this decoder can see,
 * gives NULL, so that libvips judges the file. It does not decode the AC
 * scans' data: it checks their parameters and tables, and finds their end
 * as libjpeg does, but corruption inside them (a warning for libjpeg) is
 * not seen; it changes no DC value. */
#pragma once

#include <vips/vips.h>

G_BEGIN_DECLS

/* What libjpeg's jpeg_read_header() saw of the frame, up to the first SOS.
 * The DC scans decoded must belong to this very frame: the file is read
 * again here, and any disagreement (a framing this decoder got wrong)
 * gives NULL rather than another picture. */
typedef struct {
  int width, height, components;
  guint8 id[4], h[4], v[4], quant[4];
  gboolean quant_defined[4];
  guint16 quant_dc[4]; /* each table's DC entry, as libjpeg stores it */
  int restart_interval;
  /* The DC Huffman tables: codes of each length, then the symbols. */
  gboolean dc_defined[4];
  guint8 dc_counts[4][16];
  guint8 dc_symbols[4][256];
} ShardpixJpegDcFrame;

/* The pixels libjpeg gives for the first component at scale 1/8 (1x1
 * inverse DCT, no block smoothing), ceil(width/8) x ceil(height/8), 1 band.
 * NULL unless @data is a complete progressive Huffman JPEG that libjpeg
 * reads without an error or a warning seen here, whose first component has
 * the highest sampling and whose frame is @frame (NULL: not checked, for
 * tests of the decoder alone). */
VipsImage *shardpix_jpeg_dc_luma (const guint8 *data, gsize len, const ShardpixJpegDcFrame *frame);

G_END_DECLS
