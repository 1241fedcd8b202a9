#!/usr/bin/env bash
# Builds a folder of real photographs and artwork from Debian packages, for
# benchmarks (issue 4, target 1: >= 100 files, 1-20 MP, mixed formats).
#   bench/make-real-folder.sh DIR
# The packages hold 75 usable images (JPEG photos, PNG and WebP artwork,
# 1.3-19 MP; the two 256x256 vnc-*.webp are left out). To reach >= 100 files
# and a realistic format mix, every JPEG photo is also re-encoded, in turn,
# as a progressive JPEG (Q90), a PNG or a WebP (Q85), named *-prog.jpg,
# *-png.png, *-webp.webp. Deterministic: same packages and libvips, same files.
set -euo pipefail

out=${1:?usage: make-real-folder.sh DIR}
PACKAGES=(mate-backgrounds ukui-wallpapers lomiri-wallpapers-16.04 lomiri-wallpapers-20.04
          gnome-backgrounds libvips-tools)

. "$(dirname "$0")/packages.sh"
install_packages "${PACKAGES[@]}"

rm -rf "$out"
mkdir -p "$out"
for p in mate-backgrounds ukui-wallpapers lomiri-wallpapers-16.04 lomiri-wallpapers-20.04 \
         gnome-backgrounds; do
  dpkg -L "$p"
done | grep -iE '\.(jpe?g|png|webp)$' | grep -v '/vnc-' | LC_ALL=C sort -u |
while read -r f; do
  cp "$f" "$out/$(basename "$f")"
done

i=0
for f in $(cd "$out" && LC_ALL=C ls -- *.jpg); do
  base=${f%.jpg}
  case $((i % 3)) in
    0) vips jpegsave "$out/$f" "$out/$base-prog.jpg" --Q 90 --interlace ;;
    1) vips pngsave "$out/$f" "$out/$base-png.png" ;;
    2) vips webpsave "$out/$f" "$out/$base-webp.webp" --Q 85 ;;
  esac
  i=$((i + 1))
done
echo "$(ls "$out" | wc -l) files, $(du -sh "$out" | cut -f1) in $out" >&2
