#include "shardpix/gray.h"

#include "shardpix/error.h"
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
