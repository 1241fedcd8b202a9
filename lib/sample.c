#include "shardpix/sample.h"

#include "shardpix/error.h"
#include "shardpix/sample-picture.h"
#include "shardpix/vips-autoptr.h"

#include <errno.h>
#include <math.h>

#include <glib/gstdio.h>

/* Beyond this WebP (16383 pixels a side) and memory start to object. */
#define SAMPLE_MAX_MEGAPIXELS 100.0

/* Encoders are single-threaded, so images are written side by side; each
 * one in flight holds its full-size canvas in memory, hence a cap. */
#define SAMPLE_MAX_WRITERS 4

typedef enum {
  SAMPLE_JPEG,
  SAMPLE_JPEG_PROGRESSIVE,
  SAMPLE_PNG,
  SAMPLE_PNG_ALPHA,
  SAMPLE_WEBP,
} SampleKind;

static const char *const sample_extension[] = {
  [SAMPLE_JPEG] = "jpg",
  [SAMPLE_JPEG_PROGRESSIVE] = "jpg",
  [SAMPLE_PNG] = "png",
  [SAMPLE_PNG_ALPHA] = "png",
  [SAMPLE_WEBP] = "webp",
};

/* Formats by index, in cycles of 20: 11 baseline JPEG (55%), 4 progressive
 * (20%), 3 PNG of which one has alpha (15%), 2 WebP (10%). Interleaved so
 * that any run of neighbours, and so any shard, gets a similar mix. */
static const SampleKind sample_cycle[20] = {
  SAMPLE_JPEG, SAMPLE_JPEG_PROGRESSIVE, SAMPLE_JPEG, SAMPLE_PNG_ALPHA,
  SAMPLE_JPEG, SAMPLE_WEBP,             SAMPLE_JPEG, SAMPLE_JPEG_PROGRESSIVE,
  SAMPLE_JPEG, SAMPLE_PNG,              SAMPLE_JPEG, SAMPLE_JPEG,
  SAMPLE_JPEG_PROGRESSIVE, SAMPLE_JPEG, SAMPLE_PNG,  SAMPLE_JPEG,
  SAMPLE_WEBP, SAMPLE_JPEG,             SAMPLE_JPEG_PROGRESSIVE, SAMPLE_JPEG,
};

/* Landscape ratios; a third of the non-square ones are turned portrait. */
static const int sample_aspect[][2] = { { 4, 3 }, { 3, 2 }, { 16, 9 }, { 1, 1 } };

typedef struct {
  const char *dir;
  const ShardpixSampleOptions *options;
  int digits;
  GMutex lock;   /* guards the two fields below */
  guint next;    /* the next index to write */
  GError *error; /* the first failure: writers take no more work after it */
} SampleRun;

void
shardpix_sample_options_init (ShardpixSampleOptions *options)
{
  options->count = 1000;
  options->min_megapixels = 0.5;
  options->max_megapixels = 12.0;
  options->seed = 1;
}

/* The copy also clears the buffer, in one step: other writers may be
 * failing at the same time. */
static gboolean
sample_vips_error (GError **error, const char *name)
{
  g_autofree char *message = vips_error_buffer_copy ();

  g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_FAILED, "%s: %s", name,
               g_strchomp (message));
  return FALSE;
}

/* Area log-uniform, so that small and large images are equally common per
 * doubling of size, as in a real photo library. */
static void
sample_pick_size (GRand *rand, const ShardpixSampleOptions *options, int *width,
                  int *height)
{
  double lo = log (options->min_megapixels * 1e6);
  double hi = log (options->max_megapixels * 1e6);
  double area = exp (lo < hi ? g_rand_double_range (rand, lo, hi) : lo);
  int pick = g_rand_int_range (rand, 0, G_N_ELEMENTS (sample_aspect));
  double ratio = (double) sample_aspect[pick][0] / sample_aspect[pick][1];

  if (ratio != 1.0 && g_rand_int_range (rand, 0, 3) == 0)
    ratio = 1.0 / ratio;
  *width = MAX (1, (int) lround (sqrt (area * ratio)));
  *height = MAX (1, (int) lround (sqrt (area / ratio)));
}

static int
sample_save (VipsImage *image, SampleKind kind, const char *path)
{
  switch (kind)
    {
    case SAMPLE_JPEG:
    case SAMPLE_JPEG_PROGRESSIVE:
      /* Chroma subsampled like a camera's JPEG (vips turns it off at Q 90). */
      return vips_jpegsave (image, path, "Q", 90, "interlace",
                            kind == SAMPLE_JPEG_PROGRESSIVE, "subsample_mode",
                            VIPS_FOREIGN_SUBSAMPLE_ON, NULL);
    case SAMPLE_PNG:
    case SAMPLE_PNG_ALPHA:
      /* Grain leaves zlib little to find: above level 1 it only costs time
       * (and PNG is already a third of the run). */
      return vips_pngsave (image, path, "compression", 1, "filter",
                           VIPS_FOREIGN_PNG_FILTER_SUB, NULL);
    case SAMPLE_WEBP:
      /* The default effort takes over twice as long for a similar file. */
      return vips_webpsave (image, path, "Q", 80, "effort", 1, NULL);
    }
  g_assert_not_reached ();
}

/* Same seed and index, same image: each image has its own generator, so
 * its bytes depend neither on the others nor on which writer made it. */
static gboolean
sample_write_one (SampleRun *run, guint index, GError **error)
{
  g_autoptr (GRand) rand = NULL;
  g_autoptr (VipsImage) image = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  g_autofree char *tmp_name = NULL;
  g_autofree char *tmp_path = NULL;
  guint32 seeds[2] = { run->options->seed, index };
  SampleKind kind = sample_cycle[index % G_N_ELEMENTS (sample_cycle)];
  int width;
  int height;

  rand = g_rand_new_with_seed_array (seeds, G_N_ELEMENTS (seeds));
  sample_pick_size (rand, run->options, &width, &height);
  name = g_strdup_printf ("sample-%0*u.%s", run->digits, index, sample_extension[kind]);
  path = g_build_filename (run->dir, name, NULL);
  /* Hidden and not an image name until renamed: an interrupted run never
   * leaves a half image that a later run would take for a whole one. */
  tmp_name = g_strdup_printf (".%s.tmp", name);
  tmp_path = g_build_filename (run->dir, tmp_name, NULL);

  if (shardpix_sample_picture (rand, width, height, kind == SAMPLE_PNG_ALPHA, &image)
      || sample_save (image, kind, tmp_path))
    {
      g_unlink (tmp_path);
      return sample_vips_error (error, path);
    }
  if (g_rename (tmp_path, path) != 0)
    {
      int errsv = errno;

      g_unlink (tmp_path);
      return shardpix_error_errno (errsv, error, "cannot rename %s to %s", tmp_path,
                                   path);
    }
  return TRUE;
}

static gpointer
sample_writer (gpointer data)
{
  SampleRun *run = data;

  for (;;)
    {
      g_autoptr (GError) error = NULL;
      guint index;

      g_mutex_lock (&run->lock);
      if (run->error != NULL || run->next == run->options->count)
        {
          g_mutex_unlock (&run->lock);
          return NULL;
        }
      index = run->next++;
      g_mutex_unlock (&run->lock);

      if (!sample_write_one (run, index, &error))
        {
          g_mutex_lock (&run->lock);
          if (run->error == NULL)
            run->error = g_steal_pointer (&error);
          g_mutex_unlock (&run->lock);
        }
    }
}

gboolean
shardpix_sample_write (const char *dir, const ShardpixSampleOptions *options,
                       GError **error)
{
  SampleRun run = { .dir = dir, .options = options, .digits = 5 };
  g_autoptr (GPtrArray) threads = g_ptr_array_new ();
  guint writers = MIN (MIN ((guint) g_get_num_processors (), SAMPLE_MAX_WRITERS),
                       MAX (options->count, 1));

  /* Written as negations so that NaN is refused too. */
  if (!(options->min_megapixels > 0.0)
      || !(options->min_megapixels <= options->max_megapixels)
      || !(options->max_megapixels <= SAMPLE_MAX_MEGAPIXELS))
    {
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE,
                   "sample sizes must satisfy 0 < min (%g) <= max (%g) <= %g megapixels",
                   options->min_megapixels, options->max_megapixels,
                   SAMPLE_MAX_MEGAPIXELS);
      return FALSE;
    }
  if (g_mkdir_with_parents (dir, 0777) != 0)
    return shardpix_error_errno (errno, error, "cannot create %s", dir);

  /* Wide enough for the last index, so that names sort in index order. */
  for (guint last = options->count > 0 ? options->count - 1 : 0; last >= 100000;
       last /= 10)
    run.digits++;

  g_mutex_init (&run.lock);
  /* libvips builds each operation's class on first use, and doing that from
   * several threads at once was seen to corrupt GObject signal state
   * ("signal id is invalid" warnings, one crash): one whole cycle of
   * formats is written by this thread alone before any other starts. */
  while (run.next < MIN (options->count, G_N_ELEMENTS (sample_cycle)) && run.error == NULL)
    {
      guint index = run.next++;

      sample_write_one (&run, index, &run.error);
    }
  /* The calling thread is a writer too. A thread that cannot be started
   * only makes the run slower, so it is no error. */
  for (guint i = 1; i < writers; i++)
    {
      GThread *thread = g_thread_try_new ("shardpix-sample", sample_writer, &run, NULL);

      if (thread != NULL)
        g_ptr_array_add (threads, thread);
    }
  sample_writer (&run);
  for (guint i = 0; i < threads->len; i++)
    g_thread_join (threads->pdata[i]);
  g_mutex_clear (&run.lock);

  if (run.error != NULL)
    {
      g_propagate_error (error, run.error);
      return FALSE;
    }
  return TRUE;
}
