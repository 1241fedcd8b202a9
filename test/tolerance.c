#include "tolerance.h"

#include <math.h>

#include "shardpix/vips-autoptr.h"

static VipsImage *
tolerance_seen (VipsImage *image)
{
  VipsImage *out = NULL;

  if (image->Bands == 2 || image->Bands == 4)
    return vips_premultiply (image, &out, NULL) == 0 ? out : NULL;
  return g_object_ref (image);
}

gboolean
tolerance_check (VipsImage *fast, VipsImage *reference, ToleranceKind kind, char **why)
{
  g_autoptr (VipsImage) a = NULL;
  g_autoptr (VipsImage) b = NULL;
  g_autoptr (VipsImage) diff = NULL;
  g_autoptr (VipsImage) magnitude = NULL;
  g_autoptr (VipsImage) square = NULL;
  double mean, max, mse, psnr;
  gboolean ok;

  if (fast->Xsize != reference->Xsize || fast->Ysize != reference->Ysize
      || fast->Bands != reference->Bands)
    {
      if (why != NULL)
        *why = g_strdup_printf ("fast %dx%d, %d bands; reference %dx%d, %d bands", fast->Xsize,
                                fast->Ysize, fast->Bands, reference->Xsize, reference->Ysize,
                                reference->Bands);
      return FALSE;
    }
  a = tolerance_seen (fast);
  b = tolerance_seen (reference);
  if (a == NULL || b == NULL || vips_subtract (a, b, &diff, NULL) != 0
      || vips_abs (diff, &magnitude, NULL) != 0 || vips_avg (magnitude, &mean, NULL) != 0
      || vips_max (magnitude, &max, NULL) != 0 || vips_multiply (diff, diff, &square, NULL) != 0
      || vips_avg (square, &mse, NULL) != 0)
    {
      if (why != NULL)
        *why = g_strdup_printf ("cannot compare: %s", vips_error_buffer ());
      vips_error_clear ();
      return FALSE;
    }
  psnr = mse > 0 ? 10 * log10 (255.0 * 255.0 / mse) : 99;
  ok = kind == TOLERANCE_PNG ? mean <= 1.5 && max <= 16 : mean <= 6 && psnr >= 30;
  if (why != NULL)
    *why = g_strdup_printf ("%dx%d, %d bands: mean %.2f, max %.0f levels, PSNR %.1f dB",
                            fast->Xsize, fast->Ysize, fast->Bands, mean, max, psnr);
  return ok;
}
