#include "shardpix/choice.h"

int
shardpix_choice_find (const char *const *names, guint n_names, const char *text)
{
  for (guint i = 0; i < n_names; i++)
    if (g_strcmp0 (text, names[i]) == 0)
      return (int) i;
  return -1;
}

char *
shardpix_choice_list (const char *const *names, guint n_names)
{
  GString *list = g_string_new (NULL);

  for (guint i = 0; i < n_names; i++)
    g_string_append_printf (list, "%s%s", i == 0 ? "" : i + 1 == n_names ? " or " : ", ",
                            names[i]);
  return g_string_free (list, FALSE);
}
