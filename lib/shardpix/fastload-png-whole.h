/* The fast PNG path's quicker reader of the pixels (fastload-png.c): once
 * libpng has read and judged every chunk before the image data, the rest of
 * the file is read at once, the image data inflated in one call by
 * libdeflate (twice zlib's speed: docs/performance.md) and the rows
 * unfiltered here, instead of libpng inflating and unfiltering a row at a
 * time. Only for what libpng would hand over untransformed (8 bits, not
 * interlaced, no tRNS but a palette's) or scaled from 16 bits to 8 alone
 * (png_set_scale_16(), no tRNS), and only if it fits in memory; and
 * only if everything from the image data to IEND is what libpng would read
 * without an error or a warning, else the caller reads the rows through
 * libpng as before and libpng judges. Either way the rows are the same
 * bytes: test-fastload-png holds them to libpng's. */
#pragma once

#include <sys/stat.h>

#include "shardpix/fastload-png-box.h"

G_BEGIN_DECLS

/* The whole image and the file together, at most (and within --max-buffer,
 * memguard.h): a 12 MP RGB photograph (36 MB inflated) fits, larger images
 * stream through libpng. */
#define SHARDPIX_PNG_WHOLE_MAX_BYTES ((gsize) 64 << 20)

typedef enum {
  SHARDPIX_PNG_WHOLE_DECLINED, /* nothing done: read the rows through libpng */
  SHARDPIX_PNG_WHOLE_DONE,     /* every row is in the box, the file read to IEND */
  SHARDPIX_PNG_WHOLE_TURNED,   /* nothing done: an eXIf after the pixels turns them */
} ShardpixPngWholeResult;

typedef struct {
  int fd;
  const struct stat *st;
  off_t idat;       /* file offset of the first IDAT chunk (its length) */
  guint height;
  gsize row_bytes;  /* of a row without its filter byte, as stored */
  int bpp;          /* bytes a pixel as stored: 1-4, 6 or 8 */
  int depth;        /* bits a sample: 8, or 16 (scaled to 8 as libpng does) */
  int channels;     /* as shardpix_png_box_add() takes them */
  gboolean no_rotate;
} ShardpixPngWhole;

/* Reads, checks and decodes as above, pushing every row into @box. */
ShardpixPngWholeResult shardpix_png_whole_read (const ShardpixPngWhole *whole, ShardpixPngBox *box);

G_END_DECLS
