/* slowfs: a read-only FUSE passthrough of one folder that behaves like slow
 * storage (NFS, SMB, an object store behind FUSE, a cold disk): every open
 * waits --open-ms, every read waits --ms-per-mb per megabyte it returns.
 * Reads are served on many threads, so two workers waiting at once wait
 * side by side, as on a network.
 *
 *   slowfs SOURCE MOUNTPOINT [--open-ms=N] [--ms-per-mb=N] [FUSE options]
 *
 * The kernel drops a file's cached pages at every open (no keep_cache), so
 * a second open of the same file is as slow as the first: what a cold
 * network folder does, and what prefetching must cope with. Test and bench
 * fixture only; never installed. */
#define FUSE_USE_VERSION 31

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct {
  char *source;
  int source_fd;
  unsigned open_ms;
  unsigned ms_per_mb;
} SlowfsOptions;

static SlowfsOptions slowfs;

#define SLOWFS_OPTION(t, p) { t, offsetof (SlowfsOptions, p), 1 }
static const struct fuse_opt slowfs_opts[] = {
  SLOWFS_OPTION ("--open-ms=%u", open_ms),
  SLOWFS_OPTION ("--ms-per-mb=%u", ms_per_mb),
  FUSE_OPT_END,
};

static void
slowfs_wait_us (unsigned long long us)
{
  struct timespec ts = { (time_t) (us / 1000000), (long) (us % 1000000) * 1000 };

  while (nanosleep (&ts, &ts) != 0 && errno == EINTR)
    ;
}

/* FUSE paths start with "/"; relative to the source folder's fd they do
 * not, and "/" itself is ".". */
static const char *
slowfs_rel (const char *path)
{
  return path[1] != '\0' ? path + 1 : ".";
}

static int
slowfs_getattr (const char *path, struct stat *st, struct fuse_file_info *fi)
{
  if (fstatat (slowfs.source_fd, slowfs_rel (path), st, AT_SYMLINK_NOFOLLOW) != 0)
    return -errno;
  return 0;
}

static int
slowfs_readlink (const char *path, char *buf, size_t size)
{
  ssize_t len = readlinkat (slowfs.source_fd, slowfs_rel (path), buf, size - 1);

  if (len < 0)
    return -errno;
  buf[len] = '\0';
  return 0;
}

static int
slowfs_readdir (const char *path, void *buf, fuse_fill_dir_t fill, off_t offset,
                struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
  int fd = openat (slowfs.source_fd, slowfs_rel (path), O_RDONLY | O_DIRECTORY);
  DIR *dir;
  struct dirent *entry;

  if (fd < 0)
    return -errno;
  dir = fdopendir (fd);
  if (dir == NULL)
    {
      int errsv = errno;

      close (fd);
      return -errsv;
    }
  while ((entry = readdir (dir)) != NULL)
    {
      struct stat st = { .st_ino = entry->d_ino, .st_mode = (mode_t) DTTOIF (entry->d_type) };

      if (fill (buf, entry->d_name, &st, 0, 0) != 0)
        break;
    }
  closedir (dir);
  return 0;
}

static int
slowfs_open (const char *path, struct fuse_file_info *fi)
{
  int fd;

  if ((fi->flags & O_ACCMODE) != O_RDONLY)
    return -EROFS;
  slowfs_wait_us (slowfs.open_ms * 1000ULL);
  fd = openat (slowfs.source_fd, slowfs_rel (path), O_RDONLY | O_NOFOLLOW);
  if (fd < 0)
    return -errno;
  fi->fh = (uint64_t) fd;
  return 0;
}

static int
slowfs_read (const char *path, char *buf, size_t size, off_t offset, struct fuse_file_info *fi)
{
  ssize_t got = pread ((int) fi->fh, buf, size, offset);

  if (got < 0)
    return -errno;
  slowfs_wait_us ((unsigned long long) got * slowfs.ms_per_mb * 1000ULL / (1024 * 1024));
  return (int) got;
}

static int
slowfs_release (const char *path, struct fuse_file_info *fi)
{
  close ((int) fi->fh);
  return 0;
}

static const struct fuse_operations slowfs_ops = {
  .getattr = slowfs_getattr,
  .readlink = slowfs_readlink,
  .readdir = slowfs_readdir,
  .open = slowfs_open,
  .read = slowfs_read,
  .release = slowfs_release,
};

/* The first non-option argument is SOURCE; the rest is FUSE's. */
static int
slowfs_take_source (void *data, const char *arg, int key, struct fuse_args *args)
{
  if (key == FUSE_OPT_KEY_NONOPT && slowfs.source == NULL)
    {
      slowfs.source = realpath (arg, NULL);
      if (slowfs.source == NULL)
        {
          fprintf (stderr, "slowfs: %s: %s\n", arg, strerror (errno));
          exit (2);
        }
      return 0;
    }
  return 1;
}

int
main (int argc, char **argv)
{
  struct fuse_args args = FUSE_ARGS_INIT (argc, argv);
  int status;

  if (fuse_opt_parse (&args, &slowfs, slowfs_opts, slowfs_take_source) != 0)
    return 2;
  if (slowfs.source == NULL)
    {
      fprintf (stderr, "usage: slowfs SOURCE MOUNTPOINT [--open-ms=N] [--ms-per-mb=N]\n");
      return 2;
    }
  slowfs.source_fd = open (slowfs.source, O_RDONLY | O_DIRECTORY);
  if (slowfs.source_fd < 0)
    {
      fprintf (stderr, "slowfs: %s: %s\n", slowfs.source, strerror (errno));
      return 2;
    }
  /* Read-only, and (as root in tests) usable by everyone. */
  fuse_opt_add_arg (&args, "-oro,default_permissions");
  status = fuse_main (args.argc, args.argv, &slowfs_ops, NULL);
  fuse_opt_free_args (&args);
  free (slowfs.source);
  return status;
}
