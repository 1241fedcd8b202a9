/* libFuzzer target: the whole JPEG fast path (lib/fastload-jpeg.c, libjpeg
 * and jpeg-dc.h) against libvips' own path, at shardpix's default job.
 * Whenever the fast path accepts an input, libvips must accept it too, as
 * the pipeline would run it (vips_thumbnail() into the default box, --fail-on
 * truncated), and both images must compute. The pixels are held to libvips
 * by test/test-fastload.c within docs/performance.md's tolerance, and
 * jpeg-dc's exactly to libjpeg by fuzz-jpeg-dc. Seeds: seeds-fastload-jpeg/,
 * the same files as seeds-jpeg-dc/ plus a baseline one. */
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vips/vips.h>

#include "shardpix/fastload.h"
#include "shardpix/job.h"
#include "shardpix/vips-autoptr.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static ShardpixJob fuzz_job;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  if (VIPS_INIT ((*argv)[0]) != 0)
    __builtin_trap ();
  vips_cache_set_max (0);
  shardpix_job_init (&fuzz_job);
  /* Small images only: the fast path refuses the others, as shardpix
   * would with this --max-pixels, and libvips never decodes them. */
  fuzz_job.max_pixels = 1 << 20;
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr (VipsImage) fast = NULL;
  g_autoptr (VipsImage) thumb = NULL;
  struct stat st;
  double mean;
  int fd = memfd_create ("fuzz-fastload-jpeg", MFD_CLOEXEC);

  if (fd < 0 || write (fd, data, size) != (ssize_t) size || fstat (fd, &st) != 0)
    __builtin_trap ();
  fast = shardpix_fastload_jpeg (fd, &st, &fuzz_job);
  close (fd);
  if (fast == NULL)
    return 0;
  if (vips_avg (fast, &mean, NULL) != 0)
    __builtin_trap ();
  if (vips_thumbnail_buffer ((void *) data, size, &thumb, fuzz_job.width, "height",
                             fuzz_job.height, "fail_on", VIPS_FAIL_ON_TRUNCATED, NULL)
          != 0
      || vips_avg (thumb, &mean, NULL) != 0)
    __builtin_trap ();
  vips_error_clear ();
  return 0;
}
