/* jpeg-dc.h against libjpeg on crafted files, each written here byte by
 * byte: the framing tricks, the arithmetic that overflows, the files
 * libjpeg refuses. Each is also run through the binary, with and without
 * the fast paths. With SHARDPIX_JPEG_DC_SEEDS=DIR the small ones are
 * written to DIR, the fuzz target's seeds (test/fuzz/seeds-jpeg-dc). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>
#include <vips/vips.h>

#include "shardpix/fastload.h"
#include "fixtures.h"
#include "shardpix/jpeg-dc.h"
#include "shardpix/vips-autoptr.h"

/* A JPEG writer for the cases: segments as given, DC scans encoded from
 * the values the decoder should find. */
typedef struct {
  GByteArray *bytes;
  guint32 acc;
  int nbits;
} Jpeg;

static void
jpeg_bytes (Jpeg *j, const guint8 *data, gsize len)
{
  g_byte_array_append (j->bytes, data, (guint) len);
}

static void
jpeg_marker (Jpeg *j, guint8 marker)
{
  jpeg_bytes (j, (const guint8[]){ 0xFF, marker }, 2);
}

static void
jpeg_segment (Jpeg *j, guint8 marker, const guint8 *body, gsize len)
{
  jpeg_marker (j, marker);
  jpeg_bytes (j, (const guint8[]){ (guint8) ((len + 2) >> 8), (guint8) (len + 2) }, 2);
  jpeg_bytes (j, body, len);
}

static Jpeg *
jpeg_new (void)
{
  Jpeg *j = g_new0 (Jpeg, 1);

  j->bytes = g_byte_array_new ();
  jpeg_marker (j, 0xD8);
  return j;
}

static GBytes *
jpeg_finish (Jpeg *j)
{
  GBytes *bytes;

  jpeg_marker (j, 0xD9);
  bytes = g_byte_array_free_to_bytes (j->bytes);
  g_free (j);
  return bytes;
}

/* Table 0, 8- or 16-bit, with @dc as its DC entry. */
static void
jpeg_dqt (Jpeg *j, gboolean sixteen, guint dc)
{
  guint8 body[1 + 128] = { sixteen ? 0x10 : 0x00 };

  for (int k = 0; k < 64; k++)
    if (sixteen)
      {
        body[1 + 2 * k] = (guint8) ((k == 0 ? dc : 16) >> 8);
        body[2 + 2 * k] = (guint8) (k == 0 ? dc : 16);
      }
    else
      body[1 + k] = (guint8) (k == 0 ? dc : 16);
  jpeg_segment (j, 0xDB, body, sixteen ? 129 : 65);
}

/* A progressive frame; component ids 1, 2, 3, all on table 0. */
static void
jpeg_sof2 (Jpeg *j, int width, int height, int components, const guint8 *sampling)
{
  guint8 body[6 + 9] = { 8, (guint8) (height >> 8), (guint8) height, (guint8) (width >> 8),
                         (guint8) width, (guint8) components };

  for (int c = 0; c < components; c++)
    {
      body[6 + 3 * c] = (guint8) (c + 1);
      body[7 + 3 * c] = sampling[c];
      body[8 + 3 * c] = 0;
    }
  jpeg_segment (j, 0xC2, body, 6 + 3 * (gsize) components);
}

/* A Huffman table: how many codes of each length, then the symbols. */
typedef struct {
  guint8 counts[16];
  guint8 symbols[16];
} Table;

/* Sizes 0-15 in 5-bit codes: any DC difference. */
static const Table ANY_DC = { { 0, 0, 0, 0, 16 },
                              { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 } };
/* One symbol, in a 1-bit code. */
#define ONE_CODE(symbol) ((Table){ { 1 }, { symbol } })

static void
jpeg_dht (Jpeg *j, guint8 index, const Table *t)
{
  guint8 body[1 + 16 + 16] = { index };
  guint total = 0;

  memcpy (body + 1, t->counts, 16);
  for (int i = 0; i < 16; i++)
    total += t->counts[i];
  memcpy (body + 17, t->symbols, total);
  jpeg_segment (j, 0xC4, body, 17 + total);
}

static void
jpeg_sos (Jpeg *j, int count, const guint8 *ids, int ss, int se, int ah, int al)
{
  guint8 body[1 + 8 + 3] = { (guint8) count };

  for (int i = 0; i < count; i++)
    {
      body[1 + 2 * i] = ids[i];
      body[2 + 2 * i] = 0x00; /* DC and AC table 0 */
    }
  body[1 + 2 * count] = (guint8) ss;
  body[2 + 2 * count] = (guint8) se;
  body[3 + 2 * count] = (guint8) (ah << 4 | al);
  jpeg_segment (j, 0xDA, body, 4 + 2 * (gsize) count);
}

static void
jpeg_bits (Jpeg *j, guint value, int n)
{
  for (int i = n - 1; i >= 0; i--)
    {
      j->acc = j->acc << 1 | ((value >> i) & 1);
      if (++j->nbits == 8)
        {
          guint8 byte = (guint8) j->acc;

          jpeg_bytes (j, &byte, 1);
          if (byte == 0xFF)
            jpeg_bytes (j, (const guint8[]){ 0x00 }, 1);
          j->acc = 0;
          j->nbits = 0;
        }
    }
}

/* The end of a scan's data: the last byte padded with ones. */
static void
jpeg_bits_flush (Jpeg *j)
{
  if (j->nbits > 0)
    jpeg_bits (j, 0x7F, 8 - j->nbits);
}

static void
jpeg_huffman (Jpeg *j, const Table *t, int symbol)
{
  guint code = 0;
  int k = 0;

  for (int len = 1; len <= 16; len++, code <<= 1)
    for (int i = 0; i < t->counts[len - 1]; i++, k++, code++)
      if (t->symbols[k] == symbol)
        {
          jpeg_bits (j, code, len);
          return;
        }
  g_assert_not_reached ();
}

/* What a case decodes to: the value a DC first scan's predictor reaches
 * (the coefficient >> Al) at each block of component @c, and the bits of
 * its refinement scans. */
typedef int (*DcValue) (int c, int bx, int by);
typedef int (*DcBit) (int scan, int bx, int by);

typedef struct {
  int width, height, components;
  guint8 sampling[3];
} Frame;

/* One DC scan of the components @members (indexes, as the SOS lists
 * them) in MCU order: a first scan (@bit NULL) from @value, or refinement
 * scan @scan from @bit. */
static void
jpeg_dc_data (Jpeg *j, const Frame *f, const int *members, int count, const Table *t,
              DcValue value, DcBit bit, int scan)
{
  int hmax = 1, vmax = 1, predictor[3] = { 0 };
  int mcus_w, mcus_h;

  for (int c = 0; c < f->components; c++)
    {
      hmax = MAX (hmax, f->sampling[c] >> 4);
      vmax = MAX (vmax, f->sampling[c] & 15);
    }
  if (count > 1)
    {
      mcus_w = (f->width + 8 * hmax - 1) / (8 * hmax);
      mcus_h = (f->height + 8 * vmax - 1) / (8 * vmax);
    }
  else
    {
      mcus_w = (f->width * (f->sampling[members[0]] >> 4) + 8 * hmax - 1) / (8 * hmax);
      mcus_h = (f->height * (f->sampling[members[0]] & 15) + 8 * vmax - 1) / (8 * vmax);
    }
  for (int my = 0; my < mcus_h; my++)
    for (int mx = 0; mx < mcus_w; mx++)
      for (int i = 0; i < count; i++)
        {
          int h = count > 1 ? f->sampling[members[i]] >> 4 : 1;
          int v = count > 1 ? f->sampling[members[i]] & 15 : 1;

          for (int y = 0; y < v; y++)
            for (int x = 0; x < h; x++)
              {
                int bx = mx * h + x, by = my * v + y;
                int diff, size = 0;

                if (bit != NULL)
                  {
                    jpeg_bits (j, (guint) bit (scan, bx, by) & 1, 1);
                    continue;
                  }
                diff = value (members[i], bx, by) - predictor[i];
                predictor[i] += diff;
                while (size < 16 && abs (diff) >= 1 << size)
                  size++;
                jpeg_huffman (j, t, size);
                jpeg_bits (j, (guint) (diff < 0 ? diff + (1 << size) - 1 : diff), size);
              }
        }
  jpeg_bits_flush (j);
}

/* A greyscale progressive file: its DC at 1 / 2^@al, then @al refinement
 * scans; no AC scan (libjpeg takes their coefficients as zero). */
static GBytes *
grey_file (int width, int height, gboolean sixteen, guint quant, int al, DcValue value,
           DcBit bit)
{
  const Frame f = { width, height, 1, { 0x11 } };
  const int luma[] = { 0 };
  const guint8 ids[] = { 1 };
  Jpeg *j = jpeg_new ();

  jpeg_dqt (j, sixteen, quant);
  jpeg_sof2 (j, width, height, 1, f.sampling);
  jpeg_dht (j, 0x00, &ANY_DC);
  jpeg_sos (j, 1, ids, 0, 0, 0, al);
  jpeg_dc_data (j, &f, luma, 1, &ANY_DC, value, NULL, 0);
  for (int ah = al; ah > 0; ah--)
    {
      jpeg_sos (j, 1, ids, 0, 0, ah, ah - 1);
      jpeg_dc_data (j, &f, luma, 1, &ANY_DC, value, bit, ah);
    }
  return jpeg_finish (j);
}

static int
value_dark (int c, int bx, int by)
{
  return -80;
}

static int
value_light (int c, int bx, int by)
{
  return 80;
}

/* Large and varied: times 2^13, or times 65535, they overflow an int. */
static int
value_large (int c, int bx, int by)
{
  return (bx * 37 + by * 101) % 4001 - 2000;
}

static int
value_ramp (int c, int bx, int by)
{
  return c == 0 ? bx * 3 - by * 2 : (bx - by) % 7;
}

/* Differences of 0 and +1 only: what a table of sizes 0 and 1 codes. */
static int
value_dark_edge (int c, int bx, int by)
{
  return bx > 3;
}

static int
bit_pattern (int scan, int bx, int by)
{
  return (bx * 7 + by * 3 + scan) % 3 == 0;
}

/* The pixels the fast path gives (NULL: refused) and libjpeg's. */
static void
decode_both (GBytes *file, VipsImage **fast, VipsImage **libjpeg)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (file, &len);

  *fast = shardpix_fastload_jpeg_dc_buffer (data, len);
  *libjpeg = shardpix_fastload_jpeg_decode_buffer (data, len, 8);
}

/* jpeg-dc must give libjpeg's very pixels. */
static void
assert_exact (GBytes *file)
{
  g_autoptr (VipsImage) fast = NULL;
  g_autoptr (VipsImage) libjpeg = NULL;

  decode_both (file, &fast, &libjpeg);
  g_assert_nonnull (libjpeg);
  g_assert_nonnull (fast);
  fixtures_assert_same_pixels (fast, libjpeg, "jpeg-dc");
}

/* libjpeg refuses it (an error, not a warning): jpeg-dc must too. */
static void
assert_refused (GBytes *file)
{
  g_autoptr (VipsImage) fast = NULL;
  g_autoptr (VipsImage) libjpeg = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (file, &len);

  decode_both (file, &fast, &libjpeg);
  g_assert_null (libjpeg);
  g_assert_null (fast);
  g_assert_null (shardpix_jpeg_dc_luma (data, len, NULL));
}

static void
save_seed (const char *name, GBytes *file)
{
  const char *dir = g_getenv ("SHARDPIX_JPEG_DC_SEEDS");
  gsize len;
  const guint8 *data = g_bytes_get_data (file, &len);

  if (dir != NULL && len <= 70000)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      fixtures_write_bytes (path, data, len);
    }
}

typedef struct {
  int rc;
  char *stderr_text;
  VipsImage *image; /* NULL when it failed */
  gint64 max_rss_kb;
} Run;

static void
run_clear (Run *r)
{
  g_free (r->stderr_text);
  g_clear_object (&r->image);
}

/* The binary on @file alone (PNG output, one worker), with @extra. */
static void
run_binary (FixturesDirs *fx, const char *name, GBytes *file, gboolean fast, const char *extra,
            Run *r)
{
  g_autofree char *in = g_build_filename (fx->root, name, NULL);
  g_autofree char *image = g_build_filename (in, "x.jpg", NULL);
  g_autofree char *out = g_strdup_printf ("%s-%s", in, fast ? "fast" : "vips");
  g_autofree char *png = g_build_filename (out, "x.png", NULL);
  g_autofree char *report = g_strconcat (out, ".json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  gsize len;
  const guint8 *data = g_bytes_get_data (file, &len);
  const char *args[] = { "run", in, out, "-f", "png", "-j", "1", "--report", report,
                         fast ? extra : "--no-fast-paths", fast ? NULL : extra, NULL };
  JsonArray *children;

  g_mkdir_with_parents (in, 0755);
  fixtures_write_bytes (image, data, len);
  r->rc = fixtures_run_logged (args, NULL, &r->stderr_text);
  if (g_file_test (png, G_FILE_TEST_EXISTS))
    {
      r->image = vips_image_new_from_file (png, "access", VIPS_ACCESS_RANDOM, NULL);
      g_assert_nonnull (r->image);
    }
  g_assert_true (json_parser_load_from_file (parser, report, NULL));
  children = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                           "children");
  r->max_rss_kb = 0;
  for (guint i = 0; i < json_array_get_length (children); i++)
    r->max_rss_kb = MAX (r->max_rss_kb, json_object_get_int_member (
                                            json_array_get_object_element (children, i),
                                            "max_rss_kb"));
}

static double
mean_difference (VipsImage *a, VipsImage *b)
{
  g_autoptr (VipsImage) diff = NULL;
  g_autoptr (VipsImage) magnitude = NULL;
  double mean;

  g_assert_cmpint (a->Xsize, ==, b->Xsize);
  g_assert_cmpint (a->Ysize, ==, b->Ysize);
  g_assert_cmpint (vips_subtract (a, b, &diff, NULL), ==, 0);
  g_assert_cmpint (vips_abs (diff, &magnitude, NULL), ==, 0);
  g_assert_cmpint (vips_avg (magnitude, &mean, NULL), ==, 0);
  return mean;
}

/* Through the binary, the file gives what libvips alone gives: the same
 * failure, or a thumbnail within docs/performance.md's 6 levels. */
static void
assert_binary_agrees (FixturesDirs *fx, const char *name, GBytes *file, const char *extra)
{
  Run fast = { 0 }, vips = { 0 };

  run_binary (fx, name, file, TRUE, extra, &fast);
  run_binary (fx, name, file, FALSE, extra, &vips);
  g_assert_cmpint (fast.rc, ==, vips.rc);
  g_assert_true ((fast.image == NULL) == (vips.image == NULL));
  if (fast.image != NULL)
    g_assert_cmpfloat (mean_difference (fast.image, vips.image), <=, 6.0);
  run_clear (&fast);
  run_clear (&vips);
}

/* The builder's own files are read alike: greyscale, and 4:2:0 colour
 * with an interleaved DC scan. */
static void
test_crafted_exact (FixturesDirs *fx, gconstpointer data)
{
  const Frame colour = { 80, 56, 3, { 0x22, 0x11, 0x11 } };
  const int all[] = { 0, 1, 2 };
  const guint8 ids[] = { 1, 2, 3 };
  g_autoptr (GBytes) grey = grey_file (72, 40, FALSE, 8, 2, value_ramp, bit_pattern);
  g_autoptr (GBytes) file = NULL;
  Jpeg *j = jpeg_new ();

  assert_exact (grey);
  save_seed ("crafted-grey.jpg", grey);
  jpeg_dqt (j, FALSE, 6);
  jpeg_sof2 (j, colour.width, colour.height, 3, colour.sampling);
  jpeg_dht (j, 0x00, &ANY_DC);
  jpeg_sos (j, 3, ids, 0, 0, 0, 0);
  jpeg_dc_data (j, &colour, all, 3, &ANY_DC, value_ramp, NULL, 0);
  file = jpeg_finish (j);
  assert_exact (file);
  save_seed ("crafted-420.jpg", file);
  assert_binary_agrees (fx, "crafted", file, "--size=10x7");
}

/* Issue 12, point 5: FF D0 and TEM stand alone, as libjpeg reads them.
 * SOI, FF D0, image A, padding, image B: libjpeg (and so libvips) shows
 * A; reading a length after FF D0 lands on B. */
static GBytes *
two_images (GBytes *a, GBytes *b)
{
  gsize a_len, b_len;
  const guint8 *a_data = g_bytes_get_data (a, &a_len);
  const guint8 *b_data = g_bytes_get_data (b, &b_len);
  /* Where a reader taking A's first marker bytes as FF D0's length goes. */
  gsize landing = 2 + 2 + ((gsize) a_data[2] << 8 | a_data[3]);
  GByteArray *out = g_byte_array_new ();

  g_assert_cmpuint (4 + a_len - 2, <=, landing);
  g_byte_array_append (out, (const guint8[]){ 0xFF, 0xD8, 0xFF, 0xD0 }, 4);
  g_byte_array_append (out, a_data + 2, (guint) a_len - 2);
  g_byte_array_set_size (out, (guint) landing);
  memset (out->data + 4 + a_len - 2, 0, landing - (4 + a_len - 2));
  g_byte_array_append (out, b_data + 2, (guint) b_len - 2);
  return g_byte_array_free_to_bytes (out);
}

static void
test_standalone_markers (FixturesDirs *fx, gconstpointer data)
{
  g_autoptr (GBytes) a = grey_file (2048, 2048, FALSE, 8, 0, value_dark, NULL);
  g_autoptr (GBytes) b = grey_file (2048, 2048, FALSE, 8, 0, value_light, NULL);
  g_autoptr (GBytes) file = two_images (a, b);
  g_autoptr (GBytes) small = NULL;
  g_autoptr (VipsImage) fast = NULL;
  g_autoptr (VipsImage) libjpeg = NULL;
  Run run = { 0 };
  double mean;

  assert_exact (file);
  decode_both (file, &fast, &libjpeg);
  g_assert_cmpint (vips_avg (fast, &mean, NULL), ==, 0);
  g_assert_cmpfloat (fabs (mean - 48), <, 1); /* A's grey, (-80 * 8) / 8 + 128 */
  assert_binary_agrees (fx, "two-images", file, NULL);
  run_binary (fx, "two-images-again", file, TRUE, NULL, &run);
  g_assert_nonnull (run.image);
  g_assert_cmpint (vips_avg (run.image, &mean, NULL), ==, 0);
  g_assert_cmpfloat (fabs (mean - 48), <, 2);
  run_clear (&run);
  {
    /* The same trick, small enough for a fuzz seed. */
    g_autoptr (GBytes) sa = grey_file (64, 64, FALSE, 8, 0, value_dark, NULL);
    g_autoptr (GBytes) sb = grey_file (64, 64, FALSE, 8, 0, value_light, NULL);

    small = two_images (sa, sb);
    save_seed ("two-images.jpg", small);
  }
}

/* B declares 65500x65500 behind A's 2048x2048: the header check sees A,
 * and so must the decoder, or a worker under --max-pixels 5000000 holds a
 * 65500x65500 frame's coefficients. B's data: every block the 1-bit code
 * of a zero difference, all zero bits. */
static void
test_hidden_frame (FixturesDirs *fx, gconstpointer data)
{
  g_autoptr (GBytes) a = grey_file (2048, 2048, FALSE, 8, 0, value_dark, NULL);
  g_autoptr (GBytes) b = NULL;
  g_autoptr (GBytes) file = NULL;
  const Table zero = ONE_CODE (0);
  const guint8 ids[] = { 1 };
  const gsize blocks = (gsize) 8188 * 8188;
  Jpeg *j = jpeg_new ();
  Run run = { 0 };
  guint8 *zeros = g_malloc0 (blocks / 8 + 1);

  jpeg_dqt (j, FALSE, 8);
  jpeg_sof2 (j, 65500, 65500, 1, (const guint8[]){ 0x11 });
  jpeg_dht (j, 0x00, &zero);
  jpeg_sos (j, 1, ids, 0, 0, 0, 0);
  jpeg_bytes (j, zeros, blocks / 8 + 1);
  g_free (zeros);
  b = jpeg_finish (j);
  file = two_images (a, b);
  run_binary (fx, "hidden-frame-rss", file, TRUE, "--max-pixels=5000000", &run);
  g_test_message ("worker peak RSS %" G_GINT64_FORMAT " kB", run.max_rss_kb);
  g_assert_cmpint (run.rc, ==, 0);
  /* A's 256x256 DC values take 128 kB; B's 8188x8188 would take 134 MB. */
  g_assert_cmpint (run.max_rss_kb, <, 120 * 1024);
  run_clear (&run);
  assert_binary_agrees (fx, "hidden-frame", file, "--max-pixels=5000000");
  assert_exact (file);
}

/* Issue 12, point 6: libjpeg keeps DC values and multipliers in 16 bits
 * and wraps; so must jpeg-dc, without an overflow of its own. */
static void
test_wrapping_arithmetic (FixturesDirs *fx, gconstpointer data)
{
  /* Al = 13, 13 refinement scans: values times 2^13. */
  g_autoptr (GBytes) shifted = grey_file (256, 128, FALSE, 255, 13, value_large, bit_pattern);
  /* A 16-bit quantiser of 65535. */
  g_autoptr (GBytes) quant = grey_file (256, 128, TRUE, 65535, 5, value_large, bit_pattern);

  assert_exact (shifted);
  assert_exact (quant);
  save_seed ("al13.jpg", shifted);
  save_seed ("dqt16-65535.jpg", quant);
}

/* A file of one DC first scan of the components @scan_ids (by id) with
 * Ss = @ss and Se = @se, coded with @table. */
static GBytes *
one_scan_file (const Frame *f, const Table *table, DcValue value, int count,
               const guint8 *scan_ids, int ss, int se)
{
  int members[4];
  Jpeg *j = jpeg_new ();

  for (int i = 0; i < count; i++)
    members[i] = scan_ids[i] - 1;
  jpeg_dqt (j, FALSE, 8);
  jpeg_sof2 (j, f->width, f->height, f->components, f->sampling);
  jpeg_dht (j, 0x00, table);
  jpeg_sos (j, count, scan_ids, ss, se, 0, 0);
  jpeg_dc_data (j, f, members, count, table, value, NULL, 0);
  return jpeg_finish (j);
}

/* Issue 12, point 7: files libjpeg refuses with an error. */
static const Frame GREY = { 64, 48, 1, { 0x11 } };
static const guint8 LUMA[] = { 1 };

/* A valid DC scan, then an AC scan from @ss to @se, which no decoder may
 * start when they are impossible. */
static GBytes *
ac_scan_file (int ss, int se)
{
  const int members[] = { 0 };
  Jpeg *j = jpeg_new ();

  jpeg_dqt (j, FALSE, 8);
  jpeg_sof2 (j, GREY.width, GREY.height, 1, GREY.sampling);
  jpeg_dht (j, 0x00, &ANY_DC);
  jpeg_dht (j, 0x10, &ONE_CODE (0));
  jpeg_sos (j, 1, LUMA, 0, 0, 0, 0);
  jpeg_dc_data (j, &GREY, members, 1, &ANY_DC, value_ramp, NULL, 0);
  jpeg_sos (j, 1, LUMA, ss, se, 0, 0);
  jpeg_bytes (j, (const guint8[]){ 0x00, 0x00 }, 2);
  return jpeg_finish (j);
}

/* The chroma's DC, then a scan naming the luminance twice: after the
 * first SOS, so that libjpeg's header read has not seen it. */
static GBytes *
sos_twice_file (const Frame *colour)
{
  const int chroma[] = { 1, 2 }, twice[] = { 0, 0 };
  const guint8 chroma_ids[] = { 2, 3 }, twice_ids[] = { 1, 1 };
  Jpeg *j = jpeg_new ();

  jpeg_dqt (j, FALSE, 8);
  jpeg_sof2 (j, colour->width, colour->height, 3, colour->sampling);
  jpeg_dht (j, 0x00, &ANY_DC);
  jpeg_sos (j, 2, chroma_ids, 0, 0, 0, 0);
  jpeg_dc_data (j, colour, chroma, 2, &ANY_DC, value_ramp, NULL, 0);
  jpeg_sos (j, 2, twice_ids, 0, 0, 0, 0);
  jpeg_dc_data (j, colour, twice, 2, &ANY_DC, value_ramp, NULL, 0);
  return jpeg_finish (j);
}

static GBytes *
refused_file (const char *name)
{
  const Frame colour = { 48, 48, 3, { 0x11, 0x11, 0x11 } };
  const Frame big_mcu = { 48, 48, 3, { 0x33, 0x11, 0x11 } };
  /* Two 1-bit codes: the second is all ones. */
  const Table full = { { 2 }, { 0, 1 } };
  const guint8 all[] = { 1, 2, 3 };

  if (strcmp (name, "bogus-huffman") == 0)
    return one_scan_file (&GREY, &full, value_dark_edge, 1, LUMA, 0, 0);
  if (strcmp (name, "dc-se-63") == 0)
    return one_scan_file (&GREY, &ANY_DC, value_ramp, 1, LUMA, 0, 63);
  if (strcmp (name, "mcu-11-blocks") == 0) /* Y 3x3, Cb, Cr: 11 > 10 */
    return one_scan_file (&big_mcu, &ANY_DC, value_ramp, 3, all, 0, 0);
  if (strcmp (name, "sos-twice") == 0)
    return sos_twice_file (&colour);
  if (strcmp (name, "ac-se-64") == 0)
    return ac_scan_file (1, 64);
  if (strcmp (name, "ac-ss-over-se") == 0)
    return ac_scan_file (5, 2);
  g_assert_not_reached ();
}

static void
test_refused (FixturesDirs *fx, gconstpointer data)
{
  g_autoptr (GBytes) file = refused_file (data);
  g_autofree char *name = g_strconcat (data, ".jpg", NULL);

  assert_refused (file);
  save_seed (name, file);
  /* A box that makes the fast path shrink by 8: its DC scans. */
  assert_binary_agrees (fx, data, file, "--size=6x6");
}

/* Point 6 and 7: the DC predictor is an int in libjpeg, which refuses a
 * sum past INT_MAX (JERR_BAD_DCT_COEF): 1,049,089 differences of +2047. */
static void
test_predictor_overflow (FixturesDirs *fx, gconstpointer data)
{
  const Table eleven = ONE_CODE (11);
  const guint8 luma[] = { 1 };
  const gsize blocks = (gsize) 1024 * 1026;
  g_autoptr (GBytes) file = NULL;
  Jpeg *j = jpeg_new ();

  jpeg_dqt (j, FALSE, 1);
  jpeg_sof2 (j, 8192, 8208, 1, (const guint8[]){ 0x11 });
  jpeg_dht (j, 0x00, &eleven);
  jpeg_sos (j, 1, luma, 0, 0, 0, 0);
  for (gsize i = 0; i < blocks; i++)
    jpeg_bits (j, 0x7FF, 12); /* the code 0, then +2047 */
  jpeg_bits_flush (j);
  file = jpeg_finish (j);
  assert_refused (file);
  assert_binary_agrees (fx, "predictor-overflow", file, NULL);
}

/* The frame libjpeg's header read saw is the only one decoded: given
 * another size, quantiser or DC table, jpeg-dc gives nothing. */
static void
test_frame_cross_check (FixturesDirs *fx, gconstpointer data)
{
  g_autoptr (GBytes) file = grey_file (72, 40, FALSE, 8, 0, value_ramp, NULL);
  gsize len;
  const guint8 *bytes = g_bytes_get_data (file, &len);
  ShardpixJpegDcFrame frame = { .width = 72, .height = 40, .components = 1,
                                .id = { 1 }, .h = { 1 }, .v = { 1 },
                                .quant_defined = { TRUE }, .quant_dc = { 8 },
                                .dc_defined = { TRUE } };

  memcpy (frame.dc_counts[0], ANY_DC.counts, 16);
  memcpy (frame.dc_symbols[0], ANY_DC.symbols, 16);
  {
    g_autoptr (VipsImage) right = shardpix_jpeg_dc_luma (bytes, len, &frame);

    g_assert_nonnull (right);
  }
  frame.width = 73;
  g_assert_null (shardpix_jpeg_dc_luma (bytes, len, &frame));
  frame.width = 72;
  frame.quant_dc[0] = 9;
  g_assert_null (shardpix_jpeg_dc_luma (bytes, len, &frame));
  frame.quant_dc[0] = 8;
  frame.dc_symbols[0][3] = 4;
  g_assert_null (shardpix_jpeg_dc_luma (bytes, len, &frame));
}

#define ADD(path, func) \
  g_test_add (path, FixturesDirs, NULL, fixtures_dirs_setup, func, fixtures_dirs_teardown)

int
main (int argc, char **argv)
{
  static const char *const refused[] = { "bogus-huffman", "dc-se-63",      "mcu-11-blocks",
                                         "sos-twice",     "ac-se-64",      "ac-ss-over-se" };

  fixtures_init (&argc, &argv);
  if (VIPS_INIT (argv[0]) != 0)
    g_error ("vips_init: %s", vips_error_buffer ());
  ADD ("/shardpix/jpeg-dc/crafted-exact", test_crafted_exact);
  ADD ("/shardpix/jpeg-dc/frame-cross-check", test_frame_cross_check);
  ADD ("/shardpix/jpeg-dc/standalone-markers", test_standalone_markers);
  ADD ("/shardpix/jpeg-dc/hidden-frame", test_hidden_frame);
  ADD ("/shardpix/jpeg-dc/wrapping-arithmetic", test_wrapping_arithmetic);
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autofree char *path = g_strconcat ("/shardpix/jpeg-dc/refused/", refused[i], NULL);

      g_test_add (path, FixturesDirs, refused[i], fixtures_dirs_setup, test_refused,
                  fixtures_dirs_teardown);
    }
  ADD ("/shardpix/jpeg-dc/predictor-overflow", test_predictor_overflow);
  return g_test_run ();
}
