/* PNG's five row filters, undone in place (PNG specification, section 9):
 * what libpng does to each row of an 8- or 16-bit, non-interlaced image
 * before any transformation, for the fast PNG path that inflates the image
 * whole (fastload-png-whole.c). The result is the same bytes as libpng's. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Whether every row of the inflated image @data (@height rows of 1 filter
 * byte and @row_bytes pixel bytes) names one of the five filters; libpng
 * stops with an error at the first that does not. */
gboolean shardpix_png_unfilter_valid (const guint8 *data, gsize row_bytes, guint height);

/* Undoes @filter (0-4) on @row (@row_bytes bytes, @bpp bytes a pixel: 1-4,
 * 6 or 8) given the row above it already undone, @prev (all zeros for the first). */
void shardpix_png_unfilter_row (guint8 filter, guint8 *row, const guint8 *prev, gsize row_bytes,
                                int bpp);

/* As shardpix_png_unfilter_row(), which takes SSE4.1's Paeth where the
 * processor has it (shardpix_png_unfilter_has_sse41()); here the caller
 * says, so that tests hold both to libpng. */
void shardpix_png_unfilter_row_with (guint8 filter, guint8 *row, const guint8 *prev,
                                     gsize row_bytes, int bpp, gboolean sse41);
gboolean shardpix_png_unfilter_has_sse41 (void);

G_END_DECLS
