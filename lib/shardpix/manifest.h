/* --files-from: the listing read from a manifest instead of from the folder,
 * so that a job over millions of files on a network folder does not list
 * that folder on every node. Pure data, like listing.h: no image is opened
 * and no file is even stat'ed (a name that is missing fails that one file
 * when a worker opens it, not the run). */
#pragma once

#include <glib.h>

#include "shardpix/listing.h"

G_BEGIN_DECLS

typedef enum {
  SHARDPIX_MANIFEST_LINES = 0, /* one path a line ("\n"; a last line may lack it) */
  SHARDPIX_MANIFEST_NUL = 1,   /* paths ended by NUL bytes (find -print0) */
} ShardpixManifestFormat;

/* Refused lines named in one error, at most this many (then "and N more"). */
#define SHARDPIX_MANIFEST_MAX_NAMED 20

/* Reads the manifest @path ("-": standard input) of paths relative to
 * @root and returns them as a listing: normalised ("a//./b.jpg" is
 * "a/b.jpg"), sorted bytewise as shardpix_listing_new() sorts, each once.
 * Blank lines are passed over. A name that is not an image by its extension
 * (shardpix_listing_is_image_name()) is counted in n_skipped, as a listing
 * counts it. A line that is absolute, has a ".." or a hidden component
 * (".x": our temporary files among them), holds a NUL byte in LINES format,
 * or names a path an earlier line named is refused: the whole manifest then
 * fails with a SHARDPIX_ERROR_USAGE error naming each such line by number,
 * so every node of a job refuses the same manifest the same way. */
ShardpixListing *shardpix_manifest_read (const char *root, const char *path,
                                         ShardpixManifestFormat format, GError **error);

G_END_DECLS
