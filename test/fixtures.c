#include "fixtures.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <glib/gstdio.h>
#include <jpeglib.h>
#include "shardpix/vips-autoptr.h"

G_GNUC_NORETURN static void
fixtures_vips_fail (const char *what)
{
  g_error ("%s: %s", what, vips_error_buffer ());
}

/* g_test_init() makes every warning fatal, but libvips warns (in its own
 * log domain, often from its worker threads) about the damaged images that
 * tests feed it on purpose. Warnings stay fatal for our own domain only;
 * libvips' go into the test log. */
static void
fixtures_log_vips_warning (const char *domain, GLogLevelFlags level,
                           const char *message, gpointer user_data)
{
  g_test_message ("%s-WARNING: %s", domain, message);
}

static void
fixtures_log_drop (const char *domain, GLogLevelFlags level, const char *message,
                   gpointer user_data)
{
}

void
fixtures_init (int *argc, char ***argv)
{
  if (VIPS_INIT ((*argv)[0]))
    fixtures_vips_fail ("vips_init");
  g_test_init (argc, argv, NULL);
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_log_set_fatal_mask ("shardpix", G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL
                                      | G_LOG_LEVEL_WARNING);
  g_log_set_handler ("VIPS", G_LOG_LEVEL_WARNING, fixtures_log_vips_warning, NULL);
  /* libvips narrates every thumbnail at info level under --tap. */
  g_log_set_handler ("VIPS", G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG, fixtures_log_drop, NULL);
}

char *
fixtures_mkdtemp (void)
{
  g_autoptr (GError) error = NULL;
  char *path = g_dir_make_tmp ("shardpix-test-XXXXXX", &error);

  g_assert_no_error (error);
  return path;
}

/* Names first, removal after: unlinking while readdir() walks the same
 * directory may make it skip entries. */
static GPtrArray *
fixtures_read_names (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = g_dir_open (path, 0, &error);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  return names;
}

void
fixtures_rmtree (const char *path)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    {
      if (errno == ENOENT)
        return;
      g_error ("lstat %s: %s", path, g_strerror (errno));
    }
  if (S_ISDIR (st.st_mode))
    {
      g_autoptr (GPtrArray) names = NULL;

      /* A test may have taken permissions away to provoke an error. */
      g_chmod (path, 0700);
      names = fixtures_read_names (path);
      for (guint i = 0; i < names->len; i++)
        {
          g_autofree char *child = g_build_filename (path, names->pdata[i], NULL);

          fixtures_rmtree (child);
        }
      if (g_rmdir (path) != 0 && errno != ENOENT)
        g_error ("rmdir %s: %s", path, g_strerror (errno));
    }
  /* Symlinks and FIFOs go the same way as files: never followed or opened. */
  else if (g_unlink (path) != 0 && errno != ENOENT)
    g_error ("unlink %s: %s", path, g_strerror (errno));
}

/* A float image roughly in 0..255: three ramps in different directions and
 * gaussian noise, seeded from the arguments so that fixtures are stable. */
static VipsImage *
fixtures_texture (const char *kind, int width, int height)
{
  const double coeff[] = {
    255.0 / width,  0.0,           /* red grows to the right */
    0.0,            255.0 / height, /* green grows downwards */
    -127.0 / width, -127.0 / height /* blue fades along the diagonal */
  };
  const double scale[] = { 1.0, 1.0, 1.0 };
  const double offset[] = { 0.0, 0.0, 255.0 };
  int seed = (int) (g_str_hash (kind) ^ (guint) (width * 7919 + height));
  g_autoptr (VipsImage) xy = NULL;
  g_autoptr (VipsImage) matrix = NULL;
  g_autoptr (VipsImage) recombed = NULL;
  g_autoptr (VipsImage) ramp = NULL;
  g_autoptr (VipsImage) noise = NULL;
  g_autoptr (VipsImage) folded = NULL;
  VipsImage *out;

  matrix = vips_image_new_matrix_from_array (2, 3, coeff, G_N_ELEMENTS (coeff));
  if (matrix == NULL || vips_xyz (&xy, width, height, NULL)
      || vips_recomb (xy, &recombed, matrix, NULL)
      || vips_linear (recombed, &ramp, scale, offset, 3, NULL)
      || vips_gaussnoise (&noise, 3 * width, height, "mean", 0.0, "sigma", 20.0, "seed",
                          seed, NULL)
      || vips_bandfold (noise, &folded, "factor", 3, NULL)
      || vips_add (ramp, folded, &out, NULL))
    fixtures_vips_fail ("texture");
  return out;
}

static VipsImage *
fixtures_rgb (VipsImage *texture)
{
  g_autoptr (VipsImage) cast = NULL;
  VipsImage *out;

  if (vips_cast (texture, &cast, VIPS_FORMAT_UCHAR, NULL)
      || vips_copy (cast, &out, "interpretation", VIPS_INTERPRETATION_sRGB, NULL))
    fixtures_vips_fail ("rgb");
  return out;
}

/* Opaque in one corner, fully transparent in the other. */
static VipsImage *
fixtures_rgba (VipsImage *texture)
{
  g_autoptr (VipsImage) rgb = fixtures_rgb (texture);
  g_autoptr (VipsImage) xy = NULL;
  g_autoptr (VipsImage) diagonal = NULL;
  g_autoptr (VipsImage) scaled = NULL;
  g_autoptr (VipsImage) alpha = NULL;
  VipsImage *out;

  if (vips_xyz (&xy, rgb->Xsize, rgb->Ysize, NULL)
      || vips_bandmean (xy, &diagonal, NULL)
      || vips_linear1 (diagonal, &scaled, 510.0 / (rgb->Xsize + rgb->Ysize), 0.0, NULL)
      || vips_cast (scaled, &alpha, VIPS_FORMAT_UCHAR, NULL)
      || vips_bandjoin2 (rgb, alpha, &out, NULL))
    fixtures_vips_fail ("rgba");
  return out;
}

/* 16 bits a sample over the whole 0..65535 range. */
static VipsImage *
fixtures_rgb16 (VipsImage *texture)
{
  g_autoptr (VipsImage) scaled = NULL;
  g_autoptr (VipsImage) cast = NULL;
  VipsImage *out;

  if (vips_linear1 (texture, &scaled, 257.0, 0.0, NULL)
      || vips_cast (scaled, &cast, VIPS_FORMAT_USHORT, NULL)
      || vips_copy (cast, &out, "interpretation", VIPS_INTERPRETATION_RGB16, NULL))
    fixtures_vips_fail ("rgb16");
  return out;
}

void
fixtures_write_image (const char *path, const char *kind, int width, int height)
{
  g_autoptr (VipsImage) texture = fixtures_texture (kind, width, height);
  g_autoptr (VipsImage) image = NULL;
  int result;

  if (g_str_equal (kind, "png-alpha") || g_str_equal (kind, "webp-alpha"))
    image = fixtures_rgba (texture);
  else if (g_str_equal (kind, "png16"))
    image = fixtures_rgb16 (texture);
  else if (g_str_equal (kind, "png-grey"))
    {
      g_autoptr (VipsImage) rgb = fixtures_rgb (texture);

      if (vips_colourspace (rgb, &image, VIPS_INTERPRETATION_B_W, NULL))
        fixtures_vips_fail ("grey");
    }
  else
    image = fixtures_rgb (texture);

  if (g_str_equal (kind, "jpeg"))
    result = vips_jpegsave (image, path, "Q", 90, NULL);
  else if (g_str_equal (kind, "jpeg-progressive"))
    result = vips_jpegsave (image, path, "Q", 90, "interlace", TRUE, NULL);
  else if (g_str_equal (kind, "png") || g_str_equal (kind, "png-alpha")
           || g_str_equal (kind, "png16") || g_str_equal (kind, "png-grey"))
    result = vips_pngsave (image, path, NULL);
  else if (g_str_equal (kind, "png-palette"))
    result = vips_pngsave (image, path, "palette", TRUE, NULL);
  else if (g_str_equal (kind, "webp") || g_str_equal (kind, "webp-alpha"))
    result = vips_webpsave (image, path, NULL);
  else if (g_str_equal (kind, "webp-lossless"))
    result = vips_webpsave (image, path, "lossless", TRUE, NULL);
  else if (g_str_equal (kind, "heic"))
    result = vips_heifsave (image, path, "compression", VIPS_FOREIGN_HEIF_COMPRESSION_HEVC,
                            NULL);
  else if (g_str_equal (kind, "avif"))
    result = vips_heifsave (image, path, "compression", VIPS_FOREIGN_HEIF_COMPRESSION_AV1,
                            NULL);
  else if (g_str_equal (kind, "jxl"))
    result = vips_jxlsave (image, path, NULL);
  else if (g_str_equal (kind, "tiff"))
    result = vips_tiffsave (image, path, NULL);
  else if (g_str_equal (kind, "gif"))
    result = vips_gifsave (image, path, NULL);
  else
    g_error ("fixtures_write_image: unknown kind %s", kind);
  if (result)
    fixtures_vips_fail (path);
}

void
fixtures_read_luma_table (const char *dir, const char *rel, guint16 table[DCTSIZE2])
{
  g_autofree char *path = g_build_filename (dir, rel, NULL);
  struct jpeg_decompress_struct cinfo;
  struct jpeg_error_mgr jerr;
  FILE *file = fopen (path, "rb");

  g_assert_nonnull (file);
  cinfo.err = jpeg_std_error (&jerr);
  jpeg_create_decompress (&cinfo);
  jpeg_stdio_src (&cinfo, file);
  g_assert_cmpint (jpeg_read_header (&cinfo, TRUE), ==, JPEG_HEADER_OK);
  g_assert_nonnull (cinfo.quant_tbl_ptrs[0]);
  memcpy (table, cinfo.quant_tbl_ptrs[0]->quantval, sizeof (guint16) * DCTSIZE2);
  jpeg_destroy_decompress (&cinfo);
  fclose (file);
}

void
fixtures_expected_luma_table (int quality, guint16 table[DCTSIZE2])
{
  struct jpeg_compress_struct cinfo;
  struct jpeg_error_mgr jerr;

  cinfo.err = jpeg_std_error (&jerr);
  jpeg_create_compress (&cinfo);
  cinfo.in_color_space = JCS_GRAYSCALE;
  cinfo.input_components = 1;
  jpeg_set_defaults (&cinfo);
  jpeg_set_quality (&cinfo, quality, TRUE);
  memcpy (table, cinfo.quant_tbl_ptrs[0]->quantval, sizeof (guint16) * DCTSIZE2);
  jpeg_destroy_compress (&cinfo);
}

void
fixtures_write_mixed_folder (const char *dir)
{
  static const struct {
    const char *name;
    const char *kind;
    int width;
    int height;
  } images[] = {
    { "a-baseline.jpg", "jpeg", 640, 480 },
    { "b-progressive.jpg", "jpeg-progressive", 480, 640 },
    { "c-alpha.png", "png-alpha", 300, 200 },
    { "d-16bit.png", "png16", 333, 500 },
    { "e.webp", "webp", 512, 256 },
    { "f.tiff", "tiff", 250, 250 },
    { "g.gif", "gif", 200, 120 },
  };

  if (g_mkdir_with_parents (dir, 0777) != 0)
    g_error ("mkdir %s: %s", dir, g_strerror (errno));
  for (gsize i = 0; i < G_N_ELEMENTS (images); i++)
    {
      g_autofree char *path = g_build_filename (dir, images[i].name, NULL);

      fixtures_write_image (path, images[i].kind, images[i].width, images[i].height);
    }
}

void
fixtures_write_bytes (const char *path, const void *data, gsize len)
{
  g_autoptr (GError) error = NULL;

  g_file_set_contents (path, data, (gssize) len, &error);
  g_assert_no_error (error);
}

void
fixtures_write_truncated (const char *src, const char *dst, gsize keep)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *data = NULL;
  gsize len;

  g_file_get_contents (src, &data, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (keep, <=, len);
  fixtures_write_bytes (dst, data, keep);
}

int
fixtures_run_shardpix (const char *const *args, char **out_stdout, char **out_stderr)
{
  const char *bin = g_getenv ("SHARDPIX_BIN");
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  g_assert_nonnull (bin);
  g_ptr_array_add (argv, (char *) bin);
  for (; args != NULL && *args != NULL; args++)
    g_ptr_array_add (argv, (char *) *args);
  g_ptr_array_add (argv, NULL);

  /* Output is always captured, even when the caller does not want it, so
   * that it cannot end up in the middle of the TAP stream. */
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                &err, &status, &error);
  g_assert_no_error (error);
  if (out_stdout != NULL)
    *out_stdout = g_steal_pointer (&out);
  if (out_stderr != NULL)
    *out_stderr = g_steal_pointer (&err);

  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  g_error ("%s: unexpected wait status 0x%x", bin, (unsigned) status);
}

static void
fixtures_list_below (const char *root, const char *rel, GPtrArray *files)
{
  g_autofree char *path = g_build_filename (root, rel, NULL);
  g_autoptr (GPtrArray) names = fixtures_read_names (path);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *child_rel = g_build_filename (rel, names->pdata[i], NULL);
      g_autofree char *child = g_build_filename (root, child_rel, NULL);
      GStatBuf st;

      if (g_lstat (child, &st) != 0)
        g_error ("lstat %s: %s", child, g_strerror (errno));
      /* lstat: a symlink to a directory is listed, not walked into. */
      if (S_ISDIR (st.st_mode))
        fixtures_list_below (root, child_rel, files);
      else
        g_ptr_array_add (files, g_steal_pointer (&child_rel));
    }
}

static int
fixtures_compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

GPtrArray *
fixtures_list_files (const char *dir)
{
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);

  fixtures_list_below (dir, "", files);
  g_ptr_array_sort (files, fixtures_compare_names);
  return files;
}

/* NULL when @rel is the same in both trees, else what differs. */
static char *
fixtures_compare_file (const char *a, const char *b, const char *rel)
{
  g_autofree char *path_a = g_build_filename (a, rel, NULL);
  g_autofree char *path_b = g_build_filename (b, rel, NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *data_a = NULL;
  g_autofree char *data_b = NULL;
  gsize len_a;
  gsize len_b;
  GStatBuf st_a;
  GStatBuf st_b;

  if (g_lstat (path_a, &st_a) != 0 || g_lstat (path_b, &st_b) != 0)
    g_error ("lstat %s: %s", rel, g_strerror (errno));
  if ((st_a.st_mode & S_IFMT) != (st_b.st_mode & S_IFMT))
    return g_strdup_printf ("%s: file types differ", rel);
  if (S_ISLNK (st_a.st_mode))
    {
      data_a = g_file_read_link (path_a, &error);
      g_assert_no_error (error);
      data_b = g_file_read_link (path_b, &error);
      g_assert_no_error (error);
      if (!g_str_equal (data_a, data_b))
        return g_strdup_printf ("%s: links to %s and %s", rel, data_a, data_b);
      return NULL;
    }
  /* A FIFO or socket has no bytes to compare, and opening one may block. */
  if (!S_ISREG (st_a.st_mode))
    return NULL;

  g_file_get_contents (path_a, &data_a, &len_a, &error);
  g_assert_no_error (error);
  g_file_get_contents (path_b, &data_b, &len_b, &error);
  g_assert_no_error (error);
  if (len_a != len_b)
    return g_strdup_printf ("%s: %" G_GSIZE_FORMAT " and %" G_GSIZE_FORMAT " bytes", rel,
                            len_a, len_b);
  for (gsize i = 0; i < len_a; i++)
    if (data_a[i] != data_b[i])
      return g_strdup_printf ("%s: bytes differ from offset %" G_GSIZE_FORMAT, rel, i);
  return NULL;
}

gboolean
fixtures_same_tree (const char *a, const char *b, char **why)
{
  g_autoptr (GPtrArray) files_a = fixtures_list_files (a);
  g_autoptr (GPtrArray) files_b = fixtures_list_files (b);
  g_autofree char *difference = NULL;
  guint i = 0;
  guint j = 0;

  /* One merge walk over both sorted lists, so that the difference reported
   * is the first one in name order, whatever its kind. */
  while (difference == NULL && (i < files_a->len || j < files_b->len))
    {
      const char *name_a = i < files_a->len ? files_a->pdata[i] : NULL;
      const char *name_b = j < files_b->len ? files_b->pdata[j] : NULL;
      int order = name_a == NULL ? 1 : name_b == NULL ? -1 : strcmp (name_a, name_b);

      if (order < 0)
        difference = g_strdup_printf ("%s: only in %s", name_a, a);
      else if (order > 0)
        difference = g_strdup_printf ("%s: only in %s", name_b, b);
      else
        difference = fixtures_compare_file (a, b, name_a);
      i += order <= 0;
      j += order >= 0;
    }
  if (why != NULL)
    *why = g_strdup (difference);
  return difference == NULL;
}

int
fixtures_run_logged (const char *const *args, char **out_stdout, char **out_stderr)
{
  g_autofree char *o = NULL;
  g_autofree char *e = NULL;
  int status = fixtures_run_shardpix (args, &o, &e);

  g_test_message ("exit %d\nstdout:\n%s\nstderr:\n%s", status, o, e);
  if (out_stdout)
    *out_stdout = g_steal_pointer (&o);
  if (out_stderr)
    *out_stderr = g_steal_pointer (&e);
  return status;
}

guint
fixtures_count_lines_containing (const char *text, const char *needle)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i]; i++)
    n += strstr (lines[i], needle) != NULL;
  return n;
}

void
fixtures_dirs_setup (FixturesDirs *fx, gconstpointer data)
{
  fx->root = fixtures_mkdtemp ();
  fx->in = g_build_filename (fx->root, "in", NULL);
  fx->out = g_build_filename (fx->root, "out", NULL);
  g_assert_cmpint (g_mkdir (fx->in, 0755), ==, 0);
}

void
fixtures_dirs_teardown (FixturesDirs *fx, gconstpointer data)
{
  fixtures_rmtree (fx->root);
  g_free (fx->root);
  g_free (fx->in);
  g_free (fx->out);
}

void
fixtures_job_setup (FixturesJob *fx, gconstpointer data)
{
  fx->in = fixtures_mkdtemp ();
  fx->out = fixtures_mkdtemp ();
  shardpix_job_init (&fx->job);
  fx->job.input_dir = g_strdup (fx->in);
  fx->job.output_dir = g_strdup (fx->out);
}

void
fixtures_job_teardown (FixturesJob *fx, gconstpointer data)
{
  fixtures_rmtree (fx->in);
  fixtures_rmtree (fx->out);
  g_free (fx->in);
  g_free (fx->out);
  shardpix_job_clear (&fx->job);
}

JsonObject *
fixtures_json_object (const char *text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonNode *root;

  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  return json_object_ref (json_node_get_object (root));
}

guint8
fixtures_random_byte (GRand *rand)
{
  switch (g_rand_int_range (rand, 0, 4))
    {
    case 0:
      return 0;
    case 1:
      return 255;
    default:
      return (guint8) g_rand_int_range (rand, 0, 256);
    }
}

VipsImage *
fixtures_noise_image (GRand *rand, int width, int height, int bands)
{
  gsize size = (gsize) width * height * bands;
  g_autofree guint8 *pixels = g_malloc (size);
  VipsImage *image;

  for (gsize i = 0; i < size; i++)
    pixels[i] = fixtures_random_byte (rand);
  image = vips_image_new_from_memory_copy (pixels, size, width, height, bands,
                                           VIPS_FORMAT_UCHAR);
  g_assert_nonnull (image);
  image->Type = bands < 3 ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_sRGB;
  return image;
}

static void
fixtures_collect_images (const char *dir, const char *const *suffixes, guint max,
                         GPtrArray *found, int depth)
{
  g_autoptr (GDir) d = depth > 6 ? NULL : g_dir_open (dir, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, fixtures_compare_names);
  for (guint i = 0; i < names->len && found->len < max; i++)
    {
      g_autofree char *path = g_build_filename (dir, names->pdata[i], NULL);

      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          fixtures_collect_images (path, suffixes, max, found, depth + 1);
          continue;
        }
      for (guint s = 0; suffixes[s] != NULL; s++)
        if (g_str_has_suffix (path, suffixes[s]))
          {
            g_ptr_array_add (found, g_steal_pointer (&path));
            break;
          }
    }
}

GPtrArray *
fixtures_debian_images (const char *const *suffixes, guint max)
{
  static const char *const roots[] = { "/usr/share/backgrounds", "/usr/share/pixmaps",
                                       "/usr/share/icons", "/usr/share/doc",
                                       "/usr/share/games" };
  GPtrArray *found = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < G_N_ELEMENTS (roots); i++)
    fixtures_collect_images (roots[i], suffixes, max, found, 0);
  return found;
}

void
fixtures_assert_same_pixels (VipsImage *ours, VipsImage *theirs, const char *what)
{
  g_autofree guint8 *a = NULL;
  g_autofree guint8 *b = NULL;
  gsize a_size = 0;
  gsize b_size = 0;

  g_assert_cmpint (ours->Xsize, ==, theirs->Xsize);
  g_assert_cmpint (ours->Ysize, ==, theirs->Ysize);
  g_assert_cmpint (ours->Bands, ==, theirs->Bands);
  g_assert_cmpint (ours->BandFmt, ==, theirs->BandFmt);
  g_assert_cmpint (ours->Type, ==, theirs->Type);
  a = vips_image_write_to_memory (ours, &a_size);
  b = vips_image_write_to_memory (theirs, &b_size);
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_cmpuint (a_size, ==, b_size);
  for (gsize i = 0; i < a_size; i++)
    if (a[i] != b[i])
      {
        gsize pel = VIPS_IMAGE_SIZEOF_PEL (ours);
        gsize line = pel * ours->Xsize;

        g_error ("%s: %dx%dx%d: pixel (%" G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT
                 ") byte %" G_GSIZE_FORMAT " is %u, libvips gives %u",
                 what, ours->Xsize, ours->Ysize, ours->Bands, (i % line) / pel, i / line,
                 i % pel, a[i], b[i]);
      }
}
