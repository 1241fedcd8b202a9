#!/usr/bin/env bash
# An uneven folder of real images (issue 16, cost slices): from the real
# folder of bench/make-real-folder.sh, three 640-pixel JPEG thumbnails of
# every image (a-small-NAME-K.jpg, sorted first) and every original
# (z-NAME, sorted last): 460 files, where a cut by count gives the last of
# four slices every original.
#   bench/make-uneven-folder.sh REAL_DIR OUT_DIR
set -euo pipefail
real=${1:?usage: make-uneven-folder.sh REAL_DIR OUT_DIR}
out=${2:?usage: make-uneven-folder.sh REAL_DIR OUT_DIR}
rm -rf "$out"
mkdir -p "$out"
for f in "$real"/*; do
  name=$(basename "$f")
  for k in 1 2 3; do
    vips thumbnail "$f" "$out/a-small-${name%.*}-$k.jpg" 640
  done
  cp "$f" "$out/z-$name"
done
echo "$(ls "$out" | wc -l) files, $(du -sh "$out" | cut -f1) in $out" >&2
