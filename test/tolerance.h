/* What "the same thumbnail" means for a fast path (docs/performance.md),
 * shared by the tests and the fuzz targets: the same size and bands, and
 * pixels within the documented bound, compared as seen (premultiplied). */
#pragma once

#include <vips/vips.h>

G_BEGIN_DECLS

typedef enum {
  TOLERANCE_PNG,  /* mean <= 1.5, max <= 16 levels */
  TOLERANCE_LOSSY, /* JPEG and WebP: mean <= 6 levels, PSNR >= 30 dB */
} ToleranceKind;

/* TRUE when @fast stands in for @reference; otherwise @why (if not NULL)
 * says how far apart they are. */
gboolean tolerance_check (VipsImage *fast, VipsImage *reference, ToleranceKind kind,
                          char **why);

G_END_DECLS
