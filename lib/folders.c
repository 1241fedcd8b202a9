#include "shardpix/folders.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shardpix/error.h"
#include "shardpix/inputs.h"

char *
shardpix_folders_resolve (const char *path)
{
  g_autofree char *absolute = g_canonicalize_filename (path, NULL);
  g_autofree char *parent = g_path_get_dirname (absolute);
  g_autofree char *base = g_path_get_basename (absolute);
  g_autofree char *resolved_parent = NULL;
  char *resolved = realpath (absolute, NULL);

  if (resolved != NULL || strcmp (parent, absolute) == 0)
    return resolved ? resolved : g_strdup (absolute);
  resolved_parent = shardpix_folders_resolve (parent);
  return g_build_filename (resolved_parent, base, NULL);
}

gboolean
shardpix_folders_within (const char *root, const char *path)
{
  gsize len = strlen (root);

  if (strcmp (root, "/") == 0)
    return path[0] == '/';
  return strncmp (root, path, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

static gboolean
folders_refuse (GError **error, const char *input, const char *output, const char *why)
{
  g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_LAYOUT,
               "output folder %s and input folder %s overlap (%s): refusing, an output "
               "could overwrite an input", output, input, why);
  return FALSE;
}

/* Whether @st is @path or one of its ancestors, walking up by ".." from
 * the directory itself: under another name (a bind mount, a symlink) it is
 * still the same device and inode. */
static gboolean
folders_ancestor_is (const char *path, const struct stat *st)
{
  int fd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);

  while (fd >= 0)
    {
      struct stat here;
      int up;

      if (fstat (fd, &here) != 0)
        break;
      if (here.st_dev == st->st_dev && here.st_ino == st->st_ino)
        {
          close (fd);
          return TRUE;
        }
      up = openat (fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (up >= 0)
        {
          struct stat above;

          /* "/" is its own parent. */
          if (fstat (up, &above) == 0 && above.st_dev == here.st_dev
              && above.st_ino == here.st_ino)
            {
              close (up);
              up = -1;
            }
        }
      close (fd);
      fd = up;
    }
  if (fd >= 0)
    close (fd);
  return FALSE;
}

/* One line of /proc/self/mountinfo: which part (@root) of which file system
 * (@dev, "major:minor") is seen at @point. */
typedef struct {
  char *dev;
  char *root;
  char *point;
} FoldersMount;

static void
folders_mount_free (gpointer data)
{
  FoldersMount *mount = data;

  g_free (mount->dev);
  g_free (mount->root);
  g_free (mount->point);
  g_free (mount);
}

/* mountinfo writes a space as "\040": octal escapes, decoded in place. */
static char *
folders_unescape (const char *field)
{
  GString *out = g_string_new (NULL);

  for (const char *p = field; *p; p++)
    if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0'
        && p[3] <= '7')
      {
        g_string_append_c (out, (char) ((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0')));
        p += 3;
      }
    else
      g_string_append_c (out, *p);
  return g_string_free (out, FALSE);
}

/* NULL when /proc is not mounted: the other two comparisons still hold. */
static GPtrArray *
folders_mounts_load (void)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  GPtrArray *mounts;

  if (!g_file_get_contents ("/proc/self/mountinfo", &text, NULL, NULL))
    return NULL;
  mounts = g_ptr_array_new_with_free_func (folders_mount_free);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) fields = g_strsplit (lines[i], " ", 6);
      FoldersMount *mount;

      if (g_strv_length (fields) < 5)
        continue;
      mount = g_new0 (FoldersMount, 1);
      mount->dev = g_strdup (fields[2]);
      mount->root = folders_unescape (fields[3]);
      mount->point = folders_unescape (fields[4]);
      g_ptr_array_add (mounts, mount);
    }
  return mounts;
}

/* Where the resolved @path lies inside its file system: the part below the
 * mount that shows it, appended to that mount's root. The last of stacked
 * mounts on one point is the one seen. */
static char *
folders_fs_path (GPtrArray *mounts, const char *path, const char **dev)
{
  const FoldersMount *best = NULL;
  const char *rest;

  for (guint i = 0; i < mounts->len; i++)
    {
      const FoldersMount *mount = g_ptr_array_index (mounts, i);

      if (shardpix_folders_within (mount->point, path)
          && (best == NULL || strlen (mount->point) >= strlen (best->point)))
        best = mount;
    }
  if (best == NULL)
    return NULL;
  *dev = best->dev;
  rest = strcmp (best->point, "/") == 0 ? path : path + strlen (best->point);
  return g_canonicalize_filename (*rest == '/' ? rest + 1 : rest, best->root);
}

static gboolean
folders_fs_overlap (const char *dev_a, const char *a, const char *dev_b, const char *b)
{
  return strcmp (dev_a, dev_b) == 0
         && (shardpix_folders_within (a, b) || shardpix_folders_within (b, a));
}

/* A mount strictly below @below whose part of its file system overlaps
 * @other's (@other_dev, @other_fs): "OUT/x" bound to "IN/sub". */
static const FoldersMount *
folders_mount_showing (GPtrArray *mounts, const char *below, const char *other_dev,
                       const char *other_fs)
{
  for (guint i = 0; i < mounts->len; i++)
    {
      const FoldersMount *mount = g_ptr_array_index (mounts, i);

      if (strcmp (mount->point, below) != 0 && shardpix_folders_within (below, mount->point)
          && folders_fs_overlap (mount->dev, mount->root, other_dev, other_fs))
        return mount;
    }
  return NULL;
}

static gboolean
folders_check_mounts (const char *in, const char *out, const char *input_dir,
                      const char *output_dir, GError **error)
{
  g_autoptr (GPtrArray) mounts = folders_mounts_load ();
  g_autofree char *in_fs = NULL;
  g_autofree char *out_fs = NULL;
  const char *in_dev = NULL, *out_dev = NULL;
  const FoldersMount *mount;

  if (mounts == NULL)
    return TRUE;
  in_fs = folders_fs_path (mounts, in, &in_dev);
  out_fs = folders_fs_path (mounts, out, &out_dev);
  if (in_fs == NULL || out_fs == NULL)
    return TRUE;
  if (folders_fs_overlap (in_dev, in_fs, out_dev, out_fs))
    return folders_refuse (error, input_dir, output_dir,
                           "one shows the other's files through a bind mount");
  mount = folders_mount_showing (mounts, out, in_dev, in_fs);
  if (mount == NULL)
    mount = folders_mount_showing (mounts, in, out_dev, out_fs);
  if (mount != NULL)
    {
      g_autofree char *why = g_strdup_printf ("the mount at %s shows a part of the other",
                                              mount->point);
      return folders_refuse (error, input_dir, output_dir, why);
    }
  return TRUE;
}

gboolean
shardpix_folders_check (const char *input_dir, const char *output_dir, GError **error)
{
  g_autofree char *in = shardpix_folders_resolve (input_dir);
  g_autofree char *out = shardpix_folders_resolve (output_dir);
  g_autofree char *existing = g_strdup (out);
  struct stat in_st, out_st;

  if (strcmp (in, out) == 0)
    return folders_refuse (error, input_dir, output_dir, "they are the same folder");
  if (shardpix_folders_within (in, out))
    return folders_refuse (error, input_dir, output_dir, "the output is inside the input");
  if (shardpix_folders_within (out, in))
    return folders_refuse (error, input_dir, output_dir, "the input is inside the output");
  if (stat (in, &in_st) != 0)
    return shardpix_error_errno_as (SHARDPIX_ERROR_INPUT, errno, error, "input folder %s",
                                    input_dir);
  /* The output may not exist yet: the part of it that does is what could
   * be the input under another name. */
  while (stat (existing, &out_st) != 0 && strcmp (existing, "/") != 0)
    {
      char *parent = g_path_get_dirname (existing);

      g_free (existing);
      existing = parent;
    }
  if (folders_ancestor_is (existing, &in_st))
    return folders_refuse (error, input_dir, output_dir,
                           "the output is inside the input, under another name");
  if (strcmp (existing, out) == 0 && folders_ancestor_is (in, &out_st))
    return folders_refuse (error, input_dir, output_dir,
                           "the input is inside the output, under another name");
  return folders_check_mounts (in, out, input_dir, output_dir, error);
}

gboolean
shardpix_folders_prepare (const ShardpixJob *job, GError **error)
{
  struct stat st;

  if (stat (job->input_dir, &st) != 0)
    return shardpix_error_errno_as (SHARDPIX_ERROR_INPUT, errno, error, "input folder %s",
                                    job->input_dir);
  if (!S_ISDIR (st.st_mode))
    {
      g_set_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_INPUT, "input %s is not a folder",
                   job->input_dir);
      return FALSE;
    }
  if (!shardpix_folders_check (job->input_dir, job->output_dir, error))
    return FALSE;
  if (g_mkdir_with_parents (job->output_dir, 0777) != 0)
    /* Before any work: a usage error (exit 2), not a run that stopped. */
    return shardpix_error_errno_as (SHARDPIX_ERROR_USAGE, errno, error,
                                    "cannot create output folder %s", job->output_dir);
  return TRUE;
}

ShardpixListing *
shardpix_folders_list_inputs (const ShardpixJob *job, gboolean recursive, GError **error)
{
  g_auto (ShardpixInputs) inputs = { 0 };

  shardpix_inputs_init (&inputs, job->input_dir, job->output_dir, job->follow_symlinks);
  return shardpix_listing_new_checked (job->input_dir,
                                       recursive ? SHARDPIX_LISTING_RECURSIVE
                                                 : SHARDPIX_LISTING_NONE,
                                       &inputs, error);
}
