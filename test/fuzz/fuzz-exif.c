/* libFuzzer target: the EXIF orientation reader (lib/fastload.c) and the
 * three fast paths that use it, against libvips' own orientation
 * (vips_image_get_orientation() after its loader and libexif read the same
 * bytes). The input is up to three EXIF blocks separated by "SEG|"; each
 * goes into a small real JPEG (an APP1 segment: "Exif\0\0" and the block,
 * or the block as it is after a leading '!'), PNG (an eXIf chunk) and WebP
 * (an EXIF chunk, the VP8X header saying so). Wherever a fast path takes
 * the file, its orientation must be libvips'; where the reader gives 1-8
 * for a lone block, so must libvips. Seeds: seeds-exif/. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "shardpix/fastload.h"
#include "fuzz-fastload.h"
#include "shardpix/vips-autoptr.h"

#define FUZZ_EXIF_MAX_BLOCKS 3

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static GBytes *fuzz_exif_jpeg; /* 16x16 black, no metadata */
static GBytes *fuzz_exif_png;
static GBytes *fuzz_exif_vp8; /* the VP8 chunk (header, payload, pad) of a WebP */

/* The three base images, made on the first input (libvips runs by then). */
static void
fuzz_exif_init (void)
{
  g_autoptr (VipsImage) black = NULL;
  void *buf = NULL;
  gsize len = 0;

  if (fuzz_exif_vp8 != NULL)
    return;
  if (vips_black (&black, 16, 16, NULL) != 0
      || vips_jpegsave_buffer (black, &buf, &len, "strip", TRUE, NULL) != 0)
    fuzz_fastload_fail ("cannot make a JPEG: %s", vips_error_buffer ());
  fuzz_exif_jpeg = g_bytes_new_take (buf, len);
  if (vips_pngsave_buffer (black, &buf, &len, "strip", TRUE, NULL) != 0)
    fuzz_fastload_fail ("cannot make a PNG: %s", vips_error_buffer ());
  fuzz_exif_png = g_bytes_new_take (buf, len);
  if (vips_webpsave_buffer (black, &buf, &len, "strip", TRUE, NULL) != 0)
    fuzz_fastload_fail ("cannot make a WebP: %s", vips_error_buffer ());
  /* libvips may write a VP8X header: keep the VP8 chunk alone. */
  for (gsize pos = 12; pos + 8 <= len && fuzz_exif_vp8 == NULL;)
    {
      const guint8 *p = (const guint8 *) buf + pos;
      gsize size = p[4] | p[5] << 8 | p[6] << 16 | (gsize) p[7] << 24;

      if (memcmp (p, "VP8 ", 4) == 0 && size <= len - pos - 8)
        fuzz_exif_vp8 = g_bytes_new (p, 8 + size + size % 2);
      pos += 8 + size + size % 2;
    }
  g_free (buf);
  if (fuzz_exif_vp8 == NULL)
    fuzz_fastload_fail ("libvips wrote no VP8 chunk");
}

static void
fuzz_exif_put32 (GByteArray *out, guint32 value, gboolean big_endian)
{
  guint8 b[4];

  for (int i = 0; i < 4; i++)
    b[i] = (guint8) (value >> (big_endian ? 24 - 8 * i : 8 * i));
  g_byte_array_append (out, b, 4);
}

static GByteArray *
fuzz_exif_make_jpeg (GBytes **blocks, guint n)
{
  gsize len;
  const guint8 *base = g_bytes_get_data (fuzz_exif_jpeg, &len);
  GByteArray *out = g_byte_array_new ();

  g_byte_array_append (out, base, 2);
  for (guint i = 0; i < n; i++)
    {
      gsize size;
      const guint8 *block = g_bytes_get_data (blocks[i], &size);
      gboolean raw = size > 0 && block[0] == '!';
      gsize payload = raw ? size - 1 : size + 6;
      guint8 marker[4] = { 0xff, 0xe1, (guint8) ((payload + 2) >> 8), (guint8) (payload + 2) };

      if (payload + 2 > 0xffff)
        continue;
      g_byte_array_append (out, marker, 4);
      if (raw)
        g_byte_array_append (out, block + 1, (guint) size - 1);
      else
        {
          g_byte_array_append (out, (const guint8 *) "Exif\0\0", 6);
          g_byte_array_append (out, block, (guint) size);
        }
    }
  g_byte_array_append (out, base + 2, (guint) len - 2);
  return out;
}

/* The eXIf chunks go right after IHDR (8 + 25 bytes), before any IDAT. */
static GByteArray *
fuzz_exif_make_png (GBytes **blocks, guint n)
{
  gsize len;
  const guint8 *base = g_bytes_get_data (fuzz_exif_png, &len);
  GByteArray *out = g_byte_array_new ();

  g_byte_array_append (out, base, 33);
  for (guint i = 0; i < n; i++)
    {
      gsize size;
      const guint8 *block = g_bytes_get_data (blocks[i], &size);
      guint32 crc = (guint32) crc32 (0, (const guint8 *) "eXIf", 4);

      crc = (guint32) crc32 (crc, block, (uInt) size);
      fuzz_exif_put32 (out, (guint32) size, TRUE);
      g_byte_array_append (out, (const guint8 *) "eXIf", 4);
      g_byte_array_append (out, block, (guint) size);
      fuzz_exif_put32 (out, crc, TRUE);
    }
  g_byte_array_append (out, base + 33, (guint) len - 33);
  return out;
}

static GByteArray *
fuzz_exif_make_webp (GBytes **blocks, guint n)
{
  static const guint8 vp8x[18] = { 'V', 'P', '8', 'X', 10, 0, 0, 0, 0x08, 0, 0, 0, 15, 0, 0, 15, 0, 0 };
  gsize len;
  const guint8 *vp8 = g_bytes_get_data (fuzz_exif_vp8, &len);
  GByteArray *out = g_byte_array_new ();

  g_byte_array_append (out, (const guint8 *) "RIFF\0\0\0\0WEBP", 12);
  g_byte_array_append (out, vp8x, sizeof vp8x);
  g_byte_array_append (out, vp8, (guint) len);
  for (guint i = 0; i < n; i++)
    {
      gsize size;
      const guint8 *block = g_bytes_get_data (blocks[i], &size);

      g_byte_array_append (out, (const guint8 *) "EXIF", 4);
      fuzz_exif_put32 (out, (guint32) size, FALSE);
      g_byte_array_append (out, block, (guint) size);
      if (size % 2 == 1)
        g_byte_array_append (out, (const guint8 *) "", 1);
    }
  for (int i = 0; i < 4; i++)
    out->data[4 + i] = (guint8) ((out->len - 8) >> (8 * i));
  return out;
}

/* libvips' orientation for @file, or 0 if its loader refuses it. */
static int
fuzz_exif_libvips (GByteArray *file)
{
  g_autoptr (VipsImage) image = vips_image_new_from_buffer (file->data, file->len, "", NULL);

  if (image == NULL)
    {
      vips_error_clear ();
      return 0;
    }
  return vips_image_get_orientation (image);
}

/* The fast path's orientation for @file: 0 if it does not take it. */
static int
fuzz_exif_fast (GByteArray *file, const char *ext, FuzzFastload fastload)
{
  const char *path = fuzz_fastload_write (file->data, file->len, ext);
  g_autoptr (VipsImage) image = NULL;
  struct stat st;
  int orientation = 1;
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  if (fd < 0 || fstat (fd, &st) != 0)
    fuzz_fastload_fail ("cannot open %s", path);
  image = fastload (fd, &st, fuzz_fastload_job ());
  close (fd);
  if (image == NULL)
    return 0;
  if (vips_image_get_typeof (image, VIPS_META_ORIENTATION) != 0)
    vips_image_get_int (image, VIPS_META_ORIENTATION, &orientation);
  return orientation;
}

static void
fuzz_exif_container (GByteArray *file, const char *ext, FuzzFastload fastload)
{
  int fast = fuzz_exif_fast (file, ext, fastload);
  int libvips;

  if (fast == 0)
    return;
  libvips = fuzz_exif_libvips (file);
  if (fast != libvips)
    fuzz_fastload_fail ("%s: the fast path's orientation is %d, libvips' %d", ext, fast,
                        libvips);
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  GBytes *blocks[FUZZ_EXIF_MAX_BLOCKS];
  guint n = 0;
  const guint8 *start = data;
  const guint8 *end = data + size;
  g_autoptr (GByteArray) jpeg = NULL;
  g_autoptr (GByteArray) png = NULL;
  g_autoptr (GByteArray) webp = NULL;

  fuzz_exif_init ();
  while (n < FUZZ_EXIF_MAX_BLOCKS)
    {
      const guint8 *cut = n + 1 < FUZZ_EXIF_MAX_BLOCKS
                              ? memmem (start, (gsize) (end - start), "SEG|", 4)
                              : NULL;

      blocks[n++] = g_bytes_new (start, (gsize) ((cut != NULL ? cut : end) - start));
      if (cut == NULL)
        break;
      start = cut + 4;
    }
  if (n == 1)
    {
      gsize len;
      const guint8 *block = g_bytes_get_data (blocks[0], &len);
      int reader = shardpix_fastload_exif_orientation (block, len);

      jpeg = fuzz_exif_make_jpeg (blocks, 1);
      if (reader != 0 && (len == 0 || block[0] != '!') && reader != fuzz_exif_libvips (jpeg))
        fuzz_fastload_fail ("the reader says %d, libvips %d", reader, fuzz_exif_libvips (jpeg));
    }
  else
    jpeg = fuzz_exif_make_jpeg (blocks, n);
  png = fuzz_exif_make_png (blocks, n);
  webp = fuzz_exif_make_webp (blocks, n);
  fuzz_exif_container (jpeg, "jpg", shardpix_fastload_jpeg);
  fuzz_exif_container (png, "png", shardpix_fastload_png);
  fuzz_exif_container (webp, "webp", shardpix_fastload_webp);
  for (guint i = 0; i < n; i++)
    g_bytes_unref (blocks[i]);
  return 0;
}
