/* The layout of INPUT_DIR and OUTPUT_DIR: the one place that decides
 * whether a run may write at all. An output must never land on an input or
 * anywhere in the input tree, whichever way the two folders nest and
 * however they are spelled (`..`, symlinks, bind mounts). Every path that
 * writes outputs (run in every mode, bench, each worker) goes through
 * shardpix_folders_check(). */
#pragma once

#include <glib.h>

#include "shardpix/job.h"
#include "shardpix/listing.h"

G_BEGIN_DECLS

/* realpath() of a path that may not exist yet: the deepest part that does
 * is resolved, the rest appended, so that an overlap is found before
 * anything is created. */
char *shardpix_folders_resolve (const char *path);

/* Whether the resolved path @path is @root or below it (both resolved). */
gboolean shardpix_folders_within (const char *root, const char *path);

/* Refuses (SHARDPIX_ERROR_LAYOUT) every layout in which OUTPUT_DIR and
 * INPUT_DIR are one folder or one holds the other, compared three ways:
 * resolved paths; device/inode pairs of every ancestor (a bind mount of a
 * root is the same inode under another name); and /proc/self/mountinfo for
 * mounts below either folder that show a part of the other. */
gboolean shardpix_folders_check (const char *input_dir, const char *output_dir,
                                 GError **error);

/* Before any work: INPUT_DIR is a folder, the layout is safe, OUTPUT_DIR
 * exists (created with its parents; links in the part above it are the
 * user's and followed). */
gboolean shardpix_folders_prepare (const ShardpixJob *job, GError **error);

/* The images of INPUT_DIR (its subfolders too with @recursive), the links
 * among them checked by the rule of inputs.h: what every run reads. */
ShardpixListing *shardpix_folders_list_inputs (const ShardpixJob *job, gboolean recursive,
                                               GError **error);

G_END_DECLS
