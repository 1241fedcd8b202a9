/* The PNG fast path's whole-image reader (fastload-png-whole.h). */
#include "shardpix/fastload-png-whole.h"

#include <string.h>

#include <libdeflate.h>

#include "shardpix/fastload.h"
#include "shardpix/png-unfilter.h"

/* libpng's default limit on a chunk it keeps (PNG_USER_CHUNK_MALLOC_MAX):
 * past it libpng stops with "chunk data is too large". */
#define PNG_WHOLE_MAX_CHUNK 8000000

typedef struct {
  const guint8 *name;
  const guint8 *data;
  guint32 length;
} PngWholeChunk;

static guint32
png_whole_get32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

/* The chunk at @pos of @buf, if it is whole, its name is four letters (as
 * libpng requires) and its CRC is right; libpng stops at a bad name and
 * at a bad CRC on a critical chunk, and warns of one on an ancillary. */
static gboolean
png_whole_chunk (const guint8 *buf, gsize len, gsize pos, PngWholeChunk *chunk)
{
  if (len - pos < 12)
    return FALSE;
  chunk->length = png_whole_get32 (buf + pos);
  chunk->name = buf + pos + 4;
  chunk->data = buf + pos + 8;
  if (chunk->length > 0x7fffffff || chunk->length > len - pos - 12)
    return FALSE;
  for (int i = 0; i < 4; i++)
    if (!g_ascii_isalpha (chunk->name[i]))
      return FALSE;
  /* libdeflate's CRC-32 is zlib's, computed with carry-less multiplies:
   * 64 MB in 9 ms against zlib's 18-28 ms here. */
  return libdeflate_crc32 (0, chunk->name, chunk->length + 4)
         == png_whole_get32 (chunk->data + chunk->length);
}

static gboolean
png_whole_is (const PngWholeChunk *chunk, const char *name)
{
  return memcmp (chunk->name, name, 4) == 0;
}

/* Walks the chunks after the image data up to IEND. Anything libpng would
 * stop at or warn of declines: a critical chunk but IEND (more image data
 * after other chunks, a late PLTE), the chunks libpng checks the place of
 * (tRNS, pHYs, iCCP; APNG's, which Debian's libpng reads), an oversized
 * one. Other ancillary chunks are skipped, as fastload-png.c has libpng do;
 * an eXIf says whether the image is turned. */
static ShardpixPngWholeResult
png_whole_trailer (const guint8 *buf, gsize len, gsize pos, gboolean no_rotate)
{
  static const char *const placed[] = { "tRNS", "pHYs", "iCCP", "acTL", "fcTL", "fdAT" };
  gboolean turned = FALSE;
  PngWholeChunk chunk;

  while (png_whole_chunk (buf, len, pos, &chunk))
    {
      if (png_whole_is (&chunk, "IEND"))
        return chunk.length != 0 ? SHARDPIX_PNG_WHOLE_DECLINED
               : turned          ? SHARDPIX_PNG_WHOLE_TURNED
                                 : SHARDPIX_PNG_WHOLE_DONE;
      if ((chunk.name[0] & 0x20) == 0 || chunk.length > PNG_WHOLE_MAX_CHUNK)
        return SHARDPIX_PNG_WHOLE_DECLINED;
      for (guint i = 0; i < G_N_ELEMENTS (placed); i++)
        if (png_whole_is (&chunk, placed[i]))
          return SHARDPIX_PNG_WHOLE_DECLINED;
      if (png_whole_is (&chunk, "eXIf") && !no_rotate
          && shardpix_fastload_exif_orientation (chunk.data, chunk.length) != 1)
        turned = TRUE;
      pos += 12 + (gsize) chunk.length;
    }
  return SHARDPIX_PNG_WHOLE_DECLINED;
}

/* Gathers the run of IDAT chunks at the start of @buf into one zlib stream
 * at its start (each chunk's data moved over the headers before it), after
 * checking each: not empty, no larger than the image inflated (libpng's
 * limit is a little above that), CRC right. Returns the stream's length
 * and sets @end to the first chunk after the run, or returns 0. */
static gsize
png_whole_gather (guint8 *buf, gsize len, gsize raw_size, gsize *end)
{
  PngWholeChunk chunk;
  gsize pos = 0;
  gsize stream = 0;

  while (png_whole_chunk (buf, len, pos, &chunk) && png_whole_is (&chunk, "IDAT"))
    {
      if (chunk.length == 0 || chunk.length > raw_size)
        return 0;
      memmove (buf + stream, chunk.data, chunk.length);
      stream += chunk.length;
      pos += 12 + (gsize) chunk.length;
    }
  *end = pos;
  return pos == 0 ? 0 : stream;
}

/* A zlib header libdeflate and zlib (as libpng sets it up) read alike:
 * deflate with the full 32 KB window. With a smaller window declared, zlib
 * refuses distances past it and libdeflate does not. No preset dictionary. */
static gboolean
png_whole_zlib_header_ok (const guint8 *stream, gsize len)
{
  return len >= 2 && stream[0] == 0x78 && (stream[1] & 0x20) == 0
         && ((guint) stream[0] << 8 | stream[1]) % 31 == 0;
}

/* Inflates the stream into @raw, exactly @raw_size bytes from exactly the
 * whole stream: libpng stops at too little image data and warns of too much
 * (zlib's checksum is not checked by libpng here, nor by libvips: a bad one
 * declines, and libpng reads the image). */
static gboolean
png_whole_inflate (const guint8 *stream, gsize len, guint8 *raw, gsize raw_size)
{
  struct libdeflate_decompressor *inflater = libdeflate_alloc_decompressor ();
  size_t used = 0;
  enum libdeflate_result result;

  if (inflater == NULL)
    return FALSE;
  result = libdeflate_zlib_decompress_ex (inflater, stream, len, raw, raw_size, &used, NULL);
  libdeflate_free_decompressor (inflater);
  return result == LIBDEFLATE_SUCCESS && used == len;
}

/* A row of 16-bit samples as 8-bit ones, as png_set_scale_16() makes them:
 * round(v * 255 / 65535), which test-png-whole checks against libpng for
 * every value. */
static void
png_whole_scale_16 (guint8 *restrict out, const guint8 *restrict row, gsize samples)
{
  for (gsize i = 0; i < samples; i++)
    {
      guint32 v = (guint32) row[2 * i] << 8 | row[2 * i + 1];

      out[i] = (guint8) ((v * 255 + 32895) >> 16);
    }
}

ShardpixPngWholeResult
shardpix_png_whole_read (const ShardpixPngWhole *whole, ShardpixPngBox *box)
{
  const gsize stride = whole->row_bytes + 1;
  const gsize file_size = (gsize) whole->st->st_size;
  gsize rest;
  gsize raw_size;
  gsize stream;
  gsize trailer = 0;
  ShardpixPngWholeResult result;
  g_autofree guint8 *file = NULL;
  g_autofree guint8 *raw = NULL;
  g_autofree guint8 *zeros = NULL;
  g_autofree guint8 *scaled = NULL;
  guint8 *buf;
  const guint8 *prev;

  if (whole->idat < 0 || (gsize) whole->idat >= file_size || whole->height == 0
      || whole->row_bytes >= SHARDPIX_PNG_WHOLE_MAX_BYTES / whole->height)
    return SHARDPIX_PNG_WHOLE_DECLINED;
  rest = file_size - (gsize) whole->idat;
  raw_size = stride * whole->height;
  if (file_size > SHARDPIX_PNG_WHOLE_MAX_BYTES
      || raw_size > SHARDPIX_PNG_WHOLE_MAX_BYTES - file_size)
    return SHARDPIX_PNG_WHOLE_DECLINED;

  file = shardpix_fastload_read (whole->fd, whole->st);
  if (file == NULL)
    return SHARDPIX_PNG_WHOLE_DECLINED;
  buf = file + whole->idat;
  /* The trailer first: nothing is decoded for a file that declines. The
   * gathering moves image data over the IDAT run only, before the trailer. */
  stream = png_whole_gather (buf, rest, raw_size, &trailer);
  if (stream == 0 || !png_whole_zlib_header_ok (buf, stream))
    return SHARDPIX_PNG_WHOLE_DECLINED;
  result = png_whole_trailer (buf, rest, trailer, whole->no_rotate);
  if (result != SHARDPIX_PNG_WHOLE_DONE)
    return result;

  raw = g_try_malloc (raw_size);
  if (raw == NULL || !png_whole_inflate (buf, stream, raw, raw_size)
      || !shardpix_png_unfilter_valid (raw, whole->row_bytes, whole->height))
    return SHARDPIX_PNG_WHOLE_DECLINED;
  g_clear_pointer (&file, g_free);

  zeros = g_malloc0 (whole->row_bytes);
  if (whole->depth == 16)
    scaled = g_malloc (whole->row_bytes / 2);
  prev = zeros;
  for (guint y = 0; y < whole->height; y++)
    {
      guint8 *row = raw + (gsize) y * stride;

      shardpix_png_unfilter_row (row[0], row + 1, prev, whole->row_bytes, whole->bpp);
      /* The next row's filter needs this one as stored: scaled apart. */
      if (scaled != NULL)
        png_whole_scale_16 (scaled, row + 1, whole->row_bytes / 2);
      shardpix_png_box_push (box, scaled != NULL ? scaled : row + 1, whole->channels,
                             y + 1 == whole->height);
      prev = row + 1;
    }
  return SHARDPIX_PNG_WHOLE_DONE;
}
