/* libFuzzer target: the DC-scan fast path reads untrusted files, and is
 * held to libjpeg in both directions. Whenever the fast path (libjpeg's
 * header read, then jpeg-dc.h on the same frame) accepts an input, libjpeg
 * decoding the whole file at 1/8 must accept it too and give exactly the
 * same pixels; so an input libjpeg refuses and jpeg-dc accepts traps.
 * "libjpeg accepts" is judged as libvips judges at shardpix's default
 * --fail-on truncated: an error, or a premature end of the file, refuses;
 * the other warnings, which libvips only prints, do not (jpeg-dc refuses
 * every one it can see anyway). Seeds: seeds-jpeg-dc/, written by
 * test/test-jpeg-dc.c; every input this target finds becomes a case there
 * and a seed. */
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <jerror.h>
#include <jpeglib.h>
#include <vips/vips.h>

#include "shardpix/fastload.h"
#include "shardpix/vips-autoptr.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

typedef struct {
  struct jpeg_error_mgr pub;
  jmp_buf escape;
  gboolean truncated;
} ReferenceErrors;

static void
reference_error_exit (j_common_ptr cinfo)
{
  longjmp (((ReferenceErrors *) cinfo->err)->escape, 1);
}

static void
reference_emit_message (j_common_ptr cinfo, int level)
{
  if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF)
    ((ReferenceErrors *) cinfo->err)->truncated = TRUE;
}

typedef struct {
  struct jpeg_decompress_struct cinfo;
  ReferenceErrors errors;
  guint8 *pixels;
  int width, height;
} Reference;

/* libjpeg alone: grey at 1/8 with the 1x1 inverse DCT and no smoothing,
 * as the fast path's own libjpeg decoder asks. FALSE when it refuses. */
static gboolean
reference_decode (Reference *r, const guint8 *data, size_t size)
{
  struct jpeg_decompress_struct *cinfo = &r->cinfo;

  cinfo->err = jpeg_std_error (&r->errors.pub);
  r->errors.pub.error_exit = reference_error_exit;
  r->errors.pub.emit_message = reference_emit_message;
  if (setjmp (r->errors.escape) != 0)
    return FALSE;
  jpeg_create_decompress (cinfo);
  jpeg_mem_src (cinfo, data, (unsigned long) size);
  jpeg_read_header (cinfo, TRUE);
  cinfo->scale_num = 1;
  cinfo->scale_denom = 8;
  cinfo->out_color_space = JCS_GRAYSCALE;
  cinfo->dct_method = JDCT_ISLOW;
  cinfo->do_block_smoothing = FALSE;
  jpeg_start_decompress (cinfo);
  r->width = (int) cinfo->output_width;
  r->height = (int) cinfo->output_height;
  r->pixels = g_malloc ((gsize) r->width * (gsize) r->height);
  while (cinfo->output_scanline < cinfo->output_height)
    {
      JSAMPROW row = r->pixels + (gsize) cinfo->output_scanline * (gsize) r->width;

      jpeg_read_scanlines (cinfo, &row, 1);
    }
  return !r->errors.truncated;
}

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
  g_autoptr (VipsImage) fast = shardpix_fastload_jpeg_dc_buffer (data, size);
  g_autofree guint8 *fast_pixels = NULL;
  Reference *r;
  gboolean accepted;
  gsize fast_size = 0;

  /* Keep libjpeg's side small: its coefficient buffer is 128 bytes per
   * block and component, and a fuzzer soon declares 65500x65500. */
  if (fast == NULL || (gint64) fast->Xsize * fast->Ysize > 1 << 16)
    return 0;
  fast_pixels = vips_image_write_to_memory (fast, &fast_size);
  r = g_new0 (Reference, 1);
  accepted = reference_decode (r, data, size);
  jpeg_destroy_decompress (&r->cinfo);
  /* The fast path accepted it: so must libjpeg, with the same pixels (the
   * fast path keeps whole blocks only, libjpeg's top-left part). */
  if (!accepted || fast->Xsize > r->width || fast->Ysize > r->height)
    __builtin_trap ();
  for (int y = 0; y < fast->Ysize; y++)
    if (memcmp (fast_pixels + (gsize) y * (gsize) fast->Xsize,
                r->pixels + (gsize) y * (gsize) r->width, (gsize) fast->Xsize)
        != 0)
      __builtin_trap ();
  g_free (r->pixels);
  g_free (r);
  return 0;
}
