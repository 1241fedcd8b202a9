#include "fastload.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* Bigger inputs are left to libvips, which streams them instead of reading
 * them whole. */
#define FASTLOAD_MAX_BYTES (G_GINT64_CONSTANT (256) << 20)

gboolean
shardpix_fastload_applies (const ShardpixJob *job)
{
  return !job->no_fast_paths && !job->color && job->gray == SHARDPIX_GRAY_REC601
         && !job->keep_metadata
         && (job->fail_on == SHARDPIX_FAIL_ON_NONE || job->fail_on == SHARDPIX_FAIL_ON_TRUNCATED);
}

guint8 *
shardpix_fastload_read (int fd, const struct stat *st)
{
  gsize size = (gsize) st->st_size;
  g_autofree guint8 *data = NULL;
  gsize done = 0;

  if (st->st_size <= 0 || st->st_size > FASTLOAD_MAX_BYTES)
    return NULL;
  data = g_malloc (size);
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

double
shardpix_fastload_shrink (const ShardpixJob *job, int width, int height)
{
  double hshrink = (double) width / job->width;
  double vshrink = (double) height / job->height;
  gboolean fill = job->force || job->crop != SHARDPIX_CROP_NONE;

  return fill ? MIN (hshrink, vshrink) : MAX (hshrink, vshrink);
}

static guint
fastload_u16 (const guint8 *p, gboolean big)
{
  return big ? (guint) p[0] << 8 | p[1] : (guint) p[1] << 8 | p[0];
}

static guint32
fastload_u32 (const guint8 *p, gboolean big)
{
  return big ? (guint32) fastload_u16 (p, big) << 16 | fastload_u16 (p + 2, big)
             : (guint32) fastload_u16 (p + 2, big) << 16 | fastload_u16 (p, big);
}

int
shardpix_fastload_exif_orientation (const guint8 *tiff, gsize len)
{
  gboolean big;
  guint32 ifd;
  guint entries;

  if (len < 8 || (memcmp (tiff, "II*\0", 4) != 0 && memcmp (tiff, "MM\0*", 4) != 0))
    return 1;
  big = tiff[0] == 'M';
  ifd = fastload_u32 (tiff + 4, big);
  if (ifd > len - 2)
    return 1;
  entries = fastload_u16 (tiff + ifd, big);
  for (gsize i = 0; i < entries && ifd + 2 + 12 * (i + 1) <= len; i++)
    {
      const guint8 *entry = tiff + ifd + 2 + 12 * i;

      /* Tag 0x0112, type SHORT: the value sits in the entry itself. */
      if (fastload_u16 (entry, big) == 0x0112 && fastload_u16 (entry + 2, big) == 3)
        {
          guint value = fastload_u16 (entry + 8, big);

          return value >= 1 && value <= 8 ? (int) value : 1;
        }
    }
  return 1;
}
