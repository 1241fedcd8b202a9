#include "shardpix/sample-picture.h"

#include <math.h>

#include "shardpix/vips-autoptr.h"

/* The smooth part of a picture (gradient, clouds) is made at no more than
 * this many pixels and enlarged: at full size it costs more than encoding. */
#define SAMPLE_PICTURE_WORK_AREA 200000.0

/* vips_resize() rounds the output size; the odd pixel is trimmed or
 * repeated so that sizes come out exact. */
static int
sample_picture_fit (VipsImage *in, int width, int height, VipsImage **out)
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
sample_picture_enlarge (VipsImage *in, int factor, int width, int height, VipsImage **out)
{
  g_autoptr (VipsImage) zoomed = NULL;

  if (vips_zoom (in, &zoomed, factor, factor, NULL))
    return -1;
  return vips_extract_area (zoomed, out, 0, 0, width, height, NULL);
}

/* A light ramp shared by all bands plus a tint of each: a float image
 * roughly in 0..255, clipped by the final cast. */
static int
sample_picture_gradient (GRand *rand, int width, int height, int bands, VipsImage **out)
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
sample_picture_noise (GRand *rand, int width, int height, double sigma, VipsImage **out)
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
sample_picture_clouds (GRand *rand, int width, int height, VipsImage **out)
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

  if (sample_picture_noise (rand, MAX (2, width / 45), MAX (2, height / 45),
                    g_rand_double_range (rand, 8.0, 20.0), &coarse)
      || sample_picture_fit (coarse, grid_width, grid_height, &coarse_fit)
      || sample_picture_noise (rand, MAX (2, width / 15), MAX (2, height / 15),
                       g_rand_double_range (rand, 3.0, 8.0), &middle)
      || sample_picture_fit (middle, grid_width, grid_height, &middle_fit)
      || sample_picture_noise (rand, grid_width, grid_height, g_rand_double_range (rand, 1.0, 4.0),
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
  return sample_picture_fit (grid, width, height, out);
}

/* The smooth part of the picture, small: a gradient sky with clouds over
 * it, so that no area is flat. */
static int
sample_picture_backdrop (GRand *rand, int width, int height, VipsImage **out)
{
  g_autoptr (VipsImage) gradient = NULL;
  g_autoptr (VipsImage) clouds = NULL;
  g_autoptr (VipsImage) sum = NULL;

  if (sample_picture_gradient (rand, width, height, 3, &gradient)
      || sample_picture_clouds (rand, width, height, &clouds)
      || vips_add (gradient, clouds, &sum, NULL))
    return -1;
  return vips_cast (sum, out, VIPS_FORMAT_UCHAR, NULL);
}

static VipsPel
sample_picture_clip (int v)
{
  return (VipsPel) CLAMP (v, 0, 255);
}

/* Shapes are drawn here rather than with vips_draw_circle() and friends:
 * those go through vips_image_inplace(), which is not safe while other
 * threads run pipelines, and a call costs more than the pixels it sets.
 * The canvas is a 3-band uchar memory image. */
static void
sample_picture_span (VipsImage *canvas, int y, int x0, int x1, const VipsPel *ink)
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
sample_picture_draw_ball (GRand *rand, VipsImage *canvas, const double *colour)
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
            p[b] = sample_picture_clip ((int) (colour[b] * (0.2 + 0.8 * lit)
                                       + (255.0 - colour[b]) * 0.6 * shine));
        }
    }
}

/* A box lit from above or below. */
static void
sample_picture_draw_panel (GRand *rand, VipsImage *canvas, const double *colour)
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
        ink[b] = sample_picture_clip ((int) (colour[b] * f));
      sample_picture_span (canvas, y, left, left + width, ink);
    }
}

/* A pole or a wire with hard edges: Bresenham, a few pixels thick. */
static void
sample_picture_draw_wire (GRand *rand, VipsImage *canvas, const double *colour)
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
    ink[b] = sample_picture_clip ((int) colour[b]);
  for (;;)
    {
      int e2 = 2 * err;

      /* Thick across the line: along x when it is steep, else along y. */
      if (-dy > dx)
        sample_picture_span (canvas, y, x, x + thick, ink);
      else
        for (int t = 0; t < thick; t++)
          sample_picture_span (canvas, y + t, x, x + 1, ink);
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
sample_picture_draw_shapes (GRand *rand, VipsImage *canvas)
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
          sample_picture_draw_ball (rand, canvas, colour);
          break;
        case 1:
          sample_picture_draw_panel (rand, canvas, colour);
          break;
        default:
          sample_picture_draw_wire (rand, canvas, colour);
          break;
        }
    }
}

/* The gaussian quantile of @p, by bisection: erfc() is all C offers. */
static double
sample_picture_probit (double p)
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
sample_picture_xorshift (guint64 *state)
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
sample_picture_add_grain (GRand *rand, VipsImage *canvas, double sigma)
{
  guint64 state = ((guint64) g_rand_int (rand) << 32 | g_rand_int (rand)) | 1;
  gsize samples = (gsize) canvas->Xsize * canvas->Bands;
  int offset[256];

  g_assert (canvas->BandFmt == VIPS_FORMAT_UCHAR);
  for (int k = 0; k < 256; k++)
    offset[k] = (int) lround (sigma * sample_picture_probit ((k + 0.5) / 256.0));

  for (int y = 0; y < canvas->Ysize; y++)
    {
      VipsPel *p = VIPS_IMAGE_ADDR (canvas, 0, y);
      guint64 bits;
      gsize i;

      /* By whole eights, one random number each, then the rest: this runs
       * twice as fast as testing for a new number at every sample. */
      for (i = 0; i + 8 <= samples; i += 8)
        {
          bits = sample_picture_xorshift (&state);
          for (int j = 0; j < 8; j++, bits >>= 8)
            p[i + j] = sample_picture_clip (p[i + j] + offset[bits & 255]);
        }
      bits = sample_picture_xorshift (&state);
      for (; i < samples; i++, bits >>= 8)
        p[i] = sample_picture_clip (p[i] + offset[bits & 255]);
    }
}

int
shardpix_sample_picture (GRand *rand, int width, int height, gboolean alpha, VipsImage **out)
{
  g_autoptr (VipsImage) backdrop = NULL;
  g_autoptr (VipsImage) small = NULL;
  g_autoptr (VipsImage) enlarged = NULL;
  g_autoptr (VipsImage) canvas = NULL;
  g_autoptr (VipsImage) with_alpha = NULL;
  int factor = MAX (1, (int) ceil (sqrt ((double) width * height / SAMPLE_PICTURE_WORK_AREA)));
  int work_width = (width + factor - 1) / factor;
  int work_height = (height + factor - 1) / factor;

  if (sample_picture_backdrop (rand, work_width, work_height, &backdrop))
    return -1;
  /* In memory before enlarging, so that the clouds are rendered once, not
   * once per tile of the output. */
  small = vips_image_copy_memory (backdrop);
  if (small == NULL || sample_picture_enlarge (small, factor, width, height, &enlarged))
    return -1;
  /* Shapes and grain are written into a private full-size copy, drawn at
   * full size so that edges stay sharp. */
  canvas = vips_image_copy_memory (enlarged);
  if (canvas == NULL)
    return -1;
  sample_picture_draw_shapes (rand, canvas);
  sample_picture_add_grain (rand, canvas, g_rand_double_range (rand, 2.0, 6.0));

  if (alpha)
    {
      g_autoptr (VipsImage) ramp = NULL;
      g_autoptr (VipsImage) mask_small = NULL;
      g_autoptr (VipsImage) mask = NULL;

      if (sample_picture_gradient (rand, work_width, work_height, 1, &ramp)
          || vips_cast (ramp, &mask_small, VIPS_FORMAT_UCHAR, NULL)
          || sample_picture_enlarge (mask_small, factor, width, height, &mask)
          || vips_bandjoin2 (canvas, mask, &with_alpha, NULL))
        return -1;
    }
  return vips_copy (alpha ? with_alpha : canvas, out, "interpretation",
                    VIPS_INTERPRETATION_sRGB, NULL);
}
