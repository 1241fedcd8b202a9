/* Reading the input folder: which files are images, in an order every run and
 * every machine agrees on. Pure data; never opens an image. */
#pragma once

#include <glib.h>

#include "shardpix/inputs.h"

G_BEGIN_DECLS

typedef enum {
  SHARDPIX_LISTING_NONE = 0,
  SHARDPIX_LISTING_RECURSIVE = 1 << 0, /* walk subfolders too */
} ShardpixListingFlags;

/* An image-named entry the listing would not take, and why. */
typedef struct {
  char *rel;
  char *reason;
} ShardpixListingRefusal;

/* Why an entry of the folder is not in the listing. A run that skipped
 * files says how many of each (shardpix_listing_skipped_text()), and so do
 * `plan` and the JSON report. To add a reason, add it here and its label
 * in listing_skip_labels[] (listing.c). */
typedef enum {
  SHARDPIX_SKIP_EXTENSION,      /* a file not named like an image: counted by
                                   its extension (".psd", "no extension") */
  SHARDPIX_SKIP_FOLDER,         /* a folder named like an image (not walked) */
  SHARDPIX_SKIP_LINK_TO_FOLDER, /* a symlink to a folder: never followed */
  SHARDPIX_SKIP_BROKEN_LINK,    /* a dangling or looping symlink */
  SHARDPIX_SKIP_SPECIAL,        /* a FIFO, socket or device */
  SHARDPIX_SKIP_LINK_OUTSIDE,   /* a link inputs.h does not let the run read
                                   (outside INPUT_DIR, or into OUTPUT_DIR):
                                   also named in ->refused */
  SHARDPIX_SKIP_N_REASONS
} ShardpixSkipReason;

typedef struct {
  char *root;        /* the folder as given */
  GPtrArray *paths;  /* char *: path relative to root, sorted bytewise (strcmp) */
  guint n_skipped;   /* entries that are not images, all reasons together */
  GPtrArray *refused; /* ShardpixListingRefusal *: links the rule of
                         inputs.h does not let the run read */
  GHashTable *skipped; /* why: label (char *: ".psd", "broken link", ...) to
                          count (GUINT_TO_POINTER); see ShardpixSkipReason */
} ShardpixListing;

/* Lists @root. An entry is kept when its name ends in an extension libvips
 * loads for us (jpg jpeg png webp tif tiff gif heic heif avif jxl, any case)
 * and it is, or is a symlink to, a regular file. Hidden entries (leading
 * '.') are skipped without a count, which also keeps our own temporary files
 * out of a listing. */
ShardpixListing *shardpix_listing_new (const char *root, ShardpixListingFlags flags,
                                       GError **error);
/* The same, where an image-named symlink is kept only when @inputs lets
 * the run read what it leads to; the others are in ->refused. */
ShardpixListing *shardpix_listing_new_checked (const char *root, ShardpixListingFlags flags,
                                               const ShardpixInputs *inputs, GError **error);
/* A listing of @root with nothing in it yet, for a listing made another
 * way (a manifest, see manifest.h). */
ShardpixListing *shardpix_listing_new_empty (const char *root);
void shardpix_listing_free (ShardpixListing *listing);

gboolean shardpix_listing_is_image_name (const char *name);

/* Counts the entry @name (its base name) as skipped for @reason. */
void shardpix_listing_skip (ShardpixListing *listing, ShardpixSkipReason reason,
                            const char *name);

/* "9 .psd, 2 .txt, 1 broken link": the most frequent first, the rest
 * folded into "N other" past 8 kinds; "" when nothing was skipped. */
char *shardpix_listing_skipped_text (const ShardpixListing *listing);

/* The labels of @skipped (a ShardpixListing.skipped), sorted bytewise so
 * that two reports of one folder compare equal; @n_labels their count.
 * Free the array (not the labels) with g_free(). */
const char **shardpix_listing_skipped_labels (GHashTable *skipped, guint *n_labels);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShardpixListing, shardpix_listing_free)

G_END_DECLS
