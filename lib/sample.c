#include "shardpix/sample.h"

#include "shardpix/error.h"
#include "shardpix/vips-autoptr.h"

#include <errno.h>
#include <math.h>

#include <glib/gstdio.h>

/* The smooth part of a picture (gradient, clouds) is made at no more than
 * this many pixels and enlarged: at full size it costs more than encoding. */
#define SAMPLE_WORK_AREA 200000.0

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

/* vips_resize() rounds the output size; the odd pixel is trimmed or
 * repeated so that sizes come out exact. */
static int
sample_fit (VipsImage *in, int width, int height, VipsImage **out)
{
  g_autoptr (VipsImage) scaled = NULL;

  if (vips_resize (in, &scaled, (double) width / in->Xsize, "vscale",
                   (double) height / in->Ysize, NULL))
    return -1;
  return vips_embed (scaled, out, 0, 0, width, height, "extend", VIPS_EXTEND_COPY,
                     NULL);
}

/* Blocks of @factor pixels: cheap, and the steps between blocks of a smooth
 * image are about a grey level, lost in the grain added later. */
static int
sample_enlarge (VipsImage *in, int factor, int width, int height, VipsImage **out)
{
  g_autoptr (VipsImage) zoomed = NULL;

  if (vips_zoom (in, &zoomed, factor, factor, NULL))
    return -1;
  return vips_extract_area (zoomed, out, 0, 0, width, height, NULL);
}

/* A light ramp shared by all bands plus a tint of each: a float image
 * roughly in 0..255, clipped by the final cast. */
static int
sample_gradient (GRand *rand, int width, int height, int bands, VipsImage **out)
{
  g_autoptr (VipsImage) xy = NULL;
  g_autoptr (VipsImage) matrix = NULL;
  g_autoptr (VipsImage) ramp = NULL;
  double light_x = g_rand_double_range (rand, -90.0, 90.0);
  double light_y = g_rand_double_range (rand, -90.0, 90.0);
  double coeff[2 * 4];
  double scale[4];
  double offset[4];

  g_assert (bands <= 4);
  for (int b = 0; b < bands; b++)
    {
      double dx = light_x + g_rand_double_range (rand, -35.0, 35.0);
      double dy = light_y + g_rand_double_range (rand, -35.0, 35.0);

      coeff[2 * b] = dx / width;
      coeff[2 * b + 1] = dy / height;
      scale[b] = 1.0;
      /* Centred, so that the middle of the image has the base colour. */
      offset[b] = g_rand_double_range (rand, 50.0, 200.0) - (dx + dy) / 2.0;
    }
  matrix = vips_image_new_matrix_from_array (2, bands, coeff, 2 * bands);
  if (matrix == NULL)
    return -1;
  if (vips_xyz (&xy, width, height, NULL) || vips_recomb (xy, &ramp, matrix, NULL))
    return -1;
  return vips_linear (ramp, out, scale, offset, bands, NULL);
}

/* 3-band gaussian noise of @width x @height, as a float image. */
static int
sample_noise (GRand *rand, int width, int height, double sigma, VipsImage **out)
{
  g_autoptr (VipsImage) noise = NULL;

  if (vips_gaussnoise (&noise, 3 * width, height, "mean", 0.0, "sigma", sigma, "seed",
                       (int) g_rand_int (rand), NULL))
    return -1;
  return vips_bandfold (noise, out, "factor", 3, NULL);
}

/* Clouds: colour variation at three scales, about 45, 15 and 5 pixels
 * across. The octaves are summed on the grid of the finest, a few thousand
 * pixels, so that only one resize runs at the size of the backdrop. */
static int
sample_clouds (GRand *rand, int width, int height, VipsImage **out)
{
  g_autoptr (VipsImage) coarse = NULL;
  g_autoptr (VipsImage) coarse_fit = NULL;
  g_autoptr (VipsImage) middle = NULL;
  g_autoptr (VipsImage) middle_fit = NULL;
  g_autoptr (VipsImage) fine = NULL;
  g_autoptr (VipsImage) sum = NULL;
  g_autoptr (VipsImage) grid = NULL;
  int grid_width = MAX (2, width / 5);
  int grid_height = MAX (2, height / 5);
  VipsImage *octaves[3];

  if (sample_noise (rand, MAX (2, width / 45), MAX (2, height / 45),
                    g_rand_double_range (rand, 8.0, 20.0), &coarse)
      || sample_fit (coarse, grid_width, grid_height, &coarse_fit)
      || sample_noise (rand, MAX (2, width / 15), MAX (2, height / 15),
                       g_rand_double_range (rand, 3.0, 8.0), &middle)
      || sample_fit (middle, grid_width, grid_height, &middle_fit)
      || sample_noise (rand, grid_width, grid_height, g_rand_double_range (rand, 1.0, 4.0),
                       &fine))
    return -1;
  octaves[0] = coarse_fit;
  octaves[1] = middle_fit;
  octaves[2] = fine;
  if (vips_sum (octaves, &sum, 3, NULL))
    return -1;
  grid = vips_image_copy_memory (sum);
  if (grid == NULL)
    return -1;
  return sample_fit (grid, width, height, out);
}

/* The smooth part of the picture, small: a gradient sky with clouds over
 * it, so that no area is flat. */
static int
sample_backdrop (GRand *rand, int width, int height, VipsImage **out)
{
  g_autoptr (VipsImage) gradient = NULL;
  g_autoptr (VipsImage) clouds = NULL;
  g_autoptr (VipsImage) sum = NULL;

  if (sample_gradient (rand, width, height, 3, &gradient)
      || sample_clouds (rand, width, height, &clouds)
      || vips_add (gradient, clouds, &sum, NULL))
    return -1;
  return vips_cast (sum, out, VIPS_FORMAT_UCHAR, NULL);
}

static VipsPel
sample_clip (int v)
{
  return (VipsPel) CLAMP (v, 0, 255);
}

/* Shapes are drawn here rather than with vips_draw_circle() and friends:
 * those go through vips_image_inplace(), which is not safe while other
 * threads run pipelines, and a call costs more than the pixels it sets.
 * The canvas is a 3-band uchar memory image. */
static void
sample_span (VipsImage *canvas, int y, int x0, int x1, const VipsPel *ink)
{
  VipsPel *p;

  x0 = MAX (x0, 0);
  x1 = MIN (x1, canvas->Xsize);
  if (y < 0 || y >= canvas->Ysize || x0 >= x1)
    return;
  for (p = VIPS_IMAGE_ADDR (canvas, x0, y); x0 < x1; x0++, p += 3)
    {
      p[0] = ink[0];
      p[1] = ink[1];
      p[2] = ink[2];
    }
}

/* A ball lit from the front and a little to one side, with a highlight. */
static void
sample_draw_ball (GRand *rand, VipsImage *canvas, const double *colour)
{
  double radius = MAX (1.0, MIN (canvas->Xsize, canvas->Ysize)
                              * g_rand_double_range (rand, 0.03, 0.2));
  double cx = g_rand_double_range (rand, 0.0, canvas->Xsize);
  double cy = g_rand_double_range (rand, 0.0, canvas->Ysize);
  double angle = g_rand_double_range (rand, 0.0, 2.0 * G_PI);
  double light[3] = { 0.6 * cos (angle), 0.6 * sin (angle), 0.8 };
  int top = MAX (0, (int) (cy - radius));
  int bottom = MIN (canvas->Ysize, (int) (cy + radius) + 1);

  for (int y = top; y < bottom; y++)
    {
      double ny = (y + 0.5 - cy) / radius;
      double across = 1.0 - ny * ny;
      int x0;
      int x1;
      VipsPel *p;

      if (across <= 0.0)
        continue;
      x0 = MAX (0, (int) ceil (cx - radius * sqrt (across) - 0.5));
      x1 = MIN (canvas->Xsize, (int) floor (cx + radius * sqrt (across) - 0.5) + 1);
      if (x0 >= x1)
        continue;
      p = VIPS_IMAGE_ADDR (canvas, x0, y);
      for (int x = x0; x < x1; x++, p += 3)
        {
          double nx = (x + 0.5 - cx) / radius;
          double nz = sqrt (MAX (0.0, across - nx * nx));
          double lit = MAX (0.0, nx * light[0] + ny * light[1] + nz * light[2]);
          double shine = lit * lit * lit * lit;

          shine *= shine * shine * shine;
          for (int b = 0; b < 3; b++)
            p[b] = sample_clip ((int) (colour[b] * (0.2 + 0.8 * lit)
                                       + (255.0 - colour[b]) * 0.6 * shine));
        }
    }
}

/* A box lit from above or below. */
static void
sample_draw_panel (GRand *rand, VipsImage *canvas, const double *colour)
{
  int left = g_rand_int_range (rand, -canvas->Xsize / 8, canvas->Xsize);
  int top = g_rand_int_range (rand, -canvas->Ysize / 8, canvas->Ysize);
  int width = 1 + (int) (canvas->Xsize * g_rand_double_range (rand, 0.05, 0.4));
  int height = 1 + (int) (canvas->Ysize * g_rand_double_range (rand, 0.05, 0.4));
  double light = g_rand_double_range (rand, -0.3, 0.3);

  for (int y = MAX (top, 0); y < MIN (top + height, canvas->Ysize); y++)
    {
      double f = 1.0 + light * ((double) (y - top) / height - 0.5);
      VipsPel ink[3];

      for (int b = 0; b < 3; b++)
        ink[b] = sample_clip ((int) (colour[b] * f));
      sample_span (canvas, y, left, left + width, ink);
    }
}

/* A pole or a wire with hard edges: Bresenham, a few pixels thick. */
static void
sample_draw_wire (GRand *rand, VipsImage *canvas, const double *colour)
{
  int x = g_rand_int_range (rand, 0, canvas->Xsize);
  int y = g_rand_int_range (rand, 0, canvas->Ysize);
  int x_end = g_rand_int_range (rand, 0, canvas->Xsize);
  int y_end = g_rand_int_range (rand, 0, canvas->Ysize);
  int thick = g_rand_int_range (rand, 1, 8);
  int dx = ABS (x_end - x);
  int dy = -ABS (y_end - y);
  int err = dx + dy;
  VipsPel ink[3];

  for (int b = 0; b < 3; b++)
    ink[b] = sample_clip ((int) colour[b]);
  for (;;)
    {
      int e2 = 2 * err;

      /* Thick across the line: along x when it is steep, else along y. */
      if (-dy > dx)
        sample_span (canvas, y, x, x + thick, ink);
      else
        for (int t = 0; t < thick; t++)
          sample_span (canvas, y + t, x, x + 1, ink);
      if (x == x_end && y == y_end)
        break;
      if (e2 >= dy)
        {
          err += dy;
          x += x < x_end ? 1 : -1;
        }
      if (e2 <= dx)
        {
          err += dx;
          y += y < y_end ? 1 : -1;
        }
    }
}

static void
sample_draw_shapes (GRand *rand, VipsImage *canvas)
{
  int shapes = g_rand_int_range (rand, 3, 12);

  g_assert (canvas->Bands == 3 && canvas->BandFmt == VIPS_FORMAT_UCHAR);
  for (int i = 0; i < shapes; i++)
    {
      double colour[3];

      for (int b = 0; b < 3; b++)
        colour[b] = g_rand_double_range (rand, 10.0, 245.0);
      switch (g_rand_int_range (rand, 0, 3))
        {
        case 0:
          sample_draw_ball (rand, canvas, colour);
          break;
        case 1:
          sample_draw_panel (rand, canvas, colour);
          break;
        default:
          sample_draw_wire (rand, canvas, colour);
          break;
        }
    }
}

/* The gaussian quantile of @p, by bisection: erfc() is all C offers. */
static double
sample_probit (double p)
{
  double lo = -8.0;
  double hi = 8.0;

  for (int i = 0; i < 40; i++)
    {
      double mid = (lo + hi) / 2.0;

      if (0.5 * erfc (-mid / G_SQRT2) < p)
        lo = mid;
      else
        hi = mid;
    }
  return (lo + hi) / 2.0;
}

static guint64
sample_xorshift (guint64 *state)
{
  *state ^= *state >> 12;
  *state ^= *state << 25;
  *state ^= *state >> 27;
  return *state * G_GUINT64_CONSTANT (0x2545F4914F6CDD1D);
}

/* Sensor grain on every sample of the uchar memory image @canvas. Made here
 * rather than with vips_gaussnoise(), which costs more per pixel than
 * encoding the image: each sample takes 8 bits of xorshift64* output as
 * one of 256 equally likely gaussian quantiles. */
static void
sample_add_grain (GRand *rand, VipsImage *canvas, double sigma)
{
  guint64 state = ((guint64) g_rand_int (rand) << 32 | g_rand_int (rand)) | 1;
  gsize samples = (gsize) canvas->Xsize * canvas->Bands;
  int offset[256];

  g_assert (canvas->BandFmt == VIPS_FORMAT_UCHAR);
  for (int k = 0; k < 256; k++)
    offset[k] = (int) lround (sigma * sample_probit ((k + 0.5) / 256.0));

  for (int y = 0; y < canvas->Ysize; y++)
    {
      VipsPel *p = VIPS_IMAGE_ADDR (canvas, 0, y);
      guint64 bits;
      gsize i;

      /* By whole eights, one random number each, then the rest: this runs
       * twice as fast as testing for a new number at every sample. */
      for (i = 0; i + 8 <= samples; i += 8)
        {
          bits = sample_xorshift (&state);
          for (int j = 0; j < 8; j++, bits >>= 8)
            p[i + j] = sample_clip (p[i + j] + offset[bits & 255]);
        }
      bits = sample_xorshift (&state);
      for (; i < samples; i++, bits >>= 8)
        p[i] = sample_clip (p[i] + offset[bits & 255]);
    }
}

static int
sample_make (GRand *rand, int width, int height, gboolean alpha, VipsImage **out)
{
  g_autoptr (VipsImage) backdrop = NULL;
  g_autoptr (VipsImage) small = NULL;
  g_autoptr (VipsImage) enlarged = NULL;
  g_autoptr (VipsImage) canvas = NULL;
  g_autoptr (VipsImage) with_alpha = NULL;
  int factor = MAX (1, (int) ceil (sqrt ((double) width * height / SAMPLE_WORK_AREA)));
  int work_width = (width + factor - 1) / factor;
  int work_height = (height + factor - 1) / factor;

  if (sample_backdrop (rand, work_width, work_height, &backdrop))
    return -1;
  /* In memory before enlarging, so that the clouds are rendered once, not
   * once per tile of the output. */
  small = vips_image_copy_memory (backdrop);
  if (small == NULL || sample_enlarge (small, factor, width, height, &enlarged))
    return -1;
  /* Shapes and grain are written into a private full-size copy, drawn at
   * full size so that edges stay sharp. */
  canvas = vips_image_copy_memory (enlarged);
  if (canvas == NULL)
    return -1;
  sample_draw_shapes (rand, canvas);
  sample_add_grain (rand, canvas, g_rand_double_range (rand, 2.0, 6.0));

  if (alpha)
    {
      g_autoptr (VipsImage) ramp = NULL;
      g_autoptr (VipsImage) mask_small = NULL;
      g_autoptr (VipsImage) mask = NULL;

      if (sample_gradient (rand, work_width, work_height, 1, &ramp)
          || vips_cast (ramp, &mask_small, VIPS_FORMAT_UCHAR, NULL)
          || sample_enlarge (mask_small, factor, width, height, &mask)
          || vips_bandjoin2 (canvas, mask, &with_alpha, NULL))
        return -1;
    }
  return vips_copy (alpha ? with_alpha : canvas, out, "interpretation",
                    VIPS_INTERPRETATION_sRGB, NULL);
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

  if (sample_make (rand, width, height, kind == SAMPLE_PNG_ALPHA, &image)
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
