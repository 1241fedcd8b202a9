/* The image options through the real binary: output naming, resize modes,
 * rotation, metadata, colour. Each is checked on what libvips reads back,
 * and workers must do exactly what --serial does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jpeglib.h>

#include <glib/gstdio.h>

#include "shardpix/vips-autoptr.h"

#include "fixtures.h"

typedef FixturesDirs Fixture;

static VipsImage *
load (const char *dir, const char *rel)
{
  g_autofree char *path = g_build_filename (dir, rel, NULL);
  VipsImage *image = vips_image_new_from_file (path, NULL);

  if (image == NULL)
    g_error ("cannot load %s: %s", path, vips_error_buffer ());
  return image;
}

/* Loads DIR/REL, checks that libvips reads it with @loader and returns it. */
static VipsImage *
load_as (const char *dir, const char *rel, const char *loader)
{
  VipsImage *image = load (dir, rel);
  const char *found = NULL;

  g_assert_cmpint (vips_image_get_string (image, VIPS_META_LOADER, &found), ==, 0);
  g_assert_cmpstr (found, ==, loader);
  return image;
}

static goffset
file_size (const char *dir, const char *rel)
{
  g_autofree char *path = g_build_filename (dir, rel, NULL);
  struct stat st;

  g_assert_cmpint (stat (path, &st), ==, 0);
  return st.st_size;
}

/* A JPEG stored 60x20 whose EXIF says "rotate 90° clockwise to view". */
static void
write_rotated_jpeg (const char *path)
{
  g_autofree char *src = g_strconcat (path, ".src.png", NULL);
  g_autoptr (VipsImage) image = NULL;
  g_autoptr (VipsImage) copy = NULL;

  fixtures_write_image (src, "png", 60, 20);
  image = vips_image_new_from_file (src, NULL);
  g_assert_nonnull (image);
  g_assert_cmpint (vips_copy (image, &copy, NULL), ==, 0);
  vips_image_set_int (copy, VIPS_META_ORIENTATION, 6);
  g_assert_cmpint (vips_jpegsave (copy, path, NULL), ==, 0);
  g_assert_cmpint (g_unlink (src), ==, 0);
}

static void
test_output_name (Fixture *fx, gconstpointer data)
{
  g_autofree char *sub = g_build_filename (fx->in, "sub", NULL);
  g_autofree char *a = g_build_filename (fx->in, "a.jpg", NULL);
  g_autofree char *b = g_build_filename (sub, "b.png", NULL);
  g_autofree char *low = g_build_filename (fx->root, "low", NULL);
  const char *high_args[] = { "run", "-r", fx->in, fx->out, "-j", "2", "-q", "50",
                              "--output-name", "tn_%s.webp[Q=95]", NULL };
  const char *low_args[] = { "run", "-r", fx->in, low, "-j", "2", "-q", "50",
                             "-o", "tn_%s.webp[Q=5]", NULL };
  g_autoptr (GPtrArray) outputs = NULL;

  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  fixtures_write_image (a, "jpeg", 400, 300);
  fixtures_write_image (b, "png", 300, 400);
  g_assert_cmpint (fixtures_run_logged (high_args, NULL, NULL), ==, 0);
  g_assert_cmpint (fixtures_run_logged (low_args, NULL, NULL), ==, 0);
  outputs = fixtures_list_files (fx->out);
  g_assert_cmpuint (outputs->len, ==, 2);
  g_assert_cmpstr (outputs->pdata[0], ==, "sub/tn_b.webp");
  g_assert_cmpstr (outputs->pdata[1], ==, "tn_a.webp");
  for (guint i = 0; i < outputs->len; i++)
    {
      g_autoptr (VipsImage) image = load_as (fx->out, outputs->pdata[i], "webpload");

      /* The bracketed Q reached the saver and won over -q. */
      g_assert_cmpint (file_size (low, outputs->pdata[i]), <,
                       file_size (fx->out, outputs->pdata[i]));
    }
}

static void
test_format (Fixture *fx, gconstpointer data)
{
  g_autofree char *a = g_build_filename (fx->in, "a.jpg", NULL);
  g_autofree char *b = g_build_filename (fx->in, "b.webp", NULL);
  const char *args[] = { "run", fx->in, fx->out, "--format", "png", NULL };
  g_autoptr (GPtrArray) outputs = NULL;

  fixtures_write_image (a, "jpeg", 100, 80);
  fixtures_write_image (b, "webp", 80, 100);
  g_assert_cmpint (fixtures_run_logged (args, NULL, NULL), ==, 0);
  outputs = fixtures_list_files (fx->out);
  g_assert_cmpuint (outputs->len, ==, 2);
  g_assert_cmpstr (outputs->pdata[0], ==, "a.png");
  g_assert_cmpstr (outputs->pdata[1], ==, "b.png");
  for (guint i = 0; i < outputs->len; i++)
    {
      g_autoptr (VipsImage) image = load_as (fx->out, outputs->pdata[i], "pngload");

      g_assert_cmpint (image->Type, ==, VIPS_INTERPRETATION_B_W);
    }
}

/* a.jpg and a.png would both become a.webp: refused before any work. */
static void
test_collision (Fixture *fx, gconstpointer data)
{
  g_autofree char *a = g_build_filename (fx->in, "a.jpg", NULL);
  g_autofree char *b = g_build_filename (fx->in, "a.png", NULL);
  g_autofree char *c = g_build_filename (fx->in, "c.png", NULL);
  const char *args[] = { "run", fx->in, fx->out, "--format", "webp", NULL };
  const char *fixed[] = { "run", fx->in, fx->out, "-o", "same.jpg", "--serial", NULL };
  g_autofree char *err = NULL;
  g_autofree char *fixed_err = NULL;
  g_autoptr (GPtrArray) outputs = NULL;

  fixtures_write_image (a, "jpeg", 50, 50);
  fixtures_write_image (b, "png", 50, 50);
  fixtures_write_image (c, "png", 50, 50);
  g_assert_cmpint (fixtures_run_logged (args, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "a.jpg and a.png"));
  g_assert_nonnull (strstr (err, "a.webp"));
  g_assert_cmpint (fixtures_run_logged (fixed, NULL, &fixed_err), ==, 2);
  g_assert_nonnull (strstr (fixed_err, "a.jpg and a.png"));
  outputs = fixtures_list_files (fx->out);
  g_assert_cmpuint (outputs->len, ==, 0);
}

typedef struct {
  const char *options[4];
  int width, height; /* of a 300x200 input */
} ResizeCase;

static void
test_resize_modes (Fixture *fx, gconstpointer data)
{
  g_autofree char *big = g_build_filename (fx->in, "big.png", NULL);
  g_autofree char *small = g_build_filename (fx->in, "small.png", NULL);
  const ResizeCase cases[] = {
    { { "--size", "100x100" }, 100, 67 },
    { { "--size", "100x100!" }, 100, 100 },
    { { "--size", "60x90!" }, 60, 90 },
    { { "--size", "100x100", "--crop", "centre" }, 100, 100 },
    { { "--size", "100x50", "--crop", "attention" }, 100, 50 },
    { { "--size", "40x100", "--crop", "entropy" }, 40, 100 },
    { { "--size", "600", "--enlarge" }, 600, 400 },
    { { "--size", "600" }, 300, 200 },
  };

  fixtures_write_image (big, "png", 300, 200);
  fixtures_write_image (small, "png", 30, 20);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = g_strdup_printf ("%s/case-%u", fx->root, i);
      const char *args[10] = { "run", fx->in, out, "-j", "2" };
      g_autoptr (VipsImage) image = NULL;
      g_autoptr (VipsImage) tiny = NULL;

      for (guint k = 0; k < 4 && cases[i].options[k]; k++)
        args[5 + k] = cases[i].options[k];
      g_assert_cmpint (fixtures_run_logged (args, NULL, NULL), ==, 0);
      image = load (out, "big.png");
      g_test_message ("case %u: %dx%d", i, image->Xsize, image->Ysize);
      g_assert_cmpint (image->Xsize, ==, cases[i].width);
      g_assert_cmpint (image->Ysize, ==, cases[i].height);
      /* The small input is enlarged only when asked (or forced). */
      tiny = load (out, "small.png");
      if (i == 6)
        g_assert_cmpint (tiny->Xsize, ==, 600);
      else if (i == 7 || i == 0)
        g_assert_cmpint (tiny->Xsize, ==, 30);
    }
}

static gboolean
has_exif (VipsImage *image)
{
  return vips_image_get_typeof (image, VIPS_META_EXIF_NAME) != 0;
}

static void
test_rotate_and_metadata (Fixture *fx, gconstpointer data)
{
  g_autofree char *src = g_build_filename (fx->in, "turned.jpg", NULL);
  g_autofree char *stored = g_build_filename (fx->root, "stored", NULL);
  g_autofree char *kept = g_build_filename (fx->root, "kept", NULL);
  const char *upright[] = { "run", fx->in, fx->out, "--size", "100", NULL };
  const char *no_rotate[] = { "run", fx->in, stored, "--size", "100", "--no-rotate", NULL };
  const char *keep[] = { "run", fx->in, kept, "--size", "100", "--keep-metadata", NULL };
  g_autoptr (VipsImage) a = NULL;
  g_autoptr (VipsImage) b = NULL;
  g_autoptr (VipsImage) c = NULL;

  write_rotated_jpeg (src);
  g_assert_cmpint (fixtures_run_logged (upright, NULL, NULL), ==, 0);
  g_assert_cmpint (fixtures_run_logged (no_rotate, NULL, NULL), ==, 0);
  g_assert_cmpint (fixtures_run_logged (keep, NULL, NULL), ==, 0);
  a = load (fx->out, "turned.jpg");
  b = load (stored, "turned.jpg");
  c = load (kept, "turned.jpg");
  g_assert_cmpint (a->Xsize, ==, 20);
  g_assert_cmpint (a->Ysize, ==, 60);
  g_assert_cmpint (b->Xsize, ==, 60);
  g_assert_cmpint (b->Ysize, ==, 20);
  g_assert_false (has_exif (a));
  g_assert_false (has_exif (b));
  g_assert_true (has_exif (c));
  /* Rotated on the way: the orientation kept says "as stored". */
  g_assert_cmpint (c->Xsize, ==, 20);
  g_assert_cmpint (vips_image_get_orientation (c), ==, 1);
}

static void
test_color (Fixture *fx, gconstpointer data)
{
  g_autofree char *src = g_build_filename (fx->in, "c.png", NULL);
  const char *args[] = { "run", fx->in, fx->out, "--color", NULL };
  g_autoptr (VipsImage) image = NULL;
  g_autoptr (VipsImage) red = NULL;
  g_autoptr (VipsImage) blue = NULL;
  g_autoptr (VipsImage) diff = NULL;
  g_autoptr (VipsImage) absolute = NULL;
  double worst = 0;

  fixtures_write_image (src, "png", 120, 90);
  g_assert_cmpint (fixtures_run_logged (args, NULL, NULL), ==, 0);
  image = load (fx->out, "c.png");
  g_assert_cmpint (image->Bands, ==, 3);
  g_assert_cmpint (image->Type, ==, VIPS_INTERPRETATION_sRGB);
  g_assert_cmpint (vips_extract_band (image, &red, 0, NULL), ==, 0);
  g_assert_cmpint (vips_extract_band (image, &blue, 2, NULL), ==, 0);
  g_assert_cmpint (vips_subtract (red, blue, &diff, NULL), ==, 0);
  g_assert_cmpint (vips_abs (diff, &absolute, NULL), ==, 0);
  g_assert_cmpint (vips_max (absolute, &worst, NULL), ==, 0);
  g_assert_cmpfloat (worst, >, 10);
}

/* Every option reaches the workers: -j 2 writes the bytes --serial does. */
static void
test_workers_match_serial (Fixture *fx, gconstpointer data)
{
  g_autofree char *serial = g_build_filename (fx->root, "serial", NULL);
  g_autofree char *rotated = g_build_filename (fx->in, "r.jpg", NULL);
  const char *const sets[][8] = {
    { "--size", "90x40!", "--color", "--keep-metadata" },
    { "--size", "64", "--crop", "attention", "--no-rotate", "-o", "x_%s.tif[compression=lzw]" },
    { "--size", "500", "--enlarge", "--format", "jpeg", "-q", "60" },
  };

  fixtures_write_mixed_folder (fx->in);
  write_rotated_jpeg (rotated);
  for (guint i = 0; i < G_N_ELEMENTS (sets); i++)
    {
      g_autofree char *serial_dir = g_strdup_printf ("%s-%u", serial, i);
      g_autofree char *workers_dir = g_strdup_printf ("%s/workers-%u", fx->root, i);
      g_autofree char *why = NULL;
      const char *a[20] = { "run", fx->in, serial_dir, "--serial", "--quiet" };
      const char *b[20] = { "run", fx->in, workers_dir, "-j", "2", "--shards", "3" };

      for (guint k = 0; k < 8 && sets[i][k]; k++)
        a[5 + k] = b[7 + k] = sets[i][k];
      g_assert_cmpint (fixtures_run_logged (a, NULL, NULL), ==, 0);
      g_assert_cmpint (fixtures_run_logged (b, NULL, NULL), ==, 0);
      if (!fixtures_same_tree (serial_dir, workers_dir, &why))
        g_error ("set %u: workers differ from --serial: %s", i, why);
    }
}

/* -q reaches the JPEG encoder (its quantisation tables, on both decode
 * paths) and the WebP encoder (smaller files at lower quality); without -q
 * the documented default applies. */
static void
test_quality (Fixture *fx, gconstpointer data)
{
  g_autofree char *a = g_build_filename (fx->in, "a.jpg", NULL);
  g_autofree char *b = g_build_filename (fx->in, "b.png", NULL);
  const char *qualities[] = { "50", "95", NULL, "30" };
  goffset webp_size[G_N_ELEMENTS (qualities)];

  fixtures_write_image (a, "jpeg", 640, 480);
  fixtures_write_image (b, "png", 480, 640);
  for (guint i = 0; i < G_N_ELEMENTS (qualities); i++)
    for (guint fast = 0; fast < 2; fast++)
      {
        int quality = qualities[i] ? atoi (qualities[i]) : SHARDPIX_JOB_DEFAULT_QUALITY;
        g_autofree char *out = g_strdup_printf ("%s/q%u-%u", fx->root, i, fast);
        g_autofree char *webp = g_strdup_printf ("%s/webp%u-%u", fx->root, i, fast);
        const char *jpeg_args[12] = { "run", fx->in, out, "-f", "jpeg", "--serial" };
        const char *webp_args[12] = { "run", fx->in, webp, "-f", "webp", "--serial" };
        guint n = 6;
        guint16 found[DCTSIZE2], expected[DCTSIZE2];

        if (!fast)
          jpeg_args[n] = webp_args[n] = "--no-fast-paths", n++;
        if (qualities[i])
          {
            jpeg_args[n] = webp_args[n] = "-q", n++;
            jpeg_args[n] = webp_args[n] = qualities[i], n++;
          }
        g_assert_cmpint (fixtures_run_logged (jpeg_args, NULL, NULL), ==, 0);
        g_assert_cmpint (fixtures_run_logged (webp_args, NULL, NULL), ==, 0);
        fixtures_expected_luma_table (quality, expected);
        fixtures_read_luma_table (out, "a.jpg", found);
        g_assert_cmpmem (found, sizeof found, expected, sizeof expected);
        fixtures_read_luma_table (out, "b.jpg", found);
        g_assert_cmpmem (found, sizeof found, expected, sizeof expected);
        webp_size[i] = file_size (webp, "a.webp") + file_size (webp, "b.webp");
      }
  /* WebP: size falls with quality (30 < 50 < default 85 < 95). */
  g_assert_cmpint (webp_size[3], <, webp_size[0]);
  g_assert_cmpint (webp_size[0], <, webp_size[2]);
  g_assert_cmpint (webp_size[2], <, webp_size[1]);
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixtures_dirs_setup, func, fixtures_dirs_teardown)

int
main (int argc, char **argv)
{
  fixtures_init (&argc, &argv);
  ADD ("/shardpix/options/output-name", test_output_name);
  ADD ("/shardpix/options/format", test_format);
  ADD ("/shardpix/options/quality", test_quality);
  ADD ("/shardpix/options/collision", test_collision);
  ADD ("/shardpix/options/resize-modes", test_resize_modes);
  ADD ("/shardpix/options/rotate-and-metadata", test_rotate_and_metadata);
  ADD ("/shardpix/options/color", test_color);
  ADD ("/shardpix/options/workers-match-serial", test_workers_match_serial);
  return g_test_run ();
}
