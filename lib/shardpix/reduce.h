/* The bicubic reduce of an 8-bit image, with the arithmetic of libvips
 * 8.14's vips_resize() and without its machinery.
 *
 * Why: on the artwork folder, vips_resize() of the fast decoders' small
 * pre-shrunk images cost about a sixth of all instructions (13.04 G for
 * 150 images): reduceh's scalar loop 1.23 G, the Orc compile of every
 * reducev 0.52 G (each image compiles its own programs again), the Orc
 * code 0.17 G, and the regions around them. The same sums here, SSE2 where
 * the machine has it, cost a fraction of that (docs/performance.md).
 *
 * What "the arithmetic" means: reducev, then reduceh, as 8.14 does them
 * (each with the box shrink it starts with past the gap of 2),
 * with its masks (Catmull-Rom, normalised, tabulated at 1/64 pixel), its
 * edge copies, its origin offsets and its fixed point: 2.6 bits with
 * 16-bit saturating sums for reducev when libvips' vector path is enabled
 * (Orc), 12 bits with int sums otherwise and always for reduceh. The
 * positions are accumulated as libvips' regions accumulate them
 * (reducev's tiles of 10 lines, reduceh's whole lines), so the pixels are
 * libvips' own; test-reduce holds them to vips_resize() exactly (though
 * on its inputs tiles of 16 gave the same bytes: the restart seldom
 * matters). */
#pragma once

#include <glib.h>
#include <vips/vips.h>

G_BEGIN_DECLS

/* vips_resize (@in, &out, @hscale, "vscale", @vscale, "kernel",
 * VIPS_KERNEL_CUBIC) computed here, for an uncoded 8-bit image that
 * shrinks on both axes (both scales < 1), on libvips 8.14; where the
 * factor is 4 or more, reducev's and reduceh's own integer box shrink
 * (vips_shrinkv/h with ceil) comes first, as there. NULL (with no error
 * set) when that does not hold: the caller then asks libvips. The output
 * is a memory image with @in's header and metadata at the new size. */
VipsImage *shardpix_reduce_resize (VipsImage *in, double hscale, double vscale);

G_END_DECLS
