/* The names of outputs and of their temporary files. Outputs are named the
 * way `vipsthumbnail -o` names them: a template such as "tn_%s.webp[Q=80]",
 * where %s is the input name without its extension and the bracketed part
 * is libvips' own save-option syntax. Pure string work; nothing here
 * touches libvips. What one image's output is called, worked out once, is
 * output-plan.h's. */
#pragma once

#include <glib.h>

#include "shardpix/job.h"

G_BEGIN_DECLS

/* Refuses what would not give one file per input in the mirrored folder:
 * a '/', a leading '.', a '%' other than %s and %%, an extension shardpix
 * cannot save (jpg jpeg png webp tif tiff gif), options that are not
 * "name" or "name=value" separated by commas. */
gboolean shardpix_output_name_check (const char *template, GError **error);

/* The template of --format: "jpeg" gives "%s.jpg". NULL for an unknown
 * format. */
const char *shardpix_output_name_format_template (const char *format);

/* Expands @template for the input @rel ("sub/a.png"): @name gets the
 * relative output path ("sub/tn_a.webp"), @options the save options
 * between the brackets ("Q=80", or "" when there are none). */
void shardpix_output_name_expand (const char *template, const char *rel, char **name,
                             char **options);

/* .shardpix-TOKEN-PID-INDEX.tmp: the name, in the image's output folder, a
 * process writes the image to before renaming it into place. TOKEN is the
 * run's (job->run_token: the host name and 64 random bits), so two runs
 * whose processes have the same pid (other pid namespaces, other hosts on
 * one NFS folder) never share a name; the pid and INDEX keep it unique
 * within the run and let the supervisor remove what a worker killed
 * mid-image left behind. */
char *shardpix_output_name_temp (const ShardpixJob *job, GPid pid, guint index);

/* Gives @job a fresh run token unless it has one (a worker gets its
 * supervisor's). */
void shardpix_output_name_ensure_run_token (ShardpixJob *job);

G_END_DECLS
