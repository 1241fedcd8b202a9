#include <dirent.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shardpix/listing.h"

/* A scratch folder per test, removed at the end of it. */
typedef struct {
  char *dir;
} Fixture;

/* By fd, because the long-path test makes paths no path-based call takes. */
static void
rmtree_at (int dfd, const char *name)
{
  struct stat st;
  DIR *dir;
  int fd;

  if (fstatat (dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    return;
  if (!S_ISDIR (st.st_mode))
    {
      unlinkat (dfd, name, 0);
      return;
    }
  /* Put back the permissions a test took away, or we could not empty it. */
  fchmodat (dfd, name, 0700, 0);
  fd = openat (dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return;
  dir = fdopendir (fd);
  if (dir == NULL)
    {
      close (fd);
      return;
    }
  for (struct dirent *entry; (entry = readdir (dir)) != NULL;)
    if (strcmp (entry->d_name, ".") != 0 && strcmp (entry->d_name, "..") != 0)
      rmtree_at (dirfd (dir), entry->d_name);
  closedir (dir);
  unlinkat (dfd, name, AT_REMOVEDIR);
}

static void
fixture_setup (Fixture *fixture, G_GNUC_UNUSED gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("shardpix-listing-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *fixture, G_GNUC_UNUSED gconstpointer data)
{
  rmtree_at (AT_FDCWD, fixture->dir);
  g_free (fixture->dir);
}

/* A few bytes that are not an image: the listing never opens them. */
static void
touch (const Fixture *fixture, const char *rel)
{
  g_autofree char *path = g_build_filename (fixture->dir, rel, NULL);
  g_autoptr (GError) error = NULL;

  g_file_set_contents (path, "not an image\n", -1, &error);
  g_assert_no_error (error);
}

static void
make_dir (const Fixture *fixture, const char *rel)
{
  g_autofree char *path = g_build_filename (fixture->dir, rel, NULL);

  g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
}

static void
make_symlink (const Fixture *fixture, const char *target, const char *rel)
{
  g_autofree char *path = g_build_filename (fixture->dir, rel, NULL);

  g_assert_cmpint (symlink (target, path), ==, 0);
}

static ShardpixListing *
list (const Fixture *fixture, ShardpixListingFlags flags)
{
  g_autoptr (GError) error = NULL;
  ShardpixListing *listing = shardpix_listing_new (fixture->dir, flags, &error);

  g_assert_no_error (error);
  g_assert_nonnull (listing);
  g_assert_cmpstr (listing->root, ==, fixture->dir);
  return listing;
}

/* Element by element first, so that a failure names the first wrong path. */
static void
assert_paths (const ShardpixListing *listing, const char *const *expected)
{
  guint n_expected = g_strv_length ((char **) expected);

  for (guint i = 0; i < MIN (listing->paths->len, n_expected); i++)
    g_assert_cmpstr (g_ptr_array_index (listing->paths, i), ==, expected[i]);
  g_assert_cmpuint (listing->paths->len, ==, n_expected);
}

static void
test_listing_order (Fixture *fixture, G_GNUC_UNUSED gconstpointer data)
{
  g_autoptr (ShardpixListing) listing = NULL;
  const char *const names[] = {
    "a.jpg", "B.jpg", "a.JPG", "a b.png", "\xc3\xa9.png", "\xff.png", "a\nb.jpg", "Z.gif",
  };
  /* strcmp order: bytes as unsigned, so '\n' < ' ' < '.' < 'J' < 'j' and
   * UTF-8 and invalid bytes after ASCII; no locale collation. */
  const char *const expected[] = {
    "B.jpg", "Z.gif", "a\nb.jpg", "a b.png", "a.JPG", "a.jpg", "\xc3\xa9.png", "\xff.png",
    NULL,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    touch (fixture, names[i]);
  listing = list (fixture, SHARDPIX_LISTING_NONE);
  assert_paths (listing, expected);
  g_assert_cmpuint (listing->n_skipped, ==, 0);
}

static void
test_listing_extensions (Fixture *fixture, G_GNUC_UNUSED gconstpointer data)
{
  g_autoptr (ShardpixListing) listing = NULL;
  const char *const images[] = {
    "p.jpg", "q.JPEG", "r.Png", "s.webp", "t.TIF", "u.tiff", "v.gIf", "w.x.jpg",
    "x.HEIC", "x.heif", "y.avif", "z.JXL",
  };
  const char *const others[] = {
    "notes.txt", "p.jpg.txt", "p.bmp", "noext", "trailing.", "jpg", "p.jpgx",
  };
  const char *const expected[] = {
    "p.jpg", "q.JPEG", "r.Png", "s.webp", "t.TIF", "u.tiff", "v.gIf", "w.x.jpg",
    "x.HEIC", "x.heif", "y.avif", "z.JXL", NULL,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (images); i++)
    touch (fixture, images[i]);
  for (gsize i = 0; i < G_N_ELEMENTS (others); i++)
    touch (fixture, others[i]);
  listing = list (fixture, SHARDPIX_LISTING_NONE);
  assert_paths (listing, expected);
  g_assert_cmpuint (listing->n_skipped, ==, G_N_ELEMENTS (others));
}

static void
test_listing_is_image_name (void)
{
  g_assert_true (shardpix_listing_is_image_name ("x.jpg"));
  g_assert_true (shardpix_listing_is_image_name ("X.JPG"));
  g_assert_true (shardpix_listing_is_image_name ("x.Jpeg"));
  g_assert_true (shardpix_listing_is_image_name ("x.tar.png"));
  g_assert_true (shardpix_listing_is_image_name ("sub/dir/x.webp"));
  g_assert_true (shardpix_listing_is_image_name ("\xff.gif"));
  g_assert_false (shardpix_listing_is_image_name (".jpg"));
  g_assert_false (shardpix_listing_is_image_name (".x.jpg"));
  g_assert_false (shardpix_listing_is_image_name ("sub/.x.jpg"));
  g_assert_false (shardpix_listing_is_image_name ("jpg"));
  g_assert_false (shardpix_listing_is_image_name ("x."));
  g_assert_false (shardpix_listing_is_image_name (""));
  g_assert_false (shardpix_listing_is_image_name ("x.jpg.bak"));
  g_assert_false (shardpix_listing_is_image_name ("x.bmp"));
}

static void
test_listing_skipped (Fixture *fixture, G_GNUC_UNUSED gconstpointer data)
{
  g_autoptr (ShardpixListing) listing = NULL;
  g_autofree char *fifo = g_build_filename (fixture->dir, "f.jpg", NULL);
  const char *const expected[] = { "link.jpg", "real.jpg", NULL };
  g_autofree char *text = NULL;

  touch (fixture, "real.jpg");
  touch (fixture, "notes.txt");                 /* skipped */
  make_dir (fixture, "x.jpg");                  /* skipped: a folder named like an image */
  make_dir (fixture, "sub");                    /* ignored: a plain folder */
  /* If the listing opened it, it would block here forever. */
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0); /* skipped */
  make_symlink (fixture, "missing.jpg", "dangling.jpg");  /* skipped */
  make_symlink (fixture, "loop.jpg", "loop.jpg");         /* skipped */
  make_symlink (fixture, "real.jpg", "link.jpg");         /* kept */
  make_symlink (fixture, "real.jpg", "link-to-image");    /* skipped: name */
  make_symlink (fixture, "sub", "dirlink");               /* ignored, like "sub" */
  make_symlink (fixture, "sub", "dirlink.png");           /* skipped, like "x.jpg" */

  listing = list (fixture, SHARDPIX_LISTING_NONE);
  assert_paths (listing, expected);
  g_assert_cmpuint (listing->n_skipped, ==, 7);
  /* Each by why, the commonest first (ties by label). */
  text = shardpix_listing_skipped_text (listing);
  g_assert_cmpstr (text, ==, "2 broken link, 1 .txt, 1 folder named like an image, "
                             "1 link to a folder, 1 no extension, 1 special file");
}

/* The skipped line names extensions folded to lower case, never repeats an
 * odd byte of a name, and folds past eight kinds into "other". */
static void
test_listing_skip_reasons (Fixture *fixture, G_GNUC_UNUSED gconstpointer data)
{
  g_autoptr (ShardpixListing) listing = NULL;
  g_autofree char *text = NULL;
  g_autofree const char **labels = NULL;
  const char *const names[] = {
    "a.psd", "b.PSD", "c.Psd", "d.txt", "e.txt", "f.\x1b[31m", "g.averylongext",
    "h.a1", "i.a2", "j.a3", "k.a4", "l.a5", "m.a6", "n.a7",
  };
  guint n;

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    touch (fixture, names[i]);
  listing = list (fixture, SHARDPIX_LISTING_NONE);
  g_assert_cmpuint (listing->n_skipped, ==, G_N_ELEMENTS (names));
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (listing->skipped, ".psd")), ==, 3);
  g_assert_cmpuint (
      GPOINTER_TO_UINT (g_hash_table_lookup (listing->skipped, "unusual extension")), ==, 2);
  text = shardpix_listing_skipped_text (listing);
  g_assert_cmpstr (text, ==, "3 .psd, 2 .txt, 2 unusual extension, 1 .a1, 1 .a2, 1 .a3, "
                             "1 .a4, 1 .a5, 2 other");
  labels = shardpix_listing_skipped_labels (listing->skipped, &n);
  g_assert_cmpuint (n, ==, 10);
  g_assert_cmpstr (labels[0], ==, ".a1");
  g_assert_cmpstr (labels[n - 1], ==, "unusual extension");
}

static void
test_listing_recursive (Fixture *fixture, G_GNUC_UNUSED gconstpointer data)
{
  g_autoptr (ShardpixListing) flat = NULL;
  g_autoptr (ShardpixListing) listing = NULL;
  /* "a.jpg" < "a/x.jpg" < "a0.jpg" because '.' < '/' < '0': the whole path
   * is compared, not one folder at a time. */
  const char *const expected[] = {
    "a-b.jpg", "a.jpg", "a/b/c/deep.png", "a/x.jpg", "a0.jpg", "sub.jpg/y.gif", NULL,
  };
  const char *const expected_flat[] = { "a-b.jpg", "a.jpg", "a0.jpg", NULL };

  touch (fixture, "a.jpg");
  touch (fixture, "a-b.jpg");
  touch (fixture, "a0.jpg");
  make_dir (fixture, "a");
  touch (fixture, "a/x.jpg");
  make_dir (fixture, "a/b");
  touch (fixture, "a/b/notes.txt");     /* skipped */
  make_dir (fixture, "a/b/c");
  touch (fixture, "a/b/c/deep.png");
  touch (fixture, "a/.hidden.jpg");     /* ignored */
  make_dir (fixture, "a/empty");
  make_symlink (fixture, "..", "a/up");  /* skipped: would loop */
  make_dir (fixture, "sub.jpg");        /* walked, not counted */
  touch (fixture, "sub.jpg/y.gif");
  make_symlink (fixture, "a", "sublink"); /* skipped: not followed */

  listing = list (fixture, SHARDPIX_LISTING_RECURSIVE);
  assert_paths (listing, expected);
  g_assert_cmpuint (listing->n_skipped, ==, 3);

  /* Without recursion only "sub.jpg" counts: "a" and "sublink" are folders. */
  flat = list (fixture, SHARDPIX_LISTING_NONE);
  assert_paths (flat, expected_flat);
  g_assert_cmpuint (flat->n_skipped, ==, 1);
}

static void
test_listing_long_path (Fixture *fixture, G_GNUC_UNUSED gconstpointer data)
{
  g_autoptr (ShardpixListing) listing = NULL;
  g_autoptr (GString) rel = g_string_new (NULL);
  g_autofree char *name = g_strnfill (200, 'd');
  int fd;

  /* Deeper than PATH_MAX (4096) in total, built one openat at a time since
   * mkdir on the full path would fail. */
  fd = open (fixture->dir, O_RDONLY | O_DIRECTORY);
  g_assert_cmpint (fd, >=, 0);
  for (guint i = 0; i < 30; i++)
    {
      int next;

      g_assert_cmpint (mkdirat (fd, name, 0700), ==, 0);
      next = openat (fd, name, O_RDONLY | O_DIRECTORY);
      g_assert_cmpint (next, >=, 0);
      close (fd);
      fd = next;
      g_string_append_printf (rel, "%s/", name);
    }
  g_string_append (rel, "deep.jpg");
  g_assert_cmpuint (rel->len, >, 4096);
  {
    int file = openat (fd, "deep.jpg", O_WRONLY | O_CREAT | O_EXCL, 0600);

    g_assert_cmpint (file, >=, 0);
    close (file);
  }
  close (fd);

  listing = list (fixture, SHARDPIX_LISTING_RECURSIVE);
  g_assert_cmpuint (listing->paths->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (listing->paths, 0), ==, rel->str);
}

static void
test_listing_hidden (Fixture *fixture, G_GNUC_UNUSED gconstpointer data)
{
  const char *const expected[] = { "visible.jpg", NULL };

  touch (fixture, "visible.jpg");
  touch (fixture, ".hidden.jpg");
  touch (fixture, ".jpg");
  touch (fixture, ".shardpix-1234-0.tmp");
  touch (fixture, ".notes.txt");
  make_dir (fixture, ".git");
  touch (fixture, ".git/inside.jpg");
  make_symlink (fixture, "nowhere", ".dangling.jpg");

  for (guint recursive = 0; recursive < 2; recursive++)
    {
      g_autoptr (ShardpixListing) listing = NULL;

      listing = list (fixture, recursive ? SHARDPIX_LISTING_RECURSIVE : SHARDPIX_LISTING_NONE);
      assert_paths (listing, expected);
      g_assert_cmpuint (listing->n_skipped, ==, 0);
    }
}

static void
test_listing_missing_root (Fixture *fixture, G_GNUC_UNUSED gconstpointer data)
{
  g_autofree char *missing = g_build_filename (fixture->dir, "missing", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (ShardpixListing) listing = NULL;

  listing = shardpix_listing_new (missing, SHARDPIX_LISTING_NONE, &error);
  g_assert_null (listing);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, missing));
}

static void
test_listing_root_not_folder (Fixture *fixture, G_GNUC_UNUSED gconstpointer data)
{
  g_autofree char *file = g_build_filename (fixture->dir, "file.jpg", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (ShardpixListing) listing = NULL;

  touch (fixture, "file.jpg");
  listing = shardpix_listing_new (file, SHARDPIX_LISTING_RECURSIVE, &error);
  g_assert_null (listing);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY);
  g_assert_nonnull (strstr (error->message, file));
}

static void
test_listing_unreadable_subfolder (Fixture *fixture, G_GNUC_UNUSED gconstpointer data)
{
  g_autofree char *locked = g_build_filename (fixture->dir, "locked", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (ShardpixListing) listing = NULL;

  /* Root reads everything, so there is nothing to refuse. */
  if (geteuid () == 0)
    {
      g_test_skip ("permissions do not apply to root");
      return;
    }
  touch (fixture, "fine.jpg");
  make_dir (fixture, "locked");
  touch (fixture, "locked/hidden-by-permissions.jpg");
  g_assert_cmpint (g_chmod (locked, 0), ==, 0);

  listing = shardpix_listing_new (fixture->dir, SHARDPIX_LISTING_RECURSIVE, &error);
  g_assert_null (listing);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_nonnull (strstr (error->message, "locked"));
}

static void
test_listing_no_images (Fixture *fixture, G_GNUC_UNUSED gconstpointer data)
{
  g_autoptr (ShardpixListing) empty = NULL;
  g_autoptr (ShardpixListing) listing = NULL;

  empty = list (fixture, SHARDPIX_LISTING_RECURSIVE);
  g_assert_cmpuint (empty->paths->len, ==, 0);
  g_assert_cmpuint (empty->n_skipped, ==, 0);

  touch (fixture, "readme.txt");
  make_dir (fixture, "sub");
  touch (fixture, "sub/data.csv");
  listing = list (fixture, SHARDPIX_LISTING_RECURSIVE);
  g_assert_cmpuint (listing->paths->len, ==, 0);
  g_assert_cmpuint (listing->n_skipped, ==, 2);
}

static void
test_listing_free_null (void)
{
  shardpix_listing_free (NULL);
}

static void
add_test (const char *path, void (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown);
}

/* With the rule of inputs.h: a link inside the root is kept, one that
 * leads outside is refused with where it leads (kept with
 * follow_symlinks), and one that leads into the output never. */
static void
test_checked_links (Fixture *fixture, G_GNUC_UNUSED gconstpointer data)
{
  g_autofree char *outside = g_strconcat (fixture->dir, "-outside.jpg", NULL);
  g_autofree char *out_dir = g_build_filename (fixture->dir, "out", NULL);
  g_autofree char *in_out = g_build_filename (out_dir, "old.jpg", NULL);

  make_dir (fixture, "sub");
  touch (fixture, "sub/real.jpg");
  make_symlink (fixture, "sub/real.jpg", "inside.jpg");
  make_symlink (fixture, outside, "outside.jpg");
  g_assert_true (g_file_set_contents (outside, "x", 1, NULL));
  g_assert_cmpint (g_mkdir (out_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (in_out, "x", 1, NULL));
  make_symlink (fixture, in_out, "into-out.jpg");
  for (int follow = 0; follow < 2; follow++)
    {
      g_auto (ShardpixInputs) inputs = { 0 };
      g_autoptr (ShardpixListing) listing = NULL;
      g_autoptr (GError) error = NULL;
      const ShardpixListingRefusal *refusal;

      shardpix_inputs_init (&inputs, fixture->dir, out_dir, follow);
      listing = shardpix_listing_new_checked (fixture->dir, SHARDPIX_LISTING_NONE, &inputs,
                                              &error);
      g_assert_no_error (error);
      g_assert_cmpuint (listing->paths->len, ==, follow ? 2 : 1);
      g_assert_cmpstr (g_ptr_array_index (listing->paths, 0), ==, "inside.jpg");
      g_assert_cmpuint (listing->refused->len, ==, follow ? 1 : 2);
      refusal = g_ptr_array_index (listing->refused, 0);
      g_assert_cmpstr (refusal->rel, ==, "into-out.jpg");
      g_assert_nonnull (strstr (refusal->reason, "inside OUTPUT_DIR"));
      if (!follow)
        {
          refusal = g_ptr_array_index (listing->refused, 1);
          g_assert_cmpstr (refusal->rel, ==, "outside.jpg");
          g_assert_nonnull (strstr (refusal->reason, outside));
          g_assert_nonnull (strstr (refusal->reason, "outside INPUT_DIR"));
        }
    }
  unlink (outside);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  add_test ("/shardpix/listing/order", test_listing_order);
  add_test ("/shardpix/listing/extensions", test_listing_extensions);
  g_test_add_func ("/shardpix/listing/is-image-name", test_listing_is_image_name);
  add_test ("/shardpix/listing/skipped", test_listing_skipped);
  add_test ("/shardpix/listing/skip-reasons", test_listing_skip_reasons);
  add_test ("/shardpix/listing/recursive", test_listing_recursive);
  add_test ("/shardpix/listing/long-path", test_listing_long_path);
  add_test ("/shardpix/listing/hidden", test_listing_hidden);
  add_test ("/shardpix/listing/missing-root", test_listing_missing_root);
  add_test ("/shardpix/listing/root-not-folder", test_listing_root_not_folder);
  add_test ("/shardpix/listing/unreadable-subfolder", test_listing_unreadable_subfolder);
  add_test ("/shardpix/listing/no-images", test_listing_no_images);
  g_test_add_func ("/shardpix/listing/free-null", test_listing_free_null);

  g_test_add ("/shardpix/listing/checked-links", Fixture, NULL, fixture_setup,
              test_checked_links, fixture_teardown);
  return g_test_run ();
}
