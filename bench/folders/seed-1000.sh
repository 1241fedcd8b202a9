#!/usr/bin/env bash
# The seed's scenario (issue 15, target 4): 1000 images of 1-12 MP made
# from the real photographs of Debian's wallpaper packages (the 40 JPEG
# photos of bench/make-real-folder.sh's packages, 1.3-19 MP).
#   bench/folders/seed-1000.sh DIR [COUNT]
# Image i (0-based, COUNT default 1000) comes from photo i mod 40: a crop
# of 55-100% of each side (the whole photo where that is under 1 MP) at a position and a size that depend only on i,
# scaled down (Lanczos, never up) to a target of 1-12 MP picked from i,
# then saved by Pillow (libjpeg-turbo, zlib, libwebp):
#   i mod 20 in 0-13: JPEG (70%), Q 75-95; progressive for 3, 7 and 11
#                     (3 in 14 of the JPEGs), baseline otherwise
#   i mod 20 in 14-16: PNG (15%), RGB, zlib level 6 (Pillow's default)
#   i mod 20 in 17-19: WebP (15%), lossy, Q 75-90
# Names seed-NNNN-PHOTO.EXT. Deterministic: the same packages and Pillow
# give the same files (no random state: sizes come from a fixed integer
# hash of i). Ends with its census (bench/kinds.py). About 2 GB; a few
# minutes of CPU (the PNGs are most of it).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

out=${1:?usage: seed-1000.sh DIR [COUNT]}
count=${2:-1000}
PACKAGES=(mate-backgrounds ukui-wallpapers lomiri-wallpapers-16.04 lomiri-wallpapers-20.04
          gnome-backgrounds python3-pil)

. "$(dirname "$0")/../packages.sh"
install_packages "${PACKAGES[@]}"

rm -rf "$out"
mkdir -p "$out"
list=$(mktemp)
trap 'rm -f "$list"' EXIT
for p in mate-backgrounds ukui-wallpapers lomiri-wallpapers-16.04 lomiri-wallpapers-20.04 \
         gnome-backgrounds; do
  dpkg -L "$p"
done | grep -iE '\.jpe?g$' | grep -v '/vnc-' | LC_ALL=C sort -u > "$list"
/usr/bin/python3 - "$out" "$count" "$list" <<'PY'
import os
import sys

from PIL import Image

out, count = sys.argv[1], int(sys.argv[2])
photos = [line.strip() for line in open(sys.argv[3]) if line.strip()]


def h(i, salt):
    """A fixed integer hash (no random module: same on every machine)."""
    x = (i * 2654435761 + salt * 40503) & 0xFFFFFFFF
    x ^= x >> 15
    x = (x * 2246822519) & 0xFFFFFFFF
    return x ^ (x >> 13)


cache = {}
for i in range(count):
    src = photos[i % len(photos)]
    if src not in cache:
        cache.clear()  # one decoded photo at a time: they are up to 19 MP
        with Image.open(src) as im:
            cache[src] = im.convert("RGB")
    im = cache[src]
    w, h0 = im.size
    cw = w * (55 + h(i, 1) % 46) // 100
    ch = h0 * (55 + h(i, 2) % 46) // 100
    if cw * ch < 1_000_000:  # at least 1 MP: the whole photo (all are 1.3 MP or more)
        cw, ch = w, h0
    x = h(i, 3) % (w - cw + 1)
    y = h(i, 4) % (h0 - ch + 1)
    target = 1_000_000 + h(i, 5) % 11_000_001
    scale = min(1.0, (target / (cw * ch)) ** 0.5)
    tile = im.crop((x, y, x + cw, y + ch))
    if scale < 1.0:
        tile = tile.resize((max(1, round(cw * scale)), max(1, round(ch * scale))), Image.LANCZOS)
    name = f"seed-{i:04d}-{os.path.splitext(os.path.basename(src))[0]}"
    slot = i % 20
    if slot < 14:
        tile.save(os.path.join(out, name + ".jpg"), quality=75 + h(i, 6) % 21,
                  progressive=(slot % 4 == 3))
    elif slot < 17:
        tile.save(os.path.join(out, name + ".png"))
    else:
        tile.save(os.path.join(out, name + ".webp"), quality=75 + h(i, 7) % 16)
PY
/usr/bin/python3 "$here/kinds.py" --census "$out"/*
echo "$(ls "$out" | wc -l) files, $(du -sh "$out" | cut -f1) in $out" >&2
