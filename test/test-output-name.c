#include <string.h>

#include <glib.h>

#include "shardpix/error.h"
#include "shardpix/output-name.h"

static void
test_accepted (void)
{
  const char *good[] = { "tn_%s.webp[Q=80]", "%s.jpg", "%s_small.PNG", "x%%_%s.tif[compression=lzw,tile]",
                         "%s-%s.gif", "same.jpg", "%s.jpeg[Q=90,strip=false]" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GError) error = NULL;

      g_test_message ("template '%s'", good[i]);
      g_assert_true (shardpix_output_name_check (good[i], &error));
      g_assert_no_error (error);
    }
}

static void
test_refused (void)
{
  const char *bad[] = { "", "sub/%s.jpg", ".%s.jpg", "%d.jpg", "%s", "%s.bmp", "%s.svg",
                        "%s.jpg[Q=80", "%s.jpg[]", "%s.jpg[Q=]", "%s.jpg[=3]", "%s.jpg[Q=80]x",
                        "%s.jpg[a,,b]", "%s.jpg[Q=8]]", "[Q=3]", "%s.webp[Q=[1]]", "%" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;

      g_test_message ("template '%s'", bad[i]);
      g_assert_false (shardpix_output_name_check (bad[i], &error));
      g_assert_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_USAGE);
      g_assert_nonnull (strstr (error->message, bad[i]));
    }
}

static void
test_expand (void)
{
  const struct {
    const char *template, *rel, *name, *options;
  } cases[] = {
    { "tn_%s.webp[Q=80]", "a.jpg", "tn_a.webp", "Q=80" },
    { "%s.png", "sub/dir/photo.final.JPG", "sub/dir/photo.final.png", "" },
    { "%s-%s.jpg", "x.png", "x-x.jpg", "" },
    { "100%%_%s.tif[compression=lzw,tile]", "d/y.tif", "d/100%_y.tif", "compression=lzw,tile" },
    { "fixed.jpg", "d/z.gif", "d/fixed.jpg", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = NULL;
      g_autofree char *options = NULL;

      shardpix_output_name_expand (cases[i].template, cases[i].rel, &name, &options);
      g_assert_cmpstr (name, ==, cases[i].name);
      g_assert_cmpstr (options, ==, cases[i].options);
    }
}

static void
test_formats (void)
{
  g_assert_cmpstr (shardpix_output_name_format_template ("jpeg"), ==, "%s.jpg");
  g_assert_cmpstr (shardpix_output_name_format_template ("PNG"), ==, "%s.png");
  g_assert_cmpstr (shardpix_output_name_format_template ("webp"), ==, "%s.webp");
  g_assert_cmpstr (shardpix_output_name_format_template ("tiff"), ==, "%s.tif");
  g_assert_null (shardpix_output_name_format_template ("bmp"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/shardpix/output-name/accepted", test_accepted);
  g_test_add_func ("/shardpix/output-name/refused", test_refused);
  g_test_add_func ("/shardpix/output-name/expand", test_expand);
  g_test_add_func ("/shardpix/output-name/formats", test_formats);
  return g_test_run ();
}
