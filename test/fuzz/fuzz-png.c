/* libFuzzer target: the PNG fast path against libvips' PNG loader (libpng
 * in Debian's libvips 8.14), in both directions (fuzz-fastload.h), and its
 * whole-image reader (fastload-png-whole.h) against libpng's rows: what
 * the reader takes, libpng takes too, to the byte. Every
 * input with a wrong chunk CRC is also tried with the CRCs corrected, or
 * mutations would rarely get past libpng's checks to the pixels.
 * Seeds: seeds-png/. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "shardpix/fastload.h"
#include "shardpix/vips-autoptr.h"
#include "fuzz-fastload.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static guint32
fuzz_png_get32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

/* Rewrites the CRC of every whole chunk in @png; TRUE if one was wrong. */
static gboolean
fuzz_png_fix_crcs (guint8 *png, gsize size)
{
  gboolean changed = FALSE;
  gsize pos = 8;

  while (pos + 12 <= size)
    {
      guint32 len = fuzz_png_get32 (png + pos);
      guint32 crc;

      if (len > size - pos - 12)
        break;
      crc = (guint32) crc32 (0, png + pos + 4, len + 4);
      if (fuzz_png_get32 (png + pos + 8 + len) != crc)
        {
          for (int i = 0; i < 4; i++)
            png[pos + 8 + len + i] = (guint8) (crc >> (24 - 8 * i));
          changed = TRUE;
        }
      pos += 12 + len;
    }
  return changed;
}

/* Whether @png is grey (IHDR's colour type 0, which libpng checks) and
 * @image, the fast path's, is at its full size: the one kind the fast path
 * takes only when the whole-image reader reads it. */
static gboolean
fuzz_png_grey_unshrunk (const guint8 *png, gsize size, VipsImage *image)
{
  int width = 0;
  int height = 0;

  return size > 25 && png[25] == 0
         && vips_image_get_int (image, SHARDPIX_FASTLOAD_WIDTH, &width) == 0
         && vips_image_get_int (image, SHARDPIX_FASTLOAD_HEIGHT, &height) == 0
         && image->Xsize == width && image->Ysize == height;
}

/* The fast path's image with the whole-image reader allowed and without:
 * the same bytes, or NULL both (an eXIf after the pixels that turns them
 * sends both to libvips), or NULL with the reader for a grey image the
 * box does not shrink and the reader declines. Without the reader, every
 * row is libpng's. */
static void
fuzz_png_check_whole (const guint8 *data, gsize size)
{
  const char *path = fuzz_fastload_write (data, size, "png");
  g_autoptr (VipsImage) whole = NULL;
  g_autoptr (VipsImage) streaming = NULL;
  struct stat st;
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  if (fd < 0 || fstat (fd, &st) != 0)
    fuzz_fastload_fail ("cannot open %s", path);
  whole = shardpix_fastload_png (fd, &st, fuzz_fastload_job ());
  streaming = shardpix_fastload_png_streaming (fd, &st, fuzz_fastload_job ());
  close (fd);
  if (whole == NULL && (streaming == NULL || fuzz_png_grey_unshrunk (data, size, streaming)))
    return;
  if (whole == NULL || streaming == NULL)
    fuzz_fastload_fail ("the whole-image reader %s a file libpng's rows %s",
                        whole != NULL ? "took" : "refused", whole != NULL ? "refuse" : "take");
  if (whole->Xsize != streaming->Xsize || whole->Ysize != streaming->Ysize
      || whole->Bands != streaming->Bands
      || memcmp (VIPS_IMAGE_ADDR (whole, 0, 0), VIPS_IMAGE_ADDR (streaming, 0, 0),
                 VIPS_IMAGE_SIZEOF_IMAGE (whole))
             != 0)
    fuzz_fastload_fail ("the whole-image reader's %dx%d image is not libpng's rows'",
                        whole->Xsize, whole->Ysize);
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autofree guint8 *fixed = g_memdup2 (data, size);

  fuzz_png_check_whole (data, size);
  fuzz_fastload_check (data, size, "png", shardpix_fastload_png, TOLERANCE_PNG);
  if (fuzz_png_fix_crcs (fixed, size))
    {
      fuzz_png_check_whole (fixed, size);
      fuzz_fastload_check (fixed, size, "png", shardpix_fastload_png, TOLERANCE_PNG);
    }
  return 0;
}
