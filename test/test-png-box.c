/* The PNG fast path's box filter (lib/fastload-png-box.c) against the
 * definition it implements, computed here the plain way: each output pixel
 * is the rounded mean of its box's Rec.601 luma, colour weighted by alpha,
 * and alpha the rounded mean of its box. Rows of random bytes, with the
 * extremes (0, 255, alpha 0) over-represented, in every layout the fast
 * path reads, for the shrinks that have their own loop and some that do
 * not, and widths that leave a partial box at the end. */
#include <vips/vips.h>

#include "shardpix/fastload-png-box.h"
#include "shardpix/fastload.h"
#include "fixtures.h"

typedef struct {
  int channels; /* of the expanded pixel: 1-4 */
  gboolean palette;
} Layout;

/* The expanded pixel @x of @row: grey or RGB and alpha (255 without). */
static void
expanded_pixel (const ShardpixPngBox *box, const Layout *layout, const guint8 *row, guint x,
                guint32 *luma, guint32 *alpha)
{
  const int colours = layout->channels <= 2 ? 1 : 3;

  if (layout->palette)
    {
      *luma = box->palette_luma[row[x]];
      *alpha = layout->channels == 4 ? box->palette_alpha[row[x]] : 255;
      return;
    }
  *luma = shardpix_png_box_luma (row + (gsize) x * layout->channels, colours);
  *alpha = layout->channels % 2 == 0 ? row[(gsize) x * layout->channels + colours] : 255;
}

/* The output pixel of the box at column @ox of the @rows rows, by its
 * definition, with a 64-bit division as the first version did. */
static void
expected_pixel (const ShardpixPngBox *box, const Layout *layout, guint8 **rows, guint n_rows,
                guint ox, guint8 *grey, guint8 *alpha)
{
  const gboolean has_alpha = layout->channels % 2 == 0;
  guint64 sum_y = 0;
  guint64 sum_a = 0;
  guint64 n = 0;

  for (guint r = 0; r < n_rows; r++)
    for (guint x = ox * box->shrink; x < MIN ((ox + 1) * box->shrink, box->width); x++)
      {
        guint32 luma;
        guint32 a;

        expanded_pixel (box, layout, rows[r], x, &luma, &a);
        sum_y += has_alpha ? (guint64) luma * a : luma;
        sum_a += a;
        n++;
      }
  if (has_alpha)
    {
      *grey = sum_a == 0 ? 0 : (guint8) ((sum_y + (sum_a << 15)) / (sum_a << 16));
      *alpha = (guint8) ((sum_a + n / 2) / n);
    }
  else
    *grey = (guint8) ((sum_y + (n << 15)) / (n << 16));
}

static void
check_layout (const Layout *layout, guint width, guint shrink, guint n_rows, GRand *rand)
{
  const gboolean has_alpha = layout->channels % 2 == 0;
  const guint bytes = layout->palette ? 1 : (guint) layout->channels;
  ShardpixPngBox box = { 0 };
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func (g_free);

  box.width = width;
  box.shrink = shrink;
  box.out_width = (width + shrink - 1) / shrink;
  box.palette = layout->palette;
  for (int i = 0; i < 256; i++)
    {
      const guint8 rgb[3] = { fixtures_random_byte (rand), fixtures_random_byte (rand),
                              fixtures_random_byte (rand) };

      box.palette_luma[i] = shardpix_png_box_luma (rgb, 3);
      box.palette_alpha[i] = fixtures_random_byte (rand);
    }
  box.sum_y = g_new0 (guint64, box.out_width);
  box.sum_a = g_new0 (guint64, box.out_width);
  box.out = shardpix_fastload_new_image ((int) box.out_width, 1, has_alpha ? 2 : 1, 1.0, 1.0);
  g_assert_nonnull (box.out);

  /* Two boxes in turn through the same state: nothing of the first may be
   * left in its sums when the second comes. */
  for (int pass = 0; pass < 2; pass++)
    {
      g_ptr_array_set_size (rows, 0);
      for (guint r = 0; r < n_rows; r++)
        {
          guint8 *row = g_malloc ((gsize) width * bytes);

          for (gsize i = 0; i < (gsize) width * bytes; i++)
            row[i] = fixtures_random_byte (rand);
          g_ptr_array_add (rows, row);
          /* The rows of one box, written to output row 0 (a shrink of 1 has
           * one row a box). */
          box.out_row = 0;
          shardpix_png_box_push (&box, row, layout->channels, r + 1 == n_rows);
        }

      for (guint ox = 0; ox < box.out_width; ox++)
        {
          const guint8 *got = VIPS_IMAGE_ADDR (box.out, ox, 0);
          guint8 grey;
          guint8 alpha = 0;

          expected_pixel (&box, layout, (guint8 **) rows->pdata, n_rows, ox, &grey, &alpha);
          if (got[0] != grey || (has_alpha && got[1] != alpha))
            g_error (
                "%s%d channels, width %u, shrink %u, %u rows, box %u: got %u/%u, expected %u/%u",
                layout->palette ? "palette, " : "", layout->channels, width, shrink, n_rows, ox,
                got[0], has_alpha ? got[1] : 0, grey, alpha);
          /* The sums must be clear for the next output row. */
          if (shrink > 1)
            g_assert_true (box.sum_y[ox] == 0 && box.sum_a[ox] == 0);
        }
    }

  g_object_unref (box.out);
  shardpix_png_box_clear (&box);
}

static void
test_matches_definition (void)
{
  static const Layout layouts[] = {
    { 1, FALSE }, { 2, FALSE }, { 3, FALSE }, { 4, FALSE }, { 3, TRUE }, { 4, TRUE },
  };
  /* 257: the tallest box summed down its columns first (grey, RGB). */
  static const guint shrinks[] = { 1, 2, 3, 4, 5, 7, 16, 257, 258 };
  static const guint widths[] = { 1, 2, 3, 17, 64, 101 };
  g_autoptr (GRand) rand = g_rand_new_with_seed (15);

  for (guint l = 0; l < G_N_ELEMENTS (layouts); l++)
    for (guint s = 0; s < G_N_ELEMENTS (shrinks); s++)
      for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
        /* A full box's rows, and fewer (the last output row). */
        for (guint rows = 1; rows <= shrinks[s]; rows += MAX (1, shrinks[s] - 1))
          for (int repeat = 0; repeat < 4; repeat++)
            check_layout (&layouts[l], widths[w], shrinks[s], rows, rand);
}

int
main (int argc, char **argv)
{
  fixtures_init (&argc, &argv);
  g_test_add_func ("/shardpix/png-box/matches-definition", test_matches_definition);
  return g_test_run ();
}
