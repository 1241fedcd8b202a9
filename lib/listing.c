#include "shardpix/listing.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shardpix/error.h"

/* What an entry is, as far as the listing cares. */
typedef enum {
  LISTING_KIND_FILE,        /* a regular file, or a symlink to one */
  LISTING_KIND_DIR,         /* a directory (d_type said so, or a stat did) */
  LISTING_KIND_LINK_TO_DIR, /* never followed: a link can make a cycle */
  LISTING_KIND_BROKEN_LINK, /* dangling or looping link */
  LISTING_KIND_OTHER,       /* FIFO, socket, device */
} ListingKind;

/* heic, heif and avif are read by libvips' heifload (libheif), jxl by
 * jxlload (libjxl): lib/pipeline.c enables those loaders. */
static const char *const listing_extensions[] = {
  "jpg", "jpeg", "png", "webp", "tif", "tiff", "gif", "heic", "heif", "avif", "jxl",
};

/* What the walk keeps: the flags, and the rule for links (or NULL). */
typedef struct {
  ShardpixListingFlags flags;
  const ShardpixInputs *inputs;
} ListingRules;

/* By ShardpixSkipReason; SHARDPIX_SKIP_EXTENSION's label is the extension. */
static const char *const listing_skip_labels[SHARDPIX_SKIP_N_REASONS] = {
  [SHARDPIX_SKIP_EXTENSION] = "unusual extension",
  [SHARDPIX_SKIP_FOLDER] = "folder named like an image",
  [SHARDPIX_SKIP_LINK_TO_FOLDER] = "link to a folder",
  [SHARDPIX_SKIP_BROKEN_LINK] = "broken link",
  [SHARDPIX_SKIP_SPECIAL] = "special file",
  [SHARDPIX_SKIP_LINK_OUTSIDE] = "link outside the input",
};

/* ".psd" for "x.PSD"; names are bytes, so an extension that is not short
 * ASCII letters and digits is not repeated on the terminal. */
static char *
listing_extension_label (const char *name)
{
  const char *dot = strrchr (name, '.');
  gsize len;

  if (dot == NULL || dot == name || dot[1] == '\0')
    return g_strdup ("no extension");
  len = strlen (dot + 1);
  if (len > 8)
    return g_strdup (listing_skip_labels[SHARDPIX_SKIP_EXTENSION]);
  for (const char *p = dot + 1; *p; p++)
    if (!g_ascii_isalnum (*p))
      return g_strdup (listing_skip_labels[SHARDPIX_SKIP_EXTENSION]);
  return g_ascii_strdown (dot, -1);
}

void
shardpix_listing_skip (ShardpixListing *listing, ShardpixSkipReason reason, const char *name)
{
  char *label;
  guint count;

  g_return_if_fail (reason < SHARDPIX_SKIP_N_REASONS);
  label = reason == SHARDPIX_SKIP_EXTENSION ? listing_extension_label (name)
                                            : g_strdup (listing_skip_labels[reason]);
  count = GPOINTER_TO_UINT (g_hash_table_lookup (listing->skipped, label));
  g_hash_table_replace (listing->skipped, label, GUINT_TO_POINTER (count + 1));
  listing->n_skipped++;
}

static int
listing_compare_labels (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

const char **
shardpix_listing_skipped_labels (GHashTable *skipped, guint *n_labels)
{
  const char **labels = (const char **) g_hash_table_get_keys_as_array (skipped, n_labels);

  qsort (labels, *n_labels, sizeof *labels, listing_compare_labels);
  return labels;
}

typedef struct {
  const char *label;
  guint count;
} ListingSkipCount;

static int
listing_compare_skip (gconstpointer a, gconstpointer b)
{
  const ListingSkipCount *sa = a;
  const ListingSkipCount *sb = b;

  if (sa->count != sb->count)
    return sa->count > sb->count ? -1 : 1;
  return strcmp (sa->label, sb->label);
}

char *
shardpix_listing_skipped_text (const ShardpixListing *listing)
{
  g_autoptr (GArray) counts = g_array_new (FALSE, FALSE, sizeof (ListingSkipCount));
  GString *out = g_string_new (NULL);
  GHashTableIter iter;
  gpointer key, value;
  guint other = 0;

  g_hash_table_iter_init (&iter, listing->skipped);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      ListingSkipCount one = { key, GPOINTER_TO_UINT (value) };

      g_array_append_val (counts, one);
    }
  g_array_sort (counts, listing_compare_skip);
  for (guint i = 0; i < counts->len; i++)
    {
      const ListingSkipCount *one = &g_array_index (counts, ListingSkipCount, i);

      if (i >= 8)
        other += one->count;
      else
        g_string_append_printf (out, "%s%u %s", i ? ", " : "", one->count, one->label);
    }
  if (other > 0)
    g_string_append_printf (out, ", %u other", other);
  return g_string_free (out, FALSE);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DIR, closedir)

gboolean
shardpix_listing_is_image_name (const char *name)
{
  const char *base;
  const char *dot;

  g_return_val_if_fail (name != NULL, FALSE);

  base = strrchr (name, '/');
  base = base != NULL ? base + 1 : name;
  /* A hidden name is never an image, which also rules out ".jpg" alone. */
  if (base[0] == '.')
    return FALSE;
  dot = strrchr (base, '.');
  if (dot == NULL)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (listing_extensions); i++)
    if (g_ascii_strcasecmp (dot + 1, listing_extensions[i]) == 0)
      return TRUE;
  return FALSE;
}

/* The folder @rel below the root, for an error message: valid UTF-8 even
 * when the name is not. */
static char *
listing_display_dir (const ShardpixListing *listing, const char *rel)
{
  g_autofree char *path = NULL;

  path = rel != NULL ? g_build_filename (listing->root, rel, NULL)
                     : g_strdup (listing->root);
  return g_filename_display_name (path);
}

/* Learns what a DT_LNK or DT_UNKNOWN entry points to. A broken link is not an
 * error, just something that is not an image; anything else that stops the
 * stat (permissions, I/O) is, because it could hide an image. */
static gboolean
listing_stat_kind (const ShardpixListing *listing, int dfd, const char *rel,
                   const char *name, unsigned char d_type, ListingKind *kind,
                   GError **error)
{
  struct stat st;

  if (fstatat (dfd, name, &st, 0) != 0)
    {
      int errsv = errno;
      g_autofree char *display = NULL;

      if (errsv == ENOENT || errsv == ELOOP || errsv == ENOTDIR
          || errsv == ENAMETOOLONG)
        {
          *kind = LISTING_KIND_BROKEN_LINK;
          return TRUE;
        }
      display = listing_display_dir (listing, rel);
      return shardpix_error_errno (errsv, error, "cannot inspect an entry in folder %s",
                                   display);
    }
  if (S_ISREG (st.st_mode))
    *kind = LISTING_KIND_FILE;
  else if (S_ISDIR (st.st_mode))
    /* For DT_UNKNOWN the stat followed a possible link, so this may still be
     * a link; the O_NOFOLLOW open in listing_walk() catches that. */
    *kind = d_type == DT_LNK ? LISTING_KIND_LINK_TO_DIR : LISTING_KIND_DIR;
  else
    *kind = LISTING_KIND_OTHER;
  return TRUE;
}

static gboolean
listing_is_link (int dfd, const char *name)
{
  struct stat st;

  return fstatat (dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK (st.st_mode);
}

static void
listing_refusal_free (gpointer data)
{
  ShardpixListingRefusal *refusal = data;

  g_free (refusal->rel);
  g_free (refusal->reason);
  g_free (refusal);
}

/* Whether the link @name in @rel leads where @inputs does not let a run
 * read; if so it is noted in listing->refused with the reason. The
 * worker checks again on the file it really opens (inputs.h). */
static gboolean
listing_refuse_link (ShardpixListing *listing, const ShardpixInputs *inputs, const char *rel,
                     const char *name)
{
  g_autofree char *path = rel != NULL ? g_build_filename (listing->root, rel, name, NULL)
                                      : g_build_filename (listing->root, name, NULL);
  g_autofree char *target = realpath (path, NULL);
  char *reason = target ? shardpix_inputs_refusal (inputs, target) : NULL;
  ShardpixListingRefusal *refusal;

  if (reason == NULL)
    return FALSE;
  refusal = g_new0 (ShardpixListingRefusal, 1);
  refusal->rel = rel != NULL ? g_strconcat (rel, "/", name, NULL) : g_strdup (name);
  refusal->reason = reason;
  g_ptr_array_add (listing->refused, refusal);
  return TRUE;
}

static gboolean listing_walk (ShardpixListing *listing, const ListingRules *rules,
                              int fd, const char *rel, GError **error);

/* Walks the subfolder @name of @dfd, whose path below the root is @rel (NULL
 * for the root itself). */
static gboolean
listing_walk_subdir (ShardpixListing *listing, const ListingRules *rules, int dfd,
                     const char *rel, const char *name, GError **error)
{
  g_autofree char *sub_rel = NULL;
  int fd;

  sub_rel = rel != NULL ? g_strconcat (rel, "/", name, NULL) : g_strdup (name);
  /* Relative to the parent's fd so that depth never makes a path too long;
   * O_NOFOLLOW so that a link that turned up after the stat (or that a
   * DT_UNKNOWN stat followed) is refused rather than walked. */
  fd = openat (dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    {
      int errsv = errno;
      g_autofree char *display = NULL;

      if (errsv == ELOOP || errsv == ENOTDIR)
        {
          shardpix_listing_skip (listing, SHARDPIX_SKIP_LINK_TO_FOLDER, name);
          return TRUE;
        }
      display = listing_display_dir (listing, sub_rel);
      return shardpix_error_errno (errsv, error, "cannot open folder %s", display);
    }
  return listing_walk (listing, rules, fd, sub_rel, error);
}

/* Adds the images of the open folder @fd (taken over) to @listing. */
static gboolean
listing_walk (ShardpixListing *listing, const ListingRules *rules, int fd,
              const char *rel, GError **error)
{
  g_autoptr (DIR) dir = NULL;

  dir = fdopendir (fd);
  if (dir == NULL)
    {
      int errsv = errno;
      g_autofree char *display = NULL;

      close (fd);
      display = listing_display_dir (listing, rel);
      return shardpix_error_errno (errsv, error, "cannot read folder %s", display);
    }

  for (;;)
    {
      const struct dirent *entry;
      const char *name;
      gboolean image;
      gboolean link;
      ListingKind kind;

      errno = 0;
      entry = readdir (dir);
      if (entry == NULL)
        {
          int errsv = errno;
          g_autofree char *display = NULL;

          if (errsv == 0)
            break;
          display = listing_display_dir (listing, rel);
          return shardpix_error_errno (errsv, error, "cannot read folder %s", display);
        }

      name = entry->d_name;
      /* Also "." and "..", and our own temporary files. */
      if (name[0] == '.')
        continue;
      image = shardpix_listing_is_image_name (name);
      link = entry->d_type == DT_LNK;

      /* d_type answers for almost every entry without a stat, which is what
       * keeps a million-file folder fast. */
      switch (entry->d_type)
        {
        case DT_REG:
          kind = LISTING_KIND_FILE;
          break;
        case DT_DIR:
          kind = LISTING_KIND_DIR;
          break;
        case DT_LNK:
        case DT_UNKNOWN:
          if (entry->d_type == DT_UNKNOWN && image && rules->inputs != NULL)
            link = listing_is_link (dirfd (dir), name);
          if (!listing_stat_kind (listing, dirfd (dir), rel, name, entry->d_type, &kind,
                                  error))
            return FALSE;
          break;
        default:
          kind = LISTING_KIND_OTHER;
          break;
        }

      switch (kind)
        {
        case LISTING_KIND_FILE:
          if (image && link && rules->inputs != NULL
              && listing_refuse_link (listing, rules->inputs, rel, name))
            shardpix_listing_skip (listing, SHARDPIX_SKIP_LINK_OUTSIDE, name);
          else if (image)
            g_ptr_array_add (listing->paths, rel != NULL
                                                 ? g_strconcat (rel, "/", name, NULL)
                                                 : g_strdup (name));
          else
            shardpix_listing_skip (listing, SHARDPIX_SKIP_EXTENSION, name);
          break;
        case LISTING_KIND_DIR:
          if (rules->flags & SHARDPIX_LISTING_RECURSIVE)
            {
              if (!listing_walk_subdir (listing, rules, dirfd (dir), rel, name, error))
                return FALSE;
            }
          else if (image)
            shardpix_listing_skip (listing, SHARDPIX_SKIP_FOLDER, name);
          break;
        case LISTING_KIND_LINK_TO_DIR:
          /* Walking it could loop, so it is skipped when walking; when not,
           * it is a folder like any other. */
          if ((rules->flags & SHARDPIX_LISTING_RECURSIVE) || image)
            shardpix_listing_skip (listing, SHARDPIX_SKIP_LINK_TO_FOLDER, name);
          break;
        case LISTING_KIND_BROKEN_LINK:
          shardpix_listing_skip (listing, SHARDPIX_SKIP_BROKEN_LINK, name);
          break;
        case LISTING_KIND_OTHER:
        default:
          shardpix_listing_skip (listing, SHARDPIX_SKIP_SPECIAL, name);
          break;
        }
    }
  return TRUE;
}

static int
listing_compare (gconstpointer a, gconstpointer b)
{
  const char *const *pa = a;
  const char *const *pb = b;

  /* strcmp compares as unsigned char: bytewise, the same in every locale. */
  return strcmp (*pa, *pb);
}

static int
listing_compare_refusals (gconstpointer a, gconstpointer b)
{
  const ShardpixListingRefusal *const *pa = a;
  const ShardpixListingRefusal *const *pb = b;

  return strcmp ((*pa)->rel, (*pb)->rel);
}

ShardpixListing *
shardpix_listing_new (const char *root, ShardpixListingFlags flags, GError **error)
{
  return shardpix_listing_new_checked (root, flags, NULL, error);
}

ShardpixListing *
shardpix_listing_new_empty (const char *root)
{
  ShardpixListing *listing = g_new0 (ShardpixListing, 1);

  listing->root = g_strdup (root);
  listing->paths = g_ptr_array_new_with_free_func (g_free);
  listing->refused = g_ptr_array_new_with_free_func (listing_refusal_free);
  listing->skipped = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return listing;
}

ShardpixListing *
shardpix_listing_new_checked (const char *root, ShardpixListingFlags flags,
                              const ShardpixInputs *inputs, GError **error)
{
  g_autoptr (ShardpixListing) listing = NULL;
  ListingRules rules = { flags, inputs };
  int fd;

  g_return_val_if_fail (root != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  listing = shardpix_listing_new_empty (root);
  fd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      int errsv = errno;
      g_autofree char *display = g_filename_display_name (root);

      shardpix_error_errno (errsv, error, "cannot open folder %s", display);
      return NULL;
    }
  if (!listing_walk (listing, &rules, fd, NULL, error))
    return NULL;
  g_ptr_array_sort (listing->paths, listing_compare);
  g_ptr_array_sort (listing->refused, listing_compare_refusals);
  return g_steal_pointer (&listing);
}

void
shardpix_listing_free (ShardpixListing *listing)
{
  if (listing == NULL)
    return;
  g_free (listing->root);
  g_clear_pointer (&listing->paths, g_ptr_array_unref);
  g_clear_pointer (&listing->refused, g_ptr_array_unref);
  g_clear_pointer (&listing->skipped, g_hash_table_unref);
  g_free (listing);
}
