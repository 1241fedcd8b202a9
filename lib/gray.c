#include "shardpix/gray.h"

#include "shardpix/error.h"
#include "shardpix/fastload.h"
#include "shardpix/icc.h"
#include "shardpix/vips-autoptr.h"

static gboolean
gray_fail (GError **error)
{
  return shardpix_error_vips (error, "cannot convert to grayscale");
}

/* Weighs the stored values, so it commutes with the resize: grey-then-shrink
 * (the fast decoders) and shrink-then-grey (this path) agree to rounding. */
static gboolean
gray_rec601 (VipsImage *in, VipsImage **out, GError **error)
{
  static const double weights[] = { SHARDPIX_GRAY_REC601_R, SHARDPIX_GRAY_REC601_G,
                                     SHARDPIX_GRAY_REC601_B };
  int colour;
  g_autoptr (VipsImage) srgb = NULL;
  g_autoptr (VipsImage) rgb = NULL;
  g_autoptr (VipsImage) matrix = NULL;
  g_autoptr (VipsImage) weighed = NULL;
  g_autoptr (VipsImage) rounded = NULL;
  g_autoptr (VipsImage) grey = NULL;
  g_autoptr (VipsImage) alpha = NULL;
  g_autoptr (VipsImage) joined = NULL;

  if (in->Type == VIPS_INTERPRETATION_sRGB || in->Type == VIPS_INTERPRETATION_RGB)
    srgb = g_object_ref (in);
  else if (vips_colourspace (in, &srgb, VIPS_INTERPRETATION_sRGB, NULL) != 0)
    return gray_fail (error);
  colour = srgb->Bands - (vips_image_hasalpha (srgb) ? 1 : 0);
  matrix = vips_image_new_matrix_from_array (3, 1, weights, 3);
  if (colour < 3 || vips_extract_band (srgb, &rgb, 0, "n", 3, NULL) != 0
      || vips_recomb (rgb, &weighed, matrix, NULL) != 0
      || vips_round (weighed, &rounded, VIPS_OPERATION_ROUND_RINT, NULL) != 0
      || vips_cast (rounded, &grey, VIPS_FORMAT_UCHAR, NULL) != 0)
    return gray_fail (error);
  if (srgb->Bands == colour)
    joined = g_steal_pointer (&grey);
  else if (vips_extract_band (srgb, &alpha, colour, NULL) != 0
           || vips_bandjoin2 (grey, alpha, &joined, NULL) != 0)
    return gray_fail (error);
  if (vips_copy (joined, out, "interpretation", VIPS_INTERPRETATION_B_W, NULL) != 0)
    return gray_fail (error);
  return TRUE;
}

gboolean
shardpix_gray_convert (VipsImage *in, ShardpixGray gray, VipsImage **out, GError **error)
{
  int colour = in->Bands - (vips_image_hasalpha (in) ? 1 : 0);

  if (gray == SHARDPIX_GRAY_REC601 && colour >= 3)
    return gray_rec601 (in, out, error);
  if (vips_colourspace (in, out, VIPS_INTERPRETATION_B_W, NULL) != 0)
    return gray_fail (error);
  return TRUE;
}

/* Plain 8-bit sRGB (3 bands, or 4 with alpha) whose profile, if any,
 * needs no conversion: what the fast decoders themselves take
 * (shardpix_icc_fast_ok). */
static gboolean
gray_first_applies (VipsImage *image)
{
  const void *profile = NULL;
  size_t len = 0;

  if (image->BandFmt != VIPS_FORMAT_UCHAR || image->Type != VIPS_INTERPRETATION_sRGB
      || (image->Bands != 3 && image->Bands != 4))
    return FALSE;
  if (vips_image_get_typeof (image, VIPS_META_ICC_NAME) == 0)
    return TRUE;
  if (vips_image_get_blob (image, VIPS_META_ICC_NAME, &profile, &len) != 0)
    {
      vips_error_clear ();
      return FALSE;
    }
  return shardpix_icc_fast_ok (profile, len);
}

/* One strip of the grey: each pixel as the fast decoders compute it. */
static int
gray_first_generate (VipsRegion *out, void *seq, void *a, void *b, gboolean *stop)
{
  VipsRegion *in = seq;
  const VipsRect *rect = &out->valid;
  int in_bands = in->im->Bands;
  int out_bands = out->im->Bands;

  if (vips_region_prepare (in, rect) != 0)
    return -1;
  for (int y = 0; y < rect->height; y++)
    {
      const guint8 *p = VIPS_REGION_ADDR (in, rect->left, rect->top + y);
      guint8 *q = VIPS_REGION_ADDR (out, rect->left, rect->top + y);

      for (int x = 0; x < rect->width; x++, p += in_bands, q += out_bands)
        {
          q[0] = shardpix_gray_rec601_pixel (p);
          if (out_bands == 2)
            q[1] = p[3];
        }
    }
  return 0;
}

/* Grey (and alpha) of 8-bit sRGB in one pass at the loaded size. Not
 * gray_rec601(): vips_recomb's float image, rounded, then cast, is three
 * passes over it, and cost 130 ms of CPU a 12 MP HEIC, more than the
 * one-band resize saves (docs/performance.md). */
static VipsImage *
gray_first_rgb (VipsImage *in)
{
  g_autoptr (VipsImage) out = vips_image_new ();

  if (vips_image_pipelinev (out, VIPS_DEMAND_STYLE_THINSTRIP, in, NULL) != 0)
    return NULL;
  out->Bands = in->Bands == 4 ? 2 : 1;
  out->Type = VIPS_INTERPRETATION_B_W;
  /* @in lives as long as the image computed from it. */
  g_object_ref (in);
  vips_object_local (out, in);
  if (vips_image_generate (out, vips_start_one, gray_first_generate, vips_stop_one, in, NULL)
      != 0)
    return NULL;
  return g_steal_pointer (&out);
}

gboolean
shardpix_gray_first (const ShardpixJob *job, VipsImage **image, GError **error)
{
  g_autoptr (VipsImage) grey = NULL;

  if (!shardpix_fastload_job_served (job) || !gray_first_applies (*image))
    return TRUE;
  if ((grey = gray_first_rgb (*image)) == NULL)
    return gray_fail (error);
  g_set_object (image, grey);
  return TRUE;
}
