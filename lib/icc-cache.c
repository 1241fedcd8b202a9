#include "shardpix/icc-cache.h"

#include <string.h>

#include <lcms2.h>

#include "shardpix/vips-autoptr.h"
#include "shardpix/whole-image.h"

/* libvips' icc_transform builds its lcms2 transform again for every image,
 * and for its tabulated sRGB output profile that means inverting the
 * curves: 65 M instructions of a 12 MP Adobe RGB JPEG's 394 M, for a
 * 256 px thumbnail whose pixels then take 1 M (docs/benchmarks.md). Here
 * a worker builds one per embedded profile and keeps it. The output
 * profile is lcms2's own sRGB, with parametric curves: within a level of
 * libvips' on Display P3 and Adobe RGB (test-icc). */

/* A folder holds few distinct profiles (a camera's, a phone's); past
 * this many, further profiles go to libvips each time. */
#define ICC_CACHE_MAX 16

typedef struct {
  char *digest;            /* SHA-256 of the profile's bytes */
  guint32 format;          /* lcms2 pixel format the transform takes */
  cmsHTRANSFORM transform; /* NULL: lcms2 refused the profile */
} IccCacheEntry;

static GMutex icc_cache_lock;
static IccCacheEntry icc_cache[ICC_CACHE_MAX];
static guint icc_cache_used;
static guint icc_cache_built;
static GBytes *icc_cache_srgb;

/* lcms2's sRGB profile, serialised once: the output carries it, as
 * libvips' carries its own. */
static GBytes *
icc_cache_srgb_bytes (cmsHPROFILE srgb)
{
  cmsUInt32Number len = 0;
  guint8 *data;

  if (icc_cache_srgb != NULL)
    return icc_cache_srgb;
  /* Version 2: its description is plain ASCII ("sRGB built-in"), which
   * every reader, old ones too, can name. */
  cmsSetProfileVersion (srgb, 2.1);
  if (!cmsSaveProfileToMem (srgb, NULL, &len) || len == 0)
    return NULL;
  data = g_malloc (len);
  if (!cmsSaveProfileToMem (srgb, data, &len))
    {
      g_free (data);
      return NULL;
    }
  icc_cache_srgb = g_bytes_new_take (data, len);
  return icc_cache_srgb;
}

static cmsHTRANSFORM
icc_cache_build (const void *profile, gsize len, guint32 format)
{
  cmsHPROFILE input = cmsOpenProfileFromMem (profile, (cmsUInt32Number) len);
  cmsHPROFILE srgb = cmsCreate_sRGBProfile ();
  cmsHTRANSFORM transform = NULL;

  /* Relative colorimetric without black point compensation: libvips'
   * defaults. NOCACHE: threads share the transform. */
  if (input != NULL && srgb != NULL && cmsGetColorSpace (input) == cmsSigRgbData
      && icc_cache_srgb_bytes (srgb) != NULL)
    transform = cmsCreateTransform (input, format, srgb, format, INTENT_RELATIVE_COLORIMETRIC,
                                    cmsFLAGS_NOCACHE
                                      | (T_EXTRA (format) ? cmsFLAGS_COPY_ALPHA : 0));
  if (input != NULL)
    cmsCloseProfile (input);
  if (srgb != NULL)
    cmsCloseProfile (srgb);
  icc_cache_built++;
  return transform;
}

/* The transform for @profile, built on first use; NULL when lcms2 cannot
 * build one or the cache is full. */
static cmsHTRANSFORM
icc_cache_find (const void *profile, gsize len, guint32 format)
{
  g_autofree char *digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256, profile, len);
  cmsHTRANSFORM transform = NULL;
  guint i;

  g_mutex_lock (&icc_cache_lock);
  for (i = 0; i < icc_cache_used; i++)
    if (icc_cache[i].format == format && strcmp (icc_cache[i].digest, digest) == 0)
      break;
  if (i < icc_cache_used)
    transform = icc_cache[i].transform;
  else if (icc_cache_used < ICC_CACHE_MAX)
    {
      icc_cache[i].digest = g_steal_pointer (&digest);
      icc_cache[i].format = format;
      icc_cache[i].transform = icc_cache_build (profile, len, format);
      icc_cache_used++;
      transform = icc_cache[i].transform;
    }
  g_mutex_unlock (&icc_cache_lock);
  return transform;
}

gboolean
shardpix_icc_cache_to_srgb (VipsImage *in, const void *profile, gsize len, VipsImage **out)
{
  guint32 format;
  cmsHTRANSFORM transform;
  g_autoptr (VipsRegion) region = NULL;
  g_autoptr (VipsImage) image = NULL;
  gsize srgb_len = 0;
  const void *srgb;

  /* Thumbnails are 8-bit RGB, with or without alpha; anything else goes
   * to libvips. */
  if (in->BandFmt != VIPS_FORMAT_UCHAR || in->Coding != VIPS_CODING_NONE
      || (in->Bands != 3 && !(in->Bands == 4 && vips_image_hasalpha (in))))
    return FALSE;
  format = in->Bands == 3 ? TYPE_RGB_8 : TYPE_RGBA_8;
  transform = icc_cache_find (profile, len, format);
  /* A thumbnail is small by construction: no cap on its size. */
  if (transform == NULL || (region = shardpix_whole_image_read (in, G_MAXSIZE)) == NULL
      || (image = shardpix_whole_image_like (in, in->Xsize, in->Ysize, in->Bands)) == NULL)
    return FALSE;
  for (int y = 0; y < in->Ysize; y++)
    cmsDoTransform (transform, VIPS_REGION_ADDR (region, 0, y), VIPS_IMAGE_ADDR (image, 0, y),
                    (cmsUInt32Number) in->Xsize);
  /* The profile that now describes the pixels. */
  image->Type = VIPS_INTERPRETATION_sRGB;
  srgb = g_bytes_get_data (icc_cache_srgb, &srgb_len);
  vips_image_set_blob_copy (image, VIPS_META_ICC_NAME, srgb, srgb_len);
  *out = g_steal_pointer (&image);
  return TRUE;
}

guint
shardpix_icc_cache_transforms_built (void)
{
  guint built;

  g_mutex_lock (&icc_cache_lock);
  built = icc_cache_built;
  g_mutex_unlock (&icc_cache_lock);
  return built;
}
