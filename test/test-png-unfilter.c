/* lib/png-unfilter.c against libpng, row by row: random filtered rows
 * (every filter, every pixel size PNG has: 1-4 bytes at 8 bits, 2, 4, 6
 * and 8 at 16; widths around the pixel loop's four- and eight-byte reads) are wrapped in a PNG that libpng decodes untransformed;
 * the unfiltering must give its bytes exactly. test-png-whole holds the
 * whole reader to libpng on whole images; this holds each row, where a
 * wrong byte of blue could hide in the luma. */
#include <string.h>

#include <png.h>
#include <zlib.h>

#include "shardpix/png-unfilter.h"

/* Colour types by channels. */
static const int colour_types[] = { PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA,
                                    PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA };

/* A pixel size and the PNG layout that has it. */
typedef struct {
  int bpp;
  int depth;
  int channels;
} PixelSize;

typedef struct {
  const guint8 *data;
  gsize len;
  gsize pos;
} MemoryReader;

static void
append_chunk (GByteArray *png, const char *name, const guint8 *data, guint32 len)
{
  guint8 head[8] = { len >> 24, len >> 16, len >> 8, len, name[0], name[1], name[2], name[3] };
  guint32 crc = (guint32) crc32 (crc32 (0, head + 4, 4), data, len);
  guint8 tail[4] = { crc >> 24, crc >> 16, crc >> 8, crc };

  g_byte_array_append (png, head, 8);
  g_byte_array_append (png, data, len);
  g_byte_array_append (png, tail, 4);
}

/* A PNG of @filtered (@height rows, each a filter byte and @row_bytes). */
static GByteArray *
wrap_png (const guint8 *filtered, gsize filtered_len, guint width, guint height,
          const PixelSize *size)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  guint8 ihdr[13] = { width >> 24, width >> 16, width >> 8, width, height >> 24, height >> 16,
                      height >> 8, height, size->depth, colour_types[size->channels - 1], 0, 0, 0 };
  uLongf deflated_len = compressBound (filtered_len);
  g_autofree guint8 *deflated = g_malloc (deflated_len);
  GByteArray *png = g_byte_array_new ();

  g_assert_cmpint (compress (deflated, &deflated_len, filtered, filtered_len), ==, Z_OK);
  g_byte_array_append (png, signature, 8);
  append_chunk (png, "IHDR", ihdr, 13);
  append_chunk (png, "IDAT", deflated, (guint32) deflated_len);
  append_chunk (png, "IEND", NULL, 0);
  return png;
}

static void
read_memory (png_structp png, png_bytep out, size_t len)
{
  MemoryReader *reader = png_get_io_ptr (png);

  if (len > reader->len - reader->pos)
    png_error (png, "read past the end");
  memcpy (out, reader->data + reader->pos, len);
  reader->pos += len;
}

/* libpng's rows of @file, untransformed, one after another. */
static guint8 *
libpng_rows (const GByteArray *file, gsize row_bytes, guint height)
{
  MemoryReader reader = { file->data, file->len, 0 };
  png_structp png = png_create_read_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct (png);
  guint8 *rows = g_malloc (row_bytes * height);

  if (setjmp (png_jmpbuf (png)))
    g_error ("libpng refused the test's own PNG");
  png_set_read_fn (png, &reader, read_memory);
  png_read_info (png, info);
  g_assert_cmpuint (png_get_rowbytes (png, info), ==, row_bytes);
  for (guint y = 0; y < height; y++)
    png_read_row (png, rows + y * row_bytes, NULL);
  png_destroy_read_struct (&png, &info, NULL);
  return rows;
}

/* @filtered unfiltered here, with SSE4.1's Paeth or SSE2's: libpng's
 * @expected rows. */
static void
check_unfiltered (const guint8 *filtered, const guint8 *expected, guint width, guint height,
                  int bpp, gboolean sse41)
{
  const gsize row_bytes = (gsize) width * bpp;
  const gsize stride = row_bytes + 1;
  g_autofree guint8 *rows = g_memdup2 (filtered, stride * height);
  g_autofree guint8 *zeros = g_malloc0 (row_bytes);
  const guint8 *prev = zeros;

  for (guint y = 0; y < height; y++)
    {
      guint8 *row = rows + y * stride + 1;

      shardpix_png_unfilter_row_with (row[-1], row, prev, row_bytes, bpp, sse41);
      if (memcmp (row, expected + y * row_bytes, row_bytes) != 0)
        g_error ("%u pixels of %d bytes, filter %d%s: row %u is not libpng's", width, bpp,
                 row[-1], sse41 ? " (SSE4.1)" : "", y);
      prev = row;
    }
}

/* Random rows with the given filter, or a random filter per row if @filter
 * is -1, unfiltered here and by libpng. */
static void
check_rows (GRand *rand, guint width, const PixelSize *size, int filter)
{
  const int bpp = size->bpp;
  const guint height = 7;
  const gsize row_bytes = (gsize) width * bpp;
  const gsize stride = row_bytes + 1;
  g_autofree guint8 *filtered = g_malloc (stride * height);
  g_autoptr (GByteArray) png = NULL;
  g_autofree guint8 *expected = NULL;

  for (gsize i = 0; i < stride * height; i++)
    filtered[i] = (guint8) g_rand_int (rand);
  for (guint y = 0; y < height; y++)
    filtered[y * stride] = (guint8) (filter >= 0 ? filter : g_rand_int_range (rand, 0, 5));
  png = wrap_png (filtered, stride * height, width, height, size);
  expected = libpng_rows (png, row_bytes, height);

  g_assert_true (shardpix_png_unfilter_valid (filtered, row_bytes, height));
  check_unfiltered (filtered, expected, width, height, bpp, FALSE);
  if (shardpix_png_unfilter_has_sse41 ())
    check_unfiltered (filtered, expected, width, height, bpp, TRUE);
}

static void
test_matches_libpng (void)
{
  /* 1-9 cover the rows where the wide reads stop before the first pixel,
   * the second, and so on; the rest are longer rows. */
  static const guint widths[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 31, 64, 101 };
  static const PixelSize sizes[] = { { 1, 8, 1 },  { 2, 8, 2 },  { 3, 8, 3 }, { 4, 8, 4 },
                                     { 2, 16, 1 }, { 4, 16, 2 }, { 6, 16, 3 }, { 8, 16, 4 } };
  g_autoptr (GRand) rand = g_rand_new_with_seed (20261203);

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
      {
        for (int filter = 0; filter <= 4; filter++)
          check_rows (rand, widths[w], &sizes[s], filter);
        for (int round = 0; round < 8; round++)
          check_rows (rand, widths[w], &sizes[s], -1);
      }
}

/* A filter byte past 4 is libpng's error: the whole reader must decline. */
static void
test_unknown_filter (void)
{
  guint8 rows[2 * 4] = { 4, 1, 2, 3, 5, 1, 2, 3 };

  g_assert_true (shardpix_png_unfilter_valid (rows, 3, 1));
  g_assert_false (shardpix_png_unfilter_valid (rows, 3, 2));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/shardpix/png-unfilter/matches-libpng", test_matches_libpng);
  g_test_add_func ("/shardpix/png-unfilter/unknown-filter", test_unknown_filter);
  return g_test_run ();
}
