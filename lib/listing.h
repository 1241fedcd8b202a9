/* Reading the input folder: which files are images, in an order every run and
 * every machine agrees on. Pure data; never opens an image. */
#pragma once

#include <glib.h>

#include "inputs.h"

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

typedef struct {
  char *root;        /* the folder as given */
  GPtrArray *paths;  /* char *: path relative to root, sorted bytewise (strcmp) */
  guint n_skipped;   /* entries that are not images: other extensions,
                        directories named like images, FIFOs, sockets,
                        dangling or looping symlinks, refused links */
  GPtrArray *refused; /* ShardpixListingRefusal *: links the rule of
                         inputs.h does not let the run read */
} ShardpixListing;

/* Lists @root. An entry is kept when its name ends in an extension libvips
 * loads for us (jpg jpeg png webp tif tiff gif, any case) and it is, or is a
 * symlink to, a regular file. Hidden entries (leading '.') are skipped, which
 * also keeps our own temporary files out of a listing. */
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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShardpixListing, shardpix_listing_free)

G_END_DECLS
