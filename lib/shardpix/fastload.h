/* Decoders that go around libvips for the common case of the default job
 * (grey output, Rec.601 luma, no metadata kept): each returns the image
 * already grey (but a JPEG with a Display P3 or Adobe RGB profile: RGB
 * with that profile attached, which the pipeline converts to sRGB after
 * the resize and then makes grey, as on the libvips path) and
 * pre-shrunk by an integer factor that leaves it at least
 * as large as the job's box needs, ready for vips_thumbnail_image(), which
 * does the final resize, crop and rotation as on the libvips path. They
 * return NULL for anything they do not handle or cannot read (no error: the
 * caller then takes the libvips path, which also reports every error with
 * libvips' own message and fail_on level). @fd is open on a regular file
 * at offset 0, @st its fstat(); they may read it from the start with pread.
 * Each image carries, as int metadata, the size libvips' own loader would
 * have handed to the resize (SHARDPIX_FASTLOAD_WIDTH/HEIGHT: the full size,
 * or JPEG's and WebP's size after libvips' own shrink-on-load, from which
 * vips_thumbnail() computes the output's): the final size is
 * computed from those, so that both paths give the same dimensions.
 * docs/performance.md has the figures and the tolerances the tests hold
 * them to. */
#pragma once

#include <sys/stat.h>

#include <vips/vips.h>

#include "shardpix/job.h"
#include "shardpix/shrink.h"

G_BEGIN_DECLS

#define SHARDPIX_FASTLOAD_WIDTH "shardpix-libvips-width"
#define SHARDPIX_FASTLOAD_HEIGHT "shardpix-libvips-height"
/* 1 on a PNG fast path image whose rows the whole-image reader gave
 * (fastload-png-whole.h), 0 on one libpng gave: for the tests. */
#define SHARDPIX_FASTLOAD_PNG_WHOLE "shardpix-png-whole"

/* Whether @job is the kind the fast decoders serve, fast paths allowed or
 * not: grey by Rec.601, no metadata kept, errors judged no stricter than
 * "truncated". The libvips path then orders its steps as they do. */
gboolean shardpix_fastload_job_served (const ShardpixJob *job);

/* Whether the fast decoders are asked: @job is served and they are not
 * turned off (--no-fast-paths). */
gboolean shardpix_fastload_applies (const ShardpixJob *job);

/* What the decoders share: the whole file (NULL if it cannot be read, or
 * is empty or too large to read whole). How much the box asks each of
 * them to shrink is shrink.h's. */
guint8 *shardpix_fastload_read (int fd, const struct stat *st);
/* The uchar grey (1 band) or grey+alpha (2) image a decoder fills, its
 * memory ready; NULL if it cannot be had. */
VipsImage *shardpix_fastload_new_image (int width, int height, int bands, double xres,
                                        double yres);
/* The orientation tag (1-8) of EXIF data that starts at its TIFF header
 * ("II*\0" or "MM\0*", in its first IFD, where libvips looks), 1 when it
 * has none, 0 when it cannot be read: then libvips should judge. */
int shardpix_fastload_exif_orientation (const guint8 *tiff, gsize len);
/* libvips reads no larger EXIF block (it says "exif too large" and keeps
 * the image upright). */
#define SHARDPIX_FASTLOAD_MAX_EXIF (1 << 20)

/* libjpeg-turbo asked for luminance only (JPEG's Y is Rec.601 luma) and DCT
 * scaling; a progressive JPEG scaled by 1/8 is read from its DC scans
 * alone (jpeg-dc.h). A Display P3 or Adobe RGB JPEG (three components) is
 * asked for RGB instead, with the same scaling: its grey must be taken
 * from sRGB values. */
VipsImage *shardpix_fastload_jpeg (int fd, const struct stat *st, const ShardpixJob *job);

/* libwebp asked for Y (and alpha) only, scaled straight to the box as
 * libvips' loader does; Y is limited-range, so it is stretched to 0-255. */
VipsImage *shardpix_fastload_webp (int fd, const struct stat *st, const ShardpixJob *job);

/* Exposed for the tests: @data's luminance at 1/@denominator, decoded by
 * libjpeg whatever the file (no DC-scan shortcut); NULL as above. */
VipsImage *shardpix_fastload_jpeg_decode_buffer (const guint8 *data, gsize len,
                                                 int denominator);
/* Exposed for the tests and the fuzz target: @data at 1/8 as the fast path
 * reads a progressive JPEG, libjpeg's header read then jpeg-dc.h on the
 * same frame (NULL for any other file, and whenever the fast path would
 * hand the file to libvips); whole blocks only, as libvips keeps them. */
VipsImage *shardpix_fastload_jpeg_dc_buffer (const guint8 *data, gsize len);

/* libpng read a row at a time: Rec.601 luma (and alpha) computed and box
 * shrunk on the fly, by the largest factor that keeps the thumbnail's size
 * and edges where libvips puts them. */
VipsImage *shardpix_fastload_png (int fd, const struct stat *st, const ShardpixJob *job);

/* The same with every row read through libpng, never the whole-image
 * reader (fastload-png-whole.h): for the tests and the fuzz target that
 * hold that reader to libpng. It also reads the grey images the box would
 * not shrink, which shardpix_fastload_png() takes only when it can read
 * them whole. */
VipsImage *shardpix_fastload_png_streaming (int fd, const struct stat *st,
                                            const ShardpixJob *job);

G_END_DECLS
