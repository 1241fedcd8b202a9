/* Whole-image access (whole-image.h). */
#include "shardpix/whole-image.h"

#include "shardpix/vips-autoptr.h"

VipsRegion *
shardpix_whole_image_read (VipsImage *in, gsize max_bytes)
{
  g_autoptr (VipsRegion) region = NULL;
  VipsRect all = { 0, 0, in->Xsize, in->Ysize };

  if ((gsize) VIPS_IMAGE_SIZEOF_IMAGE (in) > max_bytes)
    return NULL;
  region = vips_region_new (in);
  if (region == NULL || vips_region_prepare (region, &all) != 0)
    {
      vips_error_clear ();
      return NULL;
    }
  return g_steal_pointer (&region);
}

VipsImage *
shardpix_whole_image_like (VipsImage *in, int width, int height, int bands)
{
  g_autoptr (VipsImage) image = vips_image_new_memory ();

  if (vips_image_pipelinev (image, VIPS_DEMAND_STYLE_THINSTRIP, in, NULL) != 0)
    {
      vips_error_clear ();
      return NULL;
    }
  image->Xsize = width;
  image->Ysize = height;
  image->Bands = bands;
  if (vips_image_write_prepare (image) != 0)
    {
      vips_error_clear ();
      return NULL;
    }
  g_object_set_data_full (G_OBJECT (image), "shardpix-whole-image-source", g_object_ref (in),
                          g_object_unref);
  return g_steal_pointer (&image);
}
