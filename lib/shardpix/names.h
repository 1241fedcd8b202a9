/* Option values that name an enum's members ("count", "bytes", ...): the
 * lookup every such option shares. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The index of @text in @names (@n_names of them), or -1. */
int shardpix_names_find (const char *const *names, guint n_names, const char *text);

/* "none, centre, attention or entropy": @names listed for a message. */
char *shardpix_names_list (const char *const *names, guint n_names);

G_END_DECLS
