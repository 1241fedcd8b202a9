/* The PNG fast path's whole-image reader (lib/fastload-png-whole.c) against
 * libpng's rows: on PNGs of every 8- and 16-bit layout and filter, on
 * every 16-bit value, on the PNGs of
 * the Debian packages installed here, and on files crafted where libpng and
 * libdeflate could part ways. What the reader takes must be libpng's
 * pixels to the byte; what libpng would warn of or refuse, the reader must
 * leave to libpng. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vips/vips.h>
#include <zlib.h>

#include "shardpix/fastload.h"
#include "shardpix/vips-autoptr.h"
#include "fixtures.h"

/* The Debian PNGs looked at, at most (sorted by path). */
#define DEBIAN_PNGS_MAX 400

/* The default job: a 256x256 box. */
typedef FixturesJob Fixture;

static void
check_vips (int result)
{
  if (result != 0)
    g_error ("libvips: %s", vips_error_buffer ());
}

/* The fast path's image of @path, with the whole-image reader allowed or
 * not; *@whole says whether the reader gave its rows. */
static VipsImage *
load (const ShardpixJob *job, const char *path, gboolean allowed, int *whole)
{
  struct stat st;
  VipsImage *image;
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (fstat (fd, &st), ==, 0);
  image = allowed ? shardpix_fastload_png (fd, &st, job)
                  : shardpix_fastload_png_streaming (fd, &st, job);
  close (fd);
  *whole = 0;
  if (image != NULL)
    g_assert_cmpint (vips_image_get_int (image, SHARDPIX_FASTLOAD_PNG_WHOLE, whole), ==, 0);
  return image;
}

/* Whether @path is grey (IHDR's colour type) and @image, the fast path's,
 * at its full size: the fast path takes that kind only when read whole. */
static gboolean
grey_unshrunk (const char *path, VipsImage *image)
{
  g_autofree guint8 *png = NULL;
  gsize len = 0;
  int width = 0;
  int height = 0;

  g_assert_true (g_file_get_contents (path, (char **) &png, &len, NULL));
  return len > 25 && png[25] == 0
         && vips_image_get_int (image, SHARDPIX_FASTLOAD_WIDTH, &width) == 0
         && vips_image_get_int (image, SHARDPIX_FASTLOAD_HEIGHT, &height) == 0
         && image->Xsize == width && image->Ysize == height;
}

/* Loads @path both ways and checks they agree to the byte (or both decline,
 * or the reader declines a grey image the box does not shrink, which then
 * goes to libvips); returns whether the whole-image reader gave the rows. */
static gboolean
assert_same_as_libpng (const ShardpixJob *job, const char *path)
{
  int whole = 0;
  int streamed = 0;
  g_autoptr (VipsImage) a = load (job, path, TRUE, &whole);
  g_autoptr (VipsImage) b = load (job, path, FALSE, &streamed);

  g_assert_cmpint (streamed, ==, 0);
  if (a == NULL || b == NULL)
    {
      if (a == NULL && b != NULL && grey_unshrunk (path, b))
        return FALSE;
      if (a != NULL || b != NULL)
        g_error ("%s: the whole-image reader %s it, libpng's rows %s it", path,
                 a != NULL ? "took" : "left", b != NULL ? "take" : "refuse");
      return FALSE;
    }
  g_assert_cmpint (a->Xsize, ==, b->Xsize);
  g_assert_cmpint (a->Ysize, ==, b->Ysize);
  g_assert_cmpint (a->Bands, ==, b->Bands);
  if (memcmp (VIPS_IMAGE_ADDR (a, 0, 0), VIPS_IMAGE_ADDR (b, 0, 0), VIPS_IMAGE_SIZEOF_IMAGE (a))
      != 0)
    g_error ("%s: the whole-image reader's pixels are not libpng's", path);
  return whole != 0;
}

/* Photo-like RGB with noise, so that every filter wins somewhere. */
static VipsImage *
make_rgb (int width, int height)
{
  const double coeff[] = { 200.0 / width, 0.0, 0.0, 200.0 / height, -90.0 / width, -90.0 / height };
  const double offset[] = { 20.0, 20.0, 230.0 };
  g_autoptr (VipsImage) xy = NULL;
  g_autoptr (VipsImage) ramps = NULL;
  g_autoptr (VipsImage) noise = NULL;
  g_autoptr (VipsImage) sum = NULL;
  VipsImage *out = NULL;

  check_vips (vips_xyz (&xy, width, height, NULL));
  check_vips (vips_recomb (xy, &ramps,
                           vips_image_new_matrix_from_array (2, 3, coeff, G_N_ELEMENTS (coeff)),
                           NULL));
  check_vips (vips_gaussnoise (&noise, width, height, "sigma", 14.0, "mean", 0.0, NULL));
  check_vips (vips_add (ramps, noise, &sum, NULL));
  g_autoptr (VipsImage) shifted = NULL;
  check_vips (vips_linear (sum, &shifted, (double[]){ 1, 1, 1 }, (double *) offset, 3, NULL));
  check_vips (vips_cast (shifted, &out, VIPS_FORMAT_UCHAR, NULL));
  return out;
}

/* @rgb at 16 bits: each value times 257 plus noise, so that the low
 * bytes are not copies of the high ones and the scaling's rounding shows. */
static VipsImage *
make_16_bit (VipsImage *rgb)
{
  g_autoptr (VipsImage) stretched = NULL;
  g_autoptr (VipsImage) noise = NULL;
  g_autoptr (VipsImage) sum = NULL;
  g_autoptr (VipsImage) cast = NULL;
  VipsImage *out = NULL;

  check_vips (vips_linear1 (rgb, &stretched, 257.0, 0.0, NULL));
  check_vips (vips_gaussnoise (&noise, rgb->Xsize, rgb->Ysize, "sigma", 90.0, "mean", 0.0, NULL));
  check_vips (vips_add (stretched, noise, &sum, NULL));
  check_vips (vips_cast (sum, &cast, VIPS_FORMAT_USHORT, NULL));
  check_vips (vips_copy (cast, &out, "interpretation",
                         cast->Bands < 3 ? VIPS_INTERPRETATION_GREY16 : VIPS_INTERPRETATION_RGB16,
                         NULL));
  return out;
}

/* @layout (grey, grey-alpha, rgb, rgba, palette, palette-alpha; the first
 * four with "16" after them at 16 bits) as a PNG written with @filter. */
static void
write_layout (const char *path, const char *layout, int width, int height,
              VipsForeignPngFilter filter)
{
  g_autoptr (VipsImage) rgb = make_rgb (width, height);
  g_autoptr (VipsImage) image = NULL;
  const gboolean sixteen = g_str_has_suffix (layout, "16");

  if (g_str_has_prefix (layout, "grey"))
    check_vips (vips_extract_band (rgb, &image, 1, NULL));
  else
    image = g_object_ref (rgb);
  if (strstr (layout, "alpha") != NULL || g_str_has_prefix (layout, "rgba"))
    {
      g_autoptr (VipsImage) alpha = NULL;
      g_autoptr (VipsImage) joined = NULL;

      /* Band 0 as alpha: every level from transparent to opaque. */
      check_vips (vips_extract_band (rgb, &alpha, 0, NULL));
      check_vips (vips_bandjoin2 (image, alpha, &joined, NULL));
      g_set_object (&image, joined);
    }
  if (sixteen)
    {
      g_autoptr (VipsImage) deep = make_16_bit (image);

      g_set_object (&image, deep);
    }
  check_vips (vips_pngsave (image, path, "compression", 6, "filter", filter, "palette",
                            g_str_has_prefix (layout, "palette"), "bitdepth", sixteen ? 16 : 8,
                            NULL));
}

static void
test_matches_libpng_layouts (Fixture *fx, gconstpointer data)
{
  static const char *const layouts[] = { "grey",   "grey-alpha",   "rgb",   "rgba",
                                         "palette", "palette-alpha", "grey16", "grey-alpha16",
                                         "rgb16",  "rgba16" };
  static const VipsForeignPngFilter filters[] = {
    VIPS_FOREIGN_PNG_FILTER_NONE, VIPS_FOREIGN_PNG_FILTER_SUB,   VIPS_FOREIGN_PNG_FILTER_UP,
    VIPS_FOREIGN_PNG_FILTER_AVG,  VIPS_FOREIGN_PNG_FILTER_PAETH, VIPS_FOREIGN_PNG_FILTER_ALL,
  };
  /* Box shrink 1 and 2 (grey at shrink 1 is read only when read whole). */
  static const int sizes[][2] = { { 301, 203 }, { 1100, 702 } };

  for (guint l = 0; l < G_N_ELEMENTS (layouts); l++)
    for (guint f = 0; f < G_N_ELEMENTS (filters); f++)
      for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
        {
          g_autofree char *name = g_strdup_printf ("%s-%x-%d.png", layouts[l], filters[f], s);
          g_autofree char *path = g_build_filename (fx->in, name, NULL);

          write_layout (path, layouts[l], sizes[s][0], sizes[s][1], filters[f]);
          if (!assert_same_as_libpng (&fx->job, path))
            g_error ("%s: the whole-image reader was not used", name);
        }
}

/* Every 16-bit value once, in a 256x256 grey PNG the box does not shrink:
 * the reader's scaling to 8 bits against png_set_scale_16()'s. */
static void
test_every_16_bit_value (Fixture *fx, gconstpointer data)
{
  g_autofree guint16 *values = g_new (guint16, 65536);
  g_autofree char *path = g_build_filename (fx->in, "every-value.png", NULL);
  g_autoptr (VipsImage) image = NULL;

  for (guint v = 0; v < 65536; v++)
    values[v] = (guint16) v;
  image = vips_image_new_from_memory (values, 65536 * sizeof (guint16), 256, 256, 1,
                                      VIPS_FORMAT_USHORT);
  g_assert_nonnull (image);
  image->Type = VIPS_INTERPRETATION_GREY16;
  check_vips (vips_pngsave (image, path, "bitdepth", 16, NULL));
  if (!assert_same_as_libpng (&fx->job, path))
    g_error ("the whole-image reader was not used");
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Real PNGs from the Debian packages on this machine: icons, game art,
 * backgrounds, documentation figures. */
static void
collect_pngs (const char *dir, GPtrArray *found, int depth)
{
  g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (listing == NULL || depth > 8)
    return;
  while ((name = g_dir_read_name (listing)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len && found->len < DEBIAN_PNGS_MAX; i++)
    {
      g_autofree char *path = g_build_filename (dir, names->pdata[i], NULL);

      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        collect_pngs (path, found, depth + 1);
      else if (g_str_has_suffix (path, ".png"))
        g_ptr_array_add (found, g_steal_pointer (&path));
    }
}

static void
test_matches_libpng_debian (Fixture *fx, gconstpointer data)
{
  static const char *const roots[] = { "/usr/share/backgrounds", "/usr/share/doc",
                                       "/usr/share/games", "/usr/share/pixmaps",
                                       "/usr/share/icons" };
  g_autoptr (GPtrArray) pngs = g_ptr_array_new_with_free_func (g_free);
  guint whole = 0;

  for (guint i = 0; i < G_N_ELEMENTS (roots); i++)
    collect_pngs (roots[i], pngs, 0);
  /* Small icons too: a box that makes the fast path shrink most of them. */
  fx->job.width = fx->job.height = 48;
  for (guint i = 0; i < pngs->len; i++)
    whole += assert_same_as_libpng (&fx->job, pngs->pdata[i]);
  g_test_message ("%u Debian PNGs, %u read whole", pngs->len, whole);
  if (whole < 10)
    g_test_skip ("fewer than 10 PNGs from Debian packages the whole-image reader takes");
}

/* A PNG as its chunks: name and data, the CRCs computed on writing. */
typedef struct {
  char name[5];
  GBytes *data;
} Chunk;

static void
chunk_clear (gpointer p)
{
  g_bytes_unref (((Chunk *) p)->data);
}

static guint32
get32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

static void
put32 (GByteArray *out, guint32 v)
{
  const guint8 b[4] = { v >> 24, v >> 16, v >> 8, v };

  g_byte_array_append (out, b, 4);
}

static GArray *
read_chunks (const char *path)
{
  g_autofree guint8 *png = NULL;
  gsize len = 0;
  GArray *chunks = g_array_new (FALSE, TRUE, sizeof (Chunk));

  g_array_set_clear_func (chunks, chunk_clear);
  g_assert_true (g_file_get_contents (path, (char **) &png, &len, NULL));
  for (gsize pos = 8; pos + 12 <= len;)
    {
      guint32 n = get32 (png + pos);
      Chunk chunk = { { 0 } };

      memcpy (chunk.name, png + pos + 4, 4);
      chunk.data = g_bytes_new (png + pos + 8, n);
      g_array_append_val (chunks, chunk);
      pos += 12 + n;
    }
  return chunks;
}

static void
write_chunks (const char *path, GArray *chunks)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  g_autoptr (GByteArray) out = g_byte_array_new ();

  g_byte_array_append (out, signature, 8);
  for (guint i = 0; i < chunks->len; i++)
    {
      const Chunk *chunk = &g_array_index (chunks, Chunk, i);
      gsize n = 0;
      const guint8 *data = g_bytes_get_data (chunk->data, &n);
      guint32 crc = (guint32) crc32 (0, (const guint8 *) chunk->name, 4);

      put32 (out, (guint32) n);
      g_byte_array_append (out, (const guint8 *) chunk->name, 4);
      g_byte_array_append (out, data, (guint) n);
      /* crc32() of a NULL buffer is its initial value, not @crc. */
      put32 (out, n > 0 ? (guint32) crc32 (crc, data, (uInt) n) : crc);
    }
  fixtures_write_bytes (path, out->data, out->len);
}

/* The IDAT chunks' zlib stream, gathered; their place in @chunks is @first. */
static GByteArray *
gather_idat (GArray *chunks, guint *first)
{
  GByteArray *stream = g_byte_array_new ();

  *first = 0;
  for (guint i = chunks->len; i-- > 0;)
    {
      const Chunk *chunk = &g_array_index (chunks, Chunk, i);

      if (strcmp (chunk->name, "IDAT") == 0)
        {
          gsize n = 0;
          const guint8 *data = g_bytes_get_data (chunk->data, &n);

          g_byte_array_prepend (stream, data, (guint) n);
          g_array_remove_index (chunks, i);
          *first = i;
        }
    }
  return stream;
}

static void
insert_chunk (GArray *chunks, guint at, const char *name, const void *data, gsize len)
{
  Chunk chunk = { { 0 } };

  memcpy (chunk.name, name, 4);
  chunk.data = g_bytes_new (data, len);
  g_array_insert_val (chunks, at, chunk);
}

/* The image's inflated rows (filter bytes and all), re-deflated with
 * @window_bits, as one IDAT. */
static void
recompress (GArray *chunks, int window_bits, void (*edit) (guint8 *raw, gsize len))
{
  guint first;
  g_autoptr (GByteArray) stream = gather_idat (chunks, &first);
  gsize raw_len = 64 << 20;
  g_autofree guint8 *raw = g_malloc (raw_len);
  uLongf n = (uLongf) raw_len;
  z_stream z = { 0 };
  g_autofree guint8 *packed = NULL;
  gsize packed_len;

  g_assert_cmpint (uncompress (raw, &n, stream->data, stream->len), ==, Z_OK);
  if (edit != NULL)
    edit (raw, n);
  g_assert_cmpint (deflateInit2 (&z, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY), ==, Z_OK);
  packed_len = deflateBound (&z, n);
  packed = g_malloc (packed_len);
  z.next_in = raw;
  z.avail_in = (uInt) n;
  z.next_out = packed;
  z.avail_out = (uInt) packed_len;
  g_assert_cmpint (deflate (&z, Z_FINISH), ==, Z_STREAM_END);
  insert_chunk (chunks, first, "IDAT", packed, z.total_out);
  deflateEnd (&z);
}

/* A copy of @src edited by @craft, for the checks of test_crafted(). */
static char *
craft (Fixture *fx, const char *src, const char *name, void (*craft_chunks) (GArray *chunks))
{
  g_autoptr (GArray) chunks = read_chunks (src);
  char *path = g_build_filename (fx->in, name, NULL);

  craft_chunks (chunks);
  write_chunks (path, chunks);
  return path;
}

static void
craft_bad_adler (GArray *chunks)
{
  guint first;
  g_autoptr (GByteArray) stream = gather_idat (chunks, &first);

  stream->data[stream->len - 1] ^= 0x5a;
  insert_chunk (chunks, first, "IDAT", stream->data, stream->len);
}

static void
craft_small_window (GArray *chunks)
{
  recompress (chunks, 9, NULL);
}

/* The RGB image test_crafted() edits. */
#define CRAFT_WIDTH  1101
#define CRAFT_HEIGHT 703

static void
bad_filter (guint8 *raw, gsize len)
{
  const gsize stride = CRAFT_WIDTH * 3 + 1;

  g_assert_cmpuint (len, ==, stride * CRAFT_HEIGHT);
  raw[stride * (CRAFT_HEIGHT / 2)] = 5;
}

static void
craft_extra_data (GArray *chunks)
{
  guint first;
  g_autoptr (GByteArray) stream = gather_idat (chunks, &first);
  static const guint8 extra[] = { 0x03, 0x00 }; /* an empty final block */

  g_byte_array_append (stream, extra, sizeof extra);
  insert_chunk (chunks, first, "IDAT", stream->data, stream->len);
}

static void
craft_late_trns (GArray *chunks)
{
  static const guint8 trns[6] = { 0, 1, 0, 2, 0, 3 };

  insert_chunk (chunks, chunks->len - 1, "tRNS", trns, sizeof trns);
}

/* EXIF in a TIFF header, little-endian, one IFD entry: orientation 6. */
static const guint8 exif_turned[] = { 'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0,
                                      1,   0,   0,  0, 6, 0, 0, 0, 0, 0, 0,    0 };

static void
craft_late_exif (GArray *chunks)
{
  insert_chunk (chunks, chunks->len - 1, "eXIf", exif_turned, sizeof exif_turned);
}

static void
craft_split_idat (GArray *chunks)
{
  guint first;
  g_autoptr (GByteArray) stream = gather_idat (chunks, &first);

  /* One byte, then the rest: libpng reads the stream across chunks. */
  insert_chunk (chunks, first, "IDAT", stream->data + 1, stream->len - 1);
  insert_chunk (chunks, first, "IDAT", stream->data, 1);
}

static void
craft_late_text (GArray *chunks)
{
  insert_chunk (chunks, chunks->len - 1, "tEXt", "Comment\0after the pixels", 24);
}

/* The edits where libdeflate or a walk of the chunks could judge otherwise
 * than libpng, and what must happen to each. */
static void
test_crafted (Fixture *fx, gconstpointer data)
{
  g_autofree char *src = g_build_filename (fx->in, "src.png", NULL);
  int whole = 0;

  write_layout (src, "rgb", CRAFT_WIDTH, CRAFT_HEIGHT, VIPS_FOREIGN_PNG_FILTER_ALL);
  g_assert_true (assert_same_as_libpng (&fx->job, src));

  struct {
    const char *name;
    void (*edit) (GArray *chunks);
    gboolean taken; /* by the fast path at all */
    gboolean whole; /* by the whole-image reader */
  } cases[] = {
    /* libpng skips zlib's checksum (as libvips has it), libdeflate does not. */
    { "bad-adler.png", craft_bad_adler, TRUE, FALSE },
    /* zlib holds a stream to the window it declares, libdeflate does not. */
    { "small-window.png", craft_small_window, TRUE, FALSE },
    /* libpng warns of image data after the stream's end. */
    { "extra-data.png", craft_extra_data, FALSE, FALSE },
    /* libpng warns of a tRNS after the pixels. */
    { "late-trns.png", craft_late_trns, FALSE, FALSE },
    /* An eXIf after the pixels turns them: libvips' job. */
    { "late-exif.png", craft_late_exif, FALSE, FALSE },
    /* What libpng reads without a word, the reader reads too. */
    { "split-idat.png", craft_split_idat, TRUE, TRUE },
    { "late-text.png", craft_late_text, TRUE, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = craft (fx, src, cases[i].name, cases[i].edit);
      gboolean read_whole = assert_same_as_libpng (&fx->job, path);
      g_autoptr (VipsImage) image = load (&fx->job, path, TRUE, &whole);

      if ((image != NULL) != cases[i].taken || read_whole != cases[i].whole)
        g_error ("%s: %s by the fast path, %s by the whole-image reader", cases[i].name,
                 image != NULL ? "taken" : "left", read_whole ? "taken" : "left");
    }

  /* Grey the box would not shrink: taken only when read whole, since
   * through libpng's rows it costs more than libvips' own loader. */
  {
    g_autofree char *grey = g_build_filename (fx->in, "grey.png", NULL);
    g_autofree char *bad = NULL;
    g_autoptr (VipsImage) taken = NULL;
    g_autoptr (VipsImage) left = NULL;

    write_layout (grey, "grey", 301, 203, VIPS_FOREIGN_PNG_FILTER_ALL);
    bad = craft (fx, grey, "grey-bad-adler.png", craft_bad_adler);
    taken = load (&fx->job, grey, TRUE, &whole);
    g_assert_nonnull (taken);
    g_assert_cmpint (whole, ==, 1);
    left = load (&fx->job, bad, TRUE, &whole);
    g_assert_null (left);
  }

  /* With orientation ignored, the late eXIf is only a chunk to skip. */
  fx->job.no_rotate = TRUE;
  {
    g_autofree char *path = craft (fx, src, "late-exif-no-rotate.png", craft_late_exif);

    g_assert_true (assert_same_as_libpng (&fx->job, path));
  }
  fx->job.no_rotate = FALSE;

  /* Recompressed with the full window, the reader takes it; with one
   * row's filter byte made 5, which names no filter, libpng stops. */
  {
    g_autoptr (GArray) chunks = read_chunks (src);
    g_autofree char *path = g_build_filename (fx->in, "recompressed.png", NULL);

    recompress (chunks, 15, NULL);
    write_chunks (path, chunks);
    g_assert_true (assert_same_as_libpng (&fx->job, path));
  }
  {
    g_autoptr (GArray) chunks = read_chunks (src);
    g_autofree char *path = g_build_filename (fx->in, "bad-filter.png", NULL);
    g_autoptr (VipsImage) image = NULL;

    recompress (chunks, 15, bad_filter);
    write_chunks (path, chunks);
    g_assert_false (assert_same_as_libpng (&fx->job, path));
    image = load (&fx->job, path, TRUE, &whole);
    g_assert_null (image);
  }
}

int
main (int argc, char **argv)
{
  fixtures_init (&argc, &argv);
#define ADD(path, fn)                                                                              \
  g_test_add ("/shardpix/png-whole/" path, Fixture, NULL, fixtures_job_setup, fn, fixtures_job_teardown)
  ADD ("matches-libpng/layouts", test_matches_libpng_layouts);
  ADD ("matches-libpng/debian", test_matches_libpng_debian);
  ADD ("matches-libpng/every-16-bit-value", test_every_16_bit_value);
  ADD ("crafted", test_crafted);
#undef ADD
  return g_test_run ();
}
