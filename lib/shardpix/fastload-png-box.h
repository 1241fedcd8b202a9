/* The box filter of the fast PNG path (fastload-png.c): rows of 8-bit grey,
 * grey+alpha, RGB, RGBA or palette indexes go in one at a time; each output
 * pixel is the mean Rec.601 luma (and alpha) of its shrink x shrink box,
 * colour weighted by alpha as libvips premultiplies before it shrinks.
 * Pure arithmetic on the rows libpng hands over. */
#pragma once

#include <glib.h>
#include <vips/vips.h>

#include "shardpix/job.h"

G_BEGIN_DECLS

/* Rec.601 weights in 1/65536ths; they sum to 65536, so white stays 255. */
#define SHARDPIX_PNG_BOX_R 19595
#define SHARDPIX_PNG_BOX_G 38470
#define SHARDPIX_PNG_BOX_B 7471

/* Keeps a box's sums within 64 bits: 4096^2 pixels of luma times alpha
 * (2^24 * 2^8 each) add up to 2^56. */
#define SHARDPIX_PNG_BOX_MAX_SHRINK 4096

/* The tallest box whose column sums of bytes fit in 16 bits. */
#define SHARDPIX_PNG_BOX_MAX_STACKED (G_MAXUINT16 / 255)

typedef struct {
  guint width;     /* input pixels a row */
  guint shrink;    /* a box's side */
  guint out_width; /* boxes a row, the last one maybe partial */
  guint64 *sum_y;  /* per output column: luma (times alpha) in 1/65536ths */
  guint64 *sum_a;
  /* Grey and RGB without alpha, for shrinks up to SHARDPIX_PNG_BOX_MAX_STACKED:
   * per input byte, its sum down the box's rows so far, so that the
   * boxes are summed across once per output row instead of once per
   * input row. Allocated by shardpix_png_box_push() when first needed. */
  guint16 *stack;
  VipsImage *out;  /* out_width x rows, 1 band (2 with alpha), uchar */
  guint rows;      /* pushed into the sums since the last output row */
  int out_row;     /* the next output row */

  /* A palette image is read as its indexes: each entry's luma (in
   * 1/65536ths) and alpha, looked up, instead of expanding every pixel to
   * RGB(A) first. The sums are those of the expanded pixels exactly. */
  gboolean palette;
  guint32 palette_luma[256];
  guint8 palette_alpha[256];
} ShardpixPngBox;

/* Luma of the pixel at @p in 1/65536ths: @colours is 1 (grey) or 3 (RGB). */
static inline guint32
shardpix_png_box_luma (const guint8 *p, int colours)
{
  if (colours == 1)
    return (guint32) p[0] << 16;
  return SHARDPIX_PNG_BOX_R * p[0] + SHARDPIX_PNG_BOX_G * p[1] + SHARDPIX_PNG_BOX_B * p[2];
}

/* The largest integer box shrink for a @width x @height image that keeps
 * the thumbnail's size and edges where libvips puts them (shrink.h). */
guint shardpix_png_box_choose_shrink (const ShardpixJob *job, guint width, guint height);

/* Adds @row (@channels bytes a pixel, 1 for palette indexes with
 * @channels the expanded count) to the sums of its boxes. */
void shardpix_png_box_add (ShardpixPngBox *box, const guint8 *row, int channels);

/* Writes output row @oy from the sums of its @rows input rows, rounded,
 * and clears the sums. */
void shardpix_png_box_emit_row (ShardpixPngBox *box, int oy, guint rows, gboolean alpha);

/* The next input row (@last: of the image), as shardpix_png_box_add()
 * takes it: for a shrink of 1 written out straight, the same values as
 * adding and emitting it without the sums; else added, and the output row
 * written when its box is full or the image ends. */
void shardpix_png_box_push (ShardpixPngBox *box, const guint8 *row, int channels, gboolean last);

/* Frees the sums (not @box, nor its output image). */
void shardpix_png_box_clear (ShardpixPngBox *box);

G_END_DECLS
