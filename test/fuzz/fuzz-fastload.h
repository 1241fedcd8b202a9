/* What the fast-path fuzz targets share: the bytes become a real file, the
 * fast decoder is asked first, and whatever it accepts goes through the
 * real pipeline twice, with and without fast paths. The property checked
 * (issue 12): a fast path that takes a file gives libvips' thumbnail within
 * the documented tolerance; one that declines says "not mine" (NULL) and
 * the libvips path decides. A failed check prints why and traps. */
#pragma once

#include <sys/stat.h>

#include <vips/vips.h>

#include "shardpix/job.h"
#include "tolerance.h"

G_BEGIN_DECLS

typedef VipsImage *(*FuzzFastload) (int fd, const struct stat *st, const ShardpixJob *job);

/* Starts libvips as a worker does, and a scratch folder: called by the
 * LLVMFuzzerInitialize() of fuzz-fastload.c. */
void fuzz_fastload_init (const char *argv0);

/* The job the targets run: the default one, a small box, PNG output. */
const ShardpixJob *fuzz_fastload_job (void);

/* Writes @data as IN/input.@ext; returns its path (owned by the helper). */
const char *fuzz_fastload_write (const guint8 *data, gsize size, const char *ext);

/* Checks the property above for @data saved as .@ext. */
void fuzz_fastload_check (const guint8 *data, gsize size, const char *ext, FuzzFastload fastload,
                          ToleranceKind kind);

/* Fails the target with @format's message. */
G_GNUC_NORETURN G_GNUC_PRINTF (1, 2) void fuzz_fastload_fail (const char *format, ...);

G_END_DECLS
