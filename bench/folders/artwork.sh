#!/usr/bin/env bash
# A PNG-heavy folder of real artwork from Debian packages (issue 15): the
# constellation art, deep-sky images and landscapes of Stellarium
# (stellarium-data), and the only large 16-bit PNGs Debian 12 ships that
# this script found (gnupg's and ImageMagick's), about 1024 px.
#   bench/folders/artwork.sh DIR
# 150 files, each kind picked from the package's files of 700-1500 px
# (longer side; 16-bit: see below), sorted by path and taken evenly spaced
# so that every sky culture's style is in: 30 palette, 30 RGB, 25 RGBA,
# 15 grey, 15 grey+alpha PNG, 14 baseline and 15 progressive JPEG
# (grey and baseline from 512 px: only 5 grey are larger, and the 14 are
# every baseline one of 512-4096 px, a 4096x2048 Moon texture among them), and 6 16-bit PNG:
# the two real ones (RGBA 1052x744, 256x256) and 4 grey 16-bit made from
# grey ones of 260-511 px by `vips` (x257: the 8-bit values stretched to 16 bits, as a
# heightmap export writes them). Named after their path in the package.
# Deterministic: same packages and libvips, same files. The census at the
# end comes from bench/kinds.py (PNG IHDR, Pillow), not from shardpix.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

out=${1:?usage: artwork.sh DIR}
PACKAGES=(stellarium-data gnupg imagemagick-6.q16 libvips-tools python3-pil)

. "$(dirname "$0")/../packages.sh"
install_packages "${PACKAGES[@]}"

rm -rf "$out"
mkdir -p "$out"
list=$(mktemp)
trap 'rm -f "$list"' EXIT
dpkg -L stellarium-data | grep -iE '\.(png|jpe?g)$' | LC_ALL=C sort |
  xargs /usr/bin/python3 "$here/kinds.py" > "$list"

# pick KIND COUNT MIN MAX: COUNT files of KIND whose longer side is in
# [MIN, MAX], evenly spaced through the sorted list.
pick() {
  awk -v kind="$1" -v min="$3" -v max="$4" \
    '$1 == kind { m = $2 > $3 ? $2 : $3; if (m >= min && m <= max) print $4 }' "$list" |
    awk -v want="$2" '{ a[NR] = $0 } END {
      if (want > NR) want = NR
      for (i = 0; i < want; i++) print a[int(i * NR / want) + 1] }'
}

copy() {
  while read -r f; do
    local name=${f#/usr/share/stellarium/}
    cp "$f" "$out/${name//\//-}"
  done
}

pick png-palette 30 700 1500 | copy
pick png-rgb 30 700 1500 | copy
pick png-rgba 25 700 1500 | copy
pick png-grey 15 512 1500 | copy
pick png-grey-alpha 15 700 1500 | copy
pick jpeg-base 15 512 4096 | copy
pick jpeg-prog 15 700 1500 | copy
cp /usr/share/info/gnupg-module-overview.png "$out/gnupg-module-overview.png"
cp /usr/share/icons/hicolor/256x256/apps/display-im6.q16.png "$out/imagemagick-display-im6.q16.png"
# Four 16-bit grey ones, from grey files not otherwise in the folder.
pick png-grey 4 260 511 | while read -r f; do
  name=${f#/usr/share/stellarium/}
  name=${name//\//-}
  vips linear "$f" "$list.v" 257 0
  vips cast "$list.v" "$list-u.v" ushort
  vips copy "$list-u.v" "$list-g.v" --interpretation grey16
  vips pngsave "$list-g.v" "$out/${name%.png}-16bit.png" --bitdepth 16
done
rm -f "$list.v" "$list-u.v" "$list-g.v"
/usr/bin/python3 "$here/kinds.py" --census "$out"/*
echo "$(ls "$out" | wc -l) files, $(du -sh "$out" | cut -f1) in $out" >&2
