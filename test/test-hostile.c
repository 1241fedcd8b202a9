/* A folder nobody should trust, made here byte by byte, through the real
 * binary: every entry either comes out or is named with its reason, the
 * run never hangs (the test has a timeout) and leaves no temporary file. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shardpix/vips-autoptr.h"

#include "fixtures.h"

typedef struct {
  FixturesDirs dirs;
  GPtrArray *strings; /* paths handed out by hostile_path() */
} Fixture;

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  fixtures_dirs_setup (&fx->dirs, data);
  fx->strings = g_ptr_array_new_with_free_func (g_free);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  fixtures_dirs_teardown (&fx->dirs, data);
  g_ptr_array_unref (fx->strings);
}

/* IN/name, owned by the fixture. */
static const char *
hostile_path (Fixture *fx, const char *name)
{
  char *path = g_build_filename (fx->dirs.in, name, NULL);

  g_ptr_array_add (fx->strings, path);
  return path;
}

static GBytes *
hostile_read (const char *path)
{
  g_autoptr (GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

static guint32
hostile_crc32 (const guint8 *data, gsize len)
{
  guint32 crc = 0xffffffffu;

  for (gsize i = 0; i < len; i++)
    {
      crc ^= data[i];
      for (int k = 0; k < 8; k++)
        crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
    }
  return ~crc;
}

static void
hostile_put_be32 (guint8 *p, guint32 v)
{
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

static guint32
hostile_get_be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

/* Offset of the first chunk of @type in a PNG (its length field). */
static gsize
hostile_png_chunk (const guint8 *png, gsize len, const char *type)
{
  for (gsize at = 8; at + 12 <= len; at += 12 + hostile_get_be32 (png + at))
    if (memcmp (png + at + 4, type, 4) == 0)
      return at;
  g_error ("no %s chunk", type);
}

/* A copy of a valid PNG whose IHDR says @width x @height, its CRC fixed so
 * that only the numbers are a lie. */
static void
hostile_png_with_size (const char *src, const char *dst, guint32 width, guint32 height)
{
  g_autoptr (GBytes) bytes = hostile_read (src);
  gsize len;
  g_autofree guint8 *png = g_memdup2 (g_bytes_get_data (bytes, &len), g_bytes_get_size (bytes));
  gsize ihdr = hostile_png_chunk (png, len, "IHDR");

  hostile_put_be32 (png + ihdr + 8, width);
  hostile_put_be32 (png + ihdr + 12, height);
  hostile_put_be32 (png + ihdr + 8 + 13, hostile_crc32 (png + ihdr + 4, 4 + 13));
  fixtures_write_bytes (dst, png, len);
}

/* A copy of a valid PNG with one byte of image data flipped: its CRC no
 * longer matches. */
static void
hostile_png_bad_crc (const char *src, const char *dst)
{
  g_autoptr (GBytes) bytes = hostile_read (src);
  gsize len;
  g_autofree guint8 *png = g_memdup2 (g_bytes_get_data (bytes, &len), g_bytes_get_size (bytes));
  gsize idat = hostile_png_chunk (png, len, "IDAT");

  png[idat + 8 + hostile_get_be32 (png + idat) / 2] ^= 0x55;
  fixtures_write_bytes (dst, png, len);
}

/* g_file_set_contents() would add a suffix to a 255-byte name. */
static void
hostile_copy (GBytes *bytes, const char *dst)
{
  int fd = open (dst, O_WRONLY | O_CREAT | O_EXCL, 0644);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes)), ==,
                   (gssize) g_bytes_get_size (bytes));
  g_assert_cmpint (close (fd), ==, 0);
}

static void
hostile_save (VipsImage *image, const char *path, const char *options)
{
  g_autofree char *spec = g_strdup_printf ("%s%s", path, options ? options : "");

  if (vips_image_write_to_file (image, spec, NULL) != 0)
    g_error ("save %s: %s", path, vips_error_buffer ());
}

/* @pages frames of a small image stacked, with page-height set: a GIF
 * animation or a multi-page TIFF once saved. */
static void
hostile_write_pages (const char *path, int pages)
{
  g_autofree char *frame_path = g_strconcat (path, ".frame.png", NULL);
  g_autoptr (VipsImage) frame = NULL;
  g_autoptr (VipsImage) stack = NULL;
  g_autofree VipsImage **frames = g_new (VipsImage *, pages);

  fixtures_write_image (frame_path, "png", 120, 90);
  frame = vips_image_new_from_file (frame_path, "access", VIPS_ACCESS_RANDOM, NULL);
  g_assert_nonnull (frame);
  for (int i = 0; i < pages; i++)
    frames[i] = frame;
  g_assert_cmpint (vips_arrayjoin (frames, &stack, pages, "across", 1, NULL), ==, 0);
  vips_image_set_int (stack, "page-height", 90);
  hostile_save (stack, path, NULL);
  unlink (frame_path);
}

typedef struct {
  const char *name;
  const char *reason; /* NULL: must be produced */
} Expected;

static void
hostile_write_corpus (Fixture *fx, const char *outside)
{
  const char *jpeg = hostile_path (fx, "ok-plain.jpg");
  const char *png = hostile_path (fx, "ok-plain.png");
  g_autofree char *svg = g_strdup ("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100\" "
                                   "height=\"100\"><rect width=\"100\" height=\"100\"/></svg>\n");
  g_autofree char *long_name = g_strnfill (251, 'n');
  g_autofree char *long_jpg = g_strconcat (long_name, ".jpg", NULL);
  const char *awkward[] = { "ok with space.jpg", "ok new\nline.jpg", "ok bad\xff\xfe.jpg",
                            long_jpg };
  g_autoptr (GBytes) jpeg_bytes = NULL;
  g_autoptr (GBytes) png_bytes = NULL;

  fixtures_write_image (jpeg, "jpeg", 400, 300);
  fixtures_write_image (png, "png", 300, 200);
  jpeg_bytes = hostile_read (jpeg);
  png_bytes = hostile_read (png);

  /* Damaged and fake. */
  fixtures_write_bytes (hostile_path (fx, "zero.jpg"), "", 0);
  fixtures_write_bytes (hostile_path (fx, "text.jpg"), "hello, world\n", 13);
  fixtures_write_bytes (hostile_path (fx, "text.png"), "hello, world\n", 13);
  fixtures_write_truncated (jpeg, hostile_path (fx, "cut-10.jpg"), 10);
  fixtures_write_truncated (jpeg, hostile_path (fx, "cut-half.jpg"),
                            g_bytes_get_size (jpeg_bytes) / 2);
  fixtures_write_truncated (jpeg, hostile_path (fx, "cut-most.jpg"),
                            g_bytes_get_size (jpeg_bytes) * 9 / 10);
  fixtures_write_truncated (png, hostile_path (fx, "cut-40.png"), 40);
  fixtures_write_truncated (png, hostile_path (fx, "cut-half.png"),
                            g_bytes_get_size (png_bytes) / 2);
  hostile_png_bad_crc (png, hostile_path (fx, "bad-crc.png"));
  hostile_png_with_size (png, hostile_path (fx, "bad-ihdr.png"), 0, 200);
  hostile_png_with_size (png, hostile_path (fx, "bomb.png"), 50000, 50000);
  fixtures_write_bytes (hostile_path (fx, "svg.jpg"), svg, strlen (svg));

  /* Valid but unusual. */
  fixtures_write_image (hostile_path (fx, "ok-thin.png"), "png", 30000, 2);
  fixtures_write_image (hostile_path (fx, "ok-16bit.png"), "png16", 200, 150);
  fixtures_write_image (hostile_path (fx, "ok-alpha.png"), "png-alpha", 200, 150);
  fixtures_write_truncated (png, hostile_path (fx, "ok-png-named.jpg"),
                            g_bytes_get_size (png_bytes));
  hostile_write_pages (hostile_path (fx, "ok-frames.gif"), 3);
  hostile_write_pages (hostile_path (fx, "ok-pages.tif"), 3);
  {
    g_autoptr (VipsImage) rgb = vips_image_new_from_file (jpeg, NULL);
    g_autoptr (VipsImage) four = NULL;
    g_autoptr (VipsImage) cmyk = NULL;
    g_autoptr (VipsImage) rotated = NULL;

    g_assert_cmpint (vips_bandjoin_const1 (rgb, &four, 40, NULL), ==, 0);
    g_assert_cmpint (vips_copy (four, &cmyk, "interpretation", VIPS_INTERPRETATION_CMYK, NULL),
                     ==, 0);
    hostile_save (cmyk, hostile_path (fx, "ok-cmyk.jpg"), NULL);
    g_assert_cmpint (vips_copy (rgb, &rotated, NULL), ==, 0);
    vips_image_set_int (rotated, "orientation", 6);
    hostile_save (rotated, hostile_path (fx, "ok-exif-rotated.jpg"), NULL);
  }
  for (guint i = 0; i < G_N_ELEMENTS (awkward); i++)
    hostile_copy (jpeg_bytes, hostile_path (fx, awkward[i]));

  /* Not files: skipped by the listing without being opened. */
  g_assert_cmpint (mkfifo (hostile_path (fx, "fifo.jpg"), 0644), ==, 0);
  g_assert_cmpint (symlink ("loop.jpg", hostile_path (fx, "loop.jpg")), ==, 0);
  g_assert_cmpint (symlink ("/dev/zero", hostile_path (fx, "dev-zero.jpg")), ==, 0);
  g_assert_cmpint (g_mkdir (hostile_path (fx, "folder.jpg"), 0755), ==, 0);
  /* Symlinks to real images: followed inside the folder, skipped with
   * their reason outside it (without --follow-symlinks). */
  g_assert_cmpint (symlink ("ok-plain.jpg", hostile_path (fx, "ok-link-in.jpg")), ==, 0);
  fixtures_write_image (outside, "jpeg", 200, 100);
  g_assert_cmpint (symlink (outside, hostile_path (fx, "link-out.jpg")), ==, 0);
}

/* Entries the listing skips: they are not (links to) regular files, or
 * lead outside the folder. */
static const char *const hostile_skipped[] = { "fifo.jpg", "loop.jpg", "dev-zero.jpg",
                                               "link-out.jpg" };

static const Expected hostile_failed[] = {
  { "zero.jpg", "not a known file format" },
  { "text.jpg", "not a known file format" },
  { "text.png", "not a known file format" },
  { "cut-10.jpg", "Premature end" },
  { "cut-half.jpg", "Premature end" },
  { "cut-most.jpg", "Premature end" },
  { "cut-40.png", "not enough data" },
  { "cut-half.png", "libpng read error" },
  { "bad-crc.png", "libpng read error" },
  { "bad-ihdr.png", "IHDR" },
  { "bomb.png", "more than --max-pixels" },
  { "svg.jpg", "svgload: operation is blocked" },
};

/* How many lines of @text start with @prefix; the last one in @line. */
static guint
count_lines_with (const char *text, const char *prefix, char **line)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], prefix))
      {
        n++;
        g_free (*line);
        *line = g_strdup (lines[i]);
      }
  return n;
}

static void
test_corpus (Fixture *fx, gconstpointer data)
{
  g_autofree char *outside = g_build_filename (fx->dirs.root, "outside.jpg", NULL);
  const char *args[] = { "run", fx->dirs.in, fx->dirs.out, "-j", "2", "--timeout", "60", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GPtrArray) inputs = NULL;
  g_autoptr (GPtrArray) outputs = NULL;
  guint n_good = 0;
  int status;

  hostile_write_corpus (fx, outside);
  status = fixtures_run_shardpix (args, &out, &err);
  g_test_message ("exit %d\nstdout:\n%s\nstderr:\n%s", status, out, err);
  g_assert_cmpint (status, ==, 1);

  /* Each bad entry is named once, with its reason. */
  for (guint i = 0; i < G_N_ELEMENTS (hostile_failed); i++)
    {
      g_autofree char *prefix = g_strdup_printf ("shardpix: %s: ", hostile_failed[i].name);
      g_autofree char *path = g_build_filename (fx->dirs.out, hostile_failed[i].name, NULL);
      g_autofree char *line = NULL;

      if (count_lines_with (err, prefix, &line) != 1)
        g_error ("%s is not named exactly once on stderr", hostile_failed[i].name);
      if (strstr (line, hostile_failed[i].reason) == NULL)
        g_error ("%s: expected \"%s\" in \"%s\"", hostile_failed[i].name,
                 hostile_failed[i].reason, line);
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
    }
  /* Every "ok-" entry and the awkward names are produced, nothing else. */
  inputs = fixtures_list_files (fx->dirs.in);
  outputs = fixtures_list_files (fx->dirs.out);
  for (guint i = 0; i < inputs->len; i++)
    {
      const char *rel = g_ptr_array_index (inputs, i);
      g_autofree char *dst = g_build_filename (fx->dirs.out, rel, NULL);
      gboolean bad = FALSE;

      for (guint j = 0; j < G_N_ELEMENTS (hostile_failed); j++)
        bad |= g_str_equal (rel, hostile_failed[j].name);
      for (guint j = 0; j < G_N_ELEMENTS (hostile_skipped); j++)
        if (g_str_equal (rel, hostile_skipped[j]))
          {
            g_assert_false (g_file_test (dst, G_FILE_TEST_EXISTS));
            bad = TRUE;
          }
      if (bad)
        continue;
      if (!g_file_test (dst, G_FILE_TEST_IS_REGULAR))
        g_error ("%s was not produced", rel);
      n_good++;
    }
  g_assert_cmpuint (outputs->len, ==, n_good);
  for (guint i = 0; i < outputs->len; i++)
    {
      g_autofree char *base = g_path_get_basename (g_ptr_array_index (outputs, i));

      g_assert_cmpint (base[0], !=, '.');
    }
  /* The EXIF orientation was applied: 400x300 turned on its side. */
  {
    g_autofree char *rotated = g_build_filename (fx->dirs.out, "ok-exif-rotated.jpg", NULL);
    g_autoptr (VipsImage) image = vips_image_new_from_file (rotated, NULL);

    g_assert_nonnull (image);
    g_assert_cmpint (image->Xsize, <, image->Ysize);
  }
  {
    g_autofree char *line = NULL;

    g_assert_cmpuint (count_lines_with (err, "shardpix: link-out.jpg: skipped: leads to ", &line),
                      ==, 1);
    g_assert_nonnull (strstr (line, "outside INPUT_DIR"));
  }
  g_assert_nonnull (strstr (out, "failed 12  skipped 5"));
}

/* A progressive JPEG of 1 kB whose header claims 65000x65000: decoding it
 * needs gigabytes. Past --max-pixels and --max-buffer (both off here: the
 * latter refuses it from its header, test-memguard), --max-memory makes it
 * one quick failure instead of a worker growing until the timeout. */
static void
test_memory_limit (Fixture *fx, gconstpointer data)
{
  const char *args[] = { "run", fx->dirs.in, fx->dirs.out, "-j", "1", "--max-pixels", "0",
                         "--max-buffer", "0", "--max-memory", "1024", "--timeout", "600", NULL };
  const char *path = hostile_path (fx, "bomb.jpg");
  g_autoptr (VipsImage) black = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autofree char *err = NULL;
  g_autofree char *line = NULL;
  g_autofree guint8 *jpeg = NULL;
  gsize len, sof = 0;
  int status;

#if defined(__SANITIZE_ADDRESS__)
  g_test_skip ("AddressSanitizer reserves terabytes of address space: RLIMIT_AS would stop it");
  return;
#endif
  g_assert_cmpint (vips_black (&black, 256, 256, "bands", 3, NULL), ==, 0);
  g_assert_cmpint (vips_jpegsave (black, path, "interlace", TRUE, NULL), ==, 0);
  bytes = hostile_read (path);
  jpeg = g_memdup2 (g_bytes_get_data (bytes, &len), g_bytes_get_size (bytes));
  for (gsize i = 2; i + 9 < len && sof == 0; i++)
    if (jpeg[i] == 0xff && jpeg[i + 1] == 0xc2)
      sof = i;
  g_assert_cmpuint (sof, >, 0);
  jpeg[sof + 5] = jpeg[sof + 7] = 65000 >> 8;
  jpeg[sof + 6] = jpeg[sof + 8] = 65000 & 0xff;
  unlink (path);
  fixtures_write_bytes (path, jpeg, len);

  status = fixtures_run_shardpix (args, NULL, &err);
  g_test_message ("exit %d\nstderr:\n%s", status, err);
  g_assert_cmpint (status, ==, 1);
  /* Failed as an image, by the decoder: not a worker killed and retried. */
  g_assert_cmpuint (count_lines_with (err, "shardpix: bomb.jpg: cannot ", &line), ==, 1);
  g_assert_null (strstr (err, "retried"));
}

int
main (int argc, char **argv)
{
  fixtures_init (&argc, &argv);
  g_test_add ("/shardpix/hostile/corpus", Fixture, NULL, fixture_setup, test_corpus,
              fixture_teardown);
  g_test_add ("/shardpix/hostile/memory-limit", Fixture, NULL, fixture_setup,
              test_memory_limit, fixture_teardown);
  return g_test_run ();
}
