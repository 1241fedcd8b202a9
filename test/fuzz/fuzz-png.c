/* libFuzzer target: the PNG fast path against libvips' PNG loader (libpng
 * in Debian's libvips 8.14), in both directions (fuzz-fastload.h). Every
 * input with a wrong chunk CRC is also tried with the CRCs corrected, or
 * mutations would rarely get past libpng's checks to the pixels.
 * Seeds: seeds-png/. */
#include <zlib.h>

#include "shardpix/fastload.h"
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

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autofree guint8 *fixed = g_memdup2 (data, size);

  fuzz_fastload_check (data, size, "png", shardpix_fastload_png, TOLERANCE_PNG);
  if (fuzz_png_fix_crcs (fixed, size))
    fuzz_fastload_check (fixed, size, "png", shardpix_fastload_png, TOLERANCE_PNG);
  return 0;
}
