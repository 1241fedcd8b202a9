/* libFuzzer target: the parsers of option values users type. Whatever the
 * text, they accept it with values in range or refuse it with an error. */
#include <string.h>

#include "shardpix/job.h"
#include "shardpix/slice.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr (GError) error = NULL;
  ShardpixFailOn fail_on = SHARDPIX_FAIL_ON_NONE;
  int width = -1, height = -1;

  if (shardpix_job_parse_size (text, &width, &height, &error))
    {
      g_autofree char *again = g_strdup_printf ("%dx%d", width, height);
      int w2 = 0, h2 = 0;

      if (error != NULL || width < 1 || height < 1 || width > 100000 || height > 100000)
        __builtin_trap ();
      /* What it accepted, written back, parses to the same box. */
      if (!shardpix_job_parse_size (again, &w2, &h2, NULL) || w2 != width || h2 != height)
        __builtin_trap ();
    }
  else if (error == NULL || width != -1 || height != -1)
    __builtin_trap ();
  g_clear_error (&error);

  if (shardpix_job_parse_fail_on (text, &fail_on, &error))
    {
      if (strcmp (shardpix_job_fail_on_name (fail_on), text) != 0)
        __builtin_trap ();
    }
  else if (error == NULL)
    __builtin_trap ();
  g_clear_error (&error);

  {
    ShardpixSlice slice = { 0, 0 };

    if (shardpix_slice_parse (text, &slice, &error))
      {
        g_autofree char *again = g_strdup_printf ("%u/%u", slice.index, slice.count);
        ShardpixSlice back = { 0, 0 };

        if (error != NULL || slice.count < 1 || slice.index >= slice.count
            || slice.count > SHARDPIX_SLICE_MAX)
          __builtin_trap ();
        if (!shardpix_slice_parse (again, &back, NULL) || back.index != slice.index
            || back.count != slice.count)
          __builtin_trap ();
      }
    else if (error == NULL)
      __builtin_trap ();
  }
  return 0;
}
