#!/usr/bin/python3
"""PSNR of grey thumbnails against an ideal reference (issue 15, target 2).

   quality.py IN OUT [--json FILE] [--icc]

For every output in OUT whose input (same relative path, any of the
listed extensions) is in IN: the reference is the input fully decoded
(Pillow; formats Pillow cannot read, such as HEIC, AVIF and JPEG XL, are
first decoded by the `vips` CLI to a 16-bit PNG), turned upright by its
EXIF orientation, made grey in floating point with Rec.601 weights on the
stored values (0.299 R + 0.587 G + 0.114 B), and area-filtered from full
resolution to the output's own size (OpenCV INTER_AREA on float32). The
output is decoded to 8-bit grey (its first band). Where the input has
alpha, the filter works on grey premultiplied by alpha, as compositing
does (unpremultiplied, a transparent pixel's hidden grey would bleed into
its neighbours). An output that keeps alpha is compared where it is seen:
each pixel's squared error is weighed by the reference's alpha. An output
without alpha (JPEG) is compared with the reference flattened on black,
the background libvips, sharp and shardpix flatten on, pixel for pixel. Prints
the count, median, 5th percentile and minimum PSNR in dB, and the worst
files. Independent of shardpix: no code of it is used.

--icc: the reference honours an embedded ICC profile (Pillow's ImageCms,
lcms2, perceptual intent, to sRGB) before the grey step: the grey of the
colours the file means, where the default (as the issue words it) takes
the stored values. Inputs decoded by the vips CLI (HEIC, AVIF, JPEG XL)
are not converted either way."""
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile

import cv2
import numpy as np
from PIL import Image, ImageCms, ImageOps

PILLOW_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".gif"}
VIPS_EXTENSIONS = {".heic", ".heif", ".avif", ".jxl"}


def grey_float(im):
    """Rec.601 grey and alpha (or None) of a Pillow image, float32 0..255."""
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        return np.asarray(im, dtype=np.float32) / 257.0, None
    if im.mode in ("L", "LA"):
        alpha = np.asarray(im.getchannel(1), dtype=np.float32) if im.mode == "LA" else None
        return np.asarray(im.getchannel(0), dtype=np.float32), alpha
    has_alpha = im.mode in ("RGBA", "PA") or (im.mode == "P" and "transparency" in im.info)
    rgba = np.asarray(im.convert("RGBA"), dtype=np.float32)
    grey = 0.299 * rgba[..., 0] + 0.587 * rgba[..., 1] + 0.114 * rgba[..., 2]
    return grey, rgba[..., 3] if has_alpha else None


def rgb16_grey(path):
    """Grey and alpha from a 16-bit (or 8-bit) PNG read by OpenCV, which
    keeps 16 bits."""
    img = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    scale = 257.0 if img.dtype == np.uint16 else 1.0
    img = img.astype(np.float32) / scale
    if img.ndim == 2:
        return img, None
    b, g, r = img[..., 0], img[..., 1], img[..., 2]
    return 0.299 * r + 0.587 * g + 0.114 * b, img[..., 3] if img.shape[2] == 4 else None


HONOUR_ICC = False


def to_srgb(im):
    """@im converted from its embedded profile to sRGB, or as it is."""
    icc = im.info.get("icc_profile")
    if not HONOUR_ICC or not icc or im.mode not in ("RGB", "RGBA"):
        return im
    source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    srgb = ImageCms.createProfile("sRGB")
    return ImageCms.profileToProfile(im, source, srgb, outputMode=im.mode)


def reference(src, size):
    ext = os.path.splitext(src)[1].lower()
    if ext in VIPS_EXTENSIONS:
        with tempfile.TemporaryDirectory() as tmp:
            png = os.path.join(tmp, "full.png")
            upright = os.path.join(tmp, "upright.v")
            # autorot: the orientation libvips reads for HEIF (its irot and
            # EXIF). The PNG keeps the decoded depth (8 bits, or 16 for a
            # deeper HEIF), so nothing is rounded before the grey step. Not
            # `[bitdepth=16]`: on an 8-bit image that crashes libvips 8.14.1's
            # pngsave (SIGSEGV, every HEIC and AVIF of bench/folders/phone.sh).
            subprocess.run(["vips", "autorot", src, upright], check=True, capture_output=True)
            subprocess.run(["vips", "copy", upright, png], check=True, capture_output=True)
            grey, alpha = rgb16_grey(png)
    else:
        with Image.open(src) as im:
            im = to_srgb(ImageOps.exif_transpose(im))
            grey, alpha = grey_float(im)
    return grey, alpha


def expected(src, size, out_has_alpha):
    """The reference at the output's size, and the per-pixel weight of the
    error (None: every pixel counts alike)."""
    grey, alpha = reference(src, size)
    if alpha is None:
        return cv2.resize(grey, size, interpolation=cv2.INTER_AREA), None
    alpha = alpha / 255.0
    shown = cv2.resize(grey * alpha, size, interpolation=cv2.INTER_AREA)
    if not out_has_alpha:
        return shown, None
    coverage = cv2.resize(alpha, size, interpolation=cv2.INTER_AREA)
    return shown / np.maximum(coverage, 1e-6), coverage


def output_grey(path):
    """The output's grey (first band), and whether it has an alpha band."""
    if os.path.splitext(path)[1].lower() in VIPS_EXTENSIONS:
        # HEIC, AVIF and JPEG XL outputs: neither OpenCV nor Pillow reads
        # them here; the vips CLI decodes them to PNG, as for the inputs.
        with tempfile.TemporaryDirectory() as tmp:
            png = os.path.join(tmp, "out.png")
            subprocess.run(["vips", "copy", path, png], check=True, capture_output=True)
            return output_grey(png)
    img = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if img is None:
        with Image.open(path) as im:
            return np.asarray(im.convert("L"), dtype=np.float32), im.mode in ("LA", "RGBA", "PA")
    if img.dtype == np.uint16:
        img = img.astype(np.float32) / 257.0
    img = img.astype(np.float32)
    if img.ndim == 2:
        return img, False
    return img[..., 0], img.shape[2] in (2, 4)


def psnr(a, b, weight):
    err = (a - b) ** 2
    mse = float(np.mean(err)) if weight is None else float(np.sum(err * weight) / max(np.sum(weight), 1e-9))
    return 99.0 if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


def find_input(in_dir, rel_out):
    stem = os.path.splitext(rel_out)[0]
    for ext in sorted(PILLOW_EXTENSIONS | VIPS_EXTENSIONS):
        for candidate in (stem + ext, stem + ext.upper()):
            path = os.path.join(in_dir, candidate)
            if os.path.isfile(path):
                return path
    return None


def main():
    global HONOUR_ICC
    args = [a for a in sys.argv[1:] if a != "--icc"]
    HONOUR_ICC = len(args) != len(sys.argv) - 1
    in_dir, out_dir = args[0], args[1]
    json_path = args[3] if len(args) > 3 and args[2] == "--json" else None
    scores = {}
    for root, _, files in os.walk(out_dir):
        for name in files:
            if name.startswith("."):
                continue
            out = os.path.join(root, name)
            rel = os.path.relpath(out, out_dir)
            src = find_input(in_dir, rel)
            if src is None:
                continue
            got, got_alpha = output_grey(out)
            ref, weight = expected(src, (got.shape[1], got.shape[0]), got_alpha)
            scores[rel] = psnr(got, ref, weight)
    if not scores:
        sys.exit("quality.py: no output matched an input")
    values = sorted(scores.values())
    p5 = values[max(0, int(round(0.05 * (len(values) - 1))))]
    summary = {"files": len(values), "median_db": statistics.median(values), "p5_db": p5,
               "min_db": values[0]}
    print(f"{len(values)} files: median {summary['median_db']:.2f} dB, "
          f"5th percentile {p5:.2f} dB, min {values[0]:.2f} dB")
    for rel, value in sorted(scores.items(), key=lambda kv: kv[1])[:5]:
        print(f"  worst: {value:6.2f} dB  {rel}")
    if json_path:
        with open(json_path, "w") as f:
            json.dump({"summary": summary, "files": scores}, f, indent=1)


if __name__ == "__main__":
    main()
