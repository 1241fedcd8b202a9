#include "shardpix/vips-setup.h"

#include <dlfcn.h>
#include <stdlib.h>

#include <gmodule.h>
#include <vips/vips.h>

#include "shardpix/error.h"

/* The loaders this tool means to read. Everything else libvips could sniff
 * from the content (SVG, PDF, MATLAB, FITS, ImageMagick, raw matrix text)
 * is blocked, so a ".jpg" that is really something else fails cleanly.
 * Heif reads HEIC, HEIF and AVIF (libheif). */
static const char *const setup_loaders[] = {
  "VipsForeignLoadJpeg", "VipsForeignLoadPng",  "VipsForeignLoadWebp", "VipsForeignLoadTiff",
  "VipsForeignLoadNsgif", "VipsForeignLoadHeif", "VipsForeignLoadJxl",
};

/* libvips 8.14 flags libjxl's loader and saver "untrusted" (young code):
 * the block of untrusted operations would refuse them, so they are let
 * through by name, and fuzzed by libjxl upstream. Nothing else untrusted
 * is (the ImageMagick, PDF, ... loaders stay blocked above). */
static const char *const setup_untrusted_allowed[] = {
  "VipsForeignLoadJxl",
  "VipsForeignSaveJxl",
};

/* Debian builds five of libvips' loaders as modules, and vips_init() opens
 * them all: 92 M instructions, some 25 ms of CPU in every worker, a tenth
 * of a -j 2 run over 24 phone JPEGs (docs/performance.md). Only these two
 * hold loaders let through above, and most folders need neither. The
 * other three (magick, poppler, openslide) are never opened: their loaders
 * are blocked, so all they could do is turn a file into "operation is
 * blocked" instead of "not a known file format", or claim a slide TIFF
 * before the TIFF loader, which then reads it. */
static const char *const setup_wanted_modules[] = { "vips-heif", "vips-jxl" };

/* The module folder, while its modules are still to open. */
static char *setup_module_dir;
G_LOCK_DEFINE_STATIC (setup_modules);

static void
setup_apply_policy (void)
{
  vips_block_untrusted_set (TRUE);
  vips_operation_block_set ("VipsForeignLoad", TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (setup_loaders); i++)
    vips_operation_block_set (setup_loaders[i], FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (setup_untrusted_allowed); i++)
    vips_operation_block_set (setup_untrusted_allowed[i], FALSE);
}

static gboolean
setup_same_directory (const char *a, const char *b)
{
  g_autofree char *real_a = realpath (a, NULL);
  g_autofree char *real_b = realpath (b, NULL);

  return real_a != NULL && real_b != NULL && g_str_equal (real_a, real_b);
}

/* The folder vips_init() would open modules from, when it can be known
 * without asking libvips (which would remember the answer): VIPSHOME unset
 * or libvips' own prefix (vips_init() sets it so, and children inherit
 * it), and the libvips this runs with loaded from the libdir it was built
 * against. Otherwise NULL, and libvips opens its modules itself. */
static char *
setup_deferrable_module_dir (void)
{
  const char *home = g_getenv ("VIPSHOME");
  g_autofree char *loaded_from = NULL;
  char *dir;
  Dl_info info;

  /* Compared as libvips' vips_guess_libdir() compares: as text. */
  if ((home != NULL && !g_str_equal (home, SHARDPIX_VIPS_PREFIX)) || vips_get_argv0 () != NULL)
    return NULL;
  if (dladdr ((void *) vips_error_buffer, &info) == 0 || info.dli_fname == NULL)
    return NULL;
  loaded_from = g_path_get_dirname (info.dli_fname);
  if (!setup_same_directory (loaded_from, SHARDPIX_VIPS_LIBDIR))
    return NULL;
  dir = g_strdup_printf ("%s/vips-modules-%d.%d", SHARDPIX_VIPS_LIBDIR, vips_version (0),
                         vips_version (1));
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    g_clear_pointer (&dir, g_free);
  return dir;
}

gboolean
shardpix_vips_setup_start (const char *argv0, int threads, GError **error)
{
  g_autofree char *module_dir = setup_deferrable_module_dir ();
  g_autofree char *home = g_strdup (g_getenv ("VIPSHOME"));
  int status;

  /* vips_init() opens the modules under $VIPSHOME's libdir; under
   * /dev/null there can be none. Only the locale folder also comes from
   * it: libvips' messages stay untranslated. */
  if (module_dir != NULL)
    g_setenv ("VIPSHOME", "/dev/null", TRUE);
  status = VIPS_INIT (argv0);
  if (module_dir != NULL && home != NULL)
    g_setenv ("VIPSHOME", home, TRUE);
  if (module_dir != NULL && home == NULL)
    g_unsetenv ("VIPSHOME");
  if (status != 0)
    {
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_FAILED,
                   "cannot start libvips: %s", vips_error_buffer ());
      vips_error_clear ();
      return FALSE;
    }
  vips_concurrency_set (threads);
  /* Each image is seen once: caching operations only costs memory. */
  vips_cache_set_max (0);
  setup_apply_policy ();
  G_LOCK (setup_modules);
  setup_module_dir = g_steal_pointer (&module_dir);
  G_UNLOCK (setup_modules);
  return TRUE;
}

gboolean
shardpix_vips_setup_modules_pending (void)
{
  gboolean pending;

  G_LOCK (setup_modules);
  pending = setup_module_dir != NULL;
  G_UNLOCK (setup_modules);
  return pending;
}

gboolean
shardpix_vips_setup_open_modules (void)
{
  gboolean opened = FALSE;

  G_LOCK (setup_modules);
  for (guint i = 0; setup_module_dir != NULL && i < G_N_ELEMENTS (setup_wanted_modules); i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/%s.%s", setup_module_dir,
                                               setup_wanted_modules[i], G_MODULE_SUFFIX);
      GModule *module;

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        continue;
      /* As vips_init() opens them: lazily bound, and resident, since the
       * types they register cannot be unloaded. */
      if ((module = g_module_open (path, G_MODULE_BIND_LAZY)) == NULL)
        {
          g_warning ("cannot open libvips module %s: %s", path, g_module_error ());
          continue;
        }
      g_module_make_resident (module);
      opened = TRUE;
    }
  g_clear_pointer (&setup_module_dir, g_free);
  /* The new loaders and savers are blocked or let through as at start. */
  if (opened)
    setup_apply_policy ();
  G_UNLOCK (setup_modules);
  return opened;
}
