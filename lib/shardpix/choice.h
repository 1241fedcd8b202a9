/* An option value that names one member of an enum ("count", "bytes",
 * ...): the lookup and the list every such option shares. Not to be
 * confused with naming.h, which names output files. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The index of @text in @names (@n_names of them), or -1. */
int shardpix_choice_find (const char *const *names, guint n_names, const char *text);

/* "none, centre, attention or entropy": @names listed for a message. */
char *shardpix_choice_list (const char *const *names, guint n_names);

G_END_DECLS
