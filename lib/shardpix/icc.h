/* Embedded colour profiles, for the grey step. Grey is computed from sRGB
 * values; a profile that says the coded values mean other colours (Display
 * P3 from phones, Adobe RGB from cameras) is converted to sRGB first, and
 * one that describes sRGB (or is absent) costs nothing. Figures in
 * docs/performance.md#colour-profiles. */
#pragma once

#include <glib.h>

#include <vips/vips.h>

G_BEGIN_DECLS

/* What a profile's pixels are, from its header and tags only. */
typedef enum {
  SHARDPIX_ICC_SRGB,  /* RGB with sRGB's primaries and a curve close to
                         sRGB's: already what the grey formula wants */
  SHARDPIX_ICC_OTHER_RGB, /* any other RGB profile: convert to sRGB */
  SHARDPIX_ICC_GREY,  /* a grey profile: grey stays grey */
  SHARDPIX_ICC_CMYK,  /* CMYK: libvips converts it with this profile */
  SHARDPIX_ICC_OTHER, /* Lab, a device link, or a profile that cannot be
                         read: libvips ignores or rejects it as it does */
} ShardpixIccKind;

ShardpixIccKind shardpix_icc_kind (const guint8 *profile, gsize len);

/* Whether a fast decoder may ignore @profile (NULL: none): TRUE for none,
 * sRGB and grey, FALSE for what needs libvips (and lcms). */
gboolean shardpix_icc_fast_ok (const guint8 *profile, gsize len);

/* Converts @in to sRGB with its embedded profile when that profile is RGB
 * but not sRGB; otherwise @out is @in, referenced. A profile that no longer
 * describes @in (libvips turned a CMYK image into sRGB and left the CMYK
 * profile attached) is removed, so that --keep-metadata never saves a
 * profile that lies. */
gboolean shardpix_icc_to_srgb (VipsImage *in, VipsImage **out, GError **error);

G_END_DECLS
