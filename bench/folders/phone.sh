#!/usr/bin/env bash
# A folder of 60 files in the formats and sizes phones write, made from real
# photographs of Debian's wallpaper packages (issue 13's acceptance folder).
#   bench/folders/phone.sh DIR            build it
#   bench/folders/phone.sh --check DIR OUT [SIZE]
#       check a `shardpix run DIR OUT --size SIZE` (default 256): every
#       output exists, is grey and has the size `vips thumbnail` gives
#       (orientation applied).
# Each of 12 photos (4032x3024 or 3024x4032, cropped from the original)
# gives 5 files, in turn:
#   IMG_NNNN.HEIC  HEVC, Q50 (upper case, as an iPhone names them)
#   IMG_NNNN.avif  AV1, Q50
#   IMG_NNNN.JPG   JPEG with EXIF orientation 1, 3, 6 or 8 (the pixels
#                  stored turned the other way, so that upright is right)
#   IMG_NNNN.jpg   JPEG in Display P3 (odd photos) or Adobe RGB (even ones),
#                  profile embedded
#   IMG_NNNN.jxl   JPEG XL, Q75
# Deterministic: same packages and libvips, same files. Slow (x265): a few
# minutes of CPU.
set -euo pipefail

PACKAGES=(mate-backgrounds libvips-tools colord-data python3)
ADOBE=/usr/share/color/icc/colord/AdobeRGB1998.icc

. "$(dirname "$0")/../packages.sh"

# The 12 photographs of MATE's "nature" set (1280x1024 to 2560x1920).
photos() {
  dpkg -L mate-backgrounds | grep -E '/nature/.*\.jpg$' | LC_ALL=C sort | head -12
}

build() {
  local out=$1 i=0
  install_packages "${PACKAGES[@]}"
  rm -rf "$out"
  mkdir -p "$out"
  tmp=$(mktemp -d)
  trap 'rm -rf "${tmp:-}"' EXIT
  for f in $(photos); do
    local n w h o
    n=$(printf '%04d' $((i * 5 + 1)))
    # Portrait every other photo, as a phone held upright.
    if [ $((i % 2)) -eq 0 ]; then w=4032 h=3024; else w=3024 h=4032; fi
    vips thumbnail "$f" "$tmp/p.v" "$w" --height "$h" --crop centre --size both
    vips heifsave "$tmp/p.v" "$out/IMG_$n.HEIC" --Q 50 --compression hevc
    n=$(printf '%04d' $((i * 5 + 2)))
    vips heifsave "$tmp/p.v" "$out/IMG_$n.avif" --Q 50 --compression av1 --effort 2
    # Stored turned so that the tag makes it upright: 3 is 180°, 6 needs
    # a turn of 90° clockwise to view (so the pixels are stored 270°), 8 the
    # other way.
    n=$(printf '%04d' $((i * 5 + 3)))
    case $((i % 4)) in
      0) o=1; vips copy "$tmp/p.v" "$tmp/t.v" ;;
      1) o=3; vips rot "$tmp/p.v" "$tmp/t.v" d180 ;;
      2) o=6; vips rot "$tmp/p.v" "$tmp/t.v" d270 ;;
      3) o=8; vips rot "$tmp/p.v" "$tmp/t.v" d90 ;;
    esac
    vips jpegsave "$tmp/t.v" "$out/IMG_$n.JPG" --Q 90
    set_orientation "$out/IMG_$n.JPG" "$o"
    n=$(printf '%04d' $((i * 5 + 4)))
    if [ $((i % 2)) -eq 1 ]; then
      vips icc_transform "$tmp/p.v" "$out/IMG_$n.jpg[Q=90]" p3 --input-profile srgb
    else
      vips icc_transform "$tmp/p.v" "$out/IMG_$n.jpg[Q=90]" "$ADOBE" --input-profile srgb
    fi
    n=$(printf '%04d' $((i * 5 + 5)))
    vips jxlsave "$tmp/p.v" "$out/IMG_$n.jxl" --Q 75 --effort 3
    i=$((i + 1))
  done
  echo "$(ls "$out" | wc -l) files, $(du -sh "$out" | cut -f1) in $out" >&2
}

# The vips CLI cannot set a tag, so the EXIF goes in by hand: a minimal
# APP1 segment (one IFD entry, Orientation) right after SOI, the pixels
# untouched. libvips wrote none (a .v image has no metadata).
set_orientation() {
  local file=$1 orientation=$2
  python3 - "$file" "$orientation" <<'PY'
import struct, sys
path, o = sys.argv[1], int(sys.argv[2])
data = open(path, 'rb').read()
assert data[:2] == b'\xff\xd8'
tiff = b'MM\x00\x2a' + struct.pack('>I', 8) + struct.pack('>H', 1) + \
    struct.pack('>HHIHH', 0x0112, 3, 1, o, 0) + struct.pack('>I', 0)
app1 = b'Exif\x00\x00' + tiff
seg = b'\xff\xe1' + struct.pack('>H', len(app1) + 2) + app1
open(path, 'wb').write(data[:2] + seg + data[2:])
PY
}

check() {
  local in=$1 out=$2 size=${3:-256} bad=0 n=0
  for f in "$in"/*; do
    local name want got bands
    name=$(basename "$f")
    n=$((n + 1))
    if [ ! -f "$out/$name" ]; then echo "missing: $name"; bad=$((bad + 1)); continue; fi
    want=$(vips thumbnail "$f" /tmp/phone-check.v "$size" 2>/dev/null &&
      vipsheader -f width /tmp/phone-check.v)x$(vipsheader -f height /tmp/phone-check.v)
    got=$(vipsheader -f width "$out/$name")x$(vipsheader -f height "$out/$name")
    bands=$(vipsheader -f bands "$out/$name")
    if [ "$want" != "$got" ]; then echo "$name: $got, vips thumbnail gives $want"; bad=$((bad + 1)); fi
    if [ "$bands" != 1 ]; then
      # HEIF has no grey mode in libvips' saver: three equal bands.
      spread=$(vips extract_band "$out/$name" /tmp/phone-r.v 0 && vips extract_band "$out/$name" /tmp/phone-g.v 1 &&
        vips subtract /tmp/phone-r.v /tmp/phone-g.v /tmp/phone-d.v && vips abs /tmp/phone-d.v /tmp/phone-a.v &&
        vips max /tmp/phone-a.v)
      if [ "${spread%.*}" -gt 2 ]; then echo "$name: not grey ($bands bands, spread $spread)"; bad=$((bad + 1)); fi
    fi
  done 2>/dev/null
  rm -f /tmp/phone-*.v
  echo "$n outputs checked, $bad wrong"
  [ "$bad" -eq 0 ]
}

if [ "${1:-}" = "--check" ]; then
  check "${2:?usage: phone.sh --check DIR OUT [SIZE]}" "${3:?usage: phone.sh --check DIR OUT [SIZE]}" "${4:-256}"
else
  build "${1:?usage: phone.sh DIR}"
fi
