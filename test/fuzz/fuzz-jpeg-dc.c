/* libFuzzer target: the DC-scan decoder reads untrusted files. On any bytes
 * it must either refuse them or give exactly the pixels libjpeg gives at
 * 1/8 (when libjpeg reads them without a warning). Seeds: seeds-jpeg-dc/. */
#include <string.h>

#include <vips/vips.h>

#include "fastload.h"
#include "jpeg-dc.h"
#include "vips-autoptr.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  if (VIPS_INIT ((*argv)[0]) != 0)
    __builtin_trap ();
  vips_cache_set_max (0);
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr (VipsImage) dc = shardpix_jpeg_dc_luma (data, size);
  g_autoptr (VipsImage) libjpeg = NULL;
  g_autoptr (VipsImage) cropped = NULL;
  g_autofree void *dc_pixels = NULL;
  g_autofree void *libjpeg_pixels = NULL;
  gsize dc_size = 0, libjpeg_size = 0;

  /* Keep libjpeg's side small: a fuzzer soon declares 65535x65535. */
  if (dc == NULL || (gint64) dc->Xsize * dc->Ysize > 1 << 16)
    return 0;
  libjpeg = shardpix_fastload_jpeg_decode_buffer (data, size, 8);
  if (libjpeg == NULL)
    return 0;
  if (libjpeg->Xsize > dc->Xsize || libjpeg->Ysize > dc->Ysize
      || vips_extract_area (dc, &cropped, 0, 0, libjpeg->Xsize, libjpeg->Ysize, NULL) != 0)
    __builtin_trap ();
  dc_pixels = vips_image_write_to_memory (cropped, &dc_size);
  libjpeg_pixels = vips_image_write_to_memory (libjpeg, &libjpeg_size);
  if (dc_size != libjpeg_size || memcmp (dc_pixels, libjpeg_pixels, dc_size) != 0)
    __builtin_trap ();
  return 0;
}
