/* libvips 8.14 declares no g_autoptr() cleanups for its types; 8.15 does
 * (in its own headers), so these are only for older versions. */
#pragma once

#include <vips/vips.h>

#if VIPS_MAJOR_VERSION == 8 && VIPS_MINOR_VERSION < 15
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VipsImage, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VipsTarget, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VipsSource, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VipsRegion, g_object_unref)
#endif
