/* Output names the way `vipsthumbnail -o` writes them: a template such as
 * "tn_%s.webp[Q=80]", where %s is the input name without its extension and
 * the bracketed part is libvips' own save-option syntax. Pure string work;
 * nothing here touches libvips. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Refuses what would not give one file per input in the mirrored folder:
 * a '/', a leading '.', a '%' other than %s and %%, an extension shardpix
 * cannot save (jpg jpeg png webp tif tiff gif), options that are not
 * "name" or "name=value" separated by commas. */
gboolean shardpix_naming_check (const char *template, GError **error);

/* The template of --format: "jpeg" gives "%s.jpg". NULL for an unknown
 * format. */
const char *shardpix_naming_format_template (const char *format);

/* Expands @template for the input @rel ("sub/a.png"): @name gets the
 * relative output path ("sub/tn_a.webp"), @options the save options
 * between the brackets ("Q=80", or "" when there are none). */
void shardpix_naming_expand (const char *template, const char *rel, char **name,
                             char **options);

G_END_DECLS
