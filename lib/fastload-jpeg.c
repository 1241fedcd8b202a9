#include "shardpix/fastload.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jpeglib.h>

#include "shardpix/icc.h"
#include "shardpix/jpeg-dc.h"
#include "shardpix/memguard.h"

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

/* The EXIF orientation (1-8) from the APP1 segment libvips reads, the first
 * that starts with "Exif": 1 without one, 0 if it cannot be read (then
 * libvips judges, also when that segment is not "Exif\0\0" and TIFF data:
 * a valid one after it is not libvips' orientation). */
static int
fastload_jpeg_orientation (j_decompress_ptr cinfo)
{
  for (jpeg_saved_marker_ptr m = cinfo->marker_list; m != NULL; m = m->next)
    if (m->marker == JPEG_APP0 + 1 && m->data_length > 4 && memcmp (m->data, "Exif", 4) == 0)
      return m->data_length > 6 && memcmp (m->data, "Exif\0\0", 6) == 0
                 ? shardpix_fastload_exif_orientation (m->data + 6, m->data_length - 6)
                 : 0;
  return 1;
}

/* What the embedded profile asks of the decoder. */
typedef enum {
  FASTLOAD_JPEG_AS_STORED, /* none, sRGB or grey: luminance as stored */
  FASTLOAD_JPEG_CONVERT,   /* another RGB (Display P3, Adobe RGB): colour */
  FASTLOAD_JPEG_DECLINE,   /* CMYK, Lab, unreadable: libvips' path */
} FastloadJpegProfile;

/* The embedded profile's kind; a profile to convert is kept in *@profile
 * (free() it) to be attached to the image, any other is freed here. */
static FastloadJpegProfile
fastload_jpeg_profile (j_decompress_ptr cinfo, JOCTET **profile, unsigned int *len)
{
  FastloadJpegProfile kind;

  *profile = NULL;
  *len = 0;
  if (!jpeg_read_icc_profile (cinfo, profile, len))
    return FASTLOAD_JPEG_AS_STORED;
  kind = shardpix_icc_fast_ok (*profile, *len)                           ? FASTLOAD_JPEG_AS_STORED
         : shardpix_icc_kind (*profile, *len) == SHARDPIX_ICC_OTHER_RGB ? FASTLOAD_JPEG_CONVERT
                                                                         : FASTLOAD_JPEG_DECLINE;
  if (kind != FASTLOAD_JPEG_CONVERT)
    g_clear_pointer (profile, free);
  return kind;
}

/* 1/8 whenever the box allows it, since that is where a progressive JPEG
 * needs its DC scans alone and the 8x8 block mean is a box filter for the
 * final reduce; below that, libvips' own choice, so that the two paths
 * resample alike. */
static int
fastload_jpeg_denominator (double shrink)
{
  return shrink >= 8 ? 8 : shardpix_shrink_jpeg_denominator (shrink);
}

typedef struct {
  struct jpeg_decompress_struct cinfo;
  FastloadJpegErrors errors;
  VipsImage *image;
  /* Set after setjmp(), so kept here rather than in locals. */
  int denominator;
  int orientation;
  double shrink; /* what the box asks for */
  JOCTET *profile; /* the profile to convert from (decoded in colour), or NULL */
  unsigned int profile_len;
} FastloadJpegDecode;

/* libjpeg rounds a scaled size up, libvips' loader down, dropping the last
 * partial block: do as libvips does. */
static VipsImage *
fastload_jpeg_finish (FastloadJpegDecode *d)
{
  int width = (int) (d->cinfo.image_width / (unsigned int) d->denominator);
  int height = (int) (d->cinfo.image_height / (unsigned int) d->denominator);
  int libvips = shardpix_shrink_jpeg_denominator (d->shrink);
  VipsImage *image = NULL;

  if (width < 1 || height < 1 || width > d->image->Xsize || height > d->image->Ysize)
    return NULL;
  if (width == d->image->Xsize && height == d->image->Ysize)
    image = g_steal_pointer (&d->image);
  else if (vips_extract_area (d->image, &image, 0, 0, width, height, NULL) != 0)
    return NULL;
  if (d->orientation != 1)
    vips_image_set_int (image, VIPS_META_ORIENTATION, d->orientation);
  /* The pipeline converts the thumbnail to sRGB with it, then takes grey,
   * as on libvips' path (pipeline.c). */
  if (d->profile != NULL)
    vips_image_set_blob_copy (image, VIPS_META_ICC_NAME, d->profile, d->profile_len);
  vips_image_set_int (image, SHARDPIX_FASTLOAD_WIDTH, (int) d->cinfo.image_width / libvips);
  vips_image_set_int (image, SHARDPIX_FASTLOAD_HEIGHT, (int) d->cinfo.image_height / libvips);
  return image;
}

/* What jpeg_read_header() saw, for jpeg-dc.h to check that it decodes the
 * same frame; FALSE if it has more components than that decoder takes. A
 * table jdmarker.c read is kept even when jdhuff.c would refuse it. */
static gboolean
fastload_jpeg_frame (const struct jpeg_decompress_struct *cinfo, ShardpixJpegDcFrame *frame)
{
  if (cinfo->num_components > 4)
    return FALSE;
  frame->width = (int) cinfo->image_width;
  frame->height = (int) cinfo->image_height;
  frame->components = cinfo->num_components;
  frame->restart_interval = (int) cinfo->restart_interval;
  for (int c = 0; c < cinfo->num_components; c++)
    {
      frame->id[c] = (guint8) cinfo->comp_info[c].component_id;
      frame->h[c] = (guint8) cinfo->comp_info[c].h_samp_factor;
      frame->v[c] = (guint8) cinfo->comp_info[c].v_samp_factor;
      frame->quant[c] = (guint8) cinfo->comp_info[c].quant_tbl_no;
    }
  for (int t = 0; t < 4; t++)
    {
      frame->quant_defined[t] = cinfo->quant_tbl_ptrs[t] != NULL;
      if (frame->quant_defined[t])
        frame->quant_dc[t] = cinfo->quant_tbl_ptrs[t]->quantval[0];
      frame->dc_defined[t] = cinfo->dc_huff_tbl_ptrs[t] != NULL;
      if (frame->dc_defined[t])
        {
          memcpy (frame->dc_counts[t], cinfo->dc_huff_tbl_ptrs[t]->bits + 1, 16);
          memcpy (frame->dc_symbols[t], cinfo->dc_huff_tbl_ptrs[t]->huffval, 256);
        }
    }
  return TRUE;
}

/* Which decoders a call may use. */
typedef enum {
  FASTLOAD_JPEG_LIBJPEG,   /* libjpeg alone */
  FASTLOAD_JPEG_ANY,       /* jpeg-dc.h where it applies, libjpeg elsewhere */
  FASTLOAD_JPEG_DC_ONLY,   /* jpeg-dc.h, or nothing */
} FastloadJpegRoute;

/* Decodes @data as luminance scaled by 1/@denominator (0: chosen for @job);
 * a progressive JPEG at 1/8 by jpeg-dc.h, unless @route says libjpeg. */
static VipsImage *
fastload_jpeg_decode (FastloadJpegDecode *d, const guint8 *data, gsize len,
                      const ShardpixJob *job, int denominator, FastloadJpegRoute route)
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
  switch (fastload_jpeg_profile (cinfo, &d->profile, &d->profile_len))
    {
    case FASTLOAD_JPEG_AS_STORED:
      break;
    case FASTLOAD_JPEG_CONVERT:
      /* Only for a job (decode_buffer() callers want luminance), and only
       * from three colour components, as libvips' icc_transform takes. */
      if (job == NULL || cinfo->num_components != 3)
        return NULL;
      break;
    case FASTLOAD_JPEG_DECLINE:
      return NULL;
    }
  if (cinfo->jpeg_color_space != JCS_GRAYSCALE && cinfo->jpeg_color_space != JCS_YCbCr
      && cinfo->jpeg_color_space != JCS_RGB)
    return NULL;
  if (job != NULL && job->max_pixels != 0
      && (gint64) cinfo->image_width * cinfo->image_height > job->max_pixels)
    return NULL;
  /* libjpeg holds a progressive image's coefficients whole: past the
   * worker's share of memory, libvips' path refuses it (memguard.h). */
  if (job != NULL && cinfo->progressive_mode
      && !shardpix_memguard_fits (job, (gint64) cinfo->image_width * cinfo->image_height
                                           * cinfo->num_components * 2))
    return NULL;
  d->orientation = fastload_jpeg_orientation (cinfo);
  if (d->orientation == 0)
    return NULL;
  d->denominator = denominator;
  if (d->denominator == 0)
    {
      ShardpixShrinkBox box = shardpix_shrink_box (job, d->orientation);

      d->shrink = shardpix_shrink_common (&box, (int) cinfo->image_width,
                                          (int) cinfo->image_height);
      d->denominator = fastload_jpeg_denominator (d->shrink);
    }
  else
    d->shrink = d->denominator;
  if (route != FASTLOAD_JPEG_LIBJPEG && d->denominator == 8 && cinfo->progressive_mode
      && !cinfo->arith_code && d->profile == NULL
      && cinfo->jpeg_color_space != JCS_RGB)
    {
      ShardpixJpegDcFrame frame = { 0 };

      if (!fastload_jpeg_frame (cinfo, &frame))
        return NULL;
      d->image = shardpix_jpeg_dc_luma (data, len, &frame);
      return d->image != NULL ? fastload_jpeg_finish (d) : NULL;
    }
  if (route == FASTLOAD_JPEG_DC_ONLY)
    return NULL;
  cinfo->scale_num = 1;
  cinfo->scale_denom = (unsigned int) d->denominator;
  cinfo->out_color_space = d->profile != NULL ? JCS_RGB : JCS_GRAYSCALE;
  cinfo->dct_method = JDCT_ISLOW;
  /* Smoothing guesses the AC coefficients of an unfinished progressive
   * image: a complete one has none to guess, and jpeg-dc.h does without. */
  cinfo->do_block_smoothing = FALSE;
  jpeg_start_decompress (cinfo);

  d->image = shardpix_fastload_new_image ((int) cinfo->output_width, (int) cinfo->output_height,
                                          cinfo->output_components, 1.0, 1.0);
  if (d->image == NULL)
    return NULL;
  if (d->profile != NULL)
    d->image->Type = VIPS_INTERPRETATION_sRGB;
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
                   FastloadJpegRoute route)
{
  FastloadJpegDecode *d = g_new0 (FastloadJpegDecode, 1);
  VipsImage *image = fastload_jpeg_decode (d, data, len, job, denominator, route);

  jpeg_destroy_decompress (&d->cinfo);
  g_clear_object (&d->image);
  free (d->profile);
  g_free (d);
  vips_error_clear ();
  return image;
}

VipsImage *
shardpix_fastload_jpeg_decode_buffer (const guint8 *data, gsize len, int denominator)
{
  return fastload_jpeg_run (data, len, NULL, denominator, FASTLOAD_JPEG_LIBJPEG);
}

VipsImage *
shardpix_fastload_jpeg_dc_buffer (const guint8 *data, gsize len)
{
  return fastload_jpeg_run (data, len, NULL, 8, FASTLOAD_JPEG_DC_ONLY);
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
  return fastload_jpeg_run (data, (gsize) st->st_size, job, 0, FASTLOAD_JPEG_ANY);
}
