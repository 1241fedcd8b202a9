/* PNG straight through libpng, one row at a time: each row becomes Rec.601
 * luma (alpha kept) and is box-averaged on the fly, so that libvips only does
 * the last, small resize. libvips would instead carry 3-4 bands through its
 * shrink and convert to grey at the end (see fastload.h for the contract). */
#include "shardpix/fastload.h"

#include <errno.h>
#include <setjmp.h>
#include <string.h>
#include <unistd.h>

#include <png.h>

#include "shardpix/vips-autoptr.h"
#include "shardpix/fastload-png-box.h"
#include "shardpix/fastload-png-whole.h"
#include "shardpix/icc.h"
#include "shardpix/memguard.h"

/* Pixels a metre without a pHYs chunk (72 dpi), as libvips' loader says. */
#define FASTLOAD_PNG_DEFAULT_RES 2834

/* Ancillary chunks neither path uses: libvips ignores gamma, chromaticities
 * and significant bits when it makes a thumbnail without an output profile.
 * Skipping them also skips libpng's checks of their consistency, whose
 * warnings would send the image to libvips for nothing. iCCP is read: a
 * profile that is not sRGB's sends the image to libvips, which converts it
 * (lib/shardpix/icc.h). */
static const png_byte fastload_png_ignored[] = "bKGD\0cHRM\0gAMA\0hIST\0iTXt\0oFFs\0"
                                               "pCAL\0sBIT\0sCAL\0sPLT\0sRGB\0tEXt\0tIME\0"
                                               "zTXt";

typedef struct {
  /* The input, read through a buffer: libpng asks for 4 or 8 bytes at a time
   * between chunks. */
  int fd;
  off_t offset; /* of the byte after the buffer's contents */
  gsize len;
  gsize pos;
  guint8 buf[65536];

  png_structp png;
  png_infop info;
  gboolean warned;
  gboolean no_rotate;
  gboolean turned; /* an eXIf says the image is not upright */
  gboolean whole_allowed; /* may read the pixels with fastload-png-whole.c */
  gboolean whole_used;
  const struct stat *st;

  guint height;
  guint8 *row;
  ShardpixPngBox box;
} FastloadPng;

static void
fastload_png_read (png_structp png, png_bytep data, size_t length)
{
  FastloadPng *self = png_get_io_ptr (png);

  while (length > 0)
    {
      gsize n;

      if (self->pos == self->len)
        {
          ssize_t got;

          do
            got = pread (self->fd, self->buf, sizeof self->buf, self->offset);
          while (got < 0 && errno == EINTR);
          if (got <= 0)
            png_error (png, "truncated");
          self->offset += got;
          self->len = (gsize) got;
          self->pos = 0;
        }
      n = MIN (length, self->len - self->pos);
      memcpy (data, self->buf + self->pos, n);
      self->pos += n;
      data += n;
      length -= n;
    }
}

G_GNUC_NORETURN static void
fastload_png_error (png_structp png, png_const_charp message)
{
  png_longjmp (png, 1);
}

/* A warning means libpng repaired or dropped something: libvips decides
 * what that is worth under the job's fail_on. */
static void
fastload_png_warning (png_structp png, png_const_charp message)
{
  FastloadPng *self = png_get_error_ptr (png);

  self->warned = TRUE;
}

/* Asks libpng for 8-bit gray, gray+alpha, RGB or RGBA rows, whatever the
 * file stores; returns the channel count. The same expansions as libvips'
 * loader, so that both paths start from the same values. */
/* The palette's luma and alpha tables, as png_set_palette_to_rgb() and
 * png_set_tRNS_to_alpha() would expand each index: black past the end of
 * the palette (libpng's palette is 256 zeroed entries), opaque past the
 * end of tRNS. */
static void
fastload_png_palette_tables (FastloadPng *self)
{
  png_colorp colours = NULL;
  png_bytep trans = NULL;
  int n_colours = 0;
  int n_trans = 0;

  png_get_PLTE (self->png, self->info, &colours, &n_colours);
  if (png_get_valid (self->png, self->info, PNG_INFO_tRNS))
    png_get_tRNS (self->png, self->info, &trans, &n_trans, NULL);
  for (int i = 0; i < 256; i++)
    {
      const guint8 rgb[3] = { i < n_colours ? colours[i].red : 0,
                              i < n_colours ? colours[i].green : 0,
                              i < n_colours ? colours[i].blue : 0 };

      self->box.palette_luma[i] = shardpix_png_box_luma (rgb, 3);
      self->box.palette_alpha[i] = i < n_trans ? trans[i] : 255;
    }
}

static int
fastload_png_set_transforms (FastloadPng *self, int depth, int colour)
{
  if (colour == PNG_COLOR_TYPE_PALETTE)
    {
      gboolean alpha = png_get_valid (self->png, self->info, PNG_INFO_tRNS) != 0;

      /* One byte an index, looked up in fastload_png_add_palette_row(). */
      if (depth < 8)
        png_set_packing (self->png);
      png_read_update_info (self->png, self->info);
      if (png_get_rowbytes (self->png, self->info) != self->box.width)
        return 0;
      fastload_png_palette_tables (self);
      self->box.palette = TRUE;
      /* The channels of the expanded image: RGB or RGBA. */
      return alpha ? 4 : 3;
    }
  if (png_get_valid (self->png, self->info, PNG_INFO_tRNS))
    png_set_tRNS_to_alpha (self->png);
  if (colour == PNG_COLOR_TYPE_GRAY && depth < 8)
    png_set_expand_gray_1_2_4_to_8 (self->png);
  if (depth == 16)
    png_set_scale_16 (self->png);
  png_read_update_info (self->png, self->info);
  if (png_get_bit_depth (self->png, self->info) != 8
      || png_get_rowbytes (self->png, self->info)
             != (gsize) self->box.width * png_get_channels (self->png, self->info))
    return 0;
  return png_get_channels (self->png, self->info);
}

static gboolean
fastload_png_make_output (FastloadPng *self, guint out_height, gboolean alpha)
{
  png_uint_32 res_x = FASTLOAD_PNG_DEFAULT_RES;
  png_uint_32 res_y = FASTLOAD_PNG_DEFAULT_RES;
  int unit = PNG_RESOLUTION_METER;
  double scale;

  png_get_pHYs (self->png, self->info, &res_x, &res_y, &unit);
  scale = unit == PNG_RESOLUTION_METER ? 1000.0 : 1.0;
  self->box.out = shardpix_fastload_new_image ((int) self->box.out_width, (int) out_height,
                                               alpha ? 2 : 1, res_x / scale, res_y / scale);
  return self->box.out != NULL;
}

/* Every ancillary chunk we skip comes here, which is how every eXIf chunk
 * is seen: a file with two (real ones have) would otherwise make libpng
 * warn. vips_thumbnail turns the image for any orientation but 1, and the
 * image we return has no EXIF. A critical chunk libpng does not know is an
 * error (0: not handled). */
static int
fastload_png_read_chunk (png_structp png, png_unknown_chunkp chunk)
{
  FastloadPng *self = png_get_user_chunk_ptr (png);

  if ((chunk->name[0] & 0x20) == 0)
    return 0;
  if (memcmp (chunk->name, "eXIf", 4) == 0 && !self->no_rotate
      && shardpix_fastload_exif_orientation (chunk->data, chunk->size) != 1)
    self->turned = TRUE;
  return 1;
}

/* A Display P3 or Adobe RGB profile: libvips converts to sRGB first. */
static gboolean
fastload_png_profile_ok (FastloadPng *self)
{
  png_charp name;
  int compression;
  png_bytep profile;
  png_uint_32 len;

  if (!png_get_iCCP (self->png, self->info, &name, &compression, &profile, &len))
    return TRUE;
  return shardpix_icc_fast_ok (profile, len);
}

/* The pixels through fastload-png-whole.c, where it can take them: 8 bits,
 * which libpng hands over untransformed (a palette's indexes with or
 * without tRNS, other layouts without), or 16 bits without tRNS, which
 * libpng only scales to 8; the file and the inflated image within
 * --max-buffer. libpng has just read the first IDAT chunk's length
 * and name. */
static ShardpixPngWholeResult
fastload_png_read_whole (FastloadPng *self, const ShardpixJob *job, int depth, int colour,
                         int channels)
{
  const int bpp = self->box.palette ? 1 : channels * depth / 8;
  ShardpixPngWhole whole = {
    .fd = self->fd,
    .st = self->st,
    .idat = self->offset - (off_t) (self->len - self->pos) - 8,
    .height = self->height,
    .row_bytes = (gsize) self->box.width * (gsize) bpp,
    .bpp = bpp,
    .depth = depth,
    .channels = channels,
    .no_rotate = self->no_rotate,
  };

  if (!self->whole_allowed || (depth != 8 && depth != 16)
      || (colour != PNG_COLOR_TYPE_PALETTE && png_get_valid (self->png, self->info, PNG_INFO_tRNS))
      || !shardpix_memguard_fits (job, self->st->st_size
                                           + (gint64) (whole.row_bytes + 1) * self->height))
    return SHARDPIX_PNG_WHOLE_DECLINED;
  return shardpix_png_whole_read (&whole, &self->box);
}

/* Any libpng error longjmps out of here (see fastload_png_run()). */
static gboolean
fastload_png_decode (FastloadPng *self, const ShardpixJob *job)
{
  png_uint_32 width;
  png_uint_32 height;
  int depth;
  int colour;
  int interlace;
  int channels;
  guint out_height;
  gboolean grey_unshrunk;

  self->no_rotate = job->no_rotate;
  png_set_read_fn (self->png, self, fastload_png_read);
  /* As libvips' loader: the CRC of every chunk already catches damage, and
   * the zlib checksum costs a tenth of the decoding. */
  png_set_option (self->png, PNG_IGNORE_ADLER32, PNG_OPTION_ON);
  png_set_keep_unknown_chunks (self->png, PNG_HANDLE_CHUNK_NEVER, fastload_png_ignored,
                               (int) (sizeof fastload_png_ignored / 5));
  png_set_keep_unknown_chunks (self->png, PNG_HANDLE_CHUNK_ALWAYS, (png_const_bytep) "eXIf", 1);
  png_set_read_user_chunk_fn (self->png, self, fastload_png_read_chunk);
  png_read_info (self->png, self->info);
  png_get_IHDR (self->png, self->info, &width, &height, &depth, &colour, &interlace, NULL, NULL);
  /* Adam7 needs the whole image in memory. */
  if (interlace != PNG_INTERLACE_NONE || self->turned || self->warned)
    return FALSE;
  if (!fastload_png_profile_ok (self))
    return FALSE;
  if (job->max_pixels > 0 && (gint64) width * height > job->max_pixels)
    return FALSE;
  self->box.width = width;
  self->height = height;
  channels = fastload_png_set_transforms (self, depth, colour);
  if (channels == 0)
    return FALSE;

  self->box.shrink = shardpix_png_box_choose_shrink (job, width, height);
  /* A grey image the box filter would not shrink has no colour conversion
   * to save: only the whole-image reader's inflate (libdeflate) pays for
   * the copy. Callgrind, instructions an image into 256x256: read whole,
   * 32 M against libvips' 41 M on 512x512 grey noise, 27.8 M against 31.4 M
   * on the artwork folder's grey PNGs (bench/per-kind.sh); through
   * libpng's rows 48 M against 31 M, so a grey image the whole reader
   * declines goes to libvips. Grey with alpha was left to libvips too
   * (411 M against 166 M) until shardpix_fastload_new_image() marked the
   * image sequential: now 155 M against 197 M. */
  grey_unshrunk = colour == PNG_COLOR_TYPE_GRAY && channels == 1 && self->box.shrink == 1;
  self->box.out_width = (width + self->box.shrink - 1) / self->box.shrink;
  out_height = (height + self->box.shrink - 1) / self->box.shrink;
  if (!fastload_png_make_output (self, out_height, channels % 2 == 0))
    return FALSE;
  self->row = g_malloc (png_get_rowbytes (self->png, self->info));
  self->box.sum_y = g_new0 (guint64, self->box.out_width);
  self->box.sum_a = g_new0 (guint64, self->box.out_width);

  switch (fastload_png_read_whole (self, job, depth, colour, channels))
    {
    case SHARDPIX_PNG_WHOLE_DONE:
      self->whole_used = TRUE;
      return !self->warned;
    case SHARDPIX_PNG_WHOLE_TURNED:
      return FALSE;
    case SHARDPIX_PNG_WHOLE_DECLINED:
      /* The streaming variant reads it all the same, as the reference its
       * tests hold the whole reader to. */
      if (grey_unshrunk && self->whole_allowed)
        return FALSE;
      break;
    }
  for (guint y = 0; y < height; y++)
    {
      png_read_row (self->png, self->row, NULL);
      shardpix_png_box_push (&self->box, self->row, channels, y + 1 == height);
    }
  /* Reads up to IEND, so that a damaged or missing end of file, or an
   * eXIf after the pixels that turns them, also goes to libvips. */
  png_read_end (self->png, self->info);
  return !self->warned && !self->turned;
}

/* Nothing here is a local that changes after setjmp(). */
static gboolean
fastload_png_run (FastloadPng *self, const ShardpixJob *job)
{
  if (setjmp (png_jmpbuf (self->png)))
    return FALSE;
  return fastload_png_decode (self, job);
}

static VipsImage *
fastload_png_load (int fd, const struct stat *st, const ShardpixJob *job, gboolean whole_allowed)
{
  FastloadPng *self;
  png_byte signature[8];
  VipsImage *out = NULL;

  if (job->color || job->keep_metadata || st->st_size < (off_t) sizeof signature
      || pread (fd, signature, sizeof signature, 0) != (ssize_t) sizeof signature
      || png_sig_cmp (signature, 0, sizeof signature) != 0)
    return NULL;

  self = g_new0 (FastloadPng, 1);
  self->fd = fd;
  self->st = st;
  self->whole_allowed = whole_allowed;
  self->png = png_create_read_struct (PNG_LIBPNG_VER_STRING, self, fastload_png_error,
                                      fastload_png_warning);
  if (self->png != NULL)
    self->info = png_create_info_struct (self->png);
  if (self->info != NULL && fastload_png_run (self, job))
    {
      out = g_steal_pointer (&self->box.out);
      vips_image_set_int (out, SHARDPIX_FASTLOAD_WIDTH, (int) self->box.width);
      vips_image_set_int (out, SHARDPIX_FASTLOAD_HEIGHT, (int) self->height);
      vips_image_set_int (out, SHARDPIX_FASTLOAD_PNG_WHOLE, self->whole_used);
    }

  png_destroy_read_struct (&self->png, &self->info, NULL);
  g_clear_object (&self->box.out);
  g_free (self->row);
  shardpix_png_box_clear (&self->box);
  g_free (self);
  return out;
}

VipsImage *
shardpix_fastload_png (int fd, const struct stat *st, const ShardpixJob *job)
{
  return fastload_png_load (fd, st, job, TRUE);
}

VipsImage *
shardpix_fastload_png_streaming (int fd, const struct stat *st, const ShardpixJob *job)
{
  return fastload_png_load (fd, st, job, FALSE);
}
