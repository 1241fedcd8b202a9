/* The per-worker memory guard (lib/shardpix/memguard.h) through the real binary: an
 * interlaced 16-bit RGBA PNG of 8192x8192, 522 kB on disk and 512 MB as
 * libvips decodes it, is refused from its header with a message naming the
 * limit, the other files of the folder come out, and the worker that met
 * it stays small (its peak RSS from --report). A large ordinary photo
 * still passes under the defaults. */
#include <string.h>
#include <unistd.h>

#include <json-glib/json-glib.h>
#include <vips/vips.h>
#include <zlib.h>

#include "fixtures.h"
#include "shardpix/memguard.h"
#include "shardpix/vips-autoptr.h"

typedef FixturesDirs Fixture;

/* Without the guard the worker peaks at 650 MB on this image (1.3 GB under
 * AddressSanitizer); with it, at what a worker costs anyway. */
#define MEMGUARD_SMALL_RSS_KB (256 * 1024)

static void
memguard_put32 (GByteArray *out, guint32 value)
{
  guint8 b[4] = { value >> 24, value >> 16 & 0xff, value >> 8 & 0xff, value & 0xff };

  g_byte_array_append (out, b, 4);
}

static void
memguard_chunk (GByteArray *out, const char *type, const guint8 *data, guint32 len)
{
  guint32 crc = (guint32) crc32 (crc32 (0, (const guint8 *) type, 4), data, len);

  memguard_put32 (out, len);
  g_byte_array_append (out, (const guint8 *) type, 4);
  g_byte_array_append (out, data, len);
  memguard_put32 (out, crc);
}

/* An Adam7 PNG of @side x @side, 16-bit RGBA, every pixel transparent
 * black: the seven passes' rows (a filter byte and 8 bytes a pixel),
 * deflated as they are made, so that the test never holds them. */
static GByteArray *
memguard_adam7 (guint32 side)
{
  static const guint passes[7][4] = { { 0, 0, 8, 8 }, { 4, 0, 8, 8 }, { 0, 4, 4, 8 },
                                      { 2, 0, 4, 4 }, { 0, 2, 2, 4 }, { 1, 0, 2, 2 },
                                      { 0, 1, 1, 2 } };
  GByteArray *png = g_byte_array_new ();
  g_autoptr (GByteArray) idat = g_byte_array_new ();
  g_autofree guint8 *zeros = g_malloc0 (1 << 20);
  guint8 out[1 << 16];
  guint8 ihdr[13] = { 0 };
  guint64 raw = 0;
  z_stream z = { 0 };

  for (int p = 0; p < 7; p++)
    {
      guint64 width = (side - passes[p][0] + passes[p][2] - 1) / passes[p][2];
      guint64 height = (side - passes[p][1] + passes[p][3] - 1) / passes[p][3];

      raw += height * (1 + width * 8);
    }
  g_assert_cmpint (deflateInit (&z, 9), ==, Z_OK);
  while (raw > 0 || z.avail_in > 0)
    {
      int flush = raw == 0 ? Z_FINISH : Z_NO_FLUSH;

      if (z.avail_in == 0 && raw > 0)
        {
          z.next_in = zeros;
          z.avail_in = (uInt) MIN (raw, (guint64) 1 << 20);
          raw -= z.avail_in;
          flush = raw == 0 ? Z_FINISH : Z_NO_FLUSH;
        }
      do
        {
          z.next_out = out;
          z.avail_out = sizeof out;
          g_assert_cmpint (deflate (&z, flush), !=, Z_STREAM_ERROR);
          g_byte_array_append (idat, out, (guint) (sizeof out - z.avail_out));
        }
      while (z.avail_out == 0);
    }
  deflateEnd (&z);

  g_byte_array_append (png, (const guint8 *) "\x89PNG\r\n\x1a\n", 8);
  for (int i = 0; i < 4; i++)
    ihdr[i] = ihdr[4 + i] = (guint8) (side >> (24 - 8 * i));
  ihdr[8] = 16;  /* bits a sample */
  ihdr[9] = 6;   /* RGBA */
  ihdr[12] = 1;  /* Adam7 */
  memguard_chunk (png, "IHDR", ihdr, sizeof ihdr);
  memguard_chunk (png, "IDAT", idat->data, idat->len);
  memguard_chunk (png, "IEND", NULL, 0);
  return png;
}

/* The 8192x8192 one at @path; deflating 512 MB takes seconds: made once. */
static void
memguard_write_adam7 (const char *path)
{
  static GByteArray *png;

  if (png == NULL)
    png = memguard_adam7 (8192);
  g_assert_cmpuint (png->len, <, 600 * 1000);
  fixtures_write_bytes (path, png->data, png->len);
}

/* The largest peak RSS among the workers of the run --report wrote. */
static gint64
memguard_worker_rss_kb (const char *report)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonArray *children;
  gint64 max = 0;

  g_assert_true (json_parser_load_from_file (parser, report, &error));
  g_assert_no_error (error);
  children = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                           "children");
  g_assert_cmpuint (json_array_get_length (children), >, 0);
  for (guint i = 0; i < json_array_get_length (children); i++)
    max = MAX (max, json_object_get_int_member (json_array_get_object_element (children, i),
                                                "max_rss_kb"));
  return max;
}

/* Runs the binary on IN with @extra options (NULL-terminated, at most 4):
 * the adam7.png among ordinary files must fail alone, naming @limit_mb. */
static void
memguard_assert_refused (Fixture *fx, const char *const *extra, gint64 limit_mb)
{
  g_autofree char *adam7 = g_build_filename (fx->in, "adam7.png", NULL);
  g_autofree char *photo = g_build_filename (fx->in, "photo.jpg", NULL);
  g_autofree char *other = g_build_filename (fx->in, "other.png", NULL);
  g_autofree char *report = g_build_filename (fx->root, "report.json", NULL);
  g_autofree char *out_photo = g_build_filename (fx->out, "photo.jpg", NULL);
  g_autofree char *out_other = g_build_filename (fx->out, "other.png", NULL);
  g_autofree char *out_adam7 = g_build_filename (fx->out, "adam7.png", NULL);
  g_autofree char *message = g_strdup_printf (
      "adam7.png: image is 8192x8192, an interlaced PNG that libvips decodes whole: 512 MB at "
      "once, more than --max-buffer %" G_GINT64_FORMAT " MB",
      limit_mb);
  g_autofree char *err = NULL;
  g_autoptr (VipsImage) thumb = NULL;
  const char *args[12] = { "run", fx->in, fx->out, "--report", report, NULL };
  gint64 rss_kb;
  int n = 5;

  memguard_write_adam7 (adam7);
  fixtures_write_image (photo, "jpeg", 1200, 800);
  fixtures_write_image (other, "png", 640, 480);
  for (; *extra != NULL; extra++)
    args[n++] = *extra;
  g_assert_cmpint (fixtures_run_logged (args, NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, message));
  g_assert_cmpuint (fixtures_count_lines_containing (err, "adam7.png"), ==, 1);
  g_assert_false (g_file_test (out_adam7, G_FILE_TEST_EXISTS));
  thumb = vips_image_new_from_file (out_photo, NULL);
  g_assert_nonnull (thumb);
  g_assert_cmpint (MAX (thumb->Xsize, thumb->Ysize), ==, 256);
  g_clear_object (&thumb);
  thumb = vips_image_new_from_file (out_other, NULL);
  g_assert_nonnull (thumb);
  g_assert_cmpint (MAX (thumb->Xsize, thumb->Ysize), ==, 256);
  rss_kb = memguard_worker_rss_kb (report);
  g_test_message ("largest worker peak RSS: %" G_GINT64_FORMAT " kB", rss_kb);
  g_assert_cmpint (rss_kb, <, MEMGUARD_SMALL_RSS_KB);
}

static void
test_adam7_refused (Fixture *fx, gconstpointer data)
{
  const char *extra[] = { "-j", "1", "--max-buffer", "256", NULL };

  memguard_assert_refused (fx, extra, 256);
}

/* Without any option: 64 workers share half of physical memory, which
 * leaves each less than 512 MB on machines below 64 GB. */
static void
test_adam7_default_share (Fixture *fx, gconstpointer data)
{
  const char *extra[] = { "-j", "64", NULL };
  gint64 share = shardpix_memguard_default_mb (64);

  if (share >= 512)
    {
      g_test_skip ("physical memory so large that 1/128 of it holds the image");
      return;
    }
  memguard_assert_refused (fx, extra, share);
}

/* A 6000x4000 progressive JPEG (libjpeg holds its 144 MB of coefficients)
 * and a baseline one still pass under the defaults. */
static void
test_photo_passes (Fixture *fx, gconstpointer data)
{
  g_autofree char *progressive = g_build_filename (fx->in, "progressive.jpg", NULL);
  g_autofree char *baseline = g_build_filename (fx->in, "baseline.jpg", NULL);
  g_autofree char *out_progressive = g_build_filename (fx->out, "progressive.jpg", NULL);
  g_autofree char *out_baseline = g_build_filename (fx->out, "baseline.jpg", NULL);
  const char *args[] = { "run", fx->in, fx->out, NULL };

  if (shardpix_memguard_default_mb (g_get_num_processors ()) < 144)
    {
      g_test_skip ("less than 144 MB of memory a worker");
      return;
    }
  fixtures_write_image (progressive, "jpeg-progressive", 6000, 4000);
  fixtures_write_image (baseline, "jpeg", 6000, 4000);
  g_assert_cmpint (fixtures_run_logged (args, NULL, NULL), ==, 0);
  g_assert_true (g_file_test (out_progressive, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (out_baseline, G_FILE_TEST_EXISTS));
}

/* A progressive JPEG of 1 kB whose header claims 65000x65000 (24 GB of
 * coefficients for libjpeg), with --max-pixels off: the guard alone
 * refuses it from its header, also under AddressSanitizer, where
 * --max-memory cannot be used. */
static void
test_progressive_bomb (Fixture *fx, gconstpointer data)
{
  g_autofree char *bomb = g_build_filename (fx->in, "bomb.jpg", NULL);
  g_autofree char *report = g_build_filename (fx->root, "report.json", NULL);
  const char *args[] = { "run", fx->in, fx->out, "-j", "1", "--max-pixels", "0",
                         "--report", report, NULL };
  g_autoptr (VipsImage) black = NULL;
  g_autofree char *err = NULL;
  void *jpeg = NULL;
  guint8 *p;
  gsize len = 0;
  gsize sof = 0;

  if (shardpix_memguard_default_mb (1) >= 24176)
    {
      g_test_skip ("half of physical memory holds 24 GB");
      return;
    }
  g_assert_cmpint (vips_black (&black, 256, 256, "bands", 3, NULL), ==, 0);
  g_assert_cmpint (vips_jpegsave_buffer (black, &jpeg, &len, "interlace", TRUE, NULL), ==, 0);
  p = jpeg;
  for (gsize i = 2; i + 9 < len && sof == 0; i++)
    if (p[i] == 0xff && p[i + 1] == 0xc2)
      sof = i;
  g_assert_cmpuint (sof, >, 0);
  p[sof + 5] = p[sof + 7] = 65000 >> 8;
  p[sof + 6] = p[sof + 8] = 65000 & 0xff;
  fixtures_write_bytes (bomb, jpeg, len);
  g_free (jpeg);
  g_assert_cmpint (fixtures_run_logged (args, NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "bomb.jpg: image is 65000x65000, a progressive JPEG that "
                                 "libvips decodes whole: 24176 MB at once, more than "
                                 "--max-buffer"));
  g_assert_cmpint (memguard_worker_rss_kb (report), <, MEMGUARD_SMALL_RSS_KB);
}

/* The estimate, read from headers libvips opens: what cannot stream counts,
 * what streams does not. */
static void
test_estimates (Fixture *fx, gconstpointer data)
{
  static const struct {
    const char *name;
    const char *kind; /* for fixtures_write_image() */
    gint64 bytes;     /* 0: streamed */
  } cases[] = {
    { "baseline.jpg", "jpeg", 0 },
    { "progressive.jpg", "jpeg-progressive", 300 * 200 * 3 * 2 },
    { "plain.png", "png", 0 },
    { "plain16.png", "png16", 0 },
    { "frame.gif", "gif", 300 * 200 * 4 },
    { "strips.tif", "tiff", 0 },
    { "lossy.webp", "webp", 0 },
  };
  g_autofree char *adam7 = g_build_filename (fx->in, "adam7.png", NULL);
  g_autoptr (VipsImage) header = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_build_filename (fx->in, cases[i].name, NULL);
      g_autoptr (VipsImage) image = NULL;

      fixtures_write_image (path, cases[i].kind, 300, 200);
      image = vips_image_new_from_file (path, NULL);
      g_assert_nonnull (image);
      g_test_message ("%s: %" G_GINT64_FORMAT " bytes", cases[i].name,
                      shardpix_memguard_buffered_bytes (image));
      g_assert_cmpint (shardpix_memguard_buffered_bytes (image), ==, cases[i].bytes);
    }
  memguard_write_adam7 (adam7);
  header = vips_image_new_from_file (adam7, NULL);
  g_assert_nonnull (header);
  g_assert_cmpint (shardpix_memguard_buffered_bytes (header), ==,
                   G_GINT64_CONSTANT (8192) * 8192 * 4 * 2);
}

int
main (int argc, char **argv)
{
  fixtures_init (&argc, &argv);
  g_test_add ("/shardpix/memguard/estimates", Fixture, NULL, fixtures_dirs_setup,
              test_estimates, fixtures_dirs_teardown);
  g_test_add ("/shardpix/memguard/adam7-refused", Fixture, NULL, fixtures_dirs_setup,
              test_adam7_refused, fixtures_dirs_teardown);
  g_test_add ("/shardpix/memguard/adam7-default-share", Fixture, NULL, fixtures_dirs_setup,
              test_adam7_default_share, fixtures_dirs_teardown);
  g_test_add ("/shardpix/memguard/progressive-bomb", Fixture, NULL, fixtures_dirs_setup,
              test_progressive_bomb, fixtures_dirs_teardown);
  g_test_add ("/shardpix/memguard/photo-passes", Fixture, NULL, fixtures_dirs_setup,
              test_photo_passes, fixtures_dirs_teardown);
  return g_test_run ();
}
