#include "fastload.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jpeglib.h>

#include "icc.h"
#include "jpeg-dc.h"

typedef struct {
  struct jpeg_error_mgr pub;
  jmp_buf escape;
  gboolean warned;
} FastloadJpegErrors;

static void
fastload_jpeg_error_exit (j_common_ptr cinfo)
{
  FastloadJpegErrors *errors = (FastloadJpegErrors *) cinfo->err;

  longjmp (errors->escape, 1);
}

/* Any warning (premature end, corrupt data) sends the file to libvips,
 * which decides with the job's fail_on level and words the message. */
static void
fastload_jpeg_emit_message (j_common_ptr cinfo, int level)
{
  FastloadJpegErrors *errors = (FastloadJpegErrors *) cinfo->err;

  if (level < 0)
    errors->warned = TRUE;
}

/* The EXIF orientation (1-8) from an APP1 segment, 1 without one, 0 if it
 * cannot be read. */
static int
fastload_jpeg_orientation (j_decompress_ptr cinfo)
{
  for (jpeg_saved_marker_ptr m = cinfo->marker_list; m != NULL; m = m->next)
    if (m->marker == JPEG_APP0 + 1 && m->data_length > 6 && memcmp (m->data, "Exif\0\0", 6) == 0)
      return shardpix_fastload_exif_orientation (m->data + 6, m->data_length - 6);
  return 1;
}

/* A Display P3 or Adobe RGB profile: libvips converts to sRGB first. */
static gboolean
fastload_jpeg_profile_ok (j_decompress_ptr cinfo)
{
  JOCTET *profile = NULL;
  unsigned int len = 0;
  gboolean ok;

  if (!jpeg_read_icc_profile (cinfo, &profile, &len))
    return TRUE;
  ok = shardpix_icc_fast_ok (profile, len);
  free (profile);
  return ok;
}

/* The shrink-on-load vips_thumbnail() picks for @shrink (8.14): it leaves
 * at least a factor of 2 to its resize. */
static int
fastload_jpeg_libvips_denominator (double shrink)
{
  return shrink >= 16 ? 8 : shrink >= 8 ? 4 : shrink >= 4 ? 2 : 1;
}

/* 1/8 whenever the box allows it, since that is where a progressive JPEG
 * needs its DC scans alone and the 8x8 block mean is a box filter for the
 * final reduce; below that, libvips' own choice, so that the two paths
 * resample alike. */
static int
fastload_jpeg_denominator (double shrink)
{
  return shrink >= 8 ? 8 : fastload_jpeg_libvips_denominator (shrink);
}

typedef struct {
  struct jpeg_decompress_struct cinfo;
  FastloadJpegErrors errors;
  VipsImage *image;
  /* Set after setjmp(), so kept here rather than in locals. */
  int denominator;
  int orientation;
  double shrink; /* what the box asks for */
} FastloadJpegDecode;

/* libjpeg rounds a scaled size up, libvips' loader down, dropping the last
 * partial block: do as libvips does. */
static VipsImage *
fastload_jpeg_finish (FastloadJpegDecode *d)
{
  int width = (int) (d->cinfo.image_width / (unsigned int) d->denominator);
  int height = (int) (d->cinfo.image_height / (unsigned int) d->denominator);
  int libvips = fastload_jpeg_libvips_denominator (d->shrink);
  VipsImage *image = NULL;

  if (width < 1 || height < 1 || width > d->image->Xsize || height > d->image->Ysize)
    return NULL;
  if (width == d->image->Xsize && height == d->image->Ysize)
    image = g_steal_pointer (&d->image);
  else if (vips_extract_area (d->image, &image, 0, 0, width, height, NULL) != 0)
    return NULL;
  if (d->orientation != 1)
    vips_image_set_int (image, VIPS_META_ORIENTATION, d->orientation);
  vips_image_set_int (image, SHARDPIX_FASTLOAD_WIDTH, (int) d->cinfo.image_width / libvips);
  vips_image_set_int (image, SHARDPIX_FASTLOAD_HEIGHT, (int) d->cinfo.image_height / libvips);
  return image;
}

/* Decodes @data as luminance scaled by 1/@denominator (0: chosen for @job);
 * with @dc_scans, a progressive JPEG at 1/8 by jpeg-dc.h. */
static VipsImage *
fastload_jpeg_decode (FastloadJpegDecode *d, const guint8 *data, gsize len,
                      const ShardpixJob *job, int denominator, gboolean dc_scans)
{
  struct jpeg_decompress_struct *cinfo = &d->cinfo;

  cinfo->err = jpeg_std_error (&d->errors.pub);
  d->errors.pub.error_exit = fastload_jpeg_error_exit;
  d->errors.pub.emit_message = fastload_jpeg_emit_message;
  if (setjmp (d->errors.escape) != 0)
    return NULL;
  jpeg_create_decompress (cinfo);
  jpeg_save_markers (cinfo, JPEG_APP0 + 1, 0xFFFF);
  jpeg_save_markers (cinfo, JPEG_APP0 + 2, 0xFFFF);
  jpeg_mem_src (cinfo, data, (unsigned long) len);
  if (jpeg_read_header (cinfo, TRUE) != JPEG_HEADER_OK || cinfo->data_precision != 8)
    return NULL;
  if (!fastload_jpeg_profile_ok (cinfo))
    return NULL;
  if (cinfo->jpeg_color_space != JCS_GRAYSCALE && cinfo->jpeg_color_space != JCS_YCbCr
      && cinfo->jpeg_color_space != JCS_RGB)
    return NULL;
  if (job != NULL && job->max_pixels != 0
      && (gint64) cinfo->image_width * cinfo->image_height > job->max_pixels)
    return NULL;
  d->orientation = fastload_jpeg_orientation (cinfo);
  if (d->orientation == 0)
    return NULL;
  d->denominator = denominator;
  if (d->denominator == 0)
    {
      gboolean turned = d->orientation >= 5 && !job->no_rotate;

      d->shrink = shardpix_fastload_shrink (
          job, (int) (turned ? cinfo->image_height : cinfo->image_width),
          (int) (turned ? cinfo->image_width : cinfo->image_height));
      d->denominator = fastload_jpeg_denominator (d->shrink);
    }
  else
    d->shrink = d->denominator;
  if (dc_scans && d->denominator == 8 && cinfo->progressive_mode && !cinfo->arith_code
      && cinfo->jpeg_color_space != JCS_RGB)
    {
      d->image = shardpix_jpeg_dc_luma (data, len);
      return d->image != NULL ? fastload_jpeg_finish (d) : NULL;
    }
  cinfo->scale_num = 1;
  cinfo->scale_denom = (unsigned int) d->denominator;
  cinfo->out_color_space = JCS_GRAYSCALE;
  cinfo->dct_method = JDCT_ISLOW;
  /* Smoothing guesses the AC coefficients of an unfinished progressive
   * image: a complete one has none to guess, and jpeg-dc.h does without. */
  cinfo->do_block_smoothing = FALSE;
  jpeg_start_decompress (cinfo);

  d->image = vips_image_new_memory ();
  vips_image_init_fields (d->image, (int) cinfo->output_width, (int) cinfo->output_height, 1,
                          VIPS_FORMAT_UCHAR, VIPS_CODING_NONE, VIPS_INTERPRETATION_B_W, 1.0,
                          1.0);
  if (vips_image_write_prepare (d->image) != 0)
    return NULL;
  while (cinfo->output_scanline < cinfo->output_height)
    {
      JSAMPROW row = VIPS_IMAGE_ADDR (d->image, 0, cinfo->output_scanline);

      jpeg_read_scanlines (cinfo, &row, 1);
    }
  jpeg_finish_decompress (cinfo);
  if (d->errors.warned)
    return NULL;
  return fastload_jpeg_finish (d);
}

/* On the heap: what setjmp returns to must not live in registers. */
static VipsImage *
fastload_jpeg_run (const guint8 *data, gsize len, const ShardpixJob *job, int denominator,
                   gboolean dc_scans)
{
  FastloadJpegDecode *d = g_new0 (FastloadJpegDecode, 1);
  VipsImage *image = fastload_jpeg_decode (d, data, len, job, denominator, dc_scans);

  jpeg_destroy_decompress (&d->cinfo);
  g_clear_object (&d->image);
  g_free (d);
  vips_error_clear ();
  return image;
}

VipsImage *
shardpix_fastload_jpeg_decode_buffer (const guint8 *data, gsize len, int denominator)
{
  return fastload_jpeg_run (data, len, NULL, denominator, FALSE);
}

VipsImage *
shardpix_fastload_jpeg (int fd, const struct stat *st, const ShardpixJob *job)
{
  g_autofree guint8 *data = NULL;
  guint8 head[2];

  if (st->st_size < 4 || pread (fd, head, sizeof head, 0) != sizeof head || head[0] != 0xFF || head[1] != 0xD8)
    return NULL;
  data = shardpix_fastload_read (fd, st);
  if (data == NULL)
    return NULL;
  return fastload_jpeg_run (data, (gsize) st->st_size, job, 0, TRUE);
}
