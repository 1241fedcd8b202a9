/* The fast paths are held to libvips on files made here byte by byte
 * around real bitstreams: through the real binary, the default run and
 * `--no-fast-paths` must agree on every file (both fail, or both give the
 * same thumbnail within the tolerance). Each case is one a fast path read
 * but libvips' loader refuses, or reads differently (issue 12): WebP
 * layouts libwebp's WebPDecode() takes and its demuxer does not, EXIF
 * blocks libvips reads otherwise, and colours whose RGB clips. The fuzz targets fuzz-webp and fuzz-exif
 * look for more; test/fuzz/seeds-webp and seeds-exif hold these cases. */
#include <string.h>

#include <vips/vips.h>

#include "fixtures.h"
#include "tolerance.h"
#include "shardpix/vips-autoptr.h"

typedef FixturesDirs Fixture;

/* A little-endian RIFF chunk: tag, length, payload, and the pad byte an
 * odd payload needs unless @pad is FALSE. */
static void
webp_chunk (GByteArray *out, const char *tag, const guint8 *payload, gsize len, gboolean pad)
{
  guint8 size[4] = { len & 0xff, len >> 8 & 0xff, len >> 16 & 0xff, len >> 24 & 0xff };

  g_byte_array_append (out, (const guint8 *) tag, 4);
  g_byte_array_append (out, size, 4);
  g_byte_array_append (out, payload, (guint) len);
  if (pad && len % 2 == 1)
    g_byte_array_append (out, (const guint8 *) "", 1);
}

/* A VP8X chunk for a 64x48 canvas with @flags. */
static void
webp_vp8x (GByteArray *out, guint8 flags)
{
  const guint8 payload[10] = { flags, 0, 0, 0, 63, 0, 0, 47, 0, 0 };

  webp_chunk (out, "VP8X", payload, sizeof payload, TRUE);
}

/* "RIFF", the length of what follows, "WEBP" and @body. */
static GBytes *
webp_riff (GByteArray *body)
{
  GByteArray *out = g_byte_array_new ();
  guint32 len = body->len + 4;
  guint8 size[4] = { len & 0xff, len >> 8 & 0xff, len >> 16 & 0xff, len >> 24 & 0xff };

  g_byte_array_append (out, (const guint8 *) "RIFF", 4);
  g_byte_array_append (out, size, 4);
  g_byte_array_append (out, (const guint8 *) "WEBP", 4);
  g_byte_array_append (out, body->data, body->len);
  return g_byte_array_free_to_bytes (out);
}

/* The first @tag chunk (VP8 or VP8L) of a 64x48 noise image saved by
 * libvips: a real encoder's bitstream to build around. */
static GBytes *
webp_bitstream (const char *tag, gboolean lossless)
{
  g_autoptr (VipsImage) noise = NULL;
  g_autoptr (VipsImage) bytes = NULL;
  void *buf = NULL;
  gsize len = 0;
  gsize pos = 12;

  g_assert_cmpint (vips_gaussnoise (&noise, 64, 48, "mean", 128.0, "sigma", 40.0, NULL), ==, 0);
  g_assert_cmpint (vips_cast_uchar (noise, &bytes, NULL), ==, 0);
  g_assert_cmpint (vips_webpsave_buffer (bytes, &buf, &len, "lossless", lossless, NULL), ==, 0);
  while (pos + 8 <= len)
    {
      const guint8 *p = (const guint8 *) buf + pos;
      gsize size = p[4] | p[5] << 8 | p[6] << 16 | (gsize) p[7] << 24;

      if (memcmp (p, tag, 4) == 0)
        {
          GBytes *chunk = g_bytes_new (p + 8, size);

          g_free (buf);
          return chunk;
        }
      pos += 8 + size + size % 2;
    }
  g_assert_not_reached ();
}

/* A big-endian TIFF header with one IFD entry: orientation 6. */
static const guint8 webp_exif6[] = { 'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3,
                                     0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0 };

/* The crafted file @name describes. */
static GBytes *
webp_craft (const char *name)
{
  g_autoptr (GBytes) vp8 = webp_bitstream ("VP8 ", FALSE);
  g_autoptr (GBytes) vp8l = webp_bitstream ("VP8L", TRUE);
  g_autoptr (GByteArray) body = g_byte_array_new ();
  const guint8 junk_past_end[8] = { 'J', 'U', 'N', 'K', 0xe8, 0x03, 0, 0 };
  gsize len;
  const guint8 *data = g_bytes_get_data (vp8, &len);

  if (strcmp (name, "chunk-past-end") == 0)
    {
      /* After the image, a chunk that says 1000 bytes where 4 follow. */
      webp_chunk (body, "VP8 ", data, len, TRUE);
      g_byte_array_append (body, junk_past_end, sizeof junk_past_end);
      g_byte_array_append (body, (const guint8 *) "abcd", 4);
    }
  else if (strcmp (name, "vp8x-chunk-past-end") == 0)
    {
      webp_vp8x (body, 0);
      webp_chunk (body, "VP8 ", data, len, TRUE);
      g_byte_array_append (body, junk_past_end, sizeof junk_past_end);
      g_byte_array_append (body, (const guint8 *) "abcd", 4);
    }
  else if (strcmp (name, "odd-no-pad") == 0)
    {
      /* The lossless chunk's padded length runs one byte past the end. A
       * VP8L decoder stops where its bitstream does: a zero byte after it
       * makes an even one odd. */
      g_autoptr (GByteArray) odd = g_byte_array_new ();

      data = g_bytes_get_data (vp8l, &len);
      g_byte_array_append (odd, data, (guint) len);
      if (len % 2 == 0)
        g_byte_array_append (odd, (const guint8 *) "", 1);
      webp_chunk (body, "VP8L", odd->data, odd->len, FALSE);
    }
  else if (strcmp (name, "simple-exif") == 0)
    {
      /* No VP8X header: libvips never looks for an EXIF chunk. */
      webp_chunk (body, "VP8 ", data, len, TRUE);
      webp_chunk (body, "EXIF", webp_exif6, sizeof webp_exif6, TRUE);
    }
  else if (strcmp (name, "vp8x-exif-no-flag") == 0)
    {
      webp_vp8x (body, 0);
      webp_chunk (body, "VP8 ", data, len, TRUE);
      webp_chunk (body, "EXIF", webp_exif6, sizeof webp_exif6, TRUE);
    }
  else if (strcmp (name, "exif-over-1mb") == 0)
    {
      /* libvips (libexif) reads no EXIF block over 1 MB: upright. */
      g_autofree guint8 *big = g_malloc0 ((1 << 20) + 2);

      memcpy (big, webp_exif6, sizeof webp_exif6);
      webp_vp8x (body, 0x08);
      webp_chunk (body, "VP8 ", data, len, TRUE);
      webp_chunk (body, "EXIF", big, (1 << 20) + 2, TRUE);
    }
  else if (strcmp (name, "vp8x-exif") == 0)
    {
      /* The control: a well-formed file libvips turns. */
      webp_vp8x (body, 0x08);
      webp_chunk (body, "VP8 ", data, len, TRUE);
      webp_chunk (body, "EXIF", webp_exif6, sizeof webp_exif6, TRUE);
    }
  else
    g_assert_not_reached ();
  return webp_riff (body);
}

/* A big-endian TIFF block with one IFD entry: orientation @value. */
static GBytes *
jpeg_tiff (guint8 value)
{
  guint8 tiff[sizeof webp_exif6];

  memcpy (tiff, webp_exif6, sizeof tiff);
  tiff[19] = value;
  return g_bytes_new (tiff, sizeof tiff);
}

/* An APP1 segment: @prefix, then @block. */
static void
jpeg_app1 (GByteArray *out, const char *prefix, gsize prefix_len, GBytes *block)
{
  gsize len = prefix_len + g_bytes_get_size (block) + 2;
  guint8 marker[4] = { 0xff, 0xe1, (guint8) (len >> 8), (guint8) len };

  g_byte_array_append (out, marker, 4);
  g_byte_array_append (out, (const guint8 *) prefix, (guint) prefix_len);
  g_byte_array_append (out, g_bytes_get_data (block, NULL), (guint) g_bytes_get_size (block));
}

/* A 64x48 noise JPEG written by libvips, with the APP1 segments @name
 * describes right after its SOI. */
static GBytes *
jpeg_craft (const char *name)
{
  g_autoptr (VipsImage) noise = NULL;
  g_autoptr (VipsImage) bytes = NULL;
  g_autoptr (GBytes) three = jpeg_tiff (3);
  g_autoptr (GBytes) six = jpeg_tiff (6);
  GByteArray *out = g_byte_array_new ();
  void *buf = NULL;
  gsize len = 0;

  g_assert_cmpint (vips_gaussnoise (&noise, 64, 48, "mean", 128.0, "sigma", 40.0, NULL), ==, 0);
  g_assert_cmpint (vips_cast_uchar (noise, &bytes, NULL), ==, 0);
  g_assert_cmpint (vips_jpegsave_buffer (bytes, &buf, &len, "strip", TRUE, NULL), ==, 0);
  g_byte_array_append (out, buf, 2);
  if (strcmp (name, "exif-not-tiff-then-6") == 0)
    {
      /* libvips reads the first "Exif" segment only, and finds no TIFF
       * header in this one: upright, whatever follows. */
      jpeg_app1 (out, "Exif\0\1", 6, three);
      jpeg_app1 (out, "Exif\0\0", 6, six);
    }
  else if (strcmp (name, "exif-6-then-3") == 0)
    {
      /* The control: the first segment wins on both paths. */
      jpeg_app1 (out, "Exif\0\0", 6, six);
      jpeg_app1 (out, "Exif\0\0", 6, three);
    }
  else
    g_assert_not_reached ();
  g_byte_array_append (out, (const guint8 *) buf + 2, (guint) len - 2);
  g_free (buf);
  return g_byte_array_free_to_bytes (out);
}

/* Red and yellow pixels side by side, saved lossy by libvips: each pixel's
 * own luma with the pair's averaged chroma is out of gamut, and libwebp's
 * YUV to RGB clips. The fast path once took the Y plane, whose grey is not
 * the clipped RGB's (mean 16.5 levels, 22.5 dB from libvips' thumbnail);
 * fuzz-webp found the same in a mutated file (seeds-webp/l-clipped.webp). */
static GBytes *
webp_red_yellow_checks (void)
{
  static const guint8 tile[] = { 255, 0, 0, 255, 255, 0, 255, 255, 0, 255, 0, 0 };
  g_autoptr (VipsImage) two = vips_image_new_from_memory (tile, sizeof tile, 2, 2, 3,
                                                          VIPS_FORMAT_UCHAR);
  g_autoptr (VipsImage) checks = NULL;
  void *buf = NULL;
  gsize len = 0;

  g_assert_cmpint (vips_replicate (two, &checks, 32, 24, NULL), ==, 0);
  g_assert_cmpint (vips_webpsave_buffer (checks, &buf, &len, "Q", 85, NULL), ==, 0);
  return g_bytes_new_take (buf, len);
}

/* Runs the binary on IN into @out_dir, @extra first; returns the exit code. */
static int
webp_run (Fixture *fx, const char *out_dir, const char *extra)
{
  const char *args[] = { "run", "--format", "png", "-j", "1", fx->in, out_dir, extra, NULL };

  return fixtures_run_logged (args, NULL, NULL);
}

/* "webp/NAME" or "jpeg/NAME": the crafted file and its extension. */
static GBytes *
crafted_file (const char *kind, const char **ext)
{
  if (g_str_has_prefix (kind, "webp/"))
    {
      *ext = "webp";
      if (strcmp (kind, "webp/red-yellow-checks") == 0)
        return webp_red_yellow_checks ();
      return webp_craft (kind + 5);
    }
  g_assert_true (g_str_has_prefix (kind, "jpeg/"));
  *ext = "jpg";
  return jpeg_craft (kind + 5);
}

static void
test_same_as_libvips (Fixture *fx, gconstpointer data)
{
  const char *ext = NULL;
  g_autoptr (GBytes) file = crafted_file (data, &ext);
  const char *name = strchr (data, '/') + 1;
  g_autofree char *input = NULL;
  g_autofree char *reference_dir = g_build_filename (fx->root, "reference", NULL);
  g_autofree char *fast_out = NULL;
  g_autofree char *reference_out = NULL;
  g_autofree char *why = NULL;
  g_autoptr (VipsImage) fast = NULL;
  g_autoptr (VipsImage) reference = NULL;
  int fast_status, reference_status;

  if (file == NULL)
    return;
  input = g_strdup_printf ("%s/%s.%s", fx->in, name, ext);
  fixtures_write_bytes (input, g_bytes_get_data (file, NULL), g_bytes_get_size (file));
  fast_status = webp_run (fx, fx->out, NULL);
  reference_status = webp_run (fx, reference_dir, "--no-fast-paths");
  g_assert_cmpint (fast_status, ==, reference_status);
  fast_out = g_strdup_printf ("%s/%s.png", fx->out, name);
  reference_out = g_strdup_printf ("%s/%s.png", reference_dir, name);
  g_assert_cmpint (g_file_test (fast_out, G_FILE_TEST_EXISTS), ==,
                   g_file_test (reference_out, G_FILE_TEST_EXISTS));
  if (reference_status != 0)
    return;
  fast = vips_image_new_from_file (fast_out, NULL);
  reference = vips_image_new_from_file (reference_out, NULL);
  g_assert_nonnull (fast);
  g_assert_nonnull (reference);
  if (!tolerance_check (fast, reference, TOLERANCE_LOSSY, &why))
    g_error ("%s: %s", name, why);
  g_test_message ("%s: %s", name, why);
}

int
main (int argc, char **argv)
{
  static const char *const cases[] = {
    "webp/chunk-past-end", "webp/vp8x-chunk-past-end", "webp/odd-no-pad",
    "webp/simple-exif",    "webp/vp8x-exif-no-flag",   "webp/exif-over-1mb",
    "webp/vp8x-exif",      "webp/red-yellow-checks",
    "jpeg/exif-not-tiff-then-6", "jpeg/exif-6-then-3",
  };

  fixtures_init (&argc, &argv);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/shardpix/crafted/%s", cases[i]);

      g_test_add (path, Fixture, cases[i], fixtures_dirs_setup, test_same_as_libvips,
                  fixtures_dirs_teardown);
    }
  return g_test_run ();
}
