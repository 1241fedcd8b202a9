/* Starting libvips the way a worker uses it: which operations may run, and
 * which of libvips' loadable modules are opened, and when. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Starts libvips for this process: @threads threads, the operation cache
 * off, only the loaders and savers this tool means to run. The HEIF and
 * JPEG XL modules are left closed (see shardpix_vips_setup_open_modules())
 * when libvips would have opened them from the libdir it was built for:
 * VIPSHOME unset or its own prefix, and libvips not started before. */
gboolean shardpix_vips_setup_start (const char *argv0, int threads, GError **error);

/* Opens the modules start left closed, once per process, and applies the
 * same operation policy to what they bring. FALSE when there was nothing
 * left to open (also when start left none closed): the caller's "no
 * loader" or "no saver" stands. Safe on any thread. */
gboolean shardpix_vips_setup_open_modules (void);

/* TRUE while start left modules closed. */
gboolean shardpix_vips_setup_modules_pending (void);

G_END_DECLS
