/* libFuzzer target: the WebP fast path against libvips' WebP loader, in
 * both directions (fuzz-fastload.h). A RIFF length that does not match the
 * file is also tried corrected, so that mutations reach the chunks inside.
 * Seeds: seeds-webp/ (the crafted files of test-fastload-webp.c and more). */
#include <string.h>

#include "shardpix/fastload.h"
#include "fuzz-fastload.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autofree guint8 *fixed = NULL;
  guint32 riff;

  fuzz_fastload_check (data, size, "webp", shardpix_fastload_webp, TOLERANCE_LOSSY);
  if (size < 12 || memcmp (data, "RIFF", 4) != 0)
    return 0;
  riff = (guint32) data[4] | (guint32) data[5] << 8 | (guint32) data[6] << 16
         | (guint32) data[7] << 24;
  if (riff == size - 8)
    return 0;
  fixed = g_memdup2 (data, size);
  riff = (guint32) size - 8;
  for (int i = 0; i < 4; i++)
    fixed[4 + i] = (guint8) (riff >> (8 * i));
  fuzz_fastload_check (fixed, size, "webp", shardpix_fastload_webp, TOLERANCE_LOSSY);
  return 0;
}
