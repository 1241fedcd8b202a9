#include "shardpix/saver.h"

#include "shardpix/flatten.h"
#include "shardpix/vips-autoptr.h"
#include "shardpix/vips-setup.h"

/* TRUE if the saver type @saver (a type name) has a "Q" argument. */
static gboolean
saver_takes_quality (const char *saver)
{
  GType type = g_type_from_name (saver);
  g_autoptr (GTypeClass) klass = NULL;

  if (type == 0)
    return FALSE;
  klass = g_type_class_ref (type);
  return g_object_class_find_property (G_OBJECT_CLASS (klass), "Q") != NULL;
}

/* Whether the saver type @saver writes an alpha band. JPEG's does not:
 * libvips flattens the image on black before it saves. */
static gboolean
saver_keeps_alpha (const char *saver)
{
  GType type = g_type_from_name (saver);
  g_autoptr (GTypeClass) klass = NULL;
  VipsSaveable saveable;

  if (type == 0)
    return TRUE;
  klass = g_type_class_ref (type);
  saveable = VIPS_FOREIGN_SAVE_CLASS (klass)->saveable;
  return saveable == VIPS_SAVEABLE_RGBA || saveable == VIPS_SAVEABLE_RGBA_ONLY
         || saveable == VIPS_SAVEABLE_ANY;
}

gboolean
shardpix_saver_flatten_first (const char *saver, VipsImage **image)
{
  g_autoptr (VipsImage) flat = NULL;

  if (saver_keeps_alpha (saver) || !vips_image_hasalpha (*image))
    return TRUE;
  if ((flat = shardpix_flatten_black (*image)) == NULL && vips_flatten (*image, &flat, NULL) != 0)
    return FALSE;
  g_set_object (image, flat);
  return TRUE;
}

static void *
saver_strip_field (VipsImage *image, const char *field, GValue *value, void *user)
{
  GPtrArray *names = user;

  (void) image;
  (void) value;
  if (g_str_has_prefix (field, "exif-") || g_str_equal (field, VIPS_META_XMP_NAME)
      || g_str_equal (field, VIPS_META_IPTC_NAME) || g_str_equal (field, VIPS_META_ICC_NAME)
      || g_str_equal (field, VIPS_META_PHOTOSHOP_NAME))
    g_ptr_array_add (names, g_strdup (field));
  return NULL;
}

/* strip=true alone is not enough: Debian 12's libvips 8.14.1 webpsave
 * ignores it (fixed in 8.14.2) and writes the camera's EXIF (GPS
 * included), XMP and profile. So the metadata goes from the image itself;
 * what webpsave then still writes is a fresh EXIF block with the
 * resolution and orientation only. */
VipsImage *
shardpix_saver_strip (VipsImage *image)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  VipsImage *copy;

  if (vips_copy (image, &copy, NULL) != 0)
    return NULL;
  vips_image_map (copy, saver_strip_field, names);
  for (guint i = 0; i < names->len; i++)
    vips_image_remove (copy, g_ptr_array_index (names, i));
  return copy;
}

char *
shardpix_saver_options (const ShardpixJob *job, const char *saver, const char *user)
{
  GString *options = g_string_new (NULL);

  g_string_append_printf (options, "strip=%s", job->keep_metadata ? "false" : "true");
  /* Every saver that has a Q takes --quality. vips_foreign_find_save_target()
   * names a type (VipsForeignSaveJpegTarget), not a nickname, so ask the
   * class for the argument instead of matching names. */
  if (saver_takes_quality (saver))
    g_string_append_printf (options, ",Q=%d", job->quality);
  if (user != NULL)
    g_string_append_printf (options, ",%s", user);
  return g_string_free (options, FALSE);
}

gboolean
shardpix_saver_plan (ShardpixOutputPlan *plan, const ShardpixJob *job)
{
  plan->saver = vips_foreign_find_save_target (plan->format);
  /* HEIF and JPEG XL savers come with modules opened on first need. */
  if (plan->saver == NULL && shardpix_vips_setup_open_modules ())
    {
      vips_error_clear ();
      plan->saver = vips_foreign_find_save_target (plan->format);
    }
  if (plan->saver == NULL)
    return FALSE;
  g_free (plan->save_options);
  plan->save_options = shardpix_saver_options (job, plan->saver, plan->user_options);
  return TRUE;
}
