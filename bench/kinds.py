#!/usr/bin/python3
"""Input kind of each image, read independently of shardpix: the PNG IHDR
(bit depth, colour type), Pillow for JPEG (progressive or baseline) and
WebP (lossy, lossless), the ISOBMFF brand for HEIC and AVIF.
   kinds.py FILE...           one line per file: KIND WIDTH HEIGHT PATH
   kinds.py --census FILE...  files and megapixels per kind, and in all,
                              with the smallest and largest image
Kinds: jpeg-base jpeg-prog png-grey png-grey-alpha png-palette png-rgb
png-rgba png-16 (any colour type at 16 bits) webp-lossy webp-lossless heic
avif jxl; other (anything else) and error (unreadable)."""
import collections
import struct
import subprocess
import sys

from PIL import Image

PNG_TYPES = {0: "png-grey", 2: "png-rgb", 3: "png-palette", 4: "png-grey-alpha", 6: "png-rgba"}


def png_kind(head):
    width, height, depth, colour = struct.unpack(">IIBB", head[16:26])
    return ("png-16" if depth == 16 else PNG_TYPES.get(colour, "other")), width, height


def vips_size(path):
    """Pillow 9.4 reads neither HEIF nor JPEG XL: the size from libvips' header."""
    try:
        out = subprocess.run(["vipsheader", "-f", "width", path], capture_output=True, text=True,
                             check=True).stdout
        width = int(out)
        out = subprocess.run(["vipsheader", "-f", "height", path], capture_output=True, text=True,
                             check=True).stdout
        return width, int(out)
    except (OSError, ValueError, subprocess.CalledProcessError):
        return 0, 0


def heif_kind(head):
    # ftyp major brand and compatible brands: AVIF says avif/avis, HEIC
    # heic/heix/hevc (mif1 alone is the container, not the codec).
    size = struct.unpack(">I", head[:4])[0]
    brands = [head[8:12]] + [head[i:i + 4] for i in range(16, min(size, len(head)), 4)]
    return "avif" if {b"avif", b"avis"} & set(brands) else "heic"


def kind_of(path):
    with open(path, "rb") as f:
        head = f.read(64)
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return png_kind(head)
    if head[4:8] == b"ftyp":
        return (heif_kind(head),) + vips_size(path)
    if head[:2] == b"\xff\x0a" or head[4:8] == b"JXL ":
        return ("jxl",) + vips_size(path)
    with Image.open(path) as im:
        if im.format == "JPEG":
            prog = im.info.get("progressive") or im.info.get("progression")
            return ("jpeg-prog" if prog else "jpeg-base"), im.width, im.height
        if im.format == "WEBP":
            return ("webp-lossless" if head[12:16] == b"VP8L" else "webp-lossy"), im.width, im.height
        return "other", im.width, im.height


def main():
    census = sys.argv[1:2] == ["--census"]
    paths = sys.argv[2:] if census else sys.argv[1:]
    files = collections.Counter()
    mp = collections.Counter()
    sizes = collections.defaultdict(list)
    for path in sorted(paths):
        try:
            kind, width, height = kind_of(path)
        except (OSError, SyntaxError, ValueError, struct.error):
            kind, width, height = "error", 0, 0
        files[kind] += 1
        mp[kind] += width * height / 1e6
        sizes[kind].append(width * height / 1e6)
        if not census:
            print(kind, width, height, path)
    if census:
        for kind in sorted(files):
            print(f"{kind:15} {files[kind]:5} files {mp[kind]:8.1f} MP"
                  f"  ({min(sizes[kind]):.2f}-{max(sizes[kind]):.2f} MP each)")
        every = [m for v in sizes.values() for m in v]
        print(f"{'all':15} {sum(files.values()):5} files {sum(mp.values()):8.1f} MP"
              f"  ({min(every):.2f}-{max(every):.2f} MP each)")


if __name__ == "__main__":
    main()
