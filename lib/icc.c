#include "shardpix/icc.h"

#include <math.h>
#include <string.h>

#include "shardpix/error.h"
#include "shardpix/icc-cache.h"
#include "shardpix/vips-autoptr.h"

/* sRGB's red, green and blue colourants adapted to D50 (the profile
 * connection space), as every sRGB profile stores them in rXYZ, gXYZ and
 * bXYZ. Display P3's red is 0.515, Adobe RGB's 0.610: far outside. */
static const double icc_srgb_colourants[3][3] = {
  { 0.4361, 0.2225, 0.0139 },
  { 0.3851, 0.7169, 0.0971 },
  { 0.1431, 0.0606, 0.7141 },
};
static const char icc_colourant_tags[3][5] = { "rXYZ", "gXYZ", "bXYZ" };

static guint32
icc_u32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

static double
icc_s15f16 (const guint8 *p)
{
  return (gint32) icc_u32 (p) / 65536.0;
}

/* The tag @signature's data and size, or NULL if the profile has none or
 * it does not fit. */
static const guint8 *
icc_find_tag (const guint8 *profile, gsize len, const char *signature, guint32 *size)
{
  guint32 count;

  if (len < 132)
    return NULL;
  count = icc_u32 (profile + 128);
  for (guint32 i = 0; i < count && 132 + (gsize) (i + 1) * 12 <= len; i++)
    {
      const guint8 *entry = profile + 132 + (gsize) i * 12;
      guint32 offset = icc_u32 (entry + 4);

      *size = icc_u32 (entry + 8);
      if (memcmp (entry, signature, 4) == 0)
        return offset <= len && *size <= len - offset ? profile + offset : NULL;
    }
  return NULL;
}

/* What the tone curve @tag gives for a mid input, 0.5: sRGB's gives 0.214,
 * gamma 2.2 0.218; linear 0.5, gamma 1.8 0.287. -1 if it cannot be read. */
static double
icc_curve_at_half (const guint8 *profile, gsize len, const char *tag)
{
  guint32 size;
  const guint8 *curve = icc_find_tag (profile, len, tag, &size);

  if (curve == NULL || size < 12)
    return -1;
  if (memcmp (curve, "curv", 4) == 0)
    {
      guint32 n = icc_u32 (curve + 8);

      if (n == 0 || (gsize) size < 12 + (gsize) n * 2)
        return n == 0 ? 0.5 : -1;
      if (n == 1)
        return pow (0.5, (curve[12] << 8 | curve[13]) / 256.0);
      /* The entry nearest 0.5, interpolated from its two neighbours. */
      {
        double at = (n - 1) / 2.0;
        guint32 lo = (guint32) at;
        guint32 hi = MIN (lo + 1, n - 1);
        double a = (curve[12 + lo * 2] << 8 | curve[13 + lo * 2]) / 65535.0;
        double b = (curve[12 + hi * 2] << 8 | curve[13 + hi * 2]) / 65535.0;

        return a + (b - a) * (at - lo);
      }
    }
  if (memcmp (curve, "para", 4) == 0 && size >= 16)
    {
      /* Every parametric type starts with the gamma; types 3 and 4 (sRGB's
       * form) add a linear toe that does not reach 0.5. */
      guint16 type = (guint16) (curve[8] << 8 | curve[9]);
      double g = icc_s15f16 (curve + 12);

      if (type == 0)
        return pow (0.5, g);
      if (type == 3 && size >= 32)
        {
          double a = icc_s15f16 (curve + 16), b = icc_s15f16 (curve + 20);

          return pow (a * 0.5 + b, g);
        }
      return -1;
    }
  return -1;
}

ShardpixIccKind
shardpix_icc_kind (const guint8 *profile, gsize len)
{
  if (profile == NULL || len < 132 || memcmp (profile + 36, "acsp", 4) != 0)
    return SHARDPIX_ICC_OTHER;
  if (memcmp (profile + 16, "GRAY", 4) == 0)
    return SHARDPIX_ICC_GREY;
  if (memcmp (profile + 16, "CMYK", 4) == 0)
    return SHARDPIX_ICC_CMYK;
  if (memcmp (profile + 16, "RGB ", 4) != 0)
    return SHARDPIX_ICC_OTHER;
  for (guint c = 0; c < 3; c++)
    {
      guint32 size;
      const guint8 *xyz = icc_find_tag (profile, len, icc_colourant_tags[c], &size);

      /* No colourants: a table-based profile, which only lcms can judge. */
      if (xyz == NULL || size < 20 || memcmp (xyz, "XYZ ", 4) != 0)
        return SHARDPIX_ICC_OTHER_RGB;
      for (guint i = 0; i < 3; i++)
        if (fabs (icc_s15f16 (xyz + 8 + i * 4) - icc_srgb_colourants[c][i]) > 0.005)
          return SHARDPIX_ICC_OTHER_RGB;
    }
  /* Gamma 2.2 is as close to sRGB's curve as two sRGB profiles are to each
   * other (a level or two); a gamma of 1.8 or 1.0 is not. */
  for (guint c = 0; c < 3; c++)
    {
      static const char curves[3][5] = { "rTRC", "gTRC", "bTRC" };
      double half = icc_curve_at_half (profile, len, curves[c]);

      if (half < 0.19 || half > 0.24)
        return SHARDPIX_ICC_OTHER_RGB;
    }
  return SHARDPIX_ICC_SRGB;
}

gboolean
shardpix_icc_fast_ok (const guint8 *profile, gsize len)
{
  ShardpixIccKind kind;

  if (profile == NULL)
    return TRUE;
  kind = shardpix_icc_kind (profile, len);
  return kind == SHARDPIX_ICC_SRGB || kind == SHARDPIX_ICC_GREY;
}

static gboolean
icc_fail (GError **error)
{
  return shardpix_error_vips (error, "cannot convert the colour profile to sRGB");
}

gboolean
shardpix_icc_to_srgb (VipsImage *in, VipsImage **out, GError **error)
{
  const void *profile;
  size_t len;
  ShardpixIccKind kind;
  int colour = in->Bands - (vips_image_hasalpha (in) ? 1 : 0);

  if (vips_image_get_typeof (in, VIPS_META_ICC_NAME) == 0
      || vips_image_get_blob (in, VIPS_META_ICC_NAME, &profile, &len) != 0)
    {
      vips_error_clear ();
      *out = g_object_ref (in);
      return TRUE;
    }
  kind = shardpix_icc_kind (profile, len);
  if (kind == SHARDPIX_ICC_OTHER_RGB && colour >= 3)
    {
      if (shardpix_icc_cache_to_srgb (in, profile, len, out))
        return TRUE;
      /* "srgb" is libvips' built-in profile: no file to find. The output
       * carries it, which --keep-metadata then keeps, rightly. */
      if (vips_icc_transform (in, out, "srgb", "embedded", TRUE, NULL) != 0)
        return icc_fail (error);
      return TRUE;
    }
  if (in->Type != VIPS_INTERPRETATION_CMYK
      && ((kind == SHARDPIX_ICC_GREY && colour >= 3) || (kind != SHARDPIX_ICC_GREY && colour < 3)
          || kind == SHARDPIX_ICC_CMYK))
    {
      /* libvips already converted the pixels (CMYK to sRGB, say): the
       * profile describes what they were. */
      if (vips_copy (in, out, NULL) != 0)
        return icc_fail (error);
      vips_image_remove (*out, VIPS_META_ICC_NAME);
      return TRUE;
    }
  *out = g_object_ref (in);
  return TRUE;
}
