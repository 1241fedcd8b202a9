/* Where one image goes and how it is saved, worked out once from the job
 * and the input's path: resume, the collision check, output.c, the saver
 * and the supervisor's clean-up all read it from here instead of expanding
 * the output-name template again. The names are pure string work
 * (output-name.h); the saver is found by saver.h, in the process that
 * saves, since that takes libvips. */
#pragma once

#include <glib.h>

#include "shardpix/job.h"

G_BEGIN_DECLS

typedef struct {
  char *rel;          /* relative to OUTPUT_DIR: "sub/tn_a.webp", or the input's path */
  char *path;         /* OUTPUT_DIR/rel */
  char *dir;          /* rel's folder: "sub", or "." for OUTPUT_DIR itself */
  char *name;         /* rel's last component: "tn_a.webp" */
  char *where;        /* OUTPUT_DIR/dir, OUTPUT_DIR alone for ".": for messages */
  char *format;       /* what picks the saver: rel's extension (".webp"), or "" */
  char *user_options; /* the template's save options ("Q=80"), NULL without */
  /* Set by shardpix_saver_plan() (saver.h): */
  const char *saver;  /* libvips' saver class for format */
  char *save_options; /* what it is given: "strip=true,Q=85,Q=80" */
} ShardpixOutputPlan;

/* The plan for the input at @rel ("sub/a.jpg"). */
void shardpix_output_plan_init (ShardpixOutputPlan *plan, const ShardpixJob *job,
                                const char *rel);
void shardpix_output_plan_clear (ShardpixOutputPlan *plan);

/* OUTPUT_DIR/dir/ and the temporary name (output-name.h) of the image at
 * listing index @index written by process @pid. */
char *shardpix_output_plan_temp_path (const ShardpixOutputPlan *plan, const ShardpixJob *job,
                                      GPid pid, guint index);

/* Whether two of @paths (relative input paths) would be saved to the same
 * output ("a.jpg" and "a.png" with --format webp). Returns TRUE when none
 * collide; otherwise FALSE with the listing indexes of the first pair. */
gboolean shardpix_output_plan_distinct (const ShardpixJob *job, GPtrArray *paths, guint *first,
                                        guint *second);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ShardpixOutputPlan, shardpix_output_plan_clear)

G_END_DECLS
