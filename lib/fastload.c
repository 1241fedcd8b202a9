#include "shardpix/fastload.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* Bigger inputs are left to libvips, which streams them instead of reading
 * them whole. */
#define FASTLOAD_MAX_BYTES (G_GINT64_CONSTANT (256) << 20)

gboolean
shardpix_fastload_job_served (const ShardpixJob *job)
{
  return !job->color && job->gray == SHARDPIX_GRAY_REC601 && !job->keep_metadata
         && (job->fail_on == SHARDPIX_FAIL_ON_NONE || job->fail_on == SHARDPIX_FAIL_ON_TRUNCATED);
}

gboolean
shardpix_fastload_applies (const ShardpixJob *job)
{
  return !job->no_fast_paths && shardpix_fastload_job_served (job);
}

guint8 *
shardpix_fastload_read (int fd, const struct stat *st)
{
  gsize size = (gsize) st->st_size;
  g_autofree guint8 *data = NULL;
  gsize done = 0;

  if (st->st_size <= 0 || st->st_size > FASTLOAD_MAX_BYTES)
    return NULL;
  /* Under --max-memory a large file may not fit: libvips streams it. */
  data = g_try_malloc (size);
  if (data == NULL)
    return NULL;
  while (done < size)
    {
      ssize_t got = pread (fd, data + done, size - done, (off_t) done);

      if (got < 0 && errno == EINTR)
        continue;
      if (got <= 0)
        return NULL;
      done += (gsize) got;
    }
  return g_steal_pointer (&data);
}

VipsImage *
shardpix_fastload_new_image (int width, int height, int bands, double xres, double yres)
{
  VipsImage *image = vips_image_new_memory ();

  vips_image_init_fields (image, width, height, bands, VIPS_FORMAT_UCHAR, VIPS_CODING_NONE,
                          VIPS_INTERPRETATION_B_W, xres, yres);
  /* What libvips' own loaders say of their output. Seeing it, the
   * thumbnail's shrink and reduce keep the lines they need in a cache;
   * without it they compute them again and again: a 1275x1270 RGBA PNG
   * cost 1,777 M instructions through this image, 773 M through libvips'
   * loader, 726 M with the mark. */
  vips_image_set_int (image, VIPS_META_SEQUENTIAL, 1);
  if (vips_image_write_prepare (image) != 0)
    {
      vips_error_clear ();
      g_object_unref (image);
      return NULL;
    }
  return image;
}

static guint
fastload_get16 (const guint8 *p, gboolean big_endian)
{
  return big_endian ? (guint) p[0] << 8 | p[1] : (guint) p[1] << 8 | p[0];
}

static guint32
fastload_get32 (const guint8 *p, gboolean big_endian)
{
  return big_endian
             ? (guint32) fastload_get16 (p, TRUE) << 16 | fastload_get16 (p + 2, TRUE)
             : (guint32) fastload_get16 (p + 2, FALSE) << 16 | fastload_get16 (p, FALSE);
}

int
shardpix_fastload_exif_orientation (const guint8 *exif, gsize len)
{
  gboolean big_endian;
  guint32 ifd;
  guint entries;

  if (len < 8)
    return 0;
  if (memcmp (exif, "MM\0*", 4) == 0)
    big_endian = TRUE;
  else if (memcmp (exif, "II*\0", 4) == 0)
    big_endian = FALSE;
  else
    return 0;
  ifd = fastload_get32 (exif + 4, big_endian);
  if (ifd < 8 || ifd > len - 2)
    return 0;
  entries = fastload_get16 (exif + ifd, big_endian);
  if (entries > (len - ifd - 2) / 12)
    return 0;
  for (guint i = 0; i < entries; i++)
    {
      const guint8 *entry = exif + ifd + 2 + 12 * i;
      guint orientation;

      if (fastload_get16 (entry, big_endian) != 0x0112)
        continue;
      /* One SHORT, held in the entry itself. */
      if (fastload_get16 (entry + 2, big_endian) != 3 || fastload_get32 (entry + 4, big_endian) != 1)
        return 0;
      orientation = fastload_get16 (entry + 8, big_endian);
      return orientation >= 1 && orientation <= 8 ? (int) orientation : 0;
    }
  return 1;
}
